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
        // A client without snippets gets no templates, and plain text for
        // the rest: the placeholders' default text, no `$1` left behind.
        .filter(|c| workspace.snippets || c.kind != CompletionKind::Snippet)
        .map(|mut c| {
            if c.snippet && !workspace.snippets {
                c.insert_text = plain(&c.insert_text);
                c.snippet = false;
            }
            c
        })
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

/// A snippet as plain text: `${1:name}` is `name`, `$1` and `$0` nothing,
/// `\$` a dollar.
fn plain(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| matches!(n, '$' | '}' | '\\')) => {
                out.extend(chars.next());
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                // The tab stop's number, then `:` and its default text.
                while chars.next_if(char::is_ascii_digit).is_some() {}
                if chars.next_if_eq(&':').is_some() {
                    while let Some(inner) = chars.next_if(|n| *n != '}') {
                        out.push(inner);
                    }
                }
                chars.next_if_eq(&'}');
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.next_if(char::is_ascii_digit).is_some() {}
            }
            other => out.push(other),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn a_snippet_reads_as_plain_text_without_placeholders() {
        assert_eq!(plain("get_user(id: $1)"), "get_user(id: )");
        assert_eq!(plain("flow ${2:name} {\n  $0\n}"), "flow name {\n  \n}");
        assert_eq!(plain("cost: \\$5"), "cost: $5");
    }
}
