//! Who the flows come from: the last git commit of the project's folder,
//! its author, and whether the flows differ from it — for the audit log's
//! `version` records. A folder outside git gives nothing.

use std::path::Path;
use std::process::Command;

use idflow_runtime::audit::Provenance;

/// The provenance of the project in `dir`.
pub fn of(dir: &Path) -> Provenance {
    let Some(head) = git(dir, &["log", "-1", "--format=%H%n%an <%ae>"]) else {
        return Provenance::default();
    };
    let mut lines = head.lines();
    let commit = lines.next().map(str::to_owned);
    let author = lines.next().map(str::to_owned);
    let uncommitted = git(dir, &["status", "--porcelain", "--", "."])
        .is_some_and(|changes| !changes.trim().is_empty());
    Provenance {
        author,
        commit,
        uncommitted,
    }
}

/// What a git command prints in `dir`, when git is there and succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
        .filter(|text| !text.trim().is_empty())
}
