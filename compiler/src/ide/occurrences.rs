//! Every name written in a file, with the definition it refers to: the one
//! table behind go to definition, find references, rename, highlighting and
//! semantic tokens.
//!
//! A definition is identified by the span of its name where it is declared:
//! two occurrences refer to the same thing exactly when their `def` spans
//! are equal, across files and into the stdlib.

use crate::project::{Project, ProjectFile};
use crate::resolve::Symbols;
use crate::source::Span;
use crate::syntax::ast::{
    Arg, Block, ConnectorMember, EventRef, EventRefKind, ExpectedCall, Expr, ExprKind, FieldDecl,
    Ident, Item, LetValue, Path, StmtKind, StringPart, TestStmtKind, TriggerKind, TypeDefBody,
    TypeExpr, TypeExprKind,
};
use crate::types::{Type, TypeTable};

/// What kind of thing a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A local value: an event binding, a parameter, a `let`, a loop variable.
    Local,
    /// A `config`.
    Config,
    /// A `fn`.
    Function,
    /// A `flow`.
    Flow,
    /// A `connector`.
    Connector,
    /// An action of a connector.
    Action,
    /// An event of a connector.
    Event,
    /// A `type`.
    Type,
    /// A field of a record type.
    Field,
    /// A parameter of an action, named in a call.
    Param,
}

/// One name written in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Where the name is written.
    pub span: Span,
    /// Where the thing it names is declared (its name there).
    pub def: Span,
    /// What it names.
    pub kind: SymbolKind,
    /// Whether it is a record key written alone, `{ login }`, standing for
    /// `{ login: login }`: renaming it must keep the key.
    pub shorthand: bool,
}

impl Occurrence {
    /// Whether this occurrence is the declaration itself.
    pub fn is_definition(&self) -> bool {
        self.span == self.def
    }
}

/// Every occurrence of a name in `file`, in source order.
pub fn occurrences(project: &Project, table: &TypeTable, file: &ProjectFile) -> Vec<Occurrence> {
    let symbols = Symbols::collect(project, &mut Vec::new());
    let module = project.stdlib_module(file.file);
    let mut walker = Walker {
        symbols: &symbols,
        table,
        module,
        out: Vec::new(),
    };
    for item in &file.parsed.module.items {
        walker.item(item);
    }
    walker.out.sort_by_key(|o| (o.span.start, o.span.end));
    walker.out.dedup();
    walker.out
}

struct Walker<'a, 'p> {
    symbols: &'a Symbols<'p>,
    table: &'a TypeTable,
    module: Option<&'a str>,
    out: Vec<Occurrence>,
}

impl Walker<'_, '_> {
    fn push(&mut self, span: Span, def: Span, kind: SymbolKind) {
        self.out.push(Occurrence {
            span,
            def,
            kind,
            shorthand: false,
        });
    }

