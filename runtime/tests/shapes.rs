//! The Slack and ServiceNow connectors, and the native `http` connector,
//! against a server on 127.0.0.1 that checks the requests the real APIs
//! expect and answers with their response shapes (Slack's Web API, from its
//! OpenAPI file; ServiceNow's Table API, from its reference).

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test's own local server and assertions: a failure there fails the test"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use idflow_compiler::plan::value::Value;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::engines::Engines;
use idflow_runtime::executor::{Executor, RunStatus};
use idflow_runtime::http::Settings;
use idflow_runtime::trace::Redactor;
use serde_json::json;

type Log = Arc<Mutex<Vec<serde_json::Value>>>;

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn post_message(
    State(log): State<Log>,
    headers: HeaderMap,
    body: axum::Json<serde_json::Value>,
) -> Response {
    if header(&headers, "authorization") != "Bearer xoxb-test" {
        return axum::Json(json!({"ok": false, "error": "not_authed"})).into_response();
    }
    log.lock().unwrap().push(json!({"slack": body.0.clone()}));
    axum::Json(json!({"ok": true, "channel": body.0["channel"], "ts": "1711468332.000100",
        "message": {"type": "message", "text": body.0["text"], "user": "U0BOT", "ts": "1711468332.000100"}}))
    .into_response()
}

async fn lookup(Query(query): Query<BTreeMap<String, String>>) -> Response {
    match query.get("email").map(String::as_str) {
        Some("c.durand@chu-exemple.fr") => axum::Json(json!({"ok": true, "user": {"id": "U024BE7LH", "team_id": "T0", "name": "cdurand",
            "deleted": false, "real_name": "Camille Durand", "tz": "Europe/Paris", "is_admin": false}})).into_response(),
        _ => axum::Json(json!({"ok": false, "error": "users_not_found"})).into_response(),
    }
}

async fn sc_task(
    State(log): State<Log>,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
    body: axum::Json<serde_json::Value>,
) -> Response {
    // Basic authentication of the integration user "idflow" / "pw".
    if header(&headers, "authorization") != "Basic aWRmbG93OnB3" {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                json!({"error": {"message": "User Not Authenticated"}, "status": "failure"}),
            ),
        )
            .into_response();
    }
    log.lock()
        .unwrap()
        .push(json!({"servicenow": body.0.clone(), "query": query}));
    (StatusCode::CREATED, axum::Json(json!({"result": {
        "sys_id": "6cf61b7d974261109055b08fe153af02", "number": "SCTASK0010042",
        "short_description": body.0["short_description"], "description": "", "state": "1",
        "assignment_group": body.0["assignment_group"], "assigned_to": "", "request_item": "", "due_date": "",
        "priority": "4", "sys_created_on": "2026-03-29 07:00:00", "sys_updated_on": "2026-03-29 07:00:00"}})))
    .into_response()
}

const FLOW: &str = r##"import okta
import slack
import servicenow
import http

config health_url: String = "http://127.0.0.1:9/health"

/// Opens a task to collect a leaver's equipment and tells them on Slack.
flow leaver_equipment {
  when okta.user_deactivated as e
  where e.actor?.alternateId != null
  then {
    let email = e.actor.alternateId
    let found = slack.lookup_user_by_email(email: email)
    let task = servicenow.create_sc_task(short_description: "Collect the equipment of {email}", assignment_group: "a1b2c3")
    slack.post_message(channel: found.user?.id ?? "#it", text: "Task {task.result.number} opened")
    let health = http.get(url: health_url)
    if health.status != 200 {
      stop "the status page is down"
    }
  }
}
"##;

#[tokio::test(flavor = "multi_thread")]
async fn slack_servicenow_and_http_requests_and_answers_have_the_real_shapes() {
    let log = Log::default();
    let app = Router::new()
        .route("/chat.postMessage", post(post_message))
        .route("/users.lookupByEmail", get(lookup))
        .route("/api/now/table/sc_task", post(sc_task))
        .route(
            "/health",
            get(|| async { axum::Json(json!({"status": "up"})) }),
        )
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut sources = SourceMap::new();
    sources.add("leaver.flow", FLOW);
    let overrides = [("health_url".to_owned(), json!(format!("{base}/health")))].into();
    let plan = idflow_compiler::plan::build(&Project::new(sources), &overrides).unwrap();
    let settings = Settings {
        values: [
            ("SERVICENOW_INSTANCE_URL".to_owned(), base.clone()),
            ("SERVICENOW_USER".to_owned(), "idflow".to_owned()),
        ]
        .into(),
        secrets: [
            ("SLACK_BOT_TOKEN".to_owned(), "xoxb-test".to_owned()),
            ("SERVICENOW_PASSWORD".to_owned(), "pw".to_owned()),
        ]
        .into(),
        base_urls: [("slack".to_owned(), base.clone())].into(),
        configs: BTreeMap::new(),
    };
    let engines = Engines::new(&plan, &settings, Duration::from_secs(5)).unwrap();
    let configs = BTreeMap::new();
    let executor = Executor::new(
        &plan,
        &engines,
        &configs,
        Redactor::new(["xoxb-test".to_owned(), "pw".to_owned()]),
        0,
        false,
    );
    let event = json!({"uuid": "1", "published": "2026-03-29T00:00:00Z", "eventType": "user.lifecycle.deactivate",
                       "actor": {"id": "00u7", "type": "User", "alternateId": "c.durand@chu-exemple.fr"}});
    let report = executor
        .run(&plan.flows[0], Some(Value::from_json(&event)))
        .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log[0],
        json!({"servicenow": {"short_description": "Collect the equipment of c.durand@chu-exemple.fr", "assignment_group": "a1b2c3"},
               "query": {"sysparm_exclude_reference_link": "true"}}),
        "null fields are left out of the body"
    );
    assert_eq!(
        log[1],
        json!({"slack": {"channel": "U024BE7LH", "text": "Task SCTASK0010042 opened"}})
    );
    let health = report
        .trace
        .iter()
        .find(|t| t.what == "http.get")
        .and_then(|t| t.output.clone())
        .unwrap();
    assert_eq!(health["status"], 200);
    assert_eq!(health["body"], json!({"status": "up"}));
}
