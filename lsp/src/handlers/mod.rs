//! One file per request or notification. Each takes the workspace and the
//! request's parameters and returns the protocol's answer; none of them
//! sends anything itself.

pub mod code_action;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod document_symbol;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod inlay_hint;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
pub mod signature_help;
pub mod text_sync;
pub mod workspace_symbol;

use idflow_compiler::source::FileId;
use tower_lsp_server::ls_types::{Location, Position, Uri};

use crate::convert::Text;
use crate::workspace::Workspace;

/// Where a span is, for the editor: its file's URI (the stdlib's are files
/// written for go to definition) and its range.
pub(crate) fn location(
    workspace: &Workspace,
    span: idflow_compiler::source::Span,
) -> Option<Location> {
    let uri = workspace.uri(span.file)?.clone();
    let text = Text::new(workspace.text(span.file)?);
    Some(Location::new(uri, text.range(span)))
}

/// The file, its text and the byte offset a request points at.
pub(crate) fn locate<'w>(
    workspace: &'w Workspace,
    uri: &Uri,
    position: Position,
) -> Option<(FileId, Text<'w>, usize)> {
    let file = workspace.file(uri)?;
    let text = Text::new(workspace.text(file)?);
    let offset = text.offset(position);
    Some((file, text, offset))
}
