//! `idflow build [PATH...] -o FILE`: checks a project and writes its plan.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use idflow_compiler::plan::{self, Plan, PlanError};
use idflow_compiler::project::Project;

use super::Outcome;
use crate::cli::{BuildArgs, BuildFormat, CheckFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &BuildArgs) -> Result<Outcome> {
    let project = files::load_project(&args.paths)?;
    let Some(plan) = build(&project, false)? else {
        return Ok(Outcome::Findings);
    };
    let bytes = match args.format {
        BuildFormat::Binary => plan::to_binary(&plan)?,
        BuildFormat::Json => plan::to_json(&plan).into_bytes(),
    };
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    report::note(&format!(
        "{} flow(s) planned into {} ({} bytes)",
        plan.flows.len(),
        args.output.display(),
        bytes.len()
    ));
    Ok(Outcome::Clean)
}

/// Builds the plan, or prints the project's errors and gives none.
pub fn build(project: &Project, unoptimized: bool) -> Result<Option<Plan>> {
    let built = if unoptimized {
        plan::build_unoptimized(project, &BTreeMap::new())
    } else {
        plan::build(project, &BTreeMap::new())
    };
    match built {
        Ok(plan) => Ok(Some(plan)),
        Err(PlanError::Check(diagnostics)) => {
            super::check::print(&diagnostics, &project.sources, CheckFormat::Human)?;
            super::check::summary(&diagnostics);
            Ok(None)
        }
        Err(other) => Err(other.into()),
    }
}
