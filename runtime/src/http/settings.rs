//! The settings and secrets connections are made with, and what is wrong
//! with them.

use super::*;

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
