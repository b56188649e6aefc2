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
        /// The parameter's declaration; none for a built-in.
        declared: Option<Span>,
        /// The last argument written, after which the missing one goes;
        /// none when the call has no argument.
        last_arg: Option<Span>,
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
        /// The parameter's declaration; none for a built-in.
        declared: Option<Span>,
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
    /// A `where` or an `if` whose value is not a condition.
    #[error("{context} must be a condition, found `{found}`")]
    NotACondition {
        /// "a `where` filter", "an `if`".
        context: &'static str,
        /// The condition's type.
        found: String,
        /// The filter.
        span: Span,
    },
    /// A read through a value that may be null.
    #[error("{} may be null", what.as_deref().map_or("this value".to_owned(), |w| format!("`{w}`")))]
    NullableRead {
        /// The path read through, as written, when it is one (`e.actor`).
        what: Option<String>,
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
    /// A name that no `let`, parameter, binding, config or function defines.
    #[error("unknown {kind} `{name}`")]
    UnknownName {
        /// "name" or "function".
        kind: &'static str,
        /// The name as written.
        name: String,
        /// The name.
        span: Span,
        /// The closest name in scope.
        suggestion: Option<String>,
    },
    /// A method called as a function, its receiver as the first argument:
    /// `format(t, "%Y")` for `t.format("%Y")`.
    #[error("unknown function `{name}`")]
    FunctionIsAMethod {
        /// The method's name.
        name: String,
        /// The first argument's type, which has the method.
        receiver: String,
        /// The first argument when it is a name, else "value".
        value: String,
        /// The name as written.
        span: Span,
    },
    /// An operator applied to operands it does not accept.
    #[error("{}", operator_message(operator, lhs.as_deref(), rhs))]
    OperatorTypes {
        /// The operator as written.
        operator: &'static str,
        /// The left operand's type; none for a prefix operator.
        lhs: Option<String>,
        /// The right (or only) operand's type.
        rhs: String,
        /// The whole operation.
        span: Span,
        /// Whether an operand may be null, which is why it does not apply.
        maybe_null: bool,
    },
    /// A value whose type does not fit what its place declares.
    #[error("{context} `{expected}`, found `{found}`")]
    TypeMismatch {
        /// What fixes the type: "this `let` declares", "`wait` needs".
        context: &'static str,
        /// The type the place needs.
        expected: String,
        /// The value's type.
        found: String,
        /// The value.
        span: Span,
        /// Where the expected type is written, if anywhere.
        declared: Option<Span>,
    },
    /// A method the receiver's type does not have, or a function a built-in
    /// module does not have.
    #[error("`{receiver}` has no {kind} `{name}`")]
    UnknownMethod {
        /// The receiver's type, or the module.
        receiver: String,
        /// "method" or "function".
        kind: &'static str,
        /// The method as written.
        name: String,
        /// The method's name.
        span: Span,
        /// The closest method.
        suggestion: Option<String>,
        /// Every method of the receiver, for the note.
        known: Vec<String>,
    },
    /// More arguments than the function, method or lambda takes.
    #[error("{callee} takes {expected} {}, found {found}", plural(*expected, "argument"))]
    ArgumentCount {
        /// The function or method in backticks, or "the lambda of `…`".
        callee: String,
        /// How many it takes.
        expected: usize,
        /// How many were given.
        found: usize,
        /// The first argument too many, or the lambda.
        span: Span,
    },
    /// A `Secret` written into text.
    #[error("a `Secret` cannot be turned into text")]
    SecretInText {
        /// The secret value.
        span: Span,
    },
    /// A cron expression the scheduler cannot read.
    #[error("\"{cron}\" is not a cron expression: {reason}")]
    InvalidCron {
        /// The expression.
        cron: String,
        /// What the cron parser said.
        reason: String,
        /// The string.
        span: Span,
    },
    /// A record literal without fields its type requires.
    #[error("this `{ty}` lacks {}", quoted(missing))]
    MissingFields {
        /// The record's type.
        ty: String,
        /// The required fields it leaves out, in declaration order.
        missing: Vec<String>,
        /// The literal.
        span: Span,
        /// Where the type is declared, when it is a named type.
        declared: Option<Span>,
    },
    /// An interpolation in a `stop` reason, which is plain text.
    #[error("a `stop` reason is plain text: `{{…}}` in it would not be evaluated")]
    StopReasonInterpolation {
        /// The interpolation.
        span: Span,
    },
    /// A retry policy whose shortest backoff is longer than its longest.
    #[error("the backoff starts at {min}, longer than the {max} it ends at")]
    BackoffRange {
        /// The shortest delay, as written.
        min: String,
        /// The longest delay, as written.
        max: String,
        /// The policy.
        span: Span,
    },
    /// A time zone the IANA database does not have.
    #[error("\"{zone}\" is not an IANA time zone")]
    UnknownTimeZone {
        /// The zone as written.
        zone: String,
        /// The string.
        span: Span,
        /// The closest zone.
        suggestion: Option<String>,
    },
    /// A connector setting its engine does not read: no engine does, or
    /// only another one.
    #[error("{}", match .read_by {
        None => format!("connector `{connector}` has no setting `{key}`"),
        Some(_) => format!("`{key}` is not a setting of {engine} connectors like `{connector}`"),
    })]
    UnknownSetting {
        /// The connector.
        connector: String,
        /// The engine that runs it: "HTTP" or "email".
        engine: &'static str,
        /// The settings that engine reads.
        reads: Vec<String>,
        /// The other engine that reads it, if one does.
        read_by: Option<&'static str>,
        /// The setting's name.
        key: String,
        /// The name.
        span: Span,
        /// The closest setting the engine reads.
        suggestion: Option<String>,
    },
    /// A connector setting whose value is not a source.
    #[error("this value of `{key}` is not text, a number, `env(\"…\")` or `secret(\"…\")`")]
    UnreadableSetting {
        /// The setting's name.
        key: String,
        /// The value.
        span: Span,
    },
    /// A connector's `auth` that is not one of the authentication forms.
    #[error("`auth` is not a form of authentication idflow knows")]
    UnknownAuth {
        /// The value.
        span: Span,
    },
    /// A connector setting's literal that does not fit what it takes.
    #[error("`{key}` takes {expected}, not \"{found}\"")]
    SettingValue {
        /// The setting's name.
        key: String,
        /// The literal.
        found: String,
        /// What the setting takes, in words.
        expected: String,
        /// The value.
        span: Span,
    },
}

