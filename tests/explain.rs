//! Every diagnostic code has a long explanation, and its examples are tests:
//! the wrong example produces the code, the fixed one checks cleanly.

use idflow_compiler::diagnostics::codes;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

/// The first ```flow block after `heading`.
fn example<'a>(markdown: &'a str, heading: &str) -> Option<&'a str> {
    let after = markdown.split_once(heading)?.1;
    let block = after.split_once("```flow\n")?.1;
    Some(block.split_once("```")?.0)
}

fn codes_of(text: &str) -> Vec<&'static str> {
    let mut sources = SourceMap::new();
    sources.add("example.flow", text);
    idflow_compiler::check(&Project::new(sources))
        .iter()
        .map(|d| d.code.id)
        .collect()
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
                assert_eq!(
                    codes_of(fixed),
                    Vec::<&str>::new(),
                    "{}: the fixed example has errors",
                    code.id
                );
            }
            _ => assert!(
                code.long.contains("No example: "),
                "{}: an explanation without examples says why",
                code.id
            ),
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
