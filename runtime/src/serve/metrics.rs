//! The service's metrics, in Prometheus' text format at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::executor::{RunReport, RunStatus};
use crate::store::StatusCounts;
use crate::trace::StepStatus;

/// Where events came from.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Source {
    /// `okta`, `webhook:/path`, `schedule`.
    pub source: String,
}

/// Why a delivery was refused.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Refusal {
    /// `unauthorized`, `malformed`, `too_large`, `overloaded`, …
    pub reason: String,
}

/// A run status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Status {
    /// `succeeded`, `failed`, …
    pub status: String,
}

/// An action.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Action {
    /// `okta.suspend_user`.
    pub action: String,
}

type Histograms = Family<Action, Histogram, fn() -> Histogram>;

/// Every metric the service keeps.
pub struct Metrics {
    registry: Registry,
    /// Events accepted into the queue.
    pub events_received: Family<Source, Counter>,
    /// Events received again (a redelivery), not queued twice.
    pub events_duplicate: Family<Source, Counter>,
    /// Okta events whose type the bundled catalogue lacks (queued all the same).
    pub events_unknown_type: Counter,
    /// Deliveries refused.
    pub deliveries_refused: Family<Refusal, Counter>,
    /// Run attempts ended, by how.
    pub attempts: Family<Status, Counter>,
    /// Runs in the store, by status (read at each scrape).
    pub runs: Family<Status, Gauge>,
    /// How long each action took.
    pub step_seconds: Histograms,
    /// Tries of actions beyond the first.
    pub retries: Counter,
    /// Events waiting in the queue.
    pub queue_depth: Gauge,
    /// Runs pending or running.
    pub unfinished_runs: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// The metrics, registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("idflow");
        let events_received = Family::<Source, Counter>::default();
        let events_duplicate = Family::<Source, Counter>::default();
        let deliveries_refused = Family::<Refusal, Counter>::default();
        let events_unknown_type = Counter::default();
        let attempts = Family::<Status, Counter>::default();
        let runs = Family::<Status, Gauge>::default();
        let step_seconds: Histograms = Family::new_with_constructor(|| {
            // 1 ms to about 65 s.
            Histogram::new(exponential_buckets(0.001, 2.0, 17))
        });
        let retries = Counter::default();
        let queue_depth = Gauge::default();
        let unfinished_runs = Gauge::default();
        registry.register(
            "events_received",
            "Events accepted into the queue",
            events_received.clone(),
        );
        registry.register(
            "events_duplicate",
            "Events delivered again and not queued twice",
            events_duplicate.clone(),
        );
        registry.register(
            "events_unknown_type",
            "Okta events of a type missing from the bundled catalogue, queued all the same",
            events_unknown_type.clone(),
        );
        registry.register(
            "deliveries_refused",
            "Deliveries refused, by reason",
            deliveries_refused.clone(),
        );
        registry.register(
            "run_attempts",
            "Run attempts ended, by status",
            attempts.clone(),
        );
        registry.register("runs", "Runs in the store, by status", runs.clone());
        registry.register(
            "step_duration_seconds",
            "How long each action took",
            step_seconds.clone(),
        );
        registry.register(
            "action_retries",
            "Tries of actions beyond the first",
            retries.clone(),
        );
        registry.register(
            "queue_depth",
            "Events waiting to be dispatched",
            queue_depth.clone(),
        );
        registry.register(
            "unfinished_runs",
            "Runs pending or running; with the queue, what the intake limit counts",
            unfinished_runs.clone(),
        );
        Metrics {
            registry,
            events_received,
            events_duplicate,
            events_unknown_type,
            deliveries_refused,
            attempts,
            runs,
            step_seconds,
            retries,
            queue_depth,
            unfinished_runs,
        }
    }

    /// Counts a refused delivery.
    pub fn refused(&self, reason: &str) {
        self.deliveries_refused
            .get_or_create(&Refusal {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// Records how an attempt ended and how long its actions took.
    pub fn observe(&self, report: &RunReport) {
        let status = match report.status {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Stopped { .. } => "stopped",
            RunStatus::Failed { .. } => "failed",
            RunStatus::Waiting { .. } => "waiting",
        };
        self.attempts
            .get_or_create(&Status {
                status: status.to_owned(),
            })
            .inc();
        for entry in &report.trace {
            // Only actions have inputs; replayed ones were not sent now.
            if entry.input.is_none() || entry.status == StepStatus::Replayed {
                continue;
            }
            #[expect(clippy::cast_precision_loss, reason = "micros fit a float's precision")]
            let seconds = entry.micros as f64 / 1e6;
            self.step_seconds
                .get_or_create(&Action {
                    action: entry.what.clone(),
                })
                .observe(seconds);
            let extra = entry.attempts.len().saturating_sub(1) as u64;
            if extra > 0 {
                self.retries.inc_by(extra);
            }
        }
    }

    /// The metrics as Prometheus text, with the store's run counts.
    pub fn render(&self, counts: &StatusCounts) -> String {
        // A status no run has any more must read 0, not its last count.
        self.runs.clear();
        for (status, n) in counts {
            self.runs
                .get_or_create(&Status {
                    status: status.clone(),
                })
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
