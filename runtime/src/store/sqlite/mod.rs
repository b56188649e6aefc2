//! The embedded store: one SQLite file (`.idflow/state.db` by default), in
//! WAL mode with `synchronous = FULL`, so a transaction that returned is on
//! disk: an event acknowledged to Okta survives a `kill -9` and a power cut.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

mod rows;
mod schema;

use rows::{audit_record, summary};

use super::{
    ClaimedRun, Enqueued, NewEvent, NewRun, QueuedEvent, RunState, RunSummary, StatusCounts, Store,
    StoreError,
};
use crate::audit::{self, AuditKey, AuditRecord, NewRecord, Provenance};
use crate::executor::{RunReport, RunStatus};
use crate::journal::Entry;

const SUMMARY_COLUMNS: &str =
    "id, flow, version, event_id, status, detail, dry_run, started_ms, finished_ms";

/// The SQLite store.
pub struct SqliteStore {
    db: Mutex<Connection>,
    path: String,
    /// The key audit records are sealed with, if one is configured.
    audit_key: Option<AuditKey>,
}

impl SqliteStore {
    /// Opens (and creates, with its directory) the store at `path`,
    /// upgrading an older schema.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let shown = path.display().to_string();
        let fail = |e: &dyn std::fmt::Display| StoreError::Sqlite {
            path: shown.clone(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        }
        let mut db = Connection::open(path).map_err(|e| fail(&e))?;
        // Another process (`idflow runs retry` beside `idflow serve`) may
        // hold the write lock for a moment.
        db.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| fail(&e))?;
        db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(|e| fail(&e))?;
        let version: i64 = db
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| fail(&e))?;
        schema::upgrade(&mut db, version).map_err(|e| fail(&e))?;
        Ok(SqliteStore {
            db: Mutex::new(db),
            path: shown,
            audit_key: None,
        })
    }

    /// The same store, sealing the audit records it writes with `key`
    /// (HMAC-SHA256): records are then unforgeable without the key.
    pub fn with_audit_key(mut self, key: Option<AuditKey>) -> Self {
        self.audit_key = key;
        self
    }

    fn fail(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back), so a poisoned lock is still usable.
        self.db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `work` in one transaction.
    fn transaction<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.fail(e))?;
        let value = work(&tx).map_err(|e| self.fail(e))?;
        tx.commit().map_err(|e| self.fail(e))?;
        Ok(value)
    }
}

/// The id of a run of `idflow run`: its start time, then 64 random bits.
fn run_id(started_ms: i64) -> String {
    format!("{started_ms:013x}{:016x}", rand::random::<u64>())
}

/// The id of the `n`th run an event fires: its creation time, then the
/// event's place in the queue and `n` — unique by construction, and sorted
/// by creation like the ids of `idflow run`.
fn dispatched_run_id(created_ms: i64, seq: i64, n: usize) -> String {
    format!("{created_ms:013x}{seq:012x}{n:04x}")
}

/// A run's status and detail as stored.
fn status_of(status: &RunStatus) -> (&'static str, Option<String>) {
    match status {
        RunStatus::Succeeded => ("succeeded", None),
        RunStatus::Stopped { reason } => ("stopped", reason.clone()),
        RunStatus::Failed { error } => ("failed", Some(error.clone())),
        RunStatus::Waiting { on, .. } => ("waiting", Some(on.clone())),
    }
}

/// Appends records to the audit log, each chained to the one before.
fn append_audit(
    tx: &Transaction<'_>,
    key: Option<&AuditKey>,
    records: &[NewRecord],
    subject: Option<&str>,
    now_ms: i64,
) -> rusqlite::Result<()> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (mut seq, mut prev) = last.unwrap_or((0, audit::GENESIS.to_owned()));
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit (seq, at_ms, kind, subject, data, prev, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for record in records {
        seq += 1;
        let text = record.data.to_string();
        let hash = audit::seal(key, seq, now_ms, record.kind, &text, &prev);
        insert.execute(params![seq, now_ms, record.kind, subject, text, prev, hash])?;
        prev = hash;
    }
    Ok(())
}

