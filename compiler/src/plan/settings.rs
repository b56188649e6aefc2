//! A connector's settings, read from its declaration. A setting's value is a
//! *source*, never a value: text, a number, `env("NAME")` (optionally with a
//! default, `env("SMTP_PORT") ?? 587`), `secret("NAME")`, or these joined by
//! `+`; `auth` is one of the authentication forms over sources. The runtime
//! resolves sources from `idflow.toml` or the environment when it connects,
//! so a plan never holds a secret. Lowering writes the sources into the
//! plan; the checker refuses a setting this module cannot read, so that
//! nothing a connector declares is silently dropped.

use super::ir::{Auth, Source};
use crate::source::Span;
use crate::syntax::ast::{Arg, BinaryOp, Expr, ExprKind, Setting, StringPart};

/// What a setting's value must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    /// Any source.
    Text,
    /// A source that reads as a positive number.
    Number,
    /// A source that reads as one of these words.
    OneOf(&'static [&'static str]),
    /// An authentication form.
    Auth,
}

/// The engine that runs a connector's actions, and reads its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    /// HTTP: every connector but `email`.
    Http,
    /// SMTP: the stdlib's `email` connector.
    Smtp,
}

impl Engine {
    /// The engine of the connector named `connector`: the runtime sends the
    /// `email` connector's mail over SMTP, every other connector over HTTP.
    pub(crate) fn of(connector: &str) -> Self {
        if connector == "email" {
            Engine::Smtp
        } else {
            Engine::Http
        }
    }

    /// The engine that is not this one.
    pub(crate) fn other(self) -> Self {
        match self {
            Engine::Http => Engine::Smtp,
            Engine::Smtp => Engine::Http,
        }
    }

    /// Its name, in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Engine::Http => "HTTP",
            Engine::Smtp => "email",
        }
    }

    /// The settings it reads.
    pub(crate) fn settings(self) -> impl Iterator<Item = &'static Known> {
        KNOWN.iter().filter(move |k| k.engines.contains(&self))
    }
}

/// A setting the runtime reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Known {
    /// Its name.
    pub(crate) key: &'static str,
    /// What its value must be.
    pub(crate) expected: Expected,
    /// The engines that read it.
    pub(crate) engines: &'static [Engine],
    /// What it sets, for the editor.
    pub(crate) doc: &'static str,
}

const HTTP: &[Engine] = &[Engine::Http];
const SMTP: &[Engine] = &[Engine::Smtp];
const BOTH: &[Engine] = &[Engine::Http, Engine::Smtp];

const fn known(
    key: &'static str,
    expected: Expected,
    engines: &'static [Engine],
    doc: &'static str,
) -> Known {
    Known {
        key,
        expected,
        engines,
        doc,
    }
}

/// The settings the runtime reads — an HTTP connector's, then the email
/// connector's.
pub(crate) const KNOWN: &[Known] = &[
    known(
        "base_url",
        Expected::Text,
        HTTP,
        "The API's root URL; each action's path is appended to it. `idflow.toml` may replace it per connection.",
    ),
    known(
        "auth",
        Expected::Auth,
        BOTH,
        "How requests authenticate: `header(name, value)`, `bearer(token)`, `basic(user, password)` or `oauth2_private_key_jwt(token_url, client_id, private_key, scopes)`.",
    ),
    known(
        "max_concurrency",
        Expected::Number,
        HTTP,
        "Requests in flight at most (8 by default).",
    ),
    known(
        "max_rate",
        Expected::Number,
        HTTP,
        "Requests a second at most.",
    ),
    known(
        "idempotency_header",
        Expected::Text,
        HTTP,
        "The header in which writes carry a key that is the same for the same flow version, event, step and arguments, for APIs that deduplicate on one.",
    ),
    known("host", Expected::Text, SMTP, "The SMTP relay's host name."),
    known(
        "port",
        Expected::Number,
        SMTP,
        "The SMTP relay's port: 587 for STARTTLS, 465 for TLS.",
    ),
    known(
        "security",
        Expected::OneOf(&["starttls", "tls", "plain"]),
        SMTP,
        "`starttls`, `tls`, or `plain` for a relay that speaks no TLS.",
    ),
    known(
        "from",
        Expected::Text,
        SMTP,
        "The mails' sender, `Name <address>`.",
    ),
];

/// Why a setting cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// No engine reads a setting of this name.
    UnknownKey,
    /// Another engine reads a setting of this name, not the connector's.
    OtherEngine,
    /// The value is not a source (an interpolation, a field, a call of
    /// something other than `env` and `secret`, …).
    NotASource,
    /// `auth`'s value is not one of the authentication forms.
    NotAnAuth,
    /// A literal that does not fit what the setting takes.
    BadLiteral {
        /// The literal, as text.
        found: String,
        /// What the setting takes.
        expected: Expected,
    },
}

/// What is wrong with a setting, if anything, and where: its key, its value,
/// or the argument of `auth` that is not a source.
pub(crate) fn problem(setting: &Setting, engine: Engine) -> Option<(Problem, Span)> {
    let key = setting.key.name.as_str();
    let Some(Known {
        expected, engines, ..
    }) = KNOWN.iter().find(|k| k.key == key)
    else {
        return Some((Problem::UnknownKey, setting.key.span));
    };
    if !engines.contains(&engine) {
        return Some((Problem::OtherEngine, setting.key.span));
    }
    let value = &setting.value;
    if *expected == Expected::Auth {
        if auth(value).is_some() {
            return None;
        }
        // A known form with an argument that is not a source: point at it.
        let unreadable =
            auth_arguments(value).and_then(|args| args.iter().find(|a| source(&a.value).is_none()));
        return Some(match unreadable {
            Some(arg) => (Problem::NotASource, arg.value.span),
            None => (Problem::NotAnAuth, value.span),
        });
    }
    let Some(source) = source(value) else {
        return Some((Problem::NotASource, value.span));
    };
    // Only text known now can be judged now; `env(…)` is judged at connect.
    let literal = match &source {
        Source::Text { value } => Some(value),
        Source::Env {
            default: Some(value),
            ..
        } => Some(value),
        _ => None,
    }?;
    (!fits(literal, *expected)).then(|| {
        let problem = Problem::BadLiteral {
            found: literal.clone(),
            expected: *expected,
        };
        (problem, value.span)
    })
}

