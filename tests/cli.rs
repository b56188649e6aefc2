//! The `idflow` binary: commands, outputs and exit codes.

mod support;

use std::path::Path;
use std::process::{Command, Output};

#[expect(
    clippy::unwrap_used,
    reason = "a test helper: if the binary cannot start, the test fails"
)]
fn idflow(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idflow"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const VALID: &str = "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n    okta.suspend_user(id: e.id)\n  }\n}\n";

#[test]
fn parse_prints_an_outline_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), VALID).unwrap();
    let output = idflow(&["parse", "a.flow"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output), @r"
    import    okta                                     lines 1-1
    flow      f                                        lines 3-8
    ");
}

#[test]
fn parse_json_is_the_tree_with_spans() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), VALID).unwrap();
    let output = idflow(&["parse", "a.flow", "--format", "json"], dir.path());
    let tree: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tree["items"][1]["item"], "flow");
    assert_eq!(tree["items"][1]["name"]["name"], "f");
    assert_eq!(tree["items"][1]["name"]["span"]["start"], 18);
}

#[test]
fn parse_reports_syntax_errors_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.flow"), "flow f {\n  then {}\n}\n").unwrap();
    let output = idflow(&["parse", "bad.flow"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("expected `when`, found `then`"),
        "{}",
        stderr(&output)
    );
    let json = idflow(&["parse", "bad.flow", "--error-format", "json"], dir.path());
    let line: serde_json::Value =
        serde_json::from_str(stderr(&json).lines().next().unwrap()).unwrap();
    assert_eq!(line["code"], "E0101");
    assert_eq!(
        (line["line"].as_u64(), line["column"].as_u64()),
        (Some(2), Some(3))
    );
}

#[test]
fn bad_inputs_get_one_line_errors_and_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latin1.flow"),
        b"config x: String = \"h\xf4pital\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("huge.flow"),
        "// padding\n".repeat(1_000_000),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["parse", "missing.flow"], "cannot read `missing.flow`"),
        (
            &["parse", "latin1.flow"],
            "`latin1.flow` is not UTF-8 text (invalid byte at offset 21)",
        ),
        (
            &["parse", "huge.flow"],
            "`huge.flow` is larger than 4 MiB, the most it may be",
        ),
        (&["parse", "empty"], "`empty` is a directory"),
        (&["fmt", "empty"], "no .flow files in `empty`"),
    ];
    for (args, expected) in cases {
        let output = idflow(args, dir.path());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{args:?}: {err}"
        );
    }
}

