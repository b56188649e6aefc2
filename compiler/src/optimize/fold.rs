//! Constant folding: an expression whose operands are all constants is
//! evaluated at build time (configs are constants of the plan), and a branch
//! whose condition folds to a constant keeps only the arm that runs.
//!
//! `now()` and the project's functions (which may call it) are never folded.

use crate::plan::eval::{self, Env};
use crate::plan::ir::{FlowPlan, PExpr, StepKind, TextPart};
use crate::plan::value::Value;

/// Folds every expression of the flow.
pub(super) fn fold(flow: &mut FlowPlan) {
    if let Some(filter) = &mut flow.filter {
        fold_expr(&mut filter.condition);
    }
    for step in &mut flow.steps {
        let folded = fold_step(&mut step.kind);
        step.notes.extend(folded);
    }
}

fn fold_step(kind: &mut StepKind) -> Option<String> {
    match kind {
        StepKind::Action { args, .. }
        | StepKind::Call { args, .. }
        | StepKind::Spawn { args, .. } => {
            args.iter_mut().for_each(|(_, v)| fold_expr(v));
        }
        StepKind::Compute { value, .. } | StepKind::Return { value } => fold_expr(value),
        StepKind::Loop { over, .. } => fold_expr(over),
        StepKind::Wait { duration } => fold_expr(duration),
        StepKind::WaitUntil { time } => fold_expr(time),
        StepKind::WaitFor {
            condition, timeout, ..
        } => {
            condition.iter_mut().for_each(fold_expr);
            fold_expr(timeout);
        }
        StepKind::Branch { arms, otherwise } => {
            arms.iter_mut().for_each(|a| fold_expr(&mut a.condition));
            return fold_branch(arms, otherwise);
        }
        StepKind::Parallel { .. } | StepKind::Stop { .. } => {}
    }
    None
}

/// Drops the arms whose condition is always false; an arm whose condition
/// is always true becomes the `else` and ends the list.
fn fold_branch(arms: &mut Vec<crate::plan::ir::Arm>, otherwise: &mut Vec<u32>) -> Option<String> {
    let before = arms.len();
    let constant = |arm: &crate::plan::ir::Arm| match &arm.condition {
        PExpr::Const { value } => Some(*value == Value::Bool(true)),
        _ => None,
    };
    if let Some(position) = arms.iter().position(|a| constant(a) == Some(true)) {
        let taken = arms.remove(position);
        arms.truncate(position);
        *otherwise = taken.body;
    }
    arms.retain(|a| constant(a) != Some(false));
    (arms.len() != before).then(|| {
        format!(
            "folded: {} condition(s) known at build time",
            before - arms.len()
        )
    })
}

/// Folds an expression bottom-up.
pub(super) fn fold_expr(expr: &mut PExpr) {
    for child in children_mut(expr) {
        fold_expr(child);
    }
    if !foldable(expr) {
        return;
    }
    if let Ok(value) = eval::eval(expr, &Env::constants()) {
        *expr = PExpr::constant(value);
    }
}

/// Whether the node is pure and all its operands are constants.
fn foldable(expr: &PExpr) -> bool {
    let all_constant = |exprs: &[&PExpr]| exprs.iter().all(|e| matches!(e, PExpr::Const { .. }));
    match expr {
        PExpr::Const { .. }
        | PExpr::Local { .. }
        | PExpr::Config { .. }
        | PExpr::Lambda { .. }
        | PExpr::Lambda2 { .. } => false,
        PExpr::Function { .. } => false,
        PExpr::Builtin { name, .. } if name == "now" => false,
        // A method with a lambda argument reads the lambda's parameter.
        PExpr::Builtin { args, .. }
            if args
                .iter()
                .any(|a| matches!(a, PExpr::Lambda { .. } | PExpr::Lambda2 { .. })) =>
        {
            false
        }
        other => all_constant(&other.children()),
    }
}

fn children_mut(expr: &mut PExpr) -> Vec<&mut PExpr> {
    match expr {
        PExpr::Const { .. } | PExpr::Local { .. } | PExpr::Config { .. } => Vec::new(),
        PExpr::Field { base, .. } => vec![base],
        PExpr::Index { base, index } => vec![base, index],
        PExpr::Builtin { receiver, args, .. } => receiver
            .iter_mut()
            .map(|r| &mut **r)
            .chain(args.iter_mut())
            .collect(),
        PExpr::Function { args, .. } => args.iter_mut().collect(),
        PExpr::Lambda { body, .. } | PExpr::Lambda2 { body, .. } => vec![body],
        PExpr::Unary { operand, .. } => vec![operand],
        PExpr::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        PExpr::List { items } => items.iter_mut().collect(),
        PExpr::Record { fields } => fields.iter_mut().map(|(_, v)| v).collect(),
        PExpr::Text { parts } => parts
            .iter_mut()
            .filter_map(|p| match p {
                TextPart::Value(v) => Some(v),
                TextPart::Literal(_) => None,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ops::BinaryOp;

    fn c(value: Value) -> PExpr {
        PExpr::constant(value)
    }

    #[test]
    fn constant_operations_fold_and_locals_do_not() {
        let mut expr = PExpr::Binary {
            op: BinaryOp::Mul,
            lhs: Box::new(c(Value::Duration(86_400_000))),
            rhs: Box::new(c(Value::Int(90))),
        };
        fold_expr(&mut expr);
        assert_eq!(expr, c(Value::Duration(90 * 86_400_000)));
        let mut expr = PExpr::Binary {
            op: BinaryOp::Eq,
            lhs: Box::new(PExpr::Local { id: 0 }),
            rhs: Box::new(c(Value::Int(1))),
        };
        let before = expr.clone();
        fold_expr(&mut expr);
        assert_eq!(expr, before);
    }

    #[test]
    fn now_is_never_folded() {
        let mut expr = PExpr::Builtin {
            name: "now".to_owned(),
            receiver: None,
            safe: false,
            args: Vec::new(),
        };
        let before = expr.clone();
        fold_expr(&mut expr);
        assert_eq!(expr, before);
    }

    #[test]
    fn a_branch_keeps_the_arm_that_always_runs() {
        use crate::plan::ir::Arm;
        let mut arms = vec![
            Arm {
                condition: c(Value::Bool(false)),
                body: vec![1],
            },
            Arm {
                condition: PExpr::Local { id: 0 },
                body: vec![2],
            },
            Arm {
                condition: c(Value::Bool(true)),
                body: vec![3],
            },
            Arm {
                condition: PExpr::Local { id: 1 },
                body: vec![4],
            },
        ];
        let mut otherwise = vec![5];
        assert!(fold_branch(&mut arms, &mut otherwise).is_some());
        assert_eq!(arms.len(), 1);
        assert_eq!(arms.first().map(|a| a.body.clone()), Some(vec![2]));
        assert_eq!(otherwise, vec![3]);
    }
}
