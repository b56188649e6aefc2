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

/// The manifest of the project a command given no paths (`runs`,
/// `audit`) is about: that of `--project DIR`, else of the current
/// directory — the nearest `idflow.toml` upward either way.
pub fn manifest_around(project: Option<&Path>) -> PathBuf {
    let dir = project.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    config::manifest_path(&[dir])
}

/// The store of the project whose manifest is `manifest`, by the rules
/// above (the manifest need not exist).
pub fn locate(manifest: &Path, given: Option<&Path>) -> Result<Location> {
    if let Some(path) = given {
        return Ok(Location {
            path: path.to_path_buf(),
            why: "given by --store".to_owned(),
        });
    }
    if let Some(path) = config::serve_store(manifest)? {
        return Ok(Location {
            path,
            why: format!("[serve] store in {}", manifest.display()),
        });
    }
    let dir = manifest.parent().unwrap_or_else(|| Path::new("."));
    Ok(Location {
        path: dir.join(".idflow").join("state.db"),
        why: format!(
            "beside {} (no --store, no [serve] store)",
            manifest.display()
        ),
    })
}

/// The store of the project whose manifest is `manifest`, which must
/// exist already: reading commands do not create one.
pub fn existing(manifest: &Path, given: Option<&Path>) -> Result<Location> {
    let location = locate(manifest, given)?;
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
