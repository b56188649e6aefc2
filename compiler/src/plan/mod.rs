//! The plan: a checked project lowered into steps, optimized, ordered,
//! hashed and indexed — the artifact `idflow build` writes and the runtime
//! executes — and the interpreter of its pure expressions.

mod builtins;
pub mod eval;
pub mod hash;
pub mod ir;
mod lower;
pub mod ops;

pub(crate) use lower::provider_event;
mod order;
mod overrides;
pub mod render;
mod schema;
pub(crate) mod settings;
pub mod typed;
pub mod value;

use std::collections::BTreeMap;

use thiserror::Error;

use crate::diagnostics::Diagnostic;
use crate::optimize;
use crate::project::{Origin, Project};
use crate::syntax::ast::Item;
pub use ir::Plan;

/// The version of the plan format this code reads and writes. Bump it on
/// any change to the IR that an older runtime would misread.
pub const FORMAT_VERSION: u32 = 4;

/// The first bytes of a binary plan.
const MAGIC: &[u8; 8] = b"IDFLOWPL";

/// Why a plan could not be built, read or written.
#[derive(Debug, Error)]
pub enum PlanError {
    /// The project has errors: the diagnostics say which.
    #[error("the project has {} error(s)", .0.len())]
    Check(Vec<Diagnostic>),
    /// A plan written by another version of idflow.
    #[error(
        "the plan has format version {found}; this idflow reads version {FORMAT_VERSION}: build it again"
    )]
    Version {
        /// The version found.
        found: u32,
    },
    /// Config values set for an environment that do not fit the project.
    #[error("{}", .0.join("; "))]
    Config(Vec<String>),
    /// Bytes that are not a plan.
    #[error("not an idflow plan: {0}")]
    Malformed(String),
}

/// Checks, lowers and optimizes a project. `overrides` replace config
/// defaults by name (an environment's values, read as each config's type).
pub fn build(
    project: &Project,
    overrides: &BTreeMap<String, serde_json::Value>,
) -> Result<Plan, PlanError> {
    build_with(project, overrides, true)
}

/// A parameter of a flow's `when called(…)` trigger, as a caller outside
/// the project (`idflow run --call`) must fill it.
#[derive(Clone, Debug, PartialEq)]
pub struct CalledParam {
    /// Its name.
    pub name: String,
    /// Its declared type.
    pub ty: crate::types::Type,
    /// Its default, when it has one that is a constant.
    pub default: Option<value::Value>,
    /// Whether it has a default the call site computes (such as `now()`):
    /// a caller outside the project must then give the argument.
    pub computed_default: bool,
}

impl CalledParam {
    /// The value of a command-line argument for this parameter: a text
    /// parameter takes the text as written; any other reads it as JSON, or
    /// as a JSON string when it is not JSON (`24h`, an RFC 3339 time), as
    /// `idflow.toml` writes config values.
    pub fn argument(&self, raw: &str) -> Result<value::Value, PlanError> {
        let json = match self.ty.non_null() {
            crate::types::Type::String | crate::types::Type::Secret => {
                serde_json::Value::String(raw.to_owned())
            }
            _ => serde_json::from_str(raw)
                .unwrap_or_else(|_| serde_json::Value::String(raw.to_owned())),
        };
        overrides::convert(&json, &self.ty, &self.name).map_err(|e| PlanError::Config(vec![e]))
    }
}

/// The parameters of `flow`'s `when called(…)` trigger, in order; `None`
/// when the project has no such flow or the flow is not called.
pub fn called_params(
    project: &Project,
    overrides: &BTreeMap<String, serde_json::Value>,
    flow: &str,
) -> Result<Option<Vec<CalledParam>>, PlanError> {
    let (symbols, table) = without_errors(project)?;
    let context =
        lower::Context::new(project, &symbols, &table, overrides).map_err(PlanError::Config)?;
    Ok(context.called_params(flow))
}

/// The project's symbols and types, once it checks without error.
fn without_errors(
    project: &Project,
) -> Result<(crate::resolve::Symbols<'_>, crate::types::TypeTable), PlanError> {
    let (diagnostics, symbols, table) = crate::checked(project);
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        Ok((symbols, table))
    } else {
        Err(PlanError::Check(errors))
    }
}

/// The names of the project's `Secret` configs, whose values the runtime
/// supplies (a test gives them with `given config`).
pub fn secret_configs(project: &Project) -> std::collections::BTreeSet<String> {
    lower::secret_configs(project)
}

