//! What-if over an event archive: every event of an Okta System Log export
//! (or of recorded Event Hook deliveries) goes through the project's
//! trigger index and filters — the same [`Matcher`] `idflow serve` uses,
//! compiled to native code where the plan says so — and nothing runs. The
//! report says, per flow, how many events would have fired it, the first
//! few of them, and the counts per event type.
//!
//! The archive is read as a stream (see `input`): memory stays flat however
//! large it is. A malformed line is counted and reported with its number,
//! unless the replay is strict.

mod input;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Instant;

use idflow_compiler::jit::extract::Slot;
use idflow_compiler::jit::{JitError, Matcher, Mode};
use idflow_compiler::plan::ir::{FlowPlan, Plan, Trigger};
use serde::{Deserialize, Serialize};

use input::Item;
pub use input::Place;

/// How many matching events each flow's report lists.
pub const SAMPLES: usize = 5;

/// How many malformed events the report lists (all are counted).
pub const MALFORMED_LISTED: usize = 20;

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The archive could not be read.
    #[error("cannot read the events: {0}")]
    Io(#[from] std::io::Error),
    /// The filters could not be compiled.
    #[error("cannot compile the trigger filters: {0}")]
    Jit(#[from] JitError),
    /// `--flow` names no flow of the project.
    #[error("no flow `{name}` in this project; its flows: {known}")]
    UnknownFlow {
        /// The name given.
        name: String,
        /// The project's flows, comma-separated.
        known: String,
    },
    /// `--flow` names a flow no event starts (a schedule, a webhook).
    #[error(
        "`{name}` is started by {by}, not by Okta events: a replay of events says nothing of it"
    )]
    NotEventFired {
        /// The flow.
        name: String,
        /// What starts it, in words.
        by: &'static str,
    },
    /// A strict replay met something that is not an event.
    #[error("{place}: not an event: {error}")]
    Malformed {
        /// Where.
        place: Place,
        /// What the JSON reader said.
        error: String,
    },
}

/// How to replay.
#[derive(Clone, Debug)]
pub struct Options {
    /// Native filters where the plan compiles them, or the interpreter.
    pub mode: Mode,
    /// Report this flow alone.
    pub flow: Option<String>,
    /// Stop at the first malformed event instead of counting it.
    pub strict: bool,
}

/// One event that fired a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// Its `uuid`.
    pub uuid: String,
    /// Its `published` time, as written.
    pub published: String,
}

/// What one flow would have done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowReport {
    /// The flow.
    pub flow: String,
    /// How many events would have fired it.
    pub fired: u64,
    /// The first of them, in archive order.
    pub first: Vec<Sample>,
    /// How many of them per event type.
    pub by_type: BTreeMap<String, u64>,
}

/// A flow a replay of events leaves out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotReplayed {
    /// The flow.
    pub flow: String,
    /// What starts it: "a schedule", "a webhook", "a call" (a flow other
    /// flows `call`).
    pub started_by: &'static str,
}

/// What starts a flow no event does, in words; none when an event does.
fn started_by(flow: &FlowPlan) -> Option<&'static str> {
    if flow
        .triggers
        .iter()
        .any(|t| matches!(t, Trigger::Event { .. }))
    {
        return None;
    }
    Some(match flow.triggers.first() {
        Some(Trigger::Schedule { .. }) => "a schedule",
        Some(Trigger::Webhook { .. }) => "a webhook",
        _ => "a call",
    })
}

/// Something in the archive that is not an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// Where.
    pub place: Place,
    /// What the JSON reader said.
    pub error: String,
}

/// What a replay found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Events read (malformed ones not included).
    pub events: u64,
    /// Events whose type no flow of the project triggers on.
    pub no_flow_for_type: u64,
    /// Malformed entries, counted.
    pub malformed: u64,
    /// The first malformed entries.
    pub malformed_listed: Vec<Malformed>,
    /// Per flow an event can start, in the project's order (or the one
    /// flow asked for).
    pub flows: Vec<FlowReport>,
    /// The flows no event starts — a schedule, a webhook — which a replay
    /// of events cannot judge, with what starts them.
    pub not_replayed: Vec<NotReplayed>,
    /// How long the replay took, in seconds.
    pub seconds: f64,
}

