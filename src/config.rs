//! The project manifest, `idflow.toml`: lint levels, and the connections
//! the runtime uses.
//!
//! ```toml
//! [lints]
//! destructive-without-filter = "deny"
//! missing-flow-doc = "allow"
//!
//! [connections.okta]
//! base_url = "https://chu-exemple.okta.com"
//! secrets = { OKTA_API_TOKEN = { env = "CHU_OKTA_TOKEN" } }
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use idflow_compiler::lint::{self, Levels};
use idflow_files as files;

/// The manifest for a command run on `paths`: the nearest `idflow.toml`
/// from the first path that is a directory (else from the current
/// directory) upward — the project that folder belongs to, as git finds
/// its repository: `idflow lint flows/` reads the project's manifest, not
/// one `flows/` does not have. When there is none, `idflow.toml` in that
/// folder, absent, which is fine.
pub fn manifest_path(paths: &[PathBuf]) -> PathBuf {
    let dir = paths
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let here = dir.join("idflow.toml");
    let Ok(absolute) = std::path::absolute(&dir) else {
        return here;
    };
    absolute
        .ancestors()
        .map(|folder| folder.join("idflow.toml"))
        .find(|manifest| manifest.is_file())
        .map_or(here, |found| relative_to(&dir, &absolute, found))
}

/// `found`, an `idflow.toml` in `absolute` (the absolute form of `dir`) or
/// above it, written from `dir` as the user wrote it, so messages name
/// `examples/idflow.toml` rather than a long absolute path.
fn relative_to(dir: &Path, absolute: &Path, found: PathBuf) -> PathBuf {
    let Some(folder) = found.parent() else {
        return found;
    };
    let Ok(below) = absolute.strip_prefix(folder) else {
        return found;
    };
    let mut path = dir.to_path_buf();
    for _ in below.components() {
        path.push("..");
    }
    path.join("idflow.toml")
}

/// The largest `idflow.toml` read.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// The manifest as a TOML table; none when there is no manifest.
fn read(manifest: &Path) -> Result<Option<toml::Table>> {
    if !manifest.exists() {
        return Ok(None);
    }
    let text = idflow_files::read_text(manifest, MAX_MANIFEST_BYTES)?;
    let table = toml::from_str(&text)
        .with_context(|| format!("`{}` is not valid TOML", manifest.display()))?;
    Ok(Some(table))
}

/// The lint levels the manifest sets; every rule warns when none is set.
pub fn lint_levels(manifest: &Path) -> Result<Levels> {
    let Some(table) = read(manifest)? else {
        return Ok(Levels::new());
    };
    lint::levels_from_manifest(&table).map_err(|e| anyhow::anyhow!("`{}`: {e}", manifest.display()))
}

/// Where a secret's value comes from: never the manifest itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable.
    Env(String),
    /// A file, whose content (trimmed) is the secret.
    File(PathBuf),
}

/// Where a secret is, from `{ env = "VAR" }` or `{ file = "path" }` (a
/// path relative to the manifest's folder); `at` names the key.
fn secret_source(value: &toml::Value, here: &Path, at: &str) -> Result<SecretSource> {
    match value.as_table().map(|t| (t.get("env"), t.get("file"))) {
        Some((Some(toml::Value::String(var)), None)) => Ok(SecretSource::Env(var.clone())),
        Some((None, Some(toml::Value::String(file)))) => Ok(SecretSource::File(here.join(file))),
        _ => bail!(
            "{at}: a secret is never written in idflow.toml; say where it is: {{ env = \"VARIABLE\" }} or {{ file = \"path\" }}"
        ),
    }
}

impl SecretSource {
    /// The secret's value; `name` is what the error calls it. An empty or
    /// whitespace-only value is refused: a hook secret of `""` would let
    /// in a delivery with no `Authorization` header at all, an HMAC key of
    /// `""` a body anyone can sign.
    pub fn resolve(&self, name: &str) -> Result<String> {
        let value = match self {
            SecretSource::Env(var) => std::env::var(var)
                .with_context(|| format!("{name}: the environment variable `{var}` is not set"))?,
            SecretSource::File(path) => {
                let bytes = files::read_regular(path, MAX_SECRET_BYTES)
                    .with_context(|| format!("{name}: cannot read the secret file"))?;
                String::from_utf8(bytes)
                    .with_context(|| format!("{name}: `{}` is not UTF-8 text", path.display()))?
                    .trim()
                    .to_owned()
            }
        };
        if value.trim().is_empty() {
            bail!("{name}: {self} is empty; a secret must have a value");
        }
        Ok(value)
    }
}

