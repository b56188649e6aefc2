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
