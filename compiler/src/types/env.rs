//! Turning written types into [`Type`]s and looking up record fields, with
//! the project's and the stdlib's type definitions.

use super::Type;
use crate::resolve::Symbols;
use crate::syntax::ast::{FieldDecl, TypeDef, TypeDefBody, TypeExpr, TypeExprKind};

/// The type definitions a file can see.
pub(super) struct TypeEnv<'a, 'p> {
    pub(super) symbols: &'a Symbols<'p>,
    /// The stdlib module the checked file is, if it is one.
    pub(super) module: Option<&'p str>,
}

impl<'p> TypeEnv<'_, 'p> {
    /// The type a written type stands for.
    pub(super) fn of(&self, written: &TypeExpr) -> Type {
        let ty = match &written.kind {
            TypeExprKind::Record(fields) => Type::Record(self.fields_of(fields)),
            TypeExprKind::Named { name, args } => {
                let names: Vec<&str> = name.segments.iter().map(|s| s.name.as_str()).collect();
                let arg = |i: usize| args.get(i).map_or(Type::Unknown, |a| self.of(a));
                match names.as_slice() {
                    ["String"] => Type::String,
                    ["Int"] => Type::Int,
                    ["Float"] => Type::Float,
                    ["Bool"] => Type::Bool,
                    ["Time"] => Type::Time,
                    ["Duration"] => Type::Duration,
                    ["Json"] => Type::Json,
                    ["Secret"] => Type::Secret,
                    ["List"] => Type::List(Box::new(arg(0))),
                    ["Map"] => Type::Map(Box::new(arg(0)), Box::new(arg(1))),
                    [name] => self.named(self.module, name),
                    [module, name] => self.named(Some(module), name),
                    _ => Type::Unknown,
                }
            }
        };
        if written.optional {
            Type::Optional(Box::new(ty))
        } else {
            ty
        }
    }

    fn fields_of(&self, fields: &[FieldDecl]) -> Vec<(String, Type)> {
        fields
            .iter()
            .map(|f| (f.name.name.clone(), self.of(&f.ty)))
            .collect()
    }

    /// A named type, or unknown when no definition has that name (the
    /// resolver reports it).
    fn named(&self, module: Option<&str>, name: &str) -> Type {
        let defined = self.definition(module, name).is_some();
        if defined {
            Type::Named {
                module: module.map(str::to_owned),
                name: name.to_owned(),
            }
        } else {
            Type::Unknown
        }
    }

    /// The definition of a named type: a stdlib module's, or the project's.
    fn definition(&self, module: Option<&str>, name: &str) -> Option<&'p TypeDef> {
        match module {
            Some(module) => self.symbols.module_types.get(module)?.get(name).copied(),
            None => self.symbols.types.get(name).copied(),
        }
    }

    /// Where a named type is declared.
    pub(super) fn declaration(&self, ty: &Type) -> Option<crate::source::Span> {
        let Type::Named { module, name } = ty.non_null() else {
            return None;
        };
        Some(self.definition(module.as_deref(), name)?.name.span)
    }

    /// The fields of a record type, or `None` when the type has no fixed
    /// fields (a scalar, a list, `Json`, an alias to one, unknown).
    pub(super) fn fields(&self, ty: &Type) -> Option<Vec<(String, Type)>> {
        self.fields_within(ty, 0)
    }

    /// Aliases may refer to aliases: follow at most a few, so that a cycle of
    /// aliases (which the resolver does not forbid yet) cannot loop.
    fn fields_within(&self, ty: &Type, depth: usize) -> Option<Vec<(String, Type)>> {
        if depth > 8 {
            return None;
        }
        match ty.non_null() {
            Type::Record(fields) => Some(fields.clone()),
            Type::Named { module, name } => {
                let def = self.definition(module.as_deref(), name)?;
                // Field types are read in the context of the defining module.
                let env = TypeEnv {
                    symbols: self.symbols,
                    module: module
                        .as_deref()
                        .and_then(|m| self.symbols.module_types.get_key_value(m).map(|(k, _)| *k)),
                };
                match &def.body {
                    TypeDefBody::Record(fields) => {
                        let mut all = env.fields_of(fields);
                        // Fields added by `extend type` are written in the
                        // project, and read in its context.
                        let project = TypeEnv {
                            symbols: self.symbols,
                            module: None,
                        };
                        let added = self.symbols.extension_fields(module.as_deref(), name);
                        all.extend(added.map(|f| (f.name.name.clone(), project.of(&f.ty))));
                        Some(all)
                    }
                    TypeDefBody::Alias(alias) => env.fields_within(&env.of(alias), depth + 1),
                }
            }
            _ => None,
        }
    }
}
