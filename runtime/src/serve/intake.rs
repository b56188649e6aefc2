//! Event intake over HTTP: the Okta Event Hook endpoint, generic webhooks,
//! and the operations endpoints (`/healthz`, `/readyz`, `/metrics`).
//!
//! A delivery is acknowledged only once its events are committed to the
//! store's queue, and before any flow runs on them: the answer comes in
//! milliseconds, well inside Okta's 3-second timeout. Refusals are 4xx with
//! a JSON `{"error": …}` that says why, logged and counted; a full queue is
//! a 429 with `Retry-After`, a store that cannot commit a 503 — never a
//! silent drop.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hmac::{KeyInit, Mac};
use serde_json::{Value as Json, json};
use subtle::ConstantTimeEq;

use super::dispatcher::webhook_source;
use super::{Service, blocking};
use crate::event::{self, now_ms};
use crate::store::NewEvent;

/// The header Okta's verification request carries.
const CHALLENGE: &str = "x-okta-verification-challenge";

/// The header a webhook sender may set so a redelivery is recognised.
const DELIVERY_KEY: &str = "idempotency-key";

/// Serves HTTP until the service stops.
pub async fn serve_http(service: Arc<Service>, listener: tokio::net::TcpListener) {
    let stopping = Arc::clone(&service);
    let app = router(service);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move { stopping.stopped().await })
        .await;
    if let Err(error) = served {
        tracing::error!(%error, "the HTTP server failed");
    }
}

/// The service's HTTP routes.
pub fn router(service: Arc<Service>) -> Router {
    let okta = service.options.okta_hook_path.clone();
    Router::new()
        .route(&okta, get(okta_verify).post(okta_deliver))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(webhook)
        // A backstop for whatever else could hold a request: reading the
        // body has its own, logged, timeout.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            service.options.request_timeout + std::time::Duration::from_secs(5),
        ))
        .with_state(service)
}

/// Why a request is refused: its status, a reason for the metrics, and a
/// message for the sender and the log.
struct Refusal {
    status: StatusCode,
    reason: &'static str,
    message: String,
}

/// A refusal.
fn refuse(status: StatusCode, reason: &'static str, message: String) -> Refusal {
    Refusal {
        status,
        reason,
        message,
    }
}

impl Refusal {
    /// The answer, once the refusal is logged and counted.
    fn answer(self, service: &Service) -> Response {
        let Refusal {
            status,
            reason,
            message,
        } = self;
        tracing::warn!(status = status.as_u16(), reason, %message, "request refused");
        service.metrics.refused(reason);
        let mut response = (status, axum::Json(json!({ "error": message }))).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        response
    }
}

/// Whether the `Authorization` header is the configured secret, compared
/// in constant time; the refusal otherwise.
fn authorized(service: &Service, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(secret) = &service.options.okta_hook_secret else {
        return Err(refuse(StatusCode::UNAUTHORIZED,
            "no_secret_configured",
            "this endpoint has no secret configured ([serve.okta_hook] secret in idflow.toml), so it refuses every delivery".to_owned(),
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    // An empty value never matches, whatever the secret (the options refuse
    // an empty one; this holds even if they did not).
    if !given.is_empty() && !secret.is_empty() && bool::from(given.ct_eq(secret.as_bytes())) {
        Ok(())
    } else {
        let what = if given.is_empty() { "missing" } else { "wrong" };
        Err(refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            format!("the Authorization header is {what}"),
        ))
    }
}

/// Okta's one-time verification: echoes the challenge.
async fn okta_verify(State(service): State<Arc<Service>>, headers: HeaderMap) -> Response {
    if let Err(refusal) = authorized(&service, &headers) {
        return refusal.answer(&service);
    }
    match headers.get(CHALLENGE).and_then(|v| v.to_str().ok()) {
        Some(challenge) => {
            tracing::info!("Okta event hook verified");
            axum::Json(json!({ "verification": challenge })).into_response()
        }
        None => refuse(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("a verification request needs the `{CHALLENGE}` header"),
        )
        .answer(&service),
    }
}

/// Reads a body up to the size limit, within the request timeout.
async fn read_body(service: &Service, body: Body) -> Result<Bytes, Refusal> {
    let (limit, timeout) = (
        service.options.max_body_bytes,
        service.options.request_timeout,
    );
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit));
    match read.await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {limit} bytes"),
        )),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            "too_slow",
            format!("the body did not arrive within {} s", timeout.as_secs()),
        )),
    }
}

