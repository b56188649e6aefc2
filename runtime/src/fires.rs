//! Which flows a firing starts — one answer for `idflow serve`, `idflow
//! run` and `idflow test`, so that what a test or a dry run shows is what
//! the service does.

use idflow_compiler::jit::Matcher;
use idflow_compiler::jit::extract::Slot;
use std::collections::BTreeMap;

use idflow_compiler::plan::Plan;
use idflow_compiler::plan::ir::Schema;
use idflow_compiler::plan::value::Value;

use crate::webhook::{self, Refusal};

/// What starts runs.
#[derive(Clone, Copy, Debug)]
pub enum Firing<'a> {
    /// A provider's event (Okta's), matched through the trigger index and
    /// the compiled filters.
    Event {
        /// The connector whose events it is.
        connector: &'a str,
        /// The event.
        body: &'a serde_json::Value,
    },
    /// A delivery to a webhook path: refused when it does not fit the type
    /// its flows declare, then matched against their filters.
    Webhook {
        /// The path.
        path: &'a str,
        /// The JSON body.
        body: &'a serde_json::Value,
        /// The plan's named types, by name, that the body is checked against.
        types: &'a BTreeMap<String, Schema>,
    },
    /// A flow's schedule: the flow, if its filter (which sees no event)
    /// passes.
    Schedule {
        /// The scheduled flow.
        flow: &'a str,
    },
    /// A run another run spawned: the flow it names, which has no filter.
    Spawn {
        /// The called flow.
        flow: &'a str,
    },
}

/// The flows `firing` starts, by index into `plan`, in plan order.
/// `slots` is scratch space the caller may reuse between firings.
pub fn fires(
    plan: &Plan,
    matcher: &Matcher,
    firing: Firing<'_>,
    slots: &mut Vec<Slot>,
) -> Result<Vec<usize>, Refusal> {
    let named = |flow: &str| plan.flows.iter().position(|f| f.name == flow);
    Ok(match firing {
        Firing::Event { connector, body } => matcher
            .match_value(connector, body, slots)
            .into_iter()
            .map(|f| f as usize)
            .collect(),
        Firing::Webhook { path, body, types } => {
            webhook::fired(plan, types, matcher, path, body, slots)?
        }
        Firing::Schedule { flow } => {
            matcher.extract_value(&serde_json::Value::Null, slots);
            named(flow)
                .filter(|f| matcher.passes(*f, slots, None::<&Value>))
                .into_iter()
                .collect()
        }
        Firing::Spawn { flow } => named(flow).into_iter().collect(),
    })
}
