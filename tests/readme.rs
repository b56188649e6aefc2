//! The README's example flow is a real flow: it parses, is formatted, and
//! checks and lints cleanly; its main job runs.

mod support;

use idflow_compiler::project::Project;
use idflow_compiler::source::{FileId, SourceMap};
use idflow_compiler::{format, lint};

#[test]
fn the_readme_example_checks_cleanly() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let example = readme
        .split_once("```flow\n")
        .unwrap()
        .1
        .split_once("```")
        .unwrap()
        .0;
    assert_eq!(
        format::format_source(FileId(0), example).unwrap(),
        example,
        "the example is formatted"
    );
    let mut sources = SourceMap::new();
    sources.add("README.md", example);
    let project = Project::new(sources);
    let mut diagnostics = idflow_compiler::check(&project);
    diagnostics.extend(lint::lint(&project, &lint::Levels::new()));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

/// The README's main job — the reference project's flows on its sample
/// events, in dry run — runs as written (its run history kept out of the
/// repository) and every flow a sample fires succeeds.
#[test]
fn the_readme_main_job_runs_the_reference_flows_in_dry_run() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- "))
        .expect("the README gives the main job");
    let command = line
        .split_once(" -- ")
        .unwrap()
        .1
        .split_once('#')
        .map_or(line, |(command, _)| command);
    let store = tempfile::tempdir().unwrap();
    let store_path = store.path().join("state.db");
    let mut args: Vec<&str> = command.split_whitespace().collect();
    args.extend(["--store", store_path.to_str().unwrap()]);
    let output = support::idflow(&args);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    for flow in [
        "review_unjustified_privilege",
        "move_department_groups",
        "block_foreign_signin",
        "enforce_mfa_enrollment",
        "provision_clinical_account",
        "deprovision_leaver",
    ] {
        assert!(
            text.contains(&format!("run {flow}  sha256:")),
            "{flow}: {text}"
        );
    }
    assert_eq!(text.matches("\n  succeeded\n").count(), 6, "{text}");
    assert!(text.contains("NOT SENT (dry run)"), "{text}");
}
