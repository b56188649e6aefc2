//! The optimizer: passes over a lowered flow, one module each, run in this
//! order — constant folding, trigger-filter hoisting, read deduplication,
//! dead-step elimination — and, once the steps are ordered, notes on which
//! reads overlap. The trigger index is built over the whole plan.
//!
//! Every pass keeps the flow's meaning: writes stay in source order outside
//! `parallel {}`, and a read is never moved across a write to its connector.

mod dead;
mod dedup;
mod filter;
mod fold;
mod index;
mod overlap;

pub use index::index;
pub use overlap::note_overlaps;

use crate::plan::ir::FlowPlan;

/// Runs every pass on one flow.
pub fn optimize(flow: &mut FlowPlan) {
    fold::fold(flow);
    filter::hoist(flow);
    dedup::dedup(flow);
    dead::eliminate(flow);
}
