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

/// The settings and secrets connections are made with, by the names the
/// connector declarations use in `env("…")` and `secret("…")`.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `env("NAME")` values.
    pub values: BTreeMap<String, String>,
    /// `secret("NAME")` values.
    pub secrets: BTreeMap<String, String>,
    /// Base URLs that replace a connector's declared one, by connector.
    pub base_urls: BTreeMap<String, String>,
    /// The values of the plan's `Secret` configs, by config name: read
    /// where `idflow.toml` says (`{ env = "…" }`, `{ file = "…" }`), never
    /// written in a plan, masked like every secret.
    pub configs: BTreeMap<String, String>,
}

impl Settings {
    /// The `env(…)` and `secret(…)` names the plan's connectors use.
    pub fn needed(plan: &Plan) -> (Vec<String>, Vec<String>) {
        let (mut values, mut secrets) = (Vec::new(), Vec::new());
        fn walk(source: &Source, values: &mut Vec<String>, secrets: &mut Vec<String>) {
            match source {
                Source::Text { .. } => {}
                Source::Env { name, .. } => values.push(name.clone()),
                Source::Secret { name } => secrets.push(name.clone()),
                Source::Concat { parts } => parts.iter().for_each(|p| walk(p, values, secrets)),
            }
        }
        for connector in &plan.connectors {
            connector
                .base_url
                .iter()
                .chain(connector.settings.iter().map(|(_, s)| s))
                .for_each(|s| walk(s, &mut values, &mut secrets));
            for source in connector.auth.iter().flat_map(Auth::sources) {
                walk(source, &mut values, &mut secrets);
            }
        }
        values.sort();
        values.dedup();
        secrets.sort();
        secrets.dedup();
        (values, secrets)
    }

    /// The runtime configs of `plan` as the executor reads them; the
    /// first config the plan reads and these settings do not give, as an
    /// error.
    pub fn runtime_configs(&self, plan: &Plan) -> Result<BTreeMap<String, Value>, ConnectionError> {
        plan.runtime_configs()
            .into_iter()
            .map(|name| match self.configs.get(name) {
                Some(value) => Ok((name.to_owned(), Value::String(value.clone()))),
                None => Err(ConnectionError::MissingConfig {
                    name: name.to_owned(),
                }),
            })
            .collect()
    }

    /// The redactor for runs of `plan` with these settings: it masks every
    /// secret, and the encodings of secrets the engine itself sends — the
    /// base64 of a basic-auth `user:password`, which a service that echoes
    /// the request's headers would hand back.
    pub fn redactor(&self, plan: &Plan) -> crate::trace::Redactor {
        use base64::Engine as _;
        let mut masked: Vec<String> = self
            .secrets
            .values()
            .chain(self.configs.values())
            .cloned()
            .collect();
        for connector in &plan.connectors {
            if let Some(Auth::Basic { user, password }) = &connector.auth
                && let (Ok(user), Ok(password)) = (
                    resolve(user, self, &connector.name),
                    resolve(password, self, &connector.name),
                )
            {
                let encoded =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                masked.push(encoded);
            }
        }
        crate::trace::Redactor::new(masked)
    }
}

/// Why a connection could not be set up.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ConnectionError {
    /// A setting or secret a connector needs has no value.
    #[error(
        "connector `{connector}`: {what} `{name}` has no value (set it in idflow.toml's [connections.{connector}] or in the environment)"
    )]
    Missing {
        /// The connector.
        connector: String,
        /// "setting" or "secret".
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// A config the plan reads at run time has no value.
    #[error(
        "config `{name}` has no value: a `Secret` config is given in idflow.toml's [config] as {name} = {{ env = \"VARIABLE\" }} or {{ file = \"path\" }}"
    )]
    MissingConfig {
        /// The config.
        name: String,
    },
    /// The HTTP client could not be built.
    #[error("the HTTP client could not start: {0}")]
    Client(String),
}

/// One connector, ready to send requests.
struct Connection {
    plan: ConnectorPlan,
    base_url: String,
    auth: Option<Authorization>,
    /// At most this many requests in flight (`max_concurrency`, 8 by default).
    in_flight: tokio::sync::Semaphore,
    /// At most this many requests a second (`max_rate`), if set: when the
    /// next request may start.
    pace: Option<(Duration, tokio::sync::Mutex<tokio::time::Instant>)>,
    /// The header writes carry their idempotency key in
    /// (`idempotency_header`), for the APIs that take one.
    idempotency_header: Option<String>,
}

