//! Types, and the first checks that need them: the arguments of every
//! action call against the action's declaration, and every field read on a
//! value whose type is declared.
//!
//! A value's type is known when it comes from a declaration — an event
//! binding, an action's result, a `let` with a type, a loop over a known list,
//! a called flow's parameter. Anything else is [`Type::Unknown`] and is not
//! checked: the full checker (built-in functions, lambdas, null safety) will
//! narrow that down; until then no check here reports a false error.

mod arguments;
mod check;
mod env;
mod error;
mod narrow;

pub(crate) use check::check;
pub use error::TypeError;

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
    /// Not known to this checker: never reported.
    Unknown,
}

impl Type {
    /// The type without its `?`.
    pub fn non_null(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner.non_null(),
            other => other,
        }
    }

    /// Whether a value of type `self` can be passed where `expected` is
    /// declared. Unknown and `Json` accept and are accepted by anything;
    /// `T` fits `T?`; `Int` fits `Float`.
    pub fn fits(&self, expected: &Type) -> bool {
        match (self.non_null(), expected.non_null()) {
            (Type::Unknown | Type::Json, _) | (_, Type::Unknown | Type::Json) => true,
            // A value that may be null does not fit where one may not be.
            _ if matches!(self, Type::Optional(_)) && !matches!(expected, Type::Optional(_)) => {
                false
            }
            (Type::Int, Type::Float) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
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
            Type::Unknown => f.write_str("unknown"),
        }
    }
}