/// Runs `idflow` and fails the test if it has not exited within 30 seconds
/// (a read that blocks on a FIFO would hang it for ever).
#[expect(clippy::unwrap_used, reason = "a test helper")]
fn idflow_within(args: &[&str], dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idflow"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(30) {
            child.kill().unwrap();
            let _ = child.wait();
            unreachable!("idflow {args:?} hung for 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_not_read_without_bound() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(project.join("a.flow"), VALID).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.flow")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    let fifo = |name: &str| {
        let made = Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .unwrap();
        assert!(made.success());
    };
    fifo("pipe.flow");
    fifo("pipe.json");
    let cases: [(&[&str], &str); 5] = [
        (
            &["check", "zero.flow"],
            "`zero.flow` is a character device, not a regular file",
        ),
        (
            &["check", "pipe.flow"],
            "`pipe.flow` is a FIFO, not a regular file",
        ),
        (
            &["parse", "pipe.flow"],
            "`pipe.flow` is a FIFO, not a regular file",
        ),
        (
            &["run", "project", "--event", "zero.json", "--dry-run"],
            "`zero.json` is a character device, not a regular file",
        ),
        (
            &["run", "project", "--event", "pipe.json", "--dry-run"],
            "`pipe.json` is a FIFO, not a regular file",
        ),
    ];
    for (args, expected) in cases {
        let output = idflow_within(args, dir.path());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // Inside a project, a FIFO named like a flow stops the check, named.
    std::os::unix::fs::symlink("../pipe.flow", project.join("linked.flow")).unwrap();
    let output = idflow_within(&["check", "project"], dir.path());
    assert!(
        stderr(&output).contains("linked.flow` is a FIFO"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_event_file_larger_than_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), VALID).unwrap();
    let file = std::fs::File::create(dir.path().join("big.json")).unwrap();
    // Sparse: 300 MB of nothing, without writing them.
    file.set_len(300 * 1024 * 1024).unwrap();
    let output = idflow_within(
        &["run", ".", "--event", "big.json", "--dry-run"],
        dir.path(),
    );
    assert!(
        stderr(&output).contains("`big.json` is larger than 16 MiB"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn diagnostics_are_reported_in_source_order_in_every_format() {
    // The type checker's error (line 7) comes before the resolver's (line
    // 8), though the resolver runs first.
    let dir = tempfile::tempdir().unwrap();
    let flow = "import okta\n\n/// Suspends new users.\nflow f {\n  when okta.user_created as e\n  then {\n    let n: Int = \"a\"\n    okta.suspend_usr(id: \"x\")\n  }\n}\n";
    std::fs::write(dir.path().join("a.flow"), flow).unwrap();
    let codes_in = |format: &str, text: &str| -> Vec<usize> {
        ["E0312", "E0206"]
            .iter()
            .map(|code| {
                text.find(code)
                    .unwrap_or_else(|| panic!("{format}: no {code} in {text}"))
            })
            .collect()
    };
    for format in ["human", "json", "github"] {
        let output = idflow(&["check", ".", "--format", format], dir.path());
        let text = format!("{}{}", stdout(&output), stderr(&output));
        let at = codes_in(format, &text);
        assert!(at[0] < at[1], "{format}: {text}");
    }
    let sarif = idflow(&["check", ".", "--format", "sarif"], dir.path());
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["E0312", "E0206"]);
    let output = idflow(&["lint", ".", "--format", "json"], dir.path());
    let text = format!("{}{}", stdout(&output), stderr(&output));
    let at = codes_in("lint", &text);
    assert!(at[0] < at[1], "lint: {text}");
}

#[test]
fn usage_errors_exit_two() {
    let output = idflow(&["parse"], Path::new("."));
    assert_eq!(output.status.code(), Some(2));
    let output = idflow(&["frobnicate"], Path::new("."));
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn fmt_check_lists_unformatted_files_and_fmt_fixes_them() {
    let dir = tempfile::tempdir().unwrap();
    let messy =
        "import okta\nflow f { when okta.user_created as e then { okta.suspend_user(id:e.id) } }\n";
    std::fs::create_dir(dir.path().join("flows")).unwrap();
    std::fs::write(dir.path().join("flows/messy.flow"), messy).unwrap();
    std::fs::write(dir.path().join("flows/clean.flow"), VALID).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a flow").unwrap();

    let check = idflow(&["fmt", "--check"], dir.path());
    assert_eq!(check.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&check), @r"
    would reformat ./flows/messy.flow
    --- ./flows/messy.flow
    +++ ./flows/messy.flow (formatted)
    @@ -1,2 +1,8 @@
     import okta
    -flow f { when okta.user_created as e then { okta.suspend_user(id:e.id) } }
    +
    +flow f {
    +  when okta.user_created as e
    +  then {
    +    okta.suspend_user(id: e.id)
    +  }
    +}
    ");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("flows/messy.flow")).unwrap(),
        messy
    );

    let fix = idflow(&["fmt", "flows"], dir.path());
    assert_eq!(fix.status.code(), Some(0), "{}", stderr(&fix));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("flows/messy.flow")).unwrap(),
        VALID
    );

    let again = idflow(&["fmt", "--check", "flows"], dir.path());
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn a_doc_comment_indented_differently_is_still_one_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let text = "/// Runs every morning.\n  /// Twice checked.\nflow f {\n  when schedule \"0 7 * * *\"\n  then {}\n}\n";
    std::fs::write(dir.path().join("a.flow"), text).unwrap();
    let checked = idflow(&["check", "a.flow"], dir.path());
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    let formatted = idflow(&["fmt", "a.flow"], dir.path());
    assert_eq!(formatted.status.code(), Some(0), "{}", stderr(&formatted));
    assert!(
        std::fs::read_to_string(dir.path().join("a.flow"))
            .unwrap()
            .starts_with("/// Runs every morning.\n/// Twice checked.\nflow f {")
    );
}

#[test]
fn fmt_refuses_files_with_syntax_errors_and_leaves_them_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.flow"), "flow {\n").unwrap();
    let output = idflow(&["fmt", "bad.flow"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("E0101"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.flow")).unwrap(),
        "flow {\n"
    );
}

#[test]
fn version_and_help() {
    let version = idflow(&["--version"], Path::new("."));
    assert_eq!(
        stdout(&version).trim(),
        format!("idflow {}", env!("CARGO_PKG_VERSION"))
    );
    let help = idflow(&["--help"], Path::new("."));
    assert!(stdout(&help).contains("Examples:") && stdout(&help).contains("Exit codes"));
    let fmt_help = idflow(&["fmt", "--help"], Path::new("."));
    assert!(stdout(&fmt_help).contains("idflow fmt --check"));
}

#[test]
fn lint_reports_warnings_at_the_levels_of_idflow_toml() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "import okta\nimport slack\n\nflow guard {\n  when okta.user_session_start as e\n  then {\n    okta.suspend_user(id: e.uuid)\n  }\n}\n";
    std::fs::write(dir.path().join("guard.flow"), flow).unwrap();

    let default = idflow(&["lint", "--format", "json", "."], dir.path());
    assert_eq!(default.status.code(), Some(1));
    let codes: Vec<String> = stdout(&default)
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(codes, ["W0903", "W0902", "W0901"]);
    assert!(
        stderr(&default).ends_with("3 warnings\n"),
        "{}",
        stderr(&default)
    );

    std::fs::write(
        dir.path().join("idflow.toml"),
        "[lints]\nmissing-flow-doc = \"allow\"\ndestructive-without-filter = \"deny\"\n",
    )
    .unwrap();
    let configured = idflow(&["lint", "--format", "json", "."], dir.path());
    let lines: Vec<serde_json::Value> = stdout(&configured)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seen: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["code"].as_str().unwrap(), l["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, [("W0903", "warning"), ("W0901", "error")]);
    // A folder of the project reads the project's manifest, not one of its
    // own that does not exist.
    std::fs::create_dir(dir.path().join("flows")).unwrap();
    std::fs::rename(
        dir.path().join("guard.flow"),
        dir.path().join("flows/guard.flow"),
    )
    .unwrap();
    for (args, cwd) in [
        (
            &["lint", "--format", "json", "flows"][..],
            dir.path().to_owned(),
        ),
        (
            &["lint", "--format", "json", "."][..],
            dir.path().join("flows"),
        ),
    ] {
        let nested = idflow(args, &cwd);
        let severities: Vec<String> = stdout(&nested)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["severity"].to_string())
            .collect();
        assert_eq!(severities, ["\"warning\"", "\"error\""], "{args:?}");
    }

    std::fs::write(
        dir.path().join("idflow.toml"),
        "[lints]\nmissing-flow-docs = \"allow\"\n",
    )
    .unwrap();
    let typo = idflow(&["lint", "flows"], dir.path());
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo)
            .contains("no lint is named `missing-flow-docs`; did you mean `missing-flow-doc`?")
    );
}