/// Checks and lowers a project without optimizing it: what
/// `idflow plan --unoptimized` shows, to compare.
pub fn build_unoptimized(
    project: &Project,
    overrides: &BTreeMap<String, serde_json::Value>,
) -> Result<Plan, PlanError> {
    build_with(project, overrides, false)
}

fn build_with(
    project: &Project,
    overrides: &BTreeMap<String, serde_json::Value>,
    optimized: bool,
) -> Result<Plan, PlanError> {
    let (symbols, table) = without_errors(project)?;
    let context =
        lower::Context::new(project, &symbols, &table, overrides).map_err(PlanError::Config)?;
    let functions = context.functions();
    let mut flows: Vec<ir::FlowPlan> = project
        .files
        .iter()
        .filter(|f| f.origin == Origin::Project)
        .flat_map(|f| &f.parsed.module.items)
        .filter_map(|item| match item {
            Item::Flow(flow) => Some(context.flow(flow)),
            _ => None,
        })
        .collect();
    for flow in &mut flows {
        if optimized {
            optimize::optimize(flow);
        }
        order::renumber(flow);
        order::order(flow);
        if optimized {
            optimize::note_overlaps(flow);
        }
        let event = crate::jit::event_local(&flow.triggers);
        if let Some(filter) = &mut flow.filter {
            filter.jit = crate::jit::compiles(&filter.condition, event);
        }
        flow.hash = hash::flow_hash(flow).map_err(|e| PlanError::Malformed(e.to_string()))?;
    }
    let index = optimize::index(&flows);
    let connectors = used_connectors(&flows)
        .into_iter()
        .filter_map(|name| context.connector(&name))
        .collect();
    Ok(Plan {
        format_version: FORMAT_VERSION,
        flows,
        functions,
        index,
        connectors,
        types: context.types.take().into_iter().collect(),
    })
}

/// The connectors the flows use, sorted: those an action step calls, a
/// trigger or a `wait for` receives events from.
fn used_connectors(flows: &[ir::FlowPlan]) -> std::collections::BTreeSet<String> {
    let triggers = flows
        .iter()
        .flat_map(|f| &f.triggers)
        .filter_map(|t| match t {
            ir::Trigger::Event { connector, .. } => Some(connector),
            _ => None,
        });
    let steps = flows
        .iter()
        .flat_map(|f| &f.steps)
        .filter_map(|s| match &s.kind {
            ir::StepKind::Action { connector, .. } | ir::StepKind::WaitFor { connector, .. } => {
                Some(connector)
            }
            _ => None,
        });
    triggers.chain(steps).cloned().collect()
}

/// The plan as pretty JSON, for people and tools.
pub fn to_json(plan: &Plan) -> Result<String, PlanError> {
    serde_json::to_string_pretty(plan).map_err(|e| PlanError::Malformed(e.to_string()))
}

/// Reads a JSON plan, refusing another format version.
pub fn from_json(text: &str) -> Result<Plan, PlanError> {
    let plan: Plan = serde_json::from_str(text).map_err(|e| PlanError::Malformed(e.to_string()))?;
    if plan.format_version != FORMAT_VERSION {
        return Err(PlanError::Version {
            found: plan.format_version,
        });
    }
    Ok(plan)
}

/// The compact binary form the runtime loads: the magic bytes, the format
/// version (little-endian `u32`), then the plan in MessagePack.
pub fn to_binary(plan: &Plan) -> Result<Vec<u8>, PlanError> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let body = rmp_serde::to_vec(plan).map_err(|e| PlanError::Malformed(e.to_string()))?;
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// The id of a plan as the service deploys it: the first 32 hexadecimal
/// digits of the SHA-256 of its binary form. `idflow build` prints it,
/// `idflow serve` reports it (`/readyz`, the audit log), so one names the
/// other.
pub fn plan_id(binary: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(binary))
        .chars()
        .take(32)
        .collect()
}

/// Reads a binary plan, refusing another format version.
pub fn from_binary(bytes: &[u8]) -> Result<Plan, PlanError> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(|| {
        PlanError::Malformed("the file does not start with idflow's magic bytes".to_owned())
    })?;
    let (version, body) = rest.split_first_chunk::<4>().ok_or_else(|| {
        PlanError::Malformed("the file ends before its format version".to_owned())
    })?;
    let found = u32::from_le_bytes(*version);
    if found != FORMAT_VERSION {
        return Err(PlanError::Version { found });
    }
    rmp_serde::from_slice(body).map_err(|e| PlanError::Malformed(e.to_string()))
}

/// Whether bytes look like a binary plan (rather than JSON).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}
