//! Deployed plans. Each compiled plan is kept in the store under its id
//! (a hash of its binary form) before any run uses it; a run records the id
//! of the plan it started on and always resumes on that one, however many
//! reloads happened since — loading it back from the store after a restart.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use idflow_compiler::jit::{Matcher, Mode};
use idflow_compiler::plan::ir::{Schema, Trigger};
use idflow_compiler::plan::value::Value;
use idflow_compiler::plan::{self, Plan};

use super::{Options, Project, ServeError, blocking};
use crate::engines::Engines;
use crate::store::Store;
use crate::trace::Redactor;

/// A plan ready to run: compiled, its triggers prepared, its connectors
/// connected.
pub struct Deployment {
    /// The plan's id: the first 16 bytes of the SHA-256 of its binary form,
    /// in hex.
    pub id: String,
    /// The plan.
    pub plan: Plan,
    /// Its trigger filters.
    pub matcher: Matcher,
    /// Its connectors.
    pub engines: Engines,
    /// Masks its secrets in traces and journals.
    pub redactor: Redactor,
    /// The values of the plan's `Secret` configs, by name.
    pub configs: BTreeMap<String, Value>,
    /// The flows each webhook path fires, by index.
    pub webhooks: BTreeMap<String, Vec<usize>>,
    /// The plan's named types, for checking webhook bodies.
    pub types: BTreeMap<String, Schema>,
}

impl Deployment {
    /// Prepares a plan: its id and binary form, and the deployment.
    fn new(
        plan: Plan,
        project: &dyn Project,
        options: &Options,
    ) -> Result<(Self, Vec<u8>), String> {
        let binary = plan::to_binary(&plan).map_err(|e| e.to_string())?;
        let id = plan::plan_id(&binary);
        let settings = project.settings(&plan)?;
        let redactor = settings.redactor(&plan);
        let engines =
            Engines::new(&plan, &settings, options.connector_timeout).map_err(|e| e.to_string())?;
        let configs = settings.runtime_configs(&plan).map_err(|e| e.to_string())?;
        let matcher = Matcher::new(&plan, Mode::Jit, configs.clone()).map_err(|e| e.to_string())?;
        let plan_types = plan.types.iter().cloned().collect();
        let mut webhooks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, flow) in plan.flows.iter().enumerate() {
            for trigger in &flow.triggers {
                if let Trigger::Webhook { path, .. } = trigger {
                    webhooks.entry(path.clone()).or_default().push(i);
                }
            }
        }
        let deployment = Deployment {
            id,
            plan,
            matcher,
            engines,
            redactor,
            configs,
            webhooks,
            types: plan_types,
        };
        Ok((deployment, binary))
    }

    /// Why a webhook body does not fit the type a flow on `path` declares
    /// for it (`as req: HrChange`), naming the field; none when it fits.
    pub fn webhook_body_error(&self, path: &str, body: &serde_json::Value) -> Option<String> {
        let flows = self.webhooks.get(path)?;
        crate::webhook::body_error(&self.plan, &self.types, flows, path, body)
    }
}

/// The current deployment, and every earlier one a run still needs.
pub struct Deployments {
    current: RwLock<Arc<Deployment>>,
    known: Mutex<HashMap<String, Arc<Deployment>>>,
}

impl Deployments {
    /// Deploys the plan the service starts with.
    pub async fn start(
        plan: Plan,
        project: &dyn Project,
        store: &Arc<dyn Store>,
        options: &Options,
    ) -> Result<Self, ServeError> {
        let deployment = deploy(plan, project, store, options)
            .await
            .map_err(ServeError::Setup)?;
        let known = HashMap::from([(deployment.id.clone(), Arc::clone(&deployment))]);
        Ok(Deployments {
            current: RwLock::new(deployment),
            known: Mutex::new(known),
        })
    }

    /// The plan new runs start on.
    pub fn current(&self) -> Arc<Deployment> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Makes `deployment` the plan new runs start on.
    pub fn switch(&self, deployment: Arc<Deployment>) {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(deployment.id.clone(), Arc::clone(&deployment));
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = deployment;
    }

    /// The deployment a run started on, loaded from the store if this
    /// process has not seen it.
    pub async fn get(
        &self,
        id: &str,
        project: &dyn Project,
        store: &Arc<dyn Store>,
        options: &Options,
    ) -> Result<Arc<Deployment>, String> {
        if let Some(found) = self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
        {
            return Ok(Arc::clone(found));
        }
        let wanted = id.to_owned();
        let bytes = blocking(store, move |s| s.load_plan(&wanted))
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the store has no plan {id}"))?;
        let plan = plan::from_binary(&bytes).map_err(|e| format!("plan {id}: {e}"))?;
        let (deployment, _) = Deployment::new(plan, project, options)?;
        let deployment = Arc::new(deployment);
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id.to_owned(), Arc::clone(&deployment));
        Ok(deployment)
    }
}

/// Prepares a plan and keeps it in the store, so runs can resume on it.
pub async fn deploy(
    plan: Plan,
    project: &dyn Project,
    store: &Arc<dyn Store>,
    options: &Options,
) -> Result<Arc<Deployment>, String> {
    let versions: Vec<(String, String)> = plan
        .flows
        .iter()
        .map(|f| (f.name.clone(), f.hash.clone()))
        .collect();
    let provenance = project.provenance();
    let (deployment, binary) = Deployment::new(plan, project, options)?;
    let id = deployment.id.clone();
    let now = crate::event::now_ms();
    blocking(store, move |s| {
        s.save_plan(&id, &binary, now)?;
        s.audit_versions(&versions, &provenance, now)?;
        s.audit_deploy(&id, &versions, &provenance, now)
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(Arc::new(deployment))
}
