//! `textDocument/inlayHint`: the types of `let`s written without one.

use tower_lsp_server::ls_types::{InlayHint, InlayHintKind, InlayHintLabel, InlayHintParams};

use crate::convert::Text;
use crate::workspace::Workspace;

/// The hints in the requested range.
pub fn run(workspace: &Workspace, params: &InlayHintParams) -> Option<Vec<InlayHint>> {
    let file = workspace.file(&params.text_document.uri)?;
    let text = Text::new(workspace.text(file)?);
    let (start, end) = (
        text.offset(params.range.start),
        text.offset(params.range.end),
    );
    let hints = idflow_compiler::ide::inlay_hints(&workspace.table, file, start, end)
        .into_iter()
        .map(|hint| InlayHint {
            position: text.position(hint.offset),
            label: InlayHintLabel::String(hint.label),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: None,
            padding_right: None,
            data: None,
        })
        .collect();
    Some(hints)
}
