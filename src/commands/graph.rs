//! `idflow graph [PATH...] [--flow NAME] [--format mermaid|dot|svg] [-o DIR]`:
//! draws flows as diagrams.

use anyhow::{Context, Result, bail};
use idflow_compiler::graph::{self, dot, mermaid, svg};
use idflow_compiler::plan::ir::FlowPlan;

use super::Outcome;
use crate::cli::{GraphArgs, GraphFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &GraphArgs) -> Result<Outcome> {
    let project = files::load_project(&args.paths)?;
    let Some(plan) = super::build::build(&project, &args.paths, args.env.as_deref(), false)? else {
        return Ok(Outcome::Findings);
    };
    let known = || {
        plan.flows
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let flows: Vec<&FlowPlan> = match &args.flow {
        Some(name) => match plan.flows.iter().find(|f| f.name == *name) {
            Some(flow) => vec![flow],
            None => bail!("no flow `{name}` in this project; its flows: {}", known()),
        },
        None => plan.flows.iter().collect(),
    };
    match &args.output {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for flow in &flows {
                let path = dir.join(format!("{}.{}", flow.name, extension(args.format)));
                std::fs::write(&path, draw(flow, args.format))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            report::note(&format!(
                "{} diagram(s) written to {}",
                flows.len(),
                dir.display()
            ));
        }
        None => match flows.as_slice() {
            [flow] => report::out(&draw(flow, args.format)),
            [] => bail!("the project has no flow to draw"),
            _ => bail!(
                "which flow? name one with --flow (its flows: {}), or write them all with -o DIR",
                known()
            ),
        },
    }
    Ok(Outcome::Clean)
}

/// A flow's diagram in `format`.
fn draw(flow: &FlowPlan, format: GraphFormat) -> String {
    let diagram = graph::graph(flow);
    match format {
        GraphFormat::Mermaid => mermaid::render(&diagram),
        GraphFormat::Dot => dot::render(&diagram),
        GraphFormat::Svg => svg::render(&diagram),
    }
}

fn extension(format: GraphFormat) -> &'static str {
    match format {
        GraphFormat::Mermaid => "mmd",
        GraphFormat::Dot => "dot",
        GraphFormat::Svg => "svg",
    }
}
