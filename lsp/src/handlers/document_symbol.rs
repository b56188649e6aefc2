//! `textDocument/documentSymbol`: the file's outline.

use idflow_compiler::ide::{self, DocumentSymbol as Entry, OutlineKind};
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind,
};

use crate::convert::Text;
use crate::workspace::Workspace;

/// The outline of the requested file.
pub fn run(workspace: &Workspace, params: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let file = workspace.file(&params.text_document.uri)?;
    let text = Text::new(workspace.text(file)?);
    let entries = ide::document_symbols(workspace.project.file(file)?);
    Some(DocumentSymbolResponse::Nested(
        entries.iter().map(|e| symbol(e, &text)).collect(),
    ))
}

#[expect(
    deprecated,
    reason = "the protocol type still has the deprecated field"
)]
fn symbol(entry: &Entry, text: &Text<'_>) -> DocumentSymbol {
    DocumentSymbol {
        name: entry.name.clone(),
        detail: None,
        kind: kind(entry.kind),
        tags: None,
        deprecated: None,
        range: text.range(entry.span),
        selection_range: text.range(entry.selection),
        children: (!entry.children.is_empty())
            .then(|| entry.children.iter().map(|c| symbol(c, text)).collect()),
    }
}

/// The protocol's kind of an outline entry.
pub fn kind(kind: OutlineKind) -> SymbolKind {
    match kind {
        OutlineKind::Import => SymbolKind::MODULE,
        OutlineKind::Config => SymbolKind::CONSTANT,
        OutlineKind::Type => SymbolKind::STRUCT,
        OutlineKind::Field => SymbolKind::FIELD,
        OutlineKind::Function => SymbolKind::FUNCTION,
        OutlineKind::Connector => SymbolKind::NAMESPACE,
        OutlineKind::Action => SymbolKind::METHOD,
        OutlineKind::Event => SymbolKind::EVENT,
        OutlineKind::Flow => SymbolKind::FUNCTION,
        OutlineKind::Test => SymbolKind::METHOD,
    }
}
