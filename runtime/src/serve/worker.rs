//! The workers: claim runnable runs (new ones, ones a crash interrupted,
//! waiting ones now due) and execute them on the plan they started with,
//! replaying their journals. At most `workers` runs execute at once. Once
//! the service stops, no run is claimed, and those under way get the drain
//! deadline to finish; any still running then is resumed at the next start.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::durable::StoreJournal;
use super::{Service, blocking};
use crate::event::now_ms;
use crate::executor::{Executor, RunReport, RunStatus};
use crate::store::ClaimedRun;

/// How long a worker sleeps at most before it looks for due runs again (a
/// run retried by `idflow runs retry` from another process is seen then).
const POLL: Duration = Duration::from_secs(1);

/// Claims and executes runs until the service stops; then drains.
pub async fn run(service: Arc<Service>) {
    let slots = Arc::new(Semaphore::new(service.options.workers.max(1)));
    let mut running = JoinSet::new();
    while !service.is_stopping() {
        // Reap the finished tasks: a JoinSet keeps their results otherwise.
        while running.try_join_next().is_some() {}
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let free = slots.available_permits() + 1;
        let notified = service.runnable.notified();
        let now = now_ms();
        let claimed = match blocking(&service.store, move |s| s.claim(now, free)).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::error!(%error, "claiming runs failed; retrying in a second");
                drop(slot);
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        if claimed.is_empty() {
            drop(slot);
            // Idle: the count is read again, so runs another process
            // retried, or waits that woke, are accounted for.
            if let Ok(unfinished) = blocking(&service.store, |s| s.unfinished_runs()).await {
                service.note_unfinished_runs(unfinished);
            }
            let pause = until_next_wake(&service).await;
            tokio::select! {
                () = notified => {}
                () = tokio::time::sleep(pause) => {}
                () = service.stopped() => {}
            }
            continue;
        }
        let mut slot = Some(slot);
        for run in claimed {
            let permit = match slot.take() {
                Some(permit) => permit,
                None => match Arc::clone(&slots).acquire_owned().await {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let service = Arc::clone(&service);
            running.spawn(async move {
                execute(&service, run).await;
                drop(permit);
            });
        }
    }
    drain(&service, running).await;
}

/// How long until the next waiting run is due, at most [`POLL`].
async fn until_next_wake(service: &Arc<Service>) -> Duration {
    match blocking(&service.store, |s| s.next_wake()).await {
        Ok(Some(due)) => {
            let wait = u64::try_from(due.saturating_sub(now_ms())).unwrap_or(0);
            Duration::from_millis(wait).min(POLL)
        }
        _ => POLL,
    }
}

/// Waits for the runs under way, up to the drain deadline.
async fn drain(service: &Arc<Service>, mut running: JoinSet<()>) {
    let under_way = running.len();
    if under_way == 0 {
        return;
    }
    tracing::info!(runs = under_way, "waiting for runs under way");
    let all = async { while running.join_next().await.is_some() {} };
    if tokio::time::timeout(service.options.drain, all)
        .await
        .is_err()
    {
        tracing::warn!(
            runs = running.len(),
            "the drain deadline passed; these runs resume at the next start"
        );
        running.abort_all();
    }
}

/// Executes one attempt of a run and records how it ended.
async fn execute(service: &Arc<Service>, claimed: ClaimedRun) {
    let report = match attempt(service, &claimed).await {
        Ok(report) => report,
        Err(error) => {
            tracing::error!(run = %claimed.id, flow = %claimed.flow, %error, "the run could not start");
            RunReport {
                flow: claimed.flow.clone(),
                version: String::new(),
                status: RunStatus::Failed { error },
                result: None,
                trace: Vec::new(),
                spawned: Vec::new(),
            }
        }
    };
    service.metrics.observe(&report);
    let status = match &report.status {
        RunStatus::Succeeded => "succeeded",
        RunStatus::Stopped { .. } => "stopped",
        RunStatus::Failed { .. } => "failed",
        RunStatus::Waiting { .. } => "waiting",
    };
    match &report.status {
        RunStatus::Failed { error } => {
            tracing::warn!(run = %claimed.id, flow = %claimed.flow, %error, "run failed");
        }
        _ => tracing::info!(run = %claimed.id, flow = %claimed.flow, status, "run ended"),
    }
    let now = now_ms();
    if !report.spawned.is_empty() {
        let events: Result<Vec<_>, _> = report
            .spawned
            .iter()
            .map(|s| super::spawn::event(&claimed.id, s))
            .collect();
        let queued = match events {
            Ok(events) => blocking(&service.store, move |s| s.enqueue(&events, now))
                .await
                .map_err(|e| e.to_string()),
            Err(error) => Err(format!(
                "the spawned runs' arguments cannot be written: {error}"
            )),
        };
        match queued {
            Ok(done) => service.note_queued(super::spawn::SOURCE, done),
            Err(error) => {
                // The run stays `running`: the next start resumes it, and
                // it spawns the same runs again.
                tracing::error!(run = %claimed.id, %error, "queueing the runs it spawned failed");
                return;
            }
        }
    }
    let id = claimed.id.clone();
    match blocking(&service.store, move |s| s.finish(&id, &report, now)).await {
        Ok(()) => service.note_run_ended(),
        // The run stays `running`: the next start resumes it from its journal.
        Err(error) => tracing::error!(run = %claimed.id, %error, "recording the run's end failed"),
    }
    service.runnable.notify_waiters();
}

/// Runs the flow once more from its journal.
async fn attempt(service: &Arc<Service>, claimed: &ClaimedRun) -> Result<RunReport, String> {
    let deployment = service
        .deployments
        .get(
            &claimed.plan_id,
            service.project.as_ref(),
            &service.store,
            &service.options,
        )
        .await?;
    let flow = deployment
        .plan
        .flows
        .iter()
        .find(|f| f.name == claimed.flow)
        .ok_or_else(|| format!("plan {} has no flow `{}`", claimed.plan_id, claimed.flow))?;
    let journal = StoreJournal::load(&service.store, &claimed.id, now_ms())
        .await
        .map_err(|e| e.to_string())?;
    let executor = Executor::new(
        &deployment.plan,
        &deployment.engines,
        &deployment.configs,
        deployment.redactor.clone(),
        claimed.started_ms,
        false,
    );
    let event = claimed
        .event
        .as_ref()
        .map(|event| super::spawn::run_input(flow, event));
    Ok(executor
        .run_journaled(flow, event, &claimed.event_key, &journal)
        .await)
}
