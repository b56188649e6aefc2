//! The idflow compiler: the language's grammar and syntax tree, its checks
//! and diagnostics, the formatter, the plan and its optimizer, the trigger
//! filters' native code, and what the editor asks of a project.
//!
//! The crate is pure: no I/O, no network, no printing. Callers hand it text
//! through a [`source::SourceMap`] and get back data — trees, diagnostics,
//! formatted text, plans — so the CLI, the language server and the runtime
//! all see exactly the same results.
//!
//! The pipeline: [`syntax::parse`] turns text into a [`syntax::ast::Module`]
//! plus [`diagnostics::Diagnostic`]s; a [`project::Project`] parses a set of
//! files with the [`stdlib`]; [`resolve::resolve`] checks the names they
//! use and the type checker their types ([`check`] runs both and returns
//! every diagnostic); [`lint::lint`] adds the lints; [`plan::build`] lowers
//! a project that checks into a [`plan::Plan`], optimizes it, analyses its
//! filters for the [`jit`] and names each flow by its hash. [`format::format`]
//! prints a module back in the one canonical style.

/// Parses, resolves and type-checks a project; every diagnostic: syntax
/// first, then names, then types.
pub fn check(project: &project::Project) -> Vec<diagnostics::Diagnostic> {
    checked(project).0
}

/// [`check`], with the project's symbols and the types the checker found,
/// which lowering reads.
pub(crate) fn checked(
    project: &project::Project,
) -> (
    Vec<diagnostics::Diagnostic>,
    resolve::Symbols<'_>,
    types::TypeTable,
) {
    let mut diagnostics: Vec<diagnostics::Diagnostic> =
        project.syntax_diagnostics().cloned().collect();
    let (symbols, resolved) = resolve::resolve_with_symbols(project);
    diagnostics.extend(resolved);
    let (typed, table) = types::check(project, &symbols, None);
    diagnostics.extend(typed);
    diagnostics::sort_in_source_order(&mut diagnostics);
    (diagnostics, symbols, table)
}

// The pest derive, built without its `std` feature (which would add a stack
// probe to every rule call), refers to `alloc` by path.
extern crate alloc;

pub mod catalogue;
pub mod diagnostics;
pub mod format;
pub mod graph;
pub mod ide;
pub mod jit;
pub mod library;
pub mod line_index;
pub mod lint;
pub mod optimize;
pub mod plan;
pub mod project;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod testing;
pub mod types;
