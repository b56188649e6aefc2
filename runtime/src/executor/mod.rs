//! The executor: runs one flow of a plan for one event, step by step.
//!
//! Each block runs wave by wave, the plan's waves being a valid order for
//! every dependency and effect constraint it records; the actions of one
//! wave — independent reads, the writes of a `parallel {}` group — are sent
//! together. `stop` and `return` end the run; an
//! action that fails runs its `on error` handler, or fails the run (and the
//! flow-level handler runs; the run is still recorded as failed, for the
//! audit). A `wait` ends the run's attempt as waiting, until it is due
//! (`idflow serve` resumes it, replaying what the [`Journal`] recorded); a
//! dry run passes over waits and says so.

use std::collections::BTreeMap;
use std::time::Instant;

use futures::future::BoxFuture;
use idflow_compiler::plan::eval::{self, Env};
use idflow_compiler::plan::ir::{
    FlowPlan, Handler, LocalId, PExpr, Plan, Schema, StepId, StepKind, Trigger,
};
use idflow_compiler::plan::typed;
use idflow_compiler::plan::value::{Value, format_duration};
use serde::Serialize;

use crate::connectors::{ActionCall, ActionError, Answer, Connectors, Delivery};
use crate::journal::{Entry, Ephemeral, Journal};
use crate::trace::{Redactor, StepStatus, TraceEntry};

mod action;
mod call;
mod wait;

use action::{journal_failed, send};
use wait::{Awaited, Due};

/// How deep flows may `call` each other at run time.
const MAX_CALL_DEPTH: usize = 16;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RunStatus {
    /// Every step ran.
    Succeeded,
    /// A `stop` ended it: recorded as skipped.
    Stopped {
        /// The `stop`'s reason.
        reason: Option<String>,
    },
    /// A step failed and no handler took care of it.
    Failed {
        /// Why, with secrets redacted.
        error: String,
    },
    /// It stopped at a wait, which `idflow serve` resumes.
    Waiting {
        /// What it waits for.
        on: String,
        /// When the wait is due (its timeout, for `wait for`), in
        /// milliseconds since the epoch.
        #[serde(skip_serializing_if = "Option::is_none")]
        until_ms: Option<i64>,
        /// The event a `wait for` awaits: `connector` and event type.
        #[serde(skip_serializing_if = "Option::is_none")]
        event: Option<(String, String)>,
    },
}

/// The record of one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    /// The flow.
    pub flow: String,
    /// The flow's version hash.
    pub version: String,
    /// How it ended.
    #[serde(flatten)]
    pub status: RunStatus,
    /// What a called flow returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    /// Every step, in the order they ran.
    pub trace: Vec<TraceEntry>,
    /// The runs its `spawn` statements start, for whoever runs it to create
    /// once it ends: the service queues them (a retried attempt spawns the
    /// same keys, which are not queued twice), `idflow run` and `idflow
    /// test` run them after it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spawned: Vec<Spawned>,
}

/// A run a `spawn` statement starts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Spawned {
    /// The called flow.
    pub flow: String,
    /// Its arguments, by parameter name.
    pub args: Value,
    /// The same in every attempt of the spawning run and unique to its
    /// `spawn` step, loop iteration and arguments.
    pub key: String,
}

/// What runs plans: the plan, the connectors, the runtime configs (secrets
/// among them) and the clock.
pub struct Executor<'a, C> {
    plan: &'a Plan,
    connectors: &'a C,
    configs: &'a BTreeMap<String, Value>,
    redactor: Redactor,
    now: i64,
    dry_run: bool,
    /// The plan's named types, by which events and answers read from JSON
    /// get their times and durations.
    types: BTreeMap<String, Schema>,
}

/// Where control goes after a step or a block.
enum Next {
    Continue,
    Stop(Option<String>),
    Return(Value),
    Fail(String),
    Wait(RunStatus),
}

impl<'a, C: Connectors> Executor<'a, C> {
    /// An executor. `secrets` are the values the trace must never show;
    /// `now` is `now()` for the whole run, in milliseconds.
    pub fn new(
        plan: &'a Plan,
        connectors: &'a C,
        configs: &'a BTreeMap<String, Value>,
        secrets: Redactor,
        now: i64,
        dry_run: bool,
    ) -> Self {
        Executor {
            plan,
            connectors,
            configs,
            redactor: secrets,
            now,
            dry_run,
            types: plan.types.iter().cloned().collect(),
        }
    }

