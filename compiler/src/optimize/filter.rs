//! Trigger-filter hoisting: the leading `if … { stop }` statements of a flow
//! whose condition depends only on the event (and constants) join its
//! `where`, so an event they would stop is rejected before any run exists —
//! by the compiled filter, without loading the flow's state.
//!
//! An event rejected this way leaves no "skipped" run behind: the flow's
//! notes say which stops were hoisted.

use crate::plan::ir::{Filter, FlowPlan, PExpr, StepKind, Trigger};
use crate::plan::ops::{BinaryOp, UnaryOp};

/// Moves the hoistable leading stops into the filter.
pub(super) fn hoist(flow: &mut FlowPlan) {
    let event_locals: Vec<u32> = flow
        .triggers
        .iter()
        .filter_map(|t| match t {
            Trigger::Event { binding, .. } => Some(*binding),
            _ => None,
        })
        .flatten()
        .collect();
    // Only flows fired by events alone have an event filter.
    if event_locals.is_empty()
        || flow
            .triggers
            .iter()
            .any(|t| !matches!(t, Trigger::Event { .. }))
    {
        return;
    }
    while let Some(condition) = leading_stop(flow, &event_locals) {
        let reason =
            flow.body
                .first()
                .and_then(|id| match &flow.steps.get(*id as usize)?.kind {
                    StepKind::Branch { arms, .. } => arms.first()?.body.first().and_then(|s| {
                        match &flow.steps.get(*s as usize)?.kind {
                            StepKind::Stop { reason } => reason.clone(),
                            _ => None,
                        }
                    }),
                    _ => None,
                });
        flow.body.remove(0);
        let negated = PExpr::Unary {
            op: UnaryOp::Not,
            operand: Box::new(condition),
        };
        flow.filter = Some(match flow.filter.take() {
            Some(filter) => Filter {
                condition: PExpr::Binary {
                    op: BinaryOp::And,
                    lhs: Box::new(filter.condition),
                    rhs: Box::new(negated),
                },
                hoisted_stops: filter.hoisted_stops + 1,
                jit: false,
            },
            None => Filter {
                condition: negated,
                hoisted_stops: 1,
                jit: false,
            },
        });
        flow.notes.push(format!(
            "hoisted into the trigger filter: a leading `if … {{ stop{} }}`; the events it stops create no run",
            reason.map(|r| format!(" \"{r}\"")).unwrap_or_default()
        ));
    }
}

/// The condition of the first step when it is `if cond { stop }` with no
/// other arm, over the event alone.
fn leading_stop(flow: &FlowPlan, event_locals: &[u32]) -> Option<PExpr> {
    let first = flow.steps.get(*flow.body.first()? as usize)?;
    let StepKind::Branch { arms, otherwise } = &first.kind else {
        return None;
    };
    let [arm] = arms.as_slice() else { return None };
    if !otherwise.is_empty() {
        return None;
    }
    let [stop] = arm.body.as_slice() else {
        return None;
    };
    if !matches!(flow.steps.get(*stop as usize)?.kind, StepKind::Stop { .. }) {
        return None;
    }
    let mut locals = Vec::new();
    arm.condition.locals(&mut locals);
    let lambda_params = lambda_params(&arm.condition);
    let only_event = locals
        .iter()
        .all(|l| event_locals.contains(l) || lambda_params.contains(l));
    (only_event && !reads_config(&arm.condition)).then(|| arm.condition.clone())
}

/// The parameters of the lambdas inside an expression.
fn lambda_params(expr: &PExpr) -> Vec<u32> {
    let mut params = Vec::new();
    match expr {
        PExpr::Lambda { param, .. } => params.push(*param),
        PExpr::Lambda2 { acc, param, .. } => params.extend([*acc, *param]),
        _ => {}
    }
    for child in expr.children() {
        params.extend(lambda_params(child));
    }
    params
}

/// Whether the expression reads a config the runtime supplies: such a
/// filter could not be evaluated from the event alone.
fn reads_config(expr: &PExpr) -> bool {
    matches!(expr, PExpr::Config { .. }) || expr.children().into_iter().any(reads_config)
}
