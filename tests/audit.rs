//! The audit log, end to end through the command line: the reference
//! project's sample events run (in dry run) into a store, `idflow audit
//! verify` finds the chain intact, and after a byte of a record is flipped,
//! a record deleted, or two records swapped — directly in the SQLite file,
//! as someone with access to the disk could — it fails and names the first
//! bad record.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a store that cannot be written fails it"
)]

mod support;

use std::path::Path;
use std::process::Output;

use rusqlite::{Connection, params};

/// A store holding the audit records of the reference project's sample
/// events, run in dry run.
fn store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("state.db").to_str().unwrap().to_owned();
    let output = support::idflow(&[
        "run",
        "examples",
        "--event",
        "examples/events",
        "--dry-run",
        "--fixtures",
        "examples/fixtures",
        "--store",
        &store,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    (dir, store)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn verify(store: &str) -> Output {
    support::idflow(&["audit", "verify", "--store", store])
}

fn db(store: &str) -> Connection {
    Connection::open(Path::new(store)).unwrap()
}

#[test]
fn every_version_run_and_action_is_recorded_and_the_chain_is_intact() {
    let (_dir, store) = store();
    let output = verify(&store);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert!(text(&output.stdout).starts_with("audit log intact: 12 record(s), head "));
    let export = support::idflow(&["audit", "export", "--store", &store]);
    let records: Vec<serde_json::Value> = text(&export.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds = |kind: &str| records.iter().filter(|r| r["kind"] == kind).count();
    // Six flows ran in dry run: their versions and their runs, marked as
    // dry runs; none of the 26 actions they showed was sent, so none is in
    // the log as an action.
    assert_eq!((kinds("version"), kinds("run"), kinds("action")), (6, 6, 0));
    let leaver = records
        .iter()
        .find(|r| r["kind"] == "run" && r["data"]["flow"] == "deprovision_leaver")
        .expect("the leaver's run is in the log");
    assert_eq!(leaver["data"]["dry_run"], true);
    assert_eq!(leaver["data"]["not_sent"], 6);
    let shown: u64 = records
        .iter()
        .filter_map(|r| r["data"]["not_sent"].as_u64())
        .sum();
    assert_eq!(shown, 26);
    let version = records.iter().find(|r| r["kind"] == "version").unwrap();
    assert!(
        version["data"]["version"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    for (seq, record) in (1..).zip(&records) {
        assert_eq!(record["seq"], seq);
    }
    // Running the same flows again records new runs, not their versions again.
    let again = support::idflow(&[
        "run",
        "examples",
        "--event",
        "examples/events/user-created.json",
        "--dry-run",
        "--fixtures",
        "examples/fixtures",
        "--store",
        &store,
    ]);
    assert_eq!(again.status.code(), Some(0));
    let csv =
        text(&support::idflow(&["audit", "export", "--store", &store, "--format", "csv"]).stdout);
    assert!(csv.starts_with("seq,at,kind,data,prev,hash\n"), "{csv}");
    // The joiner ran again: a run; its version is known.
    assert_eq!(csv.lines().count(), 1 + 12 + 1, "{csv}");
    assert_eq!(verify(&store).status.code(), Some(0));
}

#[test]
fn a_flipped_byte_is_named() {
    let (_dir, store) = store();
    let connection = db(&store);
    let data: String = connection
        .query_row("SELECT data FROM audit WHERE seq = 12", [], |r| r.get(0))
        .unwrap();
    let mut bytes = data.into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    connection
        .execute(
            "UPDATE audit SET data = ?1 WHERE seq = 12",
            params![String::from_utf8_lossy(&bytes)],
        )
        .unwrap();
    let output = verify(&store);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        "audit log broken at record 12 (it says #12): its content does not match its hash: it was modified, or moved from another place\n"
    );
}

#[test]
fn a_deleted_record_is_named() {
    let (_dir, store) = store();
    db(&store)
        .execute("DELETE FROM audit WHERE seq = 7", [])
        .unwrap();
    let output = verify(&store);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stdout);
    assert!(
        said.starts_with(
            "audit log broken at record 7 (it says #8): it claims place 8 but stands at place 7"
        ),
        "{said}"
    );
}

#[test]
fn two_swapped_records_are_named_at_the_first() {
    let (_dir, store) = store();
    let connection = db(&store);
    // Swap everything but the place: records 5 and 9 trade places.
    connection
        .execute_batch(
            "UPDATE audit SET seq = -5 WHERE seq = 5;
             UPDATE audit SET seq = 5 WHERE seq = 9;
             UPDATE audit SET seq = 9 WHERE seq = -5;",
        )
        .unwrap();
    let output = verify(&store);
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stdout);
    assert!(
        said.starts_with("audit log broken at record 5 (it says #5)"),
        "{said}"
    );
}

#[test]
fn export_since_a_time_and_without_a_store() {
    let (_dir, store) = store();
    let later = support::idflow(&[
        "audit",
        "export",
        "--store",
        &store,
        "--since",
        "2999-01-01",
    ]);
    assert_eq!(later.status.code(), Some(0));
    assert!(later.stdout.is_empty());
    let bad = support::idflow(&["audit", "export", "--store", &store, "--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--since \"yesterday\" is not a time"));
    let none = support::idflow(&["audit", "verify", "--store", "/nonexistent/state.db"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(text(&none.stderr).contains("no store at /nonexistent/state.db"));
}
