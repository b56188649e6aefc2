//! A run's trace as people read it — the same text for a run `idflow run`
//! just made and one `idflow runs show` reads back from the store.

use std::fmt::Write;

use idflow_runtime::trace::{StepStatus, TraceEntry};

/// A run: its flow and version, a line per step, then `outcome`.
pub fn run(
    flow: &str,
    version: &str,
    dry_run: bool,
    trace: &[TraceEntry],
    outcome: &str,
) -> String {
    let mut out = String::new();
    let mode = if dry_run { "  (dry run)" } else { "" };
    let _ = writeln!(out, "run {flow}  {version}{mode}");
    for entry in trace {
        out.push_str(&step(entry));
    }
    let _ = writeln!(out, "  {outcome}");
    out
}

/// One step on one line: its number, what it did, how it ended, its input
/// or error, and its tries when there were several.
pub fn step(entry: &TraceEntry) -> String {
    let status = match entry.status {
        StepStatus::Ok => "ok",
        StepStatus::NotSent => "NOT SENT (dry run)",
        StepStatus::Fixture => "from fixture, not sent",
        StepStatus::Failed => "FAILED",
        StepStatus::Waiting => "waiting",
        StepStatus::NotWaited => "not waited (dry run)",
        StepStatus::Replayed => "replayed from the journal, not sent again",
    };
    let mut out = format!("  #{:<3} {:<32} {status}", entry.step, entry.what);
    if let Some(input) = &entry.input {
        let _ = write!(out, "  {input}");
    }
    if let Some(error) = &entry.error {
        let _ = write!(out, "  {error}");
    }
    if entry.attempts.len() > 1 {
        let tries: Vec<String> = entry
            .attempts
            .iter()
            .map(|a| {
                a.status
                    .map_or_else(|| a.error.clone().unwrap_or_default(), |s| s.to_string())
            })
            .collect();
        let _ = write!(out, "  (tries: {})", tries.join(", "));
    }
    out.push('\n');
    out
}
