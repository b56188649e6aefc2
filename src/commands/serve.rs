//! `idflow serve [PATH] [--config idflow.toml] [--listen ADDR]`: runs the
//! service — event intake, schedules, durable runs — until SIGTERM. The
//! service itself is `idflow_runtime::serve`; this command reads the
//! manifest, sets up logging, and tells it how to compile the project.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::plan::{self, Plan, PlanError};
use idflow_runtime::http::Settings;
use idflow_runtime::serve::{self, Project};
use idflow_runtime::store::lock::ServeLock;

use super::Outcome;
use crate::cli::{LogFormat, ServeArgs};
use crate::{config, files};

/// The project on disk, compiled for one environment.
struct DiskProject {
    paths: Vec<PathBuf>,
    manifest: PathBuf,
    env: Option<String>,
}

impl Project for DiskProject {
    fn compile(&self) -> Result<Plan, String> {
        let project = files::load_project(&self.paths).map_err(|e| format!("{e:#}"))?;
        let overrides = config::config_overrides(&self.manifest, self.env.as_deref())
            .map_err(|e| format!("{e:#}"))?;
        match plan::build(&project, &overrides) {
            Ok(plan) => Ok(plan),
            Err(PlanError::Check(diagnostics)) => Err(diagnostics
                .iter()
                .map(|d| render::to_text_in(d, &project.sources, Colors::Off))
                .collect()),
            Err(other) => Err(other.to_string()),
        }
    }

    fn settings(&self, plan: &Plan) -> Result<Settings, String> {
        let connections = config::connections(&self.manifest).map_err(|e| format!("{e:#}"))?;
        let configs = config::secret_configs(&self.manifest, self.env.as_deref())
            .map_err(|e| format!("{e:#}"))?;
        let settings = config::settings(plan, &connections).map_err(|e| format!("{e:#}"))?;
        Ok(Settings {
            configs,
            ..settings
        })
    }

    fn provenance(&self) -> idflow_runtime::audit::Provenance {
        let dir = self.manifest.parent().unwrap_or(std::path::Path::new("."));
        crate::provenance::of(dir)
    }

    fn watched(&self) -> Vec<PathBuf> {
        let mut watched = self.paths.clone();
        if self.manifest.exists() {
            watched.push(self.manifest.clone());
        }
        watched
    }
}

/// Runs the command.
pub fn run(args: &ServeArgs) -> Result<Outcome> {
    init_logging(args.log_format);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let manifest = args
        .config
        .clone()
        .unwrap_or_else(|| config::manifest_path(&paths));
    let mut options = config::serve_options(&manifest)?;
    if let Some(listen) = args.listen {
        options.listen = listen;
    }
    options.watch = !args.no_watch;
    let store_path = crate::store::locate(&manifest, args.store.as_deref())?.path;
    // Held until the process ends: one service per store file.
    let _lock = ServeLock::acquire(&store_path)?;
    let store = Arc::new(crate::store::open_writing(&store_path, &manifest)?);
    let project = Arc::new(DiskProject {
        paths,
        manifest,
        env: args.env.clone(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime
        .block_on(serve::serve(options, project, store, None))
        .context("idflow serve")?;
    Ok(Outcome::Clean)
}

/// Logs to standard error, as text or JSON lines; `RUST_LOG` filters
/// (default: `info`).
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,idflow=info,idflow_runtime=info")
    });
    // Colours only for a person at a terminal: a log file or a collector
    // would get escape codes in every line.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // A second initialisation (there is none in the binary) would only fail.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
