//! The HTTP connector engine against a server on 127.0.0.1 that answers
//! with Okta's request and response shapes: requests built from the
//! connector declarations, authentication, pagination, retries (429 with
//! `Retry-After`, 503 then success, a timeout, a permanent 400) — and the
//! API token never in a trace.

#![expect(
    clippy::unwrap_used,
    reason = "the test's own local server and assertions: a failure there fails the test"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use idflow_compiler::plan::ir::{Effect, Plan, Retry};
use idflow_compiler::plan::value::Value;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::connectors::{ActionCall, ActionError, Connectors};
use idflow_runtime::executor::{Executor, RunStatus};
use idflow_runtime::http::{ConnectionError, HttpConnectors, Settings};
use idflow_runtime::trace::Redactor;
use serde_json::json;

const TOKEN: &str = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ-secret";

/// Serves `app` on 127.0.0.1; its base URL.
async fn serve_app(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The plan of the one-file project `text`, and its HTTP connectors made
/// with `settings`.
fn connect(text: &str, settings: &Settings) -> (Plan, HttpConnectors) {
    let mut sources = SourceMap::new();
    sources.add("f.flow", text);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    let connectors = HttpConnectors::new(&plan, settings, Duration::from_secs(5)).unwrap();
    (plan, connectors)
}

/// What the server saw and how it should answer, per path.
#[derive(Default)]
struct Okta {
    requests: Vec<String>,
    failures_left: BTreeMap<String, u32>,
}

type Shared = Arc<Mutex<Okta>>;

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("SSWS {TOKEN}"))
}

fn user(id: &str) -> serde_json::Value {
    json!({"id": id, "status": "ACTIVE", "created": "2025-01-06T09:00:00.000Z", "lastUpdated": "2026-03-01T10:00:00.000Z", "lastLogin": null,
           "profile": {"login": format!("{id}@chu-exemple.fr"), "email": format!("{id}@chu-exemple.fr"), "firstName": "Camille", "lastName": "Martin"},
           "_links": {"self": {"href": format!("http://127.0.0.1/api/v1/users/{id}")}}})
}

/// Takes one scripted failure for `path`, if any is left.
fn fail(state: &Shared, path: &str) -> bool {
    let mut okta = state.lock().unwrap();
    match okta.failures_left.get_mut(path) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

async fn get_user(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    state
        .lock()
        .unwrap()
        .requests
        .push(format!("GET /api/v1/users/{id}"));
    if !authorized(&headers) {
        // Echoes the credential it refused, as careless APIs do.
        let presented = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided", "presented": presented})),
        )
            .into_response();
    }
    match id.as_str() {
        "slow" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            axum::Json(user(&id)).into_response()
        }
        "bad" => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"errorCode": "E0000001", "errorSummary": "Api validation failed"})),
        )
            .into_response(),
        "busy" if fail(&state, "busy") => {
            (StatusCode::SERVICE_UNAVAILABLE, "try later").into_response()
        }
        "limited" if fail(&state, "limited") => {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}))).into_response();
            response
                .headers_mut()
                .insert("retry-after", "1".parse().unwrap());
            response
        }
        _ => {
            // The answer echoes the request's credential, as some APIs'
            // error and debug fields do: the trace must mask it.
            let mut answer = user(&id);
            if let Some(fields) = answer.as_object_mut() {
                fields.insert("requestedWith".to_owned(), json!(format!("SSWS {TOKEN}")));
            }
            axum::Json(answer).into_response()
        }
    }
}

async fn list_users(
    State(state): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    state.lock().unwrap().requests.push(format!(
        "GET /api/v1/users?{}",
        query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    ));
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    match query.get("after").map(String::as_str) {
        None => {
            let mut response = axum::Json(json!([user("00u1"), user("00u2")])).into_response();
            let link = format!("<http://{host}/api/v1/users?after=00u2&limit=2>; rel=\"next\"");
            response.headers_mut().append(
                "link",
                format!("<http://{host}/api/v1/users?limit=2>; rel=\"self\"")
                    .parse()
                    .unwrap(),
            );
            response.headers_mut().append("link", link.parse().unwrap());
            response
        }
        Some(_) => axum::Json(json!([user("00u3")])).into_response(),
    }
}

