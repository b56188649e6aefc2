//! `idflow run [PATH...] --event FILE|DIR... [--flow NAME] [--dry-run] [--fixtures DIR]`
//! and `idflow run [PATH...] --schedule FLOW`: compiles the project, matches
//! each event against every flow (or fires the scheduled flow once, now),
//! runs the flows that fire and prints their traces.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use idflow_compiler::jit::{Matcher, Mode};
use idflow_compiler::plan::ir::Trigger;
use idflow_compiler::plan::value::Value;
use std::time::Duration;

use idflow_runtime::connectors::Connectors;
use idflow_runtime::engines::Engines;
use idflow_runtime::event;
use idflow_runtime::executor::{Executor, RunReport, RunStatus};
use idflow_runtime::fires::{self, fires};
use idflow_runtime::fixtures::DryRun;
use idflow_runtime::store::{SqliteStore, Store};

use super::Outcome;
use crate::cli::{RunArgs, RunFormat};
use crate::{config, files, report};

/// What fires runs: an event read from a file, or a scheduled flow fired
/// by hand.
struct Firing {
    /// Where it comes from, for people: the event's file, or the schedule.
    origin: String,
    /// The event, when it is one.
    event: Option<serde_json::Value>,
    /// The arguments of a called flow, read as its parameters' types.
    args: Option<Value>,
    /// What identifies the firing, as the service keys it: the event's
    /// `uuid`, or the flow (or path) and the instant. Idempotency keys
    /// derive from it, so two invocations are two firings.
    key: String,
    /// The flows it fires, by index into the plan.
    flows: Vec<usize>,
}

/// One run of a firing: its report, when it started and ended, and — for a
/// run a `spawn` started — the run that spawned it (an index into the
/// firing's runs) and its spawn key.
struct Ran {
    report: RunReport,
    started: i64,
    finished: i64,
    spawned_by: Option<(usize, String)>,
}

/// How many runs one firing may spawn, all generations together: spawns
/// cannot form a cycle (E0210), but a loop may spawn many.
const MAX_SPAWNED: usize = 10_000;

