//! `idflow runs list` and `idflow runs show ID`: the run history of the
//! project's store.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use idflow_runtime::store::{RunSummary, SqliteStore, Store};
use idflow_runtime::trace::TraceEntry;

use super::Outcome;
use crate::cli::{RunFormat, RunsCommand, StoreArgs};
use crate::report;

/// Runs the command.
pub fn run(command: &RunsCommand) -> Result<Outcome> {
    match command {
        RunsCommand::List(args) => {
            let store = open(&args.at)?.1;
            let runs = store.list(args.flow.as_deref(), args.status, args.limit)?;
            report::out(&match args.format {
                RunFormat::Human => runs.iter().map(line).collect::<String>(),
                RunFormat::Json => runs
                    .iter()
                    .map(|r| Ok(serde_json::to_string(r)? + "\n"))
                    .collect::<Result<String>>()?,
            });
            if runs.is_empty() {
                report::note("no runs");
            }
        }
        RunsCommand::Show(args) => {
            let (path, store) = open(&args.at)?;
            let Some((run, steps)) = store.show(&args.id)? else {
                bail!("no run `{}` in {}", args.id, path.display());
            };
            report::out(&match args.format {
                RunFormat::Human => readable(&run, &steps),
                RunFormat::Json => {
                    serde_json::json!({ "run": run, "steps": steps }).to_string() + "\n"
                }
            });
        }
        RunsCommand::Retry(args) => {
            let (path, store) = open(&args.at)?;
            if !store.retry(&args.id)? {
                bail!(
                    "no failed or cancelled run `{}` of `idflow serve` in {}",
                    args.id,
                    path.display()
                );
            }
            report::note(&format!(
                "run {} is pending again: `idflow serve` resumes it from its journal",
                args.id
            ));
        }
        RunsCommand::Cancel(args) => {
            let (path, store) = open(&args.at)?;
            let now = idflow_runtime::event::now_ms();
            if !store.cancel(&args.id, now)? {
                bail!(
                    "no pending, waiting or running run `{}` in {}",
                    args.id,
                    path.display()
                );
            }
            report::note(&format!("run {} cancelled", args.id));
        }
    }
    Ok(Outcome::Clean)
}

/// The project's store, which must exist; its path, for messages.
pub fn open(at: &StoreArgs) -> Result<(PathBuf, SqliteStore)> {
    let manifest = crate::store::manifest_around(at.project.as_deref());
    let path = crate::store::existing(&manifest, at.store.as_deref())?.path;
    let store = SqliteStore::open(&path)?;
    Ok((path, store))
}

/// A stored run as `idflow run` printed it: its trace, then its status
/// (and the event that fired it). A step the history holds in a shape this
/// version does not read is shown as it is stored.
fn readable(run: &RunSummary, steps: &[serde_json::Value]) -> String {
    let mut text = format!(
        "run {}  {}{}\n",
        run.flow,
        run.version,
        if run.dry_run { "  (dry run)" } else { "" }
    );
    if let Some(event) = &run.event_id {
        let _ = writeln!(text, "  event {event}");
    }
    for step in steps {
        match serde_json::from_value::<TraceEntry>(step.clone()) {
            Ok(entry) => text.push_str(&crate::trace_text::step(&entry)),
            Err(_) => {
                let _ = writeln!(text, "  {step}");
            }
        }
    }
    let detail = run
        .detail
        .as_ref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    let _ = writeln!(text, "  {}{detail}  (run {})", run.status, run.id);
    text
}

/// One run on one line.
fn line(run: &RunSummary) -> String {
    format!(
        "{}  {:<28} {:<10}{}{}\n",
        run.id,
        run.flow,
        run.status,
        if run.dry_run { " (dry run)" } else { "" },
        run.detail
            .as_ref()
            .map(|d| format!("  {d}"))
            .unwrap_or_default()
    )
}
