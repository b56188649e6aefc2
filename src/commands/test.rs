//! `idflow test [PATH...] [--filter TEXT] [--format human|json]`: runs the
//! project's `test` blocks in process, with no network, and reports each;
//! the human output ends with `N passed, M failed`.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};
use idflow_compiler::line_index::LineIndex;
use idflow_compiler::plan::value::Value;
use idflow_compiler::project::Project;
use idflow_compiler::source::Span;
use idflow_compiler::testing;
use idflow_runtime::test_runner::{self, Outcome};

use super::Outcome as Exit;
use crate::cli::{TestArgs, TestFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &TestArgs) -> Result<Exit> {
    let project = files::load_project(&args.paths)?;
    let cases = match testing::cases(&project) {
        Ok(cases) => cases,
        Err(errors) => {
            for error in errors {
                report::note(&format!(
                    "{}: {}",
                    place(&project, error.span),
                    error.message
                ));
            }
            return Ok(Exit::Findings);
        }
    };
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| {
            args.filter
                .as_ref()
                .is_none_or(|f| c.name.contains(f.as_str()))
        })
        .collect();
    let outcomes = run_cases(&project, &cases);
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    report::out(&match args.format {
        TestFormat::Human => human(&project, &outcomes),
        TestFormat::Json => json_lines(&outcomes)?,
        TestFormat::Junit => junit(&project, &cases, &outcomes)?,
    });
    if let Some(path) = &args.coverage {
        let plan = idflow_compiler::plan::build(&project, &std::collections::BTreeMap::new())?;
        let (summary, lcov) = idflow_runtime::coverage::report(&project, &plan, &outcomes);
        report::note(summary.trim_end());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, lcov).with_context(|| format!("cannot write {}", path.display()))?;
        report::note(&format!("lcov written to {}", path.display()));
    }
    Ok(if failed == 0 {
        Exit::Clean
    } else {
        Exit::Findings
    })
}

/// Runs each test case, its `json("…")` files read beside its file.
pub fn run_cases(project: &Project, cases: &[testing::TestCase]) -> Vec<Outcome> {
    cases
        .iter()
        .map(|case| {
            let dir = project
                .sources
                .get(case.file)
                .and_then(|f| Path::new(&f.name).parent().map(Path::to_path_buf))
                .unwrap_or_default();
            test_runner::run(project, case, &mut |path| load_json(&dir.join(path)))
        })
        .collect()
}

/// Reads a `json("…")` file of a test.
fn load_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    // An Event Hook delivery of one event stands for that event.
    let json = match json.pointer("/data/events/0") {
        Some(event) => event.clone(),
        None => json,
    };
    Ok(Value::from_json(&json))
}

/// `file:line:column` of a span.
fn place(project: &Project, span: Span) -> String {
    match project.sources.get(span.file) {
        Some(file) => {
            let at = LineIndex::new(&file.text).line_col(span.start as usize);
            format!("{}:{}:{}", file.name, at.line + 1, at.column + 1)
        }
        None => "?".to_owned(),
    }
}

/// A line per test, the failures under it, then the count.
fn human(project: &Project, outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for outcome in outcomes {
        let verdict = if outcome.passed() { "ok" } else { "FAILED" };
        let _ = writeln!(out, "test \"{}\" ... {verdict}", outcome.name);
        for failure in &outcome.failures {
            let _ = writeln!(out, "  --> {}", place(project, failure.span));
            let _ = writeln!(out, "  {}", failure.message);
            if let Some(detail) = &failure.detail {
                for line in detail.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
    }
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let _ = writeln!(out, "{passed} passed, {} failed", outcomes.len() - passed);
    out
}

/// JUnit XML: a suite per file, a case per test, a failure per test that
/// failed with every expectation that did not hold.
fn junit(project: &Project, cases: &[testing::TestCase], outcomes: &[Outcome]) -> Result<String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suites: Vec<TestSuite> = Vec::new();
    for (case, outcome) in cases.iter().zip(outcomes) {
        let file = project
            .sources
            .get(case.file)
            .map_or_else(|| "?".to_owned(), |f| f.name.clone());
        let status = if outcome.passed() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let text: Vec<String> = outcome
                .failures
                .iter()
                .map(|f| {
                    let detail = f
                        .detail
                        .as_deref()
                        .map(|d| format!("\n{d}"))
                        .unwrap_or_default();
                    format!("{}: {}{detail}", place(project, f.span), f.message)
                })
                .collect();
            status.set_message(
                outcome
                    .failures
                    .first()
                    .map_or_else(String::new, |f| f.message.clone()),
            );
            status.set_description(text.join("\n"));
            status
        };
        let mut test = TestCase::new(outcome.name.clone(), status);
        test.set_classname(file.clone());
        match suites.iter_mut().find(|s| s.name.as_str() == file) {
            Some(suite) => {
                suite.add_test_case(test);
            }
            None => {
                let mut suite = TestSuite::new(file);
                suite.add_test_case(test);
                suites.push(suite);
            }
        }
    }
    let mut report = Report::new("idflow test");
    report.add_test_suites(suites);
    Ok(report.to_string()? + "\n")
}

/// One JSON object per test, then the count.
fn json_lines(outcomes: &[Outcome]) -> Result<String> {
    let mut out = String::new();
    for outcome in outcomes {
        let mut line = serde_json::to_value(outcome)?;
        if let Some(object) = line.as_object_mut() {
            object.insert(
                "passed".to_owned(),
                serde_json::Value::Bool(outcome.passed()),
            );
        }
        let _ = writeln!(out, "{line}");
    }
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let _ = writeln!(
        out,
        "{}",
        serde_json::json!({ "passed": passed, "failed": outcomes.len() - passed })
    );
    Ok(out)
}
