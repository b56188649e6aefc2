//! The SQLite store against real files in temporary directories.

use super::*;

fn event(key: &str) -> NewEvent {
    NewEvent {
        source: "okta".to_owned(),
        key: key.to_owned(),
        connector: "okta".to_owned(),
        event_type: "user.lifecycle.create".to_owned(),
        body: serde_json::json!({ "uuid": key }),
    }
}

/// A store holding one event `u-1` dispatched to flow `f` version
/// `sha256:v1`, its run not claimed yet.
fn one_dispatched_run(dir: &std::path::Path) -> SqliteStore {
    let store = SqliteStore::open(&dir.join("state.db")).unwrap();
    store.enqueue(&[event("u-1")], 1).unwrap();
    let queued = store.next_events(10).unwrap();
    let run = NewRun {
        flow: "f".to_owned(),
        version: "sha256:v1".to_owned(),
        plan_id: "p".to_owned(),
    };
    store.dispatch(&[(queued[0].seq, vec![run])], 2).unwrap();
    store
}

/// A trace entry of an action of flow `f`, its input `{"step": step}`.
fn action_entry(
    step: u32,
    what: &str,
    status: crate::trace::StepStatus,
) -> crate::trace::TraceEntry {
    crate::trace::TraceEntry {
        flow: "f".to_owned(),
        step,
        what: what.to_owned(),
        status,
        input: Some(serde_json::json!({ "step": step })),
        output: None,
        error: None,
        attempts: Vec::new(),
        started_ms: 3,
        ended_ms: 3,
        micros: 10,
    }
}

#[test]
fn a_version_1_history_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let db = Connection::open(&path).unwrap();
        db.execute_batch(super::schema::SCHEMA_1).unwrap();
        db.execute_batch(
            "INSERT INTO runs VALUES ('r1', 'f', 'abc', 'u-1', 'succeeded', NULL, 0, 1, 2);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let runs = store.list(None, None, 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, "r1");
    let event = event("u-1");
    let twice = [event.clone(), event];
    let done = store.enqueue(&twice, 5).unwrap();
    assert_eq!((done.queued, done.duplicates), (1, 1));
    // A store written by a newer idflow is refused, not misread.
    drop(store);
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let newer = SqliteStore::open(&path).err().unwrap().to_string();
    assert!(newer.contains("newer idflow"), "{newer}");
}

#[test]
fn every_event_of_a_large_batch_dispatched_in_one_millisecond_gets_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("state.db")).unwrap();
    let events: Vec<NewEvent> = (0..5_000).map(|i| event(&format!("u-{i}"))).collect();
    store.enqueue(&events, 1).unwrap();
    let run = |flow: &str| NewRun {
        flow: flow.to_owned(),
        version: "v".to_owned(),
        plan_id: "p".to_owned(),
    };
    let batch: Vec<(i64, Vec<NewRun>)> = store
        .next_events(10_000)
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, vec![run("a"), run("b")]))
        .collect();
    store.dispatch(&batch, 2).unwrap();
    let counts = store.status_counts().unwrap();
    assert_eq!(counts, [("pending".to_owned(), 10_000)]);
}

#[test]
fn old_events_are_pruned_unless_a_run_may_still_need_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("state.db")).unwrap();
    let events: Vec<NewEvent> = ["done", "failed", "fresh", "queued"]
        .iter()
        .map(|k| event(k))
        .collect();
    store.enqueue(events.get(..3).unwrap(), 10).unwrap();
    let run = NewRun {
        flow: "f".to_owned(),
        version: "v".to_owned(),
        plan_id: "p".to_owned(),
    };
    let queued = store.next_events(10).unwrap();
    let seq = |key: &str| queued.iter().find(|e| e.event.key == key).unwrap().seq;
    store
        .dispatch(
            &[(seq("done"), vec![run.clone()]), (seq("failed"), vec![run])],
            20,
        )
        .unwrap();
    store.dispatch(&[(seq("fresh"), Vec::new())], 20).unwrap();
    store.enqueue(events.get(3..).unwrap(), 10).unwrap();
    let report = |status| RunReport {
        flow: "f".to_owned(),
        version: "v".to_owned(),
        status,
        result: None,
        trace: Vec::new(),
        spawned: Vec::new(),
    };
    let claimed = store.claim(30, 10).unwrap();
    let id_of = |key: &str| {
        claimed
            .iter()
            .find(|r| r.event_key == key)
            .map(|r| r.id.clone())
            .unwrap()
    };
    store
        .finish(&id_of("done"), &report(RunStatus::Succeeded), 40)
        .unwrap();
    let failed = RunStatus::Failed {
        error: "HTTP 500".to_owned(),
    };
    store.finish(&id_of("failed"), &report(failed), 40).unwrap();
    // Everything was received at 10: all are older than 11. Kept: the
    // failed run's event (it may be retried) and the undispatched one.
    assert_eq!(store.prune_events(11).unwrap(), 2);
    let left: Vec<String> = store
        .events_since("okta", "user.lifecycle.create", 0, 10)
        .unwrap()
        .iter()
        .map(|e| e["uuid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, ["failed", "queued"]);
}

#[test]
fn a_service_run_is_audited_once_it_ends_and_a_version_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = one_dispatched_run(dir.path());
    let provenance = Provenance {
        author: Some("A. Martin <a.martin@chu-exemple.fr>".to_owned()),
        commit: Some("1ce363f".to_owned()),
        uncommitted: false,
    };
    let versions = [("f".to_owned(), "sha256:v1".to_owned())];
    assert_eq!(store.audit_versions(&versions, &provenance, 1).unwrap(), 1);
    assert_eq!(store.audit_versions(&versions, &provenance, 2).unwrap(), 0);
    let claimed = store.claim(3, 10).unwrap();
    let sent = action_entry(2, "okta.suspend_user", crate::trace::StepStatus::Ok);
    let mut report = RunReport {
        flow: "f".to_owned(),
        version: "sha256:v1".to_owned(),
        status: RunStatus::Waiting {
            on: "wait 1h".to_owned(),
            until_ms: Some(10),
            event: None,
        },
        result: None,
        trace: vec![sent],
        spawned: Vec::new(),
    };
    // A run that waits has not ended: nothing is audited yet.
    store.finish(&claimed[0].id, &report, 4).unwrap();
    assert_eq!(store.audit_log(None).unwrap().len(), 1);
    let claimed = store.claim(11, 10).unwrap();
    report.status = RunStatus::Succeeded;
    store.finish(&claimed[0].id, &report, 12).unwrap();
    let log = store.audit_log(None).unwrap();
    let kinds: Vec<&str> = log.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["version", "run", "action"]);
    assert_eq!(log[0].data["commit"], "1ce363f");
    assert_eq!(log[1].data["event"], "u-1");
    assert_eq!(log[1].data["status"], "succeeded");
    assert_eq!(log[2].data["action"], "okta.suspend_user");
    assert_eq!(log[2].data["input"]["step"], 2);
    assert!(matches!(
        audit::verify(log),
        audit::Verdict::Intact { count: 3, .. }
    ));
    assert_eq!(store.audit_log(Some(12)).unwrap().len(), 2);
}

