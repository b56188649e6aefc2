//! The walk through items and statements: scopes of typed names, the facts
//! that rule nulls out, conditions, loops, waits, returns and tests.
//! Expressions are typed in `expr.rs`, calls in `calls.rs`.

use std::collections::{BTreeMap, BTreeSet};

use super::Type;
use super::arguments::record_fields;
use super::env::TypeEnv;
use super::error::TypeError;
use super::narrow;
use super::table::{BindingKind, TypeTable};
use crate::diagnostics::Diagnostic;
use crate::project::{Origin, Project};
use crate::resolve::Symbols;
use crate::source::{FileId, Span};
use crate::syntax::ast::{
    Block, Connector, ConnectorMember, EventRef, ExpectedCall, Expr, Flow, FnDef, GivenOutcome,
    Ident, Invocation, Item, LetValue, RetryPolicy, StmtKind, StringPart, Test, TestStmtKind,
    TriggerKind, WaitFor,
};

/// Checks the project's own files — or only `only`, when given — and
/// returns the problems in source order with what the checker learnt.
pub(crate) fn check(
    project: &Project,
    symbols: &Symbols<'_>,
    only: Option<FileId>,
) -> (Vec<Diagnostic>, TypeTable) {
    let env = TypeEnv {
        symbols,
        module: None,
    };
    let own_files = || project.files.iter().filter(|f| f.origin == Origin::Project);
    let own_items = || own_files().flat_map(|f| &f.parsed.module.items);
    let configs = own_items()
        .filter_map(|item| match item {
            Item::Config(config) => Some((config.name.name.as_str(), env.of(&config.ty))),
            _ => None,
        })
        .collect();
    let functions = own_items()
        .filter_map(|item| match item {
            Item::Fn(function) => Some((function.name.name.as_str(), function)),
            _ => None,
        })
        .collect();
    let flows = own_items()
        .filter_map(|item| match item {
            Item::Flow(flow) => Some((flow.name.name.as_str(), flow)),
            _ => None,
        })
        .collect();
    let broken_files = project
        .files
        .iter()
        .filter(|f| f.parsed.has_errors())
        .map(|f| f.file)
        .collect();
    let mut checker = Checker {
        env,
        configs,
        functions,
        flows,
        broken_files,
        scopes: Vec::new(),
        facts: Vec::new(),
        pure: None,
        returns: None,
        errors: Vec::new(),
        table: TypeTable::default(),
    };
    let checked = own_files()
        .filter(|f| only.is_none_or(|file| f.file == file))
        .flat_map(|f| &f.parsed.module.items);
    for item in checked {
        checker.item(item);
    }
    let mut diagnostics: Vec<Diagnostic> = checker
        .errors
        .into_iter()
        .map(TypeError::into_diagnostic)
        .collect();
    diagnostics.sort_by_key(|d| d.span().map(|s| (s.file, s.start)));
    (diagnostics, checker.table)
}

/// The checker's state while it walks one item.
pub(super) struct Checker<'a, 'p> {
    pub(super) env: TypeEnv<'a, 'p>,
    pub(super) configs: BTreeMap<&'p str, Type>,
    pub(super) functions: BTreeMap<&'p str, &'p FnDef>,
    pub(super) flows: BTreeMap<&'p str, &'p Flow>,
    /// Files with syntax errors: a name they use may have been defined on a
    /// line the parser had to drop, so unknown names are not reported there.
    pub(super) broken_files: BTreeSet<FileId>,
    /// Innermost last; each maps a local name to its type.
    pub(super) scopes: Vec<BTreeMap<String, Type>>,
    /// Paths known not to be null, innermost last (see `narrow`).
    pub(super) facts: Vec<BTreeSet<String>>,
    /// Set while checking a `where` or a function: no action may run there.
    pub(super) pure: Option<&'static str>,
    /// What the flow being checked declares it returns (`when called(…) -> T`).
    pub(super) returns: Option<Type>,
    pub(super) errors: Vec<TypeError>,
    /// The bindings and types met, for the editor.
    pub(super) table: TypeTable,
}

