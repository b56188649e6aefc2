//! Every construct of the language parses without diagnostics. Each case in
//! `tests/ui/constructs/` is snapshotted with its canonical formatting and its
//! syntax tree (positions left out).

mod support;

use idflow_compiler::format;
use idflow_compiler::source::FileId;
use idflow_compiler::syntax;

#[test]
fn constructs() {
    insta::glob!("ui/constructs/*.flow", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = syntax::parse(FileId(0), &text);
        assert!(
            parsed.diagnostics.is_empty(),
            "{}:\n{}",
            path.display(),
            support::rendered_diagnostics(&support::relative(path), &text)
        );
        let formatted = format::format(&parsed.module, &text);
        let tree = serde_json::to_string_pretty(&support::without_spans(&parsed.module)).unwrap();
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{text}\n----- FORMATTED\n{formatted}\n----- TREE\n{tree}\n"
        ));
    });
}

#[test]
fn every_rule_of_the_grammar_has_a_construct_case() {
    // A rule that no construct case exercises is a part of the language
    // without a snapshot; list the rules seen while parsing the cases.
    use pest::Parser as _;
    let mut seen = std::collections::BTreeSet::new();
    for path in support::flow_files(&support::root().join("tests/ui/constructs")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let pairs = syntax::FlowParser::parse(syntax::Rule::chunk, &text).unwrap();
        for pair in pairs.flatten() {
            seen.insert(format!("{:?}", pair.as_rule()));
        }
    }
    let silent_or_lexical = [
        "EOI",
        "WHITESPACE",
        "reserved",
        "ident_char",
        "word",
        "duration_unit",
        "prefix_op",
        "infix_op",
        "postfix_op",
        "primary",
        "stmt",
        "item",
        "connector_member",
        "test_stmt",
    ];
    let missing: Vec<String> = syntax::Rule::all_rules()
        .iter()
        .map(|rule| format!("{rule:?}"))
        .filter(|name| !seen.contains(name) && !silent_or_lexical.contains(&name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a construct case: {missing:?}"
    );
}
