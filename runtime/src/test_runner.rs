//! `idflow test`: runs a project's `test` blocks in process, with no
//! network. Each test builds the plan with its `given config` values,
//! matches its event against the flows' triggers as the service does, runs
//! the flows that fire with connectors that answer from its `given` lines
//! and record every call, moves its clock through waits with `advance`, and
//! checks its `expect` lines against what happened.

use std::collections::BTreeMap;
use std::sync::Mutex;

use idflow_compiler::jit::{Matcher, Mode};
use idflow_compiler::plan::ir::FlowPlan;
use idflow_compiler::plan::value::{Value, format_duration};
use idflow_compiler::plan::{self, Plan, PlanError};
use idflow_compiler::project::Project;
use idflow_compiler::source::Span;
use idflow_compiler::testing::{Answer as Given, Pattern, Target, TestCase, TestStep};
use serde::Serialize;

use crate::connectors::{ActionCall, ActionError, Answer, Connectors, Delivery};
use crate::executor::{Executor, RunReport, RunStatus};
use crate::fires::{Firing, fires};
use crate::journal::Memory;
use crate::trace::Redactor;

/// The clock of a test that does not set one: 2026-01-01T00:00:00Z.
pub const DEFAULT_NOW: i64 = 1_767_225_600_000;

/// How often a test's runs may be woken by `advance` before it gives up.
const MAX_ATTEMPTS: usize = 1_000;

/// How many runs one test may start, spawned ones included.
const MAX_RUNS: usize = 1_000;

/// Why a test failed, and where in it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    /// What did not hold.
    pub message: String,
    /// The expected and actual calls, when that is the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The line of the test.
    #[serde(skip)]
    pub span: Span,
}

/// How one test went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// The test's name.
    pub name: String,
    /// The flows that fired, with how each run ended.
    pub runs: Vec<(String, String)>,
    /// Every action call, in the order made.
    pub calls: Vec<String>,
    /// What did not hold; empty when the test passed.
    pub failures: Vec<Failure>,
    /// The steps that ran, by flow and place in the source (steps keep
    /// their place whatever a test's configs make of the plan).
    #[serde(skip)]
    pub covered: Vec<(String, Span)>,
    /// The test block.
    #[serde(skip)]
    pub span: Span,
}

impl Outcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One call a run made.
#[derive(Clone, Debug, PartialEq)]
struct Call {
    connector: String,
    action: String,
    args: BTreeMap<String, Value>,
}

impl Call {
    fn show(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.to_json()))
            .collect();
        format!("{}.{}({})", self.connector, self.action, args.join(", "))
    }
}

/// A `given` answer, its files loaded.
struct GivenCall {
    connector: String,
    action: String,
    args: Option<Vec<(String, Pattern)>>,
    answer: Result<Value, ActionError>,
}

impl GivenCall {
    fn answers(&self, call: &ActionCall) -> bool {
        self.connector == call.connector
            && self.action == call.action
            && self.args.as_ref().is_none_or(|args| {
                args.iter().all(|(name, pattern)| {
                    let value = call
                        .args
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or(&Value::Null, |(_, v)| v);
                    pattern.matches(value)
                })
            })
    }

    fn show(&self) -> String {
        format!(
            "{}.{}{}",
            self.connector,
            self.action,
            show_args(self.args.as_ref())
        )
    }
}

/// Connectors that answer from a test's `given` lines and record calls.
struct Mocked {
    givens: Vec<GivenCall>,
    calls: Mutex<Vec<Call>>,
    unanswered: Mutex<Vec<String>>,
}

