//! `idflow test --coverage`: which steps and branches of each flow the
//! tests ran, as a text summary and an lcov file. Steps are counted by their
//! place in the source, so a test whose configs change the plan still
//! covers the same lines.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use crate::test_runner::Outcome;
use idflow_compiler::line_index::LineIndex;
use idflow_compiler::plan::Plan;
use idflow_compiler::plan::ir::{FlowPlan, StepKind};
use idflow_compiler::project::Project;
use idflow_compiler::source::{FileId, Span};

/// One flow's coverage.
struct FlowCoverage<'p> {
    flow: &'p FlowPlan,
    /// Each step's place, and how many times the tests ran it.
    steps: Vec<(Span, usize)>,
    /// Each branch (an `if` arm or an `else`), by the place of its `if`:
    /// how many times the tests took it.
    branches: Vec<(Span, usize)>,
}

/// The coverage of every flow of `plan` by `outcomes`.
fn measure<'p>(plan: &'p Plan, outcomes: &[Outcome]) -> Vec<FlowCoverage<'p>> {
    let mut hits: HashMap<(&str, Span), usize> = HashMap::new();
    for outcome in outcomes {
        for (flow, span) in &outcome.covered {
            *hits.entry((flow.as_str(), *span)).or_default() += 1;
        }
    }
    let count = |flow: &str, span: Option<Span>| {
        span.and_then(|s| hits.get(&(flow, s)).copied())
            .unwrap_or(0)
    };
    plan.flows
        .iter()
        .map(|flow| {
            let span_of = |id: &u32| flow.steps.get(*id as usize).and_then(|s| s.span);
            // `if`, `for` and `parallel` are counted through what they
            // contain: their bodies' steps, and the branches below.
            let steps = flow
                .steps
                .iter()
                .filter(|s| {
                    !matches!(
                        s.kind,
                        StepKind::Branch { .. } | StepKind::Loop { .. } | StepKind::Parallel { .. }
                    )
                })
                .filter_map(|s| s.span)
                .map(|span| (span, count(&flow.name, Some(span))))
                .collect();
            let mut branches = Vec::new();
            for step in &flow.steps {
                if let (StepKind::Branch { arms, otherwise }, Some(at)) = (&step.kind, step.span) {
                    let bodies = arms.iter().map(|a| &a.body).chain([otherwise]);
                    for body in bodies.filter(|b| !b.is_empty()) {
                        branches.push((at, count(&flow.name, body.first().and_then(span_of))));
                    }
                }
            }
            FlowCoverage {
                flow,
                steps,
                branches,
            }
        })
        .collect()
}

fn ran(items: &[(Span, usize)]) -> usize {
    items.iter().filter(|(_, n)| *n > 0).count()
}

/// The text summary and the lcov report.
pub fn report(project: &Project, plan: &Plan, outcomes: &[Outcome]) -> (String, String) {
    let coverage = measure(plan, outcomes);
    let mut summary = String::from("coverage:\n");
    let (mut steps, mut steps_ran, mut branches, mut branches_ran) = (0, 0, 0, 0);
    for c in &coverage {
        let _ = writeln!(
            summary,
            "  {:<32} steps {}/{}  branches {}/{}",
            c.flow.name,
            ran(&c.steps),
            c.steps.len(),
            ran(&c.branches),
            c.branches.len()
        );
        steps += c.steps.len();
        steps_ran += ran(&c.steps);
        branches += c.branches.len();
        branches_ran += ran(&c.branches);
    }
    let _ = writeln!(
        summary,
        "  {:<32} steps {steps_ran}/{steps}  branches {branches_ran}/{branches}",
        "total"
    );
    (summary, lcov(project, &coverage))
}

/// lcov: a record per source file, its flows as functions, its steps'
/// lines and its branches.
fn lcov(project: &Project, coverage: &[FlowCoverage<'_>]) -> String {
    let files: BTreeSet<FileId> = coverage
        .iter()
        .flat_map(|c| c.steps.iter().map(|(s, _)| s.file))
        .collect();
    let mut out = String::new();
    for file in files {
        let Some(source) = project.sources.get(file) else {
            continue;
        };
        let index = LineIndex::new(&source.text);
        let line = |span: Span| index.line_col(span.start as usize).line + 1;
        let _ = writeln!(out, "TN:\nSF:{}", source.name);
        let in_file: Vec<&FlowCoverage<'_>> = coverage
            .iter()
            .filter(|c| c.steps.first().is_some_and(|(s, _)| s.file == file))
            .collect();
        for c in &in_file {
            let first = c.steps.iter().map(|(s, _)| line(*s)).min().unwrap_or(1);
            let _ = writeln!(out, "FN:{first},{}", c.flow.name);
            let calls = c.steps.iter().map(|(_, n)| *n).max().unwrap_or(0);
            let _ = writeln!(out, "FNDA:{calls},{}", c.flow.name);
        }
        let hit_flows = in_file.iter().filter(|c| ran(&c.steps) > 0).count();
        let _ = writeln!(out, "FNF:{}\nFNH:{hit_flows}", in_file.len());
        let mut lines: BTreeMap<usize, usize> = BTreeMap::new();
        for (span, n) in in_file.iter().flat_map(|c| &c.steps) {
            let entry = lines.entry(line(*span)).or_default();
            *entry = (*entry).max(*n);
        }
        for (number, n) in &lines {
            let _ = writeln!(out, "DA:{number},{n}");
        }
        let mut branch_count = 0;
        let mut branches_hit = 0;
        for (block, c) in in_file.iter().enumerate() {
            for (branch, (span, n)) in c.branches.iter().enumerate() {
                let taken = if *n == 0 {
                    "-".to_owned()
                } else {
                    n.to_string()
                };
                let _ = writeln!(out, "BRDA:{},{block},{branch},{taken}", line(*span));
                branch_count += 1;
                branches_hit += usize::from(*n > 0);
            }
        }
        let _ = writeln!(out, "BRF:{branch_count}\nBRH:{branches_hit}");
        let _ = writeln!(
            out,
            "LF:{}\nLH:{}\nend_of_record",
            lines.len(),
            lines.values().filter(|n| **n > 0).count()
        );
    }
    out
}
