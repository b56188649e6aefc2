//! Runs started by `spawn call f(…)` under the service.
//!
//! When an attempt of a run ends, the runs its `spawn` statements started
//! are queued as events of the source [`SOURCE`], before the attempt is
//! recorded: the dispatcher creates each one's run as it creates any
//! event's. Each is keyed by its parent run and its spawn key, which every
//! attempt of the parent derives alike, so a parent resumed after a crash
//! spawns what it spawned before and the queue takes it once.

use idflow_compiler::plan::ir::{FlowPlan, Trigger};
use idflow_compiler::plan::value::Value;
use serde_json::json;

use crate::executor::Spawned;
use crate::store::NewEvent;

/// The source of spawned runs' events.
pub const SOURCE: &str = "spawn";

/// The event that starts the run `spawned` by the run `parent`; an error,
/// never empty arguments, if they cannot be written.
pub fn event(parent: &str, spawned: &Spawned) -> Result<NewEvent, serde_json::Error> {
    // Typed as the flow will read them: a `Time` stays a `Time`.
    let args = serde_json::to_value(&spawned.args)?;
    Ok(NewEvent {
        source: SOURCE.to_owned(),
        key: format!("{parent}/{}", spawned.key),
        connector: SOURCE.to_owned(),
        event_type: spawned.flow.clone(),
        body: json!({ "spawned_by": parent, "args": args }),
    })
}

/// What a run of `flow` is given from its event: for a called flow (which
/// only a spawn starts under the service) the record of its arguments, for
/// any other the event itself.
pub fn run_input(flow: &FlowPlan, event: &serde_json::Value) -> Value {
    let called = flow
        .triggers
        .iter()
        .any(|t| matches!(t, Trigger::Called { .. }));
    match event.get("args") {
        Some(args) if called => {
            serde_json::from_value(args.clone()).unwrap_or_else(|_| Value::from_json(args))
        }
        _ => Value::from_json(event),
    }
}
