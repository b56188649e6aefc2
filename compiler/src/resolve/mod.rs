//! Name resolution: every name a project uses must be defined — connectors
//! and their imports, events, actions, types, flows called or tested, configs
//! set by tests — and no two definitions may share a name. Flows may not call
//! each other in a circle.
//!
//! Names of local values (`let`, loop variables, lambda parameters) and of
//! built-in functions are resolved by the type checker, which knows the
//! built-in library.

mod calls;
mod error;
mod references;
mod symbols;

pub use error::ResolveError;
pub(crate) use symbols::Symbols;

use crate::diagnostics::Diagnostic;
use crate::project::Project;
use calls::CallGraph;
use references::FileChecker;

/// Resolves the names of a project and returns the problems found, in
/// source order.
pub fn resolve(project: &Project) -> Vec<Diagnostic> {
    resolve_with_symbols(project).1
}

/// Resolves the names of a project; returns its definitions, for the type
/// checker, and the problems found.
pub(crate) fn resolve_with_symbols(project: &Project) -> (Symbols<'_>, Vec<Diagnostic>) {
    resolve_in(project, None)
}

/// Resolves the names of every file, or of `only` when given; then only
/// the problems found in that file are returned, and calls between flows
/// of other files are not followed (the editor's check of one file).
pub(crate) fn resolve_in(
    project: &Project,
    only: Option<crate::source::FileId>,
) -> (Symbols<'_>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let symbols = Symbols::collect(project, &mut errors);
    symbols.check_extensions(&mut errors);
    let mut calls = CallGraph::default();
    let checked = project
        .files
        .iter()
        .filter(|f| only.is_none_or(|file| f.file == file));
    for file in checked {
        let module = project.stdlib_module(file.file);
        FileChecker::new(&symbols, file, module, &mut calls, &mut errors).check();
    }
    errors.extend(calls.cycles());
    // A name that a file with syntax errors may define is not reported as
    // unknown: the syntax error already explains it.
    errors.retain(|error| {
        error
            .unknown_name()
            .is_none_or(|name| !symbols.maybe_defined.contains(&name))
    });
    let mut diagnostics: Vec<Diagnostic> = errors
        .into_iter()
        .map(ResolveError::into_diagnostic)
        .collect();
    // Source order, file by file, whatever order the checks ran in.
    if let Some(file) = only {
        diagnostics.retain(|d| d.span().is_some_and(|s| s.file == file));
    }
    diagnostics.sort_by_key(|d| d.span().map(|s| (s.file, s.start)));
    (symbols, diagnostics)
}
