//! The formatter's promises, on every `.flow` file of the repository and on
//! generated programs: formatting twice changes nothing, formatting never
//! changes the syntax tree, and every comment survives.

mod support;

use idflow_compiler::format;
use idflow_compiler::source::FileId;
use idflow_compiler::syntax;
use proptest::prelude::*;

/// Checks the three promises on one text that parses without errors.
fn check_formatting(name: &str, text: &str) {
    let parsed = syntax::parse(FileId(0), text);
    assert!(!parsed.has_errors(), "{name} has syntax errors");
    let once = format::format(&parsed.module, text);
    let reparsed = syntax::parse(FileId(0), &once);
    assert!(
        !reparsed.has_errors(),
        "{name}: formatted text does not parse:\n{once}"
    );
    let twice = format::format(&reparsed.module, &once);
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert_eq!(
        support::without_spans(&parsed.module),
        support::without_spans(&reparsed.module),
        "{name}: formatting changed the tree:\n{once}"
    );
    let comments = |m: &syntax::ast::Module| {
        m.comments
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        comments(&parsed.module),
        comments(&reparsed.module),
        "{name}: comments lost or reordered"
    );
}

#[test]
fn every_flow_file_in_the_repository_formats_stably() {
    let root = support::root();
    let files: Vec<_> = support::flow_files(&root)
        .into_iter()
        .filter(|path| !path.starts_with(root.join("tests/ui/syntax_errors")))
        .collect();
    assert!(
        files.len() >= 10,
        "expected the construct cases and examples, found {files:?}"
    );
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        check_formatting(&support::relative(&path), &text);
    }
}

#[test]
fn examples_are_already_formatted() {
    for path in support::flow_files(&support::root().join("examples")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted = format::format_source(FileId(0), &text).unwrap();
        assert_eq!(
            text,
            formatted,
            "{} is not formatted; run `idflow fmt examples`",
            support::relative(&path)
        );
    }
}

#[test]
fn formatting_a_file_with_syntax_errors_is_refused() {
    let errors = format::format_source(FileId(0), "flow {").unwrap_err();
    assert!(!errors.is_empty());
}

#[test]
fn long_argument_lists_break_one_per_line_with_trailing_commas() {
    let text = "flow f {\n  when okta.user_created as e\n  then {\n    slack.post_message(channel: \"#a-rather-long-channel-name\", text: \"a message that is long enough to need a break\")\n  }\n}\n";
    insta::assert_snapshot!(format::format_source(FileId(0), text).unwrap(), @r##"
    flow f {
      when okta.user_created as e
      then {
        slack.post_message(
          channel: "#a-rather-long-channel-name",
          text: "a message that is long enough to need a break",
        )
      }
    }
    "##);
}

// ------------------------------------------------------ generated programs ---

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["u", "user", "e", "groups", "x1", "department"])
        .prop_map(str::to_owned)
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        name(),
        (0i64..100_000).prop_map(|n| n.to_string()),
        (0u32..1000, 1u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
        (
            1u32..100,
            prop::sample::select(vec!["ms", "s", "m", "h", "d", "w"])
        )
            .prop_map(|(n, u)| format!("{n}{u}")),
        "[a-z \\\\\"{}\n\té]{0,12}".prop_map(|s| {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('{', "\\{")
                .replace('\n', "\\n")
                .replace('\t', "\\t");
            format!("\"{escaped}\"")
        }),
        Just("true".to_owned()),
        Just("null".to_owned()),
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        let ops = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "and", "or", "??", "in", "not in",
        ]);
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("not {a}")),
            (name(), name()).prop_map(|(a, b)| format!("{a}.{b}")),
            (name(), name()).prop_map(|(a, b)| format!("{a}?.{b}")),
            (name(), inner.clone()).prop_map(|(a, i)| format!("{a}[{i}]")),
            (name(), prop::collection::vec((name(), inner.clone()), 0..4)).prop_map(|(f, args)| {
                let args: Vec<String> =
                    args.into_iter().map(|(n, v)| format!("{n}: {v}")).collect();
                format!("okta.{f}({})", args.join(", "))
            }),
            (name(), inner.clone()).prop_map(|(p, body)| format!("users.filter({p} => {body})")),
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec((name(), inner.clone()), 0..4).prop_map(|entries| {
                let entries: Vec<String> = entries
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                format!("{{ {} }}", entries.join(", "))
            }),
            (name(), inner.clone()).prop_map(|(a, b)| format!("\"text {{{a}}} and {{{b}}}\"")),
        ]
    })
}

