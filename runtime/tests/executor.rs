//! The executor on compiled plans: every kind of step, error handlers, calls,
//! waits, dry-run fixtures — and secrets kept out of the trace.

use std::collections::BTreeMap;
use std::sync::Mutex;

use idflow_compiler::plan::value::Value;
use idflow_compiler::plan::{self, Plan};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::connectors::{ActionCall, ActionError, Answer, Connectors, Delivery};
use idflow_runtime::executor::{Executor, RunReport, RunStatus};
use idflow_runtime::fixtures::DryRun;
use idflow_runtime::journal::Memory;
use idflow_runtime::trace::{REDACTED, Redactor, StepStatus};
use serde_json::json;

/// Connectors that answer from a table and remember every call.
#[derive(Default)]
struct Recorder {
    answers: BTreeMap<String, Result<serde_json::Value, u16>>,
    calls: Mutex<Vec<String>>,
}

impl Recorder {
    fn answering(answers: &[(&str, Result<serde_json::Value, u16>)]) -> Self {
        Recorder {
            answers: answers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            calls: Mutex::new(Vec::new()),
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl Connectors for Recorder {
    async fn call(&self, call: &ActionCall) -> Answer {
        Answer::once(self.result(call), Delivery::Sent)
    }
}

impl Recorder {
    fn result(&self, call: &ActionCall) -> Result<Value, ActionError> {
        let args: Vec<String> = call.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("{}({})", call.name(), args.join(", ")));
        }
        match self.answers.get(&call.name()) {
            Some(Ok(json)) => Ok(Value::from_json(json)),
            Some(Err(status)) => Err(ActionError::Status {
                action: call.name(),
                status: *status,
                message: "refused".to_owned(),
            }),
            None => Ok(Value::Null),
        }
    }
}

#[expect(
    clippy::panic,
    reason = "a test helper: a fixture that does not build fails the test"
)]
fn plan_of(text: &str) -> Plan {
    let mut sources = SourceMap::new();
    sources.add("case.flow", text);
    match plan::build(&Project::new(sources), &BTreeMap::new()) {
        Ok(plan) => plan,
        Err(plan::PlanError::Check(d)) => panic!("{d:#?}"),
        Err(e) => panic!("{e}"),
    }
}

