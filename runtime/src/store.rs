//! Run history in the embedded SQLite store (`.idflow/state.db` by
//! default): each run — id, flow, flow version hash, event id, status,
//! times — and its step journal, as the trace recorded it (secrets already
//! masked).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use thiserror::Error;

use crate::executor::{RunReport, RunStatus};

/// The schema version this code writes.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
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
    /// `succeeded`, `stopped`, `failed` or `waiting`.
    pub status: String,
    /// The stop reason, the error, or what it waits for.
    pub detail: Option<String>,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// When it started, in milliseconds since the epoch.
    pub started_ms: i64,
    /// When it ended.
    pub finished_ms: i64,
}

/// The run store.
pub struct Store {
    db: Connection,
    path: String,
}

impl Store {
    /// Opens (and creates, with its directory) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let shown = path.display().to_string();
        let fail = |e: &dyn std::fmt::Display| StoreError::Sqlite {
            path: shown.clone(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        }
        let db = Connection::open(path).map_err(|e| fail(&e))?;
        let version: i64 = db
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| fail(&e))?;
        if version > SCHEMA_VERSION {
            return Err(fail(&format!(
                "written by a newer idflow (schema {version}); this one reads {SCHEMA_VERSION}"
            )));
        }
        db.execute_batch(SCHEMA).map_err(|e| fail(&e))?;
        db.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
            .map_err(|e| fail(&e))?;
        Ok(Store { db, path: shown })
    }

    fn fail(&self, e: &dyn std::fmt::Display) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Records a finished run and its journal; its id.
    pub fn record(
        &mut self,
        report: &RunReport,
        event_id: Option<&str>,
        started_ms: i64,
        finished_ms: i64,
        dry_run: bool,
    ) -> Result<String, StoreError> {
        let (status, detail) = match &report.status {
            RunStatus::Succeeded => ("succeeded", None),
            RunStatus::Stopped { reason } => ("stopped", reason.clone()),
            RunStatus::Failed { error } => ("failed", Some(error.clone())),
            RunStatus::Waiting { on } => ("waiting", Some(on.clone())),
        };
        let id = format!("{started_ms:013x}{:06x}", rand::random::<u32>() & 0xff_ffff);
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| StoreError::Sqlite {
            path: path.clone(),
            message: e.to_string(),
        };
        let tx = self.db.transaction().map_err(fail)?;
        tx.execute(
            "INSERT INTO runs (id, flow, version, event_id, status, detail, dry_run, started_ms, finished_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, report.flow, report.version, event_id, status, detail, dry_run, started_ms, finished_ms],
        )
        .map_err(fail)?;
        for (seq, entry) in (0_i64..).zip(&report.trace) {
            let json = serde_json::to_string(entry).unwrap_or_default();
            tx.execute(
                "INSERT INTO steps (run_id, seq, entry) VALUES (?1, ?2, ?3)",
                params![id, seq, json],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        Ok(id)
    }

    /// The latest runs, newest first, of a flow and a status if given.
    pub fn list(
        &self,
        flow: Option<&str>,
        status: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let mut query = self
            .db
            .prepare(
                "SELECT id, flow, version, event_id, status, detail, dry_run, started_ms, finished_ms FROM runs
                 WHERE (?1 IS NULL OR flow = ?1) AND (?2 IS NULL OR status = ?2)
                 ORDER BY started_ms DESC, id DESC LIMIT ?3",
            )
            .map_err(|e| self.fail(&e))?;
        let rows = query
            .query_map(
                params![flow, status, i64::try_from(limit).unwrap_or(i64::MAX)],
                summary,
            )
            .map_err(|e| self.fail(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(&e))
    }

    /// One run and its journal.
    pub fn show(
        &self,
        id: &str,
    ) -> Result<Option<(RunSummary, Vec<serde_json::Value>)>, StoreError> {
        let run = self
            .db
            .query_row(
                "SELECT id, flow, version, event_id, status, detail, dry_run, started_ms, finished_ms FROM runs WHERE id = ?1",
                params![id],
                summary,
            )
            .optional()
            .map_err(|e| self.fail(&e))?;
        let Some(run) = run else { return Ok(None) };
        let mut query = self
            .db
            .prepare("SELECT entry FROM steps WHERE run_id = ?1 ORDER BY seq")
            .map_err(|e| self.fail(&e))?;
        let steps = query
            .query_map(params![id], |row| row.get::<_, String>(0))
            .map_err(|e| self.fail(&e))?
            .filter_map(Result::ok)
            .filter_map(|text| serde_json::from_str(&text).ok())
            .collect();
        Ok(Some((run, steps)))
    }
}

fn summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: row.get(0)?,
        flow: row.get(1)?,
        version: row.get(2)?,
        event_id: row.get(3)?,
        status: row.get(4)?,
        detail: row.get(5)?,
        dry_run: row.get(6)?,
        started_ms: row.get(7)?,
        finished_ms: row.get(8)?,
    })
}
