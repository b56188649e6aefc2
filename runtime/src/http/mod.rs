//! The HTTP connector engine: runs the actions of connectors declared with
//! HTTP mappings, from the connector plans.
//!
//! A request is built from the mapping — the base URL, the path (each
//! interpolated value percent-encoded as a path segment), the query (null
//! parameters left out), the headers, the JSON body (a record's null fields
//! left out) — and the connection's authentication. A status the connector
//! retries on (and a timeout or a refused connection) is tried again, up to
//! the policy's attempts, after the delay the service asks for
//! (`Retry-After` in seconds, Okta's `X-Rate-Limit-Reset` as an epoch
//! second; at most two minutes) or else an exponential backoff with jitter.
//! `paginate link` follows `Link: <…>; rel="next"` and joins the pages.

use std::collections::BTreeMap;
use std::time::Duration;

use idflow_compiler::plan::eval::{self, Env};
use idflow_compiler::plan::ir::{
    ActionPlan, Auth, ConnectorPlan, HttpPlan, PExpr, Plan, Retry, Source, TextPart,
};
use idflow_compiler::plan::value::Value;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use thiserror::Error;

use crate::connectors::{ActionCall, ActionError, Answer, Attempt, Connectors, Delivery};
use crate::retry::{backoff, effective_retry, millis};

/// What may not appear unencoded in one path segment (RFC 3986).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// The longest delay a service's `Retry-After` or rate-limit reset is
/// followed for.
const MAX_SERVER_DELAY: Duration = Duration::from_secs(120);

mod connection;
mod paging;
mod redirect;
mod settings;
#[cfg(test)]
mod tests;

pub(crate) use connection::resolve;
use connection::{Authorization, Connection, Request, failed};
use paging::{next_link, next_page, server_delay};
use redirect::{same_origin_redirects, send_error};
pub use settings::{ConnectionError, Settings};

/// The HTTP connectors of a plan.
pub struct HttpConnectors {
    client: reqwest::Client,
    connections: BTreeMap<String, Connection>,
    /// The connectors no action calls whose connection could not be made,
    /// and why.
    unconnected: BTreeMap<String, ConnectionError>,
    /// The named types answers are checked against.
    types: BTreeMap<String, idflow_compiler::plan::ir::Schema>,
}

impl HttpConnectors {
    /// Why `connector` has no connection, when it has none: a connector
    /// only triggers use whose settings are missing.
    pub fn unconnected(&self, connector: &str) -> Option<&ConnectionError> {
        self.unconnected.get(connector)
    }

    /// Connects every HTTP connector of the plan, with `timeout` per request.
    pub fn new(
        plan: &Plan,
        settings: &Settings,
        timeout: Duration,
    ) -> Result<Self, ConnectionError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("idflow/", env!("CARGO_PKG_VERSION")))
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| ConnectionError::Client(e.to_string()))?;
        let called = plan.called_connectors();
        let mut connections = BTreeMap::new();
        let mut unconnected = BTreeMap::new();
        for connector in &plan.connectors {
            let native_http = connector.name == "http";
            if !native_http && !connector.actions.iter().any(|a| a.http.is_some()) {
                continue;
            }
            match Connection::connect(connector, settings) {
                Ok(connection) => {
                    connections.insert(connector.name.clone(), connection);
                }
                // A connector only triggers use (`import okta` for its
                // events, delivered by hook) needs no connection until
                // something calls it — the System Log poller says so at
                // start-up, naming what is missing.
                Err(error) if !called.contains(connector.name.as_str()) => {
                    unconnected.insert(connector.name.clone(), error);
                }
                Err(error) => return Err(error),
            }
        }
        Ok(HttpConnectors {
            client,
            connections,
            unconnected,
            types: plan.types.iter().cloned().collect(),
        })
    }
}

/// How many redirects one request follows, at most.
const MAX_REDIRECTS: usize = 5;

