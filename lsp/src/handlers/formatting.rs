//! `textDocument/formatting`: the canonical style of `idflow fmt`, as one
//! edit over the whole file; nothing when the file does not parse.

use idflow_compiler::diagnostics::Edit;
use idflow_compiler::source::Span;
use tower_lsp_server::ls_types::{DocumentFormattingParams, TextEdit};

use crate::convert::Text;
use crate::workspace::Workspace;

/// The edit that formats the file, if it changes anything.
pub fn run(workspace: &Workspace, params: &DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let file = workspace.file(&params.text_document.uri)?;
    let source = workspace.text(file)?;
    let formatted = idflow_compiler::format::format_source(file, source).ok()?;
    if formatted == source {
        return Some(Vec::new());
    }
    let edit = Edit {
        span: Span::new(file, 0, source.len()),
        replacement: formatted,
    };
    Some(vec![Text::new(source).edit(&edit)])
}