#[test]
fn lint_fix_applies_the_safe_fixes_only() {
    let dir = tempfile::tempdir().unwrap();
    // `okta` is used but not imported, `slack` imported but unused, and the
    // event name is misspelt: only the first two are safe to fix.
    let flow = "import slack\n\n/// Greets new accounts.\nflow welcome {\n  when okta.user_create as e\n  then {}\n}\n";
    std::fs::write(dir.path().join("welcome.flow"), flow).unwrap();
    let fixed = idflow(&["lint", "--fix", "."], dir.path());
    assert!(
        stderr(&fixed).contains("fixed 2 problems"),
        "{}",
        stderr(&fixed)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("welcome.flow")).unwrap(),
        "import okta\n\n/// Greets new accounts.\nflow welcome {\n  when okta.user_create as e\n  then {}\n}\n"
    );
    // The misspelt event is left for a person to review.
    assert_eq!(fixed.status.code(), Some(1));
    assert!(stderr(&fixed).contains("did you mean `user_created`?"));
}

const SIGNIN: &str = "import okta\n\n/// Suspends failed sign-ins.\nflow suspend_failures {\n  when okta.user_session_start as e\n  where e.outcome?.result == \"FAILURE\" and e.actor != null\n  then {\n    okta.suspend_user(id: e.actor.id)\n  }\n}\n";