impl Report {
    /// Events per second.
    pub fn events_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.events as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// The share of events no flow's type could match, from 0 to 1.
    pub fn unmatched_share(&self) -> f64 {
        if self.events == 0 {
            0.0
        } else {
            self.no_flow_for_type as f64 / self.events as f64
        }
    }
}

/// The fields of an event a report lists.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    uuid: String,
    #[serde(default)]
    published: String,
}

/// Replays the events of `input` against `plan`.
pub fn replay(
    plan: &Plan,
    input: Box<dyn Read + '_>,
    options: &Options,
) -> Result<Report, ReplayError> {
    let selected = match &options.flow {
        Some(name) => Some(
            plan.flows
                .iter()
                .position(|f| f.name == *name)
                .ok_or_else(|| ReplayError::UnknownFlow {
                    name: name.clone(),
                    known: plan
                        .flows
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?,
        ),
        None => None,
    };
    if let Some(flow) = selected.and_then(|f| plan.flows.get(f))
        && let Some(by) = started_by(flow)
    {
        return Err(ReplayError::NotEventFired {
            name: flow.name.clone(),
            by,
        });
    }
    let matcher = Matcher::new(plan, options.mode, BTreeMap::new())?;
    let reads_clock = matcher.interprets_filters();
    let started = Instant::now();
    let mut report = Report {
        events: 0,
        no_flow_for_type: 0,
        malformed: 0,
        malformed_listed: Vec::new(),
        flows: plan
            .flows
            .iter()
            .map(|f| FlowReport {
                flow: f.name.clone(),
                fired: 0,
                first: Vec::new(),
                by_type: BTreeMap::new(),
            })
            .collect(),
        not_replayed: Vec::new(),
        seconds: 0.0,
    };
    let mut slots: Vec<Slot> = Vec::new();
    let malformed = |report: &mut Report, place: Place, error: String| {
        if options.strict {
            return Err(ReplayError::Malformed { place, error });
        }
        report.malformed += 1;
        if report.malformed_listed.len() < MALFORMED_LISTED {
            report.malformed_listed.push(Malformed { place, error });
        }
        Ok(())
    };
    input::read(input, &mut |item| match item {
        Item::Malformed { place, error } => malformed(&mut report, place, error),
        Item::Event { bytes, place } => {
            if reads_clock {
                // `now()` in a filter is when the event happened.
                let head: Option<Head> = serde_json::from_slice(bytes).ok();
                let at = head.and_then(|h| crate::event::published_ms(&h.published));
                matcher.set_now(at.unwrap_or(0));
            }
            let matched = match matcher.match_event("okta", bytes, &mut slots) {
                Ok(matched) => matched,
                Err(error) => return malformed(&mut report, place, error.to_string()),
            };
            report.events += 1;
            report.no_flow_for_type += u64::from(!matched.typed);
            let event_type = matched.event_type.as_deref().unwrap_or_default();
            // The uuid and time are read at most once an event, and only
            // while some flow still lists its first matches.
            let mut head: Option<Option<Head>> = None;
            for flow in matched.flows {
                let Some(entry) = report.flows.get_mut(flow as usize) else {
                    continue;
                };
                entry.fired += 1;
                match entry.by_type.get_mut(event_type) {
                    Some(count) => *count += 1,
                    None => {
                        entry.by_type.insert(event_type.to_owned(), 1);
                    }
                }
                if entry.first.len() < SAMPLES
                    && let Some(head) =
                        head.get_or_insert_with(|| serde_json::from_slice(bytes).ok())
                {
                    entry.first.push(Sample {
                        uuid: head.uuid.clone(),
                        published: head.published.clone(),
                    });
                }
            }
            Ok(())
        }
    })?;
    report.seconds = started.elapsed().as_secs_f64();
    if let Some(flow) = selected {
        report.flows = report.flows.into_iter().skip(flow).take(1).collect();
        return Ok(report);
    }
    // The flows no event starts are said apart, not as "fired on 0 events".
    let (flows, not_replayed): (Vec<_>, Vec<_>) = report
        .flows
        .into_iter()
        .zip(&plan.flows)
        .partition(|(_, flow)| started_by(flow).is_none());
    report.flows = flows.into_iter().map(|(entry, _)| entry).collect();
    report.not_replayed = not_replayed
        .into_iter()
        .filter_map(|(entry, flow)| {
            started_by(flow).map(|started_by| NotReplayed {
                flow: entry.flow,
                started_by,
            })
        })
        .collect();
    Ok(report)
}
