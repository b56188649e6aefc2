//! Semantic tokens: a lexical pass over the text (keywords, strings,
//! numbers, comments) with every name coloured by what it refers to.

use super::occurrences::{Occurrence, SymbolKind};
use crate::source::{FileId, Span};
use crate::syntax::KEYWORDS;

/// The kinds of token, in the order of the language server's legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// A reserved word.
    Keyword,
    /// `//` and `///` comments.
    Comment,
    /// Text inside quotes.
    String,
    /// A number or a duration.
    Number,
    /// A connector or a module.
    Namespace,
    /// A function or a flow.
    Function,
    /// An action.
    Method,
    /// A type.
    Type,
    /// A local value.
    Variable,
    /// A config (a read-only variable).
    Config,
    /// A parameter named in a call.
    Parameter,
    /// A field of a record.
    Property,
    /// An event of a connector.
    Event,
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// Where it is, on one line.
    pub span: Span,
    /// What it is.
    pub kind: TokenKind,
    /// Whether it declares what it names.
    pub declaration: bool,
}

/// The tokens of `text` (the text of `file`), in order, none overlapping.
pub fn semantic_tokens(text: &str, file: FileId, occurrences: &[Occurrence]) -> Vec<SemanticToken> {
    let mut lexer = Lexer {
        text,
        file,
        occurrences,
        tokens: Vec::new(),
        next_occurrence: 0,
    };
    lexer.code(0, text.len(), false);
    lexer.tokens
}

struct Lexer<'a> {
    text: &'a str,
    file: FileId,
    occurrences: &'a [Occurrence],
    tokens: Vec<SemanticToken>,
    next_occurrence: usize,
}

impl Lexer<'_> {
    /// Lexes code from `at` until `end`, or until the `}` that closes an
    /// interpolation when `interpolation`; returns where it stopped.
    fn code(&mut self, mut at: usize, end: usize, interpolation: bool) -> usize {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        while at < end {
            let Some(&byte) = bytes.get(at) else { break };
            match byte {
                b'/' if bytes.get(at + 1) == Some(&b'/') => {
                    let stop = self.line_end(at);
                    self.push(at, stop, TokenKind::Comment, false);
                    at = stop;
                }
                b'"' => at = self.string(at),
                b'{' => {
                    depth += 1;
                    at += 1;
                }
                b'}' if interpolation && depth == 0 => return at,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    at += 1;
                }
                b'0'..=b'9' => {
                    let stop = self.word_end(at);
                    self.push(at, stop, TokenKind::Number, false);
                    at = stop;
                }
                b if b.is_ascii_alphabetic() || b == b'_' => {
                    let stop = self.word_end(at);
                    self.word(at, stop);
                    at = stop;
                }
                _ => {
                    at += self
                        .text
                        .get(at..)
                        .and_then(|s| s.chars().next())
                        .map_or(1, char::len_utf8)
                }
            }
        }
        at
    }

    /// A string from its opening quote; the text parts are string tokens
    /// and the `{…}` parts are code. Returns the offset after the string.
    fn string(&mut self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        let line_end = self.line_end(start);
        let mut part = start;
        let mut at = start + 1;
        while at < line_end {
            match bytes.get(at) {
                Some(b'\\') => at += 2,
                Some(b'"') => {
                    self.push(part, at + 1, TokenKind::String, false);
                    return at + 1;
                }
                Some(b'{') => {
                    self.push(part, at, TokenKind::String, false);
                    at = self.code(at + 1, line_end, true) + 1;
                    part = at.min(line_end);
                }
                _ => at += 1,
            }
        }
        // An unterminated string ends with its line.
        self.push(part, line_end, TokenKind::String, false);
        line_end
    }

    fn word(&mut self, start: usize, end: usize) {
        let word = self.text.get(start..end).unwrap_or_default();
        if let Some(occurrence) = self.occurrence(start, end) {
            let kind = match occurrence.kind {
                SymbolKind::Local => TokenKind::Variable,
                SymbolKind::Config => TokenKind::Config,
                SymbolKind::Function | SymbolKind::Flow => TokenKind::Function,
                SymbolKind::Connector => TokenKind::Namespace,
                SymbolKind::Action => TokenKind::Method,
                SymbolKind::Event => TokenKind::Event,
                SymbolKind::Type => TokenKind::Type,
                SymbolKind::Field => TokenKind::Property,
                SymbolKind::Param => TokenKind::Parameter,
            };
            self.push(start, end, kind, occurrence.is_definition());
        } else if KEYWORDS.contains(&word) {
            self.push(start, end, TokenKind::Keyword, false);
        }
    }

    /// The occurrence written exactly at `start..end`; occurrences are
    /// sorted, and words come in order, so one cursor walks them.
    fn occurrence(&mut self, start: usize, end: usize) -> Option<Occurrence> {
        while let Some(o) = self.occurrences.get(self.next_occurrence) {
            if (o.span.start as usize) < start {
                self.next_occurrence += 1;
                continue;
            }
            return (o.span.start as usize == start && o.span.end as usize == end).then_some(*o);
        }
        None
    }

    fn push(&mut self, start: usize, end: usize, kind: TokenKind, declaration: bool) {
        if start < end {
            self.tokens.push(SemanticToken {
                span: Span::new(self.file, start, end),
                kind,
                declaration,
            });
        }
    }

    fn line_end(&self, at: usize) -> usize {
        self.text
            .get(at..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |n| at + n)
    }

    fn word_end(&self, at: usize) -> usize {
        self.text
            .get(at..)
            .and_then(|rest| rest.find(|c: char| !(c.is_alphanumeric() || c == '_')))
            .map_or(self.text.len(), |n| at + n)
    }
}
