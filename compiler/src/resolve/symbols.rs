//! The definitions of a project: every name an item defines, by namespace,
//! with duplicates reported.

use std::collections::BTreeMap;

use super::error::ResolveError;
use crate::project::Project;
use crate::source::Span;
use crate::syntax::ast::{Connector, ConnectorMember, Flow, Ident, Item, TriggerKind, TypeDef};

/// Every definition of a project and of the stdlib.
#[derive(Default)]
pub(crate) struct Symbols<'p> {
    /// Connectors, from the project and the stdlib.
    pub(crate) connectors: BTreeMap<&'p str, &'p Connector>,
    /// The project's configs and functions: they share the namespace of values.
    pub(crate) values: BTreeMap<&'p str, Span>,
    /// The project's configs alone.
    pub(crate) configs: BTreeMap<&'p str, Span>,
    /// The project's types.
    pub(crate) types: BTreeMap<&'p str, &'p TypeDef>,
    /// The stdlib's types, by module and name: `okta` → `User`.
    pub(crate) module_types: BTreeMap<&'p str, BTreeMap<&'p str, &'p TypeDef>>,
    /// The project's flows.
    pub(crate) flows: BTreeMap<&'p str, &'p Flow>,
    /// Names a file that did not parse may have defined; references to them
    /// are not reported, so one syntax error gives one diagnostic.
    pub(crate) maybe_defined: Vec<&'p str>,
}

impl<'p> Symbols<'p> {
    /// Collects every definition, reporting duplicates.
    pub(crate) fn collect(project: &'p Project, errors: &mut Vec<ResolveError>) -> Self {
        let mut symbols = Symbols::default();
        for file in &project.files {
            let module = project.stdlib_module(file.file);
            for item in &file.parsed.module.items {
                symbols.add_item(module, item, errors);
            }
            if file.parsed.has_errors()
                && let Some(source) = project.sources.get(file.file)
            {
                symbols.maybe_defined.extend(item_names(&source.text));
            }
        }
        symbols
    }

    fn add_item(
        &mut self,
        module: Option<&'p str>,
        item: &'p Item,
        errors: &mut Vec<ResolveError>,
    ) {
        match item {
            Item::Connector(connector) => {
                if let Some(first) = self.connectors.insert(&connector.name.name, connector) {
                    errors.push(duplicate("connector", &connector.name, first.name.span));
                }
                check_members(connector, errors);
            }
            Item::Type(ty) => {
                let table = match module {
                    Some(module) => self.module_types.entry(module).or_default(),
                    None => &mut self.types,
                };
                if let Some(first) = table.insert(&ty.name.name, ty) {
                    errors.push(duplicate("type", &ty.name, first.name.span));
                    table.insert(&first.name.name, first);
                }
            }
            Item::Config(config) if module.is_none() => {
                insert(&mut self.values, "config or function", &config.name, errors);
                self.configs.insert(&config.name.name, config.name.span);
            }
            Item::Fn(function) if module.is_none() => {
                insert(
                    &mut self.values,
                    "config or function",
                    &function.name,
                    errors,
                );
            }
            Item::Flow(flow) => {
                if let Some(first) = self.flows.insert(&flow.name.name, flow) {
                    errors.push(duplicate("flow", &flow.name, first.name.span));
                }
            }
            _ => {}
        }
    }

    /// Whether `name` is an importable module: a connector or a stdlib file.
    pub(super) fn importable(&self) -> Vec<&'p str> {
        let mut names: Vec<&str> = self.connectors.keys().copied().collect();
        names.extend(self.module_types.keys().copied());
        names.sort_unstable();
        names.dedup();
        names
    }
}

fn insert<'p>(
    table: &mut BTreeMap<&'p str, Span>,
    kind: &'static str,
    name: &'p Ident,
    errors: &mut Vec<ResolveError>,
) {
    if let Some(first) = table.insert(&name.name, name.span) {
        errors.push(duplicate(kind, name, first));
        // Keep the first definition: later references point there.
        table.insert(&name.name, first);
    }
}

fn duplicate(kind: &'static str, name: &Ident, first: Span) -> ResolveError {
    ResolveError::Duplicate {
        kind,
        name: name.name.clone(),
        span: name.span,
        first,
    }
}

/// Actions and events of one connector must have distinct names.
fn check_members(connector: &Connector, errors: &mut Vec<ResolveError>) {
    let mut actions: BTreeMap<&str, Span> = BTreeMap::new();
    let mut events: BTreeMap<&str, Span> = BTreeMap::new();
    for member in &connector.members {
        let (table, kind, name) = match member {
            ConnectorMember::Action(action) => (&mut actions, "action", &action.name),
            ConnectorMember::Event(event) => (&mut events, "event", &event.name),
            _ => continue,
        };
        if let Some(first) = table.insert(&name.name, name.span) {
            errors.push(duplicate(kind, name, first));
        }
    }
}

/// The names that lines starting with an item keyword define, read from the
/// text of a file that did not parse.
fn item_names(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let mut words = line
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty());
        let keyword = words.next()?;
        let is_item = crate::syntax::ITEM_KEYWORDS.contains(&keyword) && line.starts_with(keyword);
        if is_item { words.next() } else { None }
    })
}

/// Whether a flow can be run by `call`.
pub(super) fn is_callable(flow: &Flow) -> bool {
    flow.triggers
        .iter()
        .any(|t| matches!(t.kind, TriggerKind::Called { .. }))
}