impl Connectors for Mocked {
    async fn call(&self, call: &ActionCall) -> Answer {
        let made = Call {
            connector: call.connector.clone(),
            action: call.action.clone(),
            args: call.args.iter().cloned().collect(),
        };
        // The most specific answer wins: one that names arguments over one
        // that does not; among equals, the last written (`max_by_key` keeps
        // the last of equal elements).
        let chosen = self
            .givens
            .iter()
            .filter(|g| g.answers(call))
            .max_by_key(|g| g.args.as_ref().map_or(0, Vec::len));
        let answer = match chosen {
            Some(given) => Answer::once(given.answer.clone(), Delivery::Fixture),
            None => {
                let nearest = self
                    .givens
                    .iter()
                    .find(|g| g.connector == call.connector && g.action == call.action)
                    .or_else(|| self.givens.iter().find(|g| g.connector == call.connector));
                let hint = nearest.map_or_else(
                    || "no `given` answers this connector".to_owned(),
                    |g| format!("the nearest `given` is {}", g.show()),
                );
                self.unanswered
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(format!("{}: no `given` answers it; {hint}", made.show()));
                Answer::once(
                    Err(ActionError::Failed {
                        action: call.name(),
                        message: "no `given` answers it".to_owned(),
                    }),
                    Delivery::Fixture,
                )
            }
        };
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(made);
        answer
    }
}

/// What a test set up before running: its plan, event, clock, answers.
struct Setup {
    plan: Plan,
    /// The values of `Secret` configs the test gives.
    secrets: BTreeMap<String, Value>,
    trigger: Option<Trigger>,
    now: i64,
    givens: Vec<GivenCall>,
    advances: Vec<i64>,
}

/// What a test fires: an event, or a flow's schedule.
enum Trigger {
    /// `given event`: the connector and the payload.
    Event(String, serde_json::Value),
    /// `given schedule`: the flow.
    Schedule(String),
    /// `given webhook`: the path and the body.
    Webhook(String, serde_json::Value),
}

/// Runs one test of `project`; `load` reads a `json("…")` file of it.
pub fn run(
    project: &Project,
    case: &TestCase,
    load: &mut dyn FnMut(&str) -> Result<Value, String>,
) -> Outcome {
    let mut outcome = Outcome {
        name: case.name.clone(),
        runs: Vec::new(),
        calls: Vec::new(),
        failures: Vec::new(),
        covered: Vec::new(),
        span: case.span,
    };
    let setup = match setup(project, case, load) {
        Ok(setup) => setup,
        Err(failure) => {
            outcome.failures.push(failure);
            return outcome;
        }
    };
    let connectors = Mocked {
        givens: setup.givens,
        calls: Mutex::new(Vec::new()),
        unanswered: Mutex::new(Vec::new()),
    };
    let redactor = Redactor::new(setup.secrets.values().map(Value::to_string));
    let reports = match execute(
        &setup.plan,
        &connectors,
        setup.trigger,
        setup.now,
        &setup.advances,
        (&setup.secrets, &redactor),
    ) {
        Ok(reports) => reports,
        Err(error) => {
            outcome.failures.push(failure(error, case.span));
            return outcome;
        }
    };
    let calls = connectors
        .calls
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // The calls as the trace shows them: a secret the test gave is masked.
    outcome.calls = calls.iter().map(|c| redactor.text(&c.show())).collect();
    outcome.runs = reports
        .iter()
        .map(|r| (r.flow.clone(), status_name(&r.status).to_owned()))
        .collect();
    outcome.covered = covered(&setup.plan, &reports);
    for unanswered in connectors
        .unanswered
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        outcome.failures.push(Failure {
            message: unanswered,
            detail: None,
            span: case.span,
        });
    }
    for step in &case.steps {
        if let Some(failure) = check(step, &reports, &calls) {
            outcome.failures.push(failure);
        }
    }
    // What a failure shows of the calls is masked as the calls are.
    for failure in &mut outcome.failures {
        failure.message = redactor.text(&failure.message);
        failure.detail = failure.detail.as_deref().map(|d| redactor.text(d));
    }
    outcome
}

