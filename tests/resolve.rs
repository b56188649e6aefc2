//! Name resolution on the cases of `tests/ui/resolve/`: each case is a
//! one-file project checked with the stdlib; its rendered diagnostics are
//! snapshotted beside the source.

mod support;

use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

/// Checks `text` as the only file of a project named `name`.
fn check(name: &str, text: &str) -> Vec<idflow_compiler::diagnostics::Diagnostic> {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    idflow_compiler::check(&Project::new(sources))
}

fn rendered(name: &str, text: &str) -> String {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    let project = Project::new(sources);
    idflow_compiler::check(&project)
        .iter()
        .map(|d| render::to_text_in(d, &project.sources, Colors::Off))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn resolve_cases() {
    insta::glob!("ui/resolve/*.flow", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!("{}.flow", path.file_stem().unwrap().to_string_lossy());
        let diagnostics = check(&name, &text);
        assert!(!diagnostics.is_empty(), "{name} has no error");
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{text}\n----- DIAGNOSTICS\n{}",
            rendered(&name, &text)
        ));
    });
}

#[test]
fn every_name_resolution_code_has_a_case() {
    let mut seen = std::collections::BTreeSet::new();
    for path in support::flow_files(&support::root().join("tests/ui/resolve")) {
        let text = std::fs::read_to_string(&path).unwrap();
        seen.extend(check("case.flow", &text).iter().map(|d| d.code.id));
    }
    for code in idflow_compiler::diagnostics::codes::ALL
        .iter()
        .filter(|c| c.id.starts_with("E02"))
    {
        assert!(
            seen.contains(code.id),
            "{} has no case in tests/ui/resolve",
            code.id
        );
    }
}

#[test]
fn a_flow_with_five_independent_errors_reports_all_five() {
    let path = support::root().join("tests/ui/resolve/five_independent_errors.flow");
    let diagnostics = check("five.flow", &std::fs::read_to_string(path).unwrap());
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(
        codes,
        ["E0205", "E0206", "E0208", "E0203", "E0207"],
        "{diagnostics:#?}"
    );
}

#[test]
fn the_stdlib_resolves_without_a_diagnostic() {
    let diagnostics = idflow_compiler::check(&Project::new(SourceMap::new()));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn a_flow_that_does_not_parse_is_not_also_reported_unknown() {
    let text = "flow caller {\n  when called(id: String)\n  then {\n    call helper(id: id)\n  }\n}\n\nflow helper {\n  when called(id: String)\n  then { = }\n}\n";
    let diagnostics = check("cascade.flow", text);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["E0101"], "{diagnostics:#?}");
}

#[test]
fn did_you_mean_comes_with_a_fix_that_replaces_the_name() {
    let diagnostics = check(
        "fix.flow",
        "import okta\n\nflow f {\n  when okta.user_create\n  then {}\n}\n",
    );
    let fix = &diagnostics[0].fixes[0];
    assert_eq!(fix.edits[0].replacement, "user_created");
    let span = fix.edits[0].span;
    assert_eq!(
        &"import okta\n\nflow f {\n  when okta.user_create\n  then {}\n}\n"[span.range()],
        "user_create"
    );
}

#[test]
fn the_examples_check_cleanly() {
    let mut sources = SourceMap::new();
    for path in support::flow_files(&support::root().join("examples")) {
        sources.add(
            support::relative(&path),
            std::fs::read_to_string(&path).unwrap(),
        );
    }
    let diagnostics = idflow_compiler::check(&Project::new(sources));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}
