//! `workspace/symbol`: the items of every project file whose name contains
//! the query (case-insensitive).

use idflow_compiler::ide;
use tower_lsp_server::ls_types::{
    Location, OneOf, WorkspaceSymbol, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

use super::document_symbol::kind;
use crate::convert::Text;
use crate::workspace::Workspace;

/// The matching symbols.
pub fn run(
    workspace: &Workspace,
    params: &WorkspaceSymbolParams,
) -> Option<WorkspaceSymbolResponse> {
    let query = params.query.to_lowercase();
    let mut found = Vec::new();
    for file in workspace
        .project
        .files
        .iter()
        .filter(|f| workspace.is_own(f.file))
    {
        let (Some(uri), Some(source)) = (workspace.uri(file.file), workspace.text(file.file))
        else {
            continue;
        };
        let text = Text::new(source);
        let mut entries = ide::document_symbols(file);
        while let Some(entry) = entries.pop() {
            if entry.name.to_lowercase().contains(&query) {
                found.push(WorkspaceSymbol {
                    name: entry.name.clone(),
                    kind: kind(entry.kind),
                    tags: None,
                    container_name: None,
                    location: OneOf::Left(Location::new(uri.clone(), text.range(entry.selection))),
                    data: None,
                });
            }
            entries.extend(entry.children);
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Some(WorkspaceSymbolResponse::Nested(found))
}