fn operator_message(operator: &str, lhs: Option<&str>, rhs: &str) -> String {
    match lhs {
        Some(lhs) => format!("`{operator}` does not apply to `{lhs}` and `{rhs}`"),
        None => format!("`{operator}` does not apply to `{rhs}`"),
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
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
                last_arg,
                ..
            } => {
                // After the last argument, or just inside the closing `)`.
                let (at, separator) = match last_arg {
                    Some(last) => (Span::new(last.file, last.end as usize, last.end as usize), ", "),
                    None => {
                        let inside = (span.end as usize).saturating_sub(1);
                        (Span::new(span.file, inside, inside), "")
                    }
                };
                let insertion = format!("{separator}{name}: {}", placeholder(&ty));
                Diagnostic::error(
                    codes::MISSING_ARGUMENT,
                    message,
                    span,
                    format!("`{name}` is missing"),
                )
                .with_optional_label(declared, format!("`{name}: {ty}` is declared here"))
                .with_help(format!("add `{name}: …` to the call"))
                .with_fix(format!("add the missing argument `{name}: {ty}`"), at, insertion)
            }
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
            .with_optional_label(declared, "the parameter is declared here")
            .with_note(if (found.ends_with('?') || found == "null") && !expected.ends_with('?') {
                "the argument may be null: give a default with `??`, or check it first"
            } else {
                "`Int` fits `Float`, `T` fits `T?`, and `Json` fits anything"
            }),
            Self::EffectInPureCode { span, context, .. } => {
                Diagnostic::error(codes::EFFECT_IN_PURE_CODE, message, span, "an action call")
                    .with_note(format!(
                        "{context} may be evaluated before any run exists, any number of times, or not at all: it must not act on a system"
                    ))
                    .with_help("call it in a statement of its own (`let x = …` in the `then` block) and use `x` here")
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
                let check = what.map_or(String::new(), |w| format!(", or check `if {w} != null {{ … }}` first"));
                let diagnostic = Diagnostic::error(codes::NULLABLE_READ, message, span, "may be null here").with_help(
                    format!("read through it with `?.`, give a default with `??`{check}"),
                );
                match operator {
                    Some(operator) => diagnostic.with_fix("read with `?.`", operator, "?."),
                    None => diagnostic,
                }
            }
            Self::UnknownName {
                span, suggestion, ..
            } => Diagnostic::error(codes::UNKNOWN_NAME, message, span, "not defined here")
                .with_note("a name is a `let` above it in the same or an enclosing block, a `for` variable, the trigger's `as` name, a parameter, a config or a function")
                .with_suggestion(span, suggestion),
            Self::FunctionIsAMethod {
                name,
                receiver,
                value,
                span,
            } => Diagnostic::error(codes::UNKNOWN_NAME, message, span, "not a function")
                .with_help(format!("`{name}` is a method of `{receiver}`: call it on the value, `{value}.{name}(…)`")),
            Self::OperatorTypes {
                span,
                operator,
                maybe_null,
                lhs,
                rhs,
            } => {
                let diagnostic = Diagnostic::error(
                    codes::OPERATOR_TYPES,
                    message,
                    span,
                    format!("`{operator}` here"),
                );
                let time_and_text = matches!(
                    (lhs.as_deref(), rhs.as_str()),
                    (Some("Time"), "String") | (Some("String"), "Time")
                );
                if maybe_null {
                    diagnostic.with_help("an operand may be null: give it a default with `??`, or check it first")
                } else if time_and_text {
                    diagnostic.with_help("a text is not a `Time`: parse it with `parse_time(…)`, which is null when the text is not an RFC 3339 timestamp, so check it or give it a default with `??` first")
                } else {
                    diagnostic.with_note(operator_note(operator))
                }
            }
            Self::TypeMismatch {
                span,
                expected,
                declared,
                ..
            } => Diagnostic::error(
                codes::TYPE_MISMATCH,
                message,
                span,
                format!("expected `{expected}`"),
            )
            .with_optional_label(declared, "the type is written here"),
            Self::UnknownMethod {
                span,
                suggestion,
                known,
                kind,
                ..
            } => Diagnostic::error(codes::UNKNOWN_METHOD, message, span, format!("unknown {kind}"))
                .with_note(if known.is_empty() {
                    "this type has no methods".to_owned()
                } else {
                    format!("{kind}s: {}", known.join(", "))
                })
                .with_suggestion(span, suggestion),
            Self::ArgumentCount { span, .. } => {
                Diagnostic::error(codes::ARGUMENT_COUNT, message, span, "one too many")
                    .with_help("remove the extra arguments")
            }
            Self::InvalidCron { span, .. } => {
                Diagnostic::error(codes::INVALID_SCHEDULE, message, span, "not a cron expression")
                    .with_note("five fields — minute, hour, day of month, month, day of week — or six with seconds first: `0 7 1 * *` is 07:00 on the first of each month")
            }
            Self::MissingFields {
                span,
                declared,
                ty,
                missing,
            } => {
                let label = if missing.len() == 1 {
                    "a required field is missing"
                } else {
                    "required fields are missing"
                };
                let diagnostic = Diagnostic::error(codes::MISSING_FIELDS, message, span, label)
                    .with_help(format!(
                        "give {}, or end the record with `..` where leaving fields out is meant",
                        missing
                            .iter()
                            .map(|f| format!("`{f}: …`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                match declared {
                    Some(declared) => {
                        diagnostic.with_label(declared, format!("`{ty}` is declared here"))
                    }
                    None => diagnostic,
                }
            }
            Self::StopReasonInterpolation { span } => {
                Diagnostic::error(codes::STOP_REASON, message, span, "not evaluated")
                    .with_note("the reason is written into the plan; the run's trace already holds the event and every value the flow computed")
                    .with_help("write the reason as plain text")
            }
            Self::BackoffRange { span, min, max } => {
                Diagnostic::error(codes::RETRY_POLICY, message, span, "backwards backoff range")
                    .with_help(format!("write the shorter delay first: `backoff {max}..{min}`"))
            }
            Self::UnknownTimeZone {
                span, suggestion, ..
            } => {
                let diagnostic =
                    Diagnostic::error(codes::INVALID_SCHEDULE, message, span, "unknown time zone");
                match suggestion {
                    Some(zone) => diagnostic.with_help(format!("did you mean \"{zone}\"?")),
                    None => diagnostic.with_help("write a zone of the IANA database, such as \"Europe/Paris\""),
                }
            }
            Self::UnknownSetting {
                span,
                suggestion,
                engine,
                reads,
                read_by,
                ..
            } => {
                let label = match read_by {
                    Some(other) => format!("read by the {other} engine only"),
                    None => "unknown setting".to_owned(),
                };
                let diagnostic = Diagnostic::error(codes::CONNECTOR_SETTING, message, span, label)
                    .with_note(format!("the {engine} engine reads {}; any other setting would be ignored", quoted(&reads)));
                diagnostic.with_suggestion(span, suggestion)
            }
            Self::UnreadableSetting { span, .. } => {
                Diagnostic::error(codes::CONNECTOR_SETTING, message, span, "not a setting's source")
                    .with_note("settings are read when the connection is made, from idflow.toml's [connections] or the environment, so they are never values a flow computes")
                    .with_help("write text, a number, `env(\"NAME\")`, `env(\"NAME\") ?? default`, `secret(\"NAME\")`, or these joined by `+`")
            }
            Self::UnknownAuth { span } => {
                Diagnostic::error(codes::CONNECTOR_SETTING, message, span, "not an authentication")
                    .with_help("write `header(name, value)` (its name plain text), `bearer(token)`, `basic(user, password)` or `oauth2_private_key_jwt(token_url, client_id, private_key, scopes)`, each value a setting's source")
            }
            Self::SettingValue { span, .. } => {
                Diagnostic::error(codes::CONNECTOR_SETTING, message, span, "not accepted here")
            }
            Self::SecretInText { span } => {
                Diagnostic::error(codes::SECRET_IN_TEXT, message, span, "a `Secret`")
                    .with_note("secrets reach only connector authentication and `hmac.sha256`'s key, so they never appear in a message, a log, a trace or a plan")
                    .with_help("pass the secret to a parameter declared `Secret`, or compute a signature with `hmac.sha256(key, message)`")
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

/// Names in backquotes, joined by commas.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an operator accepts, for the note of E0311.
fn operator_note(operator: &str) -> &'static str {
    match operator {
        "+" => {
            "`+` adds numbers, joins texts and lists, and adds a `Duration` to a `Time` or a `Duration`"
        }
        "-" => {
            "`-` subtracts numbers, a `Duration` from a `Time` or a `Duration`, and a `Time` from a `Time` (giving a `Duration`)"
        }
        "*" | "/" => "`*` and `/` apply to numbers, and to a `Duration` with an `Int`",
        "%" => "`%` applies to `Int`s",
        "<" | "<=" | ">" | ">=" => {
            "ordering compares two numbers, two texts, two `Time`s or two `Duration`s"
        }
        "==" | "!=" => "equality compares values of the same type, or a value with `null`",
        "in" | "not in" => {
            "`in` looks for an element in a list, a text in a text, or a key in a map"
        }
        "not" | "and" | "or" => "logical operators apply to `Bool`s",
        "??" => "`??` gives a default of the value's own type",
        _ => "see `idflow explain E0311`",
    }
}

/// A value of the written type `ty` for a fix to insert, which the user
/// then replaces: the empty value of the type where it has one.
fn placeholder(ty: &str) -> &'static str {
    match ty.trim_end_matches('?') {
        "String" | "Secret" => "\"\"",
        "Int" => "0",
        "Float" => "0.0",
        "Bool" => "false",
        "Duration" => "0s",
        "Time" => "now()",
        other if other.starts_with("List<") => "[]",
        _ => "{}",
    }
}