#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test helper: every fixture has one flow and a runtime starts"
)]
fn run_with<C: Connectors>(
    plan: &Plan,
    connectors: &C,
    configs: &BTreeMap<String, Value>,
    secrets: Redactor,
    dry_run: bool,
    event: serde_json::Value,
) -> RunReport {
    let executor = Executor::new(
        plan,
        connectors,
        configs,
        secrets,
        1_774_744_200_000,
        dry_run,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(executor.run(&plan.flows[0], Some(Value::from_json(&event))))
}

fn run(plan: &Plan, connectors: &Recorder, event: serde_json::Value) -> RunReport {
    run_with(
        plan,
        connectors,
        &BTreeMap::new(),
        Redactor::default(),
        false,
        event,
    )
}

const HEAD: &str = "import okta\nimport slack\n\n/// F.\nflow f {\n  when okta.user_deactivated as e\n  where e.target != null\n  then {\n";

fn flow(body: &str) -> Plan {
    plan_of(&format!("{HEAD}{body}\n  }}\n}}\n"))
}

fn event() -> serde_json::Value {
    json!({"uuid": "1", "published": "2026-03-29T00:00:00Z", "eventType": "user.lifecycle.deactivate", "target": [{"id": "00u1", "type": "User"}]})
}

#[test]
fn steps_run_in_order_with_loops_and_branches() {
    let plan = flow(
        "    let groups = okta.list_user_groups(user: e.target[0].id)\n    for g in groups {\n      if g.profile.name.starts_with(\"app-\") {\n        okta.remove_from_group(user: e.target[0].id, group: g.id)\n      }\n    }\n    slack.post_message(channel: \"#iam\", text: \"{groups.len()} groups\")",
    );
    let connectors = Recorder::answering(&[(
        "okta.list_user_groups",
        Ok(
            json!([{"id": "g1", "profile": {"name": "app-crm"}}, {"id": "g2", "profile": {"name": "Everyone"}}, {"id": "g3", "profile": {"name": "app-pacs"}}]),
        ),
    )]);
    let report = run(&plan, &connectors, event());
    assert_eq!(report.status, RunStatus::Succeeded);
    assert!(
        report
            .trace
            .iter()
            .all(|t| 0 < t.started_ms && t.started_ms <= t.ended_ms)
    );
    assert_eq!(
        connectors.calls(),
        [
            "okta.list_user_groups(user=00u1)",
            "okta.remove_from_group(user=00u1, group=g1)",
            "okta.remove_from_group(user=00u1, group=g3)",
            "slack.post_message(channel=#iam, text=3 groups)"
        ]
    );
}

#[test]
fn a_failed_action_runs_its_handler_or_fails_the_run() {
    let plan = flow(
        "    okta.suspend_user(id: e.target[0].id) on error(err) {\n      slack.post_message(channel: \"#iam\", text: \"could not suspend: {err.message}\")\n    }\n    okta.deactivate_user(id: e.target[0].id)",
    );
    let connectors = Recorder::answering(&[
        ("okta.suspend_user", Err(403)),
        ("okta.deactivate_user", Err(500)),
    ]);
    let report = run(&plan, &connectors, event());
    let RunStatus::Failed { error } = &report.status else {
        panic!("{:?}", report.status)
    };
    assert!(
        error.contains("okta.deactivate_user failed with HTTP 500"),
        "{error}"
    );
    assert_eq!(connectors.calls().len(), 3);
    assert!(
        connectors.calls()[1].contains("could not suspend: okta.suspend_user failed with HTTP 403")
    );
    let statuses: Vec<StepStatus> = report.trace.iter().map(|t| t.status).collect();
    assert_eq!(
        statuses,
        [StepStatus::Failed, StepStatus::Ok, StepStatus::Failed]
    );
}

#[test]
fn stop_ends_the_run_and_a_called_flow_returns_its_result() {
    let text = "import okta\nimport slack\n\n/// F.\nflow f {\n  when okta.user_deactivated as e\n  then {\n    let ok = call check(id: \"00u1\")\n    if not ok {\n      stop \"not applicable\"\n    }\n    slack.post_message(channel: \"#x\", text: \"never\")\n  }\n}\n\n/// Check.\nflow check {\n  when called(id: String) -> Bool\n  then {\n    let u = okta.get_user(id: id)\n    return u.status == \"ACTIVE\"\n  }\n}\n";
    let plan = plan_of(text);
    let connectors = Recorder::answering(&[(
        "okta.get_user",
        Ok(json!({"id": "00u1", "status": "SUSPENDED"})),
    )]);
    let report = run(&plan, &connectors, event());
    assert_eq!(
        report.status,
        RunStatus::Stopped {
            reason: Some("not applicable".to_owned())
        }
    );
    assert_eq!(connectors.calls(), ["okta.get_user(id=00u1)"]);
}

#[test]
fn a_wait_ends_a_run_as_waiting_and_a_dry_run_passes_over_it() {
    let plan = flow("    wait 24h\n    okta.reset_factors(user: e.target[0].id)");
    let connectors = Recorder::default();
    let report = run(&plan, &connectors, event());
    assert_eq!(
        report.status,
        RunStatus::Waiting {
            on: "wait 1d".to_owned(),
            until_ms: Some(1_774_744_200_000 + 86_400_000),
            event: None,
        }
    );
    assert!(connectors.calls().is_empty());
    let dry = DryRun::new(None).unwrap();
    let report = run_with(
        &plan,
        &dry,
        &BTreeMap::new(),
        Redactor::default(),
        true,
        event(),
    );
    assert_eq!(report.status, RunStatus::Succeeded);
    let statuses: Vec<StepStatus> = report.trace.iter().map(|t| t.status).collect();
    assert_eq!(statuses, [StepStatus::NotWaited, StepStatus::NotSent]);
}

#[test]
fn dry_runs_answer_reads_from_fixtures_matched_by_arguments() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("okta.get_user.json"),
        json!({"answers": [
            {"args": {"id": "00u1"}, "returns": {"id": "00u1", "status": "ACTIVE", "profile": {"login": "a@x.fr"}}},
            {"fails": {"status": 404, "message": "not found"}}
        ]})
        .to_string(),
    )
    .unwrap();
    let plan = flow(
        "    let u = okta.get_user(id: e.target[0].id)\n    slack.post_message(channel: \"#x\", text: u.profile.login)",
    );
    let dry = DryRun::new(Some(dir.path())).unwrap();
    let report = run_with(
        &plan,
        &dry,
        &BTreeMap::new(),
        Redactor::default(),
        true,
        event(),
    );
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.trace[0].status, StepStatus::Fixture);
    assert_eq!(report.trace[1].status, StepStatus::NotSent);
    assert_eq!(
        report.trace[1].input,
        Some(json!({"channel": "#x", "text": "a@x.fr"}))
    );
    let mut other = event();
    other["target"][0]["id"] = json!("00u2");
    let report = run_with(
        &plan,
        &dry,
        &BTreeMap::new(),
        Redactor::default(),
        true,
        other,
    );
    assert!(matches!(&report.status, RunStatus::Failed { error } if error.contains("HTTP 404")));
}

