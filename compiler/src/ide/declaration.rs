//! From the span of a declared name back to its declaration, for hovers,
//! signatures and completions.

use crate::project::Project;
use crate::source::Span;
use crate::syntax::ast::{
    ActionDecl, Config, Connector, ConnectorMember, EventDecl, FieldDecl, Flow, FnDef, Item, Param,
    TypeDef, TypeDefBody,
};

/// A declaration, found by the span of its name.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Declaration<'p> {
    Config(&'p Config),
    Function(&'p FnDef),
    Flow(&'p Flow),
    Connector(&'p Connector),
    Action(&'p Connector, &'p ActionDecl),
    Event(&'p Connector, &'p EventDecl),
    Type(&'p TypeDef),
    Field(&'p FieldDecl),
    Param(&'p ActionDecl, &'p Param),
}

/// The declaration whose name is written at `def`.
pub(crate) fn declaration(project: &Project, def: Span) -> Option<Declaration<'_>> {
    let file = project.file(def.file)?;
    let item = file
        .parsed
        .module
        .items
        .iter()
        .find(|item| contains(item.span(), def))?;
    match item {
        Item::Config(config) if config.name.span == def => Some(Declaration::Config(config)),
        Item::Fn(function) if function.name.span == def => Some(Declaration::Function(function)),
        Item::Flow(flow) if flow.name.span == def => Some(Declaration::Flow(flow)),
        Item::Type(ty) if ty.name.span == def => Some(Declaration::Type(ty)),
        Item::Type(ty) => match &ty.body {
            TypeDefBody::Record(fields) => fields
                .iter()
                .find(|f| f.name.span == def)
                .map(Declaration::Field),
            TypeDefBody::Alias(_) => None,
        },
        Item::Extend(extension) => extension
            .fields
            .iter()
            .find(|f| f.name.span == def)
            .map(Declaration::Field),
        Item::Connector(connector) if connector.name.span == def => {
            Some(Declaration::Connector(connector))
        }
        Item::Connector(connector) => connector.members.iter().find_map(|m| match m {
            ConnectorMember::Action(action) if action.name.span == def => {
                Some(Declaration::Action(connector, action))
            }
            ConnectorMember::Action(action) => action
                .params
                .iter()
                .find(|p| p.name.span == def)
                .map(|p| Declaration::Param(action, p)),
            ConnectorMember::Event(event) if event.name.span == def => {
                Some(Declaration::Event(connector, event))
            }
            _ => None,
        }),
        _ => None,
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}