async fn suspend(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    state
        .lock()
        .unwrap()
        .requests
        .push(format!("POST /api/v1/users/{id}/lifecycle/suspend"));
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(json!({})).into_response()
}

async fn start(state: Shared) -> String {
    let app = Router::new()
        .route("/api/v1/users", get(list_users))
        .route("/api/v1/users/{id}", get(get_user))
        .route("/api/v1/users/{id}/lifecycle/suspend", post(suspend))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

const FLOW: &str = "import okta\n\n/// Suspends failed sign-ins, after reading the user and the directory.\nflow f {\n  when okta.user_session_start as e\n  where e.actor != null\n  then {\n    let u = okta.get_user(id: e.actor.id)\n    let all = okta.list_users(filter: \"status eq \\\"ACTIVE\\\"\", limit: 2)\n    if all.len() == 3 {\n      okta.suspend_user(id: u.id)\n    }\n  }\n}\n";

fn plan(fast: bool) -> Plan {
    let mut sources = SourceMap::new();
    sources.add("f.flow", FLOW);
    let mut plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    if fast {
        for connector in &mut plan.connectors {
            if let Some(retry) = &mut connector.retry {
                *retry = Retry {
                    attempts: 3,
                    min_backoff_ms: 10,
                    max_backoff_ms: 40,
                    ..retry.clone()
                };
            }
        }
    }
    plan
}

fn settings(base: &str) -> Settings {
    Settings {
        values: [("OKTA_ORG_URL".to_owned(), base.to_owned())].into(),
        secrets: [("OKTA_API_TOKEN".to_owned(), TOKEN.to_owned())].into(),
        base_urls: BTreeMap::new(),
        configs: BTreeMap::new(),
    }
}

fn get_user_call(id: &str) -> ActionCall {
    ActionCall {
        connector: "okta".to_owned(),
        action: "get_user".to_owned(),
        effect: Effect::Read,
        args: vec![("id".to_owned(), Value::String(id.to_owned()))],
        idempotency_key: String::new(),
        retry: None,
    }
}

#[tokio::test]
async fn a_flow_runs_against_the_server_with_auth_and_pagination() {
    let state = Shared::default();
    let base = start(state.clone()).await;
    let plan = plan(true);
    let connectors = HttpConnectors::new(&plan, &settings(&base), Duration::from_secs(5)).unwrap();
    let configs = BTreeMap::new();
    let executor = Executor::new(
        &plan,
        &connectors,
        &configs,
        Redactor::new([TOKEN.to_owned()]),
        0,
        false,
    );
    let event = json!({"uuid": "1", "published": "2026-03-29T00:00:00Z", "eventType": "user.session.start", "actor": {"id": "00u9"}});
    let report = executor
        .run(&plan.flows[0], Some(Value::from_json(&event)))
        .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    // The two reads are independent: they are sent together, in either order.
    let mut requests = state.lock().unwrap().requests.clone();
    requests[..2].sort();
    assert_eq!(
        requests,
        [
            "GET /api/v1/users/00u9",
            "GET /api/v1/users?filter=status eq \"ACTIVE\"&limit=2",
            "GET /api/v1/users?after=00u2&limit=2",
            "POST /api/v1/users/00u9/lifecycle/suspend"
        ]
    );
    let listed = report
        .trace
        .iter()
        .find(|t| t.what == "okta.list_users")
        .and_then(|t| t.output.clone())
        .unwrap();
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(3),
        "the two pages are joined"
    );
    let everything = serde_json::to_string(&report).unwrap();
    assert!(!everything.contains(TOKEN), "{everything}");
    assert!(everything.contains("\"requestedWith\":\"SSWS ‹redacted›\""));
}

#[tokio::test]
async fn a_429_is_retried_after_the_delay_the_service_asks_for() {
    let state = Shared::default();
    state
        .lock()
        .unwrap()
        .failures_left
        .insert("limited".to_owned(), 1);
    let base = start(state.clone()).await;
    let plan = plan(true);
    let connectors = HttpConnectors::new(&plan, &settings(&base), Duration::from_secs(5)).unwrap();
    let started = std::time::Instant::now();
    let answer = connectors.call(&get_user_call("limited")).await;
    assert!(answer.result.is_ok(), "{:?}", answer.result);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(answer.attempts.len(), 2);
    assert_eq!(answer.attempts[0].status, Some(429));
    assert_eq!(answer.attempts[0].retry_after_ms, Some(1_000));
    assert_eq!(answer.attempts[1].status, Some(200));
}

