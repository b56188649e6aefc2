//! The trigger index: for each connector event type, the only flows that
//! can fire on it, so an event is tested against those filters alone.

use std::collections::BTreeMap;

use crate::plan::ir::{FlowPlan, IndexEntry, Trigger, TriggerIndex};

/// Indexes the event triggers of every flow.
pub fn index(flows: &[FlowPlan]) -> TriggerIndex {
    let mut by_event: BTreeMap<(String, String), Vec<u32>> = BTreeMap::new();
    for (position, flow) in flows.iter().enumerate() {
        let Ok(position) = u32::try_from(position) else {
            continue;
        };
        for trigger in &flow.triggers {
            if let Trigger::Event {
                connector,
                event_type,
                ..
            } = trigger
            {
                let flows = by_event
                    .entry((connector.clone(), event_type.clone()))
                    .or_default();
                if !flows.contains(&position) {
                    flows.push(position);
                }
            }
        }
    }
    TriggerIndex {
        by_event: by_event
            .into_iter()
            .map(|((connector, event_type), flows)| IndexEntry {
                connector,
                event_type,
                flows,
            })
            .collect(),
    }
}

impl TriggerIndex {
    /// The flows an event of this type can fire.
    pub fn flows_for(&self, connector: &str, event_type: &str) -> &[u32] {
        self.by_event
            .binary_search_by(|e| {
                (e.connector.as_str(), e.event_type.as_str()).cmp(&(connector, event_type))
            })
            .ok()
            .and_then(|i| self.by_event.get(i))
            .map_or(&[], |e| e.flows.as_slice())
    }
}
