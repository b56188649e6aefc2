//! The plan: lowering and every optimizer pass, shown on snapshots of the
//! examples and of fixtures, the content hash, and the artifact's encodings.

mod support;

use std::collections::BTreeMap;

use idflow_compiler::plan::ir::{FlowPlan, StepKind};
use idflow_compiler::plan::{self, Plan, PlanError, render};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

#[expect(
    clippy::unwrap_used,
    reason = "a test helper: a fixture that does not build fails the test"
)]
fn plan_of(files: &[(&str, &str)], optimized: bool) -> Plan {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(*name, *text);
    }
    let project = Project::new(sources);
    let built = if optimized {
        plan::build(&project, &BTreeMap::new())
    } else {
        plan::build_unoptimized(&project, &BTreeMap::new())
    };
    built.unwrap()
}

fn plan_of_text(text: &str) -> Plan {
    plan_of(&[("case.flow", text)], true)
}

fn outline(plan: &Plan) -> String {
    plan.flows
        .iter()
        .map(render::outline)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every fixture of tests/ui/plan, before and after the optimizer.
#[test]
fn plans_of_the_fixtures() {
    for path in support::flow_files(&support::root().join("tests/ui/plan")) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let name = support::relative(&path);
        let files = [(name.as_str(), text.as_str())];
        let before = outline(&plan_of(&files, false));
        let after = outline(&plan_of(&files, true));
        let snapshot =
            format!("{name}\n\n--- as lowered ---\n{before}\n--- optimized ---\n{after}");
        insta::assert_snapshot!(name.replace('/', "__"), snapshot);
    }
}