#[tokio::test]
async fn a_503_then_success_and_a_permanent_400_that_is_not_retried() {
    let state = Shared::default();
    state
        .lock()
        .unwrap()
        .failures_left
        .insert("busy".to_owned(), 2);
    let base = start(state.clone()).await;
    let plan = plan(true);
    let connectors = HttpConnectors::new(&plan, &settings(&base), Duration::from_secs(5)).unwrap();
    let answer = connectors.call(&get_user_call("busy")).await;
    assert!(answer.result.is_ok());
    let statuses: Vec<Option<u16>> = answer.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
    let answer = connectors.call(&get_user_call("bad")).await;
    assert!(
        matches!(&answer.result, Err(ActionError::Status { status: 400, message, .. }) if message.contains("Api validation failed"))
    );
    assert_eq!(answer.attempts.len(), 1, "a 400 is not retried");
}

#[tokio::test]
async fn a_timeout_is_retried_then_fails_the_call() {
    let state = Shared::default();
    let base = start(state.clone()).await;
    let plan = plan(true);
    let connectors =
        HttpConnectors::new(&plan, &settings(&base), Duration::from_millis(200)).unwrap();
    let answer = connectors.call(&get_user_call("slow")).await;
    assert!(
        matches!(&answer.result, Err(ActionError::Failed { message, .. }) if message == "timed out"),
        "{:?}",
        answer.result
    );
    assert_eq!(answer.attempts.len(), 4, "the first try and three retries");
    assert!(
        answer
            .attempts
            .iter()
            .all(|a| a.error.as_deref() == Some("timed out"))
    );
}

#[tokio::test]
async fn a_missing_setting_or_a_wrong_token_is_said_without_the_token() {
    let plan = plan(true);
    let mut missing = settings("http://127.0.0.1:9");
    missing.secrets.clear();
    let error = HttpConnectors::new(&plan, &missing, Duration::from_secs(1)).err();
    assert!(
        matches!(&error, Some(ConnectionError::Missing { what: "secret", name, .. }) if name == "OKTA_API_TOKEN"),
        "{error:?}"
    );
    let state = Shared::default();
    let base = start(state.clone()).await;
    let wrong_token = "00wrong-token-echoed";
    let mut wrong = settings(&base);
    wrong
        .secrets
        .insert("OKTA_API_TOKEN".to_owned(), wrong_token.to_owned());
    let connectors = HttpConnectors::new(&plan, &wrong, Duration::from_secs(1)).unwrap();
    let answer = connectors.call(&get_user_call("00u1")).await;
    let message = answer
        .result
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.contains("HTTP 401") && message.contains("Invalid token provided"),
        "{message}"
    );
    // The engine's own message carries what the API echoed; the run's trace,
    // made through the connection's redactor, never does.
    assert!(message.contains(wrong_token), "{message}");
    let configs = BTreeMap::new();
    let executor = Executor::new(
        &plan,
        &connectors,
        &configs,
        wrong.redactor(&plan),
        0,
        false,
    );
    let event = json!({"uuid": "1", "published": "2026-03-29T00:00:00Z", "eventType": "user.session.start", "actor": {"id": "00u9"}});
    let report = executor
        .run(&plan.flows[0], Some(Value::from_json(&event)))
        .await;
    let everything = serde_json::to_string(&report).unwrap();
    assert!(
        everything.contains("Invalid token provided"),
        "{everything}"
    );
    assert!(!everything.contains(wrong_token), "{everything}");
}

#[tokio::test]
async fn an_answer_that_does_not_fit_the_declared_type_fails_naming_the_field() {
    let app = Router::new().route(
        "/api/v1/users/{id}",
        get(|| async { axum::Json(json!({"id": "00u1", "status": "ACTIVE", "created": "2025-01-06T09:00:00.000Z", "lastUpdated": "2026-03-01T10:00:00.000Z", "profile": {"login": "a@x.fr", "email": 42}})) }),
    );
    let base = serve_app(app).await;
    let plan = plan(true);
    let connectors = HttpConnectors::new(&plan, &settings(&base), Duration::from_secs(5)).unwrap();
    let answer = connectors.call(&get_user_call("00u1")).await;
    let message = answer
        .result
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        message,
        "okta.get_user failed: the answer does not match the declared type: `profile.email` must be a string, found a number"
    );
}

