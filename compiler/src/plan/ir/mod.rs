//! The Plan IR: what the runtime executes.
//!
//! A flow becomes a list of steps — action calls, pure computations,
//! branches, loops, parallel groups, waits, calls, stops and returns — each
//! with its data dependencies (`deps`: the steps whose results it reads) and
//! its effect order (`after`: the steps that must finish before it starts,
//! because it acts on a system they touched). A step may start as soon as
//! both are done; `wave` numbers the rounds in which independent steps start
//! together. Names are gone: every value a flow binds is a numbered local.

use serde::{Deserialize, Serialize};

use super::ops::{BinaryOp, UnaryOp};
use super::value::Value;
use crate::source::Span;

mod connector;

pub use connector::{ActionPlan, Auth, ConnectorPlan, HttpPlan, Source};

/// A step's position in its flow's `steps`.
pub type StepId = u32;

/// A local value's number within its flow (or function).
pub type LocalId = u32;

/// A whole project's plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`super::FORMAT_VERSION`] of the code that wrote it.
    pub format_version: u32,
    /// Every flow, in source order.
    pub flows: Vec<FlowPlan>,
    /// The project's pure functions.
    pub functions: Vec<FunctionPlan>,
    /// Which flows an event of each type can fire.
    pub index: TriggerIndex,
    /// The connectors the flows call, and those their triggers and `wait
    /// for`s receive events from (the service's System Log poller reads
    /// through Okta's), as the runtime's engines need them.
    pub connectors: Vec<ConnectorPlan>,
    /// The named types answers are checked against, by qualified name.
    pub types: Vec<(String, Schema)>,
}

impl Plan {
    /// The configs the runtime must supply, sorted: those the flows and
    /// functions read that are not constants of the plan — `Secret` configs,
    /// and configs without a value.
    pub fn runtime_configs(&self) -> std::collections::BTreeSet<&str> {
        self.flows
            .iter()
            .flat_map(|flow| self.runtime_configs_of(flow))
            .collect()
    }

    /// The configs the runtime must supply for one flow: those its filter,
    /// its steps and the plan's functions read (a function may be called
    /// from any flow).
    pub fn runtime_configs_of<'p>(
        &'p self,
        flow: &'p FlowPlan,
    ) -> std::collections::BTreeSet<&'p str> {
        fn collect<'p>(expr: &'p PExpr, out: &mut std::collections::BTreeSet<&'p str>) {
            if let PExpr::Config { name } = expr {
                out.insert(name);
            }
            expr.children().into_iter().for_each(|e| collect(e, out));
        }
        let mut names = std::collections::BTreeSet::new();
        let filter = flow.filter.iter().map(|f| &f.condition);
        let steps = flow.steps.iter().flat_map(|s| s.kind.exprs());
        filter.chain(steps).for_each(|e| collect(e, &mut names));
        for function in &self.functions {
            let lets = function.lets.iter().map(|(_, e)| e);
            lets.chain([&function.body])
                .for_each(|e| collect(e, &mut names));
        }
        names
    }

    /// The connectors some action step of the flows calls, sorted: those
    /// a run cannot do without.
    pub fn called_connectors(&self) -> std::collections::BTreeSet<&str> {
        self.flows
            .iter()
            .flat_map(|f| &f.steps)
            .filter_map(|s| match &s.kind {
                StepKind::Action { connector, .. } => Some(connector.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The shape a value must have: what the runtime checks an API's answer
/// against, so a flow never reads a field its type promised and the answer
/// lacks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Schema {
    /// Anything (`Json`, and types the checker could not know).
    Any,
    /// A string.
    String,
    /// A whole number.
    Int,
    /// Any number.
    Float,
    /// `true` or `false`.
    Bool,
    /// An instant: RFC 3339 text (or a bare date), made a `Time`.
    Time,
    /// A whole number of milliseconds, made a `Duration`.
    Duration,
    /// A list of values of one shape.
    List {
        /// The elements' shape.
        item: Box<Schema>,
    },
    /// An object with keys of any name.
    Map {
        /// The values' shape.
        value: Box<Schema>,
    },
    /// An object with these fields (others are ignored).
    Record {
        /// The fields, by name.
        fields: Vec<(String, Schema)>,
    },
    /// A named type of [`Plan::types`].
    Ref {
        /// Its qualified name: `okta.User`.
        name: String,
    },
    /// Null, or the inner shape.
    Optional {
        /// The shape when not null.
        inner: Box<Schema>,
    },
}

/// One flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowPlan {
    /// The flow's name.
    pub name: String,
    /// The flow version: sha256 of the plan's canonical form (see `hash`).
    pub hash: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// What fires it.
    pub triggers: Vec<Trigger>,
    /// The condition an event must meet before any run exists.
    pub filter: Option<Filter>,
    /// Every step, addressed by [`StepId`].
    pub steps: Vec<Step>,
    /// The top-level steps, in source order.
    pub body: Vec<StepId>,
    /// The flow-level `on error` handler.
    pub on_error: Option<Handler>,
    /// The names of the locals, for people; not part of the flow's meaning.
    pub locals: Vec<String>,
    /// What the optimizer did to the flow as a whole (steps it removed,
    /// stops it moved into the filter), for `idflow plan`.
    pub notes: Vec<String>,
}

/// What fires a flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// A connector event.
    Event {
        /// The connector.
        connector: String,
        /// The provider's event type: Okta's `eventType`.
        event_type: String,
        /// Where the event is bound.
        binding: Option<LocalId>,
        /// The payload's declared type (`okta.LogEvent`), by which its
        /// instants are read as times.
        payload: Option<Schema>,
    },
    /// A cron schedule.
    Schedule {
        /// The cron expression.
        cron: String,
        /// The IANA time zone; UTC when absent.
        tz: Option<String>,
        /// What to do with firings missed while the service was down: "once" or "skip".
        missed: Option<String>,
    },
    /// An HTTP endpoint.
    Webhook {
        /// The path.
        path: String,
        /// Where the request is bound.
        binding: Option<LocalId>,
        /// The body's declared type (`as req: HrChange`): a delivery that
        /// does not fit it is refused, naming the field.
        body: Option<Schema>,
    },
    /// Invoked by other flows with `call`.
    Called {
        /// The parameters, by name, and where each is bound.
        params: Vec<(String, LocalId)>,
    },
}

/// A trigger filter: the flow's `where`, and the leading `if … { stop }`
/// statements hoisted into it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    /// The condition, over the event binding and constants only.
    pub condition: PExpr,
    /// How many leading `if … { stop }` were folded in.
    pub hoisted_stops: u32,
    /// Whether the JIT compiles it to native code (otherwise the runtime
    /// interprets it).
    pub jit: bool,
}

