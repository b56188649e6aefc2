//! The executor: runs one flow of a plan for one event, step by step.
//!
//! Each block runs wave by wave, the plan's waves being a valid order for
//! every dependency and effect constraint it records; the actions of one
//! wave — independent reads, the writes of a `parallel {}` group — are sent
//! together. `stop` and `return` end the run; an
//! action that fails runs its `on error` handler, or fails the run (and the
//! flow-level handler runs; the run is still recorded as failed, for the
//! audit). A `wait` ends a run of `idflow run` as waiting (`idflow serve`
//! resumes it); a dry run passes over waits and says so.

use std::collections::BTreeMap;
use std::time::Instant;

use futures::future::BoxFuture;
use idflow_compiler::plan::eval::{self, Env};
use idflow_compiler::plan::ir::{
    FlowPlan, Handler, LocalId, PExpr, Plan, StepId, StepKind, Trigger,
};
use idflow_compiler::plan::value::{Value, format_duration};
use serde::Serialize;

use crate::connectors::{ActionCall, Answer, Connectors, Delivery};
use crate::trace::{Redactor, StepStatus, TraceEntry};

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
}

/// Where control goes after a step or a block.
enum Next {
    Continue,
    Stop(Option<String>),
    Return(Value),
    Fail(String),
    Wait(String),
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
        }
    }

    /// Runs a flow for an event (none for a schedule).
    pub async fn run(&self, flow: &'a FlowPlan, event: Option<Value>) -> RunReport {
        let mut run = Run::new(self, flow, 0);
        if let Some(Value::Record(fields)) = &event
            && let Some(Value::String(uuid)) = fields.get("uuid")
        {
            run.event_id = uuid.clone();
        }
        for trigger in &flow.triggers {
            if let (
                Trigger::Event {
                    binding: Some(local),
                    ..
                }
                | Trigger::Webhook {
                    binding: Some(local),
                    ..
                },
                Some(event),
            ) = (trigger, &event)
            {
                run.env.set(*local, event.clone());
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
        }
    }
}

/// The state of one run of one flow.
struct Run<'e, 'a, C> {
    executor: &'e Executor<'a, C>,
    flow: &'a FlowPlan,
    env: Env<'a>,
    trace: Vec<TraceEntry>,
    depth: usize,
    /// The `uuid` of the event the run is for (empty for a schedule).
    event_id: String,
}

impl<'e, 'a, C: Connectors> Run<'e, 'a, C> {
    fn new(executor: &'e Executor<'a, C>, flow: &'a FlowPlan, depth: usize) -> Self {
        Run {
            executor,
            flow,
            env: Env::new(&executor.plan.functions, executor.configs, executor.now),
            trace: Vec::new(),
            depth,
            event_id: String::new(),
        }
    }

