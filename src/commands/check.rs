//! `idflow check [PATH...]`: parses a project with the stdlib and reports
//! every syntax and name error.

use std::path::PathBuf;

use anyhow::Result;
use idflow_compiler::diagnostics::sarif;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

use super::Outcome;
use crate::cli::{CheckArgs, CheckFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &CheckArgs) -> Result<Outcome> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut sources = SourceMap::new();
    for path in files::collect_flow_files(&paths)? {
        let text = files::read_source(&path)?;
        sources.add(path.display().to_string(), text);
    }
    let project = Project::new(sources);
    let diagnostics = idflow_compiler::check(&project);
    match args.format {
        CheckFormat::Human => report::project_diagnostics(&diagnostics, &project.sources),
        CheckFormat::Json => report::out(&report::json_lines(&diagnostics, &project.sources)),
        CheckFormat::Sarif => {
            let log = sarif::to_sarif(&diagnostics, &project.sources);
            report::out(&format!("{}\n", serde_json::to_string_pretty(&log)?));
        }
        CheckFormat::Github => {
            let lines: String = diagnostics
                .iter()
                .filter_map(|d| sarif::to_github(d, &project.sources))
                .map(|line| line + "\n")
                .collect();
            report::out(&lines);
        }
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    report::note(&match errors {
        0 => "no errors".to_owned(),
        1 => "1 error".to_owned(),
        n => format!("{n} errors"),
    });
    Ok(if errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
