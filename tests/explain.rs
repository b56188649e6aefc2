//! Every diagnostic code has a long explanation, and its examples are tests:
//! the wrong example produces the code, the fixed one neither that code nor
//! any error.

use idflow_compiler::diagnostics::codes;
use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::lint;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

/// The first ```flow block after `heading`.
fn example<'a>(markdown: &'a str, heading: &str) -> Option<&'a str> {
    let after = markdown.split_once(heading)?.1;
    let block = after.split_once("```flow\n")?.1;
    Some(block.split_once("```")?.0)
}

/// Every diagnostic of `text` as a one-file project: errors and lints.
fn diagnostics_of(text: &str) -> (Project, Vec<idflow_compiler::diagnostics::Diagnostic>) {
    let mut sources = SourceMap::new();
    sources.add("example.flow", text);
    let project = Project::new(sources);
    let mut diagnostics = idflow_compiler::check(&project);
    diagnostics.extend(lint::lint(&project, &lint::Levels::new()));
    (project, diagnostics)
}

fn codes_of(text: &str) -> Vec<&'static str> {
    diagnostics_of(text).1.iter().map(|d| d.code.id).collect()
}

#[test]
fn every_code_explains_itself_with_examples_that_hold() {
    for code in codes::ALL {
        assert!(
            code.long.starts_with(&format!("# {}: ", code.id)),
            "{}: the explanation starts with its title",
            code.id
        );
        let (wrong, fixed) = (
            example(code.long, "## Wrong"),
            example(code.long, "## Fixed"),
        );
        match (wrong, fixed) {
            (Some(wrong), Some(fixed)) => {
                let found = codes_of(wrong);
                assert!(
                    found.contains(&code.id),
                    "{}: the wrong example gives {found:?}",
                    code.id
                );
                // The fixed example has no error and not this warning; other
                // lints may remain, so that examples stay short.
                let (_, fixed_diagnostics) = diagnostics_of(fixed);
                let left: Vec<&str> = fixed_diagnostics
                    .iter()
                    .filter(|d| d.is_error() || d.code == *code)
                    .map(|d| d.code.id)
                    .collect();
                assert!(
                    left.is_empty(),
                    "{}: the fixed example still gives {left:?}",
                    code.id
                );
            }
            _ => {
                assert!(
                    code.long.contains("No example: "),
                    "{}: an explanation without examples says why",
                    code.id
                );
                // These have their snapshot elsewhere, or cannot be produced.
                let elsewhere = [
                    ("E0100", "an internal error no input is meant to produce"),
                    ("E0103", "tests/ui/syntax_errors/nesting_too_deep.flow"),
                    ("E0107", "tests/ui/syntax_errors/too_many_operators.flow"),
                ];
                assert!(
                    elsewhere.iter().any(|(id, _)| *id == code.id),
                    "{} needs examples for its snapshot",
                    code.id
                );
            }
        }
    }
}

#[test]
fn explain_prints_the_explanation_and_refuses_unknown_codes() {
    let run = |code: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_idflow"))
            .args(["explain", code])
            .output()
            .unwrap()
    };
    let known = run("e0206");
    assert_eq!(known.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&known.stdout).starts_with("# E0206: unknown action"));
    let unknown = run("E0260");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `E0206`?"));
}

/// One snapshot per code: the rendered diagnostics of its wrong example.
#[test]
fn every_code_has_a_snapshot_of_its_rendered_message() {
    for code in codes::ALL {
        let Some(wrong) = example(code.long, "## Wrong") else {
            continue;
        };
        let (project, diagnostics) = diagnostics_of(wrong);
        let rendered: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.code == *code)
            .map(|d| render::to_text_in(d, &project.sources, Colors::Off))
            .collect();
        insta::assert_snapshot!(
            format!("code_{}", code.id),
            format!(
                "----- SOURCE\n{wrong}\n----- DIAGNOSTICS\n{}",
                rendered.join("\n")
            )
        );
    }
}

#[test]
fn an_okta_event_trigger_on_a_type_unknown_to_the_catalogue_warns_and_a_near_miss_is_an_error() {
    let text = "import okta\n\n/// New in Okta after this catalogue.\nflow f {\n  when okta.event(\"device.assurance.policy.evaluated\") as e\n  then {}\n}\n\n/// A typo.\nflow g {\n  when okta.event(\"user.mfa.factor.deactivated\") as e\n  then {}\n}\n";
    let (project, diagnostics) = diagnostics_of(text);
    let rendered: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.code.id == "W0908" || d.code.id == "E0205")
        .map(|d| render::to_text_in(d, &project.sources, Colors::Off))
        .collect();
    assert_eq!(rendered.len(), 2, "{rendered:#?}");
    insta::assert_snapshot!(rendered.join("\n"));
}
