//! The store: the event queue, runs and their journals, deployed plans,
//! cursors — everything `idflow serve` must find again after a crash — and
//! the run history `idflow runs` reads, and the hash-chained audit log
//! (`crate::audit`) that `record` and `finish` append to in the same
//! transaction as the run.
//!
//! [`Store`] is synchronous: the service calls it off its async threads
//! (`tokio::task::spawn_blocking`), so a backend may block on a file
//! (SQLite, [`sqlite::SqliteStore`], the default) or on a socket (a
//! server-based backend such as PostgreSQL, where several `idflow serve`
//! processes share the work: [`Store::claim`] is the one place that must
//! then lock rows). Every method that changes state is one transaction.

pub mod lock;
pub mod sqlite;

use std::collections::HashMap;

use serde::Serialize;
use thiserror::Error;

use crate::audit::{AuditRecord, Provenance};
use crate::executor::RunReport;
use crate::journal::Entry;

pub use sqlite::SqliteStore;

/// Why the store failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("the run store at {path}: {message}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What SQLite said.
        message: String,
    },
    /// The task that ran a store operation did not finish.
    #[error("the run store is unavailable: {0}")]
    Unavailable(String),
}

/// One run, as listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSummary {
    /// The run's id.
    pub id: String,
    /// The flow.
    pub flow: String,
    /// The flow version hash.
    pub version: String,
    /// The event's `uuid`, if an event fired it.
    pub event_id: Option<String>,
    /// Where it stands.
    pub status: RunState,
    /// The stop reason, the error, or what it waits for.
    pub detail: Option<String>,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// When it started, in milliseconds since the epoch.
    pub started_ms: i64,
    /// When it ended (0 while it has not).
    pub finished_ms: i64,
}

/// Where a run stands, as the store records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Created, not yet taken by a worker.
    Pending,
    /// An attempt is under way.
    Running,
    /// Waiting for a time or an event.
    Waiting,
    /// Ended well.
    Succeeded,
    /// Ended by `stop`.
    Stopped,
    /// Ended by a failure.
    Failed,
    /// Ended by `idflow runs cancel`.
    Cancelled,
}

impl RunState {
    /// Every state, in the order of a run's life.
    pub const ALL: [RunState; 7] = [
        RunState::Pending,
        RunState::Running,
        RunState::Waiting,
        RunState::Succeeded,
        RunState::Stopped,
        RunState::Failed,
        RunState::Cancelled,
    ];

    /// The word the store writes and people read.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Pending => "pending",
            RunState::Running => "running",
            RunState::Waiting => "waiting",
            RunState::Succeeded => "succeeded",
            RunState::Stopped => "stopped",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
        }
    }

    /// The state a stored word names.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }
}

impl std::fmt::Display for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that `{:<10}` lines runs up in columns.
        f.pad(self.as_str())
    }
}

/// An event to queue.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// Where it came from: `okta` (hook or System Log), `webhook:/path`,
    /// `schedule`.
    pub source: String,
    /// What makes it unique within its source (Okta's `uuid`): an event
    /// whose source and key are already queued is a duplicate, not queued
    /// again.
    pub key: String,
    /// The connector whose flows it may fire, or the webhook path.
    pub connector: String,
    /// The event type (Okta's `eventType`), empty when it has none.
    pub event_type: String,
    /// The event, as received.
    pub body: serde_json::Value,
}

/// What [`Store::enqueue`] did with a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Enqueued {
    /// Events queued.
    pub queued: u64,
    /// Events already queued before (a redelivery), not queued again.
    pub duplicates: u64,
}

/// An event waiting in the queue.
#[derive(Clone, Debug, PartialEq)]
pub struct QueuedEvent {
    /// Its place in the queue.
    pub seq: i64,
    /// As given to [`Store::enqueue`].
    pub event: NewEvent,
}

/// A run to create for a queued event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRun {
    /// The flow.
    pub flow: String,
    /// The flow's version hash.
    pub version: String,
    /// The deployed plan it runs on (see [`Store::save_plan`]).
    pub plan_id: String,
}

/// A run a worker took, to run (or resume) it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedRun {
    /// Its id.
    pub id: String,
    /// The flow.
    pub flow: String,
    /// The deployed plan it runs on: the one it started with.
    pub plan_id: String,
    /// The event that fired it (none for a schedule).
    pub event: Option<serde_json::Value>,
    /// What identifies the event or firing: idempotency keys derive from it.
    pub event_key: String,
    /// When it was created: `now()` until a wait moves it on.
    pub started_ms: i64,
}

/// How many runs are in each status, for the metrics.
pub type StatusCounts = Vec<(String, u64)>;

/// What `idflow serve` and `idflow runs` need of a store.
pub trait Store: Send + Sync {
    /// Records a finished run of `idflow run` and its trace; its id.
    fn record(
        &self,
        report: &RunReport,
        event_id: Option<&str>,
        started_ms: i64,
        finished_ms: i64,
        dry_run: bool,
    ) -> Result<String, StoreError>;

    /// The latest runs, newest first, of a flow and a status if given.
    fn list(
        &self,
        flow: Option<&str>,
        status: Option<RunState>,
        limit: usize,
    ) -> Result<Vec<RunSummary>, StoreError>;

