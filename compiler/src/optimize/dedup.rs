//! Read deduplication: the same read (connector, action and arguments) made
//! again with no write to that connector in between is issued once; the
//! second becomes a copy of the first's result.
//!
//! A read stays available in the blocks nested after it (an `if`, a loop
//! body), never outside the block that made it; a write to its connector,
//! or a barrier (a wait, a `call`), makes it stale.

use crate::plan::ir::{Effect, FlowPlan, LocalId, PExpr, StepId, StepKind};

/// A read already made: its identity, its result, its step.
#[derive(Clone)]
struct Available {
    connector: String,
    action: String,
    args: Vec<(String, PExpr)>,
    result: LocalId,
    step: StepId,
}

/// Merges repeated reads in every block of the flow.
pub(super) fn dedup(flow: &mut FlowPlan) {
    let body = flow.body.clone();
    walk(flow, &body, Vec::new());
    if let Some(handler) = flow.on_error.clone() {
        walk(flow, &handler.body, Vec::new());
    }
}

fn walk(flow: &mut FlowPlan, block: &[StepId], mut available: Vec<Available>) {
    for id in block {
        let Some(step) = flow.steps.get(*id as usize) else {
            continue;
        };
        let kind = step.kind.clone();
        if let StepKind::Action {
            connector,
            action,
            effect: Effect::Read,
            args,
            result,
            on_error: None,
            ..
        } = &kind
        {
            let earlier = available
                .iter()
                .find(|a| a.connector == *connector && a.action == *action && a.args == *args);
            match (earlier, result) {
                (Some(earlier), Some(result)) => {
                    let note = format!(
                        "merged with step {}: the same read, made once",
                        earlier.step
                    );
                    let copy = StepKind::Compute {
                        local: *result,
                        value: PExpr::Local { id: earlier.result },
                    };
                    if let Some(step) = flow.steps.get_mut(*id as usize) {
                        step.kind = copy;
                        step.notes.push(note);
                    }
                }
                (None, Some(result)) => available.push(Available {
                    connector: connector.clone(),
                    action: action.clone(),
                    args: args.clone(),
                    result: *result,
                    step: *id,
                }),
                _ => {}
            }
            continue;
        }
        for nested in kind.blocks() {
            walk(flow, nested, available.clone());
        }
        invalidate(flow, *id, &mut available);
    }
}

/// Forgets the reads a step (or anything inside it) may change.
fn invalidate(flow: &FlowPlan, id: StepId, available: &mut Vec<Available>) {
    for step in flow.subtree(id) {
        match &step.kind {
            StepKind::Action {
                effect: Effect::Read,
                ..
            }
            | StepKind::Compute { .. } => {}
            StepKind::Action { connector, .. } => available.retain(|a| a.connector != *connector),
            StepKind::Wait { .. }
            | StepKind::WaitUntil { .. }
            | StepKind::WaitFor { .. }
            | StepKind::Call { .. }
            | StepKind::Spawn { .. } => available.clear(),
            _ => {}
        }
    }
}