/// One step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// The steps whose results it reads.
    pub deps: Vec<StepId>,
    /// The steps that must finish before it starts, for effect order.
    pub after: Vec<StepId>,
    /// The round in which it starts within its block, from 0: steps of the
    /// same round run together.
    pub wave: u32,
    /// What the optimizer did to it, for `idflow plan`.
    pub notes: Vec<String>,
    /// Where it comes from; not part of the flow's meaning.
    pub span: Option<Span>,
}

/// Whether an action only reads, writes, or destroys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// No side effect: may be deduplicated, hoisted, overlapped.
    Read,
    /// A change.
    Write,
    /// A change that takes access away.
    Destructive,
}

/// The kinds of step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepKind {
    /// An action of a connector.
    Action {
        /// The connector.
        connector: String,
        /// The action.
        action: String,
        /// Read, write or destructive.
        effect: Effect,
        /// The named arguments, in source order.
        args: Vec<(String, PExpr)>,
        /// Where the result is bound.
        result: Option<LocalId>,
        /// A per-call retry override.
        retry: Option<Retry>,
        /// What runs when it fails after its retries.
        on_error: Option<Handler>,
    },
    /// A pure computation bound to a local.
    Compute {
        /// The local.
        local: LocalId,
        /// The value.
        value: PExpr,
    },
    /// `if … else if … else`.
    Branch {
        /// The conditions and their blocks, tried in order.
        arms: Vec<Arm>,
        /// The `else` block.
        otherwise: Vec<StepId>,
    },
    /// `for var in over { body }`.
    Loop {
        /// The element's local.
        var: LocalId,
        /// The list.
        over: PExpr,
        /// How many iterations may run at once; one when absent.
        concurrency: Option<u32>,
        /// The body.
        body: Vec<StepId>,
    },
    /// `parallel { }`: the writes inside may run concurrently.
    Parallel {
        /// The steps.
        body: Vec<StepId>,
    },
    /// `wait DURATION`.
    Wait {
        /// A `Duration`.
        duration: PExpr,
    },
    /// `wait until TIME`.
    WaitUntil {
        /// A `Time`.
        time: PExpr,
    },
    /// `wait for EVENT where … timeout …`.
    WaitFor {
        /// The connector.
        connector: String,
        /// The provider's event type.
        event_type: String,
        /// Where the awaited event is bound inside the condition.
        binding: LocalId,
        /// The event's payload type, by which its times are read.
        payload: Option<Schema>,
        /// The condition the event must meet.
        condition: Option<PExpr>,
        /// How long to wait.
        timeout: PExpr,
        /// Where the event (or null on timeout) is bound.
        result: Option<LocalId>,
    },
    /// `call flow(args)`.
    Call {
        /// The called flow.
        flow: String,
        /// The named arguments.
        args: Vec<(String, PExpr)>,
        /// Where its result is bound.
        result: Option<LocalId>,
        /// What runs when it fails.
        on_error: Option<Handler>,
    },
    /// `stop "reason"`.
    Stop {
        /// Why.
        reason: Option<String>,
    },
    /// `return value`.
    Return {
        /// The result.
        value: PExpr,
    },
    /// `spawn call flow(args)`: a new run of the flow, not waited for.
    /// (Last among the variants, so that plans written before it read the
    /// same.)
    Spawn {
        /// The called flow.
        flow: String,
        /// The named arguments, defaults of the parameters left out included.
        args: Vec<(String, PExpr)>,
    },
}

