//! `idflow serve` as a process, fed exactly as Okta feeds it, with every
//! action landing on a local server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers: a failure fails the test"
)]

mod edge;
mod harness;

use std::time::Duration;

use harness::{HOOK_SECRET, Receiver, Serve, delivery, manifest, okta_headers, sample};
use serde_json::{Value as Json, json};

const PROJECT: &str = r##"import okta
import slack

/// The helpdesk's ticket API, which deduplicates on `Idempotency-Key`.
connector helpdesk {
  base_url: "http://127.0.0.1"
  idempotency_header: "Idempotency-Key"

  /// Open a ticket.
  action open(title: String) -> Json = POST "/tickets" body { title }
}

/// Countries from which staff may sign in.
config allowed_countries: List<String> = ["France", "Belgium"]

/// Suspend an account after a failed sign-in from abroad, and tell the CISO.
flow block_foreign_signin {
  when okta.user_session_start as e
  where e.outcome?.result == "FAILURE"
    and e.actor != null
    and e.client?.geographicalContext?.country != null
    and e.client.geographicalContext.country not in allowed_countries
  then {
    let user = okta.get_user(id: e.actor.id)
    slack.post_message(channel: "#rssi-alertes", text: "Sign-in blocked for {user.profile.login}")
    okta.suspend_user(id: user.id)
  }
}

/// Two tickets for each leaver.
flow offboard {
  when okta.user_deactivated as e
  where e.target != null
  then {
    let who = e.target[0].id
    helpdesk.open(title: "Return the equipment of {who}")
    helpdesk.open(title: "Close the mailbox of {who}")
  }
}

/// A ticket, two seconds of patience, another ticket.
flow welcome {
  when okta.user_created as e
  where e.target != null
  then {
    let who = e.target[0].id
    helpdesk.open(title: "before the wait: {who}")
    wait 2s
    helpdesk.open(title: "after the wait: {who}")
  }
}
"##;

/// A project directory served by the tests.
fn project(receiver: &Receiver, extra_manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flows.flow"), PROJECT).unwrap();
    std::fs::write(
        dir.path().join("idflow.toml"),
        manifest(receiver.address, extra_manifest),
    )
    .unwrap();
    dir
}

fn with_uuid(mut event: Json, uuid: &str) -> Json {
    event["uuid"] = json!(uuid);
    event
}

fn metric(serve: &Serve, line_start: &str) -> f64 {
    let (status, text) = serve.request("GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[test]
fn okta_event_hooks_are_verified_queued_deduplicated_and_run() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let mut serve = Serve::start(dir.path());

    // The one-time verification, header name in any case.
    let (status, body) = serve.request(
        "GET",
        "/hooks/okta",
        &[
            ("Authorization", HOOK_SECRET),
            ("X-Okta-Verification-Challenge", "D8B-kJT5TkXwTQfKu3W3Fg"),
        ],
        b"",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Json>(&body).unwrap(),
        json!({"verification": "D8B-kJT5TkXwTQfKu3W3Fg"})
    );

    // A batch as Okta sends it: a successful sign-in (fires nothing) and a
    // failed one from the United States (fires block_foreign_signin).
    let batch = delivery(&[
        sample("event-hook-delivery.json"),
        sample("user.session.start.failure.json"),
    ]);
    let (status, body) = serve.request("POST", "/hooks/okta", &okta_headers(), &batch);
    assert_eq!((status, body.as_str()), (200, ""));
    receiver.wait_for("the suspension", |requests| {
        requests
            .iter()
            .any(|r| r.route.contains("/lifecycle/suspend"))
    });
    let actor = "00uu1uuuuIlllaaaa356";
    assert_eq!(receiver.to(&format!("GET /api/v1/users/{actor}")).len(), 1);
    let posted = receiver.to("POST /api/chat.postMessage");
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].body["channel"], "#rssi-alertes");
    let suspended = receiver.to(&format!("POST /api/v1/users/{actor}/lifecycle/suspend"));
    assert_eq!(suspended.len(), 1);
    assert_eq!(
        suspended[0].body["authorized"], true,
        "the Okta token was sent"
    );

    // Okta retries: the same delivery again is acknowledged, queued never twice.
    let (status, _) = serve.request("POST", "/hooks/okta", &okta_headers(), &batch);
    assert_eq!(status, 200);
    assert_eq!(
        metric(&serve, "idflow_events_duplicate_total{source=\"okta\"}"),
        2.0
    );
    assert_eq!(
        metric(&serve, "idflow_events_received_total{source=\"okta\"}"),
        2.0
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        receiver
            .to(&format!("POST /api/v1/users/{actor}/lifecycle/suspend"))
            .len(),
        1
    );

    // Operations.
    assert_eq!(serve.request("GET", "/healthz", &[], b"").0, 200);
    let (_, metrics) = serve.request("GET", "/metrics", &[], b"");
    for name in [
        "idflow_runs{status=\"succeeded\"} 1",
        "idflow_step_duration_seconds_bucket{",
        "idflow_queue_depth 0",
        "idflow_action_retries_total 0",
    ] {
        assert!(metrics.contains(name), "{name} in\n{metrics}");
    }
    let runs = serve.idflow(&["runs", "list", "--format", "json"]);
    let run: Json = serde_json::from_str(runs.lines().next().unwrap()).unwrap();
    assert_eq!(run["flow"], "block_foreign_signin");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["event_id"], "2a992f80-d1ad-4f62-900e-8c68bb72a21b");

    // SIGTERM: a clean exit.
    assert_eq!(serve.terminate(), Some(0), "{}", serve.log());
    let log = serve.log();
    assert!(
        !log.contains(HOOK_SECRET) && !log.contains(harness::OKTA_TOKEN),
        "{log}"
    );
}