impl<'p> Checker<'_, 'p> {
    fn item(&mut self, item: &'p Item) {
        match item {
            Item::Flow(flow) => self.flow(flow),
            Item::Test(test) => self.test(test),
            Item::Fn(function) => self.function(function),
            Item::Connector(connector) => self.connector_settings(connector),
            _ => {}
        }
    }

    /// A retry policy's backoff range goes from the shorter delay to the
    /// longer.
    fn retry_policy(&mut self, policy: &RetryPolicy) {
        if policy.min_backoff.millis() > policy.max_backoff.millis() {
            self.errors.push(TypeError::BackoffRange {
                min: policy.min_backoff.to_string(),
                max: policy.max_backoff.to_string(),
                span: policy.span,
            });
        }
    }

    /// A connector's settings: each one an engine reads, each value a source
    /// (see [`crate::plan::settings`]), each literal one the setting takes.
    fn connector_settings(&mut self, connector: &Connector) {
        use crate::plan::settings::{self, Engine, Expected, Problem};
        let engine = Engine::of(&connector.name.name);
        let reads = || engine.settings().map(|k| k.key.to_owned()).collect();
        for member in &connector.members {
            let setting = match member {
                ConnectorMember::Setting(setting) => setting,
                ConnectorMember::Retry(retry) => {
                    self.retry_policy(&retry.policy);
                    continue;
                }
                _ => continue,
            };
            let Some((problem, span)) = settings::problem(setting, engine) else {
                continue;
            };
            let key = setting.key.name.clone();
            let suggestion =
                crate::diagnostics::suggest::did_you_mean(&key, engine.settings().map(|k| k.key))
                    .map(str::to_owned);
            let error = match problem {
                Problem::UnknownKey | Problem::OtherEngine => TypeError::UnknownSetting {
                    connector: connector.name.name.clone(),
                    engine: engine.name(),
                    reads: reads(),
                    read_by: (problem == Problem::OtherEngine).then(|| engine.other().name()),
                    suggestion,
                    key,
                    span,
                },
                Problem::NotASource => TypeError::UnreadableSetting { key, span },
                Problem::NotAnAuth => TypeError::UnknownAuth { span },
                Problem::BadLiteral { found, expected } => TypeError::SettingValue {
                    key,
                    found,
                    expected: match expected {
                        Expected::Number => "a positive number".to_owned(),
                        Expected::OneOf(words) => format!("one of {}", words.join(", ")),
                        Expected::Text | Expected::Auth => "text".to_owned(),
                    },
                    span,
                },
            };
            self.errors.push(error);
        }
    }

    fn flow(&mut self, flow: &'p Flow) {
        for trigger in &flow.triggers {
            if let TriggerKind::Schedule { cron, tz, .. } = &trigger.kind {
                self.schedule(cron, tz.as_ref());
            }
        }
        let bindings = self.trigger_bindings(flow);
        self.declare_trigger_bindings(flow, &bindings);
        self.scopes.push(bindings);
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
        self.with_facts(where_facts, |this| this.block(&flow.body));
        if let Some(handler) = &flow.on_error {
            self.handler_block(handler.binding.as_ref(), &handler.body);
        }
        self.returns = None;
        self.scopes.pop();
    }

    /// A schedule's cron expression and time zone, read as the service will
    /// read them.
    fn schedule(&mut self, cron: &crate::syntax::ast::Text, tz: Option<&crate::syntax::ast::Text>) {
        if let Err(error) = <croner::Cron as std::str::FromStr>::from_str(&cron.value) {
            self.errors.push(TypeError::InvalidCron {
                cron: cron.value.clone(),
                reason: cron_reason(&error.to_string()),
                span: cron.span,
            });
        }
        if let Some(zone) = tz
            && zone.value.parse::<chrono_tz::Tz>().is_err()
        {
            let zones = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
            self.errors.push(TypeError::UnknownTimeZone {
                zone: zone.value.clone(),
                span: zone.span,
                suggestion: crate::diagnostics::suggest::did_you_mean(&zone.value, zones)
                    .map(str::to_owned),
            });
        }
    }

    /// A function: pure, its `let`s in order, its result of the declared type.
    fn function(&mut self, function: &'p FnDef) {
        self.pure = Some("a function");
        let scope = function
            .params
            .iter()
            .map(|p| {
                let ty = self.env.of(&p.ty);
                let kind = BindingKind::Param;
                self.table.declare(&p.name, &ty, function.span, kind, true);
                (p.name.name.clone(), ty)
            })
            .collect();
        self.scopes.push(scope);
        for binding in &function.lets {
            let found = self.expr(&binding.value);
            let ty = match &binding.ty {
                Some(written) => self.declared(written, &binding.value, found),
                None => found,
            };
            let visible = Span::new(
                function.span.file,
                binding.span.end as usize,
                function.span.end as usize,
            );
            let (kind, typed) = (BindingKind::Let, binding.ty.is_some());
            self.table.declare(&binding.name, &ty, visible, kind, typed);
            self.bind(&binding.name.name, ty);
        }
        let found = self.expr(&function.body);
        let expected = self.env.of(&function.ret);
        if !found.fits(&expected) {
            self.errors.push(TypeError::TypeMismatch {
                context: "this function returns",
                expected: expected.to_string(),
                found: found.to_string(),
                span: function.body.span,
                declared: Some(function.ret.span),
            });
        }
        self.scopes.pop();
        self.pure = None;
    }

    /// The type a `let` declares, after checking the value against it.
    fn declared(
        &mut self,
        written: &crate::syntax::ast::TypeExpr,
        value: &Expr,
        found: Type,
    ) -> Type {
        let declared = self.env.of(written);
        if !found.fits(&declared) {
            self.errors.push(TypeError::TypeMismatch {
                context: "this `let` declares",
                expected: declared.to_string(),
                found: found.to_string(),
                span: value.span,
                declared: Some(written.span),
            });
        }
        record_fields(&self.env, value, &declared, true, &mut self.errors);
        declared
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

    /// Records the names the triggers bind, seen in the whole flow.
    fn declare_trigger_bindings(&mut self, flow: &Flow, scope: &BTreeMap<String, Type>) {
        for trigger in &flow.triggers {
            let names: Vec<(&Ident, BindingKind)> = match &trigger.kind {
                TriggerKind::Event { binding, .. } | TriggerKind::Webhook { binding, .. } => {
                    binding.iter().map(|b| (b, BindingKind::Trigger)).collect()
                }
                TriggerKind::Called { params, .. } => params
                    .iter()
                    .map(|p| (&p.name, BindingKind::Param))
                    .collect(),
                TriggerKind::Schedule { .. } => Vec::new(),
            };
            for (name, kind) in names {
                let ty = scope.get(&name.name).cloned().unwrap_or(Type::Unknown);
                self.table.declare(name, &ty, flow.span, kind, true);
            }
        }
    }

    /// The payload type of an event.
    pub(super) fn event_type(&self, event: &EventRef) -> Type {
        super::event_payload(self.env.symbols, event)
    }

    /// The type environment of a connector's declarations: a stdlib
    /// connector's types are its module's.
    pub(super) fn in_module_of(&self, connector: &str) -> TypeEnv<'_, 'p> {
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
                    let typed = ty.is_some();
                    let ty = match value {
                        LetValue::Expr(invocation) => {
                            let found = self.invocation(invocation);
                            match ty {
                                Some(written) => self.declared(written, &invocation.expr, found),
                                None => found,
                            }
                        }
                        // The event, or null when the timeout passes first.
                        LetValue::WaitFor(wait) => Type::Optional(Box::new(self.wait_for(wait))),
                    };
                    let visible = Span::new(
                        block.span.file,
                        stmt.span.end as usize,
                        block.span.end as usize,
                    );
                    self.table
                        .declare(name, &ty, visible, BindingKind::Let, typed);
                    self.bind(&name.name, ty);
                }
                StmtKind::Expr(invocation) => {
                    self.invocation(invocation);
                }
                StmtKind::If {
                    branches,
                    otherwise,
                } => {
                    // Each branch runs when the conditions before it failed.
                    let mut failed: Vec<String> = Vec::new();
                    for (i, branch) in branches.iter().enumerate() {
                        // A later arm's condition runs only when the earlier ones
                        // failed: an action there would run out of order.
                        self.with_facts(failed.clone(), |this| match i {
                            0 => this.condition(&branch.condition, "an `if`"),
                            _ => this.purely("an `else if` condition", |this| {
                                this.condition(&branch.condition, "an `if`")
                            }),
                        });
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
                    let iterated = self.expr(iter);
                    // Looping over null is reading through it.
                    self.null_read(iter, &iterated, None);
                    let element = match iterated.non_null() {
                        Type::List(element) => (**element).clone(),
                        Type::Unknown | Type::Json => Type::Unknown,
                        other => {
                            self.mismatch("`for` loops over", "List", other, iter.span);
                            Type::Unknown
                        }
                    };
                    self.table
                        .declare(var, &element, body.span, BindingKind::Loop, false);
                    self.scopes.push(binding(Some(&var.name), element));
                    self.block(body);
                    self.scopes.pop();
                }
                StmtKind::Parallel { body } => self.block(body),
                StmtKind::Wait { duration } => {
                    self.expect(duration, Type::Duration, "`wait` needs")
                }
                StmtKind::WaitUntil { time } => self.expect(time, Type::Time, "`wait until` needs"),
                StmtKind::WaitFor(wait) => {
                    self.wait_for(wait);
                }
                StmtKind::Spawn { call } => {
                    // Typed as `call`: the flow must be callable and the
                    // arguments fit; what it returns is not waited for.
                    self.expr(call);
                }
                StmtKind::Return { value } => {
                    let found = self.expr(value);
                    if let Some(declared) = &self.returns
                        && !found.fits(declared)
                    {
                        self.errors.push(TypeError::ReturnType {
                            expected: declared.to_string(),
                            found: found.to_string(),
                            span: value.span,
                        });
                    }
                }
                StmtKind::Stop { reason } => {
                    let interpolated = reason.iter().flat_map(|r| &r.parts).find_map(|p| match p {
                        StringPart::Interpolation(expr) => Some(expr.span),
                        StringPart::Text(_) => None,
                    });
                    if let Some(span) = interpolated {
                        self.errors
                            .push(TypeError::StopReasonInterpolation { span });
                    }
                }
            }
        }
        self.facts.pop();
        self.scopes.pop();
    }

    /// Checks `value` and that it fits `expected`.
    fn expect(&mut self, value: &'p Expr, expected: Type, context: &'static str) {
        let found = self.expr(value);
        if !found.fits(&expected) {
            self.mismatch(context, &expected.to_string(), &found, value.span);
        }
    }

    pub(super) fn mismatch(
        &mut self,
        context: &'static str,
        expected: &str,
        found: &Type,
        span: Span,
    ) {
        self.errors.push(TypeError::TypeMismatch {
            context,
            expected: expected.to_owned(),
            found: found.to_string(),
            span,
            declared: None,
        });
    }

    /// Runs `check` where no action may run (`context` says where); an
    /// enclosing pure context is kept.
    pub(super) fn purely<T>(
        &mut self,
        context: &'static str,
        check: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved = self.pure;
        self.pure = saved.or(Some(context));
        let result = check(self);
        self.pure = saved;
        result
    }

    /// Runs `check` with more paths known not to be null.
    pub(super) fn with_facts<T>(
        &mut self,
        facts: Vec<String>,
        check: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.facts.push(facts.into_iter().collect());
        let result = check(self);
        self.facts.pop();
        result
    }

    pub(super) fn narrowed(&self, path: &str) -> bool {
        self.facts.iter().any(|facts| facts.contains(path))
    }

    /// Reading through `base` (with `.` or `[…]`) when its type says it may
    /// be null and no condition has ruled that out. `dot` is where a `.`
    /// stands, for the `?.` fix.
    pub(super) fn null_read(&mut self, base: &Expr, base_type: &Type, dot: Option<Span>) {
        if !base_type.may_be_null() {
            return;
        }
        self.errors.push(TypeError::NullableRead {
            what: narrow::path_of(base),
            span: base.span,
            operator: dot,
        });
    }

    /// An expression run for its effect, and its `on error` block; the
    /// expression's type.
    fn invocation(&mut self, invocation: &'p Invocation) -> Type {
        let ty = self.expr(&invocation.expr);
        if let Some(policy) = &invocation.retry {
            self.retry_policy(policy);
        }
        if let Some(handler) = &invocation.on_error {
            self.handler_block(handler.binding.as_ref(), &handler.body);
        }
        ty
    }

    fn handler_block(&mut self, name: Option<&Ident>, body: &'p Block) {
        let error = Type::handled_error();
        if let Some(name) = name {
            let kind = BindingKind::Handler;
            self.table.declare(name, &error, body.span, kind, false);
        }
        self.scopes
            .push(binding(name.map(|n| n.name.as_str()), error));
        self.block(body);
        self.scopes.pop();
    }

    /// Checks a `wait for` and returns the awaited event's type. Its
    /// condition sees the event as `it`, or as its `as` name.
    fn wait_for(&mut self, wait: &'p WaitFor) -> Type {
        let event = self.event_type(&wait.event);
        if let Some(condition) = &wait.condition {
            let name = wait.binding.as_ref().map_or("it", |b| b.name.as_str());
            if let Some(written) = &wait.binding {
                let kind = BindingKind::Handler;
                self.table
                    .declare(written, &event, condition.span, kind, false);
            }
            self.scopes.push(binding(Some(name), event.clone()));
            self.filter(condition);
            self.scopes.pop();
        }
        self.expect(&wait.timeout, Type::Duration, "a `wait for` timeout needs");
        event
    }

    /// A `where` filter, of a flow or of a `wait for`: pure, and a condition.
    fn filter(&mut self, condition: &'p Expr) {
        self.pure = Some("a `where` filter");
        self.condition(condition, "a `where` filter");
        self.pure = None;
    }

    /// Checks an expression that must be `true` or `false`.
    fn condition(&mut self, condition: &'p Expr, context: &'static str) {
        let ty = self.expr(condition);
        // A comparison with a null is false, so a `Bool?` is a condition too.
        if !ty.non_null().fits(&Type::Bool) {
            self.errors.push(TypeError::NotACondition {
                context,
                found: ty.to_string(),
                span: condition.span,
            });
        }
    }

    pub(super) fn bind(&mut self, name: &str, ty: Type) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_owned(), ty);
        }
    }

    pub(super) fn lookup(&self, name: &str) -> Option<&Type> {
        self.scopes.iter().rev().find_map(|scope| scope.get(name))
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
                        record_fields(&self.env, value, &expected, false, &mut self.errors);
                    }
                }
                TestStmtKind::Expect { expected, .. } => self.expected_call(expected),
                TestStmtKind::ExpectInOrder { calls } => {
                    calls.iter().for_each(|call| self.expected_call(call))
                }
                TestStmtKind::GivenEvent { event, value } => {
                    let expected = self.event_type(event);
                    record_fields(&self.env, value, &expected, false, &mut self.errors);
                }
                TestStmtKind::GivenWebhook { path, body } => {
                    // The type the flows on that path declare for the body.
                    let declared =
                        self.flows
                            .values()
                            .flat_map(|f| &f.triggers)
                            .find_map(|trigger| match &trigger.kind {
                                TriggerKind::Webhook {
                                    path: listened,
                                    body_type: Some(ty),
                                    ..
                                } if listened.value == path.value => Some(ty),
                                _ => None,
                            });
                    if let Some(ty) = declared {
                        let expected = self.env.of(ty);
                        record_fields(&self.env, body, &expected, false, &mut self.errors);
                    }
                }
                _ => {}
            }
        }
    }

    fn expected_call(&mut self, call: &'p ExpectedCall) {
        if let ([connector, name], Some(args)) = (call.target.segments.as_slice(), &call.args) {
            self.action_args(&connector.name, name, args, call.span, true);
        }
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
pub(super) fn binding(name: Option<&str>, ty: Type) -> BTreeMap<String, Type> {
    name.map(|n| (n.to_owned(), ty)).into_iter().collect()
}

/// The cron parser's message in the words of our diagnostics: without its
/// category prefix (`Component error: `), lower case, no final stop —
/// `number out of bounds`.
fn cron_reason(message: &str) -> String {
    let reason = message.rsplit(": ").next().unwrap_or(message).trim();
    let reason = reason.trim_end_matches('.');
    let mut chars = reason.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "it cannot be read".to_owned(),
    }
}
