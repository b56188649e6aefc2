//! `textDocument/codeAction`: the fixes the diagnostics carry — did you
//! mean, add a missing import or argument, add a doc comment.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, WorkspaceEdit,
};

use crate::convert::{self, Text};
use crate::workspace::Workspace;

/// The quick fixes of the diagnostics that touch the requested range.
pub fn run(workspace: &Workspace, params: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let file = workspace.file(uri)?;
    let text = Text::new(workspace.text(file)?);
    let start = text.offset(params.range.start);
    let end = text.offset(params.range.end);
    let mut actions = Vec::new();
    for diagnostic in workspace.diagnostics.get(&file)? {
        let Some(span) = diagnostic.span() else {
            continue;
        };
        if (span.end as usize) < start || (span.start as usize) > end {
            continue;
        }
        for fix in &diagnostic.fixes {
            let edits = fix
                .edits
                .iter()
                .filter(|e| e.span.file == file)
                .map(|e| text.edit(e))
                .collect();
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![convert::diagnostic(diagnostic, &text, uri, &|span| {
                    super::location(workspace, span)
                })]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))),
                is_preferred: Some(fix.safe),
                ..CodeAction::default()
            }));
        }
    }
    Some(actions)
}