#[test]
fn bad_deliveries_get_a_clear_4xx_and_nothing_is_queued() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let serve = Serve::start(dir.path());
    let event = sample("user.session.start.failure.json");
    let good = delivery(std::slice::from_ref(&event));
    let json_headers = [("Content-Type", "application/json")];
    // What is wrong, the headers, the body, the status and what the answer says.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            "no secret",
            json_headers.to_vec(),
            good.clone(),
            401,
            "missing",
        ),
        (
            "a wrong secret",
            vec![("Authorization", "Bearer guessed")],
            good.clone(),
            401,
            "wrong",
        ),
        (
            "malformed JSON",
            okta_headers(),
            b"{\"data\": {\"events\": [".to_vec(),
            400,
            "not JSON",
        ),
        (
            "no events list",
            okta_headers(),
            br#"{"data": {}}"#.to_vec(),
            400,
            "data.events",
        ),
        (
            "an event without uuid",
            okta_headers(),
            delivery(&[
                json!({"eventType": "user.session.start", "published": "2026-11-29T10:00:00Z"}),
            ]),
            400,
            "`data.events[0]`: the event has no `uuid`",
        ),
        (
            "an empty event type",
            okta_headers(),
            delivery(&[with_uuid(
                json!({"eventType": "", "published": "2026-11-29T10:00:00Z"}),
                "u-1",
            )]),
            400,
            "`data.events[0]`: the event's `eventType` is empty",
        ),
        (
            "an oversized body",
            okta_headers(),
            delivery(&[with_uuid(
                json!({"eventType": "user.session.start", "published": "2026-11-29T10:00:00Z",
                       "displayMessage": "x".repeat(300_000)}),
                "u-2",
            )]),
            413,
            "larger than 262144 bytes",
        ),
    ];
    for (what, headers, body, status, says) in cases {
        let (got, answer) = serve.request("POST", "/hooks/okta", &headers, &body);
        assert_eq!(got, status, "{what}: {answer}");
        assert!(answer.contains(says), "{what}: {answer}");
    }
    // A client that announces more than it sends is cut off with 408.
    {
        use std::io::{Read, Write};
        let mut slow = std::net::TcpStream::connect(serve.address).unwrap();
        write!(
            slow,
            "POST /hooks/okta HTTP/1.1\r\nHost: x\r\nAuthorization: {HOOK_SECRET}\r\nContent-Length: 1000\r\n\r\n{{\"data\""
        )
        .unwrap();
        let mut answer = String::new();
        let _ = slow.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("did not arrive within 2 s"), "{answer}");
    }
    assert_eq!(metric(&serve, "idflow_events_received_total"), 0.0);
    assert!(
        serve.log().contains("request refused"),
        "refusals are logged"
    );
    // A verification without its challenge is refused too.
    let (status, _) = serve.request("GET", "/hooks/okta", &[("Authorization", HOOK_SECRET)], b"");
    assert_eq!(status, 400);
    // Nothing ran.
    std::thread::sleep(Duration::from_millis(300));
    assert!(receiver.recorded.lock().unwrap().requests.is_empty());
}