#[test]
fn plan_prints_each_flow_and_its_compiled_filter() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    let output = idflow(&["plan", "."], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("flow suspend_failures  sha256:"), "{text}");
    assert!(text.contains("(compiled to native code)"), "{text}");
    assert!(
        text.contains("#0 [wave 0] destructive okta.suspend_user(id: e.actor.id)"),
        "{text}"
    );
    let mermaid = stdout(&idflow(&["plan", ".", "--format", "mermaid"], dir.path()));
    assert!(mermaid.starts_with("flowchart TD\n"), "{mermaid}");
    let json = idflow(
        &[
            "plan",
            ".",
            "--flow",
            "suspend_failures",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let flow: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(flow["name"], "suspend_failures");
    assert_eq!(flow["filter"]["jit"], true);
}

#[test]
fn plan_of_an_unknown_flow_or_a_broken_project_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    let output = idflow(&["plan", ".", "--flow", "nope"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no flow `nope` in this project; its flows: suspend_failures")
    );
    std::fs::write(
        dir.path().join("a.flow"),
        SIGNIN.replace("suspend_user", "suspend_usr"),
    )
    .unwrap();
    let output = idflow(&["plan", "."], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("E0206"), "{}", stderr(&output));
}

#[test]
fn build_writes_a_binary_or_json_plan_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    let output = idflow(&["build", ".", "-o", "plan.idflow"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let binary = std::fs::read(dir.path().join("plan.idflow")).unwrap();
    let plan = idflow_compiler::plan::from_binary(&binary).unwrap();
    assert_eq!(plan.flows.len(), 1);
    let output = idflow(
        &["build", ".", "-o", "plan.json", "--format", "json"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    let json = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    assert_eq!(idflow_compiler::plan::from_json(&json).unwrap(), plan);
}

const EVENT: &str = r#"{"uuid": "1", "published": "2026-03-29T01:30:00Z", "eventType": "user.session.start", "outcome": {"result": "FAILURE"}, "actor": {"id": "00u1"}}"#;

#[test]
fn run_dry_runs_the_flows_an_event_fires() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    std::fs::write(dir.path().join("event.json"), EVENT).unwrap();
    let output = idflow(
        &["run", "a.flow", "--event", "event.json", "--dry-run"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("okta.suspend_user") && text.contains("NOT SENT (dry run)"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("succeeded"), "{text}");
    let json = idflow(
        &[
            "run",
            "a.flow",
            "--event",
            "event.json",
            "--dry-run",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let lines: Vec<serde_json::Value> = stdout(&json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["status"], "not_sent");
    assert_eq!(lines[0]["input"]["id"], "00u1");
    assert_eq!(lines[1]["status"], "succeeded");
}

#[test]
fn run_reports_an_event_no_flow_fires_and_a_failed_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    std::fs::write(
        dir.path().join("other.json"),
        EVENT.replace("FAILURE", "SUCCESS"),
    )
    .unwrap();
    let output = idflow(
        &["run", ".", "--event", "other.json", "--dry-run"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("no flow fires on other.json (`user.session.start`)"));
    let reads = SIGNIN.replace(
        "okta.suspend_user(id: e.actor.id)",
        "let u = okta.get_user(id: e.actor.id)\n    okta.suspend_user(id: u.id)",
    );
    std::fs::write(dir.path().join("a.flow"), reads).unwrap();
    std::fs::write(dir.path().join("event.json"), EVENT).unwrap();
    let output = idflow(
        &["run", ".", "--event", "event.json", "--dry-run"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("give a directory with --fixtures"),
        "{}",
        stdout(&output)
    );
    let failed = idflow(&["runs", "list", "--status", "failed"], dir.path());
    assert!(
        stdout(&failed).contains("suspend_failures")
            && stdout(&failed).contains("failed     (dry run)"),
        "{}",
        stdout(&failed)
    );
    let missing = idflow(&["runs", "show", "nope"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn run_takes_several_events_and_folders_of_them_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    let events = dir.path().join("events");
    std::fs::create_dir(&events).unwrap();
    std::fs::write(events.join("2-second.json"), EVENT.replace("00u1", "00u2")).unwrap();
    std::fs::write(events.join("1-first.json"), EVENT).unwrap();
    std::fs::write(
        events.join("3-quiet.json"),
        EVENT.replace("FAILURE", "SUCCESS"),
    )
    .unwrap();
    std::fs::write(events.join("notes.txt"), "not an event").unwrap();
    std::fs::write(dir.path().join("last.json"), EVENT.replace("00u1", "00u9")).unwrap();
    let output = idflow(
        &[
            "run",
            "a.flow",
            "--event",
            "events",
            "--event",
            "last.json",
            "--dry-run",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let order: Vec<usize> = ["events/1-first.json", "events/2-second.json", "last.json"]
        .iter()
        .map(|name| text.find(&format!("event {name}")).unwrap_or(usize::MAX))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]) && order[2] != usize::MAX,
        "{text}"
    );
    for id in ["00u1", "00u2", "00u9"] {
        assert!(text.contains(&format!("{{\"id\":\"{id}\"}}")), "{text}");
    }
    assert!(stderr(&output).contains("no flow fires on events/3-quiet.json"));
    // A malformed event anywhere stops everything before the first run.
    std::fs::write(events.join("4-bad.json"), "[1]").unwrap();
    let output = idflow(&["run", ".", "--event", "events", "--dry-run"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("4-bad.json"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
}

#[test]
fn run_names_the_bad_field_of_a_malformed_event() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    for (event, message) in [
        (
            EVENT.replace("\"eventType\": \"user.session.start\"", "\"eventType\": 7"),
            "the event's `eventType` must be a string, found a number",
        ),
        (
            EVENT.replace("\"uuid\": \"1\", ", ""),
            "the event has no `uuid`",
        ),
        (
            EVENT.replace("2026-03-29T01:30:00Z", "yesterday"),
            "the event's `published` is not a time (RFC 3339",
        ),
        ("[1]".to_owned(), "the event must be a JSON object"),
    ] {
        std::fs::write(dir.path().join("bad.json"), event).unwrap();
        let output = idflow(
            &["run", ".", "--event", "bad.json", "--dry-run"],
            dir.path(),
        );
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
    std::fs::write(dir.path().join("event.json"), EVENT).unwrap();
    let output = idflow(&["run", ".", "--event", "event.json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("connector `okta`: setting `OKTA_ORG_URL` has no value"),
        "{}",
        stderr(&output)
    );
}

/// A live run: the connection comes from idflow.toml, the token from the
/// environment variable it names; the request reaches a server on
/// 127.0.0.1 with the token, and the output never shows it.
#[test]
fn run_sends_actions_through_the_connections_of_idflow_toml() {
    use axum::http::HeaderMap;
    let token = "00TOKEN-never-printed";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/api/v1/users/{id}/lifecycle/suspend",
        axum::routing::post(
            move |headers: HeaderMap, axum::extract::Path(id): axum::extract::Path<String>| {
                let log = log.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    log.lock()
                        .unwrap()
                        .push(format!("suspend {id} with {auth}"));
                    axum::Json(serde_json::json!({}))
                }
            },
        ),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), SIGNIN).unwrap();
    std::fs::write(dir.path().join("event.json"), EVENT).unwrap();
    std::fs::write(
        dir.path().join("idflow.toml"),
        format!("[connections.okta]\nbase_url = \"http://{address}\"\nsecrets = {{ OKTA_API_TOKEN = {{ env = \"TEST_OKTA_TOKEN\" }} }}\n"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_idflow"))
        .args(["run", ".", "--event", "event.json", "--format", "json"])
        .current_dir(dir.path())
        .env("TEST_OKTA_TOKEN", token)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [format!("suspend 00u1 with SSWS {token}")]
    );
    let printed = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        printed.contains("\"status\":\"ok\"") && !printed.contains(token),
        "{printed}"
    );
    // The run history has the run and its journal, and not the token.
    let listed = idflow(&["runs", "list", "--format", "json"], dir.path());
    let run: serde_json::Value =
        serde_json::from_str(stdout(&listed).lines().next().unwrap()).unwrap();
    assert_eq!(run["flow"], "suspend_failures");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["event_id"], "1");
    let shown = idflow(&["runs", "show", run["id"].as_str().unwrap()], dir.path());
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    assert!(
        stdout(&shown).contains("okta.suspend_user"),
        "{}",
        stdout(&shown)
    );
    let database = std::fs::read(dir.path().join(".idflow/state.db")).unwrap();
    assert!(!String::from_utf8_lossy(&database).contains(token));
    // A secret written inline is refused.
    std::fs::write(
        dir.path().join("idflow.toml"),
        "[connections.okta]\nsecrets = { OKTA_API_TOKEN = \"00inline\" }\n",
    )
    .unwrap();
    let output = idflow(&["run", ".", "--event", "event.json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("a secret is never written in idflow.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_secret_echoed_as_a_key_or_as_basic_auth_is_masked_everywhere() {
    use axum::http::HeaderMap;
    let password = "pw-never-printed-42";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // An API that echoes what it was sent: the Authorization header as a
    // value, and the password it finds in it as an object key.
    let app = axum::Router::new().route(
        "/echo",
        axum::routing::post(move |headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            axum::Json(serde_json::json!({
                "authorization": auth,
                (password): "seen as a key",
            }))
        }),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let flow = "import okta\n\n/// An API that echoes.\nconnector echo {\n  base_url: \"http://127.0.0.1\"\n  auth: basic(\"svc-idflow\", secret(\"ECHO_PASSWORD\"))\n\n  /// Echo.\n  action send(note: String) -> Json = POST \"/echo\" body { note }\n}\n\n/// Echoes each failed sign-in.\nflow echo_failures {\n  when okta.user_session_start as e\n  then {\n    echo.send(note: \"hello\")\n  }\n}\n";
    std::fs::write(dir.path().join("a.flow"), flow).unwrap();
    std::fs::write(dir.path().join("event.json"), EVENT).unwrap();
    std::fs::write(
        dir.path().join("idflow.toml"),
        format!("[connections.echo]\nbase_url = \"http://{address}\"\nsecrets = {{ ECHO_PASSWORD = {{ env = \"TEST_ECHO_PASSWORD\" }} }}\n"),
    )
    .unwrap();
    let encoded = "c3ZjLWlkZmxvdzpwdy1uZXZlci1wcmludGVkLTQy"; // base64 of svc-idflow:pw-never-printed-42
    for format in ["human", "json"] {
        let output = Command::new(env!("CARGO_BIN_EXE_idflow"))
            .args(["run", ".", "--event", "event.json", "--format", format])
            .current_dir(dir.path())
            .env("TEST_ECHO_PASSWORD", password)
            .output()
            .unwrap();
        let printed = format!("{}{}", stdout(&output), stderr(&output));
        assert_eq!(output.status.code(), Some(0), "{printed}");
        if format == "json" {
            assert!(printed.contains("Basic ‹redacted›"), "{printed}");
            assert!(
                printed.contains("\"‹redacted›\":\"seen as a key\""),
                "{printed}"
            );
        }
        assert!(
            !printed.contains(password) && !printed.contains(encoded),
            "{printed}"
        );
    }
    let listed = idflow(&["runs", "list", "--format", "json"], dir.path());
    let id = serde_json::from_str::<serde_json::Value>(stdout(&listed).lines().next().unwrap())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = idflow(&["runs", "show", &id, "--format", "json"], dir.path());
    assert!(stdout(&shown).contains("‹redacted›"), "{}", stdout(&shown));
    let database = std::fs::read(dir.path().join(".idflow/state.db")).unwrap();
    let database = String::from_utf8_lossy(&database);
    assert!(!database.contains(password) && !database.contains(encoded));
}

#[test]
fn run_runs_and_audit_find_the_same_store_from_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("tests")).unwrap();
    std::fs::write(project.join("a.flow"), SIGNIN).unwrap();
    std::fs::write(project.join("idflow.toml"), "").unwrap();
    std::fs::write(dir.path().join("event.json"), EVENT).unwrap();
    let ran = idflow(
        &["run", "project", "--event", "event.json", "--dry-run"],
        dir.path(),
    );
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    assert!(
        stderr(&ran).contains("recorded in project/.idflow/state.db"),
        "{}",
        stderr(&ran)
    );
    // From the parent with --project, from the project, from a folder in it.
    let places: [(&[&str], &Path); 3] = [
        (&["--project", "project"], dir.path()),
        (&[], &project),
        (&[], &project.join("tests")),
    ];
    for (extra, cwd) in places {
        let listed = idflow(&[&["runs", "list"], extra].concat(), cwd);
        assert!(
            stdout(&listed).contains("suspend_failures"),
            "{extra:?} in {}: {}",
            cwd.display(),
            stderr(&listed)
        );
        let verified = idflow(&[&["audit", "verify"], extra].concat(), cwd);
        assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    }
    // Elsewhere, the error says where it looked.
    let elsewhere = tempfile::tempdir().unwrap();
    let listed = idflow(&["runs", "list"], elsewhere.path());
    assert_eq!(listed.status.code(), Some(2));
    assert!(
        stderr(&listed).contains("no store at ./.idflow/state.db (beside ./idflow.toml"),
        "{}",
        stderr(&listed)
    );
    // `[serve] store` moves it for every command.
    std::fs::write(
        project.join("idflow.toml"),
        "[serve]\nstore = \"var/history.db\"\n",
    )
    .unwrap();
    let ran = idflow(
        &["run", "project", "--event", "event.json", "--dry-run"],
        dir.path(),
    );
    assert!(
        stderr(&ran).contains("recorded in project/var/history.db"),
        "{}",
        stderr(&ran)
    );
    let listed = idflow(&["runs", "list"], &project);
    assert_eq!(stdout(&listed).lines().count(), 1, "{}", stdout(&listed));
    let listed = idflow(&["audit", "verify", "--project", "project"], dir.path());
    assert!(stderr(&listed).is_empty(), "{}", stderr(&listed));
}

#[test]
fn runs_show_prints_the_trace_run_printed() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let store = dir.path().join("history.db");
    let store = store.to_str().unwrap();
    let examples = examples.to_str().unwrap();
    let event = format!("{examples}/events/user-deactivated.json");
    let fixtures = format!("{examples}/fixtures");
    let ran = idflow(
        &[
            "run",
            examples,
            "--event",
            &event,
            "--dry-run",
            "--fixtures",
            &fixtures,
            "--store",
            store,
        ],
        dir.path(),
    );
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    let listed = idflow(
        &["runs", "list", "--store", store, "--format", "json"],
        dir.path(),
    );
    let run: serde_json::Value =
        serde_json::from_str(stdout(&listed).lines().next().unwrap()).unwrap();
    let shown = idflow(
        &[
            "runs",
            "show",
            run["id"].as_str().unwrap(),
            "--store",
            store,
        ],
        dir.path(),
    );
    let steps = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("  #"))
            .map(str::to_owned)
            .collect()
    };
    let (printed, stored) = (stdout(&ran), stdout(&shown));
    assert!(steps(&printed).len() > 5, "{printed}");
    assert_eq!(steps(&printed), steps(&stored), "{stored}");
    assert_eq!(printed.lines().next(), stored.lines().next());
    assert!(stored.contains("  succeeded  (run "), "{stored}");
    // A status that does not exist is a usage error naming those that do,
    // not an empty list.
    let bogus = idflow(
        &["runs", "list", "--store", store, "--status", "bogus"],
        dir.path(),
    );
    assert_eq!(bogus.status.code(), Some(2));
    assert!(
        stderr(&bogus).contains("possible values: pending, running, waiting, succeeded"),
        "{}",
        stderr(&bogus)
    );
    // The help of --format says what each command prints.
    let help = stdout(&idflow(&["runs", "list", "--help"], dir.path()));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("`runs list` a line per run"), "{help}");
}

#[test]
fn a_secret_config_is_read_where_idflow_toml_says_and_masked() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "/// The HR system, which takes its key in the body.\nconnector hr {\n  base_url: \"http://127.0.0.1\"\n\n  /// Push a signature.\n  action push(key: Secret, signature: String) -> Json = POST \"/push\" body { key, signature }\n}\n\n/// The HR feed's signing key.\nconfig hr_key: Secret\n\n/// Pushes a signature every morning.\nflow f {\n  when schedule \"0 7 * * *\"\n  then {\n    hr.push(key: hr_key, signature: hmac.sha256(hr_key, \"hello\"))\n  }\n}\n";
    std::fs::write(dir.path().join("a.flow"), flow).unwrap();
    let run = |key: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_idflow"));
        command
            .args([
                "run",
                ".",
                "--schedule",
                "f",
                "--dry-run",
                "--format",
                "json",
            ])
            .current_dir(dir.path())
            .env_remove("TEST_HR_KEY");
        if let Some(key) = key {
            command.env("TEST_HR_KEY", key);
        }
        command.output().unwrap()
    };
    // No value anywhere: refused before running, saying how to give one.
    let output = run(None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("config `hr_key` has no value: a `Secret` config is given in idflow.toml's [config] as hr_key = { env = \"VARIABLE\" }"),
        "{}",
        stderr(&output)
    );
    std::fs::write(
        dir.path().join("idflow.toml"),
        "[config]\nhr_key = { env = \"TEST_HR_KEY\" }\n",
    )
    .unwrap();
    let output = run(Some("s3cr3t-hr-key"));
    let printed = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(0), "{printed}");
    // HMAC-SHA256 of "hello" under the key: the flow had the secret...
    assert!(
        printed.contains("575c9f79924390983eb387fe05be49470485f63cb81df91b61ef341815bf464b"),
        "{printed}"
    );
    // ... and its trace, passed straight as an argument, never shows it.
    assert!(printed.contains("\"key\":\"‹redacted›\""), "{printed}");
    assert!(!printed.contains("s3cr3t-hr-key"), "{printed}");
    let database = std::fs::read(dir.path().join(".idflow/state.db")).unwrap();
    assert!(!String::from_utf8_lossy(&database).contains("s3cr3t-hr-key"));
    // Set but empty: refused, naming it.
    let output = run(Some(""));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("config.hr_key"),
        "{}",
        stderr(&output)
    );
}

/// Writes `flow` as the project in `dir`, fires its scheduled flow `name`
/// in dry run, and gives what it printed; the run must succeed.
#[expect(clippy::unwrap_used, reason = "a test helper")]
fn dry_run_schedule(dir: &Path, flow: &str, name: &str) -> String {
    std::fs::write(dir.join("a.flow"), flow).unwrap();
    let output = idflow(&["run", ".", "--schedule", name, "--dry-run"], dir);
    let printed = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{printed}{}",
        stderr(&output)
    );
    printed
}

#[test]
fn parameters_left_out_take_their_defaults_in_functions_and_called_flows() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "import slack\n\n/// A label.\nfn label(a: String, b: String = \"!\") -> String {\n  a + b\n}\n\n/// Tells the channel, loudly or not.\nflow notify {\n  when called(text: String, urgent: Bool = false, times: Int = 2 * 3)\n  then {\n    slack.post_message(channel: \"#iam\", text: \"{text} {urgent} {times}\")\n  }\n}\n\n/// Every morning.\nflow morning {\n  when schedule \"0 7 * * *\"\n  then {\n    slack.post_message(channel: \"#iam\", text: label(\"a\"))\n    call notify(text: \"hello\")\n    call notify(text: \"again\", urgent: true)\n  }\n}\n";
    let printed = dry_run_schedule(dir.path(), flow, "morning");
    for text in [
        "\"text\":\"a!\"",
        "\"text\":\"hello false 6\"",
        "\"text\":\"again true 6\"",
    ] {
        assert!(printed.contains(text), "{text}: {printed}");
    }
}

