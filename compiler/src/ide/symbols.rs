//! The outline of a file: its items, and inside connectors their actions
//! and events, inside types their fields.

use crate::project::ProjectFile;
use crate::source::Span;
use crate::syntax::ast::{ConnectorMember, FieldDecl, Item, TypeDefBody};

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineKind {
    /// `import`.
    Import,
    /// `config`.
    Config,
    /// `type`.
    Type,
    /// A field of a type.
    Field,
    /// `fn`.
    Function,
    /// `connector`.
    Connector,
    /// An action of a connector.
    Action,
    /// An event of a connector.
    Event,
    /// `flow`.
    Flow,
    /// `test`.
    Test,
}

/// One entry of a file's outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: OutlineKind,
    /// The whole declaration.
    pub span: Span,
    /// Its name in the declaration.
    pub selection: Span,
    /// Entries inside it.
    pub children: Vec<DocumentSymbol>,
}

fn entry(name: &str, kind: OutlineKind, span: Span, selection: Span) -> DocumentSymbol {
    DocumentSymbol {
        name: name.to_owned(),
        kind,
        span,
        selection,
        children: Vec::new(),
    }
}

fn field_entries(fields: &[FieldDecl]) -> Vec<DocumentSymbol> {
    fields
        .iter()
        .map(|f| entry(&f.name.name, OutlineKind::Field, f.span, f.name.span))
        .collect()
}

/// The outline of a parsed file, in source order.
pub fn document_symbols(file: &ProjectFile) -> Vec<DocumentSymbol> {
    file.parsed.module.items.iter().map(item).collect()
}

fn item(item: &Item) -> DocumentSymbol {
    match item {
        Item::Import(i) => entry(&i.name.name, OutlineKind::Import, i.span, i.name.span),
        Item::Config(c) => entry(&c.name.name, OutlineKind::Config, c.span, c.name.span),
        Item::Fn(f) => entry(&f.name.name, OutlineKind::Function, f.span, f.name.span),
        Item::Flow(f) => entry(&f.name.name, OutlineKind::Flow, f.span, f.name.span),
        Item::Test(t) => entry(&t.name.value, OutlineKind::Test, t.span, t.name.span),
        Item::Type(t) => {
            let mut symbol = entry(&t.name.name, OutlineKind::Type, t.span, t.name.span);
            if let TypeDefBody::Record(fields) = &t.body {
                symbol.children = field_entries(fields);
            }
            symbol
        }
        Item::Extend(e) => {
            let name = format!("extend {}", e.target.dotted());
            let mut symbol = entry(&name, OutlineKind::Type, e.span, e.target.span);
            symbol.children = field_entries(&e.fields);
            symbol
        }
        Item::Connector(c) => {
            let mut symbol = entry(&c.name.name, OutlineKind::Connector, c.span, c.name.span);
            symbol.children = c
                .members
                .iter()
                .filter_map(|m| match m {
                    ConnectorMember::Action(a) => Some(entry(
                        &a.name.name,
                        OutlineKind::Action,
                        a.span,
                        a.name.span,
                    )),
                    ConnectorMember::Event(e) => {
                        Some(entry(&e.name.name, OutlineKind::Event, e.span, e.name.span))
                    }
                    _ => None,
                })
                .collect();
            symbol
        }
    }
}
