//! Hot reload: the service watches the project's files; when they change it
//! compiles the project again and, if it compiles, deploys the new plan for
//! new runs — atomically, runs under way keep the plan they started on. A
//! project that no longer compiles leaves the previous plan serving, and
//! its diagnostics are logged.

use std::sync::Arc;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::Service;
use super::deployment::deploy;

/// How long to wait for more changes before reloading: an editor's save
/// is often several file events.
const SETTLE: Duration = Duration::from_millis(300);

/// Watches the project while the returned watcher lives (none when the
/// options say not to, or when watching is not possible: logged).
pub fn watch(service: Arc<Service>) -> Option<RecommendedWatcher> {
    if !service.options.watch {
        return None;
    }
    let (changed, mut changes) = tokio::sync::mpsc::unbounded_channel::<()>();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.kind.is_access()
            && event.paths.iter().any(|p| relevant(p))
        {
            let _ = changed.send(());
        }
    });
    let mut watcher = match watcher {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!(%error, "cannot watch the project; reload by restarting");
            return None;
        }
    };
    for path in service.project.watched() {
        let mode = if path.is_dir() {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        if let Err(error) = watcher.watch(&path, mode) {
            tracing::warn!(path = %path.display(), %error, "cannot watch");
        }
    }
    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            tokio::time::sleep(SETTLE).await;
            while changes.try_recv().is_ok() {}
            reload(&service).await;
        }
    });
    Some(watcher)
}

/// Whether a changed file is part of the project.
fn relevant(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "flow")
        || path.file_name().is_some_and(|n| n == "idflow.toml")
}

/// Compiles the project again and deploys the result if it compiles.
pub async fn reload(service: &Arc<Service>) {
    let project = Arc::clone(&service.project);
    let compiled = tokio::task::spawn_blocking(move || project.compile()).await;
    let plan = match compiled {
        Ok(Ok(plan)) => plan,
        Ok(Err(diagnostics)) => {
            tracing::error!(
                %diagnostics,
                plan = %service.deployments.current().id,
                "the project no longer compiles; the previous plan keeps serving"
            );
            return;
        }
        Err(error) => {
            tracing::error!(%error, "compiling the project failed");
            return;
        }
    };
    match deploy(
        plan,
        service.project.as_ref(),
        &service.store,
        &service.options,
    )
    .await
    {
        Ok(deployment) if deployment.id == service.deployments.current().id => {}
        Ok(deployment) => {
            let id = deployment.id.clone();
            service.deployments.switch(deployment);
            service.replanned.notify_waiters();
            tracing::info!(plan = %id, "project reloaded: new runs use the new plan");
        }
        Err(error) => {
            tracing::error!(%error, "deploying the new plan failed; the previous plan keeps serving")
        }
    }
}
