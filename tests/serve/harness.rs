//! What the `idflow serve` tests share: a local server that plays Okta,
//! Slack and a helpdesk and records every request; and `idflow serve`
//! started as a process on 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test harness: a failure to set up fails the test"
)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value as Json, json};

/// The hook secret the tests configure: the whole `Authorization` value.
pub const HOOK_SECRET: &str = "Bearer hook-secret-for-tests";
/// How long a test waits for what the service does before it fails:
/// generous, since a loaded machine is slow, and a wait returns as soon as
/// what it waits for holds.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// The token webhooks that ask for one are given (`TEST_WEBHOOK_TOKEN`).
pub const WEBHOOK_TOKEN: &str = "webhook-token-for-tests";
/// The Okta API token the tests configure.
pub const OKTA_TOKEN: &str = "00okta-token-for-tests";

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    /// `POST /tickets`.
    pub route: String,
    /// The `Idempotency-Key` header, if any.
    pub key: Option<String>,
    /// The JSON body (null when none).
    pub body: Json,
    /// When it arrived.
    pub at: std::time::Instant,
}

/// What the receiver recorded, and what it answers to the System Log.
#[derive(Default)]
pub struct Recorded {
    /// Every request, in order.
    pub requests: Vec<Received>,
    /// What `GET /api/v1/logs` answers.
    pub log_events: Vec<Json>,
    /// The `since` of each System Log request.
    pub log_queries: Vec<String>,
    /// Tickets whose title contains this are answered 400.
    pub refuse_titles: Option<String>,
}

/// A local server playing Okta, Slack and a helpdesk.
pub struct Receiver {
    /// Where it listens.
    pub address: SocketAddr,
    /// What it recorded.
    pub recorded: Arc<Mutex<Recorded>>,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    /// Starts it on 127.0.0.1; each helpdesk ticket takes `delay` to answer.
    pub fn start(delay: Duration) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let state = (Arc::clone(&recorded), delay);
        let app = axum::Router::new()
            .route("/api/v1/users/{id}", get(get_user))
            .route("/api/v1/users/{id}/lifecycle/suspend", post(record_empty))
            .route("/api/v1/logs", get(logs))
            .route("/api/chat.postMessage", post(posted))
            .route("/tickets", post(ticket))
            .with_state(state);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            address,
            recorded,
            _runtime: runtime,
        }
    }

    /// The requests to a route, in order.
    pub fn to(&self, route: &str) -> Vec<Received> {
        self.recorded
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.route == route)
            .cloned()
            .collect()
    }

    /// Waits until `enough` holds of the requests, up to [`PATIENCE`].
    pub fn wait_for(&self, what: &str, enough: impl Fn(&[Received]) -> bool) {
        let start = Instant::now();
        loop {
            if enough(&self.recorded.lock().unwrap().requests) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for {what}; got {:#?}",
                self.recorded.lock().unwrap().requests
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

type Shared = (Arc<Mutex<Recorded>>, Duration);

fn record(state: &Shared, route: &str, headers: &HeaderMap, body: Json) {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    state.0.lock().unwrap().requests.push(Received {
        route: route.to_owned(),
        key,
        body,
        at: std::time::Instant::now(),
    });
}

async fn get_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> axum::Json<Json> {
    record(
        &state,
        &format!("GET /api/v1/users/{id}"),
        &headers,
        Json::Null,
    );
    axum::Json(json!({
        "id": id, "status": "ACTIVE",
        "created": "2025-01-06T09:00:00.000Z", "lastUpdated": "2026-03-01T10:00:00.000Z",
        "profile": {"login": format!("{id}@chu-exemple.fr"), "email": format!("{id}@chu-exemple.fr"),
                    "firstName": "Camille", "lastName": "Martin"}
    }))
}

async fn record_empty(
    State(state): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> axum::Json<Json> {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("SSWS {OKTA_TOKEN}"));
    let route = format!("POST /api/v1/users/{id}/lifecycle/suspend");
    record(
        &state,
        &route,
        &headers,
        json!({ "authorized": authorized }),
    );
    axum::Json(json!({}))
}

async fn posted(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Json>,
) -> axum::Json<Json> {
    record(&state, "POST /api/chat.postMessage", &headers, body);
    axum::Json(json!({"ok": true, "channel": "C01", "ts": "1700000000.000100"}))
}

async fn ticket(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Json>,
) -> (axum::http::StatusCode, axum::Json<Json>) {
    let refused = {
        let recorded = state.0.lock().unwrap();
        recorded
            .refuse_titles
            .as_deref()
            .is_some_and(|part| body["title"].as_str().is_some_and(|t| t.contains(part)))
    };
    if refused {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "refused by the test"})),
        );
    }
    // Recorded on arrival, answered after the delay: a crash in between
    // leaves the run not knowing whether its ticket was opened.
    record(&state, "POST /tickets", &headers, body);
    tokio::time::sleep(state.1).await;
    (
        axum::http::StatusCode::OK,
        axum::Json(json!({"number": "INC0010001"})),
    )
}

async fn logs(
    State(state): State<Shared>,
    axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>,
) -> axum::Json<Json> {
    let mut recorded = state.0.lock().unwrap();
    recorded
        .log_queries
        .push(query.get("since").cloned().unwrap_or_default());
    axum::Json(Json::Array(recorded.log_events.clone()))
}

/// `idflow serve` running as a process.
pub struct Serve {
    child: Option<Child>,
    /// Where it listens.
    pub address: SocketAddr,
    project: PathBuf,
    store: PathBuf,
    log: PathBuf,
    watch: bool,
}

/// A free port on 127.0.0.1.
fn free_address() -> SocketAddr {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap()
}

