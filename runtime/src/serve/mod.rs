//! `idflow serve`: the long-running service.
//!
//! Events come in ([`intake`]: Okta Event Hooks and generic webhooks over
//! HTTP; [`poller`]: Okta's System Log; [`schedule`]: cron firings) and are
//! queued in the [`Store`] before anything acknowledges them. The
//! [`dispatcher`] matches each queued event against the deployed plan's
//! triggers and creates its runs, in the same transaction that takes it off
//! the queue. [`worker`]s claim runs and execute them durably — replaying
//! each run's journal, so a run resumed after a crash never sends an action
//! twice, and a `wait` is a row with a due time, not a sleeping task.
//! [`reload`] swaps in a new plan when the project changes; runs keep the
//! plan they started with ([`deployment`]).

pub mod deployment;
pub mod dispatcher;
pub mod durable;
pub mod intake;
pub mod metrics;
pub mod poller;
pub mod reload;
pub mod schedule;
pub mod spawn;
pub mod worker;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use idflow_compiler::plan::Plan;
use thiserror::Error;
use tokio::sync::{Notify, watch};

use crate::http::Settings;
use crate::store::{Enqueued, Store, StoreError};
use deployment::Deployments;
use metrics::Metrics;

/// How the service runs: what `[serve]` in `idflow.toml` and the command
/// line say. (Not `Debug`: it holds secrets, which must never be printed.)
#[derive(Clone)]
pub struct Options {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The Okta Event Hook endpoint's path.
    pub okta_hook_path: String,
    /// The `Authorization` value Okta sends: without one, every delivery is
    /// refused.
    pub okta_hook_secret: Option<String>,
    /// How each generic webhook path checks its deliveries.
    pub webhooks: BTreeMap<String, WebhookAuth>,
    /// The Okta System Log poller, when enabled.
    pub poller: Option<PollerOptions>,
    /// How many runs execute at once.
    pub workers: usize,
    /// How much admitted work may be unfinished before intake answers 429
    /// with `Retry-After`: events not yet dispatched plus runs pending or
    /// running (waiting runs excluded).
    pub queue_limit: u64,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long one request may take, body included: a client that sends
    /// slowly gets 408 rather than holding a connection open.
    pub request_timeout: Duration,
    /// How long SIGTERM waits for runs under way.
    pub drain: Duration,
    /// The timeout of each request a connector sends.
    pub connector_timeout: Duration,
    /// Whether to watch the project and reload it when it changes.
    pub watch: bool,
    /// How long dispatched events are kept: they answer `wait for`, and
    /// recognise redeliveries (one arriving later would run again).
    pub keep_events: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            okta_hook_path: "/hooks/okta".to_owned(),
            okta_hook_secret: None,
            webhooks: BTreeMap::new(),
            poller: None,
            workers: 8,
            queue_limit: 10_000,
            max_body_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            drain: Duration::from_secs(30),
            connector_timeout: Duration::from_secs(30),
            watch: true,
            keep_events: Duration::from_secs(30 * 86_400),
        }
    }
}

impl Options {
    /// Refuses options that would open a door: an empty or whitespace-only
    /// hook secret (a delivery without `Authorization` would match it) or
    /// webhook key (anyone can sign with the empty key), a queue limit of
    /// zero. Misconfiguration stops the start, naming the setting.
    pub fn validate(&self) -> Result<(), ServeError> {
        let blank =
            |secret: &Option<String>| secret.as_deref().is_some_and(|s| s.trim().is_empty());
        if blank(&self.okta_hook_secret) {
            return Err(ServeError::Setup(
                "serve.okta_hook.secret is empty; a secret must have a value".to_owned(),
            ));
        }
        for (path, auth) in &self.webhooks {
            if blank(&auth.secret) {
                return Err(ServeError::Setup(format!(
                    "serve.webhooks.\"{path}\".secret is empty; a key must have a value"
                )));
            }
            if blank(&auth.token) {
                return Err(ServeError::Setup(format!(
                    "serve.webhooks.\"{path}\".token is empty; a token must have a value"
                )));
            }
        }
        if self.queue_limit == 0 {
            return Err(ServeError::Setup(
                "serve.queue_limit is 0: every event would be refused".to_owned(),
            ));
        }
        Ok(())
    }
}

