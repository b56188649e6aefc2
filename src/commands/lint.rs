//! `idflow lint [PATH...] [--fix]`: everything `check` reports, plus the
//! lints at the levels `idflow.toml` sets; `--fix` applies the safe fixes.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use idflow_compiler::diagnostics::{Diagnostic, Edit, fix};
use idflow_compiler::lint;
use idflow_compiler::project::Project;
use idflow_compiler::source::FileId;

use super::{Outcome, check};
use crate::cli::LintArgs;
use crate::{config, files, report};

/// Runs the command.
pub fn run(args: &LintArgs) -> Result<Outcome> {
    let levels = config::lint_levels(&config::manifest_path(&args.paths))?;
    let mut project = files::load_project(&args.paths)?;
    let mut diagnostics = findings(&project, &levels);
    if args.fix {
        let fixed = apply_safe_fixes(&project, &diagnostics)?;
        report::note(&format!(
            "fixed {fixed} problem{}",
            if fixed == 1 { "" } else { "s" }
        ));
        project = files::load_project(&args.paths)?;
        diagnostics = findings(&project, &levels);
    }
    check::print(&diagnostics, &project.sources, args.format)?;
    Ok(check::summary(&diagnostics))
}

fn findings(project: &Project, levels: &lint::Levels) -> Vec<Diagnostic> {
    let mut diagnostics = idflow_compiler::check(project);
    diagnostics.extend(lint::lint(project, levels));
    idflow_compiler::diagnostics::sort_in_source_order(&mut diagnostics);
    diagnostics
}

/// Writes every safe fix into its file; returns how many edits were applied.
fn apply_safe_fixes(project: &Project, diagnostics: &[Diagnostic]) -> Result<usize> {
    let mut by_file: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
    for fix in diagnostics.iter().flat_map(|d| &d.fixes).filter(|f| f.safe) {
        for edit in &fix.edits {
            by_file.entry(edit.span.file).or_default().push(edit);
        }
    }
    let mut applied = 0;
    for (file, edits) in by_file {
        let Some(source) = project.sources.get(file) else {
            continue;
        };
        let (text, count) = fix::apply(&source.text, &edits);
        std::fs::write(&source.name, text)
            .with_context(|| format!("cannot write `{}`", source.name))?;
        applied += count;
    }
    Ok(applied)
}