/// The flow and source place of every step the runs went through.
fn covered(plan: &Plan, reports: &[RunReport]) -> Vec<(String, Span)> {
    reports
        .iter()
        .flat_map(|r| &r.trace)
        .filter_map(|entry| {
            let flow = plan.flows.iter().find(|f| f.name == entry.flow)?;
            let span = flow.steps.get(entry.step as usize)?.span?;
            Some((entry.flow.clone(), span))
        })
        .collect()
}

/// `what a, b`, or that no flow fired.
fn listed(what: &str, items: &[&str]) -> String {
    if items.is_empty() {
        "no flow fired".to_owned()
    } else {
        format!("{what} {}", items.join(", "))
    }
}

fn failure(message: String, span: Span) -> Failure {
    Failure {
        message,
        detail: None,
        span,
    }
}

/// Reads a test's `given` lines: builds its plan with its configs.
fn setup(
    project: &Project,
    case: &TestCase,
    load: &mut dyn FnMut(&str) -> Result<Value, String>,
) -> Result<Setup, Failure> {
    let mut overrides = BTreeMap::new();
    let secret_names = plan::secret_configs(project);
    let mut secrets = BTreeMap::new();
    let mut trigger = None;
    let mut now = DEFAULT_NOW;
    let mut givens = Vec::new();
    let mut advances = Vec::new();
    for step in &case.steps {
        let given =
            |pattern: &Pattern, span: Span, load: &mut dyn FnMut(&str) -> Result<Value, String>| {
                pattern
                    .clone()
                    .load(load)
                    .and_then(|p| p.to_value())
                    .map_err(|e| failure(e, span))
            };
        match step {
            TestStep::Config { name, value, span } if secret_names.contains(name) => {
                match given(value, *span, load)? {
                    Value::String(text) if !text.trim().is_empty() => {
                        secrets.insert(name.clone(), Value::String(text));
                    }
                    other => {
                        return Err(failure(
                            format!(
                                "`{name}` is a `Secret`: give it a non-empty text, found {}",
                                other.kind()
                            ),
                            *span,
                        ));
                    }
                }
            }
            TestStep::Config { name, value, span } => {
                overrides.insert(name.clone(), as_setting(&given(value, *span, load)?));
            }
            TestStep::Now { value, span } => match given(value, *span, load)? {
                Value::Time(ms) => now = ms,
                other => {
                    return Err(failure(
                        format!("`given now` takes a time, found {}", other.kind()),
                        *span,
                    ));
                }
            },
            TestStep::Event {
                connector,
                event_type,
                value,
                span,
            } => {
                let mut json = given(value, *span, load)?.to_json();
                if let Some(fields) = json.as_object_mut() {
                    fields
                        .entry("eventType")
                        .or_insert_with(|| serde_json::Value::String(event_type.clone()));
                    fields.entry("uuid").or_insert_with(|| {
                        serde_json::Value::String(format!("test-{}", case.name))
                    });
                }
                set_trigger(&mut trigger, Trigger::Event(connector.clone(), json), *span)?;
            }
            TestStep::Schedule { flow, span } => {
                set_trigger(&mut trigger, Trigger::Schedule(flow.clone()), *span)?;
            }
            TestStep::Webhook { path, body, span } => {
                let body = given(body, *span, load)?.to_json();
                set_trigger(&mut trigger, Trigger::Webhook(path.clone(), body), *span)?;
            }
            TestStep::Given {
                connector,
                action,
                args,
                answer,
                span,
            } => {
                let answer = match answer {
                    Given::Returns(value) => Ok(given(value, *span, load)?),
                    Given::Fails { status, body } => {
                        let body = match body {
                            Some(body) => given(body, *span, load)?.to_json().to_string(),
                            None => "the test makes it fail".to_owned(),
                        };
                        Err(ActionError::Status {
                            action: format!("{connector}.{action}"),
                            status: status.unwrap_or(500),
                            message: body,
                        })
                    }
                };
                givens.push(GivenCall {
                    connector: connector.clone(),
                    action: action.clone(),
                    args: args.clone(),
                    answer,
                });
            }
            TestStep::Advance { by, span } => match given(by, *span, load)? {
                Value::Duration(ms) => advances.push(ms),
                other => {
                    return Err(failure(
                        format!("`advance` takes a duration, found {}", other.kind()),
                        *span,
                    ));
                }
            },
            TestStep::Expect { .. } | TestStep::InOrder { .. } | TestStep::Run { .. } => {}
        }
    }
    let plan = plan::build(project, &overrides).map_err(|e| {
        let message = match e {
            PlanError::Check(errors) => format!(
                "the project has {} error(s): `idflow check` shows them",
                errors.len()
            ),
            other => other.to_string(),
        };
        failure(message, case.span)
    })?;
    Ok(Setup {
        plan,
        secrets,
        trigger,
        now,
        givens,
        advances,
    })
}