#[test]
fn count_unique_min_by_and_max_by_are_typed_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "import slack\n\n/// Tells the channel about the staff.\nflow morning {\n  when schedule \"0 7 * * *\"\n  then {\n    let staff = [{ login: \"b\", days: 40 }, { login: \"a\", days: 90 }, { login: \"c\", days: 90 }, { login: \"d\", days: 3 }]\n    let idle = staff.count(s => s.days > 30)\n    let units = [\"ICU\", \"ER\", \"ICU\"].unique()\n    let oldest = staff.max_by(s => s.days)?.login ?? \"none\"\n    let newest = staff.min_by(s => s.days)?.login ?? \"none\"\n    let nobody = [].min_by(s => s)\n    slack.post_message(channel: \"#iam\", text: \"{idle} {units.len()} {oldest} {newest} {nobody == null}\")\n  }\n}\n";
    let printed = dry_run_schedule(dir.path(), flow, "morning");
    assert!(printed.contains("\"text\":\"3 2 a d true\""), "{printed}");
    // Typed like their siblings: `count` needs a condition.
    std::fs::write(
        dir.path().join("a.flow"),
        flow.replace("s.days > 30", "s.days"),
    )
    .unwrap();
    let output = idflow(&["check", "."], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn a_chunk_size_below_one_and_an_int_sum_that_overflows_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    for (value, reason) in [
        (
            "[1, 2].chunk(0).len()",
            "chunk takes a size of at least 1, not 0",
        ),
        ("[9223372036854775807, 1].sum(n => n)", "integer overflow"),
    ] {
        let flow = format!(
            "import slack\n\n/// Counts.\nflow morning {{\n  when schedule \"0 7 * * *\"\n  then {{\n    let n = {value}\n    slack.post_message(channel: \"#iam\", text: \"{{n}}\")\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join("a.flow"), flow).unwrap();
        let output = idflow(
            &["run", ".", "--schedule", "morning", "--dry-run"],
            dir.path(),
        );
        let printed = stdout(&output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{printed}{}",
            stderr(&output)
        );
        assert!(
            printed.contains(reason) && !printed.contains("slack.post_message"),
            "{printed}"
        );
    }
}

#[test]
fn env_sections_of_idflow_toml_set_config_values_checked_against_their_types() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "import okta\n\nconfig allowed: List<String> = [\"France\"]\nconfig grace: Duration = 1d\n\n/// Suspends failed sign-ins from abroad.\nflow f {\n  when okta.user_session_start as e\n  where e.client?.geographicalContext?.country not in allowed\n  then {\n    wait grace\n    okta.suspend_user(id: e.actor?.id ?? \"\")\n  }\n}\n";
    std::fs::write(dir.path().join("a.flow"), flow).unwrap();
    std::fs::write(
        dir.path().join("idflow.toml"),
        "[config]\ngrace = \"2h\"\n\n[env.prod.config]\nallowed = [\"France\", \"Belgium\"]\n",
    )
    .unwrap();
    let staging = stdout(&idflow(&["plan", "."], dir.path()));
    assert!(
        staging.contains("not in [\"France\"]") && staging.contains("wait 2h"),
        "{staging}"
    );
    let prod = stdout(&idflow(&["plan", ".", "--env", "prod"], dir.path()));
    assert!(
        prod.contains("not in [\"France\", \"Belgium\"]") && prod.contains("wait 2h"),
        "{prod}"
    );
    let hash = |text: &str| text.lines().next().unwrap_or_default().to_owned();
    assert_ne!(
        hash(&staging),
        hash(&prod),
        "another environment is another flow version"
    );
    let unknown = idflow(&["plan", ".", "--env", "preprod"], dir.path());
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("has no [env.preprod] section; environments: prod"),
        "{}",
        stderr(&unknown)
    );
    std::fs::write(
        dir.path().join("idflow.toml"),
        "[config]\ngrace = 2\nnope = 1\n",
    )
    .unwrap();
    let wrong = idflow(&["plan", "."], dir.path());
    assert_eq!(wrong.status.code(), Some(2));
    let message = stderr(&wrong);
    assert!(
        message.contains("no config `nope` in this project")
            && message.contains("`grace` must be a duration such as \"24h\", found 2"),
        "{message}"
    );
}