    /// `value`, read from JSON, with the times and durations `schema` declares.
    fn typed(&self, value: Value, schema: Option<&Schema>) -> Value {
        match schema {
            Some(schema) => typed::typed(value, schema, &self.types),
            None => value,
        }
    }

    /// The type an action's answer is declared with.
    fn returns(&self, call: &ActionCall) -> Option<&'a Schema> {
        let connector = self
            .plan
            .connectors
            .iter()
            .find(|c| c.name == call.connector)?;
        let action = connector.actions.iter().find(|a| a.name == call.action)?;
        action.returns.as_ref()
    }

    /// Runs a flow for an event (none for a schedule; for a called flow,
    /// the record of its arguments), with nothing remembered from an
    /// earlier attempt.
    pub async fn run(&self, flow: &'a FlowPlan, event: Option<Value>) -> RunReport {
        let uuid = match &event {
            Some(Value::Record(fields)) => match fields.get("uuid") {
                Some(Value::String(uuid)) => uuid.clone(),
                _ => String::new(),
            },
            _ => String::new(),
        };
        self.run_keyed(flow, event, &uuid).await
    }

    /// Runs a flow another run spawned, with nothing remembered from an
    /// earlier attempt: its idempotency keys derive from its spawn key.
    pub async fn run_spawned(&self, flow: &'a FlowPlan, spawned: &Spawned) -> RunReport {
        self.run_keyed(flow, Some(spawned.args.clone()), &spawned.key)
            .await
    }

    /// Runs a flow for `input` with nothing remembered from an earlier
    /// attempt, its idempotency keys derived from `key` (what fired it: two
    /// firings with one key are one firing to the APIs that deduplicate).
    pub async fn run_keyed(
        &self,
        flow: &'a FlowPlan,
        input: Option<Value>,
        key: &str,
    ) -> RunReport {
        let journal = Ephemeral { now_ms: self.now };
        self.run_journaled(flow, input, key, &journal).await
    }

    /// Runs a flow for an event, replaying what `journal` recorded of the
    /// run's earlier attempts and recording what this one does. `event_key`
    /// identifies what fired the run (an Okta event's `uuid`, a schedule's
    /// firing): idempotency keys derive from it.
    pub async fn run_journaled(
        &self,
        flow: &'a FlowPlan,
        event: Option<Value>,
        event_key: &str,
        journal: &dyn Journal,
    ) -> RunReport {
        let mut run = Run::new(self, journal, flow, 0);
        event_key.clone_into(&mut run.event_id);
        for trigger in &flow.triggers {
            if let (
                Trigger::Event {
                    binding: Some(local),
                    payload: schema,
                    ..
                }
                | Trigger::Webhook {
                    binding: Some(local),
                    body: schema,
                    ..
                },
                Some(event),
            ) = (trigger, &event)
            {
                run.env
                    .set(*local, self.typed(event.clone(), schema.as_ref()));
            }
            // A called flow run on its own (`idflow run --call`) takes its
            // arguments as a record, by parameter name.
            if let (Trigger::Called { params }, Some(Value::Record(args))) = (trigger, &event) {
                for (param, local) in params {
                    run.env
                        .set(*local, args.get(param).cloned().unwrap_or(Value::Null));
                }
            }
        }
        let next = run.block(&flow.body).await;
        let (status, result) = run.finish(next).await;
        RunReport {
            flow: flow.name.clone(),
            version: flow.hash.clone(),
            status,
            result: result.map(|r| self.redactor.value(&r)),
            trace: run.trace,
            spawned: run.spawned,
        }
    }
}

/// The state of one run of one flow.
struct Run<'e, 'a, C> {
    executor: &'e Executor<'a, C>,
    journal: &'e dyn Journal,
    flow: &'a FlowPlan,
    env: Env<'a>,
    trace: Vec<TraceEntry>,
    depth: usize,
    /// What fired the run — an event's `uuid`, a schedule firing's key —
    /// from which idempotency keys derive.
    event_id: String,
    /// Where in the run this part runs: the loop iterations and calls it is
    /// inside, so a wait's journal key is the same in every attempt.
    path: String,
    /// The runs spawned so far.
    spawned: Vec<Spawned>,
}

