//! Checking every reference of one file against the project's definitions:
//! connectors and their imports, events, actions, types, flows and configs.

use std::collections::BTreeSet;

use super::calls::CallGraph;
use super::error::ResolveError;
use super::symbols::{Symbols, is_callable};
use crate::diagnostics::suggest::did_you_mean;
use crate::project::{Origin, ProjectFile};
use crate::source::Span;
use crate::stdlib;
use crate::syntax::ast::{
    Block, ConnectorMember, EventRef, EventRefKind, Expr, ExprKind, FieldDecl, Ident, Item,
    LetValue, Param, Path, StmtKind, TestStmtKind, TriggerKind, TypeDefBody, TypeExpr,
    TypeExprKind, visit,
};

/// Types every file may use.
pub(super) const BUILTIN_TYPES: &[&str] = &[
    "String", "Int", "Float", "Bool", "Time", "Duration", "Json", "Secret", "List", "Map",
];

/// Checks the references of one file.
pub(super) struct FileChecker<'a, 'p> {
    symbols: &'a Symbols<'p>,
    file: &'p ProjectFile,
    /// The stdlib module this file is, if it is one.
    module: Option<&'p str>,
    /// Connectors and modules this file may use without qualification issues.
    visible: BTreeSet<&'p str>,
    /// The flow being checked, for the call graph.
    current_flow: Option<&'p str>,
    calls: &'a mut CallGraph<'p>,
    errors: &'a mut Vec<ResolveError>,
}

impl<'a, 'p> FileChecker<'a, 'p> {
    pub(super) fn new(
        symbols: &'a Symbols<'p>,
        file: &'p ProjectFile,
        module: Option<&'p str>,
        calls: &'a mut CallGraph<'p>,
        errors: &'a mut Vec<ResolveError>,
    ) -> Self {
        let mut visible: BTreeSet<&str> = module.into_iter().collect();
        for item in &file.parsed.module.items {
            match item {
                Item::Import(import) => {
                    visible.insert(&import.name.name);
                }
                Item::Connector(connector) => {
                    visible.insert(&connector.name.name);
                }
                _ => {}
            }
        }
        Self {
            symbols,
            file,
            module,
            visible,
            current_flow: None,
            calls,
            errors,
        }
    }

    pub(super) fn check(mut self) {
        let file = self.file;
        for item in &file.parsed.module.items {
            self.current_flow = match item {
                Item::Flow(flow) => Some(flow.name.name.as_str()),
                _ => None,
            };
            self.item(item);
            visit::exprs(item, &mut |expr| self.expr(expr));
            visit::blocks(item, &mut |block| self.block(block));
        }
    }

    fn item(&mut self, item: &'p Item) {
        match item {
            Item::Import(import) => self.import(&import.name),
            Item::Config(config) => self.type_expr(&config.ty),
            Item::Type(ty) => match &ty.body {
                TypeDefBody::Record(fields) => self.fields(fields),
                TypeDefBody::Alias(alias) => self.type_expr(alias),
            },
            Item::Extend(extension) => {
                self.type_name(&extension.target);
                self.fields(&extension.fields);
            }
            Item::Fn(function) => {
                self.params(&function.params);
                self.type_expr(&function.ret);
                for binding in &function.lets {
                    if let Some(ty) = &binding.ty {
                        self.type_expr(ty);
                    }
                }
            }
            Item::Connector(connector) => {
                for member in &connector.members {
                    match member {
                        ConnectorMember::Setting(_) | ConnectorMember::Retry(_) => {}
                        ConnectorMember::Action(action) => {
                            self.params(&action.params);
                            if let Some(ret) = &action.ret {
                                self.type_expr(ret);
                            }
                        }
                        ConnectorMember::Event(event) => self.type_expr(&event.ty),
                    }
                }
            }
            Item::Flow(flow) => {
                for trigger in &flow.triggers {
                    match &trigger.kind {
                        TriggerKind::Event { event, .. } => self.event_ref(event),
                        TriggerKind::Webhook { body_type, .. } => {
                            if let Some(ty) = body_type {
                                self.type_expr(ty);
                            }
                        }
                        TriggerKind::Called { params, ret } => {
                            self.params(params);
                            if let Some(ret) = ret {
                                self.type_expr(ret);
                            }
                        }
                        TriggerKind::Schedule { .. } => {}
                    }
                }
            }
            Item::Test(test) => {
                for stmt in &test.stmts {
                    self.test_stmt(&stmt.kind);
                }
            }
        }
    }