/// A filter that reads the clock sees the time the event is matched, not
/// the epoch.
#[test]
fn run_matches_filters_that_read_the_clock_at_the_current_time() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.flow"),
        SIGNIN.replace(
            "where e.outcome?.result == \"FAILURE\" and e.actor != null",
            "where e.actor != null and now() > parse_time(\"2026-01-01T00:00:00Z\")",
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("event.json"), EVENT).unwrap();
    let output = idflow(
        &["run", ".", "--event", "event.json", "--dry-run"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("okta.suspend_user"),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}

#[test]
fn run_fires_a_scheduled_flow_by_hand() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let store = tempfile::tempdir().unwrap();
    let store = store.path().join("state.db");
    let store = store.to_str().unwrap();
    let args = [
        "run",
        "examples",
        "--schedule",
        "report_inactive_accounts",
        "--dry-run",
        "--fixtures",
        "examples/fixtures",
        "--store",
        store,
    ];
    let output = idflow(&args, root);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.starts_with("run report_inactive_accounts  sha256:"),
        "{text}"
    );
    assert!(
        text.contains("email.send                       NOT SENT (dry run)"),
        "{text}"
    );
    // The report of the fixture's users, in the columns the flow declares.
    assert!(
        text.contains(
            "login,name,department,last_sign_in,created\\r\\nalice.girard@chu-exemple.fr"
        ),
        "{text}"
    );
    assert!(text.contains("\n  succeeded\n"), "{text}");
    let listed = idflow(
        &["runs", "list", "--store", store, "--format", "json"],
        root,
    );
    assert!(
        stdout(&listed).contains("\"flow\":\"report_inactive_accounts\""),
        "{}",
        stdout(&listed)
    );
    // A flow without a schedule is refused, naming those that have one.
    let output = idflow(
        &["run", "examples", "--schedule", "deprovision_leaver"],
        root,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--schedule deprovision_leaver: no flow of that name has a `when schedule` trigger (these have: report_inactive_accounts, end_temporary_access)"),
        "{}",
        stderr(&output)
    );
    // Either events or a schedule, not both.
    let output = idflow(
        &[
            "run",
            "examples",
            "--schedule",
            "report_inactive_accounts",
            "--event",
            "examples/events",
        ],
        root,
    );
    assert_eq!(output.status.code(), Some(2));
}

