//! Dead-step elimination: steps after a `stop` or `return` in their block,
//! computations and reads whose result nothing uses (a read has no side
//! effect), and branches left with nothing to do. Repeated until nothing
//! changes, then the steps are renumbered.

use std::collections::BTreeSet;

use crate::plan::ir::{Effect, FlowPlan, LocalId, StepId, StepKind};

/// Removes the dead steps of a flow.
pub(super) fn eliminate(flow: &mut FlowPlan) {
    let mut removed = 0;
    loop {
        let used = used_locals(flow);
        let before = flow.reachable().len();
        let mut body = std::mem::take(&mut flow.body);
        prune(flow, &mut body, &used);
        flow.body = body;
        if let Some(mut handler) = flow.on_error.take() {
            prune(flow, &mut handler.body, &used);
            flow.on_error = Some(handler);
        }
        let after = flow.reachable().len();
        if after == before {
            break;
        }
        removed += before - after;
    }
    if removed > 0 {
        flow.notes.push(format!(
            "removed {removed} dead step(s): unreachable, or computing what nothing uses"
        ));
    }
}

/// Drops dead steps from a block and the blocks inside it.
fn prune(flow: &mut FlowPlan, block: &mut Vec<StepId>, used: &BTreeSet<LocalId>) {
    if let Some(end) = block.iter().position(|id| {
        matches!(
            flow.steps.get(*id as usize).map(|s| &s.kind),
            Some(StepKind::Stop { .. } | StepKind::Return { .. })
        )
    }) {
        block.truncate(end + 1);
    }
    block.retain(|id| !dead(flow.steps.get(*id as usize).map(|s| &s.kind), used));
    for id in block.iter() {
        let Some(mut kind) = flow.steps.get(*id as usize).map(|s| s.kind.clone()) else {
            continue;
        };
        match &mut kind {
            StepKind::Branch { arms, otherwise } => {
                arms.iter_mut().for_each(|a| prune(flow, &mut a.body, used));
                prune(flow, otherwise, used);
            }
            StepKind::Loop { body, .. } | StepKind::Parallel { body } => prune(flow, body, used),
            StepKind::Action {
                on_error: Some(handler),
                ..
            }
            | StepKind::Call {
                on_error: Some(handler),
                ..
            } => prune(flow, &mut handler.body, used),
            _ => continue,
        }
        if let Some(step) = flow.steps.get_mut(*id as usize) {
            step.kind = kind;
        }
    }
}

fn dead(kind: Option<&StepKind>, used: &BTreeSet<LocalId>) -> bool {
    match kind {
        Some(StepKind::Compute { local, .. }) => !used.contains(local),
        Some(StepKind::Action {
            effect: Effect::Read,
            result,
            on_error: None,
            ..
        }) => result.is_none_or(|r| !used.contains(&r)),
        Some(StepKind::Branch { arms, otherwise }) => {
            arms.iter().all(|a| a.body.is_empty()) && otherwise.is_empty()
        }
        Some(StepKind::Parallel { body }) => body.is_empty(),
        _ => false,
    }
}

/// Every local some reachable expression reads (filters included).
fn used_locals(flow: &FlowPlan) -> BTreeSet<LocalId> {
    let mut locals = Vec::new();
    if let Some(filter) = &flow.filter {
        filter.condition.locals(&mut locals);
    }
    for id in flow.reachable() {
        if let Some(step) = flow.steps.get(id as usize) {
            step.kind
                .exprs()
                .into_iter()
                .for_each(|e| e.locals(&mut locals));
        }
    }
    locals.into_iter().collect()
}
