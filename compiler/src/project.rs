//! A project: the files the caller hands over, parsed, with the stdlib beside
//! them. The compiler never reads the file system; the CLI and the language
//! server fill the [`SourceMap`].

use crate::diagnostics::Diagnostic;
use crate::source::{FileId, SourceMap};
use crate::stdlib;
use crate::syntax::{self, Parsed};

/// Where a file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// One of the project's own files.
    Project,
    /// A stdlib file, embedded in the compiler.
    Stdlib,
}

/// One parsed file of a project.
#[derive(Clone, Debug)]
pub struct ProjectFile {
    /// The file's id in [`Project::sources`].
    pub file: FileId,
    /// Project or stdlib.
    pub origin: Origin,
    /// Its syntax tree and syntax diagnostics.
    pub parsed: Parsed,
}

/// Every file of a project and of the stdlib, parsed.
#[derive(Clone, Debug)]
pub struct Project {
    /// The texts: the project's files first, then the stdlib's.
    pub sources: SourceMap,
    /// One entry per file, in the order of `sources`.
    pub files: Vec<ProjectFile>,
}

impl Project {
    /// Parses the project's files and the stdlib.
    pub fn new(mut sources: SourceMap) -> Self {
        let project_files: Vec<FileId> = sources.iter().map(|(id, _)| id).collect();
        for (name, text) in stdlib::FILES {
            sources.add(*name, *text);
        }
        let files = sources
            .iter()
            .map(|(file, source)| ProjectFile {
                file,
                origin: if project_files.contains(&file) {
                    Origin::Project
                } else {
                    Origin::Stdlib
                },
                parsed: syntax::parse(file, &source.text),
            })
            .collect();
        Self { sources, files }
    }

    /// The syntax diagnostics of every file, in file order.
    pub fn syntax_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| &f.parsed.diagnostics)
    }
}
