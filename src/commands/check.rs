//! `idflow check [PATH...]`: parses a project with the stdlib and reports
//! every syntax and name error.

use anyhow::Result;
use idflow_compiler::diagnostics::{Diagnostic, sarif};
use idflow_compiler::source::SourceMap;

use super::Outcome;
use crate::cli::{CheckArgs, CheckFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &CheckArgs) -> Result<Outcome> {
    let project = files::load_project(&args.paths)?;
    let diagnostics = idflow_compiler::check(&project);
    print(&diagnostics, &project.sources, args.format)?;
    Ok(summary(&diagnostics))
}

/// Prints diagnostics in the chosen format.
pub fn print(diagnostics: &[Diagnostic], sources: &SourceMap, format: CheckFormat) -> Result<()> {
    match format {
        CheckFormat::Human => report::project_diagnostics(diagnostics, sources),
        CheckFormat::Json => report::out(&report::json_lines(diagnostics, sources)),
        CheckFormat::Sarif => {
            let log = sarif::to_sarif(diagnostics, sources);
            report::out(&format!("{}\n", serde_json::to_string_pretty(&log)?));
        }
        CheckFormat::Github => {
            let lines: String = diagnostics
                .iter()
                .filter_map(|d| sarif::to_github(d, sources))
                .map(|line| line + "\n")
                .collect();
            report::out(&lines);
        }
    }
    Ok(())
}

/// Writes the count of errors and warnings; findings when there is any.
pub fn summary(diagnostics: &[Diagnostic]) -> Outcome {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    report::note(&match (errors, warnings) {
        (0, 0) => "no errors".to_owned(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    });
    if diagnostics.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    }
}
