//! Null safety: which paths (`e.actor`, `user.profile.manager`) are known not
//! to be null at a point of a flow, from the conditions that lead there.
//!
//! A path is narrowed by `x != null` when that holds (inside the `if`, on the
//! right of `and`, in the whole `then` block after a `where`), and by
//! `x == null` when that does not hold (in the `else`, on the right of `or`,
//! and for the rest of a block after `if x == null { stop }`).

use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// The dotted path an expression reads, if it is a name followed by plain
/// field reads: `e.actor.id`.
pub(super) fn path_of(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name { name } => Some(name.clone()),
        ExprKind::Field { base, name, .. } => Some(format!("{}.{}", path_of(base)?, name.name)),
        ExprKind::Paren { inner } => path_of(inner),
        _ => None,
    }
}

/// The paths known not to be null when `condition` evaluates to `holds`.
pub(super) fn facts(condition: &Expr, holds: bool) -> Vec<String> {
    match &condition.kind {
        ExprKind::Paren { inner } => facts(inner, holds),
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
        } => facts(operand, !holds),
        ExprKind::Binary { op, lhs, rhs } => match (op, holds) {
            (BinaryOp::Ne, true) | (BinaryOp::Eq, false) => {
                null_check(lhs, rhs).map(with_prefixes).unwrap_or_default()
            }
            (BinaryOp::And, true) | (BinaryOp::Or, false) => {
                let mut both = facts(lhs, holds);
                both.extend(facts(rhs, holds));
                both
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A path and every path it reads through: when `e.client?.country` is not
/// null, neither is `e.client`.
fn with_prefixes(path: String) -> Vec<String> {
    let mut paths: Vec<String> = path
        .match_indices('.')
        .map(|(at, _)| path.get(..at).unwrap_or_default().to_owned())
        .collect();
    paths.push(path);
    paths
}

/// The path compared with `null` in `x == null` or `null == x`.
fn null_check(lhs: &Expr, rhs: &Expr) -> Option<String> {
    match (&lhs.kind, &rhs.kind) {
        (_, ExprKind::Null) => path_of(lhs),
        (ExprKind::Null, _) => path_of(rhs),
        _ => None,
    }
}