#[test]
fn a_retried_run_audits_only_what_it_sends_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = one_dispatched_run(dir.path());
    use crate::trace::StepStatus::{Failed, Ok as Sent, Replayed};
    // The first attempt sends the ticket, then the suspension fails.
    let claimed = store.claim(3, 10).unwrap();
    let mut report = RunReport {
        flow: "f".to_owned(),
        version: "sha256:v1".to_owned(),
        status: RunStatus::Failed {
            error: "HTTP 503".to_owned(),
        },
        result: None,
        trace: vec![
            action_entry(0, "helpdesk.open", Sent),
            action_entry(1, "okta.suspend_user", Failed),
        ],
        spawned: Vec::new(),
    };
    store.finish(&claimed[0].id, &report, 4).unwrap();
    // Retried: the ticket is replayed from the journal, the suspension sent.
    assert!(store.retry(&claimed[0].id).unwrap());
    let claimed = store.claim(5, 10).unwrap();
    report.status = RunStatus::Succeeded;
    report.trace = vec![
        action_entry(0, "helpdesk.open", Replayed),
        action_entry(1, "okta.suspend_user", Sent),
    ];
    store.finish(&claimed[0].id, &report, 6).unwrap();
    let log = store.audit_log(None).unwrap();
    let actions: Vec<(String, String)> = log
        .iter()
        .filter(|r| r.kind == "action")
        .map(|r| (r.data["action"].to_string(), r.data["status"].to_string()))
        .collect();
    assert_eq!(
        actions,
        [
            ("\"helpdesk.open\"".to_owned(), "\"ok\"".to_owned()),
            ("\"okta.suspend_user\"".to_owned(), "\"failed\"".to_owned()),
            ("\"okta.suspend_user\"".to_owned(), "\"ok\"".to_owned()),
        ]
    );
    let runs: Vec<String> = log
        .iter()
        .filter(|r| r.kind == "run")
        .map(|r| r.data["status"].to_string())
        .collect();
    assert_eq!(runs, ["\"failed\"", "\"succeeded\""]);
}

#[test]
fn a_cancelled_run_stays_cancelled_when_its_attempt_ends() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("state.db")).unwrap();
    let event = event("u-1");
    store.enqueue(&[event], 1).unwrap();
    let queued = store.next_events(10).unwrap();
    let run = NewRun {
        flow: "f".to_owned(),
        version: "v".to_owned(),
        plan_id: "p".to_owned(),
    };
    store
        .dispatch(&[(queued[0].seq, vec![run.clone()])], 2)
        .unwrap();
    // Dispatching the same event again creates no second run.
    store.dispatch(&[(queued[0].seq, vec![run])], 3).unwrap();
    let claimed = store.claim(4, 10).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].event_key, "u-1");
    assert!(store.cancel(&claimed[0].id, 5).unwrap());
    let report = RunReport {
        flow: "f".to_owned(),
        version: "v".to_owned(),
        status: RunStatus::Succeeded,
        result: None,
        trace: Vec::new(),
        spawned: Vec::new(),
    };
    store.finish(&claimed[0].id, &report, 6).unwrap();
    let listed = store.list(None, None, 10).unwrap();
    assert_eq!(listed[0].status, super::RunState::Cancelled);
    assert!(store.retry(&claimed[0].id).unwrap());
    assert_eq!(store.claim(7, 10).unwrap().len(), 1);
    assert_eq!(store.recover().unwrap(), 1);
}