/// How a connection authenticates its requests.
enum Authorization {
    /// A header of a fixed value.
    Header(String, String),
    /// HTTP basic authentication: a user and a password.
    Basic(String, String),
    /// A bearer token from an OAuth 2.0 token endpoint.
    OAuth(crate::oauth::PrivateKeyJwt),
}

/// How many requests a connector has in flight at most, by default.
const DEFAULT_CONCURRENCY: usize = 8;

impl Connection {
    /// The retry policy of `call`: its own when it has one (with the
    /// connector's statuses when it lists none), else the connector's;
    /// none (one try) when neither declares one.
    fn retry(&self, call: &ActionCall) -> Retry {
        effective_retry(self.plan.retry.as_ref(), call.retry.as_ref())
    }

    /// Waits for a free slot and for the rate limit; the slot is held
    /// while the permit lives.
    async fn admit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let permit = self.in_flight.acquire().await.ok();
        if let Some((interval, next)) = &self.pace {
            let mut next = next.lock().await;
            let now = tokio::time::Instant::now();
            let start = (*next).max(now);
            *next = start + *interval;
            drop(next);
            tokio::time::sleep_until(start).await;
        }
        permit
    }
}

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

/// A redirect the engine refused to follow.
#[derive(Debug, Error)]
enum RedirectRefused {
    /// It leaves the origin the request was sent to.
    #[error(
        "the answer redirects to {target}, outside {origin}: not followed, so the connection's credentials stay with it"
    )]
    OtherOrigin { target: String, origin: String },
    /// One too many.
    #[error("more than {MAX_REDIRECTS} redirects, the last to {target}")]
    TooMany { target: String },
}

/// The redirect policy of every connector: follow a redirect only within
/// the origin (scheme, host, port) the request was sent to, and at most
/// [`MAX_REDIRECTS`] of them. A redirect elsewhere would carry the
/// connection's credentials — an API key header, a 307's body — to a host
/// nobody configured, and its answer would be taken as the API's.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let target = attempt.url().clone();
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        if target.origin() != first.origin() {
            let origin = first.origin().ascii_serialization();
            return attempt.error(RedirectRefused::OtherOrigin {
                target: target.to_string(),
                origin,
            });
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(RedirectRefused::TooMany {
                target: target.to_string(),
            });
        }
        attempt.follow()
    })
}

/// Why a request failed, in words; a refused redirect says where it went.
fn send_error(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RedirectRefused>() {
            return refused.to_string();
        }
        source = cause.source();
    }
    error.to_string()
}

impl Connection {
    /// Connects one connector: its base URL, authentication and limits.
    fn connect(connector: &ConnectorPlan, settings: &Settings) -> Result<Self, ConnectionError> {
        let resolve = |source: &Source| resolve(source, settings, &connector.name);
        let base_url = match (settings.base_urls.get(&connector.name), &connector.base_url) {
            (Some(url), _) => url.clone(),
            (None, Some(source)) => resolve(source)?,
            (None, None) => String::new(),
        };
        let header =
            |name: &str, value: String| Some(Authorization::Header(name.to_owned(), value));
        let auth = match &connector.auth {
            None => None,
            Some(Auth::Header { name, value }) => header(name, resolve(value)?),
            Some(Auth::Bearer { token }) => {
                header("Authorization", format!("Bearer {}", resolve(token)?))
            }
            Some(Auth::Basic { user, password }) => {
                Some(Authorization::Basic(resolve(user)?, resolve(password)?))
            }
            Some(Auth::OAuth2PrivateKeyJwt {
                token_url,
                client_id,
                private_key,
                scopes,
            }) => {
                let client = crate::oauth::PrivateKeyJwt::new(
                    resolve(token_url)?,
                    resolve(client_id)?,
                    &resolve(private_key)?,
                    resolve(scopes)?,
                )
                .map_err(|e| {
                    ConnectionError::Client(format!("connector `{}`: {e}", connector.name))
                })?;
                Some(Authorization::OAuth(client))
            }
        };
        let number = |key: &str| -> Result<Option<f64>, ConnectionError> {
            let Some((_, source)) = connector.settings.iter().find(|(k, _)| k == key) else {
                return Ok(None);
            };
            let text = resolve(source)?;
            text.parse::<f64>()
                .ok()
                .filter(|n| *n > 0.0)
                .map(Some)
                .ok_or_else(|| {
                    ConnectionError::Client(format!(
                        "connector `{}`: `{key}` must be a positive number, found {text:?}",
                        connector.name
                    ))
                })
        };
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive count of requests"
        )]
        let concurrency = number("max_concurrency")?.map_or(DEFAULT_CONCURRENCY, |n| n as usize);
        let pace = number("max_rate")?.map(|rate| {
            (
                Duration::from_secs_f64(1.0 / rate),
                tokio::sync::Mutex::new(tokio::time::Instant::now()),
            )
        });
        Ok(Connection {
            plan: connector.clone(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            auth,
            in_flight: tokio::sync::Semaphore::new(concurrency),
            pace,
            idempotency_header: connector
                .settings
                .iter()
                .find(|(k, _)| k == "idempotency_header")
                .map(|(_, source)| resolve(source))
                .transpose()?,
        })
    }
}