/// Replaces a run's trace.
fn write_trace(tx: &Transaction<'_>, run_id: &str, report: &RunReport) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM steps WHERE run_id = ?1", params![run_id])?;
    let mut insert =
        tx.prepare_cached("INSERT INTO steps (run_id, seq, entry) VALUES (?1, ?2, ?3)")?;
    for (seq, entry) in (0_i64..).zip(&report.trace) {
        let json = serde_json::to_string(entry).unwrap_or_default();
        insert.execute(params![run_id, seq, json])?;
    }
    Ok(())
}

fn enqueue_in(
    tx: &Transaction<'_>,
    events: &[NewEvent],
    now_ms: i64,
) -> rusqlite::Result<Enqueued> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO events (source, key, connector, event_type, body, received_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut done = Enqueued::default();
    for event in events {
        let added = insert.execute(params![
            event.source,
            event.key,
            event.connector,
            event.event_type,
            event.body.to_string(),
            now_ms
        ])?;
        if added == 1 {
            done.queued += 1;
        } else {
            done.duplicates += 1;
        }
    }
    Ok(done)
}

impl Store for SqliteStore {
    fn record(
        &self,
        report: &RunReport,
        event_id: Option<&str>,
        started_ms: i64,
        finished_ms: i64,
        dry_run: bool,
    ) -> Result<String, StoreError> {
        let (status, detail) = status_of(&report.status);
        let id = run_id(started_ms);
        self.transaction(|tx| {
            tx.execute(
                "INSERT INTO runs (id, flow, version, event_id, status, detail, dry_run, started_ms, finished_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id, report.flow, report.version, event_id, status, detail, dry_run, started_ms, finished_ms],
            )?;
            write_trace(tx, &id, report)?;
            let records = audit::run(&id, report, event_id, dry_run, false);
            append_audit(tx, self.audit_key.as_ref(), &records, Some(&id), finished_ms)
        })?;
        Ok(id)
    }

