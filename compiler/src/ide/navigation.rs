//! Go to definition, find references and rename, all read from the
//! occurrences of names.

use super::occurrences::{Occurrence, SymbolKind, occurrences};
use crate::diagnostics::Edit;
use crate::project::{Origin, Project};
use crate::source::Span;
use crate::syntax;
use crate::types::TypeTable;

/// The occurrence of a name at `offset`, if the cursor is on one.
fn at(occurrences: &[Occurrence], offset: usize) -> Option<&Occurrence> {
    occurrences
        .iter()
        .find(|o| o.span.start as usize <= offset && offset <= o.span.end as usize)
}

/// Where the name at `offset` is declared.
pub fn definition(occurrences: &[Occurrence], offset: usize) -> Option<Span> {
    at(occurrences, offset).map(|o| o.def)
}

/// Every place the name at `offset` of a file is written, in every file of
/// the project and of the stdlib; the declaration too when asked.
pub fn references(
    project: &Project,
    table: &TypeTable,
    here: &[Occurrence],
    offset: usize,
    include_declaration: bool,
) -> Vec<Span> {
    let Some(target) = at(here, offset) else {
        return Vec::new();
    };
    occurrences_of(project, table, target)
        .filter(|o| include_declaration || !o.is_definition())
        .map(|o| o.span)
        .collect()
}

/// Every occurrence of what `target` names, in every file.
fn occurrences_of<'a>(
    project: &'a Project,
    table: &'a TypeTable,
    target: &Occurrence,
) -> impl Iterator<Item = Occurrence> + 'a {
    let (def, kind) = (target.def, target.kind);
    project
        .files
        .iter()
        // A local value is seen only in the file that binds it.
        .filter(move |f| kind != SymbolKind::Local || f.file == def.file)
        .flat_map(move |file| occurrences(project, table, file))
        .filter(move |o| o.def == def)
}

/// The edits that rename the config, flow, function or local value at
/// `offset` to `new_name`, in every file; or why it cannot be renamed.
pub fn rename(
    project: &Project,
    table: &TypeTable,
    here: &[Occurrence],
    offset: usize,
    new_name: &str,
) -> Result<Vec<Edit>, String> {
    let target = at(here, offset).ok_or("there is no name here to rename")?;
    let renamable = matches!(
        target.kind,
        SymbolKind::Local | SymbolKind::Config | SymbolKind::Flow | SymbolKind::Function
    );
    if !renamable {
        return Err("only configs, flows, functions and local names can be renamed".to_owned());
    }
    if project
        .file(target.def.file)
        .is_none_or(|f| f.origin == Origin::Stdlib)
    {
        return Err("names declared in the stdlib cannot be renamed".to_owned());
    }
    if !syntax::is_identifier(new_name) {
        return Err(format!(
            "`{new_name}` is not a name: use letters, digits and `_`, not a keyword"
        ));
    }
    if let Some(reason) = conflict(project, here, target, new_name) {
        return Err(reason);
    }
    let edits = occurrences_of(project, table, target)
        .map(|o| Edit {
            span: o.span,
            replacement: if o.shorthand {
                // `{ login }` keeps its key: `{ login: new_name }`.
                format!("{}: {new_name}", project.text_of(o.span))
            } else {
                new_name.to_owned()
            },
        })
        .collect();
    Ok(edits)
}

/// Why renaming `target` to `new_name` would change what the code means,
/// if it would: a global renamed to the name of another of its namespace
/// (the project would no longer check), a local renamed to a name its item
/// already uses for another local or for a config or function it reads
/// (uses would silently bind to the other one).
fn conflict(
    project: &Project,
    here: &[Occurrence],
    target: &Occurrence,
    new_name: &str,
) -> Option<String> {
    if project.text_of(target.def) == new_name {
        return None;
    }
    let symbols = crate::resolve::Symbols::collect(project, &mut Vec::new());
    let taken_by = |span: Span| {
        let line = project.sources.get(span.file).map_or(0, |f| {
            f.text
                .get(..span.start as usize)
                .unwrap_or_default()
                .matches('\n')
                .count()
                + 1
        });
        let file = project
            .sources
            .get(span.file)
            .map_or("", |f| f.name.as_str());
        format!("{file}:{line}")
    };
    match target.kind {
        SymbolKind::Config | SymbolKind::Function => symbols
            .values
            .get(new_name)
            .or_else(|| symbols.configs.get(new_name))
            .map(|span| {
                format!(
                    "`{new_name}` already names a config or function ({})",
                    taken_by(*span)
                )
            }),
        SymbolKind::Flow => symbols.flows.get(new_name).map(|flow| {
            format!(
                "`{new_name}` already names a flow ({})",
                taken_by(flow.name.span)
            )
        }),
        SymbolKind::Local => {
            let item = project
                .file(target.def.file)?
                .parsed
                .module
                .items
                .iter()
                .map(|item| item.span())
                .find(|span| span.start <= target.def.start && target.def.end <= span.end)?;
            here.iter()
                .filter(|o| item.start <= o.span.start && o.span.end <= item.end)
                .filter(|o| {
                    matches!(o.kind, SymbolKind::Local | SymbolKind::Config | SymbolKind::Function)
                        && o.def != target.def
                        && project.text_of(o.span) == new_name
                })
                .map(|o| match o.kind {
                    SymbolKind::Local => format!(
                        "`{new_name}` already names another value in this item ({}): its uses and the renamed ones would be one",
                        taken_by(o.def)
                    ),
                    _ => format!(
                        "this item reads the {} `{new_name}` ({}): the renamed value would hide it",
                        if o.kind == SymbolKind::Config { "config" } else { "function" },
                        taken_by(o.def)
                    ),
                })
                .next()
        }
        _ => None,
    }
}
