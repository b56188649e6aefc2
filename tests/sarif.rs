//! `idflow check --format sarif` against the official SARIF 2.1.0 schema, and
//! `--format github` as GitHub Actions reads it.

mod support;

use std::path::Path;

use support::idflow;

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    // The resolution cases give errors of every kind, with related locations and fixes.
    let output = idflow(&["check", "--format", "sarif", "tests/ui/resolve"]);
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 15, "{} results", results.len());
    assert!(results.iter().any(|r| r["fixes"].is_array()));
    assert!(results.iter().any(|r| r["relatedLocations"].is_array()));
    // The validator is not vacuous: a level SARIF does not define is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
    // A clean project is a valid log with no result.
    let clean = idflow(&["check", "--format", "sarif", "examples"]);
    let log: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert!(validator.is_valid(&log));
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn github_output_is_one_workflow_command_per_diagnostic() {
    let output = idflow(&[
        "check",
        "--format",
        "github",
        "tests/ui/resolve/unknown_action.flow",
    ]);
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout), @"::error file=tests/ui/resolve/unknown_action.flow,line=6,col=10,endLine=6,endColumn=17,title=E0206::connector `okta` has no action `suspend`");
}

/// A missing final `}` is found at the end of the file: every format names
/// a place on the last line, not the line after it.
#[test]
fn no_location_points_past_the_last_line() {
    let case = "tests/ui/syntax_errors/unclosed_block_at_end_of_file.flow";
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(case)).unwrap();
    let lines = text.lines().count();
    let last_column = text.lines().last().unwrap().chars().count() + 1;
    let github = idflow(&["check", "--format", "github", case]);
    let github = String::from_utf8_lossy(&github.stdout);
    assert!(
        github.contains(&format!(",line={lines},col={last_column},")),
        "{github}"
    );
    let sarif = idflow(&["check", "--format", "sarif", case]);
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], lines, "{region}");
    assert_eq!(region["endLine"], lines, "{region}");
    let json = idflow(&["check", "--format", "json", case]);
    let first = String::from_utf8_lossy(&json.stdout);
    let first: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(first["line"], lines, "{first}");
}
