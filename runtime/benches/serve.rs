//! Throughput of `idflow serve`, in process, on 127.0.0.1:
//!
//! - **intake**: events a second the Okta Event Hook endpoint accepts —
//!   each delivery of 100 events committed to the SQLite queue (fsync'd)
//!   before its 200 — from 4 concurrent senders;
//! - **end to end**: events a second from delivery to the action a flow
//!   sends for each, on a local HTTP server;
//! - **burst**: 20,000 events, each firing a run, against the default
//!   intake limit (10,000 events and runs admitted and not finished): how
//!   many deliveries were pushed back (429), the most work ever admitted,
//!   and the end-to-end rate with the senders retrying.
//!
//! `cargo bench -p idflow-runtime --bench serve` (BENCHMARKS.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    missing_docs,
    reason = "a benchmark program"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use idflow_compiler::plan::{self, Plan};
use idflow_compiler::project::Project as Sources;
use idflow_compiler::source::SourceMap;
use idflow_runtime::http::Settings;
use idflow_runtime::serve::{self, Options, Project};
use idflow_runtime::store::SqliteStore;
use serde_json::json;

const FLOWS: &str = r#"import okta

/// The receiver.
connector desk {
  base_url: "http://127.0.0.1"
  idempotency_header: "Idempotency-Key"

  /// Open a ticket.
  action open(title: String) -> Json = POST "/tickets" body { title }
}

/// One ticket per deactivation.
flow offboard {
  when okta.user_deactivated as e
  where e.target != null
  then {
    desk.open(title: "return the equipment of {e.target[0].id}")
  }
}
"#;

struct Bench {
    receiver: String,
}

impl Project for Bench {
    fn compile(&self) -> Result<Plan, String> {
        let mut sources = SourceMap::new();
        sources.add("bench.flow", FLOWS);
        plan::build(&Sources::new(sources), &BTreeMap::new()).map_err(|e| e.to_string())
    }

    fn settings(&self, _plan: &Plan) -> Result<Settings, String> {
        Ok(Settings {
            base_urls: [("desk".to_owned(), self.receiver.clone())].into(),
            ..Settings::default()
        })
    }

    fn watched(&self) -> Vec<PathBuf> {
        Vec::new()
    }
}

fn delivery(from: usize, count: usize, event_type: &str) -> String {
    let events: Vec<_> = (from..from + count)
        .map(|i| {
            json!({"uuid": format!("ev-{i:08}"), "published": "2026-11-29T10:00:00.000Z",
                   "eventType": event_type, "displayMessage": "Deactivate Okta user",
                   "actor": {"id": "00uADMIN", "type": "User"},
                   "outcome": {"result": "SUCCESS"},
                   "target": [{"id": format!("00u{i:08}"), "type": "User", "alternateId": "x@chu-exemple.fr"}]})
        })
        .collect();
    json!({"eventType": "com.okta.event_hook", "data": {"events": events}}).to_string()
}

/// Posts `deliveries` deliveries of 100 events from 4 senders, each
/// delivery sent again 20 ms after a refusal; the time, and how many
/// answers were refusals.
async fn send(
    address: std::net::SocketAddr,
    deliveries: usize,
    event_type: &str,
    offset: usize,
) -> (Duration, u64) {
    let client = reqwest::Client::new();
    let url = format!("http://{address}/hooks/okta");
    let next = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, next) = (client.clone(), url.clone(), Arc::clone(&next));
            let refused = Arc::clone(&refused);
            let event_type = event_type.to_owned();
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst) as usize;
                    if n >= deliveries {
                        break;
                    }
                    let body = delivery(offset + n * 100, 100, &event_type);
                    loop {
                        let answer = client
                            .post(&url)
                            .header("Authorization", "bench-secret")
                            .body(body.clone())
                            .send()
                            .await
                            .unwrap();
                        if answer.status() == 200 {
                            break;
                        }
                        refused.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    (start.elapsed(), refused.load(Ordering::SeqCst))
}

/// Starts a service on a fresh store with `queue_limit`; its address.
async fn start_service(
    receiver: &str,
    queue_limit: u64,
) -> (tempfile::TempDir, std::net::SocketAddr) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("state.db")).unwrap());
    let options = Options {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        okta_hook_secret: Some("bench-secret".to_owned()),
        queue_limit,
        watch: false,
        ..Options::default()
    };
    let (bound, address) = tokio::sync::oneshot::channel();
    tokio::spawn(serve::serve(
        options,
        Arc::new(Bench {
            receiver: receiver.to_owned(),
        }),
        store,
        Some(bound),
    ));
    (dir, address.await.unwrap())
}

/// The work a service has admitted and not finished, from its metrics.
async fn backlog(client: &reqwest::Client, address: std::net::SocketAddr) -> u64 {
    let Ok(answer) = client.get(format!("http://{address}/metrics")).send().await else {
        return 0;
    };
    let text = answer.text().await.unwrap_or_default();
    let gauge = |name: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    gauge("idflow_queue_depth ") + gauge("idflow_unfinished_runs ")
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tickets = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&tickets);
        let app = axum::Router::new().route(
            "/tickets",
            axum::routing::post(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { axum::Json(json!({"number": "INC1"})) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let (_dir, address) = start_service(&receiver, 1_000_000).await;

        // Intake: events no flow fires on, so the queue is all the work.
        let deliveries = 200;
        let (took, _) = send(address, deliveries, "user.session.start", 0).await;
        let events = deliveries * 100;
        println!(
            "intake: {events} events in {:.2} s: {:.0} events/s accepted, durably queued",
            took.as_secs_f64(),
            events as f64 / took.as_secs_f64()
        );

        // End to end: each event fires one flow that sends one request.
        let deliveries = 50;
        let events = deliveries * 100;
        let start = Instant::now();
        send(address, deliveries, "user.lifecycle.deactivate", 1_000_000).await;
        while tickets.load(Ordering::SeqCst) < events as u64 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let took = start.elapsed();
        println!(
            "end to end: {events} events → {events} actions in {:.2} s: {:.0} events/s",
            took.as_secs_f64(),
            events as f64 / took.as_secs_f64()
        );

        // A burst against the default limit, on a service of its own.
        let (_burst_dir, address) = start_service(&receiver, Options::default().queue_limit).await;
        let before = tickets.load(Ordering::SeqCst);
        let deliveries = 200;
        let events = deliveries * 100;
        let peak = Arc::new(AtomicU64::new(0));
        let sampling = {
            let peak = Arc::clone(&peak);
            let client = reqwest::Client::new();
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(backlog(&client, address).await, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        let start = Instant::now();
        let (_, refused) =
            send(address, deliveries, "user.lifecycle.deactivate", 2_000_000).await;
        while tickets.load(Ordering::SeqCst) < before + events as u64 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let took = start.elapsed();
        sampling.abort();
        println!(
            "burst: {events} events → {events} actions in {:.2} s: {:.0} events/s; {refused} deliveries answered 429 and sent again; at most {} events and runs admitted (limit {})",
            took.as_secs_f64(),
            events as f64 / took.as_secs_f64(),
            peak.load(Ordering::SeqCst),
            Options::default().queue_limit
        );
    });
    // The service runs until a signal; the benchmark is done.
    std::process::exit(0);
}