/// Two independent reads are in flight at the same time: each answer waits
/// until the other request has arrived, which could never happen if the
/// executor sent them one after the other.
#[tokio::test(flavor = "multi_thread")]
async fn independent_reads_are_sent_together() {
    let arrived = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = arrived.clone();
    let app = Router::new().route(
        "/api/v1/users/{id}",
        get(move |Path(id): Path<String>| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(id.clone());
                for _ in 0..100 {
                    if seen.lock().unwrap().len() >= 2 {
                        return axum::Json(user(&id)).into_response();
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                (StatusCode::BAD_REQUEST, "the other read never came").into_response()
            }
        }),
    );
    let base = serve_app(app).await;
    let text = "import okta\n\n/// Compares two accounts.\nflow f {\n  when okta.user_session_start as e\n  then {\n    let a = okta.get_user(id: \"left\")\n    let b = okta.get_user(id: \"right\")\n    if a.status != b.status {\n      okta.suspend_user(id: a.id)\n    }\n  }\n}\n";
    let mut sources = SourceMap::new();
    sources.add("f.flow", text);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    let connectors = HttpConnectors::new(&plan, &settings(&base), Duration::from_secs(5)).unwrap();
    let configs = BTreeMap::new();
    let executor = Executor::new(&plan, &connectors, &configs, Redactor::default(), 0, false);
    let report = executor
        .run(&plan.flows[0], Some(Value::from_json(&json!({}))))
        .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(arrived.lock().unwrap().len(), 2);
}

/// `for g in groups parallel 2`: two iterations are in flight at once —
/// each request waits for the other, which a one-at-a-time loop could never
/// send — and a plain `for` sends them one after the other.
#[tokio::test(flavor = "multi_thread")]
async fn a_parallel_loop_runs_its_iterations_together() {
    let arrived = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = arrived.clone();
    let app = Router::new().route(
        "/api/v1/groups/{group}/users/{user}",
        delete(move |Path((group, _user)): Path<(String, String)>| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(group);
                for _ in 0..50 {
                    if seen.lock().unwrap().len() >= 2 {
                        return StatusCode::NO_CONTENT.into_response();
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                (StatusCode::BAD_REQUEST, "alone").into_response()
            }
        }),
    );
    let base = serve_app(app).await;
    let run = |parallel: &str| {
        let text = format!(
            "import okta\n\n/// Removes two groups.\nflow f {{\n  when okta.user_deactivated as e\n  then {{\n    for g in [\"g1\", \"g2\"]{parallel} {{\n      okta.remove_from_group(user: \"00u1\", group: g)\n    }}\n  }}\n}}\n"
        );
        let mut sources = SourceMap::new();
        sources.add("f.flow", text);
        idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap()
    };
    let configs = BTreeMap::new();
    let plan = run(" parallel 2");
    let connectors = HttpConnectors::new(&plan, &settings(&base), Duration::from_secs(5)).unwrap();
    let executor = Executor::new(&plan, &connectors, &configs, Redactor::default(), 0, false);
    let report = executor
        .run(&plan.flows[0], Some(Value::from_json(&json!({}))))
        .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let groups: Vec<_> = report
        .trace
        .iter()
        .map(|t| t.input.clone().unwrap()["group"].clone())
        .collect();
    assert_eq!(
        groups,
        [json!("g1"), json!("g2")],
        "the trace keeps the list's order"
    );
    arrived.lock().unwrap().clear();
    let plan = run("");
    let connectors = HttpConnectors::new(&plan, &settings(&base), Duration::from_secs(5)).unwrap();
    let executor = Executor::new(&plan, &connectors, &configs, Redactor::default(), 0, false);
    let report = executor
        .run(&plan.flows[0], Some(Value::from_json(&json!({}))))
        .await;
    assert!(
        matches!(report.status, RunStatus::Failed { .. }),
        "one at a time, the first request waits alone"
    );
}

