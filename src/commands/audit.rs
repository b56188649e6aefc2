//! `idflow audit export [--since T] [--format jsonl|csv]` and `idflow audit
//! verify`: the store's hash-chained audit log, read back and checked.

use std::io::Write;

use anyhow::{Context, Result, bail};
use idflow_compiler::plan::typed::parse_instant;
use idflow_compiler::plan::value::format_time;
use idflow_runtime::audit::{AuditRecord, ChainCheck, Verdict};
use idflow_runtime::store::{SqliteStore, Store};

use super::Outcome;
use crate::cli::{AuditCommand, AuditExportArgs, AuditFormat, AuditVerifyArgs, StoreArgs};
use crate::report;

/// Runs the command.
pub fn run(command: &AuditCommand) -> Result<Outcome> {
    match command {
        AuditCommand::Export(args) => export(args),
        AuditCommand::Verify(args) => verify(args),
    }
}

fn open(at: &StoreArgs) -> Result<SqliteStore> {
    Ok(super::runs::open(at)?.1)
}

fn export(args: &AuditExportArgs) -> Result<Outcome> {
    let since = match &args.since {
        Some(text) => Some(
            parse_instant(text)
                .with_context(|| format!("--since {text:?} is not a time (RFC 3339) or a date"))?,
        ),
        None => None,
    };
    let store = open(&args.at)?;
    // Each record is written as it is read: an export of years of log is
    // never held whole.
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        AuditFormat::Jsonl => jsonl(&store, since, stdout),
        AuditFormat::Csv => csv(&store, since, stdout),
    };
    match written {
        Err(error) if !is_broken_pipe(&error) => Err(error),
        _ => Ok(Outcome::Clean),
    }
}

/// One JSON object per line.
fn jsonl(store: &SqliteStore, since: Option<i64>, mut out: impl Write) -> Result<()> {
    let mut failure = None;
    store.audit_scan(since, &mut |record| {
        let line = serde_json::to_string(&exported(&record)).map_err(anyhow::Error::from);
        keep_going(
            line.and_then(|line| Ok(writeln!(out, "{line}")?)),
            &mut failure,
        )
    })?;
    failure.map_or(Ok(()), Err)?;
    Ok(out.flush()?)
}

/// A header, then one row per record.
fn csv(store: &SqliteStore, since: Option<i64>, out: impl Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["seq", "at", "kind", "data", "prev", "hash"])?;
    let mut failure = None;
    store.audit_scan(since, &mut |record| {
        let row = writer.write_record([
            record.seq.to_string(),
            format_time(record.at_ms),
            record.kind,
            // The content as stored, which the hash covers.
            record.text,
            record.prev,
            record.hash,
        ]);
        keep_going(row.map_err(anyhow::Error::from), &mut failure)
    })?;
    failure.map_or(Ok(()), Err)?;
    Ok(writer.flush()?)
}

/// Whether to read on after writing a record; keeps the first failure.
fn keep_going(written: Result<()>, failure: &mut Option<anyhow::Error>) -> bool {
    match written {
        Ok(()) => true,
        Err(error) => {
            *failure = Some(error);
            false
        }
    }
}

/// `idflow audit export | head` closes the pipe early: not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
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

fn verify(args: &AuditVerifyArgs) -> Result<Outcome> {
    let manifest = crate::store::manifest_around(args.at.project.as_deref());
    let key = crate::config::audit_key(&manifest)?;
    let keyed_setting = key.is_some();
    let mut chain = ChainCheck::new(key, args.anchor.clone());
    open(&args.at)?.audit_scan(None, &mut |record| chain.check(&record))?;
    match chain.verdict() {
        Verdict::Intact {
            count,
            head,
            keyed,
            anchor,
        } => {
            let mut text = format!("audit log intact: {count} record(s), head {head}\n");
            if let (Some(hash), Some(place)) = (&args.anchor, anchor) {
                text.push_str(&format!("anchor {hash} found at record {place}\n"));
            }
            text.push_str(&match (keyed, keyed_setting) {
                (0, false) => "not sealed with a key: anyone who can write the store can rebuild the chain; set [audit] key, and check against an anchor\n".to_owned(),
                (0, true) => "no record is sealed with the key yet\n".to_owned(),
                (keyed, _) if keyed == count => "every record is sealed with the audit key\n".to_owned(),
                (keyed, _) => format!(
                    "the last {keyed} record(s) are sealed with the audit key; the {} before them are not\n",
                    count - keyed
                ),
            });
            report::out(&text);
            Ok(Outcome::Clean)
        }
        Verdict::Broken { position, seq, why } => {
            report::out(&format!(
                "audit log broken at record {position} (it says #{seq}): {why}\n"
            ));
            Ok(Outcome::Findings)
        }
        Verdict::AnchorMissing { count } => {
            report::out(&format!(
                "audit log broken: the anchor {} is not among its {count} record(s): records up to it were rewritten or cut, or it comes from another store\n",
                args.anchor.as_deref().unwrap_or_default()
            ));
            Ok(Outcome::Findings)
        }
        Verdict::KeyNeeded { seq } => bail!(
            "records from #{seq} are sealed with an audit key: set [audit] key in {} to verify them",
            manifest.display()
        ),
    }
}