#[test]
fn without_a_secret_the_hook_refuses_every_delivery_and_says_why() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flows.flow"), PROJECT).unwrap();
    let unsecured = manifest(receiver.address, "").replace(
        "[serve.okta_hook]\nsecret = { env = \"TEST_HOOK_SECRET\" }\n",
        "",
    );
    std::fs::write(dir.path().join("idflow.toml"), unsecured).unwrap();
    let serve = Serve::start(dir.path());
    let body = delivery(&[sample("user.session.start.failure.json")]);
    let (status, answer) = serve.request("POST", "/hooks/okta", &okta_headers(), &body);
    assert_eq!(status, 401);
    assert!(answer.contains("no secret configured"), "{answer}");
    assert!(
        serve.log().contains("no secret configured"),
        "{}",
        serve.log()
    );
}

#[test]
fn a_wait_survives_a_kill_and_fires_once() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let mut serve = Serve::start(dir.path());
    let created = sample("user.lifecycle.create.template.json");
    let (status, _) = serve.request(
        "POST",
        "/hooks/okta",
        &okta_headers(),
        &delivery(&[created]),
    );
    assert_eq!(status, 200);
    receiver.wait_for("the first ticket", |r| {
        r.iter().any(|r| r.route == "POST /tickets")
    });
    // Wait until the run is recorded as waiting, then kill the service.
    first_run(&serve, "waiting");
    serve.kill();
    serve.restart();
    receiver.wait_for("the ticket after the wait", |r| {
        r.iter().any(|r| {
            r.body["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("after"))
        })
    });
    std::thread::sleep(Duration::from_millis(1_500));
    let tickets: Vec<String> = receiver
        .to("POST /tickets")
        .iter()
        .map(|r| r.body["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        tickets,
        [
            "before the wait: 00uNEW00000000000001",
            "after the wait: 00uNEW00000000000001"
        ]
    );
    let shown = serve.idflow(&["runs", "list", "--flow", "welcome", "--format", "json"]);
    let run: Json = serde_json::from_str(shown.lines().next().unwrap()).unwrap();
    assert_eq!(run["status"], "succeeded");
}

/// Deliveries of `count` deactivations, `per` events each.
fn deactivations(count: usize, per: usize) -> Vec<Vec<u8>> {
    let template = sample("user.lifecycle.deactivate.json");
    let events: Vec<Json> = (0..count)
        .map(|i| {
            let mut event = with_uuid(template.clone(), &format!("crash-{i:05}"));
            event["target"][0]["id"] = json!(format!("00u{i:05}"));
            event
        })
        .collect();
    events.chunks(per).map(delivery).collect()
}

/// 1,000 events (`IDFLOW_CRASH_EVENTS`; fewer by default, for CI) delivered
/// as Okta does — a delivery without a 200 is sent again — while the
/// service is killed with SIGKILL at random moments and restarted. Every
/// event must produce its two tickets, each with exactly one idempotency
/// key: no event lost, no ticket opened twice.
#[test]
fn no_event_is_lost_and_no_action_doubled_across_kills() {
    let count: usize = std::env::var("IDFLOW_CRASH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let kills: u64 = std::env::var("IDFLOW_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4);
    // Each ticket takes 5 ms to answer: kills land while requests are in flight.
    let receiver = Receiver::start(Duration::from_millis(5));
    let dir = project(&receiver, "");
    let mut serve = Serve::start(dir.path());
    let address = serve.address;
    let deliveries = deactivations(count, 10);
    let sender = std::thread::spawn(move || {
        let mut resent = 0;
        for body in deliveries {
            // Okta retries a delivery until it is acknowledged.
            loop {
                match harness::http(address, "POST", "/hooks/okta", &okta_headers(), &body) {
                    Ok((200, _)) => break,
                    _ => {
                        resent += 1;
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            }
        }
        resent
    });
    // The kill times are random but reproducible: IDFLOW_CRASH_SEED picks them.
    let mut seed: u64 = std::env::var("IDFLOW_CRASH_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x2545_f491_4f6c_dd1d);
    let mut killed_at = Vec::new();
    for _ in 0..kills {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(150 + seed % 600));
        serve.kill();
        killed_at.push(std::time::Instant::now());
        serve.restart();
    }
    let resent = sender.join().unwrap();
    receiver.wait_for("every ticket", |requests| {
        let keys: std::collections::BTreeSet<&str> =
            requests.iter().filter_map(|r| r.key.as_deref()).collect();
        keys.len() >= 2 * count
    });
    std::thread::sleep(Duration::from_millis(500));
    let tickets = receiver.to("POST /tickets");
    let mut keys_by_title: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for ticket in &tickets {
        keys_by_title
            .entry(ticket.body["title"].as_str().unwrap().to_owned())
            .or_default()
            .insert(ticket.key.clone().expect("every ticket carries a key"));
    }
    assert_eq!(keys_by_title.len(), 2 * count, "every event's two tickets");
    for i in 0..count {
        for title in [
            format!("Return the equipment of 00u{i:05}"),
            format!("Close the mailbox of 00u{i:05}"),
        ] {
            let keys = keys_by_title.get(&title).map_or(0, |k| k.len());
            assert_eq!(keys, 1, "{title}: one idempotency key");
        }
    }
    // A write is sent again only when a kill caught it in flight: sent,
    // its answer not yet journaled. Every key sent more than once was first
    // sent shortly before a kill — never twice while the service lived.
    let mut first_sent: std::collections::BTreeMap<&str, (std::time::Instant, usize)> =
        std::collections::BTreeMap::new();
    for ticket in &tickets {
        let key = ticket.key.as_deref().unwrap_or_default();
        let entry = first_sent.entry(key).or_insert((ticket.at, 0));
        entry.1 += 1;
    }
    for (key, (first, sends)) in &first_sent {
        if *sends > 1 {
            let caught = killed_at.iter().any(|kill| {
                *kill >= *first && kill.duration_since(*first) < Duration::from_secs(5)
            });
            assert!(
                caught,
                "{key}: sent {sends} times with no kill while it was in flight"
            );
            assert!(
                *sends <= 1 + killed_at.len(),
                "{key}: sent {sends} times across {} kills",
                killed_at.len()
            );
        }
    }
    let repeats = tickets.len() - 2 * count;
    eprintln!(
        "{count} events, {kills} kills: {} tickets opened once each; {repeats} requests sent again with the same key (caught in flight); {resent} deliveries sent again",
        2 * count
    );
    assert_eq!(serve.terminate(), Some(0));
}

/// The newest run with this status, once there is one.
fn first_run(serve: &Serve, status: &str) -> Json {
    let start = std::time::Instant::now();
    loop {
        let listed = serve.idflow(&["runs", "list", "--status", status, "--format", "json"]);
        if let Some(line) = listed.lines().next() {
            return serde_json::from_str(line).unwrap();
        }
        assert!(
            start.elapsed() < harness::PATIENCE,
            "no run became {status}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn titles(receiver: &Receiver) -> Vec<String> {
    receiver
        .to("POST /tickets")
        .iter()
        .map(|r| r.body["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The project's flows plus one more, in its own file.
fn add_flow(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(
        dir.join(name),
        format!("import okta\nimport helpdesk\n\n{text}"),
    )
    .unwrap();
}

#[test]
fn webhooks_check_their_hmac_signature_and_refuse_a_replay() {
    use hmac::{KeyInit, Mac};
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(
        &receiver,
        "\n[serve.webhooks.\"/hooks/hr-feed\"]\nsecret = { env = \"TEST_HOOK_SECRET\" }\nsignature_header = \"X-Hub-Signature-256\"\n",
    );
    add_flow(
        dir.path(),
        "hr.flow",
        "/// A change from the HR system.\ntype HrChange {\n  employee: String,\n  department: String,\n}\n\n/// Tickets HR changes to the pharmacy.\nflow hr_feed {\n  when webhook \"/hooks/hr-feed\" as req: HrChange\n  where req.department == \"Pharmacie\"\n  then {\n    helpdesk.open(title: \"HR: {req.employee} joins {req.department}\")\n  }\n}\n",
    );
    let serve = Serve::start(dir.path());
    let sign = |body: &[u8]| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(HOOK_SECRET.as_bytes()).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    };
    let body = br#"{"employee": "c.martin", "department": "Pharmacie"}"#;
    let other = br#"{"employee": "j.dupont", "department": "Urgences"}"#;
    let signature = sign(body);
    let headers = |signature: &str, key: &str| -> Vec<(&'static str, String)> {
        vec![
            ("Content-Type", "application/json".to_owned()),
            ("X-Hub-Signature-256", signature.to_owned()),
            ("Idempotency-Key", key.to_owned()),
        ]
    };
    let send = |headers: Vec<(&str, String)>, body: &[u8]| {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        serve.request("POST", "/hooks/hr-feed", &headers, body)
    };
    assert_eq!(send(headers(&signature, "d-1"), body).0, 202);
    assert_eq!(send(headers(&sign(other), "d-2"), other).0, 202);
    let (status, answer) = send(headers(&signature, "d-1"), body);
    assert_eq!(
        (status, answer.contains("already received")),
        (409, true),
        "{answer}"
    );
    let (status, answer) = send(headers(&sign(b"{}"), "d-3"), body);
    assert_eq!(
        (status, answer.contains("does not match")),
        (401, true),
        "{answer}"
    );
    let (status, answer) = send(vec![("Idempotency-Key", "d-4".to_owned())], body);
    assert_eq!(
        (status, answer.contains("missing")),
        (401, true),
        "{answer}"
    );
    let (status, _) = serve.request("POST", "/hooks/unknown", &[], b"{}");
    assert_eq!(status, 404);
    // A body that does not fit `HrChange` is refused, naming the field.
    let untyped = br#"{"employee": 42, "department": "Pharmacie"}"#;
    let (status, answer) = send(headers(&sign(untyped), "d-5"), untyped);
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("`employee` must be a string"), "{answer}");
    receiver.wait_for("the HR ticket", |r| {
        r.iter().any(|r| r.route == "POST /tickets")
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(titles(&receiver), ["HR: c.martin joins Pharmacie"]);
}

#[test]
fn a_schedule_fires_in_its_time_zone() {
    use chrono::Timelike as _;
    // Two flows fire every second of the hour it is now in Kolkata (and
    // the next, should the test cross an hour): one counts hours in
    // Kolkata, the other in UTC. Kolkata is UTC+5:30 all year, so the UTC
    // flow's hours are hours away: only the zone sets them apart.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let hour = chrono::DateTime::from_timestamp_millis(now.as_millis() as i64)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .hour();
    let hours = format!("{hour},{}", (hour + 1) % 24);
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    add_flow(
        dir.path(),
        "tick.flow",
        &format!(
            "/// Every second of this hour, in Kolkata.\nflow tick_kolkata {{\n  when schedule \"* * {hours} * * *\" tz \"Asia/Kolkata\"\n  then {{\n    helpdesk.open(title: \"kolkata\")\n  }}\n}}\n\n/// Every second of the same hours, in UTC.\nflow tick_utc {{\n  when schedule \"* * {hours} * * *\"\n  then {{\n    helpdesk.open(title: \"utc\")\n  }}\n}}\n"
        ),
    );
    let mut serve = Serve::start(dir.path());
    receiver.wait_for("two firings", |r| {
        r.iter().filter(|r| r.body["title"] == "kolkata").count() >= 2
    });
    assert_eq!(serve.terminate(), Some(0));
    let tickets = receiver.to("POST /tickets");
    assert!(
        tickets.iter().all(|r| r.body["title"] == "kolkata"),
        "the UTC schedule fired in Kolkata's hours: {:?}",
        tickets.iter().map(|r| &r.body["title"]).collect::<Vec<_>>()
    );
    // Each firing has its own idempotency key.
    let keys: std::collections::BTreeSet<_> =
        tickets.iter().filter_map(|r| r.key.clone()).collect();
    assert_eq!(keys.len(), tickets.len());
}

#[test]
fn the_system_log_poller_resumes_from_its_cursor_and_shares_the_hook_dedup() {
    let receiver = Receiver::start(Duration::ZERO);
    let failure = sample("user.session.start.failure.json");
    receiver.recorded.lock().unwrap().log_events = vec![failure.clone()];
    let dir = project(
        &receiver,
        "\n[serve.okta_poller]\ninterval_seconds = 1\nsince = \"2020-01-01T00:00:00Z\"\n",
    );
    let mut serve = Serve::start(dir.path());
    receiver.wait_for("the suspension", |r| {
        r.iter().any(|r| r.route.contains("/suspend"))
    });
    // The hook delivers the same event: it is not run twice.
    let (status, _) = serve.request(
        "POST",
        "/hooks/okta",
        &okta_headers(),
        &delivery(&[failure]),
    );
    assert_eq!(status, 200);
    serve.kill();
    serve.restart();
    let start = std::time::Instant::now();
    while receiver.recorded.lock().unwrap().log_queries.len() < 3 {
        assert!(
            start.elapsed() < harness::PATIENCE,
            "no poll after the restart"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let queries = receiver.recorded.lock().unwrap().log_queries.clone();
    assert!(queries[0].starts_with("2020-01-01T00:00:00"), "{queries:?}");
    // After the first poll, and after the restart: from the event's time.
    assert!(
        queries[1..]
            .iter()
            .all(|q| q.starts_with("2020-11-25T21:27:03.496")),
        "{queries:?}"
    );
    assert_eq!(
        receiver
            .to("POST /api/v1/users/00uu1uuuuIlllaaaa356/lifecycle/suspend")
            .len(),
        1
    );
}

#[test]
fn a_changed_project_is_reloaded_and_a_broken_one_leaves_the_old_plan_serving() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let serve = Serve::start_watching(dir.path(), true);
    let suspended = |uuid: &str| {
        let event = with_uuid(sample("user.lifecycle.suspend.json"), uuid);
        let (status, _) =
            serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(&[event]));
        assert_eq!(status, 200);
    };
    add_flow(
        dir.path(),
        "suspended.flow",
        "/// A ticket for each suspension.\nflow on_suspend {\n  when okta.user_suspended as e\n  then {\n    helpdesk.open(title: \"suspended: {e.uuid}\")\n  }\n}\n",
    );
    serve.wait_log("project reloaded");
    suspended("s-1");
    receiver.wait_for("the first ticket", |r| {
        r.iter().any(|r| r.route == "POST /tickets")
    });
    std::fs::write(dir.path().join("broken.flow"), "flow {").unwrap();
    serve.wait_log("the project no longer compiles");
    suspended("s-2");
    receiver.wait_for("the second ticket", |r| {
        r.iter().filter(|r| r.route == "POST /tickets").count() == 2
    });
    assert_eq!(titles(&receiver), ["suspended: s-1", "suspended: s-2"]);
}

#[test]
fn a_failed_run_retried_resends_only_what_failed_and_a_cancelled_wait_never_fires() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    add_flow(
        dir.path(),
        "profile.flow",
        "/// Two tickets per profile change.\nflow on_profile {\n  when okta.user_profile_updated as e\n  then {\n    helpdesk.open(title: \"first {e.uuid}\")\n    helpdesk.open(title: \"second {e.uuid}\")\n  }\n}\n",
    );
    let serve = Serve::start(dir.path());
    receiver.recorded.lock().unwrap().refuse_titles = Some("second".to_owned());
    let event = with_uuid(sample("user.account.update_profile.json"), "p-1");
    serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(&[event]));
    let failed = first_run(&serve, "failed");
    assert!(
        failed["detail"].as_str().unwrap().contains("HTTP 400"),
        "{failed}"
    );
    receiver.recorded.lock().unwrap().refuse_titles = None;
    serve.idflow(&["runs", "retry", failed["id"].as_str().unwrap()]);
    receiver.wait_for("the second ticket", |r| {
        r.iter().any(|r| r.body["title"] == "second p-1")
    });
    assert_eq!(titles(&receiver), ["first p-1", "second p-1"]);

    // A waiting run cancelled: its wait never fires.
    let created = sample("user.lifecycle.create.template.json");
    serve.request(
        "POST",
        "/hooks/okta",
        &okta_headers(),
        &delivery(&[created]),
    );
    let waiting = first_run(&serve, "waiting");
    serve.idflow(&["runs", "cancel", waiting["id"].as_str().unwrap()]);
    std::thread::sleep(Duration::from_millis(3_000));
    assert!(
        !titles(&receiver)
            .iter()
            .any(|t| t.starts_with("after the wait")),
        "{:?}",
        titles(&receiver)
    );
}

/// The resident memory of a process, in bytes (Linux).
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}

/// Sends `count` suspensions numbered from `from`, 100 per delivery, and
/// waits until the service holds `waiting` waiting runs.
fn hold(serve: &Serve, from: usize, count: usize, waiting: f64) {
    let template = sample("user.lifecycle.suspend.json");
    let events: Vec<Json> = (from..from + count)
        .map(|i| with_uuid(template.clone(), &format!("hold-{i:06}")))
        .collect();
    for chunk in events.chunks(100) {
        // A full queue answers 429: wait and send again, as a sender should.
        loop {
            let (status, answer) =
                serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(chunk));
            match status {
                200 => break,
                429 => std::thread::sleep(Duration::from_millis(200)),
                _ => panic!("{status}: {answer}"),
            }
        }
    }
    let start = std::time::Instant::now();
    while metric(serve, "idflow_runs{status=\"waiting\"}") < waiting {
        assert!(
            start.elapsed() < Duration::from_secs(1_800),
            "runs never all waited"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// 100,000 runs waiting 30 days are rows in the store, not tasks: the
/// service's memory does not grow with them. Run by hand (BENCHMARKS.md):
/// `cargo test --release --test serve -- --ignored waiting_runs --nocapture`.
#[test]
#[ignore = "a measurement of several minutes; BENCHMARKS.md says how to run it"]
fn waiting_runs_cost_no_memory() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    add_flow(
        dir.path(),
        "hold.flow",
        "/// Holds each suspended account's run for a month.\nflow hold {\n  when okta.user_suspended as e\n  then {\n    wait 30d\n    helpdesk.open(title: \"a month later: {e.uuid}\")\n  }\n}\n",
    );
    let serve = Serve::start(dir.path());
    let pid = serve.pid();
    // Warm up first: caches and pools reach their working size.
    hold(&serve, 0, 10_000, 10_000.0);
    let warm = rss(pid);
    hold(&serve, 10_000, 40_000, 50_000.0);
    let half = rss(pid);
    hold(&serve, 50_000, 50_000, 100_000.0);
    let full = rss(pid);
    let per_run = full.saturating_sub(half) as f64 / 50_000.0;
    eprintln!(
        "resident memory: {} KiB with 10,000 waiting runs, {} KiB with 50,000, {} KiB with 100,000: {per_run:.1} bytes per waiting run from 50,000 to 100,000",
        warm / 1024,
        half / 1024,
        full / 1024
    );
    // Flat: less than 100 bytes a run (a sleeping task would be kilobytes).
    assert!(per_run < 100.0, "{per_run} bytes per waiting run");
}

#[test]
fn a_waiting_run_finishes_on_the_plan_it_started_on_after_a_reload() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let serve = Serve::start_watching(dir.path(), true);
    let created = |uuid: &str| {
        let event = with_uuid(sample("user.lifecycle.create.template.json"), uuid);
        let (status, _) =
            serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(&[event]));
        assert_eq!(status, 200);
    };
    created("c-1");
    receiver.wait_for("the first ticket", |r| {
        r.iter().any(|r| r.route == "POST /tickets")
    });
    // While c-1 waits, the flow changes.
    std::fs::write(
        dir.path().join("flows.flow"),
        PROJECT.replace("after the wait: {who}", "v2 after the wait: {who}"),
    )
    .unwrap();
    serve.wait_log("project reloaded");
    created("c-2");
    receiver.wait_for("both runs' second tickets", |r| {
        r.iter()
            .filter(|r| {
                r.body["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("after the wait"))
            })
            .count()
            == 2
    });
    let after: Vec<String> = titles(&receiver)
        .into_iter()
        .filter(|t| t.contains("after"))
        .collect();
    assert_eq!(
        after,
        [
            "after the wait: 00uNEW00000000000001",
            "v2 after the wait: 00uNEW00000000000001"
        ]
    );
}

#[test]
fn sigterm_lets_the_runs_under_way_finish() {
    // Each ticket takes a second to answer.
    let receiver = Receiver::start(Duration::from_secs(1));
    let dir = project(&receiver, "");
    let mut serve = Serve::start(dir.path());
    let event = with_uuid(sample("user.lifecycle.deactivate.json"), "t-1");
    serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(&[event]));
    receiver.wait_for("the first ticket in flight", |r| {
        r.iter().any(|r| r.route == "POST /tickets")
    });
    assert_eq!(serve.terminate(), Some(0), "{}", serve.log());
    // The run finished (both tickets) before the process exited.
    assert_eq!(receiver.to("POST /tickets").len(), 2, "{}", serve.log());
    let listed = serve.idflow(&["runs", "list", "--format", "json"]);
    let run: Json = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    assert_eq!(run["status"], "succeeded");
}

/// `spawn call f(…)` under the service: each spawned run is a run of its
/// own, linked to its parent by its event, with its arguments typed; the
/// parent does not wait for them; and a parent retried after a failure
/// spawns nothing twice.
#[test]
fn spawned_runs_are_runs_of_their_own_and_a_retried_parent_spawns_them_once() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(
        &receiver,
        "\n[serve.webhooks.\"/hooks/batch\"]\nsignature_header = \"X-Signature-256\"\n",
    );
    add_flow(
        dir.path(),
        "batch.flow",
        "/// One leaver's ticket, in a run of its own.\nflow offboard_one {\n  when called(login: String, since: Time)\n  then {\n    helpdesk.open(title: \"Offboard {login} since {since.format(\"%Y\")}\")\n  }\n}\n\n/// A batch of leavers: a run for each, then a summary ticket.\nflow batch {\n  when webhook \"/hooks/batch\" as req\n  then {\n    for login in [\"a\", \"b\", \"c\"] {\n      spawn call offboard_one(login: login, since: now())\n    }\n    helpdesk.open(title: \"Batch done\")\n  }\n}\n",
    );
    let serve = Serve::start(dir.path());
    // The summary is refused: the parent fails after spawning.
    receiver.recorded.lock().unwrap().refuse_titles = Some("Batch".to_owned());
    let (status, answer) = serve.request(
        "POST",
        "/hooks/batch",
        &[("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(status, 202, "{answer}");
    let failed = first_run(&serve, "failed");
    assert_eq!(failed["flow"], "batch", "{failed}");
    receiver.wait_for("three leavers", |r| {
        r.iter()
            .filter(|r| {
                r.body["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Offboard"))
            })
            .count()
            >= 3
    });
    // Retried, the parent spawns the same runs: they are not run again.
    receiver.recorded.lock().unwrap().refuse_titles = None;
    let parent = failed["id"].as_str().unwrap().to_owned();
    serve.idflow(&["runs", "retry", &parent]);
    receiver.wait_for("the summary", |r| {
        r.iter().any(|r| r.body["title"] == "Batch done")
    });
    std::thread::sleep(Duration::from_millis(1_000));
    let mut offboarded: Vec<String> = titles(&receiver)
        .into_iter()
        .filter(|t| t.starts_with("Offboard"))
        .collect();
    offboarded.sort();
    assert_eq!(offboarded.len(), 3, "{offboarded:?}");
    assert!(
        offboarded[0].starts_with("Offboard a since 20"),
        "{offboarded:?}"
    );
    // In the history, each spawned run's event names its parent.
    let listed = serve.idflow(&["runs", "list", "--flow", "offboard_one", "--format", "json"]);
    let children: Vec<Json> = listed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(children.len(), 3, "{listed}");
    for child in &children {
        assert_eq!(child["status"], "succeeded", "{child}");
        assert!(
            child["event_id"]
                .as_str()
                .is_some_and(|e| e.starts_with(&format!("{parent}/"))),
            "{child}"
        );
    }
}