impl Connectors for HttpConnectors {
    async fn call(&self, call: &ActionCall) -> Answer {
        let Some(connection) = self.connections.get(&call.connector) else {
            return Answer::once(
                Err(failed(
                    call,
                    format!(
                        "connector `{}` has no HTTP connection in this runtime",
                        call.connector
                    ),
                )),
                Delivery::Sent,
            );
        };
        let Some(action) = connection
            .plan
            .actions
            .iter()
            .find(|a| a.name == call.action)
        else {
            return Answer::once(
                Err(failed(call, "the connector has no such action")),
                Delivery::Sent,
            );
        };
        let Some(http) = &action.http else {
            if call.connector == "http" {
                return self.plain_http(connection, call).await;
            }
            return Answer::once(
                Err(failed(
                    call,
                    "a native action: this engine sends HTTP actions only",
                )),
                Delivery::Sent,
            );
        };
        let request = match connection.request(action, http, call) {
            Ok(request) => request,
            Err(error) => return Answer::once(Err(error), Delivery::Sent),
        };
        let retry = connection.retry(call);
        let mut attempts = Vec::new();
        let mut url = request.url.clone();
        let mut first_page = true;
        let mut pages: Vec<serde_json::Value> = Vec::new();
        let mut read = std::collections::HashSet::from([url.clone()]);
        loop {
            let sent = self
                .send(
                    connection,
                    &request,
                    &url,
                    first_page,
                    &retry,
                    &mut attempts,
                    call,
                )
                .await;
            let (json, next) = match sent {
                Ok(page) => (page.json, page.next),
                Err(error) => {
                    return Answer {
                        result: Err(error),
                        delivery: Delivery::Sent,
                        attempts,
                    };
                }
            };
            match (http.paginate.as_deref(), next) {
                (Some("link"), Some(next)) => {
                    if let Err(message) = next_page(&request.url, &next, &read) {
                        return Answer {
                            result: Err(ActionError::Failed {
                                action: call.name(),
                                message,
                            }),
                            delivery: Delivery::Sent,
                            attempts,
                        };
                    }
                    read.insert(next.clone());
                    pages.push(json);
                    url = next;
                    first_page = false;
                }
                (Some("link"), None) => {
                    pages.push(json);
                    let joined = pages
                        .into_iter()
                        .flat_map(|p| match p {
                            serde_json::Value::Array(items) => items,
                            other => vec![other],
                        })
                        .collect();
                    let result = self.decode(action, call, &serde_json::Value::Array(joined));
                    return Answer {
                        result,
                        delivery: Delivery::Sent,
                        attempts,
                    };
                }
                _ => {
                    return Answer {
                        result: self.decode(action, call, &json),
                        delivery: Delivery::Sent,
                        attempts,
                    };
                }
            }
        }
    }
}

/// One answered request.
struct Page {
    json: serde_json::Value,
    /// The `rel="next"` link, for pagination.
    next: Option<String>,
    status: u16,
    headers: serde_json::Map<String, serde_json::Value>,
}

impl HttpConnectors {
    /// The native `http` connector: `get(url, headers)` and
    /// `request(method, url, headers, body)`, answered with the status, the
    /// headers and the JSON body (null when empty).
    async fn plain_http(&self, connection: &Connection, call: &ActionCall) -> Answer {
        let arg = |name: &str| {
            call.args
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let method = match call.action.as_str() {
            "get" => "GET".to_owned(),
            _ => arg("method")
                .map(|m| m.to_string().to_uppercase())
                .unwrap_or_default(),
        };
        let method = match reqwest::Method::from_bytes(method.as_bytes()) {
            Ok(method) => method,
            Err(_) => {
                return Answer::once(
                    Err(failed(call, format!("`{method}` is not an HTTP method"))),
                    Delivery::Sent,
                );
            }
        };
        let fields = |name: &str| match arg(name) {
            Some(Value::Record(fields)) => fields.into_iter().collect(),
            _ => Vec::new(),
        };
        // Plain headers, then the secret ones, then the bearer token: a
        // credential the flow names wins over a plain header of one name.
        let mut headers: Vec<(String, String)> = fields("headers")
            .into_iter()
            .chain(fields("secret_headers"))
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        if let Some(token) = arg("bearer").filter(|t| !t.is_null()) {
            headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
        }
        let mut named: Vec<(String, String)> = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            named.retain(|(earlier, _)| !earlier.eq_ignore_ascii_case(&name));
            named.push((name, value));
        }
        let headers = named;
        let request = Request {
            method,
            url: arg("url").map(|u| u.to_string()).unwrap_or_default(),
            query: Vec::new(),
            headers,
            body: arg("body").filter(|b| !b.is_null()).map(|b| b.to_json()),
        };
        let retry = connection.retry(call);
        let mut attempts = Vec::new();
        let sent = self
            .send(
                connection,
                &request,
                &request.url,
                true,
                &retry,
                &mut attempts,
                call,
            )
            .await;
        let result = sent.map(|page| {
            Value::from_json(&serde_json::json!({
                "status": page.status,
                "headers": page.headers,
                "body": page.json,
            }))
        });
        Answer {
            result,
            delivery: Delivery::Sent,
            attempts,
        }
    }