/// A test's config value as `idflow.toml` would write it, which is how
/// config values reach a plan: a duration as `"180d"`.
fn as_setting(value: &Value) -> serde_json::Value {
    match value {
        Value::Duration(ms) => serde_json::Value::String(format_duration(*ms)),
        Value::List(items) => items.iter().map(as_setting).collect(),
        Value::Record(fields) => fields
            .iter()
            .map(|(k, v)| (k.clone(), as_setting(v)))
            .collect(),
        other => other.to_json(),
    }
}

/// Sets what the test fires, refusing a second one.
fn set_trigger(slot: &mut Option<Trigger>, trigger: Trigger, span: Span) -> Result<(), Failure> {
    if slot.is_some() {
        return Err(failure(
            "a test fires one event, one schedule or one webhook delivery: this is a second"
                .to_owned(),
            span,
        ));
    }
    *slot = Some(trigger);
    Ok(())
}

/// The flows a test's trigger fires, the event they are given and the key
/// their runs derive idempotency keys from.
fn fired(
    plan: &Plan,
    trigger: Trigger,
    now: i64,
    configs: &BTreeMap<String, Value>,
) -> Result<(Vec<u32>, Option<Value>, String), String> {
    let matcher = Matcher::new(plan, Mode::Jit, configs.clone()).map_err(|e| e.to_string())?;
    matcher.set_now(now);
    let (firing, event, key) = match &trigger {
        Trigger::Event(connector, event) => {
            let key = event
                .get("uuid")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let firing = Firing::Event {
                connector,
                body: event,
            };
            (firing, Some(Value::from_json(event)), key)
        }
        Trigger::Webhook(path, body) => (
            Firing::Webhook {
                path,
                body,
                types: &plan.types.iter().cloned().collect(),
            },
            Some(Value::from_json(body)),
            format!("webhook:{path}:{now}"),
        ),
        Trigger::Schedule(name) => {
            if !plan.flows.iter().any(|f| f.name == *name) {
                return Err(format!("no flow `{name}` in the plan"));
            }
            (
                Firing::Schedule { flow: name },
                None,
                format!("schedule:{name}:{now}"),
            )
        }
    };
    let fired = fires(plan, &matcher, firing, &mut Vec::new())
        .map_err(|refusal| refusal.to_string())?
        .into_iter()
        .filter_map(|f| u32::try_from(f).ok())
        .collect();
    Ok((fired, event, key))
}

