//! Lowering: a checked flow becomes steps.
//!
//! Names become numbered locals; configs become constants (a `Secret`
//! config, or one without a value, stays a reference the runtime resolves,
//! so no secret is written into a plan); an action or `call` inside an
//! expression becomes a step of its own, bound to a temporary local, placed
//! before the statement that uses it.

use std::collections::BTreeMap;

use super::eval::{self, Env};
use super::ir::{
    ActionPlan, Arm, ConnectorPlan, Effect, FlowPlan, FunctionPlan, Handler, HttpPlan, LocalId,
    PExpr, Retry, Step, StepId, StepKind, Trigger,
};
use super::settings;
use super::value::Value;
use crate::project::{Origin, Project};
use crate::resolve::Symbols;
use crate::syntax::ast::{
    ActionDecl, ActionKind, Arg, Block, Config, ConnectorMember, EventRef, EventRefKind, Expr,
    ExprKind, Flow, FnDef, Invocation, Item, LetValue, StmtKind, StringPart, TriggerKind,
    TypeExprKind, WaitFor,
};
use crate::types::TypeTable;

/// What lowering needs from the checked project.
pub(super) struct Context<'a, 'p> {
    pub(super) symbols: &'a Symbols<'p>,
    /// The types the checker found, by expression.
    pub(super) table: &'a TypeTable,
    /// Configs inlined as constants.
    pub(super) constants: BTreeMap<String, Value>,
    /// The project's functions.
    pub(super) functions: BTreeMap<&'p str, &'p FnDef>,
    /// The named types the connectors' answers refer to, filled as
    /// connectors are lowered.
    pub(super) types: std::cell::RefCell<BTreeMap<String, super::ir::Schema>>,
}

