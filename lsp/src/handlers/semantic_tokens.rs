//! `textDocument/semanticTokens/full`: names coloured by what they refer to.

use idflow_compiler::ide::{self, TokenKind};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SemanticTokensParams, SemanticTokensResult,
};

use crate::convert::Text;
use crate::workspace::Workspace;

/// The token types, in the order of [`TokenKind`].
const TYPES: [SemanticTokenType; 13] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::METHOD,
    SemanticTokenType::TYPE,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::EVENT,
];

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::READONLY,
        ],
    }
}

/// The tokens of the requested file, relative-encoded.
pub fn run(workspace: &Workspace, params: &SemanticTokensParams) -> Option<SemanticTokensResult> {
    let file = workspace.file(&params.text_document.uri)?;
    let source = workspace.text(file)?;
    let text = Text::new(source);
    let occurrences = workspace.occurrences(file);
    let mut data = Vec::new();
    let (mut line, mut column) = (0, 0);
    for token in ide::semantic_tokens(source, file, &occurrences) {
        let range = text.range(token.span);
        if range.end.line != range.start.line {
            continue;
        }
        let delta_line = range.start.line.saturating_sub(line);
        let delta_start = if delta_line == 0 {
            range.start.character.saturating_sub(column)
        } else {
            range.start.character
        };
        let mut modifiers = u32::from(token.declaration);
        if token.kind == TokenKind::Config {
            modifiers |= 2;
        }
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character.saturating_sub(range.start.character),
            token_type: token.kind as u32,
            token_modifiers_bitset: modifiers,
        });
        (line, column) = (range.start.line, range.start.character);
    }
    Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    }))
}