/// A project with a called flow and a webhook flow, for `run --call` and
/// `run --webhook`.
const CALLED_AND_WEBHOOK: &str = r##"import slack

/// An HR change as the HR system sends it.
type HrChange {
  employee: String,
  department: String?,
}

/// Whether an access ends within its notice.
flow ends_soon {
  when called(login: String, end: Time, notice: Duration = 7d, teams: List<String> = [])
    -> Bool
  then {
    slack.post_message(channel: "#iam", text: "{login} ends {end.format("%Y-%m-%d")} ({teams.len()} teams)")
    return end - now() < notice
  }
}

/// Tells the IAM channel about every department change.
flow hr_change {
  when webhook "/hooks/hr-feed" as change: HrChange
  where change.department != null
  then {
    slack.post_message(channel: "#iam", text: "{change.employee} moves to {change.department}")
  }
}
"##;

#[test]
fn run_call_runs_a_called_flow_with_typed_arguments_and_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), CALLED_AND_WEBHOOK).unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["run", ".", "--call", "ends_soon", "--dry-run"];
        all.extend(args);
        idflow(&all, dir.path())
    };
    let far = run(&["--arg", "login=a.b", "--arg", "end=2999-01-01T00:00:00Z"]);
    assert_eq!(far.status.code(), Some(0), "{}", stderr(&far));
    let printed = stdout(&far);
    assert!(
        printed.contains("\"text\":\"a.b ends 2999-01-01 (0 teams)\"")
            && printed.contains("succeeded, returned false"),
        "{printed}"
    );
    let typed = run(&[
        "--arg",
        "login=a.b",
        "--arg",
        "end=2000-01-01T00:00:00Z",
        "--arg",
        "teams=[\"icu\", \"er\"]",
        "--arg",
        "notice=30d",
    ]);
    let printed = stdout(&typed);
    assert!(
        printed.contains("(2 teams)") && printed.contains("succeeded, returned true"),
        "{printed}{}",
        stderr(&typed)
    );
    for (args, message) in [
        (
            vec!["--arg", "login=a", "--arg", "end=nope"],
            "--arg end=nope: `end` must be an RFC 3339 time, found \"nope\"",
        ),
        (
            vec!["--arg", "end=2000-01-01T00:00:00Z"],
            "--call ends_soon: give --arg login=… (a `String`)",
        ),
        (
            vec!["--arg", "login=a", "--arg", "bogus=1"],
            "`ends_soon` has no parameter `bogus`; its parameters: login, end, notice, teams",
        ),
        (vec!["--arg", "login"], "--arg login: write NAME=VALUE"),
    ] {
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
    let not_called = idflow(
        &["run", ".", "--call", "hr_change", "--dry-run"],
        dir.path(),
    );
    assert!(
        stderr(&not_called).contains(
            "no flow of that name has a `when called(…)` trigger (these have: ends_soon)"
        ),
        "{}",
        stderr(&not_called)
    );
}