    /// The run's status once its body ended; runs the flow-level handler
    /// on a failure.
    async fn finish(&mut self, next: Next) -> (RunStatus, Option<Value>) {
        match next {
            Next::Continue => (RunStatus::Succeeded, None),
            Next::Return(value) => (RunStatus::Succeeded, Some(value)),
            Next::Stop(reason) => (RunStatus::Stopped { reason }, None),
            Next::Wait(on) => (RunStatus::Waiting { on }, None),
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
        var: LocalId,
        items: Vec<Value>,
        body: &'a [StepId],
        n: u32,
    ) -> Next {
        use futures::stream::{self, StreamExt};
        let (executor, flow, depth) = (self.executor, self.flow, self.depth);
        let event_id = &self.event_id;
        let base = self.env.clone();
        let ended = std::sync::atomic::AtomicBool::new(false);
        let ended = &ended;
        let outcomes: Vec<(Next, Vec<TraceEntry>)> = stream::iter(items)
            .map(|item| {
                let mut env = base.clone();
                env.set(var, item);
                async move {
                    if ended.load(std::sync::atomic::Ordering::SeqCst) {
                        return (Next::Continue, Vec::new());
                    }
                    let mut run = Run {
                        executor,
                        flow,
                        env,
                        trace: Vec::new(),
                        depth,
                        event_id: event_id.clone(),
                    };
                    let next = run.block(body).await;
                    if !matches!(next, Next::Continue) {
                        ended.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                    (next, run.trace)
                }
            })
            .buffered(n as usize)
            .collect()
            .await;
        let mut result = Next::Continue;
        for (next, mut trace) in outcomes {
            self.trace.append(&mut trace);
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
        let connectors = self.executor.connectors;
        let answers =
            futures::future::join_all(calls.iter().map(|(_, call)| connectors.call(call))).await;
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

    /// An action step's call, its arguments evaluated.
    fn prepare(&mut self, id: StepId, started: Instant) -> Result<ActionCall, Next> {
        let flow = self.flow;
        let Some(StepKind::Action {
            connector,
            action,
            effect,
            args,
            ..
        }) = flow.steps.get(id as usize).map(|s| &s.kind)
        else {
            return Err(Next::Fail(format!("step {id} is not an action")));
        };
        let mut values = Vec::with_capacity(args.len());
        for (name, expr) in args {
            match self.eval(expr) {
                Ok(value) => values.push((name.clone(), value)),
                Err(error) => {
                    return Err(self.failed(id, format!("{connector}.{action}"), error, started));
                }
            }
        }
        let idempotency_key = {
            use sha2::{Digest, Sha256};
            let args = Value::Record(values.iter().cloned().collect()).to_json();
            let mut hash = Sha256::new();
            for part in [
                flow.hash.as_str(),
                self.event_id.as_str(),
                &id.to_string(),
                &args.to_string(),
            ] {
                hash.update(part.as_bytes());
                hash.update([0]);
            }
            hex::encode(hash.finalize()).chars().take(32).collect()
        };
        Ok(ActionCall {
            connector: connector.clone(),
            action: action.clone(),
            effect: *effect,
            args: values,
            idempotency_key,
        })
    }

    /// Records an action's answer and binds its result; the redacted error
    /// when it failed.
    fn answered(
        &mut self,
        id: StepId,
        call: &ActionCall,
        answer: Answer,
        started: Instant,
    ) -> Result<(), String> {
        let redactor = &self.executor.redactor;
        let input = redactor.value(&Value::Record(call.args.iter().cloned().collect()));
        let attempts: Vec<_> = answer
            .attempts
            .into_iter()
            .map(|mut a| {
                a.error = a.error.map(|e| redactor.text(&e));
                a
            })
            .collect();
        let result = match self.flow.steps.get(id as usize).map(|s| &s.kind) {
            Some(StepKind::Action { result, .. }) => *result,
            _ => None,
        };
        match answer.result {
            Ok(value) => {
                let status = match answer.delivery {
                    Delivery::Sent => StepStatus::Ok,
                    Delivery::NotSent => StepStatus::NotSent,
                    Delivery::Fixture => StepStatus::Fixture,
                };
                let output = redactor.value(&value);
                let entry = self.record(id, call.name(), status, started);
                entry.input = Some(input);
                entry.output = Some(output);
                entry.attempts = attempts;
                if let Some(local) = result {
                    self.env.set(local, value);
                }
                Ok(())
            }
            Err(error) => {
                let message = redactor.text(&error.to_string());
                let entry = self.record(id, call.name(), StepStatus::Failed, started);
                entry.input = Some(input);
                entry.error = Some(message.clone());
                entry.attempts = attempts;
                Err(message)
            }
        }
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
                let answer = self.executor.connectors.call(&call).await;
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
                    Some(n) if *n > 1 => self.iterations_together(*var, items, body, *n).await,
                    _ => {
                        for item in items {
                            self.env.set(*var, item);
                            match self.block(body).await {
                                Next::Continue => {}
                                other => return other,
                            }
                        }
                        Next::Continue
                    }
                }
            }
            StepKind::Parallel { body } => self.block(body).await,
            StepKind::Wait { duration } => {
                let what = match self.eval(duration) {
                    Ok(Value::Duration(ms)) => format!("wait {}", format_duration(ms)),
                    Ok(other) => format!("wait {other}"),
                    Err(error) => return self.failed(id, "wait".to_owned(), error, started),
                };
                self.wait(id, what, started)
            }
            StepKind::WaitUntil { time } => {
                let what = match self.eval(time) {
                    Ok(value) => format!("wait until {value}"),
                    Err(error) => return self.failed(id, "wait until".to_owned(), error, started),
                };
                self.wait(id, what, started)
            }
            StepKind::WaitFor {
                connector,
                event_type,
                result,
                ..
            } => {
                if let Some(local) = result {
                    // A dry run passes over the wait as if it timed out.
                    self.env.set(*local, Value::Null);
                }
                self.wait(
                    id,
                    format!("wait for {connector} event \"{event_type}\""),
                    started,
                )
            }
            StepKind::Call {
                flow: called,
                args,
                result,
                on_error,
            } => {
                let outcome = self.call(called, args).await;
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
        }
    }

    fn failed(&mut self, id: StepId, what: String, error: String, started: Instant) -> Next {
        let error = self.executor.redactor.text(&error);
        self.record(id, what, StepStatus::Failed, started).error = Some(error.clone());
        Next::Fail(error)
    }

    /// A wait: the end of this run, or passed over in a dry run.
    fn wait(&mut self, id: StepId, what: String, started: Instant) -> Next {
        if self.executor.dry_run {
            self.record(id, what, StepStatus::NotWaited, started);
            Next::Continue
        } else {
            self.record(id, what.clone(), StepStatus::Waiting, started);
            Next::Wait(what)
        }
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

    /// Runs a called flow; its result (null when it ends without `return`).
    async fn call(&mut self, name: &str, args: &[(String, PExpr)]) -> Result<Value, Next> {
        if self.depth >= MAX_CALL_DEPTH {
            return Err(Next::Fail(format!(
                "flows call each other more than {MAX_CALL_DEPTH} deep"
            )));
        }
        let Some(called) = self.executor.plan.flows.iter().find(|f| f.name == name) else {
            return Err(Next::Fail(format!("the plan has no flow `{name}`")));
        };
        let mut values = Vec::with_capacity(args.len());
        for (param, expr) in args {
            values.push((param.clone(), self.eval(expr).map_err(Next::Fail)?));
        }
        let mut callee = Run::new(self.executor, called, self.depth + 1);
        callee.event_id = self.event_id.clone();
        for trigger in &called.triggers {
            if let Trigger::Called { params } = trigger {
                for (param, local) in params {
                    let value = values
                        .iter()
                        .find(|(p, _)| p == param)
                        .map_or(Value::Null, |(_, v)| v.clone());
                    callee.env.set(*local, value);
                }
            }
        }
        let next = callee.block(&called.body).await;
        self.trace.append(&mut callee.trace);
        match next {
            Next::Continue | Next::Stop(_) => Ok(Value::Null),
            Next::Return(value) => Ok(value),
            other => Err(other),
        }
    }
}
