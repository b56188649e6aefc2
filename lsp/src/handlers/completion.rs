//! `textDocument/completion`.

use idflow_compiler::ide::{self, CompletionKind};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation,
    InsertTextFormat, MarkupContent, MarkupKind,
};

use super::locate;
use crate::workspace::Workspace;

/// The proposals at the request's position.
pub fn run(workspace: &Workspace, params: &CompletionParams) -> Option<CompletionResponse> {
    let at = &params.text_document_position;
    let (file, _, offset) = locate(workspace, &at.text_document.uri, at.position)?;
    let items = ide::complete(&workspace.project, &workspace.table, file, offset)
        .into_iter()
        .map(|c| CompletionItem {
            label: c.label,
            kind: Some(kind(c.kind)),
            detail: c.detail,
            documentation: c.documentation.map(|value| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                })
            }),
            insert_text: Some(c.insert_text),
            insert_text_format: Some(if c.snippet {
                InsertTextFormat::SNIPPET
            } else {
                InsertTextFormat::PLAIN_TEXT
            }),
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

fn kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Snippet => CompletionItemKind::SNIPPET,
        CompletionKind::Connector => CompletionItemKind::MODULE,
        CompletionKind::Action => CompletionItemKind::METHOD,
        CompletionKind::Event => CompletionItemKind::EVENT,
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Local => CompletionItemKind::VARIABLE,
        CompletionKind::Config => CompletionItemKind::CONSTANT,
        CompletionKind::Function | CompletionKind::Flow => CompletionItemKind::FUNCTION,
        CompletionKind::Method => CompletionItemKind::METHOD,
        CompletionKind::Argument | CompletionKind::Setting => CompletionItemKind::PROPERTY,
    }
}