/// A connector's `max_concurrency` bounds the requests it has in flight,
/// even when the plan sends reads together.
#[tokio::test(flavor = "multi_thread")]
async fn max_concurrency_bounds_the_requests_in_flight() {
    let counts = Arc::new(Mutex::new((0_u32, 0_u32)));
    let seen = counts.clone();
    let app = Router::new().route(
        "/items/{id}",
        get(move |Path(id): Path<String>| {
            let seen = seen.clone();
            async move {
                {
                    let mut c = seen.lock().unwrap();
                    c.0 += 1;
                    c.1 = c.1.max(c.0);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                seen.lock().unwrap().0 -= 1;
                axum::Json(json!({"id": id}))
            }
        }),
    );
    let base = serve_app(app).await;
    let text = "/// The pharmacy's inventory service.\nconnector inventory {\n  base_url: env(\"INVENTORY_URL\")\n  max_concurrency: 1\n  max_rate: 100\n\n  /// One item.\n  read action item(id: String) -> Json = GET \"/items/{id}\"\n}\n\n/// Reads three items.\nflow f {\n  when called()\n  then {\n    let a = inventory.item(id: \"a\")\n    let b = inventory.item(id: \"b\")\n    let c = inventory.item(id: \"c\")\n    return [a, b, c]\n  }\n}\n";
    let mut sources = SourceMap::new();
    sources.add("f.flow", text);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    let settings = Settings {
        values: [("INVENTORY_URL".to_owned(), base)].into(),
        ..Settings::default()
    };
    let connectors = HttpConnectors::new(&plan, &settings, Duration::from_secs(5)).unwrap();
    let configs = BTreeMap::new();
    let executor = Executor::new(&plan, &connectors, &configs, Redactor::default(), 0, false);
    let report = executor.run(&plan.flows[0], None).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(report.trace.len(), 4);
    assert_eq!(
        counts.lock().unwrap().1,
        1,
        "never more than one request in flight"
    );
}

/// A write carries an idempotency key in the header its connector declares:
/// the same for the same event and arguments (a retry, or the same event
/// delivered twice), another for another event.
#[tokio::test(flavor = "multi_thread")]
async fn writes_carry_a_stable_idempotency_key() {
    let keys = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = keys.clone();
    let app = Router::new().route(
        "/tickets",
        post(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("none")
                    .to_owned();
                seen.lock().unwrap().push(key);
                axum::Json(json!({"id": "T1"}))
            }
        }),
    );
    let base = serve_app(app).await;
    let text = "import okta\n\n/// The helpdesk.\nconnector helpdesk {\n  base_url: env(\"HELPDESK_URL\")\n  idempotency_header: \"Idempotency-Key\"\n\n  /// Open a ticket.\n  action open(title: String) -> Json = POST \"/tickets\" body { title }\n}\n\n/// Opens a ticket per new user.\nflow f {\n  when okta.user_created as e\n  then {\n    helpdesk.open(title: \"Welcome kit\")\n  }\n}\n";
    let settings = Settings {
        values: [("HELPDESK_URL".to_owned(), base)].into(),
        ..Settings::default()
    };
    let (plan, connectors) = connect(text, &settings);
    let configs = BTreeMap::new();
    let executor = Executor::new(&plan, &connectors, &configs, Redactor::default(), 0, false);
    for uuid in ["e1", "e1", "e2"] {
        let report = executor
            .run(
                &plan.flows[0],
                Some(Value::from_json(&json!({"uuid": uuid}))),
            )
            .await;
        assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    }
    let keys = keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 3);
    assert!(keys[0].len() == 32 && keys[0] != "none");
    assert_eq!(keys[0], keys[1], "the same event gives the same key");
    assert_ne!(keys[1], keys[2], "another event, another key");
}

/// A server that records the `X-Api-Key` of every request it gets, and
/// answers `/moved` with a redirect to `target`, `/loop` with a redirect to
/// itself and `/here` with JSON.
async fn redirecting(target: String, seen: Arc<Mutex<Vec<String>>>) -> String {
    let record = move |path: &'static str| {
        let seen = seen.clone();
        move |headers: HeaderMap| {
            let key = headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned();
            seen.lock().unwrap().push(format!("{path} {key}"));
            std::future::ready(())
        }
    };
    let (moved, looped, here) = (record("/moved"), record("/loop"), record("/here"));
    let app = Router::new()
        .route(
            "/moved",
            post(move |headers: HeaderMap| {
                let target = target.clone();
                async move {
                    moved(headers).await;
                    (StatusCode::TEMPORARY_REDIRECT, [("location", target)]).into_response()
                }
            }),
        )
        .route(
            "/loop",
            post(move |headers: HeaderMap| async move {
                looped(headers).await;
                (StatusCode::TEMPORARY_REDIRECT, [("location", "/loop")]).into_response()
            }),
        )
        .route(
            "/here",
            post(move |headers: HeaderMap| async move {
                here(headers).await;
                axum::Json(json!({"answered": "here"})).into_response()
            })
            .get(|| async { axum::Json(json!({"answered": "here"})) }),
        );
    serve_app(app).await
}

