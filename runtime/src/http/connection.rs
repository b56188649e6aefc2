//! A connection to one connector's API: its base URL, authentication,
//! retry policy and limits, and the requests its actions' mappings build.

use super::*;

/// One connector, ready to send requests.
pub(super) struct Connection {
    pub(super) plan: ConnectorPlan,
    pub(super) base_url: String,
    pub(super) auth: Option<Authorization>,
    /// At most this many requests in flight (`max_concurrency`, 8 by default).
    pub(super) in_flight: tokio::sync::Semaphore,
    /// At most this many requests a second (`max_rate`), if set: when the
    /// next request may start.
    pub(super) pace: Option<(Duration, tokio::sync::Mutex<tokio::time::Instant>)>,
    /// The header writes carry their idempotency key in
    /// (`idempotency_header`), for the APIs that take one.
    pub(super) idempotency_header: Option<String>,
}

/// How a connection authenticates its requests.
pub(super) enum Authorization {
    /// A header of a fixed value.
    Header(String, String),
    /// HTTP basic authentication: a user and a password.
    Basic(String, String),
    /// A bearer token from an OAuth 2.0 token endpoint.
    OAuth(crate::oauth::PrivateKeyJwt),
}

/// How many requests a connector has in flight at most, by default.
pub(super) const DEFAULT_CONCURRENCY: usize = 8;

impl Connection {
    /// The retry policy of `call`: its own when it has one (with the
    /// connector's statuses when it lists none), else the connector's;
    /// none (one try) when neither declares one.
    pub(super) fn retry(&self, call: &ActionCall) -> Retry {
        effective_retry(self.plan.retry.as_ref(), call.retry.as_ref())
    }

    /// Waits for a free slot and for the rate limit; the slot is held
    /// while the permit lives.
    pub(super) async fn admit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
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

impl Connection {
    /// Connects one connector: its base URL, authentication and limits.
    pub(super) fn connect(
        connector: &ConnectorPlan,
        settings: &Settings,
    ) -> Result<Self, ConnectionError> {
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
pub(super) struct Request {
    pub(super) method: reqwest::Method,
    pub(super) url: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Option<serde_json::Value>,
}

pub(super) fn failed(call: &ActionCall, message: impl Into<String>) -> ActionError {
    ActionError::Failed {
        action: call.name(),
        message: message.into(),
    }
}

impl Connection {
    pub(super) fn request(
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
pub(super) fn without_nulls(json: serde_json::Value) -> serde_json::Value {
    match json {
        serde_json::Value::Object(map) => {
            serde_json::Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}
