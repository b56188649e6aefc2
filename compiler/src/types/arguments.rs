//! Arguments against parameters, and record literals against record types:
//! the checks a call's declaration allows.

use super::Type;
use super::env::TypeEnv;
use super::error::TypeError;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::Span;
use crate::syntax::ast::{Arg, Expr, ExprKind, Param};

/// Checks the named arguments of an action or flow call, whose types are
/// `found` (one per argument), against the parameters it declares. With
/// `partial`, as in a test's `given` and `expect`, arguments may be left
/// out: they match any value.
pub(super) fn arguments(
    callee: &str,
    params: &[Param],
    env: &TypeEnv<'_, '_>,
    args: &[Arg],
    call: Span,
    found: &[Type],
    partial: bool,
) -> Vec<TypeError> {
    let mut errors = Vec::new();
    let names: Vec<String> = params.iter().map(|p| p.name.name.clone()).collect();
    // Parameters a misspelt argument was taken for: one mistake, one
    // diagnostic — `chanel:` is not also "`channel` is missing".
    let mut meant: Vec<String> = Vec::new();
    for (arg, found) in args.iter().zip(found) {
        let Some(name) = &arg.name else {
            errors.push(TypeError::PositionalArgument {
                callee: callee.to_owned(),
                span: arg.span,
                params: names.clone(),
            });
            continue;
        };
        let Some(param) = params.iter().find(|p| p.name.name == name.name) else {
            let suggestion =
                did_you_mean(&name.name, names.iter().map(String::as_str)).map(str::to_owned);
            meant.extend(suggestion.clone());
            errors.push(TypeError::UnknownArgument {
                callee: callee.to_owned(),
                name: name.name.clone(),
                span: name.span,
                suggestion,
                params: names.clone(),
            });
            continue;
        };
        let expected = env.of(&param.ty);
        if !found.fits(&expected) {
            errors.push(TypeError::ArgumentType {
                callee: callee.to_owned(),
                name: name.name.clone(),
                expected: expected.to_string(),
                found: found.to_string(),
                span: arg.value.span,
                declared: Some(param.span),
            });
        }
        record_fields(env, &arg.value, &expected, !partial, &mut errors);
    }
    if partial {
        return errors;
    }
    for param in params {
        let given = args
            .iter()
            .any(|a| a.name.as_ref().is_some_and(|n| n.name == param.name.name));
        let positional = args.iter().any(|a| a.name.is_none());
        let misspelt = meant.contains(&param.name.name);
        if !given && !positional && !misspelt && !param.ty.optional && param.default.is_none() {
            errors.push(TypeError::MissingArgument {
                callee: callee.to_owned(),
                name: param.name.name.clone(),
                ty: env.of(&param.ty).to_string(),
                span: call,
                declared: Some(param.span),
                last_arg: args.last().map(|a| a.span),
            });
        }
    }
    errors
}

/// The keys of a record literal written where a record type is expected must
/// be fields of that type, at every depth. With `complete` — a value a flow
/// sends or declares, not a test's partial expectation or answer — the
/// literal must also give every field the type requires (one that may not
/// be null), unless it ends with `..`; a misspelt key taken for a missing
/// field is said once, as the misspelling. `_` matches anything.
pub(super) fn record_fields(
    env: &TypeEnv<'_, '_>,
    expr: &Expr,
    expected: &Type,
    complete: bool,
    errors: &mut Vec<TypeError>,
) {
    match (&expr.kind, expected.non_null()) {
        (ExprKind::Record(record), _) => {
            let Some(fields) = env.fields(expected) else {
                return;
            };
            let mut meant: Vec<String> = Vec::new();
            for entry in &record.entries {
                match fields.iter().find(|(name, _)| *name == entry.key.name) {
                    Some((_, field_type)) => {
                        if let Some(value) = &entry.value {
                            record_fields(env, value, field_type, complete, errors);
                        }
                    }
                    None => {
                        let suggestion =
                            did_you_mean(&entry.key.name, fields.iter().map(|(f, _)| f.as_str()))
                                .map(str::to_owned);
                        meant.extend(suggestion.clone());
                        errors.push(TypeError::UnknownField {
                            declared: env.declaration(expected),
                            ty: expected.non_null().to_string(),
                            name: entry.key.name.clone(),
                            span: entry.key.span,
                            suggestion,
                        });
                    }
                }
            }
            if !complete || record.rest {
                return;
            }
            let missing: Vec<String> = fields
                .iter()
                .filter(|(name, ty)| {
                    !ty.may_be_null()
                        && *ty != Type::Unknown
                        && !meant.contains(name)
                        && !record.entries.iter().any(|e| e.key.name == *name)
                })
                .map(|(name, _)| name.clone())
                .collect();
            if !missing.is_empty() {
                errors.push(TypeError::MissingFields {
                    ty: expected.non_null().to_string(),
                    missing,
                    span: record.span,
                    declared: env.declaration(expected),
                });
            }
        }
        (ExprKind::List { items }, Type::List(element)) => {
            items
                .iter()
                .for_each(|item| record_fields(env, item, element, complete, errors));
        }
        (ExprKind::Paren { inner }, _) => record_fields(env, inner, expected, complete, errors),
        _ => {}
    }
}