/// How a generic webhook authenticates its deliveries (not `Debug`: it
/// holds a secret).
#[derive(Clone, Default)]
pub struct WebhookAuth {
    /// The HMAC-SHA256 key; deliveries without a valid signature are
    /// refused. None: deliveries are not signed.
    pub secret: Option<String>,
    /// The header carrying the signature: lower-case hex, optionally
    /// prefixed `sha256=`.
    pub signature_header: String,
    /// A token deliveries must carry; none: no token is asked for.
    pub token: Option<String>,
    /// Where the token is: in this header, whole (an API key such as
    /// `X-Api-Key`); none: `Authorization: Bearer TOKEN`.
    pub token_header: Option<String>,
}

/// The Okta System Log poller's settings.
#[derive(Clone, Debug)]
pub struct PollerOptions {
    /// How long between polls.
    pub interval: Duration,
    /// Where the first poll starts (RFC 3339) when no cursor is stored;
    /// now, when absent.
    pub since: Option<String>,
}

/// What the service needs of the project on disk; the CLI provides it.
pub trait Project: Send + Sync + 'static {
    /// Compiles the project: its plan, or its diagnostics rendered as text.
    fn compile(&self) -> Result<Plan, String>;
    /// The connection settings (secrets resolved) a plan's connectors need.
    fn settings(&self, plan: &Plan) -> Result<Settings, String>;
    /// The files and folders whose changes trigger a reload.
    fn watched(&self) -> Vec<PathBuf>;
    /// Who the flows come from, for the audit log's `version` records.
    fn provenance(&self) -> crate::audit::Provenance {
        crate::audit::Provenance::default()
    }
}

/// Why the service could not start or went down.
#[derive(Debug, Error)]
pub enum ServeError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The project does not compile (at start-up).
    #[error("the project does not compile:\n{0}")]
    Compile(String),
    /// The service could not be set up.
    #[error("{0}")]
    Setup(String),
}

/// What every part of the service shares.
pub struct Service {
    /// The options it runs with.
    pub options: Options,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The project on disk.
    pub project: Arc<dyn Project>,
    /// The deployed plans: the current one and those runs still use.
    pub deployments: Deployments,
    /// The metrics.
    pub metrics: Metrics,
    /// Events waiting in the queue (mirrors the store's count).
    pub queue_depth: AtomicU64,
    /// Runs pending or running: the store's count, read again at each
    /// dispatch and when the workers are idle, less the runs ended since.
    pub unfinished_runs: AtomicU64,
    /// Wakes the dispatcher: events were queued.
    pub queued: Notify,
    /// Wakes the workers: runs were created or became due.
    pub runnable: Notify,
    /// Wakes the scheduler: the plan changed.
    pub replanned: Notify,
    /// Set once SIGTERM arrives.
    pub stopping: AtomicBool,
    /// Events admitted by intake and still being committed.
    reserved: std::sync::Mutex<u64>,
    /// The unknown Okta event types already logged.
    unknown_types: std::sync::Mutex<std::collections::HashSet<String>>,
    stop: watch::Sender<bool>,
}

/// Room in the intake limit, reserved for a delivery while it commits.
pub struct Admission<'s> {
    service: &'s Service,
    events: u64,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        let mut reserved = self
            .service
            .reserved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *reserved = reserved.saturating_sub(self.events);
    }
}

/// The types of Okta `events` missing from the bundled catalogue, for
/// [`Service::note_unknown_type`] once they are queued.
pub fn unknown_types(events: &[crate::store::NewEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| !idflow_compiler::stdlib::is_okta_event_type(&e.event_type))
        .map(|e| e.event_type.clone())
        .collect()
}

