//! Read hoisting and overlap, as the ordering computed them: a read whose
//! wave comes before a step written above it starts earlier than its place
//! in the source, and reads of the same wave start together. This pass
//! writes that down for `idflow plan`; the executor follows the waves.

use crate::plan::ir::{Effect, FlowPlan, StepId, StepKind};

/// Notes, on each read, the steps it overlaps or starts before.
pub fn note_overlaps(flow: &mut FlowPlan) {
    let mut blocks: Vec<Vec<StepId>> = vec![flow.body.clone()];
    while let Some(block) = blocks.pop() {
        let waves: Vec<u32> = block
            .iter()
            .map(|id| flow.steps.get(*id as usize).map_or(0, |s| s.wave))
            .collect();
        for (i, id) in block.iter().enumerate() {
            let Some(step) = flow.steps.get(*id as usize) else {
                continue;
            };
            blocks.extend(step.kind.blocks().into_iter().cloned());
            if !matches!(
                step.kind,
                StepKind::Action {
                    effect: Effect::Read,
                    ..
                }
            ) {
                continue;
            }
            let wave = waves.get(i).copied().unwrap_or(0);
            let hoisted_before: Vec<String> = block
                .iter()
                .zip(&waves)
                .take(i)
                .filter(|(_, w)| **w > wave)
                .map(|(other, _)| other.to_string())
                .collect();
            let together: Vec<String> = block
                .iter()
                .zip(&waves)
                .filter(|(other, w)| **w == wave && *other != id)
                .map(|(other, _)| other.to_string())
                .collect();
            let mut notes = Vec::new();
            if !hoisted_before.is_empty() {
                notes.push(format!(
                    "hoisted: starts before step {}",
                    hoisted_before.join(", ")
                ));
            }
            if !together.is_empty() {
                notes.push(format!(
                    "overlaps with step {} (wave {wave})",
                    together.join(", ")
                ));
            }
            if let Some(step) = flow.steps.get_mut(*id as usize) {
                step.notes.extend(notes);
            }
        }
    }
}
