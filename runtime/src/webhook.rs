//! What a webhook delivery fires, outside the service: `idflow run
//! --webhook` and a test's `given webhook` deliver a body as `idflow serve`
//! would — refused when it does not fit the type a flow on its path
//! declares, then matched against those flows' filters.

use std::collections::BTreeMap;

use idflow_compiler::jit::Matcher;
use idflow_compiler::jit::extract::Slot;
use idflow_compiler::plan::Plan;
use idflow_compiler::plan::ir::{Schema, Trigger};
use idflow_compiler::plan::value::Value;

/// Why a delivery fires nothing the service would run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refusal {
    /// No flow listens on the path (the service answers 404).
    #[error("no flow listens on webhook \"{path}\"{}", known_paths(known))]
    NoFlow {
        /// The path.
        path: String,
        /// The paths flows listen on.
        known: Vec<String>,
    },
    /// The body does not fit a flow's declared type (the service answers 400).
    #[error("`idflow serve` would refuse this body (400): it does not fit the flow's type: {0}")]
    Malformed(String),
}

fn known_paths(known: &[String]) -> String {
    if known.is_empty() {
        "; no flow has `when webhook`".to_owned()
    } else {
        format!("; flows listen on {}", known.join(", "))
    }
}

/// The flows a delivery of `body` to `path` fires, by index into the plan:
/// those listening on the path whose filter passes, once the body fits the
/// type each declares for it.
/// `types` are the plan's named types, by name; `slots` scratch space the
/// caller may reuse.
pub fn fired(
    plan: &Plan,
    types: &BTreeMap<String, Schema>,
    matcher: &Matcher,
    path: &str,
    body: &serde_json::Value,
    slots: &mut Vec<Slot>,
) -> Result<Vec<usize>, Refusal> {
    let listening = listening(plan, path);
    if listening.is_empty() {
        let mut known: Vec<String> = plan
            .flows
            .iter()
            .flat_map(|f| &f.triggers)
            .filter_map(|t| match t {
                Trigger::Webhook { path, .. } => Some(format!("\"{path}\"")),
                _ => None,
            })
            .collect();
        known.dedup();
        return Err(Refusal::NoFlow {
            path: path.to_owned(),
            known,
        });
    }
    if let Some(error) = body_error(plan, types, &listening, path, body) {
        return Err(Refusal::Malformed(error));
    }
    let value = Value::from_json(body);
    matcher.extract_value(body, slots);
    Ok(listening
        .into_iter()
        .filter(|f| matcher.passes(*f, slots, Some(&value)))
        .collect())
}

/// The flows of `plan` listening on webhook `path`, by index.
pub fn listening(plan: &Plan, path: &str) -> Vec<usize> {
    plan.flows
        .iter()
        .enumerate()
        .filter(|(_, flow)| {
            flow.triggers
                .iter()
                .any(|t| matches!(t, Trigger::Webhook { path: declared, .. } if declared == path))
        })
        .map(|(index, _)| index)
        .collect()
}

/// Why `body` does not fit the type one of the flows `listening` on `path`
/// declares for it (`as req: HrChange`), naming the field; none when it
/// fits them all.
pub fn body_error(
    plan: &Plan,
    types: &BTreeMap<String, Schema>,
    listening: &[usize],
    path: &str,
    body: &serde_json::Value,
) -> Option<String> {
    listening
        .iter()
        .filter_map(|f| plan.flows.get(*f))
        .flat_map(|flow| &flow.triggers)
        .find_map(|trigger| match trigger {
            Trigger::Webhook {
                path: declared,
                body: Some(schema),
                ..
            } if declared == path => crate::decode::check(body, schema, types)
                .err()
                .map(|mismatch| mismatch.to_string()),
            _ => None,
        })
}
