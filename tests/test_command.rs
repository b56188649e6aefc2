//! `idflow test`: the runner on projects whose tests pass, and on tests
//! that are wrong on purpose, whose failure output is snapshotted.

mod support;

use std::process::Output;

use support::idflow;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const FLOWS: &str = "tests/fixtures/test_command/flows.flow";
const PASSING: &str = "tests/fixtures/test_command/passing.flow";
const FAILING: &str = "tests/fixtures/test_command_failures/failing.flow";

#[test]
fn passing_tests_report_ok_and_exit_zero() {
    let output = idflow(&["test", FLOWS, PASSING]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    assert_eq!(
        text.lines().filter(|l| l.ends_with("... ok")).count(),
        6,
        "{text}"
    );
    assert!(text.ends_with("6 passed, 0 failed\n"), "{text}");
}

#[test]
fn failing_tests_show_what_happened_against_what_was_expected() {
    let output = idflow(&["test", FLOWS, FAILING]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn json_output_has_a_line_per_test_and_the_count() {
    let output = idflow(&["test", FLOWS, PASSING, FAILING, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[8], serde_json::json!({"passed": 6, "failed": 2}));
    let first = &lines[0];
    assert_eq!(first["passed"], true);
    assert_eq!(
        first["runs"],
        serde_json::json!([["block_foreign_signin", "succeeded"]])
    );
    let failed = &lines[6];
    assert_eq!(failed["passed"], false);
    assert!(
        failed["failures"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("id: expected \"00u2\"")
    );
}

#[test]
fn a_filter_runs_only_the_tests_whose_name_contains_it() {
    let output = idflow(&["test", FLOWS, PASSING, "--filter", "day"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).ends_with("2 passed, 0 failed\n"),
        "{}",
        stdout(&output)
    );
}

/// The JUnit report, read back by a JUnit parser we did not write.
#[test]
fn junit_output_is_read_back_by_a_junit_parser() {
    let output = idflow(&["test", FLOWS, PASSING, FAILING, "--format", "junit"]);
    assert_eq!(output.status.code(), Some(1));
    let suites = junit_parser::from_reader(std::io::Cursor::new(output.stdout)).unwrap();
    assert_eq!((suites.tests, suites.failures), (8, 2));
    let names: Vec<&str> = suites.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, [PASSING, FAILING]);
    let failing = &suites.suites[1];
    let case = &failing.cases[0];
    assert_eq!(
        case.original_name,
        "wrong expectations are reported with what happened"
    );
    match &case.status {
        junit_parser::TestStatus::Failure(failure) => {
            assert_eq!(
                failure.message,
                "expected flow `mfa_hygiene` to fire; fired: block_foreign_signin"
            );
            // (The parser splits the text at each &quot; it unescapes.)
            assert!(
                failure
                    .text
                    .contains("failing.flow:11:3: expected okta.suspend_user(id:"),
                "{}",
                failure.text
            );
            assert!(failure.text.contains("id: expected"), "{}", failure.text);
        }
        other => panic!("{other:?}"),
    }
}

/// Coverage counts the steps and branches the tests ran, in a summary and
/// an lcov file.
#[test]
fn coverage_reports_the_steps_and_branches_the_tests_ran() {
    let dir = tempfile::tempdir().unwrap();
    let lcov = dir.path().join("lcov.info");
    let lcov_arg = lcov.to_string_lossy().into_owned();
    let one = idflow(&[
        "test",
        FLOWS,
        PASSING,
        "--filter",
        "configured channel",
        "--coverage",
        &lcov_arg,
    ]);
    assert_eq!(one.status.code(), Some(0));
    let summary = String::from_utf8_lossy(&one.stderr).into_owned();
    assert!(
        summary.contains("block_foreign_signin             steps 3/3  branches 0/0"),
        "{summary}"
    );
    assert!(
        summary.contains("mfa_hygiene                      steps 0/4  branches 0/1"),
        "{summary}"
    );
    let text = std::fs::read_to_string(&lcov).unwrap();
    assert!(
        text.starts_with("TN:\nSF:tests/fixtures/test_command/flows.flow\n"),
        "{text}"
    );
    assert!(
        text.contains("FNDA:1,block_foreign_signin\nFN:28,mfa_hygiene\nFNDA:0,mfa_hygiene"),
        "{text}"
    );
    assert!(text.contains("BRDA:31,1,0,-\n"), "{text}");
    assert!(text.contains("LF:7\nLH:3\nend_of_record"), "{text}");

    let all = idflow(&["test", FLOWS, PASSING, "--coverage", &lcov_arg]);
    assert_eq!(all.status.code(), Some(0));
    let summary = String::from_utf8_lossy(&all.stderr).into_owned();
    assert!(
        summary.contains("total                            steps 7/7  branches 1/1"),
        "{summary}"
    );
    let text = std::fs::read_to_string(&lcov).unwrap();
    assert!(
        text.contains("BRDA:31,1,0,1\n") && text.contains("LH:7\n"),
        "{text}"
    );
}

const WEBHOOK: &str = "tests/fixtures/test_command_webhook";
const WEBHOOK_FAILING: &str = "tests/fixtures/test_command_webhook_failures";

#[test]
fn a_webhook_delivery_and_a_secret_config_are_given_in_tests() {
    let output = idflow(&["test", WEBHOOK]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.ends_with("2 passed, 0 failed\n"), "{text}");
}

/// A body `idflow serve` would refuse fails the test as the service would;
/// a flow that reads a secret the test does not give fails naming it; a
/// secret the test gives is masked wherever the output shows the calls.
#[test]
fn webhook_tests_fail_as_the_service_would_and_mask_the_secrets_given() {
    let output = idflow(&[
        "test",
        "tests/fixtures/test_command_webhook/hr.flow",
        WEBHOOK_FAILING,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(!text.contains("hr-feed-signing-key"), "{text}");
    insta::assert_snapshot!(text);
    let json = idflow(&[
        "test",
        "tests/fixtures/test_command_webhook/hr.flow",
        WEBHOOK_FAILING,
        "--format",
        "json",
    ]);
    assert!(
        !stdout(&json).contains("hr-feed-signing-key"),
        "{}",
        stdout(&json)
    );
}
