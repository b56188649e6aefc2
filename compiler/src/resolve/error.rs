//! Name-resolution errors, each mapped to a code, labels, help and fixes in
//! one place.

use thiserror::Error;

use crate::diagnostics::{Diagnostic, codes};
use crate::source::Span;

/// Everything name resolution can reject.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ResolveError {
    /// Two definitions share a name.
    #[error("{kind} `{name}` is defined twice")]
    Duplicate {
        /// What is defined: "flow", "config or function", "action", …
        kind: &'static str,
        /// The name.
        name: String,
        /// The second definition.
        span: Span,
        /// The first definition.
        first: Span,
    },
    /// `import x` where no connector or stdlib module is named `x`.
    #[error("nothing named `{name}` can be imported")]
    UnknownImport {
        /// The name.
        name: String,
        /// The import.
        span: Span,
        /// The closest importable name.
        suggestion: Option<String>,
        /// Every importable name, for the note.
        known: Vec<String>,
    },
    /// A connector used without `import`.
    #[error("connector `{name}` is used but not imported")]
    NotImported {
        /// The connector.
        name: String,
        /// Where it is used.
        span: Span,
        /// Where `import …` can be inserted.
        insert_at: Span,
    },
    /// A connector that does not exist.
    #[error("no connector is named `{name}`")]
    UnknownConnector {
        /// The name.
        name: String,
        /// Where it is used.
        span: Span,
        /// The closest connector name.
        suggestion: Option<String>,
    },
    /// An event the connector does not declare or the provider does not know.
    #[error("unknown event `{name}`")]
    UnknownEvent {
        /// The connector.
        connector: String,
        /// The event as written.
        name: String,
        /// Where it is used.
        span: Span,
        /// The closest event name.
        suggestion: Option<String>,
        /// Advice when the event is written in the wrong shape.
        help: Option<String>,
    },
    /// An action the connector does not declare.
    #[error("connector `{connector}` has no action `{name}`")]
    UnknownAction {
        /// The connector.
        connector: String,
        /// The action as written.
        name: String,
        /// Where it is used.
        span: Span,
        /// The closest action name.
        suggestion: Option<String>,
        /// Where the connector is declared.
        declared: Span,
    },
    /// A type name that is not defined.
    #[error("no type is named `{name}`")]
    UnknownType {
        /// The type as written.
        name: String,
        /// Where it is used.
        span: Span,
        /// The closest type name, or the qualified name of a stdlib type.
        suggestion: Option<String>,
    },
    /// A flow that does not exist.
    #[error("no flow is named `{name}`")]
    UnknownFlow {
        /// The name.
        name: String,
        /// Where it is used.
        span: Span,
        /// The closest flow name.
        suggestion: Option<String>,
    },
    /// `call f(…)` of a flow without a `when called` trigger.
    #[error("flow `{name}` cannot be called")]
    NotCallable {
        /// The flow.
        name: String,
        /// The call.
        span: Span,
        /// The flow's declaration.
        declared: Span,
    },
    /// Flows that call each other in a circle.
    #[error("flow `{name}` calls itself through {path}")]
    CallCycle {
        /// The flow where the cycle is reported.
        name: String,
        /// The cycle, as `a → b → a`.
        path: String,
        /// The call that closes the cycle.
        span: Span,
    },
    /// `given webhook "/p"` where no flow has `when webhook "/p"`.
    #[error("no flow listens on webhook \"{path}\"")]
    NoWebhook {
        /// The path as written.
        path: String,
        /// Where the test names it.
        span: Span,
        /// The nearest path a flow listens on.
        suggestion: Option<String>,
    },
    /// `given schedule f` of a flow without a `when schedule` trigger.
    #[error("flow `{name}` has no schedule")]
    NotScheduled {
        /// The flow.
        name: String,
        /// Where the test names it.
        span: Span,
        /// The flow's declaration.
        declared: Span,
    },
    /// `extend type T` where `T` has no fields to extend.
    #[error("`{name}` cannot be extended: it is {what}")]
    NotExtensible {
        /// The type as written.
        name: String,
        /// What it is instead of a record: "an alias", "a built-in type".
        what: &'static str,
        /// The extended type's name.
        span: Span,
    },
    /// `given config x` where no config is named `x`.
    #[error("no config is named `{name}`")]
    UnknownConfig {
        /// The name.
        name: String,
        /// Where it is used.
        span: Span,
        /// The closest config name.
        suggestion: Option<String>,
    },
}