    fn test_stmt(&mut self, stmt: &'p TestStmtKind) {
        match stmt {
            TestStmtKind::GivenEvent { event, .. } => self.event_ref(event),
            TestStmtKind::GivenConfig { name, .. } => {
                if !self.symbols.configs.contains_key(name.name.as_str()) {
                    self.errors.push(ResolveError::UnknownConfig {
                        name: name.name.clone(),
                        span: name.span,
                        suggestion: suggestion(&name.name, self.symbols.configs.keys().copied()),
                    });
                }
            }
            TestStmtKind::GivenCall { action, .. } => self.action_path(action),
            TestStmtKind::GivenSchedule { flow } => self.scheduled_flow(flow),
            TestStmtKind::GivenWebhook { path, .. } => self.webhook_path(path),
            TestStmtKind::Expect { expected, .. } => self.expected(&expected.target),
            TestStmtKind::ExpectInOrder { calls } => {
                calls.iter().for_each(|call| self.expected(&call.target))
            }
            TestStmtKind::GivenNow { .. }
            | TestStmtKind::Advance { .. }
            | TestStmtKind::ExpectRun { .. } => {}
        }
    }

    /// `expect name` names a flow; `expect c.a` an action.
    fn expected(&mut self, target: &Path) {
        match target.segments.as_slice() {
            [flow] => {
                if !self.symbols.flows.contains_key(flow.name.as_str()) {
                    self.unknown_flow(flow);
                }
            }
            _ => self.action_path(target),
        }
    }

    fn import(&mut self, name: &Ident) {
        let importable = self.symbols.importable();
        if !importable.contains(&name.name.as_str()) {
            self.errors.push(ResolveError::UnknownImport {
                name: name.name.clone(),
                span: name.span,
                suggestion: suggestion(&name.name, importable.iter().copied()),
                known: importable.iter().map(|n| (*n).to_owned()).collect(),
            });
        }
    }

    // ------------------------------------------------------------ events ---

    fn event_ref(&mut self, event: &EventRef) {
        match &event.kind {
            EventRefKind::Named(path) => match path.segments.as_slice() {
                [connector, name] => {
                    let Some(declared) = self.connector(connector) else { return };
                    let events: Vec<&str> = declared
                        .members
                        .iter()
                        .filter_map(|m| match m {
                            ConnectorMember::Event(e) => Some(e.name.name.as_str()),
                            _ => None,
                        })
                        .collect();
                    if !events.contains(&name.name.as_str()) {
                        self.errors.push(ResolveError::UnknownEvent {
                            connector: connector.name.clone(),
                            name: path.dotted(),
                            span: name.span,
                            suggestion: suggestion(&name.name, events.iter().copied()),
                            help: None,
                        });
                    }
                }
                _ => self.errors.push(ResolveError::UnknownEvent {
                    connector: path.dotted(),
                    name: path.dotted(),
                    span: path.span,
                    suggestion: None,
                    help: Some("an event is written `connector.event`, as in `okta.user_created`, or `okta.event(\"user.lifecycle.create\")` by the provider's name".to_owned()),
                }),
            },
            EventRefKind::Raw { connector, name } => {
                if self.connector(connector).is_none() || connector.name != "okta" {
                    return;
                }
                // A name a couple of edits from a catalogued one is a typo:
                // an error. Another may be a type Okta added after the
                // bundled catalogue: the `unknown-event-type` lint warns.
                if !stdlib::is_okta_event_type(&name.value)
                    && let Some(near) = stdlib::okta_event_type_near(&name.value)
                {
                    self.errors.push(ResolveError::UnknownEvent {
                        connector: connector.name.clone(),
                        name: name.value.clone(),
                        span: name.span,
                        suggestion: Some(near.to_owned()),
                        help: Some("Okta's System Log event types are listed at https://developer.okta.com/docs/reference/api/event-types/".to_owned()),
                    });
                }
            }
        }
    }

