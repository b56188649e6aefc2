//! The Okta System Log poller: the way to receive event types Okta does
//! not send by hook (`system.mfa.factor.deactivate`, …) and to fill the
//! gaps of hook deliveries.
//!
//! Each poll reads `GET /api/v1/logs?since=CURSOR` through the stdlib's
//! `okta.list_log_events` action — the project's Okta connection, its
//! authentication, retries, rate limits and Link pagination — and queues
//! every event with the new cursor (the latest `published`) in one
//! transaction. `since` is inclusive, so the events of the cursor's
//! millisecond come again: they are the same `uuid`s, and the queue does
//! not take an event twice — nor one a hook already delivered.

use std::sync::Arc;

use idflow_compiler::plan::ir::Effect;
use idflow_compiler::plan::value::Value;

use super::{Service, blocking};
use crate::connectors::{ActionCall, Connectors};
use crate::event::{now_ms, published_ms};
use crate::store::NewEvent;

/// Where the poller got to, in the store.
pub const CURSOR: &str = "okta:system-log";

/// Polls until the service stops (does nothing when the poller is off).
pub async fn run(service: Arc<Service>) {
    let Some(options) = service.options.poller.clone() else {
        return;
    };
    tracing::info!(
        every_seconds = options.interval.as_secs(),
        "polling Okta's System Log"
    );
    while !service.is_stopping() {
        match poll(&service, options.since.as_deref()).await {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "System Log events queued"),
            Err(error) => {
                tracing::warn!(%error, "polling the System Log failed; retrying at the next poll")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(options.interval) => {}
            () = service.stopped() => {}
        }
    }
}

/// Why the System Log could not be polled.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The project does not use Okta's events.
    #[error(
        "serve.okta_poller: the System Log poller needs the project to `import okta` and use its events"
    )]
    NoOkta,
    /// The Okta connection could not be made.
    #[error("serve.okta_poller: the System Log poller reads through the Okta connection: {0}")]
    Unconnected(String),
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The stored cursor is not a time.
    #[error("the System Log cursor {cursor:?} is not an RFC 3339 time: {reason}")]
    Cursor {
        /// The cursor as stored.
        cursor: String,
        /// Why it is not a time.
        reason: String,
    },
    /// Okta's answer was a failure (redacted) or not a list.
    #[error("{0}")]
    Answer(String),
}

/// Whether the deployed plan can poll: it has Okta's `list_log_events`
/// and an Okta connection. Checked at start-up, so a poller that could
/// never poll stops the start, naming what is missing.
pub fn check(deployment: &super::deployment::Deployment) -> Result<(), PollError> {
    let has_okta = deployment
        .plan
        .connectors
        .iter()
        .any(|c| c.name == "okta" && c.actions.iter().any(|a| a.name == "list_log_events"));
    if !has_okta {
        return Err(PollError::NoOkta);
    }
    match deployment.engines.unconnected("okta") {
        Some(error) => Err(PollError::Unconnected(error.to_string())),
        None => Ok(()),
    }
}

/// One poll: the events published since the cursor, queued with the new
/// cursor. How many were new.
pub async fn poll(service: &Arc<Service>, first_since: Option<&str>) -> Result<u64, PollError> {
    let stored = blocking(&service.store, |s| s.cursor(CURSOR)).await?;
    let since = match stored.as_deref().or(first_since) {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|e| PollError::Cursor {
                cursor: text.to_owned(),
                reason: e.to_string(),
            })?
            .timestamp_millis(),
        None => now_ms(),
    };
    let deployment = service.deployments.current();
    check(&deployment)?;
    let call = ActionCall {
        connector: "okta".to_owned(),
        action: "list_log_events".to_owned(),
        effect: Effect::Read,
        args: vec![
            ("since".to_owned(), Value::Time(since)),
            ("limit".to_owned(), Value::Int(1000)),
        ],
        idempotency_key: String::new(),
        retry: None,
    };
    let answer = deployment.engines.call(&call).await;
    let events = match answer
        .result
        .map_err(|e| PollError::Answer(deployment.redactor.text(&e.to_string())))?
    {
        Value::List(events) => events,
        other => {
            return Err(PollError::Answer(format!(
                "the System Log answered a {}, not a list",
                other.kind()
            )));
        }
    };
    let mut latest = since;
    let mut queued = Vec::with_capacity(events.len());
    for event in events {
        let json = event.to_json();
        let field = |name: &str| {
            json.get(name)
                .and_then(serde_json::Value::as_str)
                .filter(|text| !text.trim().is_empty())
                .map(str::to_owned)
        };
        let (Some(uuid), Some(event_type)) = (field("uuid"), field("eventType")) else {
            tracing::warn!("a System Log event without `uuid` or `eventType` was skipped");
            continue;
        };
        if let Some(published) = field("published").and_then(|p| published_ms(&p)) {
            latest = latest.max(published);
        }
        queued.push(NewEvent {
            source: "okta".to_owned(),
            key: uuid,
            connector: "okta".to_owned(),
            event_type,
            body: json,
        });
    }
    let unknown = super::unknown_types(&queued);
    let cursor = idflow_compiler::plan::value::format_time(latest);
    let now = now_ms();
    let done = blocking(&service.store, move |s| {
        s.enqueue_with_cursor(&queued, (CURSOR, &cursor), now)
    })
    .await?;
    for event_type in unknown {
        service.note_unknown_type(&event_type);
    }
    service.note_queued("okta", done);
    Ok(done.queued)
}