/// A service that echoes the credentials it was given in its error.
struct Leaky(&'static str);

impl Connectors for Leaky {
    async fn call(&self, call: &ActionCall) -> Answer {
        let error = ActionError::Status {
            action: call.name(),
            status: 401,
            message: format!("bad token {}", self.0),
        };
        Answer::once(Err(error), Delivery::Sent)
    }
}

#[test]
fn secrets_never_appear_in_a_trace_or_an_error() {
    let text = "import http\n\nconfig key: Secret\n\n/// Signs and forwards.\nflow f {\n  when webhook \"/h\" as req\n  then {\n    let signature = hmac.sha256(key, \"body\")\n    http.request(method: \"POST\", url: \"https://iam.example/hook\", headers: { sig: signature })\n  }\n}\n";
    let plan = plan_of(text);
    let secret = "s3cr3t-TOKEN-value";
    let configs: BTreeMap<String, Value> =
        [("key".to_owned(), Value::String(secret.to_owned()))].into();
    let report = run_with(
        &plan,
        &Leaky(secret),
        &configs,
        Redactor::new([secret.to_owned()]),
        false,
        json!({}),
    );
    let everything = serde_json::to_string(&report).unwrap();
    assert!(!everything.contains(secret), "{everything}");
    assert!(
        everything.contains(&format!("bad token {REDACTED}")),
        "{everything}"
    );
    // The signature, computed from the secret, is not the secret.
    assert_eq!(report.trace[0].what, "let signature");
}

#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test helper: every fixture has one flow and a runtime starts"
)]
fn attempt(plan: &Plan, connectors: &Recorder, journal: &Memory) -> RunReport {
    let configs = BTreeMap::new();
    let executor = Executor::new(
        plan,
        connectors,
        &configs,
        Redactor::default(),
        1_774_744_200_000,
        false,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(executor.run_journaled(
        &plan.flows[0],
        Some(Value::from_json(&event())),
        "1",
        journal,
    ))
}

#[test]
fn a_resumed_run_replays_its_journal_and_goes_past_a_due_wait_once() {
    let plan = flow(
        "    okta.suspend_user(id: e.target[0].id)\n    wait 2s\n    let later = now()\n    slack.post_message(channel: \"#x\", text: \"{later}\")",
    );
    let connectors = Recorder::default();
    let mut journal = Memory::at(1_774_744_200_000);
    let first = attempt(&plan, &connectors, &journal);
    assert!(matches!(
        first.status,
        RunStatus::Waiting { until_ms: Some(t), .. } if t == 1_774_744_202_000
    ));
    assert_eq!(connectors.calls(), ["okta.suspend_user(id=00u1)"]);

    // Woken too early (an awaited event for another run, say): still waiting.
    journal.clock += 1_000;
    let early = attempt(&plan, &connectors, &journal);
    assert!(matches!(early.status, RunStatus::Waiting { .. }));

    // Due: the suspension is not sent again, and `now()` is when the wait fired.
    journal.clock += 1_500;
    let resumed = attempt(&plan, &connectors, &journal);
    assert_eq!(resumed.status, RunStatus::Succeeded);
    assert_eq!(
        connectors.calls(),
        [
            "okta.suspend_user(id=00u1)",
            "slack.post_message(channel=#x, text=2026-03-29T00:30:02.500Z)"
        ]
    );
    let statuses: Vec<StepStatus> = resumed.trace.iter().map(|t| t.status).collect();
    assert_eq!(
        statuses,
        [
            StepStatus::Replayed,
            StepStatus::Ok,
            StepStatus::Ok,
            StepStatus::Ok
        ]
    );

    // A later attempt (a crash after the run ended, before it was recorded)
    // sends nothing more.
    journal.clock += 60_000;
    let again = attempt(&plan, &connectors, &journal);
    assert_eq!(again.status, RunStatus::Succeeded);
    assert_eq!(connectors.calls().len(), 2);
}

/// The awaited event's times are times, as the trigger's are: a condition
/// comparing its `published` with the run's start holds.
#[test]
fn a_wait_for_reads_the_times_of_the_event_it_takes() {
    let plan = flow(
        "    let u = e.target[0].id\n    let back = wait for okta.user_activated where it.published > e.published timeout 7d\n    if back == null {\n      okta.reset_factors(user: u)\n    }",
    );
    let later = json!({"uuid": "4", "eventType": "user.lifecycle.activate", "published": "2026-03-29T01:00:00.000Z"});
    let connectors = Recorder::default();
    let mut journal = Memory::at(1_774_744_200_000);
    journal.events = vec![later];
    assert_eq!(
        attempt(&plan, &connectors, &journal).status,
        RunStatus::Succeeded
    );
    assert!(
        connectors.calls().is_empty(),
        "the event published later was taken"
    );
}

#[test]
fn a_wait_for_takes_the_first_event_meeting_its_condition_or_times_out() {
    let plan = flow(
        "    let u = e.target[0].id\n    let back = wait for okta.user_activated where it.target != null and it.target[0].id == u timeout 7d\n    if back == null {\n      okta.reset_factors(user: u)\n    }",
    );
    let other =
        json!({"uuid": "2", "eventType": "user.lifecycle.activate", "target": [{"id": "00u9"}]});
    let this =
        json!({"uuid": "3", "eventType": "user.lifecycle.activate", "target": [{"id": "00u1"}]});
    let connectors = Recorder::default();
    let mut journal = Memory::at(1_774_744_200_000);
    journal.events = vec![other.clone()];
    let report = attempt(&plan, &connectors, &journal);
    assert!(matches!(
        &report.status,
        RunStatus::Waiting { event: Some((c, t)), .. } if c == "okta" && t == "user.lifecycle.activate"
    ));
    journal.events = vec![other.clone(), this];
    assert_eq!(
        attempt(&plan, &connectors, &journal).status,
        RunStatus::Succeeded
    );
    assert!(connectors.calls().is_empty(), "the user came back in time");

    let mut timed_out = Memory::at(1_774_744_200_000);
    timed_out.events = vec![other];
    let first = attempt(&plan, &connectors, &timed_out);
    assert!(matches!(first.status, RunStatus::Waiting { .. }));
    timed_out.clock += 7 * 86_400_000;
    assert_eq!(
        attempt(&plan, &connectors, &timed_out).status,
        RunStatus::Succeeded
    );
    assert_eq!(connectors.calls(), ["okta.reset_factors(user=00u1)"]);
}

#[test]
fn identical_calls_in_a_loop_are_each_sent_and_each_replayed_once() {
    let plan = flow(
        "    for n in [1, 2, 3] {\n      slack.post_message(channel: \"#x\", text: \"same words\")\n    }\n    wait 1h",
    );
    let connectors = Recorder::default();
    let mut journal = Memory::at(1_774_744_200_000);
    let first = attempt(&plan, &connectors, &journal);
    assert!(matches!(first.status, RunStatus::Waiting { .. }));
    assert_eq!(connectors.calls().len(), 3, "three posts, not one");
    journal.clock += 3_600_000;
    assert_eq!(
        attempt(&plan, &connectors, &journal).status,
        RunStatus::Succeeded
    );
    assert_eq!(connectors.calls().len(), 3, "none sent again");
}
