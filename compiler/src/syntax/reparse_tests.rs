//! [`reparse`] gives exactly what [`parse`] gives, after any edit: typing
//! or deleting at every place of real files, including edits that break an
//! item and edits that mend it.

use super::*;

fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("security", include_str!("../../../examples/security.flow")),
        (
            "security_tests",
            include_str!("../../../examples/tests/security_tests.flow"),
        ),
        ("slack", include_str!("../../../stdlib/slack.flow")),
    ]
}

fn assert_same(name: &str, edited: &str, previous: &Parsed, previous_text: &str) -> Parsed {
    let fresh = parse(FileId(3), edited);
    let reused = reparse(FileId(3), edited, previous, previous_text);
    assert_eq!(
        reused.module, fresh.module,
        "{name}: trees differ after an edit"
    );
    assert_eq!(
        reused.diagnostics, fresh.diagnostics,
        "{name}: diagnostics differ"
    );
    assert_eq!(
        reused.recovered, fresh.recovered,
        "{name}: recovered lines differ"
    );
    reused
}

#[test]
fn reparsing_after_an_insertion_or_deletion_anywhere_matches_a_full_parse() {
    for (name, text) in files() {
        let parsed = parse(FileId(3), text);
        // Every 23rd place keeps the test quick and still lands in every item.
        let places: Vec<usize> = (0..=text.len())
            .step_by(23)
            .filter(|at| text.is_char_boundary(*at))
            .collect();
        for &at in &places {
            for insertion in ["x", "}", "\"", "flow f {\n"] {
                let edited = format!("{}{insertion}{}", &text[..at], &text[at..]);
                assert_same(name, &edited, &parsed, text);
            }
            let end = (at + 7).min(text.len());
            if text.is_char_boundary(end) {
                let edited = format!("{}{}", &text[..at], &text[end..]);
                assert_same(name, &edited, &parsed, text);
            }
        }
    }
}

#[test]
fn a_chain_of_keystrokes_keeps_matching_a_full_parse() {
    let text = include_str!("../../../examples/security.flow");
    let mut current = String::new();
    let mut parsed = parse(FileId(3), &current);
    // Typing the file one character at a time, then deleting it backwards.
    for (at, c) in text.char_indices() {
        let next = format!("{}{c}", &text[..at]);
        parsed = assert_same("typing", &next, &parsed, &current);
        current = next;
    }
    while !current.is_empty() {
        let mut next = current.clone();
        next.pop();
        parsed = assert_same("deleting", &next, &parsed, &current);
        current = next;
    }
}
