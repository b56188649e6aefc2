//! `textDocument/definition`: into the project's files and the stdlib's.

use tower_lsp_server::ls_types::{GotoDefinitionParams, GotoDefinitionResponse, Location};

use super::locate;
use crate::convert::Text;
use crate::workspace::Workspace;

/// Where the name at the request's position is declared.
pub fn run(workspace: &Workspace, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = &params.text_document_position_params;
    let (file, _, offset) = locate(workspace, &at.text_document.uri, at.position)?;
    let def = idflow_compiler::ide::definition(&workspace.occurrences(file), offset)?;
    let uri = workspace.uri(def.file)?.clone();
    let range = Text::new(workspace.text(def.file)?).range(def);
    Some(GotoDefinitionResponse::Scalar(Location::new(uri, range)))
}