/// Every flow of the example project, before and after the optimizer: the
/// project is planned whole, as its flows share configs and types.
#[test]
fn plans_of_the_example_flows() {
    let paths = support::flow_files(&support::root().join("examples"));
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            (
                support::relative(p),
                std::fs::read_to_string(p).unwrap_or_default(),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let before = plan_of(&files, false);
    let after = plan_of(&files, true);
    assert_eq!(after.flows.len(), 8, "the eight flows of the CHU project");
    for (lowered, optimized) in before.flows.iter().zip(&after.flows) {
        let snapshot = format!(
            "--- as lowered ---\n{}\n--- optimized ---\n{}",
            render::outline(lowered),
            render::outline(optimized)
        );
        insta::assert_snapshot!(format!("examples__{}", optimized.name), snapshot);
    }
}

fn flow(plan: &Plan) -> &FlowPlan {
    plan.flows
        .first()
        .unwrap_or_else(|| unreachable!("the fixture has a flow"))
}

fn kinds(flow: &FlowPlan) -> Vec<String> {
    flow.body
        .iter()
        .filter_map(|id| flow.steps.get(*id as usize))
        .map(|s| match &s.kind {
            StepKind::Action { action, .. } => action.clone(),
            StepKind::Compute { .. } => "let".to_owned(),
            other => format!("{other:?}")
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
        })
        .collect()
}

const HEAD: &str = "import okta\nimport slack\n\nconfig days: Int = 3\n\n/// A flow.\nflow f {\n  when okta.user_session_start as e\n  where e.actor != null\n  then {\n";

fn body(lines: &str) -> Plan {
    plan_of_text(&format!("{HEAD}{lines}\n  }}\n}}\n"))
}

#[test]
fn constant_folding_evaluates_configs_and_literals() {
    let plan = body("    let wait_for = 24h * days\n    wait wait_for");
    let f = flow(&plan);
    let folded = f.steps.iter().find_map(|s| match &s.kind {
        StepKind::Compute { value, .. } => Some(render::expr(f, value)),
        _ => None,
    });
    assert_eq!(folded.as_deref(), Some("3d"));
}

#[test]
fn dead_steps_are_removed_and_writes_are_kept() {
    let plan = body(
        "    let unused = okta.get_user(id: e.actor.id)\n    let x = 1 + 2\n    okta.suspend_user(id: e.actor.id)\n    stop\n    okta.unsuspend_user(id: e.actor.id)",
    );
    assert_eq!(kinds(flow(&plan)), ["suspend_user", "Stop"]);
}

#[test]
fn a_repeated_read_is_made_once_unless_a_write_came_between() {
    let plan = body(
        "    let a = okta.get_user(id: e.actor.id)\n    let b = okta.get_user(id: e.actor.id)\n    slack.post_message(channel: \"#x\", text: \"{a.id}{b.id}\")",
    );
    assert_eq!(kinds(flow(&plan)), ["get_user", "let", "post_message"]);
    let plan = body(
        "    let a = okta.get_user(id: e.actor.id)\n    okta.suspend_user(id: a.id)\n    let b = okta.get_user(id: e.actor.id)\n    slack.post_message(channel: \"#x\", text: \"{b.status}\")",
    );
    assert_eq!(
        kinds(flow(&plan)),
        ["get_user", "suspend_user", "get_user", "post_message"]
    );
    // A write to another connector does not make the read stale.
    let plan = body(
        "    let a = okta.get_user(id: e.actor.id)\n    slack.post_message(channel: \"#x\", text: \"{a.id}\")\n    let b = okta.get_user(id: e.actor.id)\n    slack.post_message(channel: \"#x\", text: \"{b.status}\")",
    );
    assert_eq!(
        kinds(flow(&plan)),
        ["get_user", "post_message", "let", "post_message"]
    );
}

#[test]
fn independent_reads_start_in_the_same_wave_and_writes_keep_their_order() {
    let plan = body(
        "    let a = okta.get_user(id: e.actor.id)\n    let g = okta.list_user_groups(user: e.actor.id)\n    slack.post_message(channel: \"#x\", text: \"{a.id}\")\n    slack.post_message(channel: \"#x\", text: \"{g.len()}\")",
    );
    let f = flow(&plan);
    let waves: Vec<u32> = f
        .body
        .iter()
        .filter_map(|id| f.steps.get(*id as usize))
        .map(|s| s.wave)
        .collect();
    assert_eq!(waves, [0, 0, 1, 2]);
    let last = f.body.last().and_then(|id| f.steps.get(*id as usize));
    assert_eq!(last.map(|s| s.after.clone()), Some(vec![2]));
}

#[test]
fn a_leading_stop_on_the_event_joins_the_filter_and_one_on_a_read_does_not() {
    let plan = body(
        "    if e.outcome?.result == \"SUCCESS\" {\n      stop \"success\"\n    }\n    okta.suspend_user(id: e.actor.id)",
    );
    let f = flow(&plan);
    assert_eq!(f.filter.as_ref().map(|x| x.hoisted_stops), Some(1));
    assert_eq!(kinds(f), ["suspend_user"]);
    let plan = body(
        "    let u = okta.get_user(id: e.actor.id)\n    if u.status == \"SUSPENDED\" {\n      stop\n    }\n    okta.suspend_user(id: u.id)",
    );
    let f = flow(&plan);
    assert_eq!(f.filter.as_ref().map(|x| x.hoisted_stops), Some(0));
}

#[test]
fn the_trigger_index_maps_event_types_to_flows() {
    let text = "import okta\n\n/// A.\nflow a {\n  when okta.user_session_start\n  when okta.user_created\n  then {}\n}\n\n/// B.\nflow b {\n  when okta.event(\"user.session.start\")\n  then {}\n}\n\n/// C.\nflow c {\n  when schedule \"0 7 * * *\"\n  then {}\n}\n";
    let plan = plan_of_text(text);
    assert_eq!(plan.index.flows_for("okta", "user.session.start"), [0, 1]);
    assert_eq!(plan.index.flows_for("okta", "user.lifecycle.create"), [0]);
    assert!(
        plan.index
            .flows_for("okta", "user.lifecycle.delete.initiated")
            .is_empty()
    );
}

const SIGNIN: &str = "import okta\n\nconfig allowed: List<String> = [\"France\"]\n\n/// Suspends foreign sign-ins.\nflow f {\n  when okta.user_session_start as e\n  where e.client?.geographicalContext?.country not in allowed\n  then {\n    let user = okta.get_user(id: e.actor?.id ?? \"\")\n    okta.suspend_user(id: user.id)\n  }\n}\n";

fn hash(text: &str) -> String {
    flow(&plan_of_text(text)).hash.clone()
}

#[test]
fn the_hash_is_stable_across_runs_formatting_comments_and_names() {
    let original = hash(SIGNIN);
    assert!(original.starts_with("sha256:") && original.len() == 71);
    assert_eq!(hash(SIGNIN), original);
    let reformatted = SIGNIN
        .replace("  then {\n", "  then {\n\n    // Read the user first.\n")
        .replace(
            "/// Suspends foreign sign-ins.",
            "/// Suspends sign-ins from abroad.",
        );
    assert_eq!(hash(&reformatted), original);
    let renamed = SIGNIN
        .replace("let user", "let account")
        .replace("user.id", "account.id")
        .replace("as e", "as event")
        .replace("e.client", "event.client")
        .replace("e.actor", "event.actor");
    assert_eq!(hash(&renamed), original);
}

#[test]
fn the_hash_changes_when_the_meaning_does() {
    let original = hash(SIGNIN);
    for changed in [
        SIGNIN.replace("[\"France\"]", "[\"France\", \"Belgium\"]"),
        SIGNIN.replace("suspend_user", "deactivate_user"),
        SIGNIN.replace("not in allowed", "in allowed"),
        SIGNIN.replace("user_session_start", "user_created"),
    ] {
        assert_ne!(hash(&changed), original, "{changed}");
    }
}

#[test]
fn the_hash_covers_the_error_handler_the_schedule_and_the_webhook_type() {
    let guarded = "import okta\nimport slack\n\n/// Suspends, and says when it cannot.\nflow f {\n  when okta.user_session_start as e\n  then {\n    okta.suspend_user(id: e.actor?.id ?? \"\")\n  }\n  on error(err) {\n    slack.post_message(channel: \"#iam\", text: \"failed\")\n  }\n}\n";
    let scheduled = "import slack\n\n/// Every morning.\nflow f {\n  when schedule \"0 7 * * *\" tz \"Europe/Paris\" missed once\n  then {\n    slack.post_message(channel: \"#iam\", text: \"hello\")\n  }\n}\n";
    let hooked = "/// A change.\ntype Change {\n  who: String,\n}\n\n/// A wider change.\ntype Wide {\n  who: String,\n  unit: String?,\n}\n\n/// Takes changes.\nflow f {\n  when webhook \"/hooks/hr\" as req: Change\n  then {}\n}\n";
    for (original, changed) in [
        (
            guarded,
            guarded.replace("text: \"failed\"", "text: \"it failed\""),
        ),
        (
            scheduled,
            scheduled.replace("Europe/Paris", "Europe/Brussels"),
        ),
        (scheduled, scheduled.replace("missed once", "missed skip")),
        (hooked, hooked.replace("as req: Change", "as req: Wide")),
    ] {
        assert_ne!(hash(&changed), hash(original), "{changed}");
    }
}

#[test]
fn json_and_binary_plans_read_back_equal() {
    let plan = plan_of_text(SIGNIN);
    assert_eq!(
        plan::from_json(&plan::to_json(&plan).unwrap()).ok(),
        Some(plan.clone())
    );
    let binary = plan::to_binary(&plan).unwrap_or_default();
    assert!(plan::is_binary(&binary));
    assert!(
        binary.len() < plan::to_json(&plan).unwrap().len() / 3,
        "{} bytes",
        binary.len()
    );
    assert_eq!(plan::from_binary(&binary).ok(), Some(plan));
}

#[test]
fn a_plan_of_another_format_version_is_refused() {
    let plan = plan_of_text(SIGNIN);
    let mut binary = plan::to_binary(&plan).unwrap_or_default();
    if let Some(byte) = binary.get_mut(8) {
        *byte = byte.wrapping_add(1);
    }
    assert!(matches!(
        plan::from_binary(&binary),
        Err(PlanError::Version { .. })
    ));
    assert!(matches!(
        plan::from_binary(b"not a plan"),
        Err(PlanError::Malformed(_))
    ));
}

#[test]
fn secrets_are_never_written_into_a_plan() {
    let text = "import http\n\nconfig key: Secret\n\n/// Signs.\nflow f {\n  when webhook \"/h\" as req\n  then {\n    http.request(method: \"POST\", url: \"https://x.example\", headers: { sig: hmac.sha256(key, \"body\") })\n  }\n}\n";
    let json = plan::to_json(&plan_of_text(text)).unwrap();
    assert!(
        json.contains("\"name\": \"key\""),
        "the secret is referenced by name"
    );
}

#[test]
fn a_project_with_errors_has_no_plan() {
    let mut sources = SourceMap::new();
    sources.add(
        "case.flow",
        "flow f {\n  when called()\n  then {\n    let x = nope\n  }\n}\n",
    );
    let built = plan::build(&Project::new(sources), &BTreeMap::new());
    assert!(matches!(built, Err(PlanError::Check(d)) if d.len() == 1));
}
