//! Types: every expression of a project is typed, bottom-up, from literals,
//! declarations (events, actions, configs, functions, called flows) and the
//! built-in library; lambdas are typed by the method they are passed to.
//! The checks: fields, arguments, operators, conditions, null safety,
//! purity, secrets, and unknown names.
//!
//! A value whose type cannot be known — one that comes from an earlier
//! error, or from a `Json` payload — is [`Type::Unknown`], which every check
//! accepts: one mistake gives one diagnostic.

mod arguments;
mod calls;
mod check;
mod env;
mod error;
mod expr;
mod narrow;
mod operators;
mod table;

pub(crate) use check::check;
pub use error::TypeError;
pub use table::{Binding, BindingKind, TypeTable};

use crate::resolve::Symbols;
use crate::syntax::ast::{ConnectorMember, EventRef, EventRefKind, TypeExpr};

/// A written type, resolved as the checker resolves it, in the declarations
/// of the stdlib module `module` (a connector's name) or of the project.
pub(crate) fn resolve_written(
    symbols: &Symbols<'_>,
    module: Option<&str>,
    written: &TypeExpr,
) -> Type {
    let module = module.and_then(|m| symbols.module_types.get_key_value(m).map(|(k, _)| *k));
    env::TypeEnv { symbols, module }.of(written)
}

/// The payload type of an event a flow triggers on: what its connector
/// declares (`event user_created = "…" : LogEvent`), or Okta's `LogEvent`
/// for any Okta event named by its type.
pub(crate) fn event_payload(symbols: &Symbols<'_>, event: &EventRef) -> Type {
    match &event.kind {
        EventRefKind::Named(path) => {
            let [connector, name] = path.segments.as_slice() else {
                return Type::Unknown;
            };
            let Some(declared) = symbols.connectors.get(connector.name.as_str()) else {
                return Type::Unknown;
            };
            declared
                .members
                .iter()
                .find_map(|m| match m {
                    ConnectorMember::Event(e) if e.name.name == name.name => {
                        Some(resolve_written(symbols, Some(&connector.name), &e.ty))
                    }
                    _ => None,
                })
                .unwrap_or(Type::Unknown)
        }
        EventRefKind::Raw { connector, .. } if connector.name == "okta" => Type::Named {
            module: Some("okta".to_owned()),
            name: "LogEvent".to_owned(),
        },
        EventRefKind::Raw { .. } => Type::Unknown,
    }
}

/// The fields of a record type (named or inline), as the checker sees them.
pub(crate) fn fields_of(symbols: &Symbols<'_>, ty: &Type) -> Option<Vec<(String, Type)>> {
    env::TypeEnv {
        symbols,
        module: None,
    }
    .fields(ty)
}

use std::fmt;

/// A type, as far as this checker knows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// `String`.
    String,
    /// `Int`.
    Int,
    /// `Float`.
    Float,
    /// `Bool`.
    Bool,
    /// `Time`.
    Time,
    /// `Duration`.
    Duration,
    /// `Json`: anything.
    Json,
    /// `Secret`.
    Secret,
    /// `List<T>`.
    List(Box<Type>),
    /// `Map<K, V>`.
    Map(Box<Type>, Box<Type>),
    /// A named type: a project type, or a stdlib module's (`okta.User`).
    /// Its fields are looked up when needed, so recursive types are fine.
    Named {
        /// The stdlib module that declares it, if any.
        module: Option<String>,
        /// The type's name.
        name: String,
    },
    /// An inline record type.
    Record(Vec<(String, Type)>),
    /// `T?`.
    Optional(Box<Type>),
    /// The type of `null`: fits any optional type.
    Null,
    /// Not known to this checker: never reported.
    Unknown,
}

impl Type {
    /// What an `on error(err)` handler binds: the failure in words, as the
    /// run's trace records it.
    pub fn handled_error() -> Self {
        Self::Record(vec![("message".to_owned(), Self::String)])
    }

    /// The type without its `?`.
    pub fn non_null(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner.non_null(),
            other => other,
        }
    }

    /// Whether a value of this type is a `Secret` or holds one — in a
    /// record's field, a list's items, a map's values — at any depth: what
    /// must never be turned into text.
    pub fn holds_secret(&self) -> bool {
        match self {
            Type::Secret => true,
            Type::Optional(inner) | Type::List(inner) => inner.holds_secret(),
            Type::Map(key, value) => key.holds_secret() || value.holds_secret(),
            Type::Record(fields) => fields.iter().any(|(_, ty)| ty.holds_secret()),
            _ => false,
        }
    }

    /// Whether a value of this type may be null.
    pub fn may_be_null(&self) -> bool {
        matches!(self, Type::Optional(_) | Type::Null)
    }

    /// Whether a value of type `self` can be passed where `expected` is
    /// declared. Unknown accepts and is accepted by anything, and `Json` too
    /// unless a null would reach where none may; `T` and `null` fit `T?`;
    /// `Int` fits `Float`.
    pub fn fits(&self, expected: &Type) -> bool {
        match (self.non_null(), expected.non_null()) {
            (Type::Unknown, _) | (_, Type::Unknown) => true,
            // A value that may be null does not fit where one may not be.
            _ if self.may_be_null() && !expected.may_be_null() && *expected != Type::Json => false,
            (Type::Json | Type::Null, _) | (_, Type::Json) => true,
            (Type::Int, Type::Float) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (Type::Map(ka, va), Type::Map(kb, vb)) => ka.fits(kb) && va.fits(vb),
            // A record literal may stand for a map with text keys: `{ "X-Key": v }`.
            (Type::Record(fields), Type::Map(key, value)) => {
                key.fits(&Type::String) && fields.iter().all(|(_, ty)| ty.fits(value))
            }
            (Type::Named { name: a, .. }, Type::Named { name: b, .. }) => a == b,
            // A record literal may stand for a named record: its fields are
            // compared by the full checker.
            (Type::Record(_) | Type::Named { .. }, Type::Record(_) | Type::Named { .. }) => true,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("String"),
            Type::Int => f.write_str("Int"),
            Type::Float => f.write_str("Float"),
            Type::Bool => f.write_str("Bool"),
            Type::Time => f.write_str("Time"),
            Type::Duration => f.write_str("Duration"),
            Type::Json => f.write_str("Json"),
            Type::Secret => f.write_str("Secret"),
            Type::List(inner) => write!(f, "List<{inner}>"),
            Type::Map(key, value) => write!(f, "Map<{key}, {value}>"),
            Type::Named {
                module: Some(module),
                name,
            } => write!(f, "{module}.{name}"),
            Type::Named { module: None, name } => f.write_str(name),
            Type::Record(fields) => {
                let fields: Vec<String> = fields.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                write!(f, "{{ {} }}", fields.join(", "))
            }
            Type::Optional(inner) => write!(f, "{inner}?"),
            Type::Null => f.write_str("null"),
            Type::Unknown => f.write_str("unknown"),
        }
    }
}
