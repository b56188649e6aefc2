//! What the server knows: the project's files (open buffers over the files
//! on disk), the lint levels of `idflow.toml`, and the latest analysis.
//!
//! A change re-parses only the file that changed ([`Project::replace`]);
//! [`Workspace::check_file`] checks only that file, and
//! a [`Snapshot`] the whole project, which the server checks after typing
//! pauses, without holding the workspace.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use idflow_compiler::diagnostics::Diagnostic;
use idflow_compiler::ide::{self, Occurrence};
use idflow_compiler::lint::Levels;
use idflow_compiler::project::{Origin, Project};
use idflow_compiler::source::{FileId, MAX_FILE_BYTES, skips_folder};
use idflow_compiler::types::TypeTable;
use tower_lsp_server::ls_types::Uri;

/// The server's state.
pub struct Workspace {
    /// The folder the editor opened, if any.
    pub root: Option<PathBuf>,
    /// Every file, parsed.
    pub project: Project,
    uris: HashMap<Uri, FileId>,
    files: HashMap<FileId, Uri>,
    /// Files open in the editor: their buffer, not the disk, is the text.
    pub open: HashSet<Uri>,
    /// The lint levels of `idflow.toml`.
    pub levels: Levels,
    /// The latest diagnostics of each project file.
    pub diagnostics: BTreeMap<FileId, Vec<Diagnostic>>,
    /// The checker's bindings and types of every checked file.
    pub table: TypeTable,
    /// Bumped by every change: a whole-project check started before the
    /// latest change is not published.
    pub generation: u64,
    /// What the plan says of each flow, by name, from the last
    /// whole-project check that found no error; empty while there are errors.
    pub plan: BTreeMap<String, String>,
    /// Whether the client takes snippets (`$1` placeholders) in completions,
    /// as it declared at `initialize`; a client that declares nothing does not.
    pub snippets: bool,
}

impl Workspace {
    /// A workspace with the stdlib alone.
    pub fn new() -> Self {
        Self {
            root: None,
            project: Project::new(idflow_compiler::source::SourceMap::new()),
            uris: HashMap::new(),
            files: HashMap::new(),
            open: HashSet::new(),
            levels: Levels::new(),
            diagnostics: BTreeMap::new(),
            table: TypeTable::default(),
            generation: 0,
            plan: BTreeMap::new(),
            snippets: false,
        }
    }

    /// Gives every stdlib file a `file:` URI under `stdlib_dir`, where the
    /// server wrote them, so that go to definition can open them.
    pub fn map_stdlib(&mut self, stdlib_dir: &Path) {
        let stdlib: Vec<(FileId, String)> = self
            .project
            .files
            .iter()
            .filter(|f| f.origin == Origin::Stdlib)
            .filter_map(|f| Some((f.file, self.project.sources.get(f.file)?.name.clone())))
            .collect();
        for (file, name) in stdlib {
            let file_name = name.rsplit('/').next().unwrap_or(&name).to_owned();
            if let Some(uri) = Uri::from_file_path(stdlib_dir.join(file_name)) {
                self.uris.insert(uri.clone(), file);
                self.files.insert(file, uri);
            }
        }
    }

    /// Reads every `.flow` file under `root`. Files that cannot be read, or
    /// are not UTF-8, are skipped; the reasons are returned.
    pub fn load_folder(&mut self, root: &Path) -> Vec<String> {
        let mut problems = Vec::new();
        let mut paths = Vec::new();
        collect_flow_files(root, &mut paths);
        paths.sort();
        for path in paths {
            match read_source(&path) {
                Ok(text) => {
                    if let Some(uri) = Uri::from_file_path(&path) {
                        self.set_text(&uri, text);
                    }
                }
                Err(problem) => problems.push(format!("{problem}; the file was skipped")),
            }
        }
        problems
    }

    /// Reads the lint levels of `idflow.toml` in the root; why not, if it
    /// is broken (the default levels are kept).
    pub fn load_manifest(&mut self) -> Option<String> {
        let path = self.root.as_ref()?.join("idflow.toml");
        let text = idflow_files::read_text(&path, MAX_FILE_BYTES).ok()?;
        let parsed = text
            .parse::<toml::Table>()
            .map_err(|e| e.to_string())
            .and_then(|table| idflow_compiler::lint::levels_from_manifest(&table));
        match parsed {
            Ok(levels) => {
                self.levels = levels;
                None
            }
            Err(error) => Some(format!("`{}`: {error}", path.display())),
        }
    }

    /// Sets the text of a file, adding it to the project if it is new; only
    /// that file is parsed again. Its id.
    pub fn set_text(&mut self, uri: &Uri, text: String) -> FileId {
        self.generation += 1;
        match self.uris.get(uri) {
            Some(&file) => {
                self.project.replace(file, text);
                file
            }
            None => {
                let file = self.project.add_file(display_name(uri), text);
                self.uris.insert(uri.clone(), file);
                self.files.insert(file, uri.clone());
                file
            }
        }
    }

    /// The id of the file at `uri`.
    pub fn file(&self, uri: &Uri) -> Option<FileId> {
        self.uris.get(uri).copied()
    }

