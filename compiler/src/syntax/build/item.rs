//! Top-level items and connector members.

use pest::iterators::Pair;

use super::{Builder, Children, children};
use crate::source::Span;
use crate::syntax::ast::{
    ActionDecl, ActionKind, Config, Connector, ConnectorMember, Doc, EventDecl, Expr, Flow, FnDef,
    HttpMapping, HttpMethod, Import, Item, LetBinding, MissedPolicy, Pagination, RetrySetting,
    Setting, Trigger, TriggerKind, TypeDef, TypeDefBody, TypeExtension,
};
use crate::syntax::error::SyntaxError;
use crate::syntax::parser::Rule;

/// Builds the items of one parsed chunk; items that cannot be built are
/// reported and left out.
pub(in crate::syntax) fn build_chunk(builder: &Builder, chunk: Pair<'_, Rule>) -> Vec<Item> {
    let mut items = Vec::new();
    for pair in children(chunk) {
        if pair.as_rule() == Rule::EOI {
            continue;
        }
        let span = builder.span(&pair);
        let reported_before = builder.diagnostics.borrow().len();
        match builder.item(pair) {
            Some(item) => items.push(item),
            // The item is missing because of an error it reported.
            None if builder.diagnostics.borrow().len() > reported_before => {}
            None => builder.report(SyntaxError::Internal { span }),
        }
    }
    items
}

impl Builder {
    fn item(&self, pair: Pair<'_, Rule>) -> Option<Item> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut parts = Children::new(pair);
        let doc = parts.take(Rule::doc).map(|d| self.doc(d));
        Some(match rule {
            Rule::import_item => Item::Import(Import {
                doc,
                name: self.ident(parts.next()?),
                span,
            }),
            Rule::config_item => {
                let name = self.ident(parts.next()?);
                let ty = self.type_expr(parts.next()?)?;
                let default = match parts.next() {
                    Some(value) => Some(self.expr(value)?.0),
                    None => None,
                };
                Item::Config(Config {
                    doc,
                    name,
                    ty,
                    default,
                    span,
                })
            }
            Rule::type_item => {
                let name = self.ident(parts.next()?);
                let body_pair = parts.next()?;
                let body = match body_pair.as_rule() {
                    Rule::record_type => TypeDefBody::Record(self.field_decls(body_pair)?),
                    _ => TypeDefBody::Alias(self.type_expr(children(body_pair).next()?)?),
                };
                Item::Type(TypeDef {
                    doc,
                    name,
                    body,
                    span,
                })
            }
            Rule::extend_item => Item::Extend(TypeExtension {
                doc,
                target: self.path(parts.next()?)?,
                fields: self.field_decls(parts.next()?)?,
                span,
            }),
            Rule::fn_item => {
                let name = self.ident(parts.next()?);
                let params = self.params(parts.next()?)?;
                let ret = self.type_expr(children(parts.next()?).next()?)?;
                let (lets, body) = self.fn_body(parts.next()?)?;
                Item::Fn(FnDef {
                    doc,
                    name,
                    params,
                    ret,
                    lets,
                    body,
                    span,
                })
            }
            Rule::connector_item => {
                let name = self.ident(parts.next()?);
                let members = std::iter::from_fn(|| parts.next())
                    .map(|m| self.connector_member(m))
                    .collect::<Option<_>>()?;
                Item::Connector(Connector {
                    doc,
                    name,
                    members,
                    span,
                })
            }
            Rule::flow_item => Item::Flow(self.flow(doc, parts, span)?),
            Rule::test_item => Item::Test(self.test(doc, parts, span)?),
            _ => return None,
        })
    }

    fn fn_body(&self, pair: Pair<'_, Rule>) -> Option<(Vec<LetBinding>, Expr)> {
        let mut lets = Vec::new();
        let mut result = None;
        for part in children(pair) {
            if part.as_rule() == Rule::let_binding {
                let span = self.span(&part);
                let mut inner = Children::new(part);
                let name = self.ident(inner.next()?);
                let ty = match inner.take(Rule::type_expr) {
                    Some(ty) => Some(self.type_expr(ty)?),
                    None => None,
                };
                let value = self.expr(inner.next()?)?.0;
                lets.push(LetBinding {
                    name,
                    ty,
                    value,
                    span,
                });
            } else {
                result = Some(self.expr(part)?.0);
            }
        }
        Some((lets, result?))
    }