impl<'e, 'a, C: Connectors> Run<'e, 'a, C> {
    fn new(
        executor: &'e Executor<'a, C>,
        journal: &'e dyn Journal,
        flow: &'a FlowPlan,
        depth: usize,
    ) -> Self {
        Run {
            executor,
            journal,
            flow,
            env: Env::new(&executor.plan.functions, executor.configs, executor.now),
            trace: Vec::new(),
            depth,
            event_id: String::new(),
            path: String::new(),
            spawned: Vec::new(),
        }
    }

    /// The run's status once its body ended; runs the flow-level handler
    /// on a failure.
    async fn finish(&mut self, next: Next) -> (RunStatus, Option<Value>) {
        match next {
            Next::Continue => (RunStatus::Succeeded, None),
            Next::Return(value) => (RunStatus::Succeeded, Some(value)),
            Next::Stop(reason) => (RunStatus::Stopped { reason }, None),
            Next::Wait(waiting) => (waiting, None),
            Next::Fail(error) => {
                if let Some(handler) = &self.flow.on_error {
                    let handled = self.handle(handler, &error).await;
                    if let Next::Fail(second) = handled {
                        return (
                            RunStatus::Failed {
                                error: format!(
                                    "{error}; then the `on error` handler failed: {second}"
                                ),
                            },
                            None,
                        );
                    }
                }
                (RunStatus::Failed { error }, None)
            }
        }
    }

    /// Runs a block wave by wave: the plan's waves are a valid order for
    /// every dependency and effect edge, and the actions of one wave
    /// (independent reads, the writes of a `parallel {}` group) are sent
    /// together.
    fn block<'s>(&'s mut self, ids: &'a [StepId]) -> BoxFuture<'s, Next>
    where
        'a: 's,
    {
        Box::pin(async move {
            let flow = self.flow;
            let wave = |id: &StepId| flow.steps.get(*id as usize).map_or(0, |s| s.wave);
            let last = ids.iter().map(wave).max().unwrap_or(0);
            for w in 0..=last {
                let batch: Vec<StepId> = ids.iter().copied().filter(|id| wave(id) == w).collect();
                let together = batch.len() > 1
                    && batch.iter().all(|id| {
                        matches!(
                            flow.steps.get(*id as usize).map(|s| &s.kind),
                            Some(StepKind::Action { on_error: None, .. })
                        )
                    });
                if together {
                    match self.actions_together(&batch).await {
                        Next::Continue => {}
                        other => return other,
                    }
                    continue;
                }
                for id in batch {
                    match self.step(id).await {
                        Next::Continue => {}
                        other => return other,
                    }
                }
            }
            Next::Continue
        })
    }

    /// `for x in list parallel n`: up to `n` iterations at a time, each in a
    /// copy of the run's values (what an iteration binds stays inside it);
    /// their traces are kept in the list's order. Once an iteration fails or
    /// stops, no further one starts (those under way finish), and the first
    /// such iteration decides how the loop ends.
    async fn iterations_together(
        &mut self,
        loop_step: StepId,
        var: LocalId,
        items: Vec<Value>,
        body: &'a [StepId],
        n: u32,
    ) -> Next {
        use futures::stream::{self, StreamExt};
        let (executor, journal, flow, depth) = (self.executor, self.journal, self.flow, self.depth);
        let (event_id, path) = (&self.event_id, &self.path);
        let base = self.env.clone();
        let ended = std::sync::atomic::AtomicBool::new(false);
        let ended = &ended;
        let outcomes: Vec<(Next, Vec<TraceEntry>, Vec<Spawned>)> =
            stream::iter(items.into_iter().enumerate())
                .map(|(i, item)| {
                    let mut env = base.clone();
                    env.set(var, item);
                    async move {
                        if ended.load(std::sync::atomic::Ordering::SeqCst) {
                            return (Next::Continue, Vec::new(), Vec::new());
                        }
                        let mut run = Run {
                            executor,
                            journal,
                            flow,
                            env,
                            trace: Vec::new(),
                            depth,
                            event_id: event_id.clone(),
                            path: format!("{path}{loop_step}.{i}/"),
                            spawned: Vec::new(),
                        };
                        let next = run.block(body).await;
                        if !matches!(next, Next::Continue) {
                            ended.store(true, std::sync::atomic::Ordering::SeqCst);
                        }
                        (next, run.trace, run.spawned)
                    }
                })
                .buffered(n as usize)
                .collect()
                .await;
        let mut result = Next::Continue;
        for (next, mut trace, mut spawned) in outcomes {
            self.trace.append(&mut trace);
            self.spawned.append(&mut spawned);
            if matches!(result, Next::Continue) && !matches!(next, Next::Continue) {
                result = next;
            }
        }
        result
    }

