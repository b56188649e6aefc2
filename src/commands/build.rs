//! `idflow build [PATH...] -o FILE`: checks a project and writes its plan.

use anyhow::{Context, Result};
use idflow_compiler::plan::{self, Plan, PlanError};
use idflow_compiler::project::Project;

use super::Outcome;
use crate::cli::{BuildArgs, BuildFormat, CheckFormat};
use crate::{config, files, report};

/// Runs the command.
pub fn run(args: &BuildArgs) -> Result<Outcome> {
    let project = files::load_project(&args.paths)?;
    let Some(plan) = build(&project, &args.paths, args.env.as_deref(), false)? else {
        return Ok(Outcome::Findings);
    };
    let binary = plan::to_binary(&plan)?;
    let id = plan::plan_id(&binary);
    let bytes = match args.format {
        BuildFormat::Binary => binary,
        BuildFormat::Json => plan::to_json(&plan)?.into_bytes(),
    };
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    report::note(&format!(
        "{} flow(s) planned into {} ({} bytes): plan {id}, the id `idflow serve` deploys this project under",
        plan.flows.len(),
        args.output.display(),
        bytes.len()
    ));
    Ok(Outcome::Clean)
}

/// Builds the plan for an environment (the config values of idflow.toml,
/// and of its `[env.NAME]` section), or prints the project's errors and
/// gives none.
pub fn build(
    project: &Project,
    paths: &[std::path::PathBuf],
    env: Option<&str>,
    unoptimized: bool,
) -> Result<Option<Plan>> {
    let overrides = config::config_overrides(&config::manifest_path(paths), env)?;
    let built = if unoptimized {
        plan::build_unoptimized(project, &overrides)
    } else {
        plan::build(project, &overrides)
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