impl std::fmt::Display for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::Env(var) => write!(f, "the environment variable `{var}`"),
            SecretSource::File(path) => write!(f, "the file `{}`", path.display()),
        }
    }
}

/// The largest secret file read: a key or a PEM, never megabytes.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// The `[connections.NAME]` tables of the manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connections {
    /// `base_url = "…"`, by connector.
    pub base_urls: std::collections::BTreeMap<String, String>,
    /// `[connections.NAME.settings] KEY = "value"`: values of `env("KEY")`.
    pub settings: std::collections::BTreeMap<String, String>,
    /// `[connections.NAME.secrets] KEY = { env = "VAR" }` or `{ file = "path" }`.
    pub secrets: std::collections::BTreeMap<String, SecretSource>,
}

/// Reads the connections of the manifest; absent is fine. A secret written
/// inline is refused.
pub fn connections(manifest: &Path) -> Result<Connections> {
    let mut connections = Connections::default();
    let Some(table) = read(manifest)? else {
        return Ok(connections);
    };
    let Some(all) = table.get("connections") else {
        return Ok(connections);
    };
    let here = manifest.parent().unwrap_or_else(|| Path::new("."));
    let Some(all) = all.as_table() else {
        bail!(
            "`{}`: `connections` must be a table of connectors",
            manifest.display()
        );
    };
    for (connector, entry) in all {
        let at = |key: &str| format!("`{}`: connections.{connector}.{key}", manifest.display());
        let Some(entry) = entry.as_table() else {
            bail!("{} must be a table", at(""));
        };
        for (key, value) in entry {
            match (key.as_str(), value) {
                ("base_url", toml::Value::String(url)) => {
                    connections.base_urls.insert(connector.clone(), url.clone());
                }
                ("settings", toml::Value::Table(settings)) => {
                    for (name, value) in settings {
                        // `SMTP_PORT = 2525` reads as naturally as text.
                        let value = match value {
                            toml::Value::String(text) => text.clone(),
                            toml::Value::Integer(_)
                            | toml::Value::Float(_)
                            | toml::Value::Boolean(_) => value.to_string(),
                            _ => bail!(
                                "{} must be text or a number",
                                at(&format!("settings.{name}"))
                            ),
                        };
                        connections.settings.insert(name.clone(), value);
                    }
                }
                ("secrets", toml::Value::Table(secrets)) => {
                    for (name, value) in secrets {
                        let source = secret_source(value, here, &at(&format!("secrets.{name}")))?;
                        connections.secrets.insert(name.clone(), source);
                    }
                }
                _ => bail!(
                    "{}: expected `base_url = \"…\"`, a `settings` table or a `secrets` table",
                    at(key)
                ),
            }
        }
    }
    Ok(connections)
}

/// The settings and secrets the plan's HTTP connectors need, from the
/// manifest's connections, else from environment variables of the same
/// names.
pub fn settings(
    plan: &idflow_compiler::plan::Plan,
    connections: &Connections,
) -> Result<idflow_runtime::http::Settings> {
    let (values, secrets) = idflow_runtime::http::Settings::needed(plan);
    let mut settings = idflow_runtime::http::Settings {
        base_urls: connections.base_urls.clone(),
        ..idflow_runtime::http::Settings::default()
    };
    for name in values {
        let value = connections
            .settings
            .get(&name)
            .cloned()
            .or_else(|| std::env::var(&name).ok());
        if let Some(value) = value {
            settings.values.insert(name, value);
        }
    }
    for name in secrets {
        let source = match connections.secrets.get(&name) {
            Some(source) => Some(source.clone()),
            // Not in the manifest: the environment variable of its name, if set.
            None => std::env::var_os(&name).map(|_| SecretSource::Env(name.clone())),
        };
        let value = source
            .map(|source| source.resolve(&format!("secret `{name}`")))
            .transpose()?;
        if let Some(value) = value {
            settings.secrets.insert(name, value);
        }
    }
    Ok(settings)
}

