//! `idflow replay` on archives built from Okta's sample events
//! (../shared/specs/okta/samples, copied in tests/fixtures/okta-samples): exact counts per flow in every archive
//! format, gzip and standard input, malformed lines reported by number, and
//! the JIT and the interpreter agreeing.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail the test by panicking"
)]

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use support::{idflow, idflow_with_input};

use serde_json::{Value, json};

const PROJECT: &str = "tests/fixtures/replay";

/// Okta's samples, copied from ../shared/specs/okta/samples so that the
/// tests run on a clone without the shared folder.
fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/okta-samples")
}

fn sample(name: &str) -> Value {
    let text = std::fs::read_to_string(samples_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Each sample event, and the flows of the fixture project it fires:
/// written from reading the samples, not from running the matcher.
fn samples() -> Vec<(Value, &'static [&'static str])> {
    vec![
        // FAILURE, from the United States.
        (
            sample("user.session.start.failure.json"),
            &["foreign_failure"],
        ),
        // SUCCESS.
        (sample("user.session.start.success.json"), &["successes"]),
        (sample("user.lifecycle.deactivate.json"), &["deactivation"]),
        // Made from Boardman, Oregon.
        (sample("group.user_membership.add.json"), &["group_from_us"]),
        // SUCCESS.
        (sample("user.account.update_profile.json"), &["successes"]),
        // Types no flow of the project triggers on.
        (sample("user.lifecycle.suspend.json"), &[]),
        (sample("user.mfa.factor.deactivate.json"), &[]),
        (sample("user.lifecycle.create.template.json"), &[]),
    ]
}

/// `copies` of every sample, each with its own uuid, in archive order.
fn events(copies: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for n in 0..copies {
        for (i, (event, _)) in samples().into_iter().enumerate() {
            let mut event = event;
            event["uuid"] = json!(format!("replay-{n:04}-{i}"));
            out.push(event);
        }
    }
    out
}

/// The counts each flow must report for `copies` of every sample.
fn expected(copies: u64) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = [
        "foreign_failure",
        "deactivation",
        "group_from_us",
        "successes",
    ]
    .iter()
    .map(|f| ((*f).to_owned(), 0))
    .collect();
    for (_, fires) in samples() {
        for flow in fires {
            if let Some(entry) = counts.iter_mut().find(|(name, _)| name == flow) {
                entry.1 += copies;
            }
        }
    }
    counts
}