    fn list(
        &self,
        flow: Option<&str>,
        status: Option<RunState>,
        limit: usize,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let status = status.map(RunState::as_str);
        let db = self.db();
        let mut query = db
            .prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM runs
                 WHERE (?1 IS NULL OR flow = ?1) AND (?2 IS NULL OR status = ?2)
                 ORDER BY started_ms DESC, id DESC LIMIT ?3"
            ))
            .map_err(|e| self.fail(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = query
            .query_map(params![flow, status, limit], summary)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn show(&self, id: &str) -> Result<Option<(RunSummary, Vec<serde_json::Value>)>, StoreError> {
        let db = self.db();
        let run = db
            .query_row(
                &format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE id = ?1"),
                params![id],
                summary,
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        let Some(run) = run else { return Ok(None) };
        let mut query = db
            .prepare("SELECT entry FROM steps WHERE run_id = ?1 ORDER BY seq")
            .map_err(|e| self.fail(e))?;
        let steps = query
            .query_map(params![id], |row| row.get::<_, String>(0))
            .map_err(|e| self.fail(e))?
            .filter_map(Result::ok)
            .filter_map(|text| serde_json::from_str(&text).ok())
            .collect();
        Ok(Some((run, steps)))
    }

    fn enqueue(&self, events: &[NewEvent], now_ms: i64) -> Result<Enqueued, StoreError> {
        self.transaction(|tx| enqueue_in(tx, events, now_ms))
    }

    fn enqueue_with_cursor(
        &self,
        events: &[NewEvent],
        (name, value): (&str, &str),
        now_ms: i64,
    ) -> Result<Enqueued, StoreError> {
        self.transaction(|tx| {
            let done = enqueue_in(tx, events, now_ms)?;
            tx.execute(
                "INSERT INTO cursors (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )?;
            Ok(done)
        })
    }

    fn queue_depth(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .db()
            .query_row(
                "SELECT COUNT(*) FROM events WHERE dispatched = 0",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn unfinished_runs(&self) -> Result<u64, StoreError> {
        // Two ranges of the `runs_pending` index.
        let n: i64 = self
            .db()
            .query_row(
                "SELECT COUNT(*) FROM runs WHERE status IN ('pending', 'running')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn next_events(&self, limit: usize) -> Result<Vec<QueuedEvent>, StoreError> {
        let db = self.db();
        let mut query = db
            .prepare_cached(
                "SELECT seq, source, key, connector, event_type, body FROM events
                 WHERE dispatched = 0 ORDER BY seq LIMIT ?1",
            )
            .map_err(|e| self.fail(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = query
            .query_map(params![limit], |row| {
                let body: String = row.get(5)?;
                Ok(QueuedEvent {
                    seq: row.get(0)?,
                    event: NewEvent {
                        source: row.get(1)?,
                        key: row.get(2)?,
                        connector: row.get(3)?,
                        event_type: row.get(4)?,
                        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
                    },
                })
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn dispatch(&self, batch: &[(i64, Vec<NewRun>)], now_ms: i64) -> Result<(), StoreError> {
        self.transaction(|tx| {
            let mut event = tx.prepare_cached(
                "SELECT key, source, connector, event_type FROM events WHERE seq = ?1",
            )?;
            // An event already dispatched (the same flow and queue place)
            // creates no second run; any other conflict is an error.
            let mut insert = tx.prepare_cached(
                "INSERT INTO runs (id, flow, version, event_id, status, dry_run, started_ms, finished_ms, plan_id, event_seq)
                 VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, 0, ?6, ?7)
                 ON CONFLICT (flow, event_seq) WHERE event_seq IS NOT NULL DO NOTHING",
            )?;
            let mut taken = tx.prepare_cached("UPDATE events SET dispatched = 1 WHERE seq = ?1")?;
            let mut wake = tx.prepare_cached(
                "UPDATE runs SET wake_ms = ?3 WHERE status = 'waiting'
                 AND wait_connector = ?1 AND wait_event = ?2 AND wake_ms > ?3",
            )?;
            for (seq, runs) in batch {
                let Some((key, source, connector, event_type)) = event
                    .query_row(params![seq], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                        ))
                    })
                    .optional()?
                else {
                    continue;
                };
                let event_id = (source != "schedule").then_some(&key);
                for (n, run) in runs.iter().enumerate() {
                    insert.execute(params![
                        dispatched_run_id(now_ms, *seq, n),
                        run.flow,
                        run.version,
                        event_id,
                        now_ms,
                        run.plan_id,
                        seq
                    ])?;
                }
                taken.execute(params![seq])?;
                wake.execute(params![connector, event_type, now_ms])?;
            }
            Ok(())
        })
    }

    fn recover(&self) -> Result<u64, StoreError> {
        let n = self
            .db()
            .execute(
                "UPDATE runs SET status = 'pending' WHERE status = 'running'",
                [],
            )
            .map_err(|e| self.fail(e))?;
        Ok(n as u64)
    }

    fn claim(&self, now_ms: i64, limit: usize) -> Result<Vec<ClaimedRun>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.transaction(|tx| {
            // Two index walks — the oldest pending runs, then the waits
            // due soonest — each reading only the rows it takes.
            let mut query = tx.prepare_cached(
                "UPDATE runs SET status = 'running' WHERE id IN (
                     SELECT id FROM (SELECT id FROM runs WHERE status = 'pending'
                                     ORDER BY started_ms, id LIMIT ?2)
                     UNION ALL
                     SELECT id FROM (SELECT id FROM runs WHERE status = 'waiting' AND wake_ms <= ?1
                                     ORDER BY wake_ms LIMIT ?2)
                     LIMIT ?2)
                 RETURNING id, flow, plan_id, event_seq, started_ms",
            )?;
            let claimed: Vec<(String, String, String, Option<i64>, i64)> = query
                .query_map(params![now_ms, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut body =
                tx.prepare_cached("SELECT body, source, key FROM events WHERE seq = ?1")?;
            let mut runs = Vec::with_capacity(claimed.len());
            for (id, flow, plan_id, seq, started_ms) in claimed {
                let found = match seq {
                    Some(seq) => body
                        .query_row(params![seq], |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?,
                            ))
                        })
                        .optional()?,
                    None => None,
                };
                let (event, event_key) = match found {
                    Some((_, source, key)) if source == "schedule" => (None, key),
                    Some((text, _, key)) => (serde_json::from_str(&text).ok(), key),
                    None => (None, id.clone()),
                };
                runs.push(ClaimedRun {
                    id,
                    flow,
                    plan_id,
                    event,
                    event_key,
                    started_ms,
                });
            }
            Ok(runs)
        })
    }

    fn journal(&self, run_id: &str) -> Result<HashMap<String, Entry>, StoreError> {
        let db = self.db();
        let mut query = db
            .prepare_cached("SELECT key, entry FROM journal WHERE run_id = ?1")
            .map_err(|e| self.fail(e))?;
        let rows = query
            .query_map(params![run_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.fail(e))?;
        let mut entries = HashMap::new();
        for row in rows {
            let (key, text) = row.map_err(|e| self.fail(e))?;
            let entry = serde_json::from_str(&text)
                .map_err(|e| self.fail(format!("journal entry {key} of run {run_id}: {e}")))?;
            entries.insert(key, entry);
        }
        Ok(entries)
    }

    fn put_journal(&self, run_id: &str, key: &str, entry: &Entry) -> Result<(), StoreError> {
        let text = serde_json::to_string(entry).map_err(|e| self.fail(e))?;
        self.db()
            .prepare_cached(
                "INSERT INTO journal (run_id, key, entry) VALUES (?1, ?2, ?3)
                 ON CONFLICT (run_id, key) DO UPDATE SET entry = excluded.entry",
            )
            .and_then(|mut q| q.execute(params![run_id, key, text]))
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    fn finish(&self, run_id: &str, report: &RunReport, now_ms: i64) -> Result<(), StoreError> {
        let (status, detail) = status_of(&report.status);
        let (wake, connector, event) = match &report.status {
            RunStatus::Waiting {
                until_ms, event, ..
            } => (
                *until_ms,
                event.as_ref().map(|e| e.0.clone()),
                event.as_ref().map(|e| e.1.clone()),
            ),
            _ => (None, None, None),
        };
        let finished = if status == "waiting" { 0 } else { now_ms };
        self.transaction(|tx| {
            let changed = tx.execute(
                "UPDATE runs SET status = ?2, detail = ?3, finished_ms = ?4, version = ?5,
                     wake_ms = ?6, wait_connector = ?7, wait_event = ?8
                 WHERE id = ?1 AND status = 'running'",
                params![
                    run_id,
                    status,
                    detail,
                    finished,
                    report.version,
                    wake,
                    connector,
                    event
                ],
            )?;
            if changed == 1 {
                write_trace(tx, run_id, report)?;
                if status != "waiting" {
                    let (event_id, dry_run): (Option<String>, bool) = tx.query_row(
                        "SELECT event_id, dry_run FROM runs WHERE id = ?1",
                        params![run_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )?;
                    let concluded_before = tx
                        .query_row(
                            "SELECT 1 FROM audit WHERE kind = 'run' AND subject = ?1",
                            params![run_id],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_some();
                    let records = audit::run(
                        run_id,
                        report,
                        event_id.as_deref(),
                        dry_run,
                        concluded_before,
                    );
                    append_audit(tx, self.audit_key.as_ref(), &records, Some(run_id), now_ms)?;
                }
            }
            Ok(())
        })
    }

    fn next_wake(&self) -> Result<Option<i64>, StoreError> {
        self.db()
            .query_row(
                "SELECT MIN(wake_ms) FROM runs WHERE status = 'waiting'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))
    }

    fn events_since(
        &self,
        connector: &str,
        event_type: &str,
        since_ms: i64,
        limit: usize,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let db = self.db();
        let mut query = db
            .prepare_cached(
                "SELECT body FROM events WHERE connector = ?1 AND event_type = ?2
                 AND received_ms >= ?3 ORDER BY received_ms, seq LIMIT ?4",
            )
            .map_err(|e| self.fail(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = query
            .query_map(params![connector, event_type, since_ms, limit], |r| {
                r.get::<_, String>(0)
            })
            .map_err(|e| self.fail(e))?;
        Ok(rows
            .filter_map(Result::ok)
            .filter_map(|text| serde_json::from_str(&text).ok())
            .collect())
    }

    fn retry(&self, run_id: &str) -> Result<bool, StoreError> {
        let n = self
            .db()
            .execute(
                "UPDATE runs SET status = 'pending', detail = NULL, finished_ms = 0
                 WHERE id = ?1 AND status IN ('failed', 'cancelled') AND plan_id IS NOT NULL",
                params![run_id],
            )
            .map_err(|e| self.fail(e))?;
        Ok(n == 1)
    }

    fn cancel(&self, run_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .db()
            .execute(
                "UPDATE runs SET status = 'cancelled', detail = 'cancelled by an operator', finished_ms = ?2
                 WHERE id = ?1 AND status IN ('pending', 'running', 'waiting')",
                params![run_id, now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(n == 1)
    }

    fn status_counts(&self) -> Result<StatusCounts, StoreError> {
        let db = self.db();
        let mut query = db
            .prepare_cached("SELECT status, COUNT(*) FROM runs GROUP BY status")
            .map_err(|e| self.fail(e))?;
        let rows = query
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                ))
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn prune_events(&self, before_ms: i64) -> Result<u64, StoreError> {
        let n = self
            .db()
            .execute(
                "DELETE FROM events WHERE dispatched = 1 AND received_ms < ?1
                 AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.event_seq = events.seq
                                 AND runs.status NOT IN ('succeeded', 'stopped'))",
                params![before_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(n as u64)
    }

    fn save_plan(&self, id: &str, plan: &[u8], now_ms: i64) -> Result<(), StoreError> {
        self.db()
            .execute(
                "INSERT OR IGNORE INTO plans (id, plan, saved_ms) VALUES (?1, ?2, ?3)",
                params![id, plan, now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    fn load_plan(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.db()
            .query_row("SELECT plan FROM plans WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.fail(e))
    }

    fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.db()
            .query_row(
                "SELECT value FROM cursors WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.db()
            .execute(
                "INSERT INTO cursors (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    fn audit_versions(
        &self,
        versions: &[(String, String)],
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        self.transaction(|tx| self.audit_versions_in(tx, versions, provenance, now_ms))
    }

    fn audit_deploy(
        &self,
        plan_id: &str,
        versions: &[(String, String)],
        provenance: &Provenance,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.transaction(|tx| {
            let last: Option<String> = tx
                .query_row(
                    "SELECT subject FROM audit WHERE kind = 'deploy' ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if last.as_deref() == Some(plan_id) {
                return Ok(false);
            }
            let record = audit::deploy(plan_id, versions, provenance);
            append_audit(
                tx,
                self.audit_key.as_ref(),
                &[record],
                Some(plan_id),
                now_ms,
            )?;
            Ok(true)
        })
    }

    fn audit_scan(
        &self,
        since_ms: Option<i64>,
        visit: &mut dyn FnMut(AuditRecord) -> bool,
    ) -> Result<(), StoreError> {
        let db = self.db();
        let mut query = db
            .prepare(
                "SELECT seq, at_ms, kind, data, prev, hash FROM audit
                 WHERE at_ms >= ?1 ORDER BY seq",
            )
            .map_err(|e| self.fail(e))?;
        let rows = query
            .query_map(params![since_ms.unwrap_or(i64::MIN)], audit_record)
            .map_err(|e| self.fail(e))?;
        for row in rows {
            if !visit(row.map_err(|e| self.fail(e))?) {
                break;
            }
        }
        Ok(())
    }
}

impl SqliteStore {
    fn audit_versions_in(
        &self,
        tx: &Transaction<'_>,
        versions: &[(String, String)],
        provenance: &Provenance,
        now_ms: i64,
    ) -> rusqlite::Result<u64> {
        let mut added = 0;
        for (flow, version) in versions {
            let known: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM audit WHERE kind = 'version' AND subject = ?1",
                    params![version],
                    |r| r.get(0),
                )
                .optional()?;
            if known.is_none() {
                let record = audit::version(flow, version, provenance);
                append_audit(
                    tx,
                    self.audit_key.as_ref(),
                    &[record],
                    Some(version),
                    now_ms,
                )?;
                added += 1;
            }
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests;
