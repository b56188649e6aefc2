//! `idflow replay PATH --events FILE`: an event archive through the
//! project's triggers and filters, with nothing run; how often each flow
//! would have fired.

use std::fs::File;
use std::io::{IsTerminal as _, Read};

use anyhow::{Context as _, Result};
use idflow_compiler::jit::Mode;
use idflow_runtime::replay::{self, Options, Report};
use indicatif::{ProgressBar, ProgressStyle};

use super::Outcome;
use crate::cli::{ReplayArgs, ReplayFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &ReplayArgs) -> Result<Outcome> {
    let project = files::load_project(&args.paths)?;
    let Some(plan) = super::build::build(&project, &args.paths, args.env.as_deref(), false)? else {
        return Ok(Outcome::Findings);
    };
    let progress = progress_bar(args)?;
    let input = open(args, &progress)?;
    let options = Options {
        mode: if args.interpreter {
            Mode::Interpreter
        } else {
            Mode::Jit
        },
        flow: args.flow.clone(),
        strict: args.strict,
    };
    let result = replay::replay(&plan, input, &options);
    progress.finish_and_clear();
    let found = result?;
    match args.format {
        ReplayFormat::Human => report::out(&human(&found, args)),
        ReplayFormat::Json => report::out(&format!("{}\n", serde_json::to_string_pretty(&found)?)),
    }
    Ok(Outcome::Clean)
}

/// A bar over the archive's bytes on a terminal; nothing when piped.
fn progress_bar(args: &ReplayArgs) -> Result<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return Ok(ProgressBar::hidden());
    }
    let length = if args.events.as_os_str() == "-" {
        None
    } else {
        std::fs::metadata(&args.events).ok().map(|m| m.len())
    };
    Ok(match length {
        Some(length) => ProgressBar::new(length).with_style(
            ProgressStyle::with_template(
                "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
            )
            .context("the progress bar's template")?,
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {binary_bytes} {binary_bytes_per_sec}")
                .context("the progress bar's template")?,
        ),
    })
}

/// The archive, or standard input for `-`, counted by the progress bar.
fn open(args: &ReplayArgs, progress: &ProgressBar) -> Result<Box<dyn Read>> {
    let input: Box<dyn Read> = if args.events.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = File::open(&args.events)
            .with_context(|| format!("cannot read `{}`", args.events.display()))?;
        Box::new(file)
    };
    Ok(Box::new(progress.wrap_read(input)))
}

/// The report, for people.
fn human(found: &Report, args: &ReplayArgs) -> String {
    let mut out = format!(
        "replayed {} events in {:.2} s ({:.0} events/s){}\n",
        found.events,
        found.seconds,
        found.events_per_second(),
        if args.interpreter {
            ", filters interpreted"
        } else {
            ""
        }
    );
    for flow in &found.flows {
        out.push_str(&format!(
            "\n{}: would have fired on {} event{}\n",
            flow.flow,
            flow.fired,
            if flow.fired == 1 { "" } else { "s" }
        ));
        for (event_type, count) in &flow.by_type {
            out.push_str(&format!("  {count:>10}  {event_type}\n"));
        }
        for sample in &flow.first {
            out.push_str(&format!("  first: {}  {}\n", sample.uuid, sample.published));
        }
    }
    if !found.not_replayed.is_empty() {
        out.push_str("\nnot replayed (no event starts them):\n");
        for flow in &found.not_replayed {
            out.push_str(&format!(
                "  {}  started by {}\n",
                flow.flow, flow.started_by
            ));
        }
    }
    out.push_str(&format!(
        "\n{} of {} events ({:.1}%) have a type no flow triggers on\n",
        found.no_flow_for_type,
        found.events,
        found.unmatched_share() * 100.0
    ));
    if found.malformed > 0 {
        out.push_str(&format!(
            "{} malformed entr{} skipped:\n",
            found.malformed,
            if found.malformed == 1 { "y" } else { "ies" }
        ));
        for entry in &found.malformed_listed {
            out.push_str(&format!("  {}: {}\n", entry.place, entry.error));
        }
    }
    out
}
