//! A project: the files the caller hands over, parsed, with the stdlib beside
//! them. The compiler never reads the file system; the CLI and the language
//! server fill the [`SourceMap`].

use std::sync::LazyLock;

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
    /// The texts: the stdlib's first, then the project's, in the order given.
    pub sources: SourceMap,
    /// One entry per file, in the order of `sources`.
    pub files: Vec<ProjectFile>,
}

/// The stdlib, parsed once per process: it always holds the first file ids
/// of a project, so its trees are the same in every project.
static STDLIB: LazyLock<Vec<Parsed>> = LazyLock::new(|| {
    stdlib::FILES
        .iter()
        .zip(0u32..)
        .map(|((_, text), id)| syntax::parse(FileId(id), text))
        .collect()
});

impl Project {
    /// Parses the project's files, beside the stdlib. The files get new ids
    /// in [`Project::sources`]; diagnostics refer to those.
    pub fn new(files: SourceMap) -> Self {
        let mut sources = SourceMap::new();
        let mut parsed_files = Vec::new();
        for ((name, text), parsed) in stdlib::FILES.iter().zip(STDLIB.iter()) {
            let file = sources.add(*name, *text);
            parsed_files.push(ProjectFile {
                file,
                origin: Origin::Stdlib,
                parsed: parsed.clone(),
            });
        }
        for (_, source) in files.iter() {
            let file = sources.add(source.name.clone(), source.text.clone());
            parsed_files.push(ProjectFile {
                file,
                origin: Origin::Project,
                parsed: syntax::parse(file, &source.text),
            });
        }
        Self {
            sources,
            files: parsed_files,
        }
    }

    /// Adds one of the project's own files and parses it; its id.
    pub fn add_file(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let file = self.sources.add(name, text.clone());
        self.files.push(ProjectFile {
            file,
            origin: Origin::Project,
            parsed: syntax::parse(file, &text),
        });
        file
    }

    /// Replaces the text of one of the project's own files and parses that
    /// file again; every other file keeps its tree. False when `file` is not
    /// one of the project's own files.
    pub fn replace(&mut self, file: FileId, text: impl Into<String>) -> bool {
        let text = text.into();
        let Some(entry) = self
            .files
            .iter_mut()
            .find(|f| f.file == file && f.origin == Origin::Project)
        else {
            return false;
        };
        let previous = self
            .sources
            .get(file)
            .map(|s| s.text.as_str())
            .unwrap_or_default();
        entry.parsed = syntax::reparse(file, &text, &entry.parsed, previous);
        self.sources.set_text(file, text)
    }

    /// The file with this id.
    pub fn file(&self, file: FileId) -> Option<&ProjectFile> {
        self.files.iter().find(|f| f.file == file)
    }

    /// The stdlib module a file declares (`okta`), if it is a stdlib file.
    pub fn stdlib_module(&self, file: FileId) -> Option<&str> {
        match self.file(file)?.origin {
            Origin::Project => None,
            Origin::Stdlib => stdlib::module_name(&self.sources.get(file)?.name),
        }
    }

    /// The text a span covers; empty when it lies outside its file.
    pub fn text_of(&self, span: crate::source::Span) -> &str {
        self.sources
            .get(span.file)
            .and_then(|s| s.text.get(span.range()))
            .unwrap_or_default()
    }

    /// The id of the file with this name.
    pub fn file_named(&self, name: &str) -> Option<FileId> {
        self.sources
            .iter()
            .find(|(_, source)| source.name == name)
            .map(|(id, _)| id)
    }

    /// The syntax diagnostics of every file, in file order.
    pub fn syntax_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| &f.parsed.diagnostics)
    }
}
