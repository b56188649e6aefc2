//! The language server, driven end to end by an independent client:
//! `pytest-lsp` (PyPI) starts `idflow lsp` over stdio and runs the tests in
//! `tests/lsp/` — diagnostics with codes and ranges, hover, completion, go
//! to definition into the stdlib, rename, formatting, a did-you-mean code
//! action, and every prefix of every example replayed as keystrokes.

use std::process::Command;

#[test]
fn an_independent_lsp_client_passes_the_editor_tests() {
    let root = env!("CARGO_MANIFEST_DIR");
    let ready = Command::new("python3")
        .args(["-c", "import pytest_lsp"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ready,
        "pytest-lsp is missing: `pip install pytest-lsp` (the README's test command does)"
    );
    let output = Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/lsp"])
        .current_dir(root)
        .env("IDFLOW_BIN", env!("CARGO_BIN_EXE_idflow"))
        .output()
        .expect("python3 runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the LSP tests failed:\n{report}");
}
