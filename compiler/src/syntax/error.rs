//! Syntax errors, each mapped to a code, labels and help in one place.

use thiserror::Error;

use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// Everything the front end can reject.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum SyntaxError {
    /// The text does not follow the grammar.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// Where parsing stopped.
        span: Span,
        /// What would have been accepted, in words.
        expected: String,
        /// What is there instead, in words.
        found: String,
        /// The bracket left open, when the file ends inside one.
        unclosed: Option<Span>,
        /// Advice for a common mistake.
        help: Option<String>,
    },
    /// A string is not closed before the end of its line.
    #[error("this string is not closed")]
    UnterminatedString {
        /// The string, from its opening quote to the end of the line.
        span: Span,
    },
    /// Brackets nest too deep.
    #[error("brackets are nested more than {limit} levels deep")]
    NestingTooDeep {
        /// The bracket that goes one level too deep.
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// A number does not fit.
    #[error("this number is too large for {what}")]
    NumberOutOfRange {
        /// The literal.
        span: Span,
        /// What the number is used as.
        what: &'static str,
    },
    /// An interpolation where only plain text is allowed.
    #[error("{what} cannot contain `{{…}}` interpolation")]
    InterpolationNotAllowed {
        /// The interpolated expression.
        span: Span,
        /// What the string is.
        what: &'static str,
    },
    /// A doc comment with nothing to document.
    #[error("this doc comment does not document anything")]
    MisplacedDocComment {
        /// The doc comment.
        span: Span,
    },
    /// An expression tree deeper than the builder accepts.
    #[error(
        "this expression has more than {} levels of operators",
        crate::syntax::MAX_EXPR_DEPTH
    )]
    ExpressionTooDeep {
        /// The expression.
        span: Span,
    },
    /// A `\u{…}` escape that names no character.
    #[error("this escape does not name a character")]
    InvalidEscape {
        /// The escape.
        span: Span,
    },
    /// A bug in the parser, not in the file.
    #[error("internal error: this item parsed but could not be read")]
    Internal {
        /// The item.
        span: Span,
    },
}

impl SyntaxError {
    /// Where the error is.
    pub fn span(&self) -> Span {
        match self {
            Self::Unexpected { span, .. }
            | Self::UnterminatedString { span }
            | Self::NestingTooDeep { span, .. }
            | Self::NumberOutOfRange { span, .. }
            | Self::InterpolationNotAllowed { span, .. }
            | Self::MisplacedDocComment { span }
            | Self::ExpressionTooDeep { span }
            | Self::InvalidEscape { span }
            | Self::Internal { span } => *span,
        }
    }

    /// The diagnostic for this error: code, message, labels and help.
    pub fn into_diagnostic(self) -> Diagnostic {
        let message = self.to_string();
        match self {
            Self::Unexpected {
                span,
                found,
                unclosed,
                help,
                ..
            } => {
                let mut diagnostic = Diagnostic::error(codes::SYNTAX_ERROR, message, span, format!("unexpected {found}"));
                if let Some(open) = unclosed {
                    diagnostic = diagnostic.with_label(open, "this bracket is never closed");
                }
                match help {
                    Some(help) => diagnostic.with_help(help),
                    None => diagnostic,
                }
            }
            Self::UnterminatedString { span } => {
                let end = Span { start: span.end, ..span };
                Diagnostic::error(codes::UNTERMINATED_STRING, message, span, "the string starts here")
                    .with_help("add `\"` at the end of the text; strings cannot span lines, write `\\n` for a line break")
                    .with_fix("close the string", end, "\"")
            }
            Self::NestingTooDeep { span, .. } => {
                Diagnostic::error(codes::NESTING_TOO_DEEP, message, span, "one level too deep")
                    .with_help("move inner parts into `let` bindings or `fn` helpers")
            }
            Self::NumberOutOfRange { span, .. } => {
                Diagnostic::error(codes::NUMBER_OUT_OF_RANGE, message, span, "out of range")
            }
            Self::InterpolationNotAllowed { span, .. } => {
                Diagnostic::error(codes::INTERPOLATION_NOT_ALLOWED, message, span, "interpolated here")
                    .with_help("write the text literally, or escape the brace as `\\{`")
            }
            Self::MisplacedDocComment { span } => {
                Diagnostic::error(codes::MISPLACED_DOC_COMMENT, message, span, "nothing follows that it could document")
                    .with_help("doc comments go right above an item, a connector member or a record field; use `//` for other comments")
                    .with_safe_fix("make it a plain comment", Span { end: span.start + 3, ..span }, "//")
            }
            Self::ExpressionTooDeep { span } => {
                Diagnostic::error(codes::EXPRESSION_TOO_DEEP, message, span, "this expression")
                    .with_help("split it into `let` bindings")
            }
            Self::InvalidEscape { span } => {
                Diagnostic::error(codes::INVALID_ESCAPE, message, span, "not a Unicode scalar value")
            }
            Self::Internal { span } => Diagnostic::error(codes::INTERNAL_ERROR, message, span, "this item")
                .with_note("this is a bug in idflow; please report it with the file"),
        }
    }
}
