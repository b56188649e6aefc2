//! The project manifest, `idflow.toml`. Today it sets the lint levels:
//!
//! ```toml
//! [lints]
//! destructive-without-filter = "deny"
//! missing-flow-doc = "allow"
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use idflow_compiler::diagnostics::suggest::did_you_mean;
use idflow_compiler::lint::{self, Level, Levels};

/// The manifest for a command run on `paths`: `idflow.toml` in the first path
/// that is a directory, else in the current directory. Absent is fine.
pub fn manifest_path(paths: &[PathBuf]) -> PathBuf {
    let dir = paths
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join("idflow.toml")
}

/// The lint levels the manifest sets; every rule warns when none is set.
pub fn lint_levels(manifest: &Path) -> Result<Levels> {
    let mut levels = Levels::new();
    if !manifest.exists() {
        return Ok(levels);
    }
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("cannot read `{}`", manifest.display()))?;
    let table: toml::Table = toml::from_str(&text)
        .with_context(|| format!("`{}` is not valid TOML", manifest.display()))?;
    let Some(lints) = table.get("lints") else {
        return Ok(levels);
    };
    let Some(lints) = lints.as_table() else {
        bail!(
            "`{}`: `lints` must be a table of rule = level",
            manifest.display()
        );
    };
    for (rule, value) in lints {
        if !lint::rule_names().any(|name| name == rule) {
            let hint = did_you_mean(rule, lint::rule_names())
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default();
            bail!("`{}`: no lint is named `{rule}`{hint}", manifest.display());
        }
        let level = value.as_str().and_then(Level::parse).with_context(|| {
            format!(
                "`{}`: lint `{rule}` must be \"allow\", \"warn\" or \"deny\"",
                manifest.display()
            )
        })?;
        levels.insert(rule.clone(), level);
    }
    Ok(levels)
}
