//! `textDocument/hover`: types, signatures and doc comments.

use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use idflow_compiler::ide::SymbolKind;

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
    let mut markdown = hover.markdown;
    // A flow's hover ends with what its plan says, when the project builds.
    let on_flow = occurrences
        .iter()
        .find(|o| o.span == hover.span && o.kind == SymbolKind::Flow);
    if let Some(facts) = on_flow.and_then(|o| workspace.plan.get(workspace.project.text_of(o.def)))
    {
        markdown.push_str("\n\n");
        markdown.push_str(facts);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(text.range(hover.span)),
    })
}
