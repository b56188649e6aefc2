//! `textDocument/publishDiagnostics`: the latest diagnostics of a file in
//! the protocol's terms.

use idflow_compiler::source::FileId;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use crate::convert::{self, Text};
use crate::workspace::Workspace;

/// The URI and diagnostics to publish for `file`.
pub fn of_file(workspace: &Workspace, file: FileId) -> Option<(Uri, Vec<Diagnostic>)> {
    let uri = workspace.uri(file)?.clone();
    let text = Text::new(workspace.text(file)?);
    let diagnostics = workspace
        .diagnostics
        .get(&file)
        .map(|found| {
            found
                .iter()
                .map(|d| {
                    convert::diagnostic(d, &text, &uri, &|span| super::location(workspace, span))
                })
                .collect()
        })
        .unwrap_or_default();
    Some((uri, diagnostics))
}