    fn define(&mut self, name: &Ident, kind: SymbolKind) {
        self.push(name.span, name.span, kind);
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Import(import) => self.module_name(&import.name),
            Item::Config(config) => {
                self.define(&config.name, SymbolKind::Config);
                self.ty(&config.ty);
                config.default.iter().for_each(|e| self.expr(e));
            }
            Item::Type(def) => {
                self.define(&def.name, SymbolKind::Type);
                match &def.body {
                    TypeDefBody::Record(fields) => self.fields(fields),
                    TypeDefBody::Alias(alias) => self.ty(alias),
                }
            }
            Item::Extend(extension) => {
                self.type_path(&extension.target);
                self.fields(&extension.fields);
            }
            Item::Fn(function) => {
                self.define(&function.name, SymbolKind::Function);
                for param in &function.params {
                    self.define(&param.name, SymbolKind::Local);
                    self.ty(&param.ty);
                }
                self.ty(&function.ret);
                for binding in &function.lets {
                    self.define(&binding.name, SymbolKind::Local);
                    binding.ty.iter().for_each(|t| self.ty(t));
                    self.expr(&binding.value);
                }
                self.expr(&function.body);
            }
            Item::Connector(connector) => self.connector(connector),
            Item::Flow(flow) => {
                self.define(&flow.name, SymbolKind::Flow);
                for trigger in &flow.triggers {
                    self.trigger(&trigger.kind);
                }
                flow.condition.iter().for_each(|c| self.expr(c));
                self.block(&flow.body);
                if let Some(handler) = &flow.on_error {
                    handler
                        .binding
                        .iter()
                        .for_each(|b| self.define(b, SymbolKind::Local));
                    self.block(&handler.body);
                }
            }
            Item::Test(test) => {
                for stmt in &test.stmts {
                    self.test_stmt(&stmt.kind);
                }
            }
        }
    }

    fn connector(&mut self, connector: &crate::syntax::ast::Connector) {
        self.define(&connector.name, SymbolKind::Connector);
        for member in &connector.members {
            match member {
                ConnectorMember::Action(action) => {
                    self.define(&action.name, SymbolKind::Action);
                    for param in &action.params {
                        self.define(&param.name, SymbolKind::Param);
                        self.ty(&param.ty);
                    }
                    action.ret.iter().for_each(|t| self.ty(t));
                }
                ConnectorMember::Event(event) => {
                    self.define(&event.name, SymbolKind::Event);
                    self.ty(&event.ty);
                }
                ConnectorMember::Setting(setting) => self.expr(&setting.value),
                ConnectorMember::Retry(_) => {}
            }
        }
    }

    fn trigger(&mut self, kind: &TriggerKind) {
        match kind {
            TriggerKind::Event { event, binding } => {
                self.event_ref(event);
                binding
                    .iter()
                    .for_each(|b| self.define(b, SymbolKind::Local));
            }
            TriggerKind::Webhook {
                binding, body_type, ..
            } => {
                binding
                    .iter()
                    .for_each(|b| self.define(b, SymbolKind::Local));
                body_type.iter().for_each(|t| self.ty(t));
            }
            TriggerKind::Called { params, ret } => {
                for param in params {
                    self.define(&param.name, SymbolKind::Local);
                    self.ty(&param.ty);
                    param.default.iter().for_each(|d| self.expr(d));
                }
                ret.iter().for_each(|t| self.ty(t));
            }
            TriggerKind::Schedule { .. } => {}
        }
    }

    fn block(&mut self, block: &Block) {
        for stmt in &block.stmts {
            match &stmt.kind {
                StmtKind::Let { name, ty, value } => {
                    self.define(name, SymbolKind::Local);
                    ty.iter().for_each(|t| self.ty(t));
                    match value {
                        LetValue::Expr(invocation) => self.invocation(invocation),
                        LetValue::WaitFor(wait) => self.wait_for(wait),
                    }
                }
                StmtKind::Expr(invocation) => self.invocation(invocation),
                StmtKind::If {
                    branches,
                    otherwise,
                } => {
                    for branch in branches {
                        self.expr(&branch.condition);
                        self.block(&branch.body);
                    }
                    otherwise.iter().for_each(|b| self.block(b));
                }
                StmtKind::For {
                    var, iter, body, ..
                } => {
                    self.define(var, SymbolKind::Local);
                    self.expr(iter);
                    self.block(body);
                }
                StmtKind::Parallel { body } => self.block(body),
                StmtKind::Wait { duration } => self.expr(duration),
                StmtKind::WaitUntil { time } => self.expr(time),
                StmtKind::WaitFor(wait) => self.wait_for(wait),
                StmtKind::Return { value } | StmtKind::Spawn { call: value } => self.expr(value),
                StmtKind::Stop { .. } => {}
            }
        }
    }

    fn invocation(&mut self, invocation: &crate::syntax::ast::Invocation) {
        self.expr(&invocation.expr);
        if let Some(handler) = &invocation.on_error {
            handler
                .binding
                .iter()
                .for_each(|b| self.define(b, SymbolKind::Local));
            self.block(&handler.body);
        }
    }

    fn wait_for(&mut self, wait: &crate::syntax::ast::WaitFor) {
        self.event_ref(&wait.event);
        wait.binding
            .iter()
            .for_each(|b| self.define(b, SymbolKind::Local));
        wait.condition.iter().for_each(|c| self.expr(c));
        self.expr(&wait.timeout);
    }

    fn test_stmt(&mut self, stmt: &TestStmtKind) {
        match stmt {
            TestStmtKind::GivenEvent { event, value } => {
                self.event_ref(event);
                self.expr(value);
            }
            TestStmtKind::GivenConfig { name, value } => {
                if let Some(def) = self.symbols.configs.get(name.name.as_str()) {
                    self.push(name.span, *def, SymbolKind::Config);
                }
                self.expr(value);
            }
            TestStmtKind::GivenNow { time } => self.expr(time),
            TestStmtKind::GivenWebhook { body, .. } => self.expr(body),
            TestStmtKind::GivenSchedule { flow } => {
                if let Some(def) = self.symbols.flows.get(flow.name.as_str()) {
                    self.push(flow.span, def.name.span, SymbolKind::Flow);
                }
            }
            TestStmtKind::Advance { by } => self.expr(by),
            TestStmtKind::GivenCall {
                action,
                args,
                outcome,
            } => {
                self.action_path(action, args.as_deref());
                if let crate::syntax::ast::GivenOutcome::Returns(value) = outcome {
                    self.expr(value);
                }
            }
            TestStmtKind::Expect { expected, .. } => self.expected(expected),
            TestStmtKind::ExpectInOrder { calls } => calls.iter().for_each(|c| self.expected(c)),
            TestStmtKind::ExpectRun { .. } => {}
        }
    }

    fn expected(&mut self, call: &ExpectedCall) {
        match call.target.segments.as_slice() {
            [flow] => {
                if let Some(def) = self.symbols.flows.get(flow.name.as_str()) {
                    self.push(flow.span, def.name.span, SymbolKind::Flow);
                }
                self.args(call.args.as_deref().unwrap_or_default());
            }
            _ => self.action_path(&call.target, call.args.as_deref()),
        }
    }

    /// `connector.action` with its named arguments.
    fn action_path(&mut self, path: &Path, args: Option<&[Arg]>) {
        if let [connector, action] = path.segments.as_slice() {
            self.action_call(connector, action, args.unwrap_or_default());
        } else {
            self.args(args.unwrap_or_default());
        }
    }

    fn action_call(&mut self, connector: &Ident, action: &Ident, args: &[Arg]) {
        let Some(declared) = self.symbols.connectors.get(connector.name.as_str()) else {
            self.args(args);
            return;
        };
        self.push(connector.span, declared.name.span, SymbolKind::Connector);
        let decl = declared.members.iter().find_map(|m| match m {
            ConnectorMember::Action(a) if a.name.name == action.name => Some(a),
            _ => None,
        });
        if let Some(decl) = decl {
            self.push(action.span, decl.name.span, SymbolKind::Action);
            for arg in args {
                let param = arg.name.as_ref().and_then(|n| {
                    decl.params
                        .iter()
                        .find(|p| p.name.name == n.name)
                        .zip(Some(n))
                });
                if let Some((param, name)) = param {
                    self.push(name.span, param.name.span, SymbolKind::Param);
                }
            }
        }
        self.args(args);
    }

    fn args(&mut self, args: &[Arg]) {
        args.iter().for_each(|a| self.expr(&a.value));
    }

    fn event_ref(&mut self, event: &EventRef) {
        let connector = match &event.kind {
            EventRefKind::Named(path) => {
                if let [connector, name] = path.segments.as_slice()
                    && let Some(declared) = self.symbols.connectors.get(connector.name.as_str())
                {
                    self.push(connector.span, declared.name.span, SymbolKind::Connector);
                    let decl = declared.members.iter().find_map(|m| match m {
                        ConnectorMember::Event(e) if e.name.name == name.name => Some(e),
                        _ => None,
                    });
                    if let Some(decl) = decl {
                        self.push(name.span, decl.name.span, SymbolKind::Event);
                    }
                }
                return;
            }
            EventRefKind::Raw { connector, .. } => connector,
        };
        self.module_name(connector);
    }

    /// A connector named alone: in an import or a raw event reference.
    fn module_name(&mut self, name: &Ident) {
        if let Some(declared) = self.symbols.connectors.get(name.name.as_str()) {
            self.push(name.span, declared.name.span, SymbolKind::Connector);
        }
    }

    fn fields(&mut self, fields: &[FieldDecl]) {
        for field in fields {
            self.define(&field.name, SymbolKind::Field);
            self.ty(&field.ty);
        }
    }

    fn ty(&mut self, written: &TypeExpr) {
        match &written.kind {
            TypeExprKind::Record(fields) => self.fields(fields),
            TypeExprKind::Named { name, args } => {
                args.iter().for_each(|a| self.ty(a));
                self.type_path(name);
            }
        }
    }

    /// A type's name: `User`, `okta.User`.
    fn type_path(&mut self, name: &Path) {
        let (module, last) = match name.segments.as_slice() {
            [only] => (self.module, only),
            [module, last] => {
                self.module_name(module);
                (Some(module.name.as_str()), last)
            }
            _ => return,
        };
        if let Some(def) = type_def(self.symbols, module, &last.name) {
            self.push(last.span, def, SymbolKind::Type);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Name { name } => self.name(name, expr.span),
            ExprKind::Field { base, name, .. } => {
                self.expr(base);
                let field = self
                    .table
                    .type_of(base.span)
                    .and_then(|ty| field_def(self.symbols, ty, &name.name));
                if let Some(def) = field {
                    self.push(name.span, def, SymbolKind::Field);
                }
            }
            ExprKind::Call { callee, args } => self.call(callee, args),
            ExprKind::FlowCall { flow, args } => {
                if let Some(def) = self.symbols.flows.get(flow.name.as_str()) {
                    self.push(flow.span, def.name.span, SymbolKind::Flow);
                }
                self.args(args);
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Paren { inner } => self.expr(inner),
            ExprKind::Lambda { params, body } => {
                params
                    .iter()
                    .for_each(|p| self.define(p, SymbolKind::Local));
                self.expr(body);
            }
            ExprKind::List { items } => items.iter().for_each(|i| self.expr(i)),
            ExprKind::Record(record) => {
                for entry in &record.entries {
                    match &entry.value {
                        Some(value) => self.expr(value),
                        // `{ login }` reads the name `login`.
                        None => {
                            self.name(&entry.key.name, entry.key.span);
                            if let Some(last) = self.out.last_mut()
                                && last.span == entry.key.span
                            {
                                last.shorthand = true;
                            }
                        }
                    }
                }
            }
            ExprKind::String(literal) => {
                for part in &literal.parts {
                    if let StringPart::Interpolation(inner) = part {
                        self.expr(inner);
                    }
                }
            }
            ExprKind::Int { .. }
            | ExprKind::Float { .. }
            | ExprKind::Bool { .. }
            | ExprKind::Null
            | ExprKind::Duration(_)
            | ExprKind::Wildcard => {}
        }
    }

    fn call(&mut self, callee: &Expr, args: &[Arg]) {
        match &callee.kind {
            ExprKind::Field { base, name, .. } => match &base.kind {
                ExprKind::Name { name: connector }
                    if self.table.binding_at(connector, base.span).is_none()
                        && self.symbols.connectors.contains_key(connector.as_str()) =>
                {
                    let connector = Ident {
                        name: connector.clone(),
                        span: base.span,
                    };
                    self.action_call(&connector, name, args);
                }
                _ => {
                    self.expr(base);
                    self.args(args);
                }
            },
            ExprKind::Name { name } if self.table.binding_at(name, callee.span).is_none() => {
                if let Some(def) = self.symbols.values.get(name.as_str()) {
                    self.push(callee.span, *def, SymbolKind::Function);
                }
                self.args(args);
            }
            _ => {
                self.expr(callee);
                self.args(args);
            }
        }
    }

    fn name(&mut self, name: &str, span: Span) {
        if let Some(binding) = self.table.binding_at(name, span) {
            self.push(span, binding.span, SymbolKind::Local);
        } else if let Some(def) = self.symbols.configs.get(name) {
            self.push(span, *def, SymbolKind::Config);
        }
    }
}

/// Where the type `name` is declared, in `module`'s types or the project's.
pub(super) fn type_def(symbols: &Symbols<'_>, module: Option<&str>, name: &str) -> Option<Span> {
    let def = match module {
        Some(module) => symbols.module_types.get(module)?.get(name),
        None => symbols.types.get(name),
    };
    def.map(|d| d.name.span)
}

/// Where the field `name` of a record type is declared.
pub(super) fn field_def(symbols: &Symbols<'_>, ty: &Type, name: &str) -> Option<Span> {
    let Type::Named {
        module,
        name: type_name,
    } = ty.non_null()
    else {
        return None;
    };
    let def = match module {
        Some(module) => symbols
            .module_types
            .get(module.as_str())?
            .get(type_name.as_str()),
        None => symbols.types.get(type_name.as_str()),
    }?;
    let TypeDefBody::Record(fields) = &def.body else {
        return None;
    };
    let mut added = symbols.extension_fields(module.as_deref(), type_name);
    fields
        .iter()
        .find(|f| f.name.name == name)
        .or_else(|| added.find(|f| f.name.name == name))
        .map(|f| f.name.span)
}