    /// One run and its trace.
    fn show(&self, id: &str) -> Result<Option<(RunSummary, Vec<serde_json::Value>)>, StoreError>;

    /// Queues a batch of events in one transaction, skipping those already
    /// queued (same source and key).
    fn enqueue(&self, events: &[NewEvent], now_ms: i64) -> Result<Enqueued, StoreError>;

    /// How many events wait to be dispatched.
    fn queue_depth(&self) -> Result<u64, StoreError>;

    /// How many runs are admitted but not finished: pending or running.
    /// Waiting runs are not counted: a wait is a parked row, not work.
    fn unfinished_runs(&self) -> Result<u64, StoreError>;

    /// The oldest events not yet dispatched.
    fn next_events(&self, limit: usize) -> Result<Vec<QueuedEvent>, StoreError>;

    /// For each queued event (by `seq`), creates the runs it fires, takes it
    /// off the queue and wakes the runs waiting for an event of its type,
    /// in one transaction: after a crash, an event is either still queued
    /// or has all its runs.
    fn dispatch(&self, batch: &[(i64, Vec<NewRun>)], now_ms: i64) -> Result<(), StoreError>;

    /// At start-up: the runs a crash left running become pending again, to
    /// be resumed. How many.
    fn recover(&self) -> Result<u64, StoreError>;

    /// Takes up to `limit` runs to run: pending ones, and waiting ones whose
    /// wait is due; marks them running.
    fn claim(&self, now_ms: i64, limit: usize) -> Result<Vec<ClaimedRun>, StoreError>;

    /// What the earlier attempts of a run recorded.
    fn journal(&self, run_id: &str) -> Result<HashMap<String, Entry>, StoreError>;

    /// Records one journal entry of a run.
    fn put_journal(&self, run_id: &str, key: &str, entry: &Entry) -> Result<(), StoreError>;

    /// Records how an attempt of a run ended, with its trace. A waiting run
    /// sleeps until its wait is due (or an awaited event arrives). A run
    /// cancelled meanwhile stays cancelled.
    fn finish(&self, run_id: &str, report: &RunReport, now_ms: i64) -> Result<(), StoreError>;

    /// When the next waiting run is due.
    fn next_wake(&self) -> Result<Option<i64>, StoreError>;

    /// Events of one type received since `since_ms`, oldest first.
    fn events_since(
        &self,
        connector: &str,
        event_type: &str,
        since_ms: i64,
        limit: usize,
    ) -> Result<Vec<serde_json::Value>, StoreError>;

    /// Makes a failed or cancelled run pending again: it resumes from its
    /// journal, so what succeeded is not sent again. Whether there was such
    /// a run.
    fn retry(&self, run_id: &str) -> Result<bool, StoreError>;

    /// Cancels a run that has not ended. Whether there was such a run.
    fn cancel(&self, run_id: &str, now_ms: i64) -> Result<bool, StoreError>;

    /// How many runs are in each status.
    fn status_counts(&self) -> Result<StatusCounts, StoreError>;

    /// Keeps a deployed plan (its binary form) under its id.
    fn save_plan(&self, id: &str, plan: &[u8], now_ms: i64) -> Result<(), StoreError>;

    /// Deletes the dispatched events received before `before_ms` that no
    /// run may still need (one that has not ended, or that failed or was
    /// cancelled and may be retried). How many.
    fn prune_events(&self, before_ms: i64) -> Result<u64, StoreError>;

    /// A deployed plan by id.
    fn load_plan(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// A named cursor: where the System Log poller or a schedule got to.
    fn cursor(&self, name: &str) -> Result<Option<String>, StoreError>;

    /// Moves a named cursor.
    fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError>;

    /// Queues events and moves a cursor in one transaction: what a poller
    /// fetched and where it got to are never out of step.
    fn enqueue_with_cursor(
        &self,
        events: &[NewEvent],
        cursor: (&str, &str),
        now_ms: i64,
    ) -> Result<Enqueued, StoreError>;

    /// Appends a `version` record to the audit log for each `(flow,
    /// version)` it does not have yet. How many were new.
    fn audit_versions(
        &self,
        versions: &[(String, String)],
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<u64, StoreError>;

    /// Appends a `deploy` record for the plan `plan_id` put in service,
    /// unless it is the plan the last `deploy` record names (a restart of
    /// the same plan): every change, a return to an earlier plan included,
    /// is recorded. Whether a record was written.
    fn audit_deploy(
        &self,
        plan_id: &str,
        versions: &[(String, String)],
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<bool, StoreError>;

    /// Reads the audit log in order, from its first record (from the first
    /// written at or after `since_ms` when given), one record at a time
    /// until `visit` returns false: a log of years is never held whole.
    fn audit_scan(
        &self,
        since_ms: Option<i64>,
        visit: &mut dyn FnMut(AuditRecord) -> bool,
    ) -> Result<(), StoreError>;

    /// The audit log in order, as [`Store::audit_scan`] reads it.
    fn audit_log(&self, since_ms: Option<i64>) -> Result<Vec<AuditRecord>, StoreError> {
        let mut records = Vec::new();
        self.audit_scan(since_ms, &mut |record| {
            records.push(record);
            true
        })?;
        Ok(records)
    }
}