    /// Sends several independent actions at once; records them in order.
    async fn actions_together(&mut self, ids: &[StepId]) -> Next {
        let started = Instant::now();
        let mut calls = Vec::with_capacity(ids.len());
        for id in ids {
            match self.prepare(*id, started) {
                Ok(call) => calls.push((*id, call)),
                Err(next) => return next,
            }
        }
        let (executor, journal) = (self.executor, self.journal);
        let answers =
            futures::future::join_all(calls.iter().map(|(_, call)| send(executor, journal, call)))
                .await;
        let mut outcome = Next::Continue;
        for ((id, call), answer) in calls.iter().zip(answers) {
            if let Err(message) = self.answered(*id, call, answer, started)
                && matches!(outcome, Next::Continue)
            {
                outcome = Next::Fail(message);
            }
        }
        outcome
    }

    fn name(&self, local: LocalId) -> &str {
        self.flow
            .locals
            .get(local as usize)
            .map_or("_", String::as_str)
    }

    fn eval(&mut self, expr: &PExpr) -> Result<Value, String> {
        eval::eval_in(expr, &mut self.env).map_err(|e| self.executor.redactor.text(&e.to_string()))
    }

    fn record(
        &mut self,
        step: StepId,
        what: String,
        status: StepStatus,
        started: Instant,
    ) -> &mut TraceEntry {
        let elapsed = started.elapsed();
        let ended_ms = crate::event::now_ms();
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.trace.push(TraceEntry {
            flow: self.flow.name.clone(),
            step,
            what,
            status,
            input: None,
            output: None,
            error: None,
            attempts: Vec::new(),
            started_ms: ended_ms - i64::try_from(elapsed.as_millis()).unwrap_or(0),
            ended_ms,
            micros,
        });
        self.trace
            .last_mut()
            .unwrap_or_else(|| unreachable!("an entry was just pushed"))
    }

