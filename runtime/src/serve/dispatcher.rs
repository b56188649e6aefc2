//! The dispatcher: takes queued events, oldest first, matches each against
//! the current plan's triggers, and creates the runs it fires — in the same
//! transaction that takes it off the queue.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use idflow_compiler::jit::extract::Slot;

use super::deployment::Deployment;
use super::{Service, blocking};
use crate::fires::{Firing, fires};
use crate::store::{NewEvent, NewRun};

/// How many events one transaction dispatches.
const BATCH: usize = 256;

/// Where schedule firings come from.
pub const SCHEDULE: &str = "schedule";

/// The source of generic webhook deliveries to `path`.
pub fn webhook_source(path: &str) -> String {
    format!("webhook:{path}")
}

/// How often old events are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

/// Dispatches until the service stops; prunes old events now and then.
pub async fn run(service: Arc<Service>) {
    let mut slots = Vec::new();
    let mut pruned: Option<std::time::Instant> = None;
    while !service.is_stopping() {
        if pruned.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            prune(&service).await;
            pruned = Some(std::time::Instant::now());
        }
        let notified = service.queued.notified();
        match dispatch_some(&service, &mut slots).await {
            Ok(0) => {
                // Nothing queued: sleep until intake says otherwise (or a
                // second passes, for events another process queued).
                tokio::select! {
                    () = notified => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = service.stopped() => {}
                }
            }
            Ok(_) => service.runnable.notify_waiters(),
            Err(error) => {
                tracing::error!(%error, "dispatching failed; retrying in a second");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Forgets the dispatched events older than the retention no run needs.
async fn prune(service: &Arc<Service>) {
    let keep = i64::try_from(service.options.keep_events.as_millis()).unwrap_or(i64::MAX);
    let before = crate::event::now_ms().saturating_sub(keep);
    match blocking(&service.store, move |s| s.prune_events(before)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(events = n, "old events pruned"),
        Err(error) => tracing::warn!(%error, "pruning old events failed"),
    }
}

/// Dispatches one batch; how many events it took.
async fn dispatch_some(service: &Arc<Service>, slots: &mut Vec<Slot>) -> Result<usize, String> {
    let events = blocking(&service.store, |s| s.next_events(BATCH))
        .await
        .map_err(|e| e.to_string())?;
    if events.is_empty() {
        return Ok(0);
    }
    let deployment = service.deployments.current();
    deployment.matcher.set_now(crate::event::now_ms());
    let batch: Vec<(i64, Vec<NewRun>)> = events
        .iter()
        .map(|queued| (queued.seq, runs_for(&deployment, &queued.event, slots)))
        .collect();
    let fired: usize = batch.iter().map(|(_, runs)| runs.len()).sum();
    let now = crate::event::now_ms();
    let unfinished = blocking(&service.store, move |s| {
        s.dispatch(&batch, now)?;
        s.unfinished_runs()
    })
    .await
    .map_err(|e| e.to_string())?;
    service.note_unfinished_runs(unfinished);
    let taken = events.len();
    let depth = service
        .queue_depth
        .fetch_sub(taken as u64, Ordering::SeqCst)
        .saturating_sub(taken as u64);
    service
        .metrics
        .queue_depth
        .set(i64::try_from(depth).unwrap_or(i64::MAX));
    tracing::debug!(events = taken, runs = fired, "dispatched");
    Ok(taken)
}

/// The runs an event fires on a deployment.
pub fn runs_for(deployment: &Deployment, event: &NewEvent, slots: &mut Vec<Slot>) -> Vec<NewRun> {
    let plan = &deployment.plan;
    let firing = if event.source == SCHEDULE {
        Firing::Schedule {
            flow: &event.event_type,
        }
    } else if event.source == super::spawn::SOURCE {
        Firing::Spawn {
            flow: &event.event_type,
        }
    } else if let Some(path) = event.source.strip_prefix("webhook:") {
        Firing::Webhook {
            path,
            body: &event.body,
            types: &deployment.types,
        }
    } else {
        Firing::Event {
            connector: &event.connector,
            body: &event.body,
        }
    };
    let flows = match fires(plan, &deployment.matcher, firing, slots) {
        Ok(flows) => flows,
        Err(refusal) => {
            // Checked at intake; a reload since may have changed the type.
            tracing::warn!(source = %event.source, key = %event.key, %refusal, "an event accepted earlier fires nothing now");
            Vec::new()
        }
    };
    flows
        .into_iter()
        .filter_map(|f| plan.flows.get(f))
        .map(|flow| NewRun {
            flow: flow.name.clone(),
            version: flow.hash.clone(),
            plan_id: deployment.id.clone(),
        })
        .collect()
}
