//! Data dependencies and effect order between the steps of each block, and
//! the waves in which they may start.
//!
//! Within a block, a step depends on the earlier steps whose results it
//! reads (`deps`), and comes `after`:
//! - the last barrier before it — a wait, a `call`, a `stop`, a `return`,
//!   or a compound step containing one — which everything after must await
//!   (and a barrier itself comes after every step before it);
//! - for a write: the previous write (writes keep source order outside
//!   `parallel {}`), and the reads of the same connector since then;
//! - for a read: the last write to the same connector (reads see the
//!   writes before them).
//!
//! Compound steps (branches, loops, handlers) count as all the effects
//! inside them.

use std::collections::BTreeSet;

use super::ir::{FlowPlan, LocalId, StepId, StepKind};

/// The effects of one step, nested steps included.
#[derive(Default)]
struct Effects {
    reads: BTreeSet<String>,
    writes: BTreeSet<String>,
    barrier: bool,
}

impl Effects {
    fn writes_any(&self) -> bool {
        !self.writes.is_empty() || self.barrier
    }

    fn touches(&self, connector: &str) -> bool {
        self.barrier || self.writes.contains(connector)
    }
}

/// Computes `deps`, `after` and `wave` for every block of a flow.
pub(super) fn order(flow: &mut FlowPlan) {
    let mut blocks: Vec<(Vec<StepId>, bool)> = vec![(flow.body.clone(), false)];
    if let Some(handler) = &flow.on_error {
        blocks.push((handler.body.clone(), false));
    }
    while let Some((block, parallel)) = blocks.pop() {
        order_block(flow, &block, parallel);
        for id in &block {
            if let Some(step) = flow.steps.get(*id as usize) {
                let parallel = matches!(step.kind, StepKind::Parallel { .. });
                blocks.extend(
                    step.kind
                        .blocks()
                        .into_iter()
                        .map(|b| (b.clone(), parallel)),
                );
            }
        }
    }
}

fn order_block(flow: &mut FlowPlan, block: &[StepId], parallel: bool) {
    let effects: Vec<Effects> = block.iter().map(|id| effects_of(flow, *id)).collect();
    let reads: Vec<BTreeSet<LocalId>> = block.iter().map(|id| locals_read(flow, *id)).collect();
    let binds: Vec<Option<LocalId>> = block
        .iter()
        .map(|id| flow.steps.get(*id as usize).and_then(|s| s.kind.binds()))
        .collect();
    let mut waves: Vec<u32> = Vec::with_capacity(block.len());
    for (i, id) in block.iter().enumerate() {
        let before = 0..i;
        let deps: Vec<StepId> = before
            .clone()
            .filter(|j| {
                binds
                    .get(*j)
                    .copied()
                    .flatten()
                    .is_some_and(|l| reads.get(i).is_some_and(|r| r.contains(&l)))
            })
            .filter_map(|j| block.get(j).copied())
            .collect();
        let mut after: BTreeSet<StepId> = BTreeSet::new();
        let Some(mine) = effects.get(i) else { continue };
        let last_barrier = before
            .clone()
            .rev()
            .find(|j| effects.get(*j).is_some_and(|e| e.barrier));
        after.extend(last_barrier.and_then(|j| block.get(j)));
        if mine.barrier {
            // A wait, a call, a stop or a return comes after every step
            // before it, so running by waves never skips or reorders a step.
            after.extend(before.clone().filter_map(|j| block.get(j)));
        }
        if mine.writes_any() {
            let last_write = before.clone().rev().find(|j| {
                effects
                    .get(*j)
                    .is_some_and(|e| e.writes_any() && (!parallel || e.barrier || mine.barrier))
            });
            after.extend(last_write.and_then(|j| block.get(j)));
            // Reads since that write of what this step writes must see the old state.
            let since = last_write.map_or(0, |j| j + 1);
            for j in since..i {
                if effects
                    .get(j)
                    .is_some_and(|e| e.reads.iter().any(|c| mine.touches(c)))
                {
                    after.extend(block.get(j));
                }
            }
        }
        for connector in &mine.reads {
            let last = before
                .clone()
                .rev()
                .find(|j| effects.get(*j).is_some_and(|e| e.touches(connector)));
            after.extend(last.and_then(|j| block.get(j)));
        }
        for dep in &deps {
            after.remove(dep);
        }
        // Keep only the order edges no other edge already implies.
        let implied: BTreeSet<StepId> = deps
            .iter()
            .chain(&after)
            .flat_map(|d| predecessors(flow, *d))
            .collect();
        after.retain(|a| !implied.contains(a));
        let wave = deps
            .iter()
            .chain(&after)
            .filter_map(|d| block.iter().position(|b| b == d))
            .filter_map(|p| waves.get(p))
            .map(|w| w + 1)
            .max()
            .unwrap_or(0);
        waves.push(wave);
        if let Some(step) = flow.steps.get_mut(*id as usize) {
            step.deps = deps;
            step.after = after.into_iter().collect();
            step.wave = wave;
        }
    }
}

