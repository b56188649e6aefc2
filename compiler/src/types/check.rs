//! The walk: scopes of typed names through flows and functions, field reads
//! on declared types, and the arguments of action calls and flow calls.

use std::collections::{BTreeMap, BTreeSet};

use super::Type;
use super::arguments::{arguments, record_fields};
use super::env::TypeEnv;
use super::error::TypeError;
use super::narrow;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::suggest::did_you_mean;
use crate::project::{Origin, Project};
use crate::resolve::Symbols;
use crate::source::Span;
use crate::syntax::ast::{
    ActionDecl, Arg, BinaryOp, Block, ConnectorMember, EventRef, EventRefKind, ExpectedCall, Expr,
    ExprKind, Flow, GivenOutcome, Ident, Invocation, Item, LetValue, StmtKind, StringPart, Test,
    TestStmtKind, TriggerKind, UnaryOp, WaitFor,
};

/// Checks the project's own files; the problems in source order.
pub(crate) fn check(project: &Project, symbols: &Symbols<'_>) -> Vec<Diagnostic> {
    let env = TypeEnv {
        symbols,
        module: None,
    };
    let configs: BTreeMap<&str, Type> = project
        .files
        .iter()
        .filter(|f| f.origin == Origin::Project)
        .flat_map(|f| &f.parsed.module.items)
        .filter_map(|item| match item {
            Item::Config(config) => Some((config.name.name.as_str(), env.of(&config.ty))),
            _ => None,
        })
        .collect();
    let flows: BTreeMap<&str, &Flow> = project
        .files
        .iter()
        .flat_map(|f| &f.parsed.module.items)
        .filter_map(|item| match item {
            Item::Flow(flow) => Some((flow.name.name.as_str(), flow)),
            _ => None,
        })
        .collect();
    let mut checker = Checker {
        env,
        configs,
        flows,
        scopes: Vec::new(),
        facts: Vec::new(),
        pure: None,
        returns: None,
        errors: Vec::new(),
    };
    for file in project.files.iter().filter(|f| f.origin == Origin::Project) {
        for item in &file.parsed.module.items {
            checker.item(item);
        }
    }
    let mut diagnostics: Vec<Diagnostic> = checker
        .errors
        .into_iter()
        .map(TypeError::into_diagnostic)
        .collect();
    diagnostics.sort_by_key(|d| d.span().map(|s| (s.file, s.start)));
    diagnostics
}

struct Checker<'a, 'p> {
    env: TypeEnv<'a, 'p>,
    configs: BTreeMap<&'p str, Type>,
    flows: BTreeMap<&'p str, &'p Flow>,
    /// Innermost last; each maps a local name to its type.
    scopes: Vec<BTreeMap<String, Type>>,
    /// Paths known not to be null, innermost last (see `narrow`).
    facts: Vec<BTreeSet<String>>,
    /// Set while checking a `where` or a function: no action may run there.
    pure: Option<&'static str>,
    /// What the flow being checked declares it returns (`when called(…) -> T`).
    returns: Option<Type>,
    errors: Vec<TypeError>,
}