/// The config values the manifest sets: `[config]`, then, for `--env NAME`,
/// `[env.NAME.config]` over it. Values are checked against each config's
/// type when the plan is built.
pub fn config_overrides(
    manifest: &Path,
    env: Option<&str>,
) -> Result<std::collections::BTreeMap<String, serde_json::Value>> {
    let mut values = std::collections::BTreeMap::new();
    let Some(table) = read(manifest)? else {
        if let Some(env) = env {
            bail!("--env {env}: there is no `{}`", manifest.display());
        }
        return Ok(values);
    };
    let mut take = |section: Option<&toml::Value>, name: &str| -> Result<()> {
        let Some(section) = section else {
            return Ok(());
        };
        let Some(section) = section.as_table() else {
            bail!(
                "`{}`: `{name}` must be a table of config = value",
                manifest.display()
            );
        };
        for (key, value) in section {
            values.insert(key.clone(), serde_json::to_value(value)?);
        }
        Ok(())
    };
    take(table.get("config"), "config")?;
    if let Some(env) = env {
        let section = table.get("env").and_then(|e| e.get(env));
        if section.is_none() {
            let known: Vec<String> = table
                .get("env")
                .and_then(|e| e.as_table())
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default();
            bail!(
                "`{}` has no [env.{env}] section; environments: {}",
                manifest.display(),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
        }
        take(
            section.and_then(|s| s.get("config")),
            &format!("env.{env}.config"),
        )?;
    }
    Ok(values)
}

/// The values of `Secret` configs: the entries of `[config]` (then of
/// `[env.NAME.config]` over them) written `{ env = "VAR" }` or
/// `{ file = "path" }`, each read where it says — set, not empty.
pub fn secret_configs(
    manifest: &Path,
    env: Option<&str>,
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut values = std::collections::BTreeMap::new();
    let Some(table) = read(manifest)? else {
        return Ok(values);
    };
    let here = manifest.parent().unwrap_or_else(|| Path::new("."));
    let mut sections = vec![("config".to_owned(), table.get("config"))];
    if let Some(env) = env {
        let entries = table.get("env").and_then(|e| e.get(env)?.get("config"));
        sections.push((format!("env.{env}.config"), entries));
    }
    for (section, entries) in sections {
        for (name, value) in entries
            .and_then(toml::Value::as_table)
            .into_iter()
            .flatten()
        {
            if !value.is_table() {
                continue;
            }
            let at = format!("`{}`: {section}.{name}", manifest.display());
            let source = secret_source(value, here, &at)?;
            values.insert(name.clone(), source.resolve(&at)?);
        }
    }
    Ok(values)
}

/// Config values by environment, as the manifest writes them: `""` for
/// `[config]`, then each `[env.NAME.config]` on its own.
pub fn environments(
    manifest: &Path,
) -> Result<std::collections::BTreeMap<String, std::collections::BTreeMap<String, serde_json::Value>>>
{
    let mut environments = std::collections::BTreeMap::new();
    let Some(table) = read(manifest)? else {
        return Ok(environments);
    };
    let values = |section: Option<&toml::Value>| -> Result<_> {
        let mut values = std::collections::BTreeMap::new();
        for (key, value) in section
            .and_then(toml::Value::as_table)
            .into_iter()
            .flatten()
        {
            values.insert(key.clone(), serde_json::to_value(value)?);
        }
        Ok(values)
    };
    environments.insert(String::new(), values(table.get("config"))?);
    for (env, section) in table
        .get("env")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
    {
        environments.insert(env.clone(), values(section.get("config"))?);
    }
    environments.retain(|_, values| !values.is_empty());
    Ok(environments)
}

/// The `[serve]` section of the manifest: how `idflow serve` runs.
///
/// ```toml
/// [serve]
/// listen = "127.0.0.1:8787"
/// workers = 8
/// queue_limit = 10000
///
/// [serve.okta_hook]
/// path = "/hooks/okta"
/// secret = { env = "OKTA_HOOK_AUTHORIZATION" }
///
/// [serve.okta_poller]
/// interval_seconds = 60
///
/// [serve.webhooks."/hooks/hr-feed"]
/// secret = { env = "HR_FEED_HMAC_KEY" }
/// signature_header = "X-Signature-256"
/// ```
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeSection {
    listen: Option<std::net::SocketAddr>,
    /// Read by [`serve_store`]; declared so `deny_unknown_fields` takes it.
    #[serde(rename = "store")]
    _store: Option<PathBuf>,
    workers: Option<usize>,
    queue_limit: Option<u64>,
    max_body_bytes: Option<usize>,
    drain_seconds: Option<u64>,
    connector_timeout_seconds: Option<u64>,
    keep_events_days: Option<u64>,
    request_timeout_seconds: Option<u64>,
    okta_hook: Option<OktaHookSection>,
    okta_poller: Option<PollerSection>,
    #[serde(default)]
    webhooks: std::collections::BTreeMap<String, WebhookSection>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OktaHookSection {
    path: Option<String>,
    secret: Option<toml::Value>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PollerSection {
    interval_seconds: Option<u64>,
    since: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookSection {
    secret: Option<toml::Value>,
    signature_header: Option<String>,
    token: Option<toml::Value>,
    token_header: Option<String>,
}

/// The key that seals the audit log, from `[audit] key = { env = "VAR" }`
/// or `{ file = "path" }` (never the store, never the manifest); none when
/// the manifest sets none. A key that is set but empty, or whose variable
/// or file is missing, is an error: writing unsealed records after sealed
/// ones would look like a forgery.
pub fn audit_key(manifest: &Path) -> Result<Option<idflow_runtime::audit::AuditKey>> {
    let Some(audit) = read(manifest)?.and_then(|t| t.get("audit").cloned()) else {
        return Ok(None);
    };
    let Some(table) = audit.as_table() else {
        bail!("`{}`: [audit] must be a table", manifest.display());
    };
    if let Some(unknown) = table.keys().find(|k| *k != "key") {
        bail!(
            "`{}`: audit.{unknown}: [audit] takes `key` only",
            manifest.display()
        );
    }
    let Some(key) = table.get("key") else {
        return Ok(None);
    };
    let here = manifest.parent().unwrap_or_else(|| Path::new("."));
    let name = format!("`{}`: audit.key", manifest.display());
    let value = secret_source(key, here, &name)?.resolve(&name)?;
    Ok(idflow_runtime::audit::AuditKey::new(value.into_bytes()))
}

/// The store `[serve] store = "…"` names (relative to the manifest's
/// folder), if the manifest sets one; nothing else of `[serve]` is read, so
/// no secret needs to be set to find the store.
pub fn serve_store(manifest: &Path) -> Result<Option<PathBuf>> {
    let Some(serve) = read(manifest)?.and_then(|t| t.get("serve").cloned()) else {
        return Ok(None);
    };
    match serve.get("store") {
        None => Ok(None),
        Some(toml::Value::String(path)) => {
            let here = manifest.parent().unwrap_or_else(|| Path::new("."));
            Ok(Some(here.join(path)))
        }
        Some(_) => bail!("`{}`: serve.store must be a path", manifest.display()),
    }
}

/// What `[serve]` says: the service's options, secrets resolved. (Its
/// `store` is read by [`serve_store`].)
pub fn serve_options(manifest: &Path) -> Result<idflow_runtime::serve::Options> {
    use idflow_runtime::serve::{Options, PollerOptions, WebhookAuth};
    use std::time::Duration;
    let section: ServeSection = match read(manifest)?.and_then(|t| t.get("serve").cloned()) {
        Some(value) => value
            .try_into()
            .with_context(|| format!("`{}`: [serve]", manifest.display()))?,
        None => ServeSection::default(),
    };
    let here = manifest.parent().unwrap_or_else(|| Path::new("."));
    let at = |key: &str| format!("`{}`: serve.{key}", manifest.display());
    let mut options = Options::default();
    if let Some(listen) = section.listen {
        options.listen = listen;
    }
    options.workers = section.workers.unwrap_or(options.workers);
    options.queue_limit = section.queue_limit.unwrap_or(options.queue_limit);
    options.max_body_bytes = section.max_body_bytes.unwrap_or(options.max_body_bytes);
    if let Some(seconds) = section.drain_seconds {
        options.drain = Duration::from_secs(seconds);
    }
    if let Some(seconds) = section.connector_timeout_seconds {
        options.connector_timeout = Duration::from_secs(seconds);
    }
    if let Some(seconds) = section.request_timeout_seconds {
        options.request_timeout = Duration::from_secs(seconds.max(1));
    }
    if let Some(days) = section.keep_events_days {
        options.keep_events = Duration::from_secs(days.saturating_mul(86_400));
    }
    if let Some(hook) = section.okta_hook {
        if let Some(path) = hook.path {
            options.okta_hook_path = path;
        }
        if let Some(secret) = hook.secret {
            let name = at("okta_hook.secret");
            options.okta_hook_secret = Some(secret_source(&secret, here, &name)?.resolve(&name)?);
        }
    }
    if let Some(poller) = section.okta_poller {
        options.poller = Some(PollerOptions {
            interval: Duration::from_secs(poller.interval_seconds.unwrap_or(60).max(1)),
            since: poller.since,
        });
    }
    for (path, hook) in section.webhooks {
        let name = at(&format!("webhooks.\"{path}\".secret"));
        let secret = match &hook.secret {
            Some(value) => Some(secret_source(value, here, &name)?.resolve(&name)?),
            None => None,
        };
        let token_name = at(&format!("webhooks.\"{path}\".token"));
        let token = match &hook.token {
            Some(value) => Some(secret_source(value, here, &token_name)?.resolve(&token_name)?),
            None => None,
        };
        options.webhooks.insert(
            path,
            WebhookAuth {
                secret,
                signature_header: hook
                    .signature_header
                    .unwrap_or_else(|| "X-Signature-256".to_owned()),
                token,
                token_header: hook.token_header,
            },
        );
    }
    Ok(options)
}