/// Runs the command.
pub fn run(args: &RunArgs) -> Result<Outcome> {
    let events = read_events(&args.event)?;
    let project = files::load_project(&args.paths)?;
    let Some(plan) = super::build::build(&project, &args.paths, args.env.as_deref(), false)? else {
        return Ok(Outcome::Findings);
    };
    if let Some(name) = &args.flow
        && !plan.flows.iter().any(|f| f.name == *name)
    {
        let known: Vec<&str> = plan.flows.iter().map(|f| f.name.as_str()).collect();
        bail!(
            "no flow `{name}` in this project; its flows: {}",
            known.join(", ")
        );
    }
    let manifest = config::manifest_path(&args.paths);
    let secrets = idflow_runtime::http::Settings {
        configs: config::secret_configs(&manifest, args.env.as_deref())?,
        ..Default::default()
    };
    let configs = secrets.runtime_configs(&plan)?;
    let firings = if let Some(name) = &args.schedule {
        vec![scheduled(&plan, &configs, name)?]
    } else if let (Some(path), Some(body)) = (&args.webhook, &args.body) {
        vec![delivered(
            &plan,
            &configs,
            path,
            body,
            args.flow.as_deref(),
        )?]
    } else if let Some(name) = &args.call {
        let overrides = config::config_overrides(&manifest, args.env.as_deref())?;
        vec![called(&plan, &project, &overrides, name, &args.args)?]
    } else {
        matched(&plan, &configs, events, args.flow.as_deref())?
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let runs = if args.dry_run {
        let connectors = DryRun::new(args.fixtures.as_deref())?;
        let executor = Executor::new(
            &plan,
            &connectors,
            &configs,
            secrets.redactor(&plan),
            event::now_ms(),
            true,
        );
        run_flows(&runtime, &executor, &plan, &firings)
    } else if firings.iter().all(|f| f.flows.is_empty()) {
        // Nothing to send: no connection is needed.
        firings.iter().map(|_| Vec::new()).collect()
    } else {
        let settings = idflow_runtime::http::Settings {
            configs: secrets.configs.clone(),
            ..config::settings(&plan, &config::connections(&manifest)?)?
        };
        let connectors = Engines::new(&plan, &settings, Duration::from_secs(30))?;
        let executor = Executor::new(
            &plan,
            &connectors,
            &configs,
            settings.redactor(&plan),
            event::now_ms(),
            false,
        );
        run_flows(&runtime, &executor, &plan, &firings)
    };
    let store_path = crate::store::locate(&manifest, args.store.as_deref())?.path;
    let mut store = None;
    let mut failed = false;
    for (firing, firing_runs) in firings.iter().zip(&runs) {
        if firing_runs.is_empty() {
            report::note(&format!("no flow fires on {}", firing.origin));
            continue;
        }
        if firings.len() > 1 && args.format == RunFormat::Human {
            report::out(&format!("event {}\n", firing.origin));
        }
        let store = match &mut store {
            Some(store) => store,
            None => {
                let opened = crate::store::open_writing(&store_path, &manifest)?;
                audit_versions(&opened, &plan, &runs, &args.paths)?;
                store.insert(opened)
            }
        };
        let event_id = firing.event.as_ref().and_then(event_uuid);
        let mut ids: Vec<String> = Vec::with_capacity(firing_runs.len());
        for ran in firing_runs {
            let run = &ran.report;
            // A spawned run's event is its parent's id and its spawn key, as
            // under `idflow serve`: the history links the two.
            let event = match &ran.spawned_by {
                Some((parent, key)) => Some(format!(
                    "{}/{key}",
                    ids.get(*parent).map_or("", String::as_str)
                )),
                None => event_id.clone(),
            };
            let id = store.record(
                run,
                event.as_deref(),
                ran.started,
                ran.finished,
                args.dry_run,
            )?;
            ids.push(id.clone());
            report::note(&format!("run {id} recorded in {}", store_path.display()));
            failed |= matches!(run.status, RunStatus::Failed { .. });
            report::out(&match args.format {
                RunFormat::Human => human(run, args.dry_run),
                RunFormat::Json => json_lines(run, args.dry_run)?,
            });
        }
    }
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Each event with the flows it fires (only `--flow`, when given).
fn matched(
    plan: &idflow_compiler::plan::Plan,
    configs: &BTreeMap<String, Value>,
    events: Vec<(PathBuf, serde_json::Value)>,
    only: Option<&str>,
) -> Result<Vec<Firing>> {
    let matcher = Matcher::new(plan, Mode::Jit, configs.clone())?;
    matcher.set_now(event::now_ms());
    Ok(events
        .into_iter()
        .map(|(path, event)| {
            let firing = fires::Firing::Event {
                connector: "okta",
                body: &event,
            };
            let flows = fires(plan, &matcher, firing, &mut Vec::new())
                .unwrap_or_default()
                .into_iter()
                .filter(|f| {
                    only.is_none_or(|name| plan.flows.get(*f).is_some_and(|flow| flow.name == name))
                })
                .collect();
            let event_type = event
                .get("eventType")
                .and_then(|t| t.as_str())
                .unwrap_or_default();
            Firing {
                origin: format!("{} (`{event_type}`)", path.display()),
                key: event_uuid(&event).unwrap_or_default(),
                event: Some(event),
                args: None,
                flows,
            }
        })
        .collect())
}

/// `--webhook PATH --body FILE`: the flows the delivery fires (only
/// `--flow`, when given).
fn delivered(
    plan: &idflow_compiler::plan::Plan,
    configs: &BTreeMap<String, Value>,
    path: &str,
    body: &std::path::Path,
    only: Option<&str>,
) -> Result<Firing> {
    let text = idflow_files::read_text(body, idflow_files::MAX_JSON_BYTES)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", body.display()))?;
    let matcher = Matcher::new(plan, Mode::Jit, configs.clone())?;
    matcher.set_now(event::now_ms());
    let types = plan.types.iter().cloned().collect();
    let firing = fires::Firing::Webhook {
        path,
        body: &json,
        types: &types,
    };
    let flows = fires(plan, &matcher, firing, &mut Vec::new())
        .with_context(|| format!("--webhook {path} --body {}", body.display()))?
        .into_iter()
        .filter(|f| {
            only.is_none_or(|name| plan.flows.get(*f).is_some_and(|flow| flow.name == name))
        })
        .collect();
    Ok(Firing {
        origin: format!("{} (webhook \"{path}\")", body.display()),
        event: Some(json),
        args: None,
        key: format!("{path}@{}", event::now_ms()),
        flows,
    })
}

/// `--call FLOW --arg NAME=VALUE…`: the called flow, with its arguments
/// read as its parameters' types and the defaults of those left out.
fn called(
    plan: &idflow_compiler::plan::Plan,
    project: &idflow_compiler::project::Project,
    overrides: &BTreeMap<String, serde_json::Value>,
    name: &str,
    raw: &[String],
) -> Result<Firing> {
    let Some(params) = idflow_compiler::plan::called_params(project, overrides, name)? else {
        let known: Vec<&str> = plan
            .flows
            .iter()
            .filter(|f| {
                f.triggers
                    .iter()
                    .any(|t| matches!(t, Trigger::Called { .. }))
            })
            .map(|f| f.name.as_str())
            .collect();
        bail!(
            "--call {name}: no flow of that name has a `when called(…)` trigger ({})",
            if known.is_empty() {
                "none has".to_owned()
            } else {
                format!("these have: {}", known.join(", "))
            }
        );
    };
    let mut values = BTreeMap::new();
    for argument in raw {
        let (param_name, text) = argument
            .split_once('=')
            .with_context(|| format!("--arg {argument}: write NAME=VALUE"))?;
        let Some(param) = params.iter().find(|p| p.name == param_name) else {
            let known: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            bail!(
                "--arg {param_name}: `{name}` has no parameter `{param_name}`; its parameters: {}",
                known.join(", ")
            );
        };
        if values.contains_key(param_name) {
            bail!("--arg {param_name} is given twice");
        }
        let value = param
            .argument(text)
            .with_context(|| format!("--arg {argument}"))?;
        values.insert(param_name.to_owned(), value);
    }
    for param in &params {
        if values.contains_key(&param.name) {
            continue;
        }
        match (
            &param.default,
            param.computed_default,
            param.ty.may_be_null(),
        ) {
            (Some(default), _, _) => {
                values.insert(param.name.clone(), default.clone());
            }
            (None, true, _) => bail!(
                "--call {name}: give --arg {}=…; its default is computed where the flow is called",
                param.name
            ),
            (None, false, true) => {}
            (None, false, false) => bail!(
                "--call {name}: give --arg {}=… (a `{}`)",
                param.name,
                param.ty
            ),
        }
    }
    let index = plan
        .flows
        .iter()
        .position(|f| f.name == name)
        .with_context(|| format!("the plan has no flow `{name}`"))?;
    Ok(Firing {
        origin: format!("a call of `{name}`"),
        event: None,
        args: Some(Value::Record(values)),
        key: format!("call:{name}@{}", event::now_ms()),
        flows: vec![index],
    })
}

/// `--schedule FLOW`: the flow, fired once now as its schedule would.
fn scheduled(
    plan: &idflow_compiler::plan::Plan,
    configs: &BTreeMap<String, Value>,
    name: &str,
) -> Result<Firing> {
    let is_scheduled = |flow: &idflow_compiler::plan::ir::FlowPlan| {
        flow.triggers
            .iter()
            .any(|t| matches!(t, Trigger::Schedule { .. }))
    };
    if !plan.flows.iter().any(|f| f.name == name && is_scheduled(f)) {
        let known: Vec<&str> = plan
            .flows
            .iter()
            .filter(|f| is_scheduled(f))
            .map(|f| f.name.as_str())
            .collect();
        let known = if known.is_empty() {
            "none has".to_owned()
        } else {
            format!("these have: {}", known.join(", "))
        };
        bail!("--schedule {name}: no flow of that name has a `when schedule` trigger ({known})");
    }
    // As the service fires it: only if its filter, which sees no event,
    // passes now.
    let matcher = Matcher::new(plan, Mode::Jit, configs.clone())?;
    matcher.set_now(event::now_ms());
    let flows = fires(
        plan,
        &matcher,
        fires::Firing::Schedule { flow: name },
        &mut Vec::new(),
    )?;
    Ok(Firing {
        origin: format!("the schedule of `{name}`"),
        event: None,
        args: None,
        // As the service keys a schedule's firing: the flow and the instant.
        key: format!("{name}@{}", event::now_ms()),
        flows,
    })
}

/// Writes to the audit log the versions of the flows that ran, with the
/// git commit they come from.
fn audit_versions(
    store: &SqliteStore,
    plan: &idflow_compiler::plan::Plan,
    runs: &[Vec<Ran>],
    paths: &[PathBuf],
) -> Result<()> {
    let mut versions: Vec<(String, String)> = runs
        .iter()
        .flatten()
        .filter_map(|ran| plan.flows.iter().find(|f| f.name == ran.report.flow))
        .map(|f| (f.name.clone(), f.hash.clone()))
        .collect();
    versions.sort();
    versions.dedup();
    let manifest = config::manifest_path(paths);
    let dir = manifest.parent().unwrap_or(std::path::Path::new("."));
    store.audit_versions(&versions, &crate::provenance::of(dir), event::now_ms())?;
    Ok(())
}

/// Runs the flows each firing fired, firing after firing, one flow after
/// the other, each followed by the runs it spawned (and theirs): for each
/// firing, its runs and when each started and ended.
fn run_flows<C: Connectors>(
    runtime: &tokio::runtime::Runtime,
    executor: &Executor<'_, C>,
    plan: &idflow_compiler::plan::Plan,
    firings: &[Firing],
) -> Vec<Vec<Ran>> {
    let timed = |report: &dyn Fn() -> RunReport, spawned_by| {
        let started = event::now_ms();
        let report = report();
        Ran {
            report,
            started,
            finished: event::now_ms(),
            spawned_by,
        }
    };
    firings
        .iter()
        .map(|firing| {
            let event = firing
                .args
                .clone()
                .or_else(|| firing.event.as_ref().map(Value::from_json));
            let mut ran: Vec<Ran> = firing
                .flows
                .iter()
                .filter_map(|f| plan.flows.get(*f))
                .map(|flow| {
                    timed(
                        &|| runtime.block_on(executor.run_keyed(flow, event.clone(), &firing.key)),
                        None,
                    )
                })
                .collect();
            let mut next = 0;
            while next < ran.len() && ran.len() < MAX_SPAWNED {
                let spawned = ran
                    .get(next)
                    .map(|r| r.report.spawned.clone())
                    .unwrap_or_default();
                for child in spawned {
                    if let Some(flow) = plan.flows.iter().find(|f| f.name == child.flow) {
                        let report = || runtime.block_on(executor.run_spawned(flow, &child));
                        ran.push(timed(&report, Some((next, child.key.clone()))));
                    }
                }
                next += 1;
            }
            ran
        })
        .collect()
}

/// The events of `--event`: each file, and every `.json` file of each folder
/// in name order. All are read and checked before any runs.
fn read_events(paths: &[PathBuf]) -> Result<Vec<(PathBuf, serde_json::Value)>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            found.sort();
            if found.is_empty() {
                bail!("{} has no .json event file", path.display());
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
        .into_iter()
        .map(|file| {
            let event = read_event(&file)?;
            Ok((file, event))
        })
        .collect()
}

/// The event's `uuid`, for the run history.
fn event_uuid(event: &serde_json::Value) -> Option<String> {
    event.get("uuid")?.as_str().map(str::to_owned)
}

/// Reads an event file: a System Log event, or an Event Hook delivery of
/// one event; the runtime names the field that is wrong.
fn read_event(path: &std::path::Path) -> Result<serde_json::Value> {
    let text = idflow_files::read_text(path, idflow_files::MAX_JSON_BYTES)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    event::okta_event(json).with_context(|| path.display().to_string())
}

/// A run as people read it: a line per step, its status, then the outcome.
fn human(run: &RunReport, dry_run: bool) -> String {
    let outcome = match &run.status {
        RunStatus::Succeeded => "succeeded".to_owned(),
        RunStatus::Stopped { reason } => format!(
            "stopped{}",
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        RunStatus::Failed { error } => format!("FAILED: {error}"),
        RunStatus::Waiting { on, .. } => format!("waiting: {on}"),
    };
    let outcome = match &run.result {
        Some(result) => format!("{outcome}, returned {result}"),
        None => outcome,
    };
    crate::trace_text::run(&run.flow, &run.version, dry_run, &run.trace, &outcome)
}

/// One JSON line per step, then one for the run.
fn json_lines(run: &RunReport, dry_run: bool) -> Result<String> {
    let mut out = String::new();
    for entry in &run.trace {
        let mut line = serde_json::to_value(entry)?;
        if let Some(object) = line.as_object_mut() {
            object.insert(
                "run".to_owned(),
                serde_json::Value::String(run.flow.clone()),
            );
            object.insert("dry_run".to_owned(), serde_json::Value::Bool(dry_run));
        }
        let _ = writeln!(out, "{line}");
    }
    let mut summary = serde_json::to_value(run)?;
    if let Some(object) = summary.as_object_mut() {
        object.remove("trace");
        object.insert(
            "run".to_owned(),
            serde_json::Value::String(run.flow.clone()),
        );
    }
    let _ = writeln!(out, "{summary}");
    Ok(out)
}