/// The JSON report of replaying `archive` (a path, or `-` with `stdin`).
fn report(archive: &str, extra: &[&str], stdin: Option<&[u8]>) -> Value {
    let mut args = vec!["replay", PROJECT, "--events", archive, "--format", "json"];
    args.extend_from_slice(extra);
    let output = match stdin {
        Some(input) => idflow_with_input(&args, input),
        None => idflow(&args),
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn counts(report: &Value) -> Vec<(String, u64)> {
    report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["flow"].as_str().unwrap().to_owned(),
                f["fired"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn json_lines(events: &[Value]) -> Vec<u8> {
    events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect::<String>()
        .into_bytes()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn counts_per_flow_are_exact_in_every_archive_format() {
    let dir = tempfile::tempdir().unwrap();
    let events = events(25);
    let lines = json_lines(&events);
    let array = serde_json::to_vec_pretty(&events).unwrap();
    let deliveries: String = events
        .chunks(7)
        .map(|chunk| {
            let delivery = json!({"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0",
                "data": {"events": chunk}});
            serde_json::to_string(&delivery).unwrap() + "\n"
        })
        .collect();
    let pretty_deliveries: String = events
        .chunks(50)
        .map(|chunk| {
            serde_json::to_string_pretty(&json!({"data": {"events": chunk}})).unwrap() + "\n"
        })
        .collect();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(&lines).unwrap();
    let gzip = gzip.finish().unwrap();
    let archives = [
        write(dir.path(), "events.jsonl", &lines),
        write(dir.path(), "events.json", &array),
        write(dir.path(), "deliveries.jsonl", deliveries.as_bytes()),
        write(dir.path(), "deliveries.json", pretty_deliveries.as_bytes()),
        write(dir.path(), "events.jsonl.gz", &gzip),
    ];
    for archive in &archives {
        let found = report(archive, &[], None);
        assert_eq!(counts(&found), expected(25), "{archive}");
        assert_eq!(found["events"], json!(events.len()), "{archive}");
        // 3 of the 8 samples have a type no flow triggers on.
        assert_eq!(found["no_flow_for_type"], json!(75), "{archive}");
        assert_eq!(found["malformed"], json!(0), "{archive}");
    }
    // Standard input, gzip-compressed.
    let found = report("-", &[], Some(&gzip));
    assert_eq!(counts(&found), expected(25));
}

#[test]
fn a_report_lists_the_first_matches_and_the_counts_per_type() {
    let dir = tempfile::tempdir().unwrap();
    let archive = write(dir.path(), "events.jsonl", &json_lines(&events(10)));
    let found = report(&archive, &["--flow", "successes"], None);
    let [flow] = found["flows"].as_array().unwrap().as_slice() else {
        panic!("one flow: {found}");
    };
    assert_eq!(flow["fired"], json!(20));
    assert_eq!(
        flow["by_type"],
        json!({"user.session.start": 10, "user.account.update_profile": 10})
    );
    let first: Vec<&str> = flow["first"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(
        first,
        [
            "replay-0000-1",
            "replay-0000-4",
            "replay-0001-1",
            "replay-0001-4",
            "replay-0002-1"
        ]
    );
    let published = flow["first"][0]["published"].as_str().unwrap();
    assert_eq!(
        published,
        sample("user.session.start.success.json")["published"]
            .as_str()
            .unwrap()
    );
}

#[test]
fn a_malformed_line_is_reported_with_its_number_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::from_utf8(json_lines(&events(2))).unwrap();
    // After the 9th line: a line cut in the middle.
    let at = lines.match_indices('\n').nth(8).unwrap().0 + 1;
    lines.insert_str(at, "{\"uuid\": \"cut\", \"eventType\": \"user.sess\n");
    let archive = write(dir.path(), "broken.jsonl", lines.as_bytes());
    let found = report(&archive, &[], None);
    assert_eq!(found["malformed"], json!(1));
    assert_eq!(found["malformed_listed"][0]["place"], json!({"line": 10}));
    assert_eq!(counts(&found), expected(2), "every other line still counts");

    let output = idflow(&["replay", PROJECT, "--events", &archive]);
    let human = String::from_utf8_lossy(&output.stdout);
    assert!(
        human.contains("1 malformed entry skipped:\n  line 10: "),
        "{human}"
    );

    let strict = idflow(&["replay", PROJECT, "--events", &archive, "--strict"]);
    assert!(!strict.status.success());
    let error = String::from_utf8_lossy(&strict.stderr);
    assert!(error.contains("line 10: not an event"), "{error}");
}

#[test]
fn the_jit_and_the_interpreter_report_identical_counts() {
    let dir = tempfile::tempdir().unwrap();
    let archive = write(dir.path(), "events.jsonl", &json_lines(&events(30)));
    let strip = |mut report: Value| {
        report["seconds"] = json!(0);
        report
    };
    let jit = strip(report(&archive, &[], None));
    let interpreted = strip(report(&archive, &["--interpreter"], None));
    assert_eq!(jit, interpreted);
    assert_eq!(counts(&jit), expected(30));
}

#[test]
fn the_real_delivery_samples_are_read() {
    for name in [
        "event-hook-delivery.json",
        "group.user_membership.add.event-hook-preview.json",
    ] {
        let delivery = sample(name);
        let inner = delivery["data"]["events"].as_array().unwrap().len();
        let path = samples_dir().join(name);
        let found = report(path.to_str().unwrap(), &[], None);
        assert_eq!(found["events"], json!(inner), "{name}");
        assert_eq!(found["malformed"], json!(0), "{name}");
    }
}

#[test]
fn an_unknown_flow_is_refused_with_the_projects_flows() {
    let dir = tempfile::tempdir().unwrap();
    let archive = write(dir.path(), "events.jsonl", &json_lines(&events(1)));
    let output = idflow(&["replay", PROJECT, "--events", &archive, "--flow", "nope"]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("no flow `nope` in this project; its flows: foreign_failure, deactivation, group_from_us, successes"),
        "{error}"
    );
}

#[test]
fn deliveries_are_recognised_after_a_broken_first_line_and_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let deliveries: String = events(3)
        .chunks(4)
        .map(|chunk| serde_json::to_string(&json!({"data": {"events": chunk}})).unwrap() + "\n")
        .collect();
    let text = format!("\u{feff}not json at all\n{deliveries}");
    let archive = write(dir.path(), "deliveries.jsonl", text.as_bytes());
    let found = report(&archive, &[], None);
    assert_eq!(counts(&found), expected(3));
    assert_eq!(found["malformed"], json!(1));
    assert_eq!(found["malformed_listed"][0]["place"], json!({"line": 1}));
}

#[test]
fn flows_no_event_starts_are_said_apart_not_as_fired_on_zero_events() {
    let dir = tempfile::tempdir().unwrap();
    let archive = write(dir.path(), "events.jsonl", &json_lines(&events(1)));
    let output = idflow(&["replay", "examples", "--events", &archive]);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{text}");
    assert!(
        !text.contains("report_inactive_accounts: would have fired"),
        "{text}"
    );
    assert!(
        text.contains("not replayed (no event starts them):\n  report_inactive_accounts  started by a schedule\n  end_temporary_access  started by a schedule\n"),
        "{text}"
    );
    let asked = idflow(&[
        "replay",
        "examples",
        "--events",
        &archive,
        "--flow",
        "report_inactive_accounts",
    ]);
    assert_eq!(asked.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&asked.stderr)
            .contains("`report_inactive_accounts` is started by a schedule, not by Okta events"),
        "{}",
        String::from_utf8_lossy(&asked.stderr)
    );
}