/// Parses a JSON body; the refusal names where it is malformed.
fn parse_json(bytes: &[u8]) -> Result<Json, Refusal> {
    serde_json::from_slice(bytes).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not JSON: {e}"),
        )
    })
}

/// The events of an Okta delivery, each checked; the refusal names the
/// first bad one. An event type missing from the bundled catalogue is not
/// a refusal: Okta adds types, and refusing would lose the whole batch
/// after Okta's one retry.
fn okta_events(delivery: &Json) -> Result<Vec<NewEvent>, Refusal> {
    let malformed = |message: String| refuse(StatusCode::BAD_REQUEST, "malformed", message);
    let Some(Json::Array(events)) = delivery.pointer("/data/events") else {
        return Err(malformed(
            "an Okta event hook delivery needs `data.events`, a list of events".to_owned(),
        ));
    };
    let mut checked = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let event = event::okta_event(event.clone())
            .map_err(|e| malformed(format!("`data.events[{i}]`: {e}")))?;
        let field = |name: &str| {
            event
                .get(name)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (uuid, event_type) = (field("uuid"), field("eventType"));
        checked.push(NewEvent {
            source: "okta".to_owned(),
            key: uuid,
            connector: "okta".to_owned(),
            event_type,
            body: event,
        });
    }
    Ok(checked)
}

/// An Okta Event Hook delivery: its events queued, then an empty 200.
/// Events already queued (Okta delivers at least once) are not queued
/// again, and the delivery is still acknowledged: Okta would otherwise
/// deliver it again.
async fn okta_deliver(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refusal) = authorized(&service, &headers) {
        return refusal.answer(&service);
    }
    let bytes = match read_body(&service, body).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal.answer(&service),
    };
    let events = match parse_json(&bytes).and_then(|d| okta_events(&d)) {
        Ok(events) => events,
        Err(refusal) => return refusal.answer(&service),
    };
    let unknown = super::unknown_types(&events);
    match queue(&service, "okta", events).await {
        Ok(_) => {
            unknown.iter().for_each(|t| service.note_unknown_type(t));
            StatusCode::OK.into_response()
        }
        Err(refusal) => refusal.answer(&service),
    }
}

/// Queues events, unless the service is stopping or the queue is full.
/// How many were new.
async fn queue(
    service: &Arc<Service>,
    source: &str,
    events: Vec<NewEvent>,
) -> Result<u64, Refusal> {
    if service.is_stopping() {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "stopping",
            "the service is shutting down".to_owned(),
        ));
    }
    // Counted: what is admitted and not finished — events not dispatched
    // and runs not ended — so a burst is pushed back on, not piled up as
    // pending runs.
    let admission = match service.admit(events.len() as u64) {
        Ok(admission) => admission,
        Err(backlog) => {
            return Err(refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "overloaded",
                format!(
                    "{backlog} events and runs are admitted and not finished, the limit is {}; retry later",
                    service.options.queue_limit
                ),
            ));
        }
    };
    let received = events.len();
    let now = now_ms();
    let done = match blocking(&service.store, move |s| s.enqueue(&events, now)).await {
        Ok(done) => done,
        Err(error) => {
            tracing::error!(%error, "queueing a delivery failed");
            return Err(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the events could not be stored; retry later".to_owned(),
            ));
        }
    };
    service.note_queued(source, done);
    // Counted in the queue depth now: the reservation can go.
    drop(admission);
    tracing::info!(source, received, queued = done.queued, "delivery queued");
    Ok(done.queued)
}

/// A generic webhook delivery to a path a flow listens on: its signature
/// checked when the path has a secret, its JSON body queued, then 202.
async fn webhook(
    State(service): State<Arc<Service>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = uri.path().to_owned();
    if method != Method::POST || !service.deployments.current().webhooks.contains_key(&path) {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({ "error": format!("no flow listens on {method} {path}") })),
        )
            .into_response();
    }
    let bytes = match read_body(&service, body).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal.answer(&service),
    };
    if let Err(refusal) =
        tokened(&service, &path, &headers).and_then(|()| signed(&service, &path, &headers, &bytes))
    {
        return refusal.answer(&service);
    }
    let body = match parse_json(&bytes) {
        Ok(body) => body,
        Err(refusal) => return refusal.answer(&service),
    };
    if let Some(error) = service
        .deployments
        .current()
        .webhook_body_error(&path, &body)
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body does not fit the flow's type: {error}"),
        )
        .answer(&service);
    }
    let key = match delivery_key(&headers) {
        Ok(Some(key)) => key,
        Ok(None) => format!("{:032x}", rand::random::<u128>()),
        Err(refusal) => return refusal.answer(&service),
    };
    let source = webhook_source(&path);
    let event = NewEvent {
        source: source.clone(),
        key: key.clone(),
        connector: "webhook".to_owned(),
        event_type: path.clone(),
        body,
    };
    match queue(&service, &source, vec![event]).await {
        Ok(0) => refuse(
            StatusCode::CONFLICT,
            "replayed",
            format!("delivery `{key}` was already received"),
        )
        .answer(&service),
        Ok(_) => (StatusCode::ACCEPTED, axum::Json(json!({ "queued": key }))).into_response(),
        Err(refusal) => refusal.answer(&service),
    }
}

