//! Runs per second: a three-action flow (read a user, post a message,
//! suspend the user) against an Okta- and Slack-shaped HTTP server on
//! 127.0.0.1, and the executor's own cost per run with connectors that answer
//! at once (no I/O). Run with `cargo bench -p idflow-runtime --bench run`;
//! BENCHMARKS.md records the figures.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use idflow_compiler::plan::value::Value;
use idflow_compiler::plan::{self, Plan};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::connectors::{ActionCall, Answer, Connectors, Delivery};
use idflow_runtime::executor::Executor;
use idflow_runtime::http::{HttpConnectors, Settings};
use idflow_runtime::trace::Redactor;
use serde_json::json;

const FLOW: &str = r##"import okta
import slack

/// Suspends failed sign-ins and tells the CISO.
flow block {
  when okta.user_session_start as e
  where e.actor != null
  then {
    let user = okta.get_user(id: e.actor.id)
    slack.post_message(channel: "#rssi", text: "Suspending {user.profile.login}")
    okta.suspend_user(id: user.id)
  }
}
"##;

fn plan() -> Plan {
    let mut sources = SourceMap::new();
    sources.add("bench.flow", FLOW);
    plan::build(&Project::new(sources), &BTreeMap::new())
        .unwrap_or_else(|e| unreachable!("the flow builds: {e}"))
}

fn user() -> serde_json::Value {
    json!({"id": "00u1", "status": "ACTIVE", "created": "2025-01-06T09:00:00.000Z", "lastUpdated": "2026-03-01T10:00:00.000Z", "profile": {"login": "a.martin@chu-exemple.fr", "email": "a.martin@chu-exemple.fr"}})
}

/// Connectors that answer every call at once: the executor's cost alone.
struct Instant;

impl Connectors for Instant {
    async fn call(&self, call: &ActionCall) -> Answer {
        let value = if call.action == "get_user" {
            Value::from_json(&user())
        } else {
            Value::Null
        };
        Answer::once(Ok(value), Delivery::Sent)
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"));
    let app = Router::new()
        .route("/api/v1/users/{id}", get(|| async { axum::Json(user()) }))
        .route(
            "/api/v1/users/{id}/lifecycle/suspend",
            post(|| async { axum::Json(json!({})) }),
        )
        .route(
            "/chat.postMessage",
            post(|| async { axum::Json(json!({"ok": true, "channel": "C1", "ts": "1.2"})) }),
        );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap_or_else(|e| unreachable!("{e}"));
    let address = listener
        .local_addr()
        .unwrap_or_else(|e| unreachable!("{e}"));
    runtime.spawn(async move { axum::serve(listener, app).await });
    let base = format!("http://{address}");
    let plan = plan();
    let settings = Settings {
        values: [("OKTA_ORG_URL".to_owned(), base.clone())].into(),
        secrets: [
            ("OKTA_API_TOKEN".to_owned(), "token".to_owned()),
            ("SLACK_BOT_TOKEN".to_owned(), "xoxb".to_owned()),
        ]
        .into(),
        base_urls: [("slack".to_owned(), base)].into(),
        configs: BTreeMap::new(),
    };
    let http = HttpConnectors::new(&plan, &settings, Duration::from_secs(5))
        .unwrap_or_else(|e| unreachable!("{e}"));
    let configs = BTreeMap::new();
    let event = Value::from_json(
        &json!({"uuid": "1", "published": "2026-03-29T00:00:00Z", "eventType": "user.session.start", "actor": {"id": "00u1"}}),
    );
    let flow = plan
        .flows
        .first()
        .unwrap_or_else(|| unreachable!("one flow"));

    let mut group = c.benchmark_group("run");
    group.throughput(Throughput::Elements(1));
    let live = Executor::new(
        &plan,
        &http,
        &configs,
        Redactor::new(["token".to_owned()]),
        0,
        false,
    );
    group.bench_function("three_actions_over_http", |b| {
        b.iter(|| black_box(runtime.block_on(live.run(flow, Some(event.clone())))))
    });
    let instant = Instant;
    let bare = Executor::new(
        &plan,
        &instant,
        &configs,
        Redactor::new(["token".to_owned()]),
        0,
        false,
    );
    group.bench_function("executor_overhead", |b| {
        b.iter(|| black_box(runtime.block_on(bare.run(flow, Some(event.clone())))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
