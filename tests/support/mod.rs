//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(clippy::expect_used, reason = "test helpers fail loudly")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::source::{FileId, SourceFile};
use idflow_compiler::syntax::{self, ast::Module};

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path relative to the repository root, with `/` separators, for snapshot names.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The syntax tree as JSON with every `span` removed, so two trees compare
/// equal when they differ only in positions.
pub fn without_spans(module: &Module) -> serde_json::Value {
    let mut value = serde_json::to_value(module).expect("the tree serializes");
    strip(&mut value);
    value
}

fn strip(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("span");
            map.remove("file");
            // Comments are compared by the formatter tests separately.
            map.remove("comments");
            map.values_mut().for_each(strip);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// Every diagnostic of `text` rendered as the terminal shows it, colour off.
pub fn rendered_diagnostics(name: &str, text: &str) -> String {
    let parsed = syntax::parse(FileId(0), text);
    let file = SourceFile {
        name: name.to_owned(),
        text: text.to_owned(),
    };
    parsed
        .diagnostics
        .iter()
        .map(|d| render::to_text(d, &file, Colors::Off))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `.flow` file under `dir`, recursively, sorted.
pub fn flow_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    stack.push(path);
                }
            } else if name.ends_with(".flow") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs the `idflow` binary from the repository's root.
pub fn idflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idflow"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the idflow binary starts")
}

/// Runs the `idflow` binary from the repository's root with `input` on its
/// standard input.
pub fn idflow_with_input(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idflow"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the idflow binary starts");
    let mut stdin = child.stdin.take().expect("its standard input is piped");
    stdin
        .write_all(input)
        .expect("idflow reads its standard input");
    drop(stdin);
    child.wait_with_output().expect("idflow ends")
}
