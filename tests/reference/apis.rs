//! A local HTTP server on 127.0.0.1 that plays Okta's Management API,
//! Slack's Web API (under `/slack/api`) and ServiceNow's Table API: each test
//! says what it answers to which request, and reads back every request it
//! got — method, path, query, `Authorization` header and JSON body.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

/// One request the server got.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query's parameters, decoded.
    pub query: BTreeMap<String, String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The JSON body; null when none.
    pub body: Json,
}

/// What the server answers to a request it was told about.
#[derive(Clone)]
struct Answer {
    method: String,
    path: String,
    /// Query parameters the request must have, to tell pages apart.
    query: Vec<(String, String)>,
    status: u16,
    body: Json,
    /// The `Link` header's `next` page, as a path and query.
    next: Option<String>,
}

#[derive(Default)]
struct State {
    answers: Vec<Answer>,
    requests: Vec<Request>,
}

/// The server.
pub struct Apis {
    /// Where it listens.
    pub address: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Apis {
    /// Starts it on 127.0.0.1, on `runtime`.
    pub fn start(runtime: &tokio::runtime::Runtime) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a port on 127.0.0.1");
        let address = listener.local_addr().expect("the listener's address");
        let app = axum::Router::new().fallback(
            move |method: Method,
                  uri: Uri,
                  Query(query): Query<BTreeMap<String, String>>,
                  headers: HeaderMap,
                  body: Bytes| {
                let state = Arc::clone(&shared);
                async move {
                    let request = Request {
                        method: method.as_str().to_owned(),
                        path: uri.path().to_owned(),
                        query,
                        authorization: headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                        body: serde_json::from_slice(&body).unwrap_or(Json::Null),
                    };
                    respond(&state, address, request)
                }
            },
        );
        runtime.spawn(async move { axum::serve(listener, app).await });
        Apis { address, state }
    }

    /// The server's root: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Answers `body` (status 200) to `method path`.
    pub fn answer(&self, method: &str, path: &str, body: Json) {
        self.answer_page(method, path, &[], body, None);
    }

    /// Answers `body` to `method path` when the query has `query`, with a
    /// `Link: <…>; rel="next"` header to `next` (a path and query) when given:
    /// one page of a list Okta pages.
    pub fn answer_page(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Json,
        next: Option<&str>,
    ) {
        self.push(Answer {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            status: 200,
            body,
            next: next.map(str::to_owned),
        });
    }

    fn push(&self, answer: Answer) {
        self.state.lock().expect("the state").answers.push(answer);
    }

    /// Every request, in the order it came.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().expect("the state").requests.clone()
    }

    /// The requests other than reads (`GET`), as `METHOD path`, in order:
    /// what a flow did.
    pub fn writes(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// The requests to `method path`.
    pub fn to(&self, method: &str, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }
}

fn respond(state: &Mutex<State>, address: SocketAddr, request: Request) -> Response {
    let mut state = state.lock().expect("the state");
    // The most specific answer: the one requiring the most query parameters.
    let mut matching: Vec<&Answer> = state
        .answers
        .iter()
        .filter(|a| a.method == request.method && a.path == request.path)
        .filter(|a| a.query.iter().all(|(k, v)| request.query.get(k) == Some(v)))
        .collect();
    matching.sort_by_key(|a| std::cmp::Reverse(a.query.len()));
    let response = match matching.first() {
        Some(answer) => {
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
            let mut response = (status, axum::Json(answer.body.clone())).into_response();
            if let Some(next) = &answer.next {
                let link = format!("<http://{address}{next}>; rel=\"next\"");
                if let Ok(value) = link.parse() {
                    response.headers_mut().insert("link", value);
                }
            }
            response
        }
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({
                "errorCode": "E0000007",
                "errorSummary": format!("Not found: {} {}", request.method, request.path),
            })),
        )
            .into_response(),
    };
    state.requests.push(request);
    response
}
