//! What a webhook delivery fires, outside the service: `idflow run
//! --webhook` and a test's `given webhook` deliver a body as `idflow serve`
//! would — refused when it does not fit the type a flow on its path
//! declares, then matched against those flows' filters.

use std::collections::BTreeMap;

use idflow_compiler::jit::Matcher;
use idflow_compiler::plan::Plan;
use idflow_compiler::plan::ir::Trigger;
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
pub fn fired(
    plan: &Plan,
    matcher: &Matcher,
    path: &str,
    body: &serde_json::Value,
) -> Result<Vec<usize>, Refusal> {
    let types: BTreeMap<_, _> = plan.types.iter().cloned().collect();
    let mut listening = Vec::new();
    for (index, flow) in plan.flows.iter().enumerate() {
        for trigger in &flow.triggers {
            let Trigger::Webhook {
                path: declared,
                body: schema,
                ..
            } = trigger
            else {
                continue;
            };
            if declared != path {
                continue;
            }
            if let Some(schema) = schema {
                crate::decode::check(body, schema, &types).map_err(Refusal::Malformed)?;
            }
            listening.push(index);
        }
    }
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
    let value = Value::from_json(body);
    let mut slots = Vec::new();
    matcher.extract_value(body, &mut slots);
    Ok(listening
        .into_iter()
        .filter(|f| matcher.passes(*f, &slots, Some(&value)))
        .collect())
}