/// Runs the flows the test's event or schedule fires, then wakes waiting
/// runs at each `advance`; the last report of each run. `secrets` are the
/// `Secret` configs' values and the redactor that masks them.
fn execute(
    plan: &Plan,
    connectors: &Mocked,
    trigger: Option<Trigger>,
    now: i64,
    advances: &[i64],
    (configs, redactor): (&BTreeMap<String, Value>, &Redactor),
) -> Result<Vec<RunReport>, String> {
    let Some(trigger) = trigger else {
        return Ok(Vec::new());
    };
    let (fired, event, key) = fired(plan, trigger, now, configs)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The fired flows, then the runs each spawns (and theirs), in order.
    let mut pending: std::collections::VecDeque<(&FlowPlan, Option<Value>, String)> = fired
        .iter()
        .filter_map(|f| plan.flows.get(*f as usize))
        .map(|flow| (flow, event.clone(), key.clone()))
        .collect();
    let mut reports = Vec::new();
    while let Some((flow, event, key)) = pending.pop_front() {
        if reports.len() >= MAX_RUNS {
            return Err(format!("the test started more than {MAX_RUNS} runs"));
        }
        if let Some(name) = plan
            .runtime_configs_of(flow)
            .into_iter()
            .find(|name| !configs.contains_key(*name))
        {
            return Err(format!(
                "flow `{}` reads the config `{name}`, which the runtime supplies: give it with `given config {name} = \"…\"`",
                flow.name
            ));
        }
        let executor = Executor::new(plan, connectors, configs, redactor.clone(), now, false);
        let mut journal = Memory::at(now);
        let mut report =
            runtime.block_on(executor.run_journaled(flow, event.clone(), &key, &journal));
        let mut attempts = 0;
        for by in advances {
            journal.clock += by;
            while matches!(&report.status, RunStatus::Waiting { until_ms: Some(due), .. } if *due <= journal.clock)
                && attempts < MAX_ATTEMPTS
            {
                attempts += 1;
                report =
                    runtime.block_on(executor.run_journaled(flow, event.clone(), &key, &journal));
            }
        }
        for child in &report.spawned {
            if let Some(spawned) = plan.flows.iter().find(|f| f.name == child.flow) {
                pending.push_back((spawned, Some(child.args.clone()), child.key.clone()));
            }
        }
        reports.push(report);
    }
    Ok(reports)
}

fn status_name(status: &RunStatus) -> &'static str {
    match status {
        RunStatus::Succeeded => "succeeded",
        RunStatus::Stopped { .. } => "stopped",
        RunStatus::Failed { .. } => "failed",
        RunStatus::Waiting { .. } => "waiting",
    }
}

/// Whether a call is the one a target names.
fn is(target: &Target, call: &Call) -> bool {
    match target {
        Target::Flow(_) => false,
        Target::Action {
            connector,
            action,
            args,
        } => {
            *connector == call.connector
                && *action == call.action
                && args.as_ref().is_none_or(|args| {
                    args.iter().all(|(name, pattern)| {
                        pattern.matches(call.args.get(name).unwrap_or(&Value::Null))
                    })
                })
        }
    }
}

fn show(target: &Target) -> String {
    match target {
        Target::Flow(name) => name.clone(),
        Target::Action {
            connector,
            action,
            args,
        } => format!("{connector}.{action}{}", show_args(args.as_ref())),
    }
}

/// Arguments as a test writes them: `(id: "00u1", text: _)`; nothing
/// when a line names none.
fn show_args(args: Option<&Vec<(String, Pattern)>>) -> String {
    args.map_or_else(String::new, |args| {
        let shown: Vec<String> = args
            .iter()
            .map(|(k, p)| format!("{k}: {}", p.show()))
            .collect();
        format!("({})", shown.join(", "))
    })
}

/// The calls made, as a list under the expectation that failed; the calls
/// of the same action first, argument by argument.
fn calls_made(target: &Target, calls: &[Call]) -> String {
    if calls.is_empty() {
        return "no action was called".to_owned();
    }
    let mut lines = vec!["the calls made:".to_owned()];
    for call in calls {
        let same = matches!(target, Target::Action { connector, action, .. } if *connector == call.connector && *action == call.action);
        lines.push(format!(
            "  {} {}",
            if same { "~" } else { "-" },
            call.show()
        ));
        if let (
            true,
            Target::Action {
                args: Some(args), ..
            },
        ) = (same, target)
        {
            for (name, pattern) in args {
                let actual = call.args.get(name).unwrap_or(&Value::Null);
                if !pattern.matches(actual) {
                    lines.push(format!(
                        "      {name}: expected {}, got {}",
                        pattern.show(),
                        actual.to_json()
                    ));
                }
            }
        }
    }
    lines.join("\n")
}

