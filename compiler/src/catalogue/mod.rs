//! The catalogue of a project's flows, for auditors and the security team:
//! for each flow its purpose (its doc comment), what starts it in plain
//! words, the actions it takes — destructive ones flagged — the configs it
//! reads with their value in each environment, its version hash and the
//! tests that run it. [`markdown`] and [`html`] write it; the diagrams are
//! [`crate::graph`]'s. Pure: the command line gathers the environments'
//! values and the tests' results and writes the files.

pub mod html;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::Plan;
use crate::plan::ir::{Effect, FlowPlan, StepKind, Trigger};
use crate::project::Project;
use crate::syntax::ast::{ConnectorMember, ExprKind, Item, visit};

/// One flow of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowEntry {
    /// Its name.
    pub name: String,
    /// Its doc comment.
    pub purpose: Option<String>,
    /// The file it is written in.
    pub file: String,
    /// Its version hash.
    pub version: String,
    /// What starts it, in plain words.
    pub triggers: Vec<String>,
    /// The condition on the event, as written, when there is one.
    pub filter: Option<String>,
    /// The actions it may take, in the order they first appear.
    pub actions: Vec<ActionUse>,
    /// The configs it reads.
    pub configs: Vec<ConfigUse>,
    /// The tests that fire it: name, and whether it passed.
    pub tests: Vec<(String, bool)>,
}

/// An action a flow may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionUse {
    /// `okta.suspend_user`.
    pub name: String,
    /// `read`, `write` or `destructive`.
    pub effect: &'static str,
    /// The action's doc comment, from its connector.
    pub doc: Option<String>,
}

/// A config a flow reads, and its value in each environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigUse {
    /// Its name.
    pub name: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// The default, as written; none when the environment must give one.
    pub default: Option<String>,
    /// By environment (`""` for `[config]` of idflow.toml): its value there
    /// when it differs from the default.
    pub values: BTreeMap<String, String>,
}

/// What the catalogue is made of besides the project and its plan.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Config values by environment: `""` for the manifest's `[config]`,
    /// then each `[env.NAME.config]`, as JSON.
    pub environments: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Per flow, the tests that fired it and whether they passed.
    pub tests: BTreeMap<String, Vec<(String, bool)>>,
}

/// The catalogue of `plan`'s flows, in the order of the plan.
pub fn catalogue(project: &Project, plan: &Plan, inputs: &Inputs) -> Vec<FlowEntry> {
    plan.flows
        .iter()
        .map(|flow| entry(project, flow, inputs))
        .collect()
}

fn entry(project: &Project, flow: &FlowPlan, inputs: &Inputs) -> FlowEntry {
    let file = project
        .files
        .iter()
        .find(|f| {
            f.parsed
                .module
                .items
                .iter()
                .any(|i| matches!(i, Item::Flow(def) if def.name.name == flow.name))
        })
        .and_then(|f| project.sources.get(f.file))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    FlowEntry {
        name: flow.name.clone(),
        purpose: flow.doc.clone(),
        file,
        version: flow.hash.clone(),
        triggers: flow
            .triggers
            .iter()
            .map(|t| trigger_words(project, t))
            .collect(),
        filter: flow
            .filter
            .as_ref()
            .map(|f| crate::plan::render::expr(flow, &f.condition)),
        actions: actions(project, flow),
        configs: configs(project, &flow.name, inputs),
        tests: inputs.tests.get(&flow.name).cloned().unwrap_or_default(),
    }
}

/// What starts a flow, said as a sentence.
fn trigger_words(project: &Project, trigger: &Trigger) -> String {
    match trigger {
        Trigger::Event {
            connector,
            event_type,
            ..
        } => {
            // A stdlib event's doc names the event already.
            match event_doc(project, connector, event_type) {
                Some(doc) => format!("When {connector} reports it: {}", doc.replace('\n', " ")),
                None => format!("When {connector} reports the event `{event_type}`."),
            }
        }
        Trigger::Schedule { cron, tz, .. } => format!(
            "On the schedule `{cron}` (cron), in the {} time zone.",
            tz.as_deref().unwrap_or("UTC")
        ),
        Trigger::Webhook { path, .. } => format!("When a request arrives at `{path}`."),
        Trigger::Called { .. } => "When another flow calls it.".to_owned(),
    }
}

/// The doc comment of the connector event named `event_type`.
fn event_doc(project: &Project, connector: &str, event_type: &str) -> Option<String> {
    connector_members(project, connector).find_map(|m| match m {
        ConnectorMember::Event(e) if e.provider_name.value == event_type => {
            e.doc.as_ref().map(|d| d.text())
        }
        _ => None,
    })
}

fn connector_members<'p>(
    project: &'p Project,
    connector: &'p str,
) -> impl Iterator<Item = &'p ConnectorMember> + 'p {
    project
        .files
        .iter()
        .flat_map(|f| &f.parsed.module.items)
        .filter_map(move |item| match item {
            Item::Connector(c) if c.name.name == connector => Some(&c.members),
            _ => None,
        })
        .flatten()
}

/// The actions of a flow's steps, nested blocks included, each once.
fn actions(project: &Project, flow: &FlowPlan) -> Vec<ActionUse> {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for step in &flow.steps {
        let StepKind::Action {
            connector,
            action,
            effect,
            ..
        } = &step.kind
        else {
            continue;
        };
        let name = format!("{connector}.{action}");
        if !seen.insert(name.clone()) {
            continue;
        }
        let doc = connector_members(project, connector).find_map(|m| match m {
            ConnectorMember::Action(a) if a.name.name == *action => {
                a.doc.as_ref().map(|d| d.text())
            }
            _ => None,
        });
        let effect = match effect {
            Effect::Read => "read",
            Effect::Write => "write",
            Effect::Destructive => "destructive",
        };
        found.push(ActionUse { name, effect, doc });
    }
    found
}

/// The configs the flow named `flow` mentions, with their values.
fn configs(project: &Project, flow: &str, inputs: &Inputs) -> Vec<ConfigUse> {
    let items = || project.files.iter().flat_map(|f| &f.parsed.module.items);
    let mut mentioned = BTreeSet::new();
    for item in items().filter(|i| matches!(i, Item::Flow(f) if f.name.name == flow)) {
        visit::exprs(item, &mut |expr| {
            if let ExprKind::Name { name } = &expr.kind {
                mentioned.insert(name.clone());
            }
        });
    }
    let mut uses = Vec::new();
    for item in items() {
        let Item::Config(config) = item else { continue };
        if !mentioned.contains(&config.name.name) {
            continue;
        }
        let default = config.default.as_ref().and_then(|d| {
            let text = &project.sources.get(d.span.file)?.text;
            // One line, however the source breaks it.
            text.get(d.span.start as usize..d.span.end as usize)
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        });
        let values = inputs
            .environments
            .iter()
            .filter_map(|(env, values)| {
                let value = values.get(&config.name.name)?;
                Some((env.clone(), value.to_string()))
            })
            .collect();
        uses.push(ConfigUse {
            name: config.name.name.clone(),
            doc: config.doc.as_ref().map(|d| d.text()),
            default,
            values,
        });
    }
    uses
}