#[test]
fn run_webhook_delivers_a_body_as_the_service_would() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.flow"), CALLED_AND_WEBHOOK).unwrap();
    let deliver = |path: &str, body: &str| {
        std::fs::write(dir.path().join("body.json"), body).unwrap();
        idflow(
            &[
                "run",
                ".",
                "--webhook",
                path,
                "--body",
                "body.json",
                "--dry-run",
            ],
            dir.path(),
        )
    };
    let fired = deliver(
        "/hooks/hr-feed",
        r#"{"employee": "A1", "department": "ICU"}"#,
    );
    assert_eq!(fired.status.code(), Some(0), "{}", stderr(&fired));
    assert!(
        stdout(&fired).contains("\"text\":\"A1 moves to ICU\""),
        "{}",
        stdout(&fired)
    );
    // The filter holds it back.
    let held = deliver("/hooks/hr-feed", r#"{"employee": "A1"}"#);
    assert_eq!(held.status.code(), Some(0));
    assert!(
        stderr(&held).contains("no flow fires on body.json (webhook \"/hooks/hr-feed\")"),
        "{}",
        stderr(&held)
    );
    for (path, body, message) in [
        (
            "/hooks/hr-feed",
            r#"{"employee": 5}"#,
            "`idflow serve` would refuse this body (400): it does not fit the flow's type: `employee` must be a string, found a number",
        ),
        (
            "/hooks/other",
            "{}",
            "no flow listens on webhook \"/hooks/other\"; flows listen on \"/hooks/hr-feed\"",
        ),
        ("/hooks/hr-feed", "{", "body.json is not JSON"),
    ] {
        let refused = deliver(path, body);
        assert_eq!(refused.status.code(), Some(2), "{path} {body}");
        assert!(stderr(&refused).contains(message), "{}", stderr(&refused));
    }
}

/// `run --schedule` fires a flow as the service would: only when its
/// filter passes (one shared answer, `runtime::fires`).
#[test]
fn run_schedule_applies_the_flow_s_filter_as_the_service_does() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "import slack\n\nconfig enabled: Bool = false\n\n/// Tells the channel, when enabled.\nflow morning {\n  when schedule \"0 7 * * *\"\n  where enabled\n  then {\n    slack.post_message(channel: \"#iam\", text: \"good morning\")\n  }\n}\n";
    std::fs::write(dir.path().join("a.flow"), flow).unwrap();
    let held = idflow(
        &["run", ".", "--schedule", "morning", "--dry-run"],
        dir.path(),
    );
    assert_eq!(held.status.code(), Some(0), "{}", stderr(&held));
    assert!(
        stderr(&held).contains("no flow fires on the schedule of `morning`"),
        "{}{}",
        stdout(&held),
        stderr(&held)
    );
    std::fs::write(dir.path().join("idflow.toml"), "[config]\nenabled = true\n").unwrap();
    let fired = idflow(
        &["run", ".", "--schedule", "morning", "--dry-run"],
        dir.path(),
    );
    assert!(
        stdout(&fired).contains("good morning"),
        "{}",
        stdout(&fired)
    );
}

/// Each `idflow run --call` (or `--webhook`, `--schedule`) is a firing of
/// its own: the writes of two invocations carry two idempotency keys, so an
/// API that deduplicates on them does not drop the second.
#[test]
fn two_invocations_send_their_writes_under_two_idempotency_keys() {
    use axum::http::HeaderMap;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/tickets",
        axum::routing::post(move |headers: HeaderMap| {
            let log = log.clone();
            async move {
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                log.lock().unwrap().push(key);
                axum::Json(serde_json::json!({}))
            }
        }),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.flow"),
        "/// The helpdesk, which deduplicates on `Idempotency-Key`.\nconnector desk {\n  base_url: env(\"DESK_URL\")\n  idempotency_header: \"Idempotency-Key\"\n\n  /// Open a ticket.\n  action open(title: String) -> Json = POST \"/tickets\" body { title }\n}\n\n/// Opens a ticket.\nflow ticket {\n  when called(title: String)\n  then {\n    desk.open(title: title)\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("idflow.toml"),
        format!("[connections.desk]\nbase_url = \"http://{address}\"\n"),
    )
    .unwrap();
    for _ in 0..2 {
        let output = idflow(
            &["run", ".", "--call", "ticket", "--arg", "title=printer"],
            dir.path(),
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let keys = seen.lock().unwrap().clone();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(!keys[0].is_empty() && keys[0] != keys[1], "{keys:?}");
}