impl<'a, 'p> Context<'a, 'p> {
    /// Collects the project's configs (with `overrides` by name applied) and
    /// functions.
    pub(super) fn new(
        project: &'p Project,
        symbols: &'a Symbols<'p>,
        table: &'a TypeTable,
        overrides: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Self, Vec<String>> {
        let items: Vec<&'p Item> = project
            .files
            .iter()
            .filter(|f| f.origin == Origin::Project)
            .flat_map(|f| &f.parsed.module.items)
            .collect();
        let functions = items
            .iter()
            .filter_map(|item| match item {
                Item::Fn(function) => Some((function.name.name.as_str(), function)),
                _ => None,
            })
            .collect();
        let mut context = Context {
            symbols,
            table,
            constants: BTreeMap::new(),
            functions,
            types: std::cell::RefCell::new(BTreeMap::new()),
        };
        let mut errors = Vec::new();
        let configs: Vec<&Config> = items
            .iter()
            .filter_map(|item| match item {
                Item::Config(config) => Some(config),
                _ => None,
            })
            .collect();
        for name in overrides.keys() {
            if !configs.iter().any(|c| c.name.name == *name) {
                let known: Vec<&str> = configs.iter().map(|c| c.name.name.as_str()).collect();
                errors.push(format!(
                    "no config `{name}` in this project; its configs: {}",
                    known.join(", ")
                ));
            }
        }
        for config in configs {
            let value = match overrides.get(&config.name.name) {
                // Where the runtime reads a secret: not a constant.
                Some(json) if is_secret(config) && super::overrides::is_runtime_source(json) => {
                    None
                }
                Some(json) => {
                    let ty = crate::types::resolve_written(symbols, None, &config.ty);
                    match super::overrides::convert(json, &ty, &config.name.name) {
                        Ok(value) => Some(value),
                        Err(error) => {
                            errors.push(error);
                            None
                        }
                    }
                }
                None if is_secret(config) => None,
                None => config.default.as_ref().and_then(|d| context.constant(d)),
            };
            if let Some(value) = value {
                context.constants.insert(config.name.name.clone(), value);
            }
        }
        if errors.is_empty() {
            Ok(context)
        } else {
            Err(errors)
        }
    }

    /// A config's default, evaluated at build time.
    fn constant(&self, expr: &Expr) -> Option<Value> {
        let mut lowerer = Lowerer::new(self);
        let lowered = lowerer.expr(expr);
        let env = Env::constants();
        eval::eval(&lowered, &env).ok()
    }

    /// Lowers the project's functions.
    pub(super) fn functions(&self) -> Vec<FunctionPlan> {
        self.functions
            .values()
            .map(|function| {
                let mut lowerer = Lowerer::new(self);
                lowerer.scopes.push(BTreeMap::new());
                let params = function
                    .params
                    .iter()
                    .map(|p| lowerer.bind(&p.name.name))
                    .collect();
                let lets = function
                    .lets
                    .iter()
                    .map(|l| {
                        let value = lowerer.expr(&l.value);
                        (lowerer.bind(&l.name.name), value)
                    })
                    .collect();
                let body = lowerer.expr(&function.body);
                FunctionPlan {
                    name: function.name.name.clone(),
                    params,
                    lets,
                    body,
                    locals: lowerer.locals,
                }
            })
            .collect()
    }

    /// Lowers one flow; its hash and `wave`s are computed later.
    pub(super) fn flow(&self, flow: &Flow) -> FlowPlan {
        let mut lowerer = Lowerer::new(self);
        lowerer.scopes.push(BTreeMap::new());
        let triggers = flow
            .triggers
            .iter()
            .map(|t| lowerer.trigger(&t.kind))
            .collect();
        let filter = flow.condition.as_ref().map(|c| super::ir::Filter {
            condition: lowerer.expr(c),
            hoisted_stops: 0,
            jit: false,
        });
        let body = lowerer.block(&flow.body);
        let on_error = flow
            .on_error
            .as_ref()
            .map(|h| lowerer.handler(h.binding.as_ref().map(|b| b.name.as_str()), &h.body));
        FlowPlan {
            name: flow.name.name.clone(),
            hash: String::new(),
            doc: flow.doc.as_ref().map(|d| d.text()),
            triggers,
            filter,
            steps: lowerer.steps,
            body,
            on_error,
            locals: lowerer.locals,
            notes: Vec::new(),
        }
    }

    /// The plan of a connector: its settings as sources (never values), its
    /// retry policy, its actions' HTTP mappings.
    pub(super) fn connector(&self, name: &str) -> Option<ConnectorPlan> {
        let declared = self.symbols.connectors.get(name)?;
        let mut plan = ConnectorPlan {
            name: name.to_owned(),
            base_url: None,
            auth: None,
            retry: None,
            settings: Vec::new(),
            actions: Vec::new(),
        };
        for member in &declared.members {
            match member {
                ConnectorMember::Setting(setting) => match setting.key.name.as_str() {
                    "base_url" => plan.base_url = settings::source(&setting.value),
                    "auth" => plan.auth = settings::auth(&setting.value),
                    key => plan
                        .settings
                        .extend(settings::source(&setting.value).map(|s| (key.to_owned(), s))),
                },
                ConnectorMember::Retry(retry) => plan.retry = Some(retry_of(&retry.policy)),
                ConnectorMember::Action(action) => {
                    plan.actions.push(self.action_plan(name, action))
                }
                ConnectorMember::Event(_) => {}
            }
        }
        Some(plan)
    }

    fn action_plan(&self, connector: &str, action: &ActionDecl) -> ActionPlan {
        let mut lowerer = Lowerer::new(self);
        lowerer.scopes.push(BTreeMap::new());
        let params = action
            .params
            .iter()
            .map(|p| (p.name.name.clone(), lowerer.bind(&p.name.name)))
            .collect();
        let defaults = action
            .params
            .iter()
            .filter_map(|p| Some((p.name.name.clone(), lowerer.expr(p.default.as_ref()?))))
            .collect();
        let http = action.http.as_ref().map(|http| {
            let path = lowerer.string(&http.path);
            let fields = |lowerer: &mut Lowerer<'_, '_, '_>,
                          record: &Option<crate::syntax::ast::RecordLit>| {
                record
                    .iter()
                    .flat_map(|r| &r.entries)
                    .map(|e| {
                        let value = match &e.value {
                            Some(v) => lowerer.expr(v),
                            None => lowerer.name(&e.key.name),
                        };
                        (e.key.name.clone(), value)
                    })
                    .collect()
            };
            let query = fields(&mut lowerer, &http.query);
            let headers = fields(&mut lowerer, &http.headers);
            HttpPlan {
                method: http.method.as_str().to_owned(),
                path,
                query,
                headers,
                body: http.body.as_ref().map(|b| lowerer.expr(b)),
                paginate: http.paginate.as_ref().map(|p| p.style.name.clone()),
            }
        });
        ActionPlan {
            name: action.name.name.clone(),
            effect: effect_of(action.kind),
            params,
            defaults,
            returns: action.ret.as_ref().map(|ret| {
                let ty = crate::types::resolve_written(self.symbols, Some(connector), ret);
                super::schema::schema(&ty, self.symbols, &mut self.types.borrow_mut())
            }),
            http,
        }
    }

    /// The effect of `connector.action`, and whether it exists.
    fn effect(&self, connector: &str, action: &str) -> Option<Effect> {
        let declared = self.symbols.connectors.get(connector)?;
        declared.members.iter().find_map(|m| match m {
            ConnectorMember::Action(a) if a.name.name == action => Some(effect_of(a.kind)),
            _ => None,
        })
    }

    /// The provider's name of an event: Okta's `eventType`.
    fn event_type(&self, event: &EventRef) -> (String, String) {
        provider_event(self.symbols, event)
    }
}

fn effect_of(kind: ActionKind) -> Effect {
    match kind {
        ActionKind::Read => Effect::Read,
        ActionKind::Write => Effect::Write,
        ActionKind::Destructive => Effect::Destructive,
    }
}

fn retry_of(policy: &crate::syntax::ast::RetryPolicy) -> Retry {
    Retry {
        attempts: policy.attempts,
        min_backoff_ms: u64::try_from(policy.min_backoff.millis()).unwrap_or(0),
        max_backoff_ms: u64::try_from(policy.max_backoff.millis()).unwrap_or(0),
        on_statuses: policy.on_statuses.clone(),
    }
}

/// Whether a config is declared `Secret` (or `Secret?`).
impl Context<'_, '_> {
    /// The parameters of `flow`'s `when called(…)` trigger.
    pub(super) fn called_params(&self, flow: &str) -> Option<Vec<super::CalledParam>> {
        let params = self
            .symbols
            .flows
            .get(flow)?
            .triggers
            .iter()
            .find_map(|t| match &t.kind {
                TriggerKind::Called { params, .. } => Some(params),
                _ => None,
            })?;
        Some(
            params
                .iter()
                .map(|param| {
                    let default = param.default.as_ref().and_then(|d| self.constant(d));
                    super::CalledParam {
                        name: param.name.name.clone(),
                        ty: crate::types::resolve_written(self.symbols, None, &param.ty),
                        computed_default: param.default.is_some() && default.is_none(),
                        default,
                    }
                })
                .collect(),
        )
    }
}

/// The names of the project's `Secret` configs: values the runtime
/// supplies, never constants of the plan.
pub(super) fn secret_configs(project: &Project) -> std::collections::BTreeSet<String> {
    project
        .files
        .iter()
        .filter(|f| f.origin == Origin::Project)
        .flat_map(|f| &f.parsed.module.items)
        .filter_map(|item| match item {
            Item::Config(config) if is_secret(config) => Some(config.name.name.clone()),
            _ => None,
        })
        .collect()
}

fn is_secret(config: &Config) -> bool {
    matches!(&config.ty.kind, TypeExprKind::Named { name, .. }
        if name.segments.len() == 1 && name.segments.first().is_some_and(|s| s.name == "Secret"))
}

/// The state of lowering one flow or function.
struct Lowerer<'c, 'a, 'p> {
    context: &'c Context<'a, 'p>,
    steps: Vec<Step>,
    locals: Vec<String>,
    scopes: Vec<BTreeMap<String, LocalId>>,
    /// Steps emitted for actions inside the expression being lowered, to
    /// run before the statement.
    pending: Vec<StepId>,
}

