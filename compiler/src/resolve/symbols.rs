//! The definitions of a project: every name an item defines, by namespace,
//! with duplicates reported.

use std::collections::BTreeMap;

use super::error::ResolveError;
use crate::project::Project;
use crate::source::Span;
use crate::syntax::ast::{
    Connector, ConnectorMember, FieldDecl, Flow, Ident, Item, TriggerKind, TypeDef, TypeDefBody,
    TypeExtension,
};

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
    /// The `extend type` items of the project, by the type they extend:
    /// `(Some("okta"), "UserProfile")`.
    pub(crate) extensions: BTreeMap<(Option<&'p str>, &'p str), Vec<&'p TypeExtension>>,
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
            Item::Extend(extension) if module.is_none() => {
                let key = match extension.target.segments.as_slice() {
                    [name] => (None, name.name.as_str()),
                    [module, name] => (Some(module.name.as_str()), name.name.as_str()),
                    _ => return,
                };
                self.extensions.entry(key).or_default().push(extension);
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

    /// The fields that `extend type` items add to the type `name` of
    /// `module` (the project's when `None`), in source order.
    pub(crate) fn extension_fields(
        &self,
        module: Option<&str>,
        name: &str,
    ) -> impl Iterator<Item = &'p FieldDecl> + use<'p> {
        self.extensions
            .get(&(module, name))
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .flat_map(|extension| &extension.fields)
    }

    /// Reports extensions of a type that has no fields to extend (an alias,
    /// a built-in type) and added fields whose name the type already has.
    /// An extended type that does not exist is reported with the other
    /// unknown types.
    pub(super) fn check_extensions(&self, errors: &mut Vec<ResolveError>) {
        for (&(module, name), extensions) in &self.extensions {
            let def = match module {
                Some(module) => self.module_types.get(module).and_then(|t| t.get(name)),
                None => self.types.get(name),
            };
            let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
            match def.map(|d| &d.body) {
                Some(TypeDefBody::Record(fields)) => {
                    seen.extend(fields.iter().map(|f| (f.name.name.as_str(), f.name.span)));
                }
                Some(TypeDefBody::Alias(_)) => {
                    errors.extend(extensions.iter().map(|e| not_extensible(e, "an alias")));
                    continue;
                }
                None if module.is_none() && super::references::BUILTIN_TYPES.contains(&name) => {
                    errors.extend(
                        extensions
                            .iter()
                            .map(|e| not_extensible(e, "a built-in type")),
                    );
                    continue;
                }
                None => continue,
            }
            for field in extensions.iter().flat_map(|e| &e.fields) {
                insert(&mut seen, "field", &field.name, errors);
            }
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

fn not_extensible(extension: &TypeExtension, what: &'static str) -> ResolveError {
    ResolveError::NotExtensible {
        name: extension.target.dotted(),
        what,
        span: extension.target.span,
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
        // `extend type okta.UserProfile` defines no name.
        let is_item = crate::syntax::ITEM_KEYWORDS.contains(&keyword)
            && keyword != "extend"
            && line.starts_with(keyword);
        if is_item { words.next() } else { None }
    })
}

/// Whether a flow has a `when schedule` trigger.
pub(super) fn is_scheduled(flow: &Flow) -> bool {
    flow.triggers
        .iter()
        .any(|t| matches!(t.kind, TriggerKind::Schedule { .. }))
}

/// Whether a flow can be run by `call`.
pub(super) fn is_callable(flow: &Flow) -> bool {
    flow.triggers
        .iter()
        .any(|t| matches!(t.kind, TriggerKind::Called { .. }))
}
