//! Rules of the code's shape that a reviewer should not have to check by
//! hand.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a source tree that cannot be read fails it"
)]

mod support;

use std::path::Path;

/// The longest a source file may grow: past it, a file holds more than one
/// concern and is split (as `executor/`, `http/` and `store/sqlite/` were).
const MAX_LINES: usize = 800;

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_source_file_is_longer_than_800_lines() {
    let mut files = Vec::new();
    for dir in ["compiler/src", "runtime/src", "lsp/src", "src", "files/src"] {
        rust_files(&support::root().join(dir), &mut files);
    }
    assert!(files.len() > 100, "only {} files found", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", support::relative(path)))
        })
        .collect();
    assert!(long.is_empty(), "longer than {MAX_LINES} lines: {long:#?}");
}
