//! The built-in library's reference stays complete: every built-in of the
//! compiler's catalogue is documented in docs/language.md with its signature.

mod support;

use idflow_compiler::library::BUILTINS;

#[test]
fn every_builtin_is_in_the_language_reference() {
    let reference =
        std::fs::read_to_string(support::root().join("docs/language.md")).unwrap_or_default();
    for builtin in BUILTINS {
        let row = format!("| `{}` |", builtin.qualified_name());
        assert!(
            reference.contains(&row),
            "docs/language.md does not document `{}`",
            builtin.qualified_name()
        );
    }
}
