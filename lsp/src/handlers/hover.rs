//! `textDocument/hover`: types, signatures and doc comments.

use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::locate;
use crate::workspace::Workspace;

/// The hover at the request's position.
pub fn run(workspace: &Workspace, params: &HoverParams) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let (file, text, offset) = locate(workspace, &at.text_document.uri, at.position)?;
    let occurrences = workspace.occurrences(file);
    let hover = idflow_compiler::ide::hover(
        &workspace.project,
        &workspace.table,
        &occurrences,
        file,
        offset,
    )?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: hover.markdown,
        }),
        range: Some(text.range(hover.span)),
    })
}
