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
        .filter(|name| {
            name.contains('_')
                || name.chars().all(|c| c.is_ascii_uppercase())
                || ["expr", "ident", "chunk", "primary", "stmt"].contains(&name.as_str())
        })
        .collect()
}

#[test]
fn syntax_errors() {
    let internal = internal_names();
    insta::glob!("ui/syntax_errors/*.flow", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = syntax::parse(FileId(0), &text);
        assert!(
            parsed.has_errors(),
            "{} parsed without error",
            path.display()
        );
        for diagnostic in &parsed.diagnostics {
            let words = [
                diagnostic.message.as_str(),
                diagnostic.help.as_deref().unwrap_or(""),
            ]
            .join(" ");
            for word in words.split(|c: char| !c.is_alphanumeric() && c != '_') {
                assert!(
                    !internal.iter().any(|name| name == word),
                    "`{word}` leaks a grammar rule name: {words}"
                );
            }
            assert!(
                !diagnostic.message.contains("something else"),
                "a vague message: {}",
                diagnostic.message
            );
            assert!(
                !diagnostic.message.ends_with('.'),
                "messages end without a period: {}",
                diagnostic.message
            );
        }
        let name = format!("{}.flow", path.file_stem().unwrap().to_string_lossy());
        let rendered = support::rendered_diagnostics(&name, &text);
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{text}\n----- DIAGNOSTICS\n{rendered}"
        ));
    });
}

#[test]
fn three_broken_items_give_three_errors_and_the_good_item_survives() {
    let text = std::fs::read_to_string(
        support::root().join("tests/ui/syntax_errors/three_broken_items.flow"),
    )
    .unwrap();
    let parsed = syntax::parse(FileId(0), &text);
    assert_eq!(parsed.diagnostics.len(), 3, "{:#?}", parsed.diagnostics);
    assert_eq!(
        parsed.module.items.len(),
        1,
        "the import between the broken items is kept"
    );
}

#[test]
fn a_stray_token_after_an_item_is_one_error_and_every_item_is_kept() {
    for (case, items) in [
        ("stray_brace_between_flows", 4),
        ("stray_word_after_flow", 2),
    ] {
        let path = support::root().join(format!("tests/ui/syntax_errors/{case}.flow"));
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = syntax::parse(FileId(0), &text);
        assert_eq!(
            parsed.diagnostics.len(),
            1,
            "{case}: {:#?}",
            parsed.diagnostics
        );
        assert_eq!(parsed.module.items.len(), items, "{case}");
        // The flows still use their imports: nothing is reported unused.
        let mut sources = idflow_compiler::source::SourceMap::new();
        sources.add("case.flow", &text);
        let project = idflow_compiler::project::Project::new(sources);
        let levels = idflow_compiler::lint::Levels::new();
        let unused: Vec<_> = idflow_compiler::lint::lint(&project, &levels)
            .into_iter()
            .filter(|d| d.message.contains("never used"))
            .collect();
        assert!(unused.is_empty(), "{case}: {unused:#?}");
    }
}

#[test]
fn the_corpus_has_at_least_forty_cases() {
    let cases = support::flow_files(&support::root().join("tests/ui/syntax_errors"));
    assert!(cases.len() >= 40, "only {} cases", cases.len());
}

#[test]
fn nesting_at_the_limit_parses_on_a_small_stack() {
    // Test threads have 2 MiB of stack: the deepest accepted input must fit.
    let depth = syntax::MAX_NESTING - 1;
    let parens = format!(
        "config x: Int = {}1{}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let blocks = format!(
        "flow f {{\n  when a.b\n  then {{\n{}stop{}\n  }}\n}}\n",
        "if true {\n".repeat(depth - 3),
        "\n}".repeat(depth - 3)
    );
    let records = format!(
        "config r: Json = {}1{}\n",
        "{ a: ".repeat(depth),
        " }".repeat(depth)
    );
    for text in [parens, blocks, records] {
        let parsed = syntax::parse(FileId(0), &text);
        assert!(
            parsed.diagnostics.is_empty(),
            "{:?}",
            parsed.diagnostics.first()
        );
        let formatted = idflow_compiler::format::format(&parsed.module, &text);
        assert!(!syntax::parse(FileId(0), &formatted).has_errors());
    }
}

