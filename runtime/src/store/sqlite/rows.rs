//! Rows read back into the store's types.

use super::*;

/// An audit record as read from its row.
pub(super) fn audit_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    let text: String = row.get(3)?;
    Ok(AuditRecord {
        seq: row.get(0)?,
        at_ms: row.get(1)?,
        kind: row.get(2)?,
        // Text that is no longer JSON is shown as text; `verify` names it.
        data: serde_json::from_str(&text)
            .unwrap_or_else(|_| serde_json::Value::String(text.clone())),
        text,
        prev: row.get(4)?,
        hash: row.get(5)?,
    })
}

/// A run's summary as read from its row; a status word the store does not
/// know is an error.
pub(super) fn summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: row.get(0)?,
        flow: row.get(1)?,
        version: row.get(2)?,
        event_id: row.get(3)?,
        status: {
            let word: String = row.get(4)?;
            RunState::parse(&word).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    4,
                    rusqlite::types::Type::Text,
                    format!("`{word}` is not a run status").into(),
                )
            })?
        },
        detail: row.get(5)?,
        dry_run: row.get(6)?,
        started_ms: row.get(7)?,
        finished_ms: row.get(8)?,
    })
}
