//! The corpus of malformed inputs in `tests/ui/syntax_errors/`: each case
//! must produce at least one diagnostic, and its rendered diagnostics are
//! snapshotted beside the source.

mod support;

use idflow_compiler::source::FileId;
use idflow_compiler::syntax;

/// Names the grammar uses internally; none may reach a user.
fn internal_names() -> Vec<String> {
    syntax::Rule::all_rules()
        .iter()
        .map(|rule| format!("{rule:?}"))
        .filter(|name| name.contains('_') || name.chars().all(|c| c.is_ascii_uppercase()) || ["expr", "ident", "chunk", "primary", "stmt"].contains(&name.as_str()))
        .collect()
}

#[test]
fn syntax_errors() {
    let internal = internal_names();
    insta::glob!("ui/syntax_errors/*.flow", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = syntax::parse(FileId(0), &text);
        assert!(parsed.has_errors(), "{} parsed without error", path.display());
        for diagnostic in &parsed.diagnostics {
            let words = [diagnostic.message.as_str(), diagnostic.help.as_deref().unwrap_or("")].join(" ");
            for word in words.split(|c: char| !c.is_alphanumeric() && c != '_') {
                assert!(!internal.iter().any(|name| name == word), "`{word}` leaks a grammar rule name: {words}");
            }
            assert!(!diagnostic.message.ends_with('.'), "messages end without a period: {}", diagnostic.message);
        }
        let name = format!("{}.flow", path.file_stem().unwrap().to_string_lossy());
        let rendered = support::rendered_diagnostics(&name, &text);
        insta::assert_snapshot!(format!("----- SOURCE\n{text}\n----- DIAGNOSTICS\n{rendered}"));
    });
}

#[test]
fn three_broken_items_give_three_errors_and_the_good_item_survives() {
    let text = std::fs::read_to_string(support::root().join("tests/ui/syntax_errors/three_broken_items.flow")).unwrap();
    let parsed = syntax::parse(FileId(0), &text);
    assert_eq!(parsed.diagnostics.len(), 3, "{:#?}", parsed.diagnostics);
    assert_eq!(parsed.module.items.len(), 1, "the import between the broken items is kept");
}

#[test]
fn the_corpus_has_at_least_forty_cases() {
    let cases = support::flow_files(&support::root().join("tests/ui/syntax_errors"));
    assert!(cases.len() >= 40, "only {} cases", cases.len());
}
