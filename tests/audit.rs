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

/// A project whose audit log is sealed with a key from `TEST_AUDIT_KEY`,
/// and the store its dry runs of the sample deactivation wrote, run `runs`
/// times.
fn keyed_project(runs: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let flow = "import okta\n\n/// Suspends deactivated users.\nflow suspend_leavers {\n  when okta.user_deactivated as e\n  where e.target != null\n  then {\n    okta.suspend_user(id: e.target[0].id)\n  }\n}\n";
    std::fs::write(dir.path().join("a.flow"), flow).unwrap();
    std::fs::write(
        dir.path().join("idflow.toml"),
        "[audit]\nkey = { env = \"TEST_AUDIT_KEY\" }\n",
    )
    .unwrap();
    let event = support::root().join("examples/events/user-deactivated.json");
    for _ in 0..runs {
        let output = idflow_in(
            dir.path(),
            &["run", ".", "--event", event.to_str().unwrap(), "--dry-run"],
            Some("the-audit-key"),
        );
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }
    dir
}

fn idflow_in(dir: &Path, args: &[&str], key: Option<&str>) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_idflow"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("TEST_AUDIT_KEY");
    if let Some(key) = key {
        command.env("TEST_AUDIT_KEY", key);
    }
    command.output().unwrap()
}

/// Rewrites the whole chain from `from` on as someone who can write the
/// store but has no key would: every hash recomputed with plain SHA-256.
fn rebuild_chain(store: &Path, from: i64) {
    use sha2::Digest;
    let connection = Connection::open(store).unwrap();
    let mut prev: String = connection
        .query_row(
            "SELECT COALESCE((SELECT hash FROM audit WHERE seq = ?1 - 1), ?2)",
            params![from, "0".repeat(64)],
            |r| r.get(0),
        )
        .unwrap();
    let rows: Vec<(i64, i64, String, String)> = connection
        .prepare("SELECT seq, at_ms, kind, data FROM audit WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map(params![from], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (seq, at_ms, kind, data) in rows {
        let line = format!("{seq}\n{at_ms}\n{kind}\n{data}\n{prev}");
        let hash = hex::encode(sha2::Sha256::digest(line.as_bytes()));
        connection
            .execute(
                "UPDATE audit SET prev = ?1, hash = ?2 WHERE seq = ?3",
                params![prev, hash, seq],
            )
            .unwrap();
        prev = hash;
    }
}

#[test]
fn a_keyed_chain_cannot_be_rebuilt_without_the_key() {
    let dir = keyed_project(2);
    let store = dir.path().join(".idflow/state.db");
    let output = idflow_in(dir.path(), &["audit", "verify"], Some("the-audit-key"));
    let said = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{said}");
    assert!(
        said.contains("every record is sealed with the audit key"),
        "{said}"
    );
    let export = text(&idflow_in(dir.path(), &["audit", "export"], None).stdout);
    assert!(export.contains("\"hash\":\"hmac-sha256:"), "{export}");
    // Without the key, verify says what it needs; with another, it fails.
    let output = idflow_in(dir.path(), &["audit", "verify"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("the environment variable `TEST_AUDIT_KEY` is not set"),
        "{}",
        text(&output.stderr)
    );
    let output = idflow_in(dir.path(), &["audit", "verify"], Some("a-guessed-key"));
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).starts_with("audit log broken at record 1"));
    // Someone who can write the store changes the second run's status and
    // rebuilds the chain from there with plain hashes: named.
    Connection::open(&store)
        .unwrap()
        .execute(
            "UPDATE audit SET data = replace(data, '\"dry_run\":true', '\"dry_run\":false') WHERE seq = 3",
            [],
        )
        .unwrap();
    rebuild_chain(&store, 3);
    let output = idflow_in(dir.path(), &["audit", "verify"], Some("the-audit-key"));
    let said = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.starts_with(
            "audit log broken at record 3 (it says #3): it is not sealed with the key"
        ),
        "{said}"
    );
}

#[test]
fn an_anchor_catches_a_chain_rebuilt_whole() {
    let (_dir, store) = store();
    let export = text(&support::idflow(&["audit", "export", "--store", &store]).stdout);
    let last: serde_json::Value = serde_json::from_str(export.lines().last().unwrap()).unwrap();
    let anchor = last["hash"].as_str().unwrap().to_owned();
    let output = support::idflow(&["audit", "verify", "--store", &store, "--anchor", &anchor]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        text(&output.stdout).contains(&format!("anchor {anchor} found at record 12")),
        "{}",
        text(&output.stdout)
    );
    // A run record changed and the whole chain rebuilt: a plain verify
    // cannot tell, the anchor can.
    let changed = db(&store)
        .execute(
            "UPDATE audit SET data = replace(data, '\"dry_run\":true', '\"dry_run\":false') WHERE seq = 9",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    rebuild_chain(Path::new(&store), 1);
    assert_eq!(verify(&store).status.code(), Some(0));
    let output = support::idflow(&["audit", "verify", "--store", &store, "--anchor", &anchor]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).contains(&format!(
            "the anchor {anchor} is not among its 12 record(s)"
        )),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn a_record_whose_time_or_kind_was_edited_is_named() {
    for edit in [
        "UPDATE audit SET at_ms = at_ms + 1 WHERE seq = 5",
        "UPDATE audit SET kind = 'version' WHERE seq = 9",
    ] {
        let (_dir, store) = store();
        assert_eq!(db(&store).execute(edit, []).unwrap(), 1);
        let output = verify(&store);
        assert_eq!(output.status.code(), Some(1), "{edit}");
        let said = text(&output.stdout);
        let seq = if edit.contains("seq = 5") { 5 } else { 9 };
        assert!(
            said.starts_with(&format!(
                "audit log broken at record {seq} (it says #{seq}): its content does not match its hash"
            )),
            "{edit}: {said}"
        );
    }
}