    async fn step(&mut self, id: StepId) -> Next {
        let flow = self.flow;
        let Some(step) = flow.steps.get(id as usize) else {
            return Next::Fail(format!("the plan has no step {id}"));
        };
        let started = Instant::now();
        match &step.kind {
            StepKind::Action { on_error, .. } => {
                let call = match self.prepare(id, started) {
                    Ok(call) => call,
                    Err(next) => return next,
                };
                let answer = send(self.executor, self.journal, &call).await;
                match self.answered(id, &call, answer, started) {
                    Err(message) => match on_error {
                        Some(handler) => self.handle(handler, &message).await,
                        None => Next::Fail(message),
                    },
                    Ok(()) => Next::Continue,
                }
            }
            StepKind::Compute { local, value } => match self.eval(value) {
                Ok(value) => {
                    let what = format!("let {}", self.name(*local));
                    let output = self.executor.redactor.value(&value);
                    self.env.set(*local, value);
                    self.record(id, what, StepStatus::Ok, started).output = Some(output);
                    Next::Continue
                }
                Err(error) => {
                    let what = format!("let {}", self.name(*local));
                    self.failed(id, what, error, started)
                }
            },
            StepKind::Branch { arms, otherwise } => {
                for arm in arms {
                    match eval::holds_in(&arm.condition, &mut self.env) {
                        Ok(true) => return self.block(&arm.body).await,
                        Ok(false) => {}
                        Err(error) => {
                            return self.failed(id, "if".to_owned(), error.to_string(), started);
                        }
                    }
                }
                self.block(otherwise).await
            }
            StepKind::Loop {
                var,
                over,
                body,
                concurrency,
            } => {
                let items = match self.eval(over) {
                    Ok(Value::List(items)) => items,
                    Ok(Value::Null) => Vec::new(),
                    Ok(other) => {
                        return self.failed(
                            id,
                            "for".to_owned(),
                            format!("`for` needs a list, found {}", other.kind()),
                            started,
                        );
                    }
                    Err(error) => return self.failed(id, "for".to_owned(), error, started),
                };
                match concurrency {
                    Some(n) if *n > 1 => self.iterations_together(id, *var, items, body, *n).await,
                    _ => {
                        let outer = self.path.clone();
                        for (i, item) in items.into_iter().enumerate() {
                            self.env.set(*var, item);
                            self.path = format!("{outer}{id}.{i}/");
                            let next = self.block(body).await;
                            if !matches!(next, Next::Continue) {
                                self.path = outer;
                                return next;
                            }
                        }
                        self.path = outer;
                        Next::Continue
                    }
                }
            }
            StepKind::Parallel { body } => self.block(body).await,
            StepKind::Wait { duration } => {
                let (what, length) = match self.eval(duration) {
                    Ok(Value::Duration(ms)) => (format!("wait {}", format_duration(ms)), ms),
                    Ok(other) => (format!("wait {other}"), 0),
                    Err(error) => return self.failed(id, "wait".to_owned(), error, started),
                };
                let due = Due::After(length);
                self.wait(id, what, due, None, started).await
            }
            StepKind::WaitUntil { time } => {
                let (what, due) = match self.eval(time) {
                    Ok(Value::Time(ms)) => (format!("wait until {}", Value::Time(ms)), Due::At(ms)),
                    Ok(other) => (format!("wait until {other}"), Due::After(0)),
                    Err(error) => return self.failed(id, "wait until".to_owned(), error, started),
                };
                self.wait(id, what, due, None, started).await
            }
            StepKind::WaitFor {
                connector,
                event_type,
                binding,
                payload,
                condition,
                timeout,
                result,
            } => {
                let length = match self.eval(timeout) {
                    Ok(Value::Duration(ms)) => ms,
                    Ok(_) => 0,
                    Err(error) => return self.failed(id, "wait for".to_owned(), error, started),
                };
                let awaited = Awaited {
                    connector,
                    event_type,
                    binding: *binding,
                    payload: payload.as_ref(),
                    condition: condition.as_ref(),
                    result: *result,
                };
                let what = format!("wait for {connector} event \"{event_type}\"");
                self.wait(id, what, Due::After(length), Some(awaited), started)
                    .await
            }
            StepKind::Call {
                flow: called,
                args,
                result,
                on_error,
            } => {
                let outcome = self.call(id, called, args).await;
                let what = format!("call {called}");
                match outcome {
                    Ok(value) => {
                        let output = self.executor.redactor.value(&value);
                        self.record(id, what, StepStatus::Ok, started).output = Some(output);
                        if let Some(local) = result {
                            self.env.set(*local, value);
                        }
                        Next::Continue
                    }
                    Err(Next::Fail(error)) => {
                        self.record(id, what, StepStatus::Failed, started).error =
                            Some(error.clone());
                        match on_error {
                            Some(handler) => self.handle(handler, &error).await,
                            None => Next::Fail(error),
                        }
                    }
                    Err(other) => other,
                }
            }
            StepKind::Stop { reason } => {
                let what = format!(
                    "stop{}",
                    reason
                        .as_ref()
                        .map(|r| format!(" \"{r}\""))
                        .unwrap_or_default()
                );
                self.record(id, what, StepStatus::Ok, started);
                Next::Stop(reason.clone())
            }
            StepKind::Return { value } => match self.eval(value) {
                Ok(value) => {
                    let output = self.executor.redactor.value(&value);
                    self.record(id, "return".to_owned(), StepStatus::Ok, started)
                        .output = Some(output);
                    Next::Return(value)
                }
                Err(error) => self.failed(id, "return".to_owned(), error, started),
            },
            StepKind::Spawn { flow, args } => self.spawn(id, flow, args, started),
        }
    }

    fn failed(&mut self, id: StepId, what: String, error: String, started: Instant) -> Next {
        let error = self.executor.redactor.text(&error);
        self.record(id, what, StepStatus::Failed, started).error = Some(error.clone());
        Next::Fail(error)
    }

    /// Runs an `on error` handler with the error bound.
    async fn handle(&mut self, handler: &'a Handler, error: &str) -> Next {
        if let Some(local) = handler.binding {
            let value =
                Value::Record([("message".to_owned(), Value::String(error.to_owned()))].into());
            self.env.set(local, value);
        }
        self.block(&handler.body).await
    }
}
