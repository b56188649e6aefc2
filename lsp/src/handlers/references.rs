//! `textDocument/references`: every use of a name, in every file.

use tower_lsp_server::ls_types::{Location, ReferenceParams};

use super::locate;
use crate::convert::Text;
use crate::workspace::Workspace;

/// The places the name at the request's position is written.
pub fn run(workspace: &Workspace, params: &ReferenceParams) -> Option<Vec<Location>> {
    let at = &params.text_document_position;
    let (file, _, offset) = locate(workspace, &at.text_document.uri, at.position)?;
    let spans = idflow_compiler::ide::references(
        &workspace.project,
        &workspace.table,
        &workspace.occurrences(file),
        offset,
        params.context.include_declaration,
    );
    let locations = spans
        .into_iter()
        .filter_map(|span| {
            let uri = workspace.uri(span.file)?.clone();
            let range = Text::new(workspace.text(span.file)?).range(span);
            Some(Location::new(uri, range))
        })
        .collect();
    Some(locations)
}
