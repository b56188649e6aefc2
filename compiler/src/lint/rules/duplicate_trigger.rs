//! Two flows with the same triggers and the same filter: every event runs
//! both, usually because one was copied from the other and not changed.

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
    let flows: Vec<&Flow> = cx
        .project_items()
        .filter_map(|item| match item {
            Item::Flow(flow) => Some(flow),
            _ => None,
        })
        .collect();
    for item in &file.parsed.module.items {
        let Item::Flow(flow) = item else { continue };
        let shape = trigger_shape(flow);
        // Reported on the later flow of each pair, in project order.
        let earlier = flows
            .iter()
            .take_while(|other| !std::ptr::eq(**other, flow))
            .find(|other| trigger_shape(other) == shape);
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
