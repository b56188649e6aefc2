//! The checker's types as schemas the runtime checks answers against.

use std::collections::BTreeMap;

use super::ir::Schema;
use crate::resolve::Symbols;
use crate::types::{Type, fields_of};

/// The schema of a type; named types go into `named` (once, so recursive
/// types end).
pub(super) fn schema(
    ty: &Type,
    symbols: &Symbols<'_>,
    named: &mut BTreeMap<String, Schema>,
) -> Schema {
    match ty {
        Type::String | Type::Secret => Schema::String,
        Type::Time => Schema::Time,
        Type::Int => Schema::Int,
        Type::Duration => Schema::Duration,
        Type::Float => Schema::Float,
        Type::Bool => Schema::Bool,
        Type::Json | Type::Unknown | Type::Null => Schema::Any,
        Type::List(item) => Schema::List {
            item: Box::new(schema(item, symbols, named)),
        },
        Type::Map(_, value) => Schema::Map {
            value: Box::new(schema(value, symbols, named)),
        },
        Type::Optional(inner) => Schema::Optional {
            inner: Box::new(schema(inner, symbols, named)),
        },
        Type::Record(fields) => Schema::Record {
            fields: fields
                .iter()
                .map(|(n, t)| (n.clone(), schema(t, symbols, named)))
                .collect(),
        },
        Type::Named { .. } => {
            let name = ty.to_string();
            if !named.contains_key(&name) {
                // A placeholder first: a field of the type may refer to it.
                named.insert(name.clone(), Schema::Any);
                let resolved = match fields_of(symbols, ty) {
                    Some(fields) => Schema::Record {
                        fields: fields
                            .iter()
                            .map(|(n, t)| (n.clone(), schema(t, symbols, named)))
                            .collect(),
                    },
                    None => Schema::Any,
                };
                named.insert(name.clone(), resolved);
            }
            Schema::Ref { name }
        }
    }
}
