//! `idflow fmt [--check] [PATH...]`: formats files in place, or with
//! `--check` lists those that are not formatted.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use idflow_compiler::format;
use idflow_compiler::source::{FileId, SourceFile};
use similar::TextDiff;

use super::Outcome;
use crate::cli::FmtArgs;
use crate::{files, report};

/// Runs the command.
pub fn run(args: &FmtArgs) -> Result<Outcome> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut outcome = Outcome::Clean;
    let mut changed = 0usize;
    let paths = files::collect_flow_files(&paths)?;
    for path in &paths {
        let text = files::read_source(path)?;
        let formatted = match format::format_source(FileId(0), &text) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                let file = SourceFile {
                    name: path.display().to_string(),
                    text,
                };
                report::diagnostics(&diagnostics, &file, args.error_format);
                outcome = Outcome::Findings;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            report::out(&format!(
                "would reformat {}\n{}",
                path.display(),
                unified_diff(path, &text, &formatted)
            ));
            outcome = Outcome::Findings;
        } else {
            std::fs::write(path, formatted)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
    }
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    report::note(&format!("{changed} of {} files {verb}", paths.len()));
    Ok(outcome)
}

/// What formatting would change, as a unified diff with three lines of context.
fn unified_diff(path: &std::path::Path, before: &str, after: &str) -> String {
    let name = path.display().to_string();
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (formatted)"))
        .to_string()
}
