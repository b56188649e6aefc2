//! Reading `.flow` files from disk, with one-line errors for everything that
//! can go wrong before the compiler sees the text.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use idflow_compiler::source::{MAX_FILE_BYTES, skips_folder};

/// Reads a source file: a regular file (not a directory, a device or a
/// FIFO) of UTF-8 text, at most [`MAX_FILE_BYTES`].
pub fn read_source(path: &Path) -> Result<String> {
    Ok(idflow_files::read_text(path, MAX_FILE_BYTES)?)
}

/// Reads every `.flow` file under `paths` (default: the current directory)
/// into a project with the stdlib. Each file is named by its path.
pub fn load_project(paths: &[PathBuf]) -> Result<idflow_compiler::project::Project> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut sources = idflow_compiler::source::SourceMap::new();
    for path in collect_flow_files(paths)? {
        let text = read_source(&path)?;
        sources.add(path.display().to_string(), text);
    }
    Ok(idflow_compiler::project::Project::new(sources))
}

/// Every `.flow` file named by `paths`: files as given, directories searched
/// recursively (skipping hidden directories and `target`), sorted for stable
/// output. A directory with no `.flow` file in it is an error.
pub fn collect_flow_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let metadata =
            fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if metadata.is_dir() {
            let before = files.len();
            walk(path, &mut files)?;
            if files.len() == before {
                bail!("no .flow files in `{}`", path.display());
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let file_type = entry
            .file_type()
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        if file_type.is_dir() {
            if !skips_folder(&name) {
                walk(&path, files)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "flow") {
            files.push(path);
        }
    }
    Ok(())
}
