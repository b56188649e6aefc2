//! `textDocument/prepareRename` and `textDocument/rename`: configs, flows,
//! functions and local names, in every file that uses them.

use std::collections::HashMap;

use idflow_compiler::ide::{self, SymbolKind};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    PrepareRenameResponse, RenameParams, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};

use super::locate;
use crate::convert::Text;
use crate::workspace::Workspace;

/// The range of the name that would be renamed, if it can be.
pub fn prepare(
    workspace: &Workspace,
    params: &TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    let (file, text, offset) = locate(workspace, &params.text_document.uri, params.position)?;
    let occurrence = workspace
        .occurrences(file)
        .into_iter()
        .find(|o| o.span.start as usize <= offset && offset <= o.span.end as usize)?;
    let renamable = matches!(
        occurrence.kind,
        SymbolKind::Local | SymbolKind::Config | SymbolKind::Flow | SymbolKind::Function
    ) && workspace.is_own(occurrence.def.file);
    renamable.then(|| PrepareRenameResponse::Range(text.range(occurrence.span)))
}

/// The edits of a rename; an error the editor shows when it cannot be done.
pub fn run(workspace: &Workspace, params: &RenameParams) -> Result<Option<WorkspaceEdit>> {
    let at = &params.text_document_position;
    let Some((file, _, offset)) = locate(workspace, &at.text_document.uri, at.position) else {
        return Ok(None);
    };
    let edits = ide::rename(
        &workspace.project,
        &workspace.table,
        &workspace.occurrences(file),
        offset,
        &params.new_name,
    )
    .map_err(Error::invalid_params)?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for edit in &edits {
        let (Some(uri), Some(text)) = (
            workspace.uri(edit.span.file),
            workspace.text(edit.span.file),
        ) else {
            continue;
        };
        changes
            .entry(uri.clone())
            .or_default()
            .push(Text::new(text).edit(edit));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}
