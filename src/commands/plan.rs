//! `idflow plan [PATH...] [--flow NAME] [--format text|json|mermaid]`:
//! prints the optimized plan readably.

use anyhow::{Result, bail};
use idflow_compiler::plan::{self, render};

use super::Outcome;
use crate::cli::{PlanArgs, PlanFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &PlanArgs) -> Result<Outcome> {
    let project = files::load_project(&args.paths)?;
    let Some(mut plan) =
        super::build::build(&project, &args.paths, args.env.as_deref(), args.unoptimized)?
    else {
        return Ok(Outcome::Findings);
    };
    if let Some(name) = &args.flow {
        if !plan.flows.iter().any(|f| f.name == *name) {
            let known: Vec<&str> = plan.flows.iter().map(|f| f.name.as_str()).collect();
            bail!(
                "no flow `{name}` in this project; its flows: {}",
                known.join(", ")
            );
        }
        plan.flows.retain(|f| f.name == *name);
    }
    let text = match args.format {
        PlanFormat::Text => plan
            .flows
            .iter()
            .map(render::outline)
            .collect::<Vec<_>>()
            .join("\n"),
        PlanFormat::Mermaid => plan
            .flows
            .iter()
            .map(render::mermaid)
            .collect::<Vec<_>>()
            .join("\n"),
        PlanFormat::Json => match (&args.flow, plan.flows.first()) {
            (Some(_), Some(flow)) => serde_json::to_string_pretty(flow)? + "\n",
            _ => plan::to_json(&plan)? + "\n",
        },
    };
    report::out(&text);
    Ok(Outcome::Clean)
}
