//! `textDocument/didOpen` and `didChange`: the buffer's text replaces the
//! file's, edit by edit.

use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use crate::convert::Text;

/// Applies the changes, in order, to `text`. Ranges past the end are
/// clamped, so a confused client cannot make the server fail.
pub fn apply(mut text: String, changes: Vec<TextDocumentContentChangeEvent>) -> String {
    for change in changes {
        match change.range {
            None => text = change.text,
            Some(range) => {
                let (start, end) = {
                    let indexed = Text::new(&text);
                    (indexed.offset(range.start), indexed.offset(range.end))
                };
                let (start, end) = (start.min(end), start.max(end));
                text.replace_range(start..end, &change.text);
            }
        }
    }
    text
}
