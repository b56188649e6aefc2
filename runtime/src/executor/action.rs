//! A run's actions: the call built from a step, sent through the run's
//! journal (a write journaled before it is sent), and its answer recorded.

use super::*;

impl<'e, 'a, C: Connectors> Run<'e, 'a, C> {
    /// An action step's call, its arguments evaluated.
    pub(super) fn prepare(&mut self, id: StepId, started: Instant) -> Result<ActionCall, Next> {
        let flow = self.flow;
        let Some(StepKind::Action {
            connector,
            action,
            effect,
            args,
            retry,
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
        let idempotency_key = self.step_key(id, &Value::Record(values.iter().cloned().collect()));
        Ok(ActionCall {
            connector: connector.clone(),
            action: action.clone(),
            effect: *effect,
            args: values,
            idempotency_key,
            retry: retry.clone(),
        })
    }

    /// Records an action's answer and binds its result; the redacted error
    /// when it failed.
    pub(super) fn answered(
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
                let value = self.executor.typed(value, self.executor.returns(call));
                let status = match answer.delivery {
                    Delivery::Sent => StepStatus::Ok,
                    Delivery::Journal => StepStatus::Replayed,
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

    /// A key for what step `id` does with `args`: the same in every attempt
    /// of the run, different for another run, step, loop iteration, call
    /// or arguments. Idempotency keys and spawned runs' keys are these.
    pub(super) fn step_key(&self, id: StepId, args: &Value) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        // The path tells apart the iterations of a loop, and the calls of
        // one flow from different steps, that send the same arguments.
        for part in [
            self.flow.hash.as_str(),
            self.event_id.as_str(),
            self.path.as_str(),
            &id.to_string(),
            &args.to_json().to_string(),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hex::encode(hash.finalize()).chars().take(32).collect()
    }
}

pub(super) fn journal_failed(error: &str) -> String {
    format!("the run journal could not be written: {error}")
}

/// Sends a call, unless an earlier attempt of the run did: then its
/// journaled result answers. A write is journaled as started before it is
/// sent; a result, once it is known (redacted, as the trace shows it).
pub(super) async fn send<C: Connectors>(
    executor: &Executor<'_, C>,
    journal: &dyn Journal,
    call: &ActionCall,
) -> Answer {
    let key = &call.idempotency_key;
    if let Some(Entry::Done { result }) = journal.get(key) {
        return Answer::once(Ok(result), Delivery::Journal);
    }
    if executor.dry_run || !journal.records_actions() {
        return executor.connectors.call(call).await;
    }
    let write = call.effect != idflow_compiler::plan::ir::Effect::Read;
    if write && let Err(error) = journal.put(key, Entry::Started).await {
        return journal_error(call, &error);
    }
    let answer = executor.connectors.call(call).await;
    if let Ok(value) = &answer.result {
        let result = executor.redactor.masked(value);
        if let Err(error) = journal.put(key, Entry::Done { result }).await {
            return journal_error(call, &error);
        }
    }
    answer
}

pub(super) fn journal_error(call: &ActionCall, error: &str) -> Answer {
    Answer::once(
        Err(ActionError::Failed {
            action: call.name(),
            message: journal_failed(error),
        }),
        Delivery::Sent,
    )
}
