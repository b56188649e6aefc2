//! `idflow check [PATH...]`: parses a project with the stdlib and reports
//! every syntax and name error.

use std::path::PathBuf;

use anyhow::Result;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

use super::Outcome;
use crate::cli::CheckArgs;
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
    report::project_diagnostics(&diagnostics, &project.sources, args.error_format);
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
