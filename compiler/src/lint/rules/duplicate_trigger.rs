//! Two flows with the same triggers and the same filter: every event runs
//! both, usually because one was copied from the other and not changed.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::syntax::ast::{Flow, Item};

pub(super) const RULE: Rule = Rule {
    name: "duplicate-trigger",
    code: codes::DUPLICATE_TRIGGER,
    check,
};

fn check(cx: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    // The first flow of each shape, in project order: each shape is built
    // once, so a project of many flows is checked in linear time.
    let mut first: HashMap<String, &Flow> = HashMap::new();
    let mut shapes: HashMap<*const Flow, String> = HashMap::new();
    for item in cx.project_items() {
        if let Item::Flow(flow) = item {
            let shape = trigger_shape(flow).to_string();
            first.entry(shape.clone()).or_insert(flow);
            shapes.insert(std::ptr::from_ref(flow), shape);
        }
    }
    for item in &file.parsed.module.items {
        let Item::Flow(flow) = item else { continue };
        // Reported on the later flow of each pair, in project order.
        let earlier = shapes
            .get(&std::ptr::from_ref(flow))
            .and_then(|shape| first.get(shape))
            .filter(|earlier| !std::ptr::eq(**earlier, flow));
        if let Some(earlier) = earlier {
            out.push(
                Diagnostic::warning(
                    codes::DUPLICATE_TRIGGER,
                    format!(
                        "flow `{}` has the same triggers and filter as `{}`",
                        flow.name.name, earlier.name.name
                    ),
                    flow.name.span,
                    "fires on exactly the same events",
                )
                .with_label(earlier.name.span, "as this flow")
                .with_help("merge the two flows, or make their `where` filters differ"),
            );
        }
    }
}

/// The triggers and the filter of a flow, positions left out.
fn trigger_shape(flow: &Flow) -> serde_json::Value {
    let mut value = serde_json::json!({ "triggers": flow.triggers, "where": flow.condition });
    strip_spans(&mut value);
    value
}

fn strip_spans(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip_spans);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}