    /// The answer as a value, once checked against the action's declared type.
    fn decode(
        &self,
        action: &ActionPlan,
        call: &ActionCall,
        json: &serde_json::Value,
    ) -> Result<Value, ActionError> {
        if let Some(schema) = &action.returns {
            crate::decode::check(json, schema, &self.types).map_err(|why| {
                failed(
                    call,
                    format!("the answer does not match the declared type: {why}"),
                )
            })?;
        }
        Ok(Value::from_json(json))
    }

    /// Sends one request (one page), retrying as the policy allows; its JSON
    /// and the next page's URL.
    #[allow(
        clippy::too_many_arguments,
        reason = "the parts of one request, kept together"
    )]
    async fn send(
        &self,
        connection: &Connection,
        request: &Request,
        url: &str,
        first_page: bool,
        retry: &Retry,
        attempts: &mut Vec<Attempt>,
        call: &ActionCall,
    ) -> Result<Page, ActionError> {
        let mut tries = 0;
        loop {
            tries += 1;
            // The slot is held for the request, not for the wait before a retry.
            let slot = connection.admit().await;
            let mut builder = self.client.request(request.method.clone(), url);
            if first_page {
                builder = builder.query(&request.query);
            }
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(header) = &connection.idempotency_header
                && call.effect != idflow_compiler::plan::ir::Effect::Read
            {
                builder = builder.header(header, &call.idempotency_key);
            }
            match &connection.auth {
                Some(Authorization::Header(name, value)) => builder = builder.header(name, value),
                Some(Authorization::Basic(user, password)) => {
                    builder = builder.basic_auth(user, Some(password));
                }
                Some(Authorization::OAuth(client)) => {
                    let token = client
                        .token(&self.client)
                        .await
                        .map_err(|e| failed(call, e.to_string()))?;
                    builder = builder.header("Authorization", format!("Bearer {token}"));
                }
                None => {}
            }
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            let last = tries > retry.attempts;
            match builder.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if response.status().is_success() {
                        if !attempts.is_empty() {
                            attempts.push(Attempt {
                                status: Some(status),
                                error: None,
                                retry_after_ms: None,
                            });
                        }
                        let next = next_link(response.headers());
                        let headers = response
                            .headers()
                            .iter()
                            .filter_map(|(k, v)| {
                                Some((
                                    k.as_str().to_owned(),
                                    serde_json::Value::from(v.to_str().ok()?),
                                ))
                            })
                            .collect();
                        let bytes = response
                            .bytes()
                            .await
                            .map_err(|e| failed(call, e.to_string()))?;
                        let json = if bytes.is_empty() {
                            serde_json::Value::Null
                        } else {
                            serde_json::from_slice(&bytes)
                                .map_err(|e| failed(call, format!("the answer is not JSON: {e}")))?
                        };
                        return Ok(Page {
                            json,
                            next,
                            status,
                            headers,
                        });
                    }
                    let delay = server_delay(response.headers());
                    let message: String = response
                        .text()
                        .await
                        .unwrap_or_default()
                        .chars()
                        .take(300)
                        .collect();
                    if last || !retry.on_statuses.contains(&status) {
                        attempts.push(Attempt {
                            status: Some(status),
                            error: None,
                            retry_after_ms: None,
                        });
                        return Err(ActionError::Status {
                            action: call.name(),
                            status,
                            message,
                        });
                    }
                    let wait = delay.unwrap_or_else(|| backoff(retry, tries));
                    attempts.push(Attempt {
                        status: Some(status),
                        error: None,
                        retry_after_ms: Some(millis(wait)),
                    });
                    drop(slot);
                    tokio::time::sleep(wait).await;
                }
                Err(error) => {
                    // A refused redirect is the same on every try.
                    let last = last || error.is_redirect();
                    let message = send_error(&error.without_url());
                    if last {
                        attempts.push(Attempt {
                            status: None,
                            error: Some(message.clone()),
                            retry_after_ms: None,
                        });
                        return Err(failed(call, message));
                    }
                    let wait = backoff(retry, tries);
                    attempts.push(Attempt {
                        status: None,
                        error: Some(message),
                        retry_after_ms: Some(millis(wait)),
                    });
                    drop(slot);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}