fn stmt() -> impl Strategy<Value = String> {
    let simple = prop_oneof![
        (name(), expr()).prop_map(|(n, e)| format!("let {n} = {e}")),
        expr().prop_map(|e| format!("okta.suspend_user(id: {e})")),
        expr().prop_map(|e| format!("wait {e}")),
        Just("stop \"done\"".to_owned()),
        (expr(), 1u32..9).prop_map(|(e, n)| format!("okta.x(v: {e}) retry {n} backoff 1s..2m")),
        expr().prop_map(|e| format!("wait for okta.user_activated where it.id == {e} timeout 7d")),
    ];
    simple.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (
                expr(),
                prop::collection::vec(inner.clone(), 0..3),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(c, a, b)| format!(
                    "if {c} {{\n{}\n}} else {{\n{}\n}}",
                    a.join("\n"),
                    b.join("\n")
                )),
            (name(), expr(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(v, e, body)| format!("for {v} in {e} {{ {} }}", body.join("\n"))),
            prop::collection::vec(inner.clone(), 0..3)
                .prop_map(|body| format!("parallel {{\n{}\n}}", body.join("\n"))),
            // `on error` follows an action call, never another statement.
            (expr(), prop::collection::vec(inner.clone(), 0..2)).prop_map(|(e, h)| format!(
                "okta.x(v: {e}) on error(err) {{\n{}\n}}",
                h.join("\n")
            )),
            inner
                .clone()
                .prop_map(|s| format!("// note\n{s} // trailing")),
        ]
    })
}

fn program() -> impl Strategy<Value = String> {
    (prop::option::of(expr()), prop::collection::vec(stmt(), 0..6), expr()).prop_map(|(condition, stmts, config)| {
        let condition = condition.map(|c| format!("  where {c}\n")).unwrap_or_default();
        format!(
            "import okta\n/// A setting.\nconfig limit: Int = {config}\n\n/// A flow.\nflow generated {{\n  when okta.user_created as e\n{condition}  then {{\n{}\n  }}\n}}\n",
            stmts.join("\n")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_programs_format_stably(text in program()) {
        let parsed = syntax::parse(FileId(0), &text);
        prop_assume!(!parsed.has_errors());
        check_formatting("generated", &text);
    }
}

#[test]
fn windows_line_endings_and_a_byte_order_mark_are_accepted_and_normalised() {
    let text = "\u{feff}import okta\r\n\r\n// note\r\nconfig x: Int = 1 // trailing\r\n";
    let parsed = syntax::parse(FileId(0), text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(
        format::format(&parsed.module, text),
        "import okta\n\n// note\nconfig x: Int = 1 // trailing\n"
    );
}

#[test]
fn a_comment_at_the_end_of_a_line_stays_with_what_ends_there() {
    let text = "flow f {\n  when okta.user_created as e\n  then {\n    slack.post_message(channel: \"#a-rather-long-channel-name\", text: \"a message long enough to need a break\") // why\n  }\n}\n";
    let formatted = format::format_source(FileId(0), text).unwrap();
    assert!(formatted.contains("\n    ) // why\n"), "{formatted}");
    check_formatting("trailing comment", text);
}

#[test]
fn a_comment_between_a_doc_comment_and_its_item_stays_there() {
    let text = "/// Where alerts go.\n// owned by the security team\nconfig channel: String = \"#a\"\n\nconnector hr {\n  /// The base.\n  // set per environment\n  base_url: \"https://hr.example\"\n}\n";
    let formatted = format::format_source(FileId(0), text).unwrap();
    assert_eq!(formatted, text);
    check_formatting("comment under a doc comment", text);
}