    /// The connector `name` names, reporting an unknown or unimported one.
    fn connector(&mut self, name: &Ident) -> Option<&'p crate::syntax::ast::Connector> {
        let Some(connector) = self.symbols.connectors.get(name.name.as_str()).copied() else {
            self.errors.push(ResolveError::UnknownConnector {
                name: name.name.clone(),
                span: name.span,
                suggestion: suggestion(&name.name, self.symbols.connectors.keys().copied()),
            });
            return None;
        };
        if !self.visible.contains(name.name.as_str()) {
            self.errors.push(ResolveError::NotImported {
                name: name.name.clone(),
                span: name.span,
                insert_at: Span::new(self.file.file, 0, 0),
            });
        }
        Some(connector)
    }

    /// `connector.action` in a test.
    fn action_path(&mut self, path: &Path) {
        if let [connector, action] = path.segments.as_slice()
            && let Some(declared) = self.connector(connector)
        {
            self.action(declared, action);
        }
    }

    fn action(&mut self, connector: &crate::syntax::ast::Connector, action: &Ident) {
        let actions: Vec<&str> = connector
            .members
            .iter()
            .filter_map(|m| match m {
                ConnectorMember::Action(a) => Some(a.name.name.as_str()),
                _ => None,
            })
            .collect();
        if !actions.contains(&action.name.as_str()) {
            self.errors.push(ResolveError::UnknownAction {
                connector: connector.name.name.clone(),
                name: action.name.clone(),
                span: action.span,
                suggestion: suggestion(&action.name, actions.iter().copied()),
                declared: connector.name.span,
            });
        }
    }

    /// `given schedule name` names a flow with a `when schedule` trigger.
    fn scheduled_flow(&mut self, name: &Ident) {
        match self.symbols.flows.get(name.name.as_str()) {
            None => self.unknown_flow(name),
            Some(flow) if !super::symbols::is_scheduled(flow) => {
                self.errors.push(ResolveError::NotScheduled {
                    name: name.name.clone(),
                    span: name.span,
                    declared: flow.name.span,
                });
            }
            Some(_) => {}
        }
    }

    fn webhook_path(&mut self, path: &crate::syntax::ast::Text) {
        let paths: Vec<&str> = self
            .symbols
            .flows
            .values()
            .flat_map(|flow| &flow.triggers)
            .filter_map(|trigger| match &trigger.kind {
                crate::syntax::ast::TriggerKind::Webhook { path, .. } => Some(path.value.as_str()),
                _ => None,
            })
            .collect();
        if !paths.contains(&path.value.as_str()) {
            self.errors.push(ResolveError::NoWebhook {
                path: path.value.clone(),
                span: path.span,
                suggestion: suggestion(&path.value, paths),
            });
        }
    }

    fn unknown_flow(&mut self, flow: &Ident) {
        self.errors.push(ResolveError::UnknownFlow {
            name: flow.name.clone(),
            span: flow.span,
            suggestion: suggestion(&flow.name, self.symbols.flows.keys().copied()),
        });
    }

    // ------------------------------------------------------------- types ---

    fn type_expr(&mut self, ty: &TypeExpr) {
        match &ty.kind {
            TypeExprKind::Record(fields) => self.fields(fields),
            TypeExprKind::Named { name, args } => {
                self.type_name(name);
                for arg in args {
                    self.type_expr(arg);
                }
            }
        }
    }

    fn fields(&mut self, fields: &[FieldDecl]) {
        for field in fields {
            self.type_expr(&field.ty);
        }
    }

    fn params(&mut self, params: &[Param]) {
        for param in params {
            self.type_expr(&param.ty);
        }
    }

    fn type_name(&mut self, path: &Path) {
        match path.segments.as_slice() {
            [name] => {
                let own_module = self.module.and_then(|m| self.symbols.module_types.get(m));
                let known = BUILTIN_TYPES.contains(&name.name.as_str())
                    || (self.file.origin == Origin::Project
                        && self.symbols.types.contains_key(name.name.as_str()))
                    || own_module.is_some_and(|types| types.contains_key(name.name.as_str()));
                if !known {
                    // A stdlib type written without its module: suggest the qualified name.
                    let qualified = self
                        .symbols
                        .module_types
                        .iter()
                        .find(|(_, types)| types.contains_key(name.name.as_str()))
                        .map(|(module, _)| format!("{module}.{}", name.name));
                    let candidates = BUILTIN_TYPES
                        .iter()
                        .copied()
                        .chain(self.symbols.types.keys().copied());
                    self.errors.push(ResolveError::UnknownType {
                        name: name.name.clone(),
                        span: name.span,
                        suggestion: qualified.or_else(|| suggestion(&name.name, candidates)),
                    });
                }
            }
            [module, name] => {
                let Some(types) = self.symbols.module_types.get(module.name.as_str()) else {
                    self.errors.push(ResolveError::UnknownType {
                        name: path.dotted(),
                        span: path.span,
                        suggestion: None,
                    });
                    return;
                };
                if !self.visible.contains(module.name.as_str()) {
                    self.errors.push(ResolveError::NotImported {
                        name: module.name.clone(),
                        span: module.span,
                        insert_at: Span::new(self.file.file, 0, 0),
                    });
                }
                if !types.contains_key(name.name.as_str()) {
                    self.errors.push(ResolveError::UnknownType {
                        name: path.dotted(),
                        span: name.span,
                        suggestion: suggestion(&name.name, types.keys().copied())
                            .map(|t| format!("{}.{t}", module.name)),
                    });
                }
            }
            _ => self.errors.push(ResolveError::UnknownType {
                name: path.dotted(),
                span: path.span,
                suggestion: None,
            }),
        }
    }

    // ----------------------------------------------- statements, expressions ---

    /// What a block's own statements name: the types of `let`s and the
    /// events of `wait for`. Nested blocks come through `visit::blocks`.
    fn block(&mut self, block: &Block) {
        for stmt in &block.stmts {
            match &stmt.kind {
                StmtKind::Let { ty, value, .. } => {
                    if let Some(ty) = ty {
                        self.type_expr(ty);
                    }
                    if let LetValue::WaitFor(wait) = value {
                        self.event_ref(&wait.event);
                    }
                }
                StmtKind::WaitFor(wait) => self.event_ref(&wait.event),
                _ => {}
            }
        }
    }

    /// One expression node; `visit::exprs` reaches the ones inside it.
    fn expr(&mut self, expr: &'p Expr) {
        match &expr.kind {
            // `c.a(…)` where `c` is a connector: the action must exist.
            ExprKind::Call { callee, .. } => {
                if let ExprKind::Field {
                    base,
                    name,
                    safe: false,
                } = &callee.kind
                    && let ExprKind::Name { name: connector } = &base.kind
                    && self.symbols.connectors.contains_key(connector.as_str())
                {
                    let ident = Ident {
                        name: connector.clone(),
                        span: base.span,
                    };
                    if let Some(declared) = self.connector(&ident) {
                        self.action(declared, name);
                    }
                }
            }
            ExprKind::FlowCall { flow, .. } => match self.symbols.flows.get(flow.name.as_str()) {
                None => self.unknown_flow(flow),
                Some(callee) if !is_callable(callee) => {
                    self.errors.push(ResolveError::NotCallable {
                        name: flow.name.clone(),
                        span: flow.span,
                        declared: callee.name.span,
                    })
                }
                Some(_) => {
                    if let Some(caller) = self.current_flow {
                        self.calls.add(caller, &flow.name, flow.span);
                    }
                }
            },
            _ => {}
        }
    }
}

fn suggestion<'s>(name: &str, candidates: impl IntoIterator<Item = &'s str>) -> Option<String> {
    did_you_mean(name, candidates).map(str::to_owned)
}
