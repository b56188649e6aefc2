//! `idflow audit export [--since T] [--format jsonl|csv]` and `idflow audit
//! verify`: the store's hash-chained audit log, read back and checked.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use idflow_compiler::plan::typed::parse_instant;
use idflow_compiler::plan::value::format_time;
use idflow_runtime::audit::{self, AuditRecord, Verdict};
use idflow_runtime::store::{SqliteStore, Store};

use super::Outcome;
use crate::cli::{AuditCommand, AuditExportArgs, AuditFormat};
use crate::report;

/// Runs the command.
pub fn run(command: &AuditCommand) -> Result<Outcome> {
    match command {
        AuditCommand::Export(args) => export(args),
        AuditCommand::Verify(args) => verify(args.store.as_ref()),
    }
}

fn open(store: Option<&PathBuf>) -> Result<SqliteStore> {
    let path = store
        .cloned()
        .unwrap_or_else(|| super::runs::default_store(&[]));
    if !path.exists() {
        bail!("no store at {}: nothing has run here yet", path.display());
    }
    Ok(SqliteStore::open(&path)?)
}

fn export(args: &AuditExportArgs) -> Result<Outcome> {
    let since = match &args.since {
        Some(text) => Some(
            parse_instant(text)
                .with_context(|| format!("--since {text:?} is not a time (RFC 3339) or a date"))?,
        ),
        None => None,
    };
    let records = open(args.store.as_ref())?.audit_log(since)?;
    let text = match args.format {
        AuditFormat::Jsonl => records
            .iter()
            .map(|r| Ok(serde_json::to_string(&exported(r))? + "\n"))
            .collect::<Result<String>>()?,
        AuditFormat::Csv => csv(&records)?,
    };
    report::out(&text);
    Ok(Outcome::Clean)
}

/// A record as exported: its time as RFC 3339 text beside the rest.
fn exported(record: &AuditRecord) -> serde_json::Value {
    serde_json::json!({
        "seq": record.seq,
        "at": format_time(record.at_ms),
        "kind": record.kind,
        "data": record.data,
        "prev": record.prev,
        "hash": record.hash,
    })
}

fn csv(records: &[AuditRecord]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["seq", "at", "kind", "data", "prev", "hash"])?;
    for record in records {
        writer.write_record([
            record.seq.to_string(),
            format_time(record.at_ms),
            record.kind.clone(),
            record.text.clone(),
            record.prev.clone(),
            record.hash.clone(),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

fn verify(store: Option<&PathBuf>) -> Result<Outcome> {
    let records = open(store)?.audit_log(None)?;
    match audit::verify(records) {
        Verdict::Intact { count, head } => {
            report::out(&format!(
                "audit log intact: {count} record(s), head {head}\n"
            ));
            Ok(Outcome::Clean)
        }
        Verdict::Broken { position, seq, why } => {
            report::out(&format!(
                "audit log broken at record {position} (it says #{seq}): {why}\n"
            ));
            Ok(Outcome::Findings)
        }
    }
}