/// One arm of a branch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arm {
    /// The condition.
    pub condition: PExpr,
    /// The block.
    pub body: Vec<StepId>,
}

/// An `on error` handler.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Handler {
    /// Where the error is bound.
    pub binding: Option<LocalId>,
    /// The block.
    pub body: Vec<StepId>,
}

/// A per-call retry policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    /// Attempts after the first.
    pub attempts: u32,
    /// The first backoff, in milliseconds.
    pub min_backoff_ms: u64,
    /// The largest backoff, in milliseconds.
    pub max_backoff_ms: u64,
    /// The statuses retried; the connector's when empty.
    pub on_statuses: Vec<u16>,
}

/// A pure expression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "expr", rename_all = "snake_case")]
pub enum PExpr {
    /// A constant (configs are constants of the plan).
    Const {
        /// The value.
        value: Value,
    },
    /// A config the runtime supplies: a `Secret`, or one without a value
    /// at build time. Every other config is a constant of the plan.
    Config {
        /// The config's name.
        name: String,
    },
    /// A local's value.
    Local {
        /// The local.
        id: LocalId,
    },
    /// `base.name` or `base?.name`.
    Field {
        /// The value read.
        base: Box<PExpr>,
        /// The field.
        name: String,
        /// Whether `?.`.
        safe: bool,
    },
    /// `base[index]`.
    Index {
        /// The list or map.
        base: Box<PExpr>,
        /// The position or key.
        index: Box<PExpr>,
    },
    /// A built-in function or method, by its qualified name (`List.filter`).
    Builtin {
        /// [`crate::library::Builtin::qualified_name`].
        name: String,
        /// The receiver of a method.
        receiver: Option<Box<PExpr>>,
        /// Whether called with `?.`: null when the receiver is.
        safe: bool,
        /// The arguments, in parameter order.
        args: Vec<PExpr>,
    },
    /// One of the project's functions.
    Function {
        /// Its name.
        name: String,
        /// The arguments, in parameter order.
        args: Vec<PExpr>,
    },
    /// `param => body`.
    Lambda {
        /// The parameter's local.
        param: LocalId,
        /// The body.
        body: Box<PExpr>,
    },
    /// A prefix operator.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<PExpr>,
    },
    /// An infix operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        lhs: Box<PExpr>,
        /// The right operand.
        rhs: Box<PExpr>,
    },
    /// A list.
    List {
        /// The elements.
        items: Vec<PExpr>,
    },
    /// A record.
    Record {
        /// The fields in source order.
        fields: Vec<(String, PExpr)>,
    },
    /// A string with interpolations.
    Text {
        /// The parts.
        parts: Vec<TextPart>,
    },
    /// `(acc, param) => body`: a lambda of two parameters, `reduce`'s step.
    /// (Last among the variants, so that plans written before it read the
    /// same.)
    Lambda2 {
        /// The first parameter's local: the value so far.
        acc: LocalId,
        /// The second parameter's local: the element.
        param: LocalId,
        /// The body.
        body: Box<PExpr>,
    },
}

/// A part of an interpolated string.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextPart {
    /// Literal text.
    Literal(String),
    /// A value turned into text.
    Value(PExpr),
}

/// A project function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionPlan {
    /// Its name.
    pub name: String,
    /// Its parameters' locals, in order.
    pub params: Vec<LocalId>,
    /// The `let`s before the result.
    pub lets: Vec<(LocalId, PExpr)>,
    /// The result.
    pub body: PExpr,
    /// The names of the locals, for people.
    pub locals: Vec<String>,
}

/// For each event type, the flows (by index into `flows`) that fire on it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TriggerIndex {
    /// `(connector, event type)` → flows, sorted by key.
    pub by_event: Vec<IndexEntry>,
}