/// How many unknown Okta event types are logged by name, at most.
pub const MAX_UNKNOWN_TYPES_LOGGED: usize = 1_000;

impl Service {
    /// Whether the service is shutting down.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Resolves once the service is shutting down.
    pub async fn stopped(&self) {
        let mut stop = self.stop.subscribe();
        let _ = stop.wait_for(|s| *s).await;
    }

    /// Accounts for events just queued from `source`: the queue depth, the
    /// metrics, and the dispatcher, woken.
    pub fn note_queued(&self, source: &str, done: Enqueued) {
        let depth = self.queue_depth.fetch_add(done.queued, Ordering::SeqCst) + done.queued;
        self.metrics
            .queue_depth
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
        let label = metrics::Source {
            source: source.to_owned(),
        };
        self.metrics
            .events_received
            .get_or_create(&label)
            .inc_by(done.queued);
        if done.duplicates > 0 {
            self.metrics
                .events_duplicate
                .get_or_create(&label)
                .inc_by(done.duplicates);
            tracing::info!(
                source,
                duplicates = done.duplicates,
                "events received again were not queued twice"
            );
        }
        if done.queued > 0 {
            self.queued.notify_one();
        }
    }

    /// Accounts for an Okta event whose type the bundled catalogue lacks:
    /// counted, and logged the first time the type is seen (at most
    /// [`MAX_UNKNOWN_TYPES_LOGGED`] types, so a sender cannot grow the set
    /// without bound).
    pub fn note_unknown_type(&self, event_type: &str) {
        self.metrics.events_unknown_type.inc();
        // Remembered (and logged) by its first 128 characters: the set's
        // memory stays bounded whatever the sender writes.
        let name: String = event_type.chars().take(128).collect();
        let mut seen = self
            .unknown_types
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() < MAX_UNKNOWN_TYPES_LOGGED && seen.insert(name.clone()) {
            // A field, quoted and escaped: the sender's text never shapes
            // a log line.
            tracing::warn!(
                event_type = ?name,
                "an Okta event type missing from the bundled catalogue was queued; the flows that name it with okta.event(…) receive it"
            );
        }
    }

    /// What intake's limit counts: events not yet dispatched plus runs not
    /// yet finished.
    pub fn backlog(&self) -> u64 {
        self.queue_depth
            .load(Ordering::SeqCst)
            .saturating_add(self.unfinished_runs.load(Ordering::SeqCst))
    }

    /// Admits `events` more events if the backlog, with what other
    /// deliveries have been admitted and are still committing, stays within
    /// `queue_limit`: the check and the reservation are one step, so
    /// concurrent deliveries cannot all pass a limit only one had room
    /// under. The reservation lasts while the [`Admission`] lives; drop it
    /// once the events are counted in the queue depth. The backlog, when
    /// there is no room.
    pub fn admit(&self, events: u64) -> Result<Admission<'_>, u64> {
        let mut reserved = self
            .reserved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let backlog = self.backlog().saturating_add(*reserved);
        if backlog.saturating_add(events) > self.options.queue_limit {
            return Err(backlog);
        }
        *reserved += events;
        Ok(Admission {
            service: self,
            events,
        })
    }

    /// Accounts for a run that ended or parked on a wait. (A woken wait
    /// was not counted when it became runnable: the count is read from the
    /// store again at each dispatch and whenever the workers are idle.)
    pub fn note_run_ended(&self) {
        let before = self
            .unfinished_runs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(0);
        self.metrics
            .unfinished_runs
            .set(i64::try_from(before.saturating_sub(1)).unwrap_or(i64::MAX));
    }

    /// Records the store's count of unfinished runs.
    pub fn note_unfinished_runs(&self, runs: u64) {
        self.unfinished_runs.store(runs, Ordering::SeqCst);
        self.metrics
            .unfinished_runs
            .set(i64::try_from(runs).unwrap_or(i64::MAX));
    }

    /// Begins the shutdown: intake refuses, workers take no new run.
    pub fn begin_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = self.stop.send(true);
        self.runnable.notify_waiters();
        self.queued.notify_waiters();
    }
}

