//! The store's schema, by version, and the upgrade of an older one in
//! place.

use rusqlite::Connection;

/// The schema version this code writes.
pub(super) const SCHEMA_VERSION: i64 = 3;

/// Version 1: the run history of `idflow run`.
pub(super) const SCHEMA_1: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    version TEXT NOT NULL,
    event_id TEXT,
    status TEXT NOT NULL,
    detail TEXT,
    dry_run INTEGER NOT NULL,
    started_ms INTEGER NOT NULL,
    finished_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_flow ON runs (flow, started_ms);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL REFERENCES runs (id),
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
";

/// Version 2: the service — the event queue, runs that resume, journals,
/// deployed plans and cursors.
const SCHEMA_2: &str = "
ALTER TABLE runs ADD COLUMN plan_id TEXT;
ALTER TABLE runs ADD COLUMN event_seq INTEGER;
ALTER TABLE runs ADD COLUMN wake_ms INTEGER;
ALTER TABLE runs ADD COLUMN wait_connector TEXT;
ALTER TABLE runs ADD COLUMN wait_event TEXT;
CREATE UNIQUE INDEX runs_once ON runs (flow, event_seq) WHERE event_seq IS NOT NULL;
CREATE INDEX runs_by_event ON runs (event_seq) WHERE event_seq IS NOT NULL;
CREATE INDEX runs_pending ON runs (status, started_ms, id);
CREATE INDEX runs_due ON runs (status, wake_ms);
-- Waking the runs that await an event type must not walk every waiting run.
CREATE INDEX runs_waiting_for ON runs (status, wait_connector, wait_event, wake_ms);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    connector TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    dispatched INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, key)
);
CREATE INDEX events_queued ON events (dispatched, seq);
CREATE INDEX events_by_type ON events (connector, event_type, received_ms);
CREATE INDEX events_by_age ON events (dispatched, received_ms);
CREATE TABLE journal (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    plan BLOB NOT NULL,
    saved_ms INTEGER NOT NULL
);
CREATE TABLE cursors (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// Version 3: the audit log, a hash chain (see `crate::audit`). `subject`
/// is the flow version a `version` record is about, to write it once, or
/// the run a `run` or `action` record is about (a retried run's replayed
/// actions are not audited twice). It is an index, not part of the hash.
const SCHEMA_3: &str = "
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT,
    data TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_subject ON audit (kind, subject);
";

/// Brings a store at schema `version` to [`SCHEMA_VERSION`], in one
/// transaction; refuses a store a newer idflow wrote.
pub(super) fn upgrade(db: &mut Connection, version: i64) -> Result<(), String> {
    if version > SCHEMA_VERSION {
        return Err(format!(
            "written by a newer idflow (schema {version}); this one reads {SCHEMA_VERSION}"
        ));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    let step = |e: rusqlite::Error| e.to_string();
    let tx = db.transaction().map_err(step)?;
    tx.execute_batch(SCHEMA_1).map_err(step)?;
    if version < 2 {
        tx.execute_batch(SCHEMA_2).map_err(step)?;
    }
    if version < 3 {
        tx.execute_batch(SCHEMA_3).map_err(step)?;
    }
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
        .map_err(step)?;
    tx.commit().map_err(step)
}