impl<'c, 'a, 'p> Lowerer<'c, 'a, 'p> {
    fn new(context: &'c Context<'a, 'p>) -> Self {
        Lowerer {
            context,
            steps: Vec::new(),
            locals: Vec::new(),
            scopes: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// A new local named `name` in the innermost scope.
    fn bind(&mut self, name: &str) -> LocalId {
        let id = self.fresh(name);
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_owned(), id);
        }
        id
    }

    /// A new local that no name refers to.
    fn fresh(&mut self, name: &str) -> LocalId {
        let id = LocalId::try_from(self.locals.len()).unwrap_or(LocalId::MAX);
        self.locals.push(name.to_owned());
        id
    }

    fn lookup(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    fn push(&mut self, kind: StepKind, span: Option<crate::source::Span>) -> StepId {
        let id = StepId::try_from(self.steps.len()).unwrap_or(StepId::MAX);
        self.steps.push(Step {
            kind,
            deps: Vec::new(),
            after: Vec::new(),
            wave: 0,
            notes: Vec::new(),
            span,
        });
        id
    }

    fn trigger(&mut self, trigger: &TriggerKind) -> Trigger {
        match trigger {
            TriggerKind::Event { event, binding } => {
                let (connector, event_type) = self.context.event_type(event);
                let payload = self.payload_schema(event);
                Trigger::Event {
                    connector,
                    event_type,
                    binding: binding.as_ref().map(|b| self.bind_shared(&b.name)),
                    payload,
                }
            }
            TriggerKind::Schedule { cron, tz, missed } => Trigger::Schedule {
                cron: cron.value.clone(),
                tz: tz.as_ref().map(|t| t.value.clone()),
                missed: missed.map(|m| format!("{m:?}").to_lowercase()),
            },
            TriggerKind::Webhook {
                path,
                binding,
                body_type,
            } => Trigger::Webhook {
                path: path.value.clone(),
                binding: binding.as_ref().map(|b| self.bind_shared(&b.name)),
                body: body_type.as_ref().map(|written| {
                    let symbols = self.context.symbols;
                    let ty = crate::types::resolve_written(symbols, None, written);
                    super::schema::schema(&ty, symbols, &mut self.context.types.borrow_mut())
                }),
            },
            TriggerKind::Called { params, .. } => Trigger::Called {
                params: params
                    .iter()
                    .map(|p| (p.name.name.clone(), self.bind_shared(&p.name.name)))
                    .collect(),
            },
        }
    }

    /// A trigger binding: several triggers binding one name share its local.
    fn bind_shared(&mut self, name: &str) -> LocalId {
        match self.lookup(name) {
            Some(id) => id,
            None => self.bind(name),
        }
    }

    fn block(&mut self, block: &Block) -> Vec<StepId> {
        self.scopes.push(BTreeMap::new());
        let mut ids = Vec::new();
        for stmt in &block.stmts {
            let span = Some(stmt.span);
            let id = match &stmt.kind {
                StmtKind::Let { name, value, .. } => match value {
                    LetValue::Expr(invocation) => {
                        let (kind, result) = self.invocation(invocation, Some(&name.name));
                        let step = self.push(kind, span);
                        if let Some(local) = result {
                            self.scopes
                                .last_mut()
                                .map(|s| s.insert(name.name.clone(), local));
                        }
                        Some(step)
                    }
                    LetValue::WaitFor(wait) => {
                        let kind = self.wait_for(wait, Some(&name.name));
                        Some(self.push(kind, span))
                    }
                },
                StmtKind::Expr(invocation) => {
                    let (kind, _) = self.invocation(invocation, None);
                    // A pure expression run for nothing has no step.
                    (!matches!(kind, StepKind::Compute { .. })).then(|| self.push(kind, span))
                }
                StmtKind::If {
                    branches,
                    otherwise,
                } => {
                    let arms = branches
                        .iter()
                        .map(|b| {
                            let condition = self.expr(&b.condition);
                            let body = self.block(&b.body);
                            Arm { condition, body }
                        })
                        .collect();
                    let otherwise = otherwise
                        .as_ref()
                        .map(|b| self.block(b))
                        .unwrap_or_default();
                    Some(self.push(StepKind::Branch { arms, otherwise }, span))
                }
                StmtKind::For {
                    var,
                    iter,
                    parallel,
                    body,
                } => {
                    let over = self.expr(iter);
                    self.scopes.push(BTreeMap::new());
                    let var = self.bind(&var.name);
                    let body = self.block(body);
                    self.scopes.pop();
                    let kind = StepKind::Loop {
                        var,
                        over,
                        concurrency: *parallel,
                        body,
                    };
                    Some(self.push(kind, span))
                }
                StmtKind::Parallel { body } => {
                    let body = self.block(body);
                    Some(self.push(StepKind::Parallel { body }, span))
                }
                StmtKind::Wait { duration } => {
                    let duration = self.expr(duration);
                    Some(self.push(StepKind::Wait { duration }, span))
                }
                StmtKind::WaitUntil { time } => {
                    let time = self.expr(time);
                    Some(self.push(StepKind::WaitUntil { time }, span))
                }
                StmtKind::WaitFor(wait) => {
                    let kind = self.wait_for(wait, None);
                    Some(self.push(kind, span))
                }
                StmtKind::Stop { reason } => {
                    let reason = reason.as_ref().map(|r| {
                        r.parts
                            .iter()
                            .map(|p| match p {
                                StringPart::Text(t) => t.as_str(),
                                StringPart::Interpolation(_) => "",
                            })
                            .collect()
                    });
                    Some(self.push(StepKind::Stop { reason }, span))
                }
                StmtKind::Return { value } => {
                    let value = self.expr(value);
                    Some(self.push(StepKind::Return { value }, span))
                }
                StmtKind::Spawn { call } => match &call.kind {
                    ExprKind::FlowCall { flow, args } => {
                        let args = self.flow_args(&flow.name, args);
                        let kind = StepKind::Spawn {
                            flow: flow.name.clone(),
                            args,
                        };
                        Some(self.push(kind, span))
                    }
                    // The grammar admits only `call f(…)` after `spawn`.
                    _ => None,
                },
            };
            ids.append(&mut self.pending);
            ids.extend(id);
        }
        self.scopes.pop();
        ids
    }

    /// A statement's call or expression: an action step, a call step, or a
    /// computation, bound to a new local named `name`; and that local.
    fn invocation(
        &mut self,
        invocation: &Invocation,
        name: Option<&str>,
    ) -> (StepKind, Option<LocalId>) {
        let on_error = |this: &mut Self| {
            invocation
                .on_error
                .as_ref()
                .map(|h| this.handler(h.binding.as_ref().map(|b| b.name.as_str()), &h.body))
        };
        match &invocation.expr.kind {
            ExprKind::Call { callee, args } => {
                if let Some((target, args)) = self.action(callee, args) {
                    let (connector, action) = target.split_once('.').unwrap_or_default();
                    let effect = self
                        .context
                        .effect(connector, action)
                        .unwrap_or(Effect::Write);
                    let result = name.map(|n| self.fresh(n));
                    let retry = invocation.retry.as_ref().map(retry_of);
                    let kind = StepKind::Action {
                        connector: connector.to_owned(),
                        action: action.to_owned(),
                        effect,
                        args,
                        result,
                        retry,
                        on_error: on_error(self),
                    };
                    return (kind, result);
                }
            }
            ExprKind::FlowCall { flow, args } => {
                let args = self.flow_args(&flow.name, args);
                let result = name.map(|n| self.fresh(n));
                let kind = StepKind::Call {
                    flow: flow.name.clone(),
                    args,
                    result,
                    on_error: on_error(self),
                };
                return (kind, result);
            }
            _ => {}
        }
        let value = self.expr(&invocation.expr);
        let local = self.fresh(name.unwrap_or("_"));
        (StepKind::Compute { local, value }, Some(local))
    }

    /// `connector.action(args)` as `("connector.action", args)`.
    fn action(&mut self, callee: &Expr, args: &[Arg]) -> Option<(String, Vec<(String, PExpr)>)> {
        let ExprKind::Field { base, name, .. } = &callee.kind else {
            return None;
        };
        let ExprKind::Name { name: connector } = &base.kind else {
            return None;
        };
        if self.lookup(connector).is_some() || self.context.effect(connector, &name.name).is_none()
        {
            return None;
        }
        let args = self.named_args(args);
        Some((format!("{connector}.{}", name.name), args))
    }

    fn named_args(&mut self, args: &[Arg]) -> Vec<(String, PExpr)> {
        args.iter()
            .map(|a| {
                let name = a.name.as_ref().map(|n| n.name.clone()).unwrap_or_default();
                (name, self.expr(&a.value))
            })
            .collect()
    }

    fn handler(&mut self, binding: Option<&str>, body: &Block) -> Handler {
        self.scopes.push(BTreeMap::new());
        let binding = binding.map(|b| self.bind(b));
        let saved = std::mem::take(&mut self.pending);
        let body = self.block(body);
        self.pending = saved;
        self.scopes.pop();
        Handler { binding, body }
    }

    /// The schema of an event's payload, when its type is known.
    fn payload_schema(&self, event: &EventRef) -> Option<super::ir::Schema> {
        let symbols = self.context.symbols;
        let ty = crate::types::event_payload(symbols, event);
        (ty != crate::types::Type::Unknown)
            .then(|| super::schema::schema(&ty, symbols, &mut self.context.types.borrow_mut()))
    }

    fn wait_for(&mut self, wait: &WaitFor, name: Option<&str>) -> StepKind {
        let (connector, event_type) = self.context.event_type(&wait.event);
        let payload = self.payload_schema(&wait.event);
        self.scopes.push(BTreeMap::new());
        let binding = self.bind(wait.binding.as_ref().map_or("it", |b| b.name.as_str()));
        let condition = wait.condition.as_ref().map(|c| self.expr(c));
        self.scopes.pop();
        let timeout = self.expr(&wait.timeout);
        let result = name.map(|n| self.bind(n));
        StepKind::WaitFor {
            connector,
            event_type,
            binding,
            payload,
            condition,
            timeout,
            result,
        }
    }
}

mod expr;

/// A connector event's connector and provider name: `okta.user_created`
/// is `("okta", "user.lifecycle.create")`.
pub(crate) fn provider_event(symbols: &Symbols<'_>, event: &EventRef) -> (String, String) {
    match &event.kind {
        EventRefKind::Named(path) => {
            let connector = path
                .segments
                .first()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            let name = path
                .segments
                .get(1)
                .map(|s| s.name.as_str())
                .unwrap_or_default();
            let provider = symbols
                .connectors
                .get(connector.as_str())
                .into_iter()
                .flat_map(|c| &c.members)
                .find_map(|m| match m {
                    ConnectorMember::Event(e) if e.name.name == name => {
                        Some(e.provider_name.value.clone())
                    }
                    _ => None,
                })
                .unwrap_or_else(|| name.to_owned());
            (connector, provider)
        }
        EventRefKind::Raw { connector, name } => (connector.name.clone(), name.value.clone()),
    }
}