#[test]
fn long_operator_chains_and_prefix_runs_are_bounded() {
    let chain = format!("config x: Int = 1{}\n", " + 1".repeat(5_000));
    let parsed = syntax::parse(FileId(0), &chain);
    assert_eq!(parsed.diagnostics[0].code.id, "E0107");
    let prefixes = format!("config x: Bool = {}true\n", "not ".repeat(5_000));
    assert!(syntax::parse(FileId(0), &prefixes).has_errors());
}

#[test]
fn broken_statements_are_each_reported_and_the_flow_is_kept() {
    let path = support::root().join("tests/ui/syntax_errors/several_broken_statements.flow");
    let text = std::fs::read_to_string(path).unwrap();
    let parsed = syntax::parse(FileId(0), &text);
    assert_eq!(parsed.diagnostics.len(), 3, "{:#?}", parsed.diagnostics);
    assert_eq!(parsed.recovered.len(), 3);
    let syntax::ast::Item::Flow(flow) = &parsed.module.items[0] else {
        panic!("the flow is kept")
    };
    // `let u`, `if` (now empty) and `let z = okta.suspend_user(…)` remain.
    assert_eq!(flow.body.stmts.len(), 3);
    for (diagnostic, skipped) in parsed.diagnostics.iter().zip(&parsed.recovered) {
        let span = diagnostic.span().unwrap();
        assert!(skipped.start <= span.start && span.end <= skipped.end + 1);
    }
}

#[test]
fn a_broken_line_that_opens_a_block_is_not_skipped() {
    // Skipping `if e.id == {` would leave its `}` unmatched and report
    // errors that are not there: the item reports its first error only.
    let path = support::root().join("tests/ui/syntax_errors/broken_line_that_opens_a_block.flow");
    let parsed = syntax::parse(FileId(0), &std::fs::read_to_string(path).unwrap());
    assert_eq!(parsed.diagnostics.len(), 1);
    assert!(parsed.module.items.is_empty() && parsed.recovered.is_empty());
}

mod token_soup {
    //! Any text at all: the parser returns, and every diagnostic points
    //! inside the text at character boundaries and renders.

    use super::*;
    use idflow_compiler::diagnostics::render::{self, Colors};
    use idflow_compiler::source::SourceFile;
    use proptest::prelude::*;

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "flow",
                "when",
                "where",
                "then",
                "let",
                "if",
                "else",
                "for",
                "in",
                "wait",
                "for",
                "until",
                "timeout",
                "stop",
                "return",
                "call",
                "on",
                "error",
                "retry",
                "backoff",
                "config",
                "type",
                "fn",
                "connector",
                "action",
                "read",
                "event",
                "test",
                "given",
                "expect",
                "no",
                "import",
                "{",
                "}",
                "(",
                ")",
                "[",
                "]",
                ",",
                ":",
                ".",
                "?.",
                "??",
                "=",
                "==",
                "=>",
                "->",
                "..",
                "\"",
                "\"{",
                "}\"",
                "\\",
                "//",
                "///",
                "\n",
                " ",
                "é",
                "1",
                "2.5",
                "3d",
                "_",
                "x",
                "okta",
            ])
            .prop_map(str::to_owned),
            "[a-z]{1,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_parses_to_a_result_with_renderable_diagnostics(
            tokens in prop::collection::vec(token(), 0..80),
            spaced in any::<bool>(),
        ) {
            // Unspaced, a `flow` after a line break starts an item in column 0.
            let text = tokens.join(if spaced { " " } else { "" });
            let parsed = syntax::parse(FileId(0), &text);
            let file = SourceFile { name: "soup.flow".to_owned(), text: text.clone() };
            for diagnostic in &parsed.diagnostics {
                let span = diagnostic.span().unwrap();
                prop_assert!(span.start <= span.end && span.end as usize <= text.len());
                prop_assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
                prop_assert!(!render::to_text(diagnostic, &file, Colors::Off).is_empty());
            }
        }
    }
}
