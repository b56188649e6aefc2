//! Type errors, each mapped to a code, labels and help in one place.

use thiserror::Error;

use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// Everything the type checks can reject.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum TypeError {
    /// A field the value's type does not have.
    #[error("`{ty}` has no field `{name}`")]
    UnknownField {
        /// The value's type.
        ty: String,
        /// The field as written.
        name: String,
        /// The field.
        span: Span,
        /// The closest field.
        suggestion: Option<String>,
        /// Where the type is declared, when it is a named type.
        declared: Option<Span>,
    },
    /// A named argument the action or flow does not declare.
    #[error("`{callee}` has no parameter `{name}`")]
    UnknownArgument {
        /// The action or flow.
        callee: String,
        /// The argument's name.
        name: String,
        /// The argument's name in the call.
        span: Span,
        /// The closest parameter.
        suggestion: Option<String>,
        /// Every parameter, for the note.
        params: Vec<String>,
    },
    /// A required parameter without an argument.
    #[error("`{callee}` needs the argument `{name}`")]
    MissingArgument {
        /// The action or flow.
        callee: String,
        /// The parameter.
        name: String,
        /// Its type.
        ty: String,
        /// The call.
        span: Span,
        /// The parameter's declaration.
        declared: Span,
    },
    /// An argument whose type does not fit the parameter.
    #[error("`{name}` of `{callee}` expects `{expected}`, found `{found}`")]
    ArgumentType {
        /// The action or flow.
        callee: String,
        /// The parameter.
        name: String,
        /// The parameter's type.
        expected: String,
        /// The argument's type.
        found: String,
        /// The argument's value.
        span: Span,
        /// The parameter's declaration.
        declared: Span,
    },
    /// An action or flow call where only pure expressions may stand.
    #[error("`{what}` cannot run in {context}")]
    EffectInPureCode {
        /// The call, as `okta.get_user` or `call notify`.
        what: String,
        /// Where: "a `where` filter", "a function".
        context: &'static str,
        /// The call.
        span: Span,
    },
    /// `return` with a value that does not fit the called flow's result type.
    #[error("this flow returns `{expected}`, found `{found}`")]
    ReturnType {
        /// The declared result type.
        expected: String,
        /// The returned value's type.
        found: String,
        /// The returned value.
        span: Span,
    },
    /// A `where` whose value is not a condition.
    #[error("a `where` filter must be a condition, found `{found}`")]
    NotACondition {
        /// The filter's type.
        found: String,
        /// The filter.
        span: Span,
    },
    /// A read through a value that may be null.
    #[error("`{what}` may be null")]
    NullableRead {
        /// The path read through, as written.
        what: String,
        /// The value that may be null.
        span: Span,
        /// The `.` read through it, for the `?.` fix; none for `[…]`.
        operator: Option<Span>,
    },
    /// An argument without a name.
    #[error("the arguments of `{callee}` are named")]
    PositionalArgument {
        /// The action or flow.
        callee: String,
        /// The argument.
        span: Span,
        /// The parameters, in order.
        params: Vec<String>,
    },
}

impl TypeError {
    /// The diagnostic for this error: code, message, labels, help and fixes.
    pub fn into_diagnostic(self) -> Diagnostic {
        let message = self.to_string();
        match self {
            Self::UnknownField {
                span,
                suggestion,
                declared,
                ty,
                ..
            } => {
                let diagnostic =
                    Diagnostic::error(codes::UNKNOWN_FIELD, message, span, "unknown field");
                let diagnostic = match declared {
                    Some(declared) => {
                        diagnostic.with_label(declared, format!("`{ty}` is declared here"))
                    }
                    None => diagnostic,
                };
                diagnostic.with_suggestion(span, suggestion)
            }
            Self::UnknownArgument {
                span,
                suggestion,
                params,
                ..
            } => Diagnostic::error(codes::UNKNOWN_ARGUMENT, message, span, "unknown parameter")
                .with_note(format!("parameters: {}", params.join(", ")))
                .with_suggestion(span, suggestion),
            Self::MissingArgument {
                span,
                declared,
                name,
                ty,
                ..
            } => Diagnostic::error(
                codes::MISSING_ARGUMENT,
                message,
                span,
                format!("`{name}` is missing"),
            )
            .with_label(declared, format!("`{name}: {ty}` is declared here"))
            .with_help(format!("add `{name}: …` to the call")),
            Self::ArgumentType {
                span,
                declared,
                expected,
                found,
                ..
            } => Diagnostic::error(
                codes::ARGUMENT_TYPE,
                message,
                span,
                format!("expected `{expected}`"),
            )
            .with_label(declared, "the parameter is declared here")
            .with_note(if found.ends_with('?') && !expected.ends_with('?') {
                "the argument may be null: give a default with `??`, or check it first"
            } else {
                "`Int` fits `Float`, `T` fits `T?`, and `Json` fits anything"
            }),
            Self::EffectInPureCode { span, context, .. } => {
                Diagnostic::error(codes::EFFECT_IN_PURE_CODE, message, span, "an action call")
                    .with_note(format!(
                        "{context} is evaluated before any run exists, or any number of times: it must not act on a system"
                    ))
                    .with_help("read what you need in the `then` block, and `stop` there when it does not apply")
            }
            Self::ReturnType { span, expected, .. } => {
                Diagnostic::error(codes::RETURN_TYPE, message, span, format!("expected `{expected}`"))
                    .with_help("return a value of the type after `->` in `when called(…) -> …`")
            }
            Self::NotACondition { span, .. } => {
                Diagnostic::error(codes::NOT_A_CONDITION, message, span, "not true or false")
                    .with_help("compare it: `x == \"…\"`, `x != null`, `x in list`")
            }
            Self::NullableRead {
                span,
                operator,
                what,
            } => {
                let diagnostic = Diagnostic::error(codes::NULLABLE_READ, message, span, "may be null here").with_help(
                    format!("read through it with `?.`, give a default with `??`, or check `if {what} != null {{ … }}` first"),
                );
                match operator {
                    Some(operator) => diagnostic.with_fix("read with `?.`", operator, "?."),
                    None => diagnostic,
                }
            }
            Self::PositionalArgument { span, params, .. } => {
                Diagnostic::error(codes::POSITIONAL_ARGUMENT, message, span, "no name").with_help(
                    format!(
                        "write `name: value`; the parameters are {}",
                        params.join(", ")
                    ),
                )
            }
        }
    }
}