impl ResolveError {
    /// The name this error is about: errors about names that a broken item
    /// might have defined are not reported.
    pub fn unknown_name(&self) -> Option<&str> {
        match self {
            Self::UnknownConnector { name, .. }
            | Self::UnknownType { name, .. }
            | Self::UnknownFlow { name, .. }
            | Self::UnknownConfig { name, .. }
            | Self::UnknownImport { name, .. } => Some(name),
            Self::UnknownAction { connector, .. } | Self::UnknownEvent { connector, .. } => {
                Some(connector)
            }
            _ => None,
        }
    }

    /// The diagnostic for this error: code, message, labels, help and fixes.
    pub fn into_diagnostic(self) -> Diagnostic {
        let message = self.to_string();
        match self {
            Self::Duplicate { span, first, .. } => Diagnostic::error(
                codes::DUPLICATE_DEFINITION,
                message,
                span,
                "defined again here",
            )
            .with_label(first, "first defined here")
            .with_help("rename one of them"),
            Self::UnknownImport {
                span,
                suggestion,
                known,
                ..
            } => Diagnostic::error(codes::UNKNOWN_IMPORT, message, span, "not a connector")
                .with_note(format!("importable: {}", known.join(", ")))
                .with_suggestion(span, suggestion),
            Self::NotImported {
                name,
                span,
                insert_at,
            } => Diagnostic::error(codes::NOT_IMPORTED, message, span, "used here")
                .with_help(format!("add `import {name}` at the top of the file"))
                .with_safe_fix(
                    format!("add `import {name}`"),
                    insert_at,
                    format!("import {name}\n"),
                ),
            Self::UnknownConnector {
                span, suggestion, ..
            } => Diagnostic::error(codes::UNKNOWN_CONNECTOR, message, span, "not a connector")
                .with_suggestion(span, suggestion),
            Self::UnknownEvent {
                span,
                suggestion,
                help,
                ..
            } => {
                let diagnostic =
                    Diagnostic::error(codes::UNKNOWN_EVENT, message, span, "unknown event");
                let diagnostic = match help {
                    Some(help) => diagnostic.with_help(help),
                    None => diagnostic,
                };
                diagnostic.with_suggestion(span, suggestion)
            }
            Self::UnknownAction {
                span,
                suggestion,
                declared,
                connector,
                ..
            } => Diagnostic::error(codes::UNKNOWN_ACTION, message, span, "unknown action")
                .with_label(declared, format!("`{connector}` is declared here"))
                .with_suggestion(span, suggestion),
            Self::UnknownType {
                span, suggestion, ..
            } => Diagnostic::error(codes::UNKNOWN_TYPE, message, span, "unknown type")
                .with_suggestion(span, suggestion),
            Self::UnknownFlow {
                span, suggestion, ..
            } => Diagnostic::error(codes::UNKNOWN_FLOW, message, span, "unknown flow")
                .with_suggestion(span, suggestion),
            Self::NotCallable { span, declared, .. } => {
                Diagnostic::error(codes::NOT_CALLABLE, message, span, "called here")
                    .with_label(declared, "this flow has no `when called` trigger")
                    .with_help("add a trigger such as `when called(user_id: String)` to the flow")
            }
            Self::CallCycle { span, .. } => Diagnostic::error(
                codes::CALL_CYCLE,
                message,
                span,
                "this call closes the cycle",
            )
            .with_help("a flow may not call itself, directly or through others: runs must end"),
            Self::UnknownConfig {
                span, suggestion, ..
            } => Diagnostic::error(codes::UNKNOWN_CONFIG, message, span, "unknown config")
                .with_suggestion(span, suggestion),
            Self::NoWebhook {
                span, suggestion, ..
            } => {
                let diagnostic = Diagnostic::error(
                    codes::NO_WEBHOOK,
                    message,
                    span,
                    "no `when webhook` on this path",
                );
                match suggestion {
                    Some(path) => diagnostic
                        .with_help(format!("did you mean \"{path}\"?"))
                        .with_fix(format!("use \"{path}\""), span, format!("\"{path}\"")),
                    None => {
                        diagnostic.with_help("a flow listens with `when webhook \"/path\" as body`")
                    }
                }
            }
            Self::NotScheduled { span, declared, .. } => {
                Diagnostic::error(codes::NOT_SCHEDULED, message, span, "not a scheduled flow")
                    .with_label(declared, "declared here, without `when schedule`")
                    .with_help("give the event that fires it with `given event`")
            }
            Self::NotExtensible { span, .. } => Diagnostic::error(
                codes::NOT_EXTENSIBLE,
                message,
                span,
                "has no fields to add to",
            )
            .with_help("extend the record type itself, such as `okta.UserProfile`"),
        }
    }
}
