//! What each operator accepts and gives, as pure rules over types.
//!
//! Arithmetic needs values that cannot be null; comparisons may compare a
//! value that may be null (such a comparison is false when it is, see
//! docs/language.md). A type the checker does not know is accepted by every
//! rule, so an earlier error never causes a second one.

use super::Type;
use crate::syntax::ast::{BinaryOp, UnaryOp};

/// The type of `lhs op rhs`, or `None` when the operator does not apply.
/// `and`, `or` and `??` are typed by the checker, which narrows through them.
pub(super) fn binary(op: BinaryOp, lhs: &Type, rhs: &Type) -> Option<Type> {
    use BinaryOp::*;
    match op {
        Eq | Ne => comparable(lhs, rhs).then_some(Type::Bool),
        Lt | Le | Gt | Ge => ordered(lhs.non_null(), rhs.non_null()).then_some(Type::Bool),
        In | NotIn => member(lhs, rhs).then_some(Type::Bool),
        And | Or => (lhs.fits(&Type::Bool) && rhs.fits(&Type::Bool)).then_some(Type::Bool),
        Coalesce => coalesce(lhs, rhs),
        Add | Sub | Mul | Div | Rem => arithmetic(op, lhs, rhs),
    }
}

/// The type of `op operand`, or `None` when the operator does not apply.
pub(super) fn unary(op: UnaryOp, operand: &Type) -> Option<Type> {
    match (op, operand) {
        (_, Type::Unknown) => Some(Type::Unknown),
        (UnaryOp::Not, t) => t.fits(&Type::Bool).then_some(Type::Bool),
        (UnaryOp::Neg, Type::Int | Type::Float | Type::Duration | Type::Json) => {
            Some(operand.clone())
        }
        (UnaryOp::Neg, _) => None,
    }
}

/// Whether `==` can ever hold: one side's type fits the other's, nulls aside.
fn comparable(lhs: &Type, rhs: &Type) -> bool {
    if matches!(lhs, Type::Null) || matches!(rhs, Type::Null) {
        return true;
    }
    let (l, r) = (lhs.non_null(), rhs.non_null());
    l.fits(r) || r.fits(l)
}

/// Whether `<` orders the two: numbers, texts, instants or durations.
fn ordered(lhs: &Type, rhs: &Type) -> bool {
    matches!(
        (lhs, rhs),
        (Type::Unknown | Type::Json, _)
            | (_, Type::Unknown | Type::Json)
            | (Type::Int | Type::Float, Type::Int | Type::Float)
            | (Type::String, Type::String)
            | (Type::Time, Type::Time)
            | (Type::Duration, Type::Duration)
    )
}

/// Whether `lhs in rhs` asks a sensible question: an element of a list, a
/// part of a text, a key of a map. The right side must not be null.
fn member(lhs: &Type, rhs: &Type) -> bool {
    let element = lhs.non_null();
    match rhs {
        Type::Unknown | Type::Json => true,
        Type::List(item) => element.fits(item.non_null()) || item.fits(element),
        Type::String => element.fits(&Type::String),
        Type::Map(key, _) => element.fits(key),
        _ => false,
    }
}

/// `value ?? default`: the value without its null, or the default.
fn coalesce(lhs: &Type, rhs: &Type) -> Option<Type> {
    let value = lhs.non_null();
    match (value, rhs) {
        (Type::Unknown | Type::Null, _) => Some(rhs.clone()),
        (_, Type::Unknown) => Some(value.clone()),
        _ if rhs.fits(value) => Some(match rhs {
            // A default that may itself be null leaves the result optional.
            Type::Optional(_) | Type::Null => Type::Optional(Box::new(value.clone())),
            _ => value.clone(),
        }),
        _ if value.fits(rhs.non_null()) => Some(rhs.clone()),
        _ => None,
    }
}

fn arithmetic(op: BinaryOp, lhs: &Type, rhs: &Type) -> Option<Type> {
    use BinaryOp::*;
    use Type::*;
    match (op, lhs, rhs) {
        (_, Unknown | Json, _) | (_, _, Unknown | Json) => Some(Unknown),
        (Add | Sub | Mul | Div | Rem, Int, Int) => Some(Int),
        (Add | Sub | Mul | Div, Int | Float, Int | Float) => Some(Float),
        (Add, String, String) => Some(String),
        (Add, Time, Duration) | (Add, Duration, Time) | (Sub, Time, Duration) => Some(Time),
        (Sub, Time, Time) | (Add | Sub, Duration, Duration) => Some(Duration),
        (Mul, Duration, Int) | (Mul, Int, Duration) | (Div, Duration, Int) => Some(Duration),
        (Add, List(a), List(b)) if b.fits(a) => Some(lhs.clone()),
        (Add, List(a), List(b)) if a.fits(b) => Some(rhs.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn optional(t: Type) -> Type {
        Type::Optional(Box::new(t))
    }

    #[test]
    fn time_and_duration_arithmetic() {
        use BinaryOp::*;
        assert_eq!(binary(Sub, &Type::Time, &Type::Duration), Some(Type::Time));
        assert_eq!(binary(Sub, &Type::Time, &Type::Time), Some(Type::Duration));
        assert_eq!(binary(Add, &Type::Duration, &Type::Time), Some(Type::Time));
        assert_eq!(
            binary(Mul, &Type::Int, &Type::Duration),
            Some(Type::Duration)
        );
        assert_eq!(binary(Add, &Type::Time, &Type::Time), None);
        assert_eq!(binary(Add, &Type::Int, &Type::Float), Some(Type::Float));
        assert_eq!(binary(Rem, &Type::Float, &Type::Int), None);
    }

    #[test]
    fn arithmetic_refuses_values_that_may_be_null() {
        assert_eq!(
            binary(BinaryOp::Add, &optional(Type::Int), &Type::Int),
            None
        );
        assert_eq!(binary(BinaryOp::Add, &Type::String, &Type::Int), None);
    }

    #[test]
    fn comparisons_accept_optional_operands_of_the_same_type() {
        use BinaryOp::*;
        assert_eq!(
            binary(Eq, &optional(Type::String), &Type::String),
            Some(Type::Bool)
        );
        assert_eq!(binary(Eq, &Type::String, &Type::Null), Some(Type::Bool));
        assert_eq!(binary(Eq, &Type::String, &Type::Int), None);
        assert_eq!(
            binary(Lt, &optional(Type::Time), &Type::Time),
            Some(Type::Bool)
        );
        assert_eq!(binary(Lt, &Type::Bool, &Type::Bool), None);
    }

    #[test]
    fn membership_in_lists_texts_and_maps() {
        let names = Type::List(Box::new(Type::String));
        assert_eq!(
            binary(BinaryOp::In, &optional(Type::String), &names),
            Some(Type::Bool)
        );
        assert_eq!(binary(BinaryOp::NotIn, &Type::Int, &names), None);
        assert_eq!(
            binary(BinaryOp::In, &Type::String, &Type::String),
            Some(Type::Bool)
        );
        assert_eq!(binary(BinaryOp::In, &Type::String, &optional(names)), None);
    }

    #[test]
    fn coalescing_removes_the_null() {
        let ty = binary(BinaryOp::Coalesce, &optional(Type::String), &Type::String);
        assert_eq!(ty, Some(Type::String));
        let ty = binary(BinaryOp::Coalesce, &optional(Type::Int), &Type::String);
        assert_eq!(ty, None);
    }
}