/// A source's value from the settings.
pub(crate) fn resolve(
    source: &Source,
    settings: &Settings,
    connector: &str,
) -> Result<String, ConnectionError> {
    let missing = |what, name: &str| ConnectionError::Missing {
        connector: connector.to_owned(),
        what,
        name: name.to_owned(),
    };
    match source {
        Source::Text { value } => Ok(value.clone()),
        Source::Env { name, default } => settings
            .values
            .get(name)
            .or(default.as_ref())
            .cloned()
            .ok_or_else(|| missing("setting", name)),
        Source::Secret { name } => settings
            .secrets
            .get(name)
            .cloned()
            .ok_or_else(|| missing("secret", name)),
        Source::Concat { parts } => parts
            .iter()
            .map(|p| resolve(p, settings, connector))
            .collect(),
    }
}

/// A request, built from an action's mapping and a call's arguments.
struct Request {
    method: reqwest::Method,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<serde_json::Value>,
}

fn failed(call: &ActionCall, message: impl Into<String>) -> ActionError {
    ActionError::Failed {
        action: call.name(),
        message: message.into(),
    }
}

impl Connection {
    fn request(
        &self,
        action: &ActionPlan,
        http: &HttpPlan,
        call: &ActionCall,
    ) -> Result<Request, ActionError> {
        let configs = BTreeMap::new();
        let mut env = Env::new(&[], &configs, 0);
        for (name, local) in &action.params {
            let given = call
                .args
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone());
            let value = match (given, action.defaults.iter().find(|(n, _)| n == name)) {
                (Some(value), _) => value,
                (None, Some((_, default))) => {
                    eval::eval_in(default, &mut env).map_err(|e| failed(call, e.to_string()))?
                }
                (None, None) => Value::Null,
            };
            env.set(*local, value);
        }
        let mut eval =
            |expr: &PExpr| eval::eval_in(expr, &mut env).map_err(|e| failed(call, e.to_string()));
        let path = match &http.path {
            PExpr::Text { parts } => {
                let mut path = String::new();
                for part in parts {
                    match part {
                        TextPart::Literal(text) => path.push_str(text),
                        TextPart::Value(expr) => {
                            let value = eval(expr)?.to_string();
                            path.extend(utf8_percent_encode(&value, SEGMENT));
                        }
                    }
                }
                path
            }
            other => eval(other)?.to_string(),
        };
        let mut query = Vec::new();
        for (name, expr) in &http.query {
            match eval(expr)? {
                Value::Null => {}
                value => query.push((name.clone(), value.to_string())),
            }
        }
        let mut headers = Vec::new();
        for (name, expr) in &http.headers {
            match eval(expr)? {
                Value::Null => {}
                value => headers.push((name.clone(), value.to_string())),
            }
        }
        let body = match &http.body {
            Some(expr) => Some(without_nulls(eval(expr)?.to_json())),
            None => None,
        };
        let method = reqwest::Method::from_bytes(http.method.as_bytes())
            .map_err(|e| failed(call, e.to_string()))?;
        Ok(Request {
            method,
            url: format!("{}{path}", self.base_url),
            query,
            headers,
            body,
        })
    }
}

