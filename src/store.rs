//! Where a project's store is — the one answer `run`, `runs`, `audit` and
//! `serve` share, so a run recorded by one is found by the others:
//!
//! 1. `--store PATH`, when given;
//! 2. else `store = "…"` in the project's `[serve]` section (relative to
//!    `idflow.toml`);
//! 3. else `.idflow/state.db` beside the project's `idflow.toml`.
//!
//! The project is the directory `run` and `serve` are given; `runs` and
//! `audit` take `--project DIR`, else the nearest directory upward from the
//! current one that holds an `idflow.toml` (as git finds its repository),
//! else the current directory.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use idflow_runtime::store::SqliteStore;

use crate::config;

/// Where the store is, and how that was decided (for an error that says
/// where it looked).
pub struct Location {
    /// The store file.
    pub path: PathBuf,
    /// Which rule chose it, in words.
    pub why: String,
}

/// The project directory of a command given `paths` (`run`, `serve`).
pub fn project_of(paths: &[PathBuf]) -> PathBuf {
    config::manifest_path(paths)
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The project directory of a command given none (`runs`, `audit`):
/// `--project`, else the nearest directory upward holding `idflow.toml`,
/// else the current directory.
pub fn project_around(given: Option<&Path>) -> PathBuf {
    if let Some(dir) = given {
        return dir.to_path_buf();
    }
    let here = PathBuf::from(".");
    let Ok(start) = std::env::current_dir() else {
        return here;
    };
    start
        .ancestors()
        .find(|dir| dir.join("idflow.toml").is_file())
        .map_or(here, Path::to_path_buf)
}

/// The store of the project in `dir`, by the rules above.
pub fn locate(dir: &Path, given: Option<&Path>) -> Result<Location> {
    if let Some(path) = given {
        return Ok(Location {
            path: path.to_path_buf(),
            why: "given by --store".to_owned(),
        });
    }
    let manifest = dir.join("idflow.toml");
    if let Some(path) = config::serve_store(&manifest)? {
        return Ok(Location {
            path,
            why: format!("[serve] store in {}", manifest.display()),
        });
    }
    Ok(Location {
        path: dir.join(".idflow").join("state.db"),
        why: format!(
            "beside {} (no --store, no [serve] store)",
            manifest.display()
        ),
    })
}

/// The store of the project in `dir`, which must exist already: reading
/// commands do not create one.
pub fn existing(dir: &Path, given: Option<&Path>) -> Result<Location> {
    let location = locate(dir, given)?;
    if !location.path.is_file() {
        bail!(
            "no store at {} ({}): nothing has run in this project yet; `idflow run` and `idflow serve` record runs there, or give --project DIR or --store PATH",
            location.path.display(),
            location.why
        );
    }
    Ok(location)
}

/// Opens a store that runs are written to, sealing its audit records with
/// the project's `[audit] key` when `manifest` sets one.
pub fn open_writing(path: &Path, manifest: &Path) -> Result<SqliteStore> {
    let key = config::audit_key(manifest)?;
    Ok(SqliteStore::open(path)?.with_audit_key(key))
}