impl<'p> Checker<'_, 'p> {
    fn item(&mut self, item: &'p Item) {
        match item {
            Item::Flow(flow) => {
                self.scopes.push(self.trigger_bindings(flow));
                if let Some(condition) = &flow.condition {
                    self.filter(condition);
                }
                self.returns = flow.triggers.iter().find_map(|t| match &t.kind {
                    TriggerKind::Called { ret: Some(ret), .. } => Some(self.env.of(ret)),
                    _ => None,
                });
                // A run exists only when `where` held: what it checked is not null.
                let where_facts = flow
                    .condition
                    .as_ref()
                    .map(|c| narrow::facts(c, true))
                    .unwrap_or_default();
                self.facts.push(where_facts.into_iter().collect());
                self.block(&flow.body);
                self.facts.pop();
                if let Some(handler) = &flow.on_error {
                    self.scopes.push(binding(
                        handler.binding.as_ref().map(|b| b.name.as_str()),
                        Type::Unknown,
                    ));
                    self.block(&handler.body);
                    self.scopes.pop();
                }
                self.scopes.pop();
            }
            Item::Test(test) => self.test(test),
            Item::Fn(function) => {
                self.pure = Some("a function");
                let mut scope: BTreeMap<String, Type> = function
                    .params
                    .iter()
                    .map(|p| (p.name.name.clone(), self.env.of(&p.ty)))
                    .collect();
                for binding in &function.lets {
                    self.scopes.push(scope.clone());
                    self.expr(&binding.value);
                    let ty = match &binding.ty {
                        Some(ty) => self.env.of(ty),
                        None => self.infer(&binding.value),
                    };
                    self.scopes.pop();
                    scope.insert(binding.name.name.clone(), ty);
                }
                self.scopes.push(scope);
                self.expr(&function.body);
                self.scopes.pop();
                self.pure = None;
            }
            _ => {}
        }
    }

    /// The names the triggers bind. A name bound by several triggers with
    /// different types is unknown.
    fn trigger_bindings(&self, flow: &Flow) -> BTreeMap<String, Type> {
        let mut scope: BTreeMap<String, Type> = BTreeMap::new();
        for trigger in &flow.triggers {
            let bound: Vec<(String, Type)> = match &trigger.kind {
                TriggerKind::Event { event, binding } => binding
                    .iter()
                    .map(|b| (b.name.clone(), self.event_type(event)))
                    .collect(),
                TriggerKind::Webhook {
                    binding, body_type, ..
                } => binding
                    .iter()
                    .map(|b| {
                        (
                            b.name.clone(),
                            body_type.as_ref().map_or(Type::Json, |t| self.env.of(t)),
                        )
                    })
                    .collect(),
                TriggerKind::Called { params, .. } => params
                    .iter()
                    .map(|p| (p.name.name.clone(), self.env.of(&p.ty)))
                    .collect(),
                TriggerKind::Schedule { .. } => Vec::new(),
            };
            for (name, ty) in bound {
                let merged = match scope.get(&name) {
                    Some(existing) if *existing != ty => Type::Unknown,
                    _ => ty,
                };
                scope.insert(name, merged);
            }
        }
        scope
    }

    /// The payload type of an event.
    fn event_type(&self, event: &EventRef) -> Type {
        match &event.kind {
            EventRefKind::Named(path) => {
                let [connector, name] = path.segments.as_slice() else {
                    return Type::Unknown;
                };
                let Some(declared) = self.env.symbols.connectors.get(connector.name.as_str())
                else {
                    return Type::Unknown;
                };
                declared
                    .members
                    .iter()
                    .find_map(|m| match m {
                        ConnectorMember::Event(e) if e.name.name == name.name => {
                            Some(self.in_module_of(&connector.name).of(&e.ty))
                        }
                        _ => None,
                    })
                    .unwrap_or(Type::Unknown)
            }
            EventRefKind::Raw { connector, .. } if connector.name == "okta" => Type::Named {
                module: Some("okta".to_owned()),
                name: "LogEvent".to_owned(),
            },
            EventRefKind::Raw { .. } => Type::Unknown,
        }
    }

    /// The type environment of a connector's declarations: a stdlib
    /// connector's types are its module's.
    fn in_module_of(&self, connector: &str) -> TypeEnv<'_, 'p> {
        let module = self
            .env
            .symbols
            .module_types
            .get_key_value(connector)
            .map(|(k, _)| *k);
        TypeEnv {
            symbols: self.env.symbols,
            module,
        }
    }

    fn block(&mut self, block: &'p Block) {
        self.scopes.push(BTreeMap::new());
        self.facts.push(BTreeSet::new());
        for stmt in &block.stmts {
            match &stmt.kind {
                StmtKind::Let { name, ty, value } => {
                    let inferred = match value {
                        LetValue::Expr(invocation) => {
                            self.invocation(invocation);
                            self.infer(&invocation.expr)
                        }
                        // The event, or null when the timeout passes first.
                        LetValue::WaitFor(wait) => Type::Optional(Box::new(self.wait_for(wait))),
                    };
                    let ty = match ty {
                        Some(declared) => {
                            let declared = self.env.of(declared);
                            if let LetValue::Expr(invocation) = value {
                                record_fields(
                                    &self.env,
                                    &invocation.expr,
                                    &declared,
                                    &mut self.errors,
                                );
                            }
                            declared
                        }
                        None => inferred,
                    };
                    self.bind(&name.name, ty);
                }
                StmtKind::Expr(invocation) => self.invocation(invocation),
                StmtKind::If {
                    branches,
                    otherwise,
                } => {
                    // Each branch runs when the conditions before it failed.
                    let mut failed: Vec<String> = Vec::new();
                    for branch in branches {
                        self.with_facts(failed.clone(), |this| this.expr(&branch.condition));
                        let mut held = failed.clone();
                        held.extend(narrow::facts(&branch.condition, true));
                        self.with_facts(held, |this| this.block(&branch.body));
                        failed.extend(narrow::facts(&branch.condition, false));
                    }
                    if let Some(otherwise) = otherwise {
                        self.with_facts(failed, |this| this.block(otherwise));
                    } else if let [branch] = branches.as_slice()
                        && ends_the_run(&branch.body)
                    {
                        // `if x == null { stop }`: below it, `x` is not null.
                        let after = narrow::facts(&branch.condition, false);
                        if let Some(facts) = self.facts.last_mut() {
                            facts.extend(after);
                        }
                    }
                }
                StmtKind::For {
                    var, iter, body, ..
                } => {
                    self.expr(iter);
                    // Looping over null is reading through it.
                    self.null_read(iter, None);
                    let element = match self.infer(iter).non_null() {
                        Type::List(element) => (**element).clone(),
                        _ => Type::Unknown,
                    };
                    self.scopes.push(binding(Some(&var.name), element));
                    self.block(body);
                    self.scopes.pop();
                }
                StmtKind::Parallel { body } => self.block(body),
                StmtKind::Wait { duration } => self.expr(duration),
                StmtKind::WaitUntil { time } => self.expr(time),
                StmtKind::WaitFor(wait) => {
                    self.wait_for(wait);
                }
                StmtKind::Return { value } => {
                    self.expr(value);
                    if let Some(declared) = &self.returns {
                        let found = self.infer(value);
                        if !found.fits(declared) {
                            self.errors.push(TypeError::ReturnType {
                                expected: declared.to_string(),
                                found: found.to_string(),
                                span: value.span,
                            });
                        }
                    }
                }
                StmtKind::Stop { .. } => {}
            }
        }
        self.facts.pop();
        self.scopes.pop();
    }

    /// Runs `check` with more paths known not to be null.
    fn with_facts(&mut self, facts: Vec<String>, check: impl FnOnce(&mut Self)) {
        self.facts.push(facts.into_iter().collect());
        check(self);
        self.facts.pop();
    }

    fn narrowed(&self, path: &str) -> bool {
        self.facts.iter().any(|facts| facts.contains(path))
    }

    /// Reading through `base` (with `.` or `[…]`) when its type says it may
    /// be null and no condition has ruled that out. `dot` is where a `.`
    /// stands, for the `?.` fix.
    fn null_read(&mut self, base: &Expr, dot: Option<Span>) {
        if !matches!(self.infer(base), Type::Optional(_)) {
            return;
        }
        let path = narrow::path_of(base);
        self.errors.push(TypeError::NullableRead {
            what: path.unwrap_or_else(|| "this value".to_owned()),
            span: base.span,
            operator: dot,
        });
    }

    /// An expression run for its effect, and its `on error` block, where the
    /// error's name is of unknown type.
    fn invocation(&mut self, invocation: &'p Invocation) {
        self.expr(&invocation.expr);
        if let Some(handler) = &invocation.on_error {
            self.handler_block(
                handler.binding.as_ref().map(|b| b.name.as_str()),
                &handler.body,
            );
        }
    }

    fn handler_block(&mut self, name: Option<&str>, body: &'p Block) {
        self.scopes.push(binding(name, Type::Unknown));
        self.block(body);
        self.scopes.pop();
    }

    /// Checks a `wait for` and returns the awaited event's type. Its
    /// condition sees the event as `it`, or as its `as` name.
    fn wait_for(&mut self, wait: &'p WaitFor) -> Type {
        let event = self.event_type(&wait.event);
        if let Some(condition) = &wait.condition {
            let name = wait.binding.as_ref().map_or("it", |b| b.name.as_str());
            self.scopes.push(binding(Some(name), event.clone()));
            self.filter(condition);
            self.scopes.pop();
        }
        self.expr(&wait.timeout);
        event
    }

    /// A `where` filter, of a flow or of a `wait for`: pure, and a condition.
    fn filter(&mut self, condition: &'p Expr) {
        self.pure = Some("a `where` filter");
        self.expr(condition);
        self.pure = None;
        let ty = self.infer(condition);
        if !ty.fits(&Type::Bool) {
            self.errors.push(TypeError::NotACondition {
                found: ty.to_string(),
                span: condition.span,
            });
        }
    }

    fn bind(&mut self, name: &str, ty: Type) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_owned(), ty);
        }
    }

    fn lookup(&self, name: &str) -> Option<&Type> {
        self.scopes.iter().rev().find_map(|scope| scope.get(name))
    }

    // ------------------------------------------------------- expressions ---

    /// Checks an expression and everything inside it.
    fn expr(&mut self, expr: &'p Expr) {
        match &expr.kind {
            ExprKind::Field { base, name, safe } => {
                self.expr(base);
                if !safe {
                    let dot = Span {
                        start: base.span.end,
                        end: name.span.start,
                        ..base.span
                    };
                    self.null_read(base, Some(dot));
                }
                let base_type = self.infer(base);
                if let Some(fields) = self.env.fields(&base_type)
                    && !fields.iter().any(|(field, _)| *field == name.name)
                {
                    self.errors.push(TypeError::UnknownField {
                        declared: self.env.declaration(&base_type),
                        ty: base_type.non_null().to_string(),
                        name: name.name.clone(),
                        span: name.span,
                        suggestion: did_you_mean(
                            &name.name,
                            fields.iter().map(|(f, _)| f.as_str()),
                        )
                        .map(str::to_owned),
                    });
                }
            }
            ExprKind::Call { callee, args } => {
                if let Some((connector, action)) = self.connector_call(callee) {
                    self.effect(&format!("{connector}.{}", action.name), expr.span);
                    self.action_args(connector, action, args, expr.span, false);
                } else {
                    self.expr(callee);
                }
                args.iter().for_each(|arg| self.expr(&arg.value));
            }
            ExprKind::FlowCall { flow, args } => {
                self.effect(&format!("call {}", flow.name), expr.span);
                if let Some(called) = self.flows.get(flow.name.as_str()).copied() {
                    let params = called.triggers.iter().find_map(|t| match &t.kind {
                        TriggerKind::Called { params, .. } => Some(params),
                        _ => None,
                    });
                    if let Some(params) = params {
                        let env = TypeEnv {
                            symbols: self.env.symbols,
                            module: None,
                        };
                        let errors =
                            arguments(&flow.name, params, &env, args, expr.span, false, |e| {
                                self.infer(e)
                            });
                        self.errors.extend(errors);
                    }
                }
                args.iter().for_each(|arg| self.expr(&arg.value));
            }
            ExprKind::Lambda { params, body } => {
                // Lambda parameters are typed by the method they are passed to,
                // which the full checker knows: here they are unknown.
                let scope = params
                    .iter()
                    .map(|p| (p.name.clone(), Type::Unknown))
                    .collect();
                self.scopes.push(scope);
                self.expr(body);
                self.scopes.pop();
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.null_read(base, None);
                self.expr(index);
            }
            ExprKind::Unary { operand, .. } => self.expr(operand),
            // The right of `and` runs only when the left held; of `or`, when it failed.
            ExprKind::Binary {
                op: BinaryOp::And,
                lhs,
                rhs,
            } => {
                self.expr(lhs);
                self.with_facts(narrow::facts(lhs, true), |this| this.expr(rhs));
            }
            ExprKind::Binary {
                op: BinaryOp::Or,
                lhs,
                rhs,
            } => {
                self.expr(lhs);
                self.with_facts(narrow::facts(lhs, false), |this| this.expr(rhs));
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Paren { inner } => self.expr(inner),
            ExprKind::List { items } => items.iter().for_each(|item| self.expr(item)),
            ExprKind::Record(record) => record
                .entries
                .iter()
                .filter_map(|e| e.value.as_ref())
                .for_each(|v| self.expr(v)),
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
            | ExprKind::Name { .. }
            | ExprKind::Wildcard => {}
        }
    }

    /// An action or a flow call: an error where only pure expressions may stand.
    fn effect(&mut self, what: &str, span: Span) {
        if let Some(context) = self.pure {
            self.errors.push(TypeError::EffectInPureCode {
                what: what.to_owned(),
                context,
                span,
            });
        }
    }

    /// `c.a` as a callee, where `c` is a connector no local name hides.
    fn connector_call<'e>(&self, callee: &'e Expr) -> Option<(&'e str, &'e Ident)> {
        let ExprKind::Field {
            base,
            name,
            safe: false,
        } = &callee.kind
        else {
            return None;
        };
        let ExprKind::Name { name: connector } = &base.kind else {
            return None;
        };
        let known = self.env.symbols.connectors.contains_key(connector.as_str());
        (known && self.lookup(connector).is_none()).then_some((connector.as_str(), name))
    }

    fn action_args(
        &mut self,
        connector: &str,
        action: &Ident,
        args: &[Arg],
        call: Span,
        partial: bool,
    ) {
        let Some(decl) = self.action_decl(connector, &action.name) else {
            return;
        };
        let env = self.in_module_of(connector);
        let callee = format!("{connector}.{}", action.name);
        let errors = arguments(&callee, &decl.params, &env, args, call, partial, |e| {
            self.infer(e)
        });
        self.errors.extend(errors);
    }

    /// The declaration of `connector.action`, if both exist.
    fn action_decl(&self, connector: &str, action: &str) -> Option<&'p ActionDecl> {
        let declared = self.env.symbols.connectors.get(connector).copied()?;
        declared.members.iter().find_map(|m| match m {
            ConnectorMember::Action(a) if a.name.name == action => Some(&**a),
            _ => None,
        })
    }

    /// A test's `given` and `expect` lines against the declarations: the
    /// arguments they match on, the records they answer or deliver.
    fn test(&mut self, test: &'p Test) {
        for stmt in &test.stmts {
            match &stmt.kind {
                TestStmtKind::GivenCall {
                    action,
                    args,
                    outcome,
                } => {
                    let [connector, name] = action.segments.as_slice() else {
                        continue;
                    };
                    if let Some(args) = args {
                        self.action_args(&connector.name, name, args, action.span, true);
                    }
                    if let (GivenOutcome::Returns(value), Some(decl)) =
                        (outcome, self.action_decl(&connector.name, &name.name))
                        && let Some(ret) = &decl.ret
                    {
                        let expected = self.in_module_of(&connector.name).of(ret);
                        record_fields(&self.env, value, &expected, &mut self.errors);
                    }
                }
                TestStmtKind::Expect { expected, .. } => self.expected_call(expected),
                TestStmtKind::ExpectInOrder { calls } => {
                    calls.iter().for_each(|call| self.expected_call(call))
                }
                TestStmtKind::GivenEvent { event, value } => {
                    let expected = self.event_type(event);
                    record_fields(&self.env, value, &expected, &mut self.errors);
                }
                _ => {}
            }
        }
    }

    fn expected_call(&mut self, call: &ExpectedCall) {
        if let ([connector, name], Some(args)) = (call.target.segments.as_slice(), &call.args) {
            self.action_args(&connector.name, name, args, call.span, true);
        }
    }

    /// The type of an expression, when a declaration says it.
    fn infer(&self, expr: &Expr) -> Type {
        let ty = self.infer_unnarrowed(expr);
        match narrow::path_of(expr) {
            Some(path) if self.narrowed(&path) => ty.non_null().clone(),
            _ => ty,
        }
    }

    fn infer_unnarrowed(&self, expr: &Expr) -> Type {
        match &expr.kind {
            ExprKind::Int { .. } => Type::Int,
            ExprKind::Float { .. } => Type::Float,
            ExprKind::Bool { .. } => Type::Bool,
            ExprKind::String(_) => Type::String,
            ExprKind::Duration(_) => Type::Duration,
            ExprKind::Name { name } => self
                .lookup(name)
                .or_else(|| self.configs.get(name.as_str()))
                .cloned()
                .unwrap_or(Type::Unknown),
            ExprKind::Field { base, name, safe } => {
                let base_type = self.infer(base);
                let Some(fields) = self.env.fields(&base_type) else {
                    return Type::Unknown;
                };
                let Some((_, field)) = fields.into_iter().find(|(f, _)| *f == name.name) else {
                    return Type::Unknown;
                };
                // `?.` through a null gives null. A plain `.` through a value
                // that may be null is reported where it is read (E0306), so
                // its result is typed as if that were fixed, without a second error.
                if *safe && matches!(base_type, Type::Optional(_)) {
                    Type::Optional(Box::new(field.non_null().clone()))
                } else {
                    field
                }
            }
            ExprKind::Index { base, .. } => match self.infer(base).non_null() {
                Type::List(element) => (**element).clone(),
                Type::Map(_, value) => (**value).clone(),
                _ => Type::Unknown,
            },
            ExprKind::Call { callee, .. } => self.call_result(callee),
            ExprKind::FlowCall { flow, .. } => self
                .flows
                .get(flow.name.as_str())
                .and_then(|f| {
                    f.triggers.iter().find_map(|t| match &t.kind {
                        TriggerKind::Called { ret, .. } => ret.as_ref().map(|r| self.env.of(r)),
                        _ => None,
                    })
                })
                .unwrap_or(Type::Unknown),
            ExprKind::Binary { op, lhs, rhs } => match op {
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn
                | BinaryOp::And
                | BinaryOp::Or => Type::Bool,
                BinaryOp::Coalesce => match self.infer(rhs) {
                    Type::Unknown => self.infer(lhs).non_null().clone(),
                    rhs => rhs,
                },
                _ => Type::Unknown,
            },
            ExprKind::Unary {
                op: UnaryOp::Not, ..
            } => Type::Bool,
            ExprKind::Paren { inner } => self.infer(inner),
            ExprKind::List { items } => Type::List(Box::new(
                items.first().map_or(Type::Unknown, |i| self.infer(i)),
            )),
            _ => Type::Unknown,
        }
    }

    /// What an action call returns.
    fn call_result(&self, callee: &Expr) -> Type {
        let Some((connector, action)) = self.connector_call(callee) else {
            return Type::Unknown;
        };
        self.action_decl(connector, &action.name)
            .and_then(|decl| decl.ret.as_ref())
            .map_or(Type::Unknown, |ret| self.in_module_of(connector).of(ret))
    }
}

/// Whether a block always ends the run: its last statement is `stop` or `return`.
fn ends_the_run(block: &Block) -> bool {
    matches!(
        block.stmts.last().map(|s| &s.kind),
        Some(StmtKind::Stop { .. } | StmtKind::Return { .. })
    )
}

/// A scope with one name, or none.
fn binding(name: Option<&str>, ty: Type) -> BTreeMap<String, Type> {
    name.map(|n| (n.to_owned(), ty)).into_iter().collect()
}