/// The failure of an `expect` line, if it did not hold.
fn check(step: &TestStep, reports: &[RunReport], calls: &[Call]) -> Option<Failure> {
    match step {
        TestStep::Expect {
            negated,
            target: Target::Flow(name),
            span,
        } => {
            let fired = reports.iter().any(|r| r.flow == *name);
            match (fired, negated) {
                (false, false) => {
                    let others: Vec<&str> = reports.iter().map(|r| r.flow.as_str()).collect();
                    Some(failure(
                        format!(
                            "expected flow `{name}` to fire; {}",
                            listed("fired:", &others)
                        ),
                        *span,
                    ))
                }
                (true, true) => Some(failure(
                    format!("expected flow `{name}` not to fire; it did"),
                    *span,
                )),
                _ => None,
            }
        }
        TestStep::Expect {
            negated,
            target,
            span,
        } => {
            let made = calls.iter().find(|c| is(target, c));
            match (made, negated) {
                (None, false) => Some(Failure {
                    message: format!("expected {}", show(target)),
                    detail: Some(calls_made(target, calls)),
                    span: *span,
                }),
                (Some(call), true) => Some(failure(
                    format!(
                        "expected no {}; it was called: {}",
                        show(target),
                        call.show()
                    ),
                    *span,
                )),
                _ => None,
            }
        }
        TestStep::InOrder {
            calls: expected,
            span,
        } => {
            let mut next = 0;
            for call in calls {
                if expected.get(next).is_some_and(|(t, _)| is(t, call)) {
                    next += 1;
                }
            }
            expected.get(next).map(|(target, at)| {
                let order: Vec<String> = expected.iter().map(|(t, _)| show(t)).collect();
                Failure {
                    message: format!(
                        "expected in order {}; {} did not come after the ones before it",
                        order.join(" → "),
                        show(target)
                    ),
                    detail: Some(calls_made(target, calls)),
                    span: if next == 0 { *span } else { *at },
                }
            })
        }
        TestStep::Run { status, span } => {
            let wanted = status.as_str();
            let ended: Vec<&str> = reports.iter().map(|r| status_name(&r.status)).collect();
            (!ended.contains(&wanted)).then(|| {
                failure(
                    format!(
                        "expected a run to end {wanted}; {}",
                        listed("they ended", &ended)
                    ),
                    *span,
                )
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use idflow_compiler::source::SourceMap;

    #[test]
    fn the_most_specific_given_answers_and_among_equals_the_last_written() {
        let text = "import okta\n\n/// F.\nflow f {\n  when okta.user_created as e\n  then {\n    let u = okta.get_user(id: \"00u1\")\n    okta.suspend_user(id: u.id)\n  }\n}\n\ntest \"t\" {\n  given event okta.user_created = { uuid: \"1\" }\n  given okta.get_user(id: \"00u1\") returns { id: \"specific\" }\n  given okta.get_user returns { id: \"first\" }\n  given okta.get_user returns { id: \"last\" }\n  given okta.suspend_user returns {}\n  expect okta.suspend_user(id: \"specific\")\n}\n\ntest \"u\" {\n  given event okta.user_created = { uuid: \"2\" }\n  given okta.get_user returns { id: \"first\" }\n  given okta.get_user returns { id: \"last\" }\n  given okta.suspend_user returns {}\n  expect okta.suspend_user(id: \"last\")\n}\n";
        let mut sources = SourceMap::new();
        sources.add("t.flow", text);
        let project = Project::new(sources);
        let cases = idflow_compiler::testing::cases(&project).unwrap();
        for case in &cases {
            let outcome = run(&project, case, &mut |_| Err("no files".to_owned()));
            assert!(outcome.passed(), "{}: {:?}", case.name, outcome.failures);
        }
    }
}