/// Runs `work` on the store off the async threads.
pub async fn blocking<T: Send + 'static>(
    store: &Arc<dyn Store>,
    work: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || work(store.as_ref()))
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
}

/// Runs the service until SIGTERM or SIGINT (or `shutdown` resolves), then
/// drains. `bound` is told the address listened on, once it is.
pub async fn serve(
    options: Options,
    project: Arc<dyn Project>,
    store: Arc<dyn Store>,
    bound: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> Result<(), ServeError> {
    options.validate()?;
    let plan = project.compile().map_err(ServeError::Compile)?;
    let deployments = Deployments::start(plan, project.as_ref(), &store, &options).await?;
    if options.poller.is_some() {
        poller::check(&deployments.current()).map_err(|e| ServeError::Setup(e.to_string()))?;
    }
    let resumed = blocking(&store, |s| s.recover()).await?;
    let depth = blocking(&store, |s| s.queue_depth()).await?;
    let unfinished = blocking(&store, |s| s.unfinished_runs()).await?;
    let (stop, _) = watch::channel(false);
    let service = Arc::new(Service {
        metrics: Metrics::new(),
        options,
        store,
        project,
        deployments,
        queue_depth: AtomicU64::new(depth),
        unfinished_runs: AtomicU64::new(0),
        queued: Notify::new(),
        runnable: Notify::new(),
        replanned: Notify::new(),
        stopping: AtomicBool::new(false),
        reserved: std::sync::Mutex::new(0),
        unknown_types: std::sync::Mutex::default(),
        stop,
    });
    service
        .metrics
        .queue_depth
        .set(i64::try_from(depth).unwrap_or(i64::MAX));
    service.note_unfinished_runs(unfinished);
    tracing::info!(
        plan = %service.deployments.current().id,
        resumed,
        queued = depth,
        "idflow serve starting"
    );
    let listener = tokio::net::TcpListener::bind(service.options.listen)
        .await
        .map_err(|e| {
            ServeError::Setup(format!("cannot listen on {}: {e}", service.options.listen))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| ServeError::Setup(e.to_string()))?;
    // Watch before answering: once `/readyz` says ready, a change to the
    // project is seen.
    let reloader = reload::watch(Arc::clone(&service));
    let http = tokio::spawn(intake::serve_http(Arc::clone(&service), listener));
    let dispatcher = tokio::spawn(dispatcher::run(Arc::clone(&service)));
    let workers = tokio::spawn(worker::run(Arc::clone(&service)));
    let scheduler = tokio::spawn(schedule::run(Arc::clone(&service)));
    let poller = tokio::spawn(poller::run(Arc::clone(&service)));
    tracing::info!(%address, "listening");
    if service.options.okta_hook_secret.is_none() {
        tracing::warn!(
            path = %service.options.okta_hook_path,
            "no Okta hook secret is configured ([serve.okta_hook] secret): the endpoint refuses every delivery"
        );
    }
    for path in service.deployments.current().webhooks.keys() {
        let signed = service
            .options
            .webhooks
            .get(path)
            .is_some_and(|w| w.secret.is_some() || w.token.is_some());
        if !signed {
            tracing::warn!(
                %path,
                "this webhook has no secret nor token ([serve.webhooks.\"PATH\"] secret or token): anyone who can reach it can fire its flows"
            );
        }
    }
    if let Some(bound) = bound {
        let _ = bound.send(address);
    }
    shutdown_signal().await;
    tracing::info!(
        drain_seconds = service.options.drain.as_secs(),
        "shutting down: draining runs under way"
    );
    service.begin_stop();
    drop(reloader);
    let _ = http.await;
    let _ = dispatcher.await;
    let _ = scheduler.await;
    let _ = poller.await;
    let _ = workers.await;
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