    fn connector_member(&self, pair: Pair<'_, Rule>) -> Option<ConnectorMember> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut parts = Children::new(pair);
        let doc = parts.take(Rule::doc).map(|d| self.doc(d));
        Some(match rule {
            Rule::setting => ConnectorMember::Setting(Setting {
                doc,
                key: self.ident(parts.next()?),
                value: self.expr(parts.next()?)?.0,
                span,
            }),
            Rule::retry_setting => ConnectorMember::Retry(RetrySetting {
                doc,
                policy: self.retry_policy(parts.next()?)?,
                span,
            }),
            Rule::event_decl => ConnectorMember::Event(EventDecl {
                doc,
                name: self.ident(parts.next()?),
                provider_name: self.text(parts.next()?, "an event name")?,
                ty: self.type_expr(parts.next()?)?,
                span,
            }),
            Rule::action_decl => {
                let kind = match parts.take(Rule::action_kind) {
                    Some(kind) if kind.as_str().starts_with("read") => ActionKind::Read,
                    Some(_) => ActionKind::Destructive,
                    None => ActionKind::Write,
                };
                let name = self.ident(parts.next()?);
                let params = self.params(parts.next()?)?;
                let ret = match parts.take(Rule::return_type) {
                    Some(ret) => Some(self.type_expr(children(ret).next()?)?),
                    None => None,
                };
                let http = match parts.next() {
                    Some(mapping) => Some(self.http_mapping(mapping)?),
                    None => None,
                };
                ConnectorMember::Action(Box::new(ActionDecl {
                    doc,
                    kind,
                    name,
                    params,
                    ret,
                    http,
                    span,
                }))
            }
            _ => return None,
        })
    }

    fn http_mapping(&self, pair: Pair<'_, Rule>) -> Option<HttpMapping> {
        let span = self.span(&pair);
        let mut parts = Children::new(pair);
        let method = match parts.next()?.as_str() {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "PATCH" => HttpMethod::Patch,
            _ => HttpMethod::Delete,
        };
        let path = self.string(parts.next()?, &mut 0)?;
        let mut mapping = HttpMapping {
            method,
            path,
            query: None,
            headers: None,
            body: None,
            paginate: None,
            span,
        };
        for clause in std::iter::from_fn(|| parts.next()) {
            let rule = clause.as_rule();
            let mut inner = Children::new(clause);
            match rule {
                Rule::http_query => mapping.query = Some(self.record(inner.next()?)?.0),
                Rule::http_headers => mapping.headers = Some(self.record(inner.next()?)?.0),
                Rule::http_body => mapping.body = Some(self.expr(inner.next()?)?.0),
                Rule::http_paginate => {
                    let style_pair = inner.next()?;
                    let paginate_span = self.span(&style_pair);
                    let style = self.ident(style_pair);
                    let args = match inner.next() {
                        Some(args) => Some(self.call_args(args)?.0),
                        None => None,
                    };
                    mapping.paginate = Some(Pagination {
                        style,
                        args,
                        span: paginate_span,
                    });
                }
                _ => return None,
            }
        }
        Some(mapping)
    }

    fn flow(&self, doc: Option<Doc>, mut parts: Children<'_>, span: Span) -> Option<Flow> {
        let name = self.ident(parts.next()?);
        let mut triggers = Vec::new();
        while let Some(trigger) = parts.take(Rule::trigger) {
            triggers.push(self.trigger(trigger)?);
        }
        let condition = match parts.take(Rule::where_clause) {
            Some(clause) => Some(self.expr(children(clause).next()?)?.0),
            None => None,
        };
        let body = self.block(children(parts.take(Rule::then_clause)?).next()?)?;
        let on_error = match parts.take(Rule::error_handler) {
            Some(handler) => Some(self.error_handler(handler)?),
            None => None,
        };
        Some(Flow {
            doc,
            name,
            triggers,
            condition,
            body,
            on_error,
            span,
        })
    }

    fn trigger(&self, pair: Pair<'_, Rule>) -> Option<Trigger> {
        let span = self.span(&pair);
        let inner = children(pair).next()?;
        let rule = inner.as_rule();
        let mut parts = Children::new(inner);
        let kind = match rule {
            Rule::event_trigger => TriggerKind::Event {
                event: self.event_ref(parts.next()?)?,
                binding: parts.next().map(|b| self.ident(b)),
            },
            Rule::schedule_trigger => {
                let cron = self.text(parts.next()?, "a cron expression")?;
                let tz = match parts.take(Rule::string) {
                    Some(tz) => Some(self.text(tz, "a time zone")?),
                    None => None,
                };
                let missed = parts.take(Rule::missed_policy).map(|policy| {
                    match policy.as_str().ends_with("skip") {
                        true => MissedPolicy::Skip,
                        false => MissedPolicy::Once,
                    }
                });
                TriggerKind::Schedule { cron, tz, missed }
            }
            Rule::webhook_trigger => {
                let path = self.text(parts.next()?, "a webhook path")?;
                let binding = parts.take(Rule::ident).map(|b| self.ident(b));
                let body_type = match parts.next() {
                    Some(ty) => Some(self.type_expr(ty)?),
                    None => None,
                };
                TriggerKind::Webhook {
                    path,
                    binding,
                    body_type,
                }
            }
            Rule::called_trigger => {
                let params = self.params(parts.next()?)?;
                let ret = match parts.next() {
                    Some(ret) => Some(self.type_expr(children(ret).next()?)?),
                    None => None,
                };
                TriggerKind::Called { params, ret }
            }
            _ => return None,
        };
        Some(Trigger { kind, span })
    }
}