/// The `Idempotency-Key` a sender gave, if any. Its bytes are the key, so
/// two keys differ whenever their bytes do — a non-ASCII key is not ignored
/// (a replay would then run twice) — written in the store as text with
/// every byte outside printable ASCII, and `%`, percent-encoded. A blank
/// key is refused: it would make every later blank-key delivery a replay.
fn delivery_key(headers: &HeaderMap) -> Result<Option<String>, Refusal> {
    let Some(value) = headers.get(DELIVERY_KEY) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "malformed",
            "the `Idempotency-Key` header is empty; send a key that names the delivery, or no header".to_owned(),
        ));
    }
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%');
    Ok(Some(
        percent_encoding::percent_encode(bytes, ESCAPED).to_string(),
    ))
}

/// Checks a webhook's token when its path has one: `Authorization: Bearer
/// TOKEN`, or the whole value of its `token_header` (an API key), compared
/// in constant time; an empty value never matches.
fn tokened(service: &Service, path: &str, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(auth) = service.options.webhooks.get(path) else {
        return Ok(());
    };
    let Some(token) = &auth.token else {
        return Ok(());
    };
    let (header, expected) = match &auth.token_header {
        Some(name) => (name.as_str(), token.clone()),
        None => ("authorization", format!("Bearer {token}")),
    };
    let given = headers
        .get(header)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !given.is_empty() && !token.is_empty() && bool::from(given.ct_eq(expected.as_bytes())) {
        return Ok(());
    }
    let what = if given.is_empty() { "missing" } else { "wrong" };
    Err(refuse(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        format!("the `{header}` token is {what}"),
    ))
}

/// Checks a webhook's HMAC-SHA256 signature when its path has a secret.
fn signed(service: &Service, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    let Some(auth) = service.options.webhooks.get(path) else {
        return Ok(());
    };
    let Some(secret) = &auth.secret else {
        return Ok(());
    };
    let unsigned = |message: String| refuse(StatusCode::UNAUTHORIZED, "bad_signature", message);
    if secret.is_empty() {
        return Err(unsigned(
            "the webhook key is empty, so nothing it signs is trusted".to_owned(),
        ));
    }
    let Some(given) = headers
        .get(auth.signature_header.as_str())
        .and_then(|v| v.to_str().ok())
    else {
        return Err(unsigned(format!(
            "the `{}` signature header is missing",
            auth.signature_header
        )));
    };
    let hex_part = given.strip_prefix("sha256=").unwrap_or(given);
    let Ok(signature) = hex::decode(hex_part.trim()) else {
        return Err(unsigned(format!(
            "the `{}` header is not a hexadecimal HMAC-SHA256",
            auth.signature_header
        )));
    };
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return Err(unsigned("the webhook secret is unusable".to_owned()));
    };
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&signature).map_err(|_| {
        unsigned(format!(
            "the `{}` signature does not match the body",
            auth.signature_header
        ))
    })
}

/// Ready once the plan is deployed and the store answers; not while
/// stopping.
async fn readyz(State(service): State<Arc<Service>>) -> Response {
    if service.is_stopping() {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping\n").into_response();
    }
    match blocking(&service.store, |s| s.queue_depth()).await {
        Ok(_) => format!("ready: plan {}\n", service.deployments.current().id).into_response(),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the store does not answer: {error}\n"),
        )
            .into_response(),
    }
}

/// Prometheus text.
async fn metrics(State(service): State<Arc<Service>>) -> Response {
    let counts = blocking(&service.store, |s| s.status_counts())
        .await
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        service.metrics.render(&counts),
    )
        .into_response()
}