/// The connector of the redirect tests: an API key in a header.
fn keyed_connectors(base: &str) -> HttpConnectors {
    let text = "import okta\n\n/// An API that takes a key.\nconnector vendor {\n  base_url: env(\"VENDOR_URL\")\n  auth: header(\"X-Api-Key\", secret(\"VENDOR_KEY\"))\n\n  /// Send a thing.\n  action send(path: String) -> Json = POST \"/{path}\" body { what: \"payload\" }\n}\n\n/// Sends a thing per new user.\nflow f {\n  when okta.user_created as e\n  then {\n    vendor.send(path: \"moved\")\n  }\n}\n";
    let settings = Settings {
        values: [("VENDOR_URL".to_owned(), base.to_owned())].into(),
        secrets: [("VENDOR_KEY".to_owned(), "vendor-key-123".to_owned())].into(),
        ..Settings::default()
    };
    connect(text, &settings).1
}

fn send_call(path: &str) -> ActionCall {
    ActionCall {
        connector: "vendor".to_owned(),
        action: "send".to_owned(),
        effect: Effect::Write,
        args: vec![("path".to_owned(), Value::String(path.to_owned()))],
        idempotency_key: "k".to_owned(),
        retry: None,
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_and_the_key_stays_home() {
    let elsewhere_seen = Arc::new(Mutex::new(Vec::new()));
    let elsewhere = redirecting(String::new(), elsewhere_seen.clone()).await;
    let home_seen = Arc::new(Mutex::new(Vec::new()));
    let home = redirecting(format!("{elsewhere}/here"), home_seen.clone()).await;
    let connectors = keyed_connectors(&home);
    let answer = connectors.call(&send_call("moved")).await;
    let Err(ActionError::Failed { message, .. }) = &answer.result else {
        panic!("the call must fail: {:?}", answer.result);
    };
    assert!(
        message.contains(&format!("redirects to {elsewhere}/here")),
        "{message}"
    );
    assert!(message.contains(&format!("outside {home}")), "{message}");
    assert_eq!(
        answer.attempts.len(),
        1,
        "a refused redirect is not retried"
    );
    assert!(
        elsewhere_seen.lock().unwrap().is_empty(),
        "the other origin got {:?}",
        elsewhere_seen.lock().unwrap()
    );
    assert_eq!(*home_seen.lock().unwrap(), ["/moved vendor-key-123"]);
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_a_few_times_at_most() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    // `/moved` answers 307 to the same server's `/here`.
    let same = redirecting("/here".to_owned(), seen.clone()).await;
    let connectors = keyed_connectors(&same);
    let answer = connectors.call(&send_call("moved")).await;
    assert_eq!(
        answer.result.as_ref().ok().map(|v| v.to_json()),
        Some(json!({"answered": "here"})),
        "{:?}",
        answer.result
    );
    let loops = connectors.call(&send_call("loop")).await;
    let Err(ActionError::Failed { message, .. }) = &loops.result else {
        panic!("a redirect loop must fail: {:?}", loops.result);
    };
    assert!(message.contains("more than 5 redirects"), "{message}");
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[..2],
        ["/moved vendor-key-123", "/here vendor-key-123"],
        "the 307 kept its key and body within the origin"
    );
}

#[tokio::test]
async fn a_call_s_own_retry_policy_replaces_the_connector_s() {
    let tries = Arc::new(Mutex::new(0_u32));
    let counted = tries.clone();
    let app = Router::new().route(
        "/tickets",
        post(move || {
            let counted = counted.clone();
            async move {
                let mut n = counted.lock().unwrap();
                *n += 1;
                if *n <= 2 {
                    (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
                } else {
                    axum::Json(json!({"id": "T1"})).into_response()
                }
            }
        }),
    );
    let base = serve_app(app).await;
    // The connector retries nothing; the call asks for two retries on 503.
    let text = "import okta\n\n/// The helpdesk.\nconnector helpdesk {\n  base_url: env(\"HELPDESK_URL\")\n\n  /// Open a ticket.\n  action open(title: String) -> Json = POST \"/tickets\" body { title }\n}\n\n/// Opens a ticket per new user.\nflow f {\n  when okta.user_created as e\n  then {\n    helpdesk.open(title: \"Welcome kit\") retry 2 backoff 10ms..20ms on [503]\n  }\n}\n";
    let settings = Settings {
        values: [("HELPDESK_URL".to_owned(), base)].into(),
        ..Settings::default()
    };
    let (plan, connectors) = connect(text, &settings);
    let configs = BTreeMap::new();
    let executor = Executor::new(&plan, &connectors, &configs, Redactor::default(), 0, false);
    let report = executor
        .run(
            &plan.flows[0],
            Some(Value::from_json(&json!({"uuid": "e1"}))),
        )
        .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(*tries.lock().unwrap(), 3, "the first try and two retries");
    let statuses: Vec<Option<u16>> = report.trace[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
}

/// Echoes the credential headers it was sent, as a careless API might.
async fn echo_credentials(headers: HeaderMap) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    axum::Json(json!({
        "authorization": header("authorization"),
        "key": header("x-api-key"),
    }))
    .into_response()
}

/// A `Secret` config is an API's credential, passed whole: to the `http`
/// connector as `bearer` or in `secret_headers`, and to a project
/// connector's action as a `Secret` parameter mapped to a header. The
/// server gets it; the trace, even of an answer that echoes it, never shows it.
#[tokio::test]
async fn a_secret_config_is_an_api_credential_and_never_shows() {
    let secret = "hr-api-token-5f1c9a";
    let app = Router::new()
        .route("/echo", get(echo_credentials))
        .route("/employees/{id}", get(echo_credentials))
        .route("/sink", post(|| async { axum::Json(json!({})) }));
    let base = serve_app(app).await;
    let text = format!(
        "import http\n\nconfig hr_token: Secret\n\n/// The HR API.\nconnector hr {{\n  base_url: env(\"HR_URL\")\n\n  /// An employee.\n  read action get_employee(id: String, token: Secret) -> Json = GET \"/employees/{{id}}\"\n    headers {{ \"X-Api-Key\": token }}\n}}\n\n/// Reads the HR API every morning.\nflow morning {{\n  when schedule \"0 7 * * *\"\n  then {{\n    let bearer = http.get(url: \"{base}/echo\", bearer: hr_token)\n    let keyed = http.get(url: \"{base}/echo\", secret_headers: {{ \"X-Api-Key\": hr_token }})\n    let employee = hr.get_employee(id: \"A1\", token: hr_token)\n    http.request(method: \"POST\", url: \"{base}/sink\", body: {{ bearer: bearer.body, keyed: keyed.body, employee }})\n  }}\n}}\n"
    );
    let settings = Settings {
        values: BTreeMap::from([("HR_URL".to_owned(), base.clone())]),
        configs: BTreeMap::from([("hr_token".to_owned(), secret.to_owned())]),
        ..Settings::default()
    };
    let (plan, connectors) = connect(&text, &settings);
    let configs = settings.runtime_configs(&plan).unwrap();
    let executor = Executor::new(
        &plan,
        &connectors,
        &configs,
        settings.redactor(&plan),
        0,
        false,
    );
    let report = executor.run(&plan.flows[0], None).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let outputs: Vec<String> = report
        .trace
        .iter()
        .filter_map(|t| t.output.as_ref().map(ToString::to_string))
        .collect();
    // What the server was sent, masked on the way back.
    assert!(
        outputs
            .iter()
            .any(|o| o.contains("\"authorization\":\"Bearer ‹redacted›\"")),
        "{outputs:#?}"
    );
    assert_eq!(
        outputs
            .iter()
            .filter(|o| o.contains("\"key\":\"‹redacted›\""))
            .count(),
        2,
        "{outputs:#?}"
    );
    let everything = serde_json::to_string(&report).unwrap();
    assert!(!everything.contains(secret), "{everything}");
}