/// One entry of the trigger index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The connector.
    pub connector: String,
    /// The provider's event type.
    pub event_type: String,
    /// The flows, by index into [`Plan::flows`].
    pub flows: Vec<u32>,
}

impl PExpr {
    /// A constant.
    pub fn constant(value: Value) -> Self {
        PExpr::Const { value }
    }

    /// Calls `visit` on every expression directly inside this one.
    pub fn children(&self) -> Vec<&PExpr> {
        match self {
            PExpr::Const { .. } | PExpr::Local { .. } | PExpr::Config { .. } => Vec::new(),
            PExpr::Field { base, .. } => vec![base],
            PExpr::Index { base, index } => vec![base, index],
            PExpr::Builtin { receiver, args, .. } => {
                receiver.iter().map(|r| &**r).chain(args).collect()
            }
            PExpr::Function { args, .. } => args.iter().collect(),
            PExpr::Lambda { body, .. } | PExpr::Lambda2 { body, .. } => vec![body],
            PExpr::Unary { operand, .. } => vec![operand],
            PExpr::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            PExpr::List { items } => items.iter().collect(),
            PExpr::Record { fields } => fields.iter().map(|(_, v)| v).collect(),
            PExpr::Text { parts } => parts
                .iter()
                .filter_map(|p| match p {
                    TextPart::Value(v) => Some(v),
                    TextPart::Literal(_) => None,
                })
                .collect(),
        }
    }

    /// Every local this expression reads, lambda parameters included.
    pub fn locals(&self, out: &mut Vec<LocalId>) {
        if let PExpr::Local { id } = self {
            out.push(*id);
        }
        for child in self.children() {
            child.locals(out);
        }
    }
}

impl FlowPlan {
    /// The steps of `roots` and every step nested in them, in reading
    /// order: each step before the ones inside it, blocks top to bottom.
    pub fn walk(&self, roots: &[StepId]) -> Vec<StepId> {
        let mut order = Vec::new();
        let mut stack: Vec<StepId> = roots.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            order.push(id);
            if let Some(step) = self.steps.get(id as usize) {
                for block in step.kind.blocks().into_iter().rev() {
                    stack.extend(block.iter().rev());
                }
            }
        }
        order
    }

    /// Every step the flow's body and `on error` handler reach, in reading
    /// order.
    pub fn reachable(&self) -> Vec<StepId> {
        let mut roots = self.body.clone();
        if let Some(handler) = &self.on_error {
            roots.extend(&handler.body);
        }
        self.walk(&roots)
    }

    /// A step and the steps nested in it.
    pub fn subtree(&self, id: StepId) -> impl Iterator<Item = &Step> {
        self.walk(&[id])
            .into_iter()
            .filter_map(|i| self.steps.get(i as usize))
    }
}

impl StepKind {
    /// The expressions the step evaluates itself (not those of nested steps).
    pub fn exprs(&self) -> Vec<&PExpr> {
        match self {
            StepKind::Action { args, .. }
            | StepKind::Call { args, .. }
            | StepKind::Spawn { args, .. } => args.iter().map(|(_, v)| v).collect(),
            StepKind::Compute { value, .. } | StepKind::Return { value } => vec![value],
            StepKind::Branch { arms, .. } => arms.iter().map(|a| &a.condition).collect(),
            StepKind::Loop { over, .. } => vec![over],
            StepKind::Wait { duration } => vec![duration],
            StepKind::WaitUntil { time } => vec![time],
            StepKind::WaitFor {
                condition, timeout, ..
            } => condition.iter().chain([timeout]).collect(),
            StepKind::Parallel { .. } | StepKind::Stop { .. } => Vec::new(),
        }
    }

    /// The blocks nested in the step.
    pub fn blocks(&self) -> Vec<&Vec<StepId>> {
        match self {
            StepKind::Action {
                on_error: Some(handler),
                ..
            }
            | StepKind::Call {
                on_error: Some(handler),
                ..
            } => vec![&handler.body],
            StepKind::Branch { arms, otherwise } => {
                arms.iter().map(|a| &a.body).chain([otherwise]).collect()
            }
            StepKind::Loop { body, .. } | StepKind::Parallel { body } => vec![body],
            _ => Vec::new(),
        }
    }

    /// The locals the step binds.
    pub fn binds(&self) -> Option<LocalId> {
        match self {
            StepKind::Action { result, .. }
            | StepKind::Call { result, .. }
            | StepKind::WaitFor { result, .. } => *result,
            StepKind::Compute { local, .. } => Some(*local),
            _ => None,
        }
    }
}