/// A body without the fields set to null: "not given" for the APIs.
fn without_nulls(json: serde_json::Value) -> serde_json::Value {
    match json {
        serde_json::Value::Object(map) => {
            serde_json::Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

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
                        .map_err(|e| failed(call, e))?;
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

/// The delay a service asks for: `Retry-After` in seconds, or Okta's
/// `X-Rate-Limit-Reset` (the epoch second its limit resets).
fn server_delay(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let delay = if let Some(seconds) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        Duration::from_secs(seconds)
    } else {
        let reset = header("x-rate-limit-reset")?.parse::<u64>().ok()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        Duration::from_secs(reset.saturating_sub(now))
    };
    Some(delay.min(MAX_SERVER_DELAY))
}

/// Whether a `rel="next"` link may be followed from a list whose first page
/// is `first`: it must stay on the same origin — the request carries the
/// connector's credentials, which must not go to a host a header names —
/// and must not lead back to a page already read, which would loop forever.
fn next_page(
    first: &str,
    next: &str,
    read: &std::collections::HashSet<String>,
) -> Result<(), String> {
    let origin = |url: &str| reqwest::Url::parse(url).map(|u| u.origin());
    match (origin(first), origin(next)) {
        (Ok(a), Ok(b)) if a == b => {}
        _ => {
            return Err(format!(
                "the next page's link leaves the API ({next}): not followed, credentials stay with the API"
            ));
        }
    }
    if read.contains(next) {
        return Err(format!(
            "the next page's link leads back to a page already read ({next}): the list would never end"
        ));
    }
    Ok(())
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let (target, params) = link.split_once(';')?;
            let next = params.split(';').any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            });
            next.then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_with_a_default_takes_the_connections_value_first() {
        let port = Source::Env {
            name: "SMTP_PORT".to_owned(),
            default: Some("587".to_owned()),
        };
        let mut settings = Settings::default();
        assert_eq!(resolve(&port, &settings, "email"), Ok("587".to_owned()));
        settings
            .values
            .insert("SMTP_PORT".to_owned(), "2525".to_owned());
        assert_eq!(resolve(&port, &settings, "email"), Ok("2525".to_owned()));
        let host = Source::Env {
            name: "SMTP_HOST".to_owned(),
            default: None,
        };
        assert!(matches!(
            resolve(&host, &settings, "email"),
            Err(ConnectionError::Missing { .. })
        ));
    }

    #[test]
    fn okta_s_rate_limit_reset_is_followed_without_retry_after_and_capped() {
        use reqwest::header::{HeaderMap, HeaderValue};
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let reset = |at: u64| {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&at.to_string()) {
                headers.insert("x-rate-limit-reset", value);
            }
            headers
        };
        // In about 30 s (the clock may tick between the two readings).
        let delay = server_delay(&reset(now + 30)).unwrap_or_default();
        assert!((29..=30).contains(&delay.as_secs()), "{delay:?}");
        // A reset an hour away is waited for two minutes at most.
        assert_eq!(server_delay(&reset(now + 3_600)), Some(MAX_SERVER_DELAY));
        // `Retry-After` wins when both are there, and is capped too.
        let mut both = reset(now + 30);
        both.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(server_delay(&both), Some(Duration::from_secs(7)));
        both.insert("retry-after", HeaderValue::from_static("86400"));
        assert_eq!(server_delay(&both), Some(MAX_SERVER_DELAY));
        assert_eq!(server_delay(&HeaderMap::new()), None);
    }

    #[test]
    fn a_next_page_must_stay_on_the_api_and_not_loop() {
        let first = "https://chu.okta.com/api/v1/users?limit=2";
        let read = std::collections::HashSet::from([first.to_owned()]);
        assert_eq!(
            next_page(
                first,
                "https://chu.okta.com/api/v1/users?after=00u2&limit=2",
                &read
            ),
            Ok(())
        );
        let elsewhere = next_page(
            first,
            "https://attacker.example/api/v1/users?after=00u2",
            &read,
        );
        assert!(elsewhere.is_err_and(|e| e.contains("leaves the API")));
        let other_port = next_page(first, "https://chu.okta.com:8443/api/v1/users", &read);
        assert!(other_port.is_err());
        let back = next_page(first, first, &read);
        assert!(back.is_err_and(|e| e.contains("already read")));
    }

    #[test]
    fn the_next_link_is_found_among_others() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.append(
            "link",
            "<https://x.okta.com/api/v1/users?limit=2>; rel=\"self\""
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        headers.append(
            "link",
            "<https://x.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\""
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://x.okta.com/api/v1/users?after=00u2&limit=2")
        );
    }
}