impl Serve {
    /// Starts `idflow serve` on a project directory, with its store in it;
    /// returns once `/readyz` answers 200.
    pub fn start(project: &Path) -> Self {
        Self::start_watching(project, false)
    }

    /// The same, reloading the project when its files change if `watch`.
    pub fn start_watching(project: &Path, watch: bool) -> Self {
        let mut serve = Serve {
            child: None,
            address: free_address(),
            project: project.to_owned(),
            store: project.join("state.db"),
            log: project.join("serve.log"),
            watch,
        };
        serve.restart();
        serve
    }

    /// Starts the process again (after a kill), on the same port and store.
    pub fn restart(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_idflow"));
        command
            .arg("serve")
            .arg(&self.project)
            .args(["--listen", &self.address.to_string(), "--store"])
            .arg(&self.store);
        if !self.watch {
            command.arg("--no-watch");
        }
        let child = command
            .env("TEST_HOOK_SECRET", HOOK_SECRET)
            .env("TEST_OKTA_TOKEN", OKTA_TOKEN)
            .env("TEST_SLACK_TOKEN", "xoxb-test")
            .env("TEST_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
            .env("TEST_WEBHOOK_TOKEN", WEBHOOK_TOKEN)
            .env("RUST_LOG", "warn,idflow=info,idflow_runtime=info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            if let Ok(response) = http(self.address, "GET", "/readyz", &[], b"")
                && response.0 == 200
            {
                return;
            }
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("idflow serve exited with {status}:\n{}", self.log());
            }
            assert!(
                start.elapsed() < PATIENCE,
                "idflow serve was not ready in 30 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap()
    }

    /// Kills the process with SIGKILL: no drain, no goodbye.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Sends SIGTERM and waits for the process to exit; its exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        child.wait().unwrap().code()
    }

    /// Waits until the log says `what`, up to [`PATIENCE`].
    pub fn wait_log(&self, what: &str) {
        let start = Instant::now();
        while !self.log().contains(what) {
            assert!(
                start.elapsed() < PATIENCE,
                "the log never said {what:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a request; its status and body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        http(self.address, method, path, headers, body).unwrap()
    }

    /// Runs `idflow` with this server's store.
    pub fn idflow(&self, args: &[&str]) -> String {
        let output = Command::new(env!("CARGO_BIN_EXE_idflow"))
            .args(args)
            .arg("--store")
            .arg(&self.store)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "idflow {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A plain HTTP/1.1 request over a fresh connection: Okta's deliveries are
/// independent requests, and a test must see a refused connection as one.
pub fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    http_with_head(address, method, path, headers, body).map(|(status, _, body)| (status, body))
}

/// The same, with the answer's head (status line and headers) too.
pub fn http_with_head(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no HTTP status in {text:?}")))?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_owned(), b.to_owned()))
        .unwrap_or_default();
    Ok((status, head, body))
}

/// An Okta Event Hook delivery of these events, as Okta sends it.
pub fn delivery(events: &[Json]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "eventType": "com.okta.event_hook",
        "eventTypeVersion": "1.0",
        "cloudEventsVersion": "0.1",
        "source": "https://chu-exemple.okta.com/api/v1/eventHooks/who7hphp39JoHLni81d7",
        "eventId": format!("delivery-of-{}", events.first().and_then(|e| e["uuid"].as_str()).unwrap_or("none")),
        "eventTime": "2026-11-29T10:00:00.000Z",
        "contentType": "application/json",
        "data": { "events": events }
    }))
    .unwrap()
}

/// The headers Okta sends with a delivery.
pub fn okta_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Authorization", HOOK_SECRET),
        ("Content-Type", "application/json"),
        ("User-Agent", "Okta-Integrations"),
    ]
}

/// A sample event of ../shared/specs/okta/samples (copied in
/// tests/fixtures/okta-samples): the first of its delivery, or itself.
pub fn sample(name: &str) -> Json {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/okta-samples")
        .join(name);
    let json: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    match json.pointer("/data/events/0") {
        Some(event) => event.clone(),
        None => json,
    }
}

/// The idflow.toml of a project served by the tests: connections to the
/// receiver, the hook secret from the environment.
pub fn manifest(receiver: SocketAddr, extra: &str) -> String {
    format!(
        "[connections.okta]\nbase_url = \"http://{receiver}\"\nsecrets = {{ OKTA_API_TOKEN = {{ env = \"TEST_OKTA_TOKEN\" }} }}\n\n\
         [connections.slack]\nbase_url = \"http://{receiver}/api\"\nsecrets = {{ SLACK_BOT_TOKEN = {{ env = \"TEST_SLACK_TOKEN\" }} }}\n\n\
         [connections.helpdesk]\nbase_url = \"http://{receiver}\"\n\n\
         [serve]\nmax_body_bytes = 262144\ndrain_seconds = 5\nrequest_timeout_seconds = 2\n\n\
         [serve.okta_hook]\nsecret = {{ env = \"TEST_HOOK_SECRET\" }}\n{extra}"
    )
}

/// Runs `idflow serve` on a project that must refuse to start, with these
/// environment variables over the usual ones; its stderr. Fails the test if
/// it is still running after [`PATIENCE`].
pub fn refused_start(project: &Path, env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idflow"));
    command
        .arg("serve")
        .arg(project)
        .args(["--listen", &free_address().to_string(), "--no-watch"])
        .env("TEST_HOOK_SECRET", HOOK_SECRET)
        .env("TEST_OKTA_TOKEN", OKTA_TOKEN)
        .env("TEST_SLACK_TOKEN", "xoxb-test")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > PATIENCE {
            child.kill().unwrap();
            panic!("idflow serve started, or hung, where it had to refuse to start");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "idflow serve exited with success");
    String::from_utf8_lossy(&output.stderr).into_owned()
}