/// Whether a literal fits what its setting takes.
fn fits(literal: &str, expected: Expected) -> bool {
    match expected {
        Expected::Text | Expected::Auth => true,
        Expected::Number => literal.parse::<f64>().is_ok_and(|n| n > 0.0),
        Expected::OneOf(words) => words.contains(&literal),
    }
}

/// A setting's value as a source: text, a number, `env(…)` with or without
/// a `?? default`, `secret(…)`, joined by `+`.
pub(crate) fn source(expr: &Expr) -> Option<Source> {
    match &expr.kind {
        ExprKind::String(_) | ExprKind::Int { .. } => {
            literal(expr).map(|value| Source::Text { value })
        }
        ExprKind::Call { .. } => match named(expr)? {
            ("env", name) => Some(Source::Env {
                name,
                default: None,
            }),
            ("secret", name) => Some(Source::Secret { name }),
            _ => None,
        },
        ExprKind::Binary {
            op: BinaryOp::Coalesce,
            lhs,
            rhs,
        } => match named(lhs)? {
            ("env", name) => Some(Source::Env {
                name,
                default: Some(literal(rhs)?),
            }),
            _ => None,
        },
        ExprKind::Binary {
            op: BinaryOp::Add,
            lhs,
            rhs,
        } => {
            let mut parts = Vec::new();
            for side in [source(lhs)?, source(rhs)?] {
                match side {
                    Source::Concat { parts: inner } => parts.extend(inner),
                    other => parts.push(other),
                }
            }
            Some(Source::Concat { parts })
        }
        ExprKind::Paren { inner } => source(inner),
        _ => None,
    }
}

/// Plain text or a whole number, as text.
fn literal(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::String(literal) => literal
            .parts
            .iter()
            .map(|p| match p {
                StringPart::Text(t) => Some(t.as_str()),
                StringPart::Interpolation(_) => None,
            })
            .collect(),
        ExprKind::Int { value } => Some(value.to_string()),
        ExprKind::Paren { inner } => literal(inner),
        _ => None,
    }
}

/// `env("NAME")` or `secret("NAME")`: the function and the name.
fn named(expr: &Expr) -> Option<(&str, String)> {
    let ExprKind::Call { callee, args } = &expr.kind else {
        return None;
    };
    let ExprKind::Name { name } = &callee.kind else {
        return None;
    };
    let [arg] = args.as_slice() else {
        return None;
    };
    let ExprKind::String(text) = &arg.value.kind else {
        return None;
    };
    let [StringPart::Text(key)] = text.parts.as_slice() else {
        return None;
    };
    Some((name.as_str(), key.clone()))
}

/// An authentication form's name and arguments, when `expr` calls one with
/// as many arguments as it takes.
fn auth_call(expr: &Expr) -> Option<(&str, &[Arg])> {
    let ExprKind::Call { callee, args } = &expr.kind else {
        return None;
    };
    let ExprKind::Name { name } = &callee.kind else {
        return None;
    };
    let arity = match name.as_str() {
        "bearer" => 1,
        "header" | "basic" => 2,
        "oauth2_private_key_jwt" => 4,
        _ => return None,
    };
    (args.len() == arity).then_some((name.as_str(), args.as_slice()))
}

/// The arguments of an authentication form, when the call is one.
fn auth_arguments(expr: &Expr) -> Option<&[Arg]> {
    auth_call(expr).map(|(_, args)| args)
}

/// `header(…)`, `bearer(…)`, `basic(…)` or `oauth2_private_key_jwt(…)`.
pub(crate) fn auth(expr: &Expr) -> Option<Auth> {
    let (name, args) = auth_call(expr)?;
    let arg = |i: usize| args.get(i).and_then(|a| source(&a.value));
    match name {
        "header" => match arg(0)? {
            Source::Text { value } => Some(Auth::Header {
                name: value,
                value: arg(1)?,
            }),
            _ => None,
        },
        "bearer" => Some(Auth::Bearer { token: arg(0)? }),
        "basic" => Some(Auth::Basic {
            user: arg(0)?,
            password: arg(1)?,
        }),
        _ => Some(Auth::OAuth2PrivateKeyJwt {
            token_url: arg(0)?,
            client_id: arg(1)?,
            private_key: arg(2)?,
            scopes: arg(3)?,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::ast::{ConnectorMember, Item};

    /// The checker reads only a project's own connectors: the stdlib's are
    /// held to the same rules here.
    #[test]
    fn every_stdlib_connector_setting_is_one_the_runtime_reads() {
        let mut settings = 0;
        for (name, text) in crate::stdlib::FILES {
            let parsed = crate::syntax::parse(FileId(0), text);
            for item in &parsed.module.items {
                let Item::Connector(connector) = item else {
                    continue;
                };
                let engine = Engine::of(&connector.name.name);
                for member in &connector.members {
                    if let ConnectorMember::Setting(setting) = member {
                        settings += 1;
                        assert_eq!(
                            problem(setting, engine),
                            None,
                            "{name}: {}",
                            setting.key.name
                        );
                    }
                }
            }
        }
        assert!(settings >= 10, "{settings} settings read");
    }
}