    /// The URI of a file.
    pub fn uri(&self, file: FileId) -> Option<&Uri> {
        self.files.get(&file)
    }

    /// The text of a file.
    pub fn text(&self, file: FileId) -> Option<&str> {
        self.project.sources.get(file).map(|s| s.text.as_str())
    }

    /// Whether a file is one of the project's own (not the stdlib's).
    pub fn is_own(&self, file: FileId) -> bool {
        self.project
            .file(file)
            .is_some_and(|f| f.origin == Origin::Project)
    }

    /// Checks one file: its diagnostics are replaced, and its part of the
    /// type table.
    pub fn check_file(&mut self, file: FileId) {
        let analysis = ide::analyze(&self.project, &self.levels, Some(file));
        self.table.replace_file(file, analysis.table);
        self.diagnostics.insert(file, analysis.diagnostics);
    }

    /// What a whole-project check needs, taken under the lock so that the
    /// check itself runs without it: a keystroke never waits for it.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            project: self.project.clone(),
            levels: self.levels.clone(),
            generation: self.generation,
        }
    }

    /// Takes the result of a whole-project check; the files whose
    /// diagnostics changed. Nothing when the project changed since the
    /// snapshot (a newer check is coming).
    pub fn apply(&mut self, checked: Checked) -> Option<Vec<FileId>> {
        if checked.generation != self.generation {
            return None;
        }
        let changed = checked
            .diagnostics
            .iter()
            .filter(|(file, found)| self.diagnostics.get(file) != Some(found))
            .map(|(file, _)| *file)
            .collect();
        self.diagnostics = checked.diagnostics;
        self.table = checked.table;
        self.plan = checked.plan;
        Some(changed)
    }

    /// The occurrences of names in a file.
    pub fn occurrences(&self, file: FileId) -> Vec<Occurrence> {
        self.project
            .file(file)
            .map(|f| ide::occurrences(&self.project, &self.table, f))
            .unwrap_or_default()
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

/// The name diagnostics use for a file: its path.
fn display_name(uri: &Uri) -> String {
    uri.to_file_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| uri.as_str().to_owned())
}

/// Every `.flow` file under `dir`, skipping the folders the CLI skips;
/// unreadable folders are left out (the CLI would stop on them).
fn collect_flow_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        // A symlinked folder is not followed (as in the CLI): a link to a
        // parent would be walked for ever.
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if !skips_folder(&name) {
                collect_flow_files(&path, out);
            }
        } else if name.ends_with(".flow") {
            out.push(path);
        }
    }
}

/// A file's text, or why it cannot be used: only a regular file, at most
/// [`MAX_FILE_BYTES`] of UTF-8 (a FIFO or a link to a device named `.flow`
/// would otherwise block the server or fill its memory).
pub fn read_source(path: &Path) -> Result<String, idflow_files::TextError> {
    idflow_files::read_text(path, MAX_FILE_BYTES)
}

/// A copy of the project for a whole-project check.
pub struct Snapshot {
    project: Project,
    levels: Levels,
    generation: u64,
}

/// What a whole-project check found.
pub struct Checked {
    generation: u64,
    diagnostics: BTreeMap<FileId, Vec<Diagnostic>>,
    table: TypeTable,
    plan: BTreeMap<String, String>,
}

impl Snapshot {
    /// Checks the whole project, and builds its plan when it has no error.
    pub fn check(self) -> Checked {
        let analysis = ide::analyze(&self.project, &self.levels, None);
        let mut diagnostics: BTreeMap<FileId, Vec<Diagnostic>> = self
            .project
            .files
            .iter()
            .filter(|f| f.origin == Origin::Project)
            .map(|f| (f.file, Vec::new()))
            .collect();
        for diagnostic in analysis.diagnostics {
            if let Some(span) = diagnostic.span() {
                diagnostics.entry(span.file).or_default().push(diagnostic);
            }
        }
        let clean = !diagnostics.values().flatten().any(Diagnostic::is_error);
        let plan = clean
            .then(|| idflow_compiler::plan::build(&self.project, &BTreeMap::new()).ok())
            .flatten()
            .map(|plan| {
                plan.flows
                    .iter()
                    .map(|flow| (flow.name.clone(), ide::flow_plan_markdown(flow)))
                    .collect()
            })
            .unwrap_or_default();
        Checked {
            generation: self.generation,
            diagnostics,
            table: analysis.table,
            plan,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// A FIFO or a link to a device named like a flow must neither block
    /// the server nor fill its memory: it is skipped, and said.
    #[cfg(unix)]
    #[test]
    fn special_files_in_a_folder_are_skipped_not_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.flow"), "import okta\n").unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.flow")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe.flow"))
            .status()
            .unwrap();
        assert!(made.success());
        // A link to a parent folder is not walked for ever.
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        let mut workspace = Workspace::new();
        let problems = workspace.load_folder(dir.path());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("pipe.flow` is a FIFO")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("zero.flow` is a character device")),
            "{problems:?}"
        );
    }
}
