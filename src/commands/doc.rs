//! `idflow doc [PATH...] -o DIR [--title T]`: the catalogue of the
//! project's flows — `index.html`, `index.md` and a diagram per flow.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use idflow_compiler::catalogue::{self, Inputs};
use idflow_compiler::graph::{self, mermaid, svg};
use idflow_compiler::testing;

use super::Outcome;
use crate::cli::DocArgs;
use crate::{config, files, report};

/// Runs the command.
pub fn run(args: &DocArgs) -> Result<Outcome> {
    let project = files::load_project(&args.paths)?;
    let Some(plan) = super::build::build(&project, &args.paths, None, false)? else {
        return Ok(Outcome::Findings);
    };
    let manifest = config::manifest_path(&args.paths);
    let inputs = Inputs {
        environments: config::environments(&manifest)?,
        tests: tests_by_flow(&project),
    };
    let flows = catalogue::catalogue(&project, &plan, &inputs);
    let title = args.title.clone().unwrap_or_else(|| {
        let dir = manifest.parent().and_then(|d| d.canonicalize().ok());
        let name = dir
            .as_deref()
            .and_then(|d| d.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "idflow".to_owned());
        format!("Flows of {name}")
    });
    let diagrams = args.output.join("diagrams");
    std::fs::create_dir_all(&diagrams)
        .with_context(|| format!("cannot create {}", diagrams.display()))?;
    let mut mermaids = BTreeMap::new();
    for flow in &plan.flows {
        let drawn = graph::graph(flow);
        let path = diagrams.join(format!("{}.svg", flow.name));
        std::fs::write(&path, svg::render(&drawn))
            .with_context(|| format!("cannot write {}", path.display()))?;
        mermaids.insert(flow.name.clone(), mermaid::render(&drawn));
    }
    let html = args.output.join("index.html");
    std::fs::write(&html, catalogue::html::render(&title, &flows))
        .with_context(|| format!("cannot write {}", html.display()))?;
    let markdown = args.output.join("index.md");
    std::fs::write(
        &markdown,
        catalogue::markdown::render(&title, &flows, &mermaids),
    )
    .with_context(|| format!("cannot write {}", markdown.display()))?;
    report::note(&format!(
        "catalogue of {} flow(s) written to {}",
        flows.len(),
        args.output.display()
    ));
    Ok(Outcome::Clean)
}

/// The project's tests, run as `idflow test` runs them, by the flows they
/// fire: a test that does not build lists nothing.
fn tests_by_flow(
    project: &idflow_compiler::project::Project,
) -> BTreeMap<String, Vec<(String, bool)>> {
    let mut by_flow: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    let Ok(cases) = testing::cases(project) else {
        return by_flow;
    };
    for outcome in super::test::run_cases(project, &cases) {
        let passed = outcome.passed();
        let mut flows: Vec<&String> = outcome.runs.iter().map(|(flow, _)| flow).collect();
        flows.sort();
        flows.dedup();
        for flow in flows {
            by_flow
                .entry(flow.clone())
                .or_default()
                .push((outcome.name.clone(), passed));
        }
    }
    by_flow
}