/// Every step a step must wait for, directly or through others.
fn predecessors(flow: &FlowPlan, id: StepId) -> BTreeSet<StepId> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![id];
    while let Some(id) = stack.pop() {
        if let Some(step) = flow.steps.get(id as usize) {
            for before in step.deps.iter().chain(&step.after) {
                if seen.insert(*before) {
                    stack.push(*before);
                }
            }
        }
    }
    seen
}

fn effects_of(flow: &FlowPlan, id: StepId) -> Effects {
    let mut effects = Effects::default();
    for step in flow.subtree(id) {
        match &step.kind {
            StepKind::Action {
                connector, effect, ..
            } => {
                if *effect == super::ir::Effect::Read {
                    effects.reads.insert(connector.clone());
                } else {
                    effects.writes.insert(connector.clone());
                }
            }
            StepKind::Wait { .. }
            | StepKind::WaitUntil { .. }
            | StepKind::WaitFor { .. }
            | StepKind::Call { .. }
            | StepKind::Spawn { .. }
            | StepKind::Stop { .. }
            | StepKind::Return { .. } => effects.barrier = true,
            _ => {}
        }
    }
    effects
}

/// The locals a step reads, nested steps included.
fn locals_read(flow: &FlowPlan, id: StepId) -> BTreeSet<LocalId> {
    let mut locals = Vec::new();
    for step in flow.subtree(id) {
        for expr in step.kind.exprs() {
            expr.locals(&mut locals);
        }
    }
    locals.into_iter().collect()
}

/// Drops unreachable steps and numbers the rest in reading order: each
/// step before the steps nested in it, blocks from top to bottom.
pub(super) fn renumber(flow: &mut FlowPlan) {
    let kept: Vec<StepId> = flow.reachable();
    let new_id = |old: StepId| {
        kept.iter()
            .position(|k| *k == old)
            .and_then(|p| StepId::try_from(p).ok())
            .unwrap_or(StepId::MAX)
    };
    let map_block = |block: &mut Vec<StepId>| block.iter_mut().for_each(|id| *id = new_id(*id));
    let mut steps = Vec::with_capacity(kept.len());
    for old in &kept {
        let Some(mut step) = flow.steps.get(*old as usize).cloned() else {
            continue;
        };
        match &mut step.kind {
            StepKind::Branch { arms, otherwise } => {
                arms.iter_mut().for_each(|a| map_block(&mut a.body));
                map_block(otherwise);
            }
            StepKind::Loop { body, .. } | StepKind::Parallel { body } => map_block(body),
            StepKind::Action {
                on_error: Some(handler),
                ..
            }
            | StepKind::Call {
                on_error: Some(handler),
                ..
            } => map_block(&mut handler.body),
            _ => {}
        }
        steps.push(step);
    }
    flow.steps = steps;
    map_block(&mut flow.body);
    if let Some(handler) = &mut flow.on_error {
        map_block(&mut handler.body);
    }
    for step in &mut flow.steps {
        for note in &mut step.notes {
            // Notes name steps by their old numbers: "merged with step 3".
            if let Some(rest) = note.strip_prefix("merged with step ")
                && let Some((number, tail)) = rest.split_once(':')
                && let Ok(old) = number.parse::<StepId>()
            {
                *note = format!("merged with step {}:{tail}", new_id(old));
            }
        }
    }
}
