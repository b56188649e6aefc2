//! A run's waits: durable under the service, passed over in a dry run;
//! a `wait for` takes the first matching event received since it began.

use super::*;

impl<'e, 'a, C: Connectors> Run<'e, 'a, C> {
    /// A wait: passed once it fired (now, or in an earlier attempt), else
    /// the end of this attempt; passed over in a dry run (a `wait for` as if
    /// it timed out).
    pub(super) async fn wait(
        &mut self,
        id: StepId,
        what: String,
        due: Due,
        awaited: Option<Awaited<'a>>,
        started: Instant,
    ) -> Next {
        if self.executor.dry_run {
            if let Some(local) = awaited.as_ref().and_then(|a| a.result) {
                self.env.set(local, Value::Null);
            }
            self.record(id, what, StepStatus::NotWaited, started);
            return Next::Continue;
        }
        let key = format!("wait:{}{}", self.path, id);
        let journal = self.journal;
        let clock = journal.clock();
        let due_ms = match journal.get(&key) {
            Some(Entry::Fired { at_ms, event }) => {
                return self.fired(id, what, at_ms, event, awaited, started);
            }
            Some(Entry::Due { due_ms }) => due_ms,
            _ => {
                let due_ms = match due {
                    Due::After(ms) => clock.saturating_add(ms),
                    Due::At(ms) => ms,
                };
                if let Err(error) = journal.put(&key, Entry::Due { due_ms }).await {
                    return self.failed(id, what, journal_failed(&error), started);
                }
                due_ms
            }
        };
        let mut found = Value::Null;
        if let Some(awaited) = &awaited {
            // The wait began when it was first reached: `due_ms` less its length.
            let since = match due {
                Due::After(ms) => due_ms.saturating_sub(ms),
                Due::At(_) => i64::MIN,
            };
            match journal
                .events_since(awaited.connector, awaited.event_type, since)
                .await
            {
                Ok(events) => {
                    if let Some(event) = self.first_match(awaited, events) {
                        found = event;
                    }
                }
                Err(error) => return self.failed(id, what, journal_failed(&error), started),
            }
        }
        if found == Value::Null && clock < due_ms {
            self.record(id, what.clone(), StepStatus::Waiting, started);
            return Next::Wait(RunStatus::Waiting {
                on: what,
                until_ms: Some(due_ms),
                event: awaited.map(|a| (a.connector.to_owned(), a.event_type.to_owned())),
            });
        }
        let entry = Entry::Fired {
            at_ms: clock,
            event: self.executor.redactor.masked(&found),
        };
        if let Err(error) = journal.put(&key, entry).await {
            return self.failed(id, what, journal_failed(&error), started);
        }
        self.fired(id, what, clock, found, awaited, started)
    }

    /// Goes on past a wait that fired at `at_ms`, with `now()` that instant.
    pub(super) fn fired(
        &mut self,
        id: StepId,
        what: String,
        at_ms: i64,
        event: Value,
        awaited: Option<Awaited<'a>>,
        started: Instant,
    ) -> Next {
        self.env.now = at_ms;
        let output = (event != Value::Null).then(|| self.executor.redactor.value(&event));
        if let Some(local) = awaited.and_then(|a| a.result) {
            self.env.set(local, event);
        }
        self.record(id, what, StepStatus::Ok, started).output = output;
        Next::Continue
    }

    /// The first of `events` that meets a `wait for`'s condition.
    pub(super) fn first_match(
        &mut self,
        awaited: &Awaited<'a>,
        events: Vec<serde_json::Value>,
    ) -> Option<Value> {
        for event in events {
            let event = self
                .executor
                .typed(Value::from_json(&event), awaited.payload);
            let Some(condition) = awaited.condition else {
                return Some(event);
            };
            self.env.set(awaited.binding, event);
            let holds = eval::holds_in(condition, &mut self.env).unwrap_or(false);
            let event = self.env.take(awaited.binding);
            if holds {
                return Some(event);
            }
        }
        None
    }
}

/// When a wait is due.
#[derive(Clone, Copy)]
pub(super) enum Due {
    /// This long after it is first reached, in milliseconds.
    After(i64),
    /// At this instant.
    At(i64),
}

/// What a `wait for` awaits.
pub(super) struct Awaited<'a> {
    pub(super) connector: &'a str,
    pub(super) event_type: &'a str,
    pub(super) binding: LocalId,
    pub(super) payload: Option<&'a Schema>,
    pub(super) condition: Option<&'a PExpr>,
    pub(super) result: Option<LocalId>,
}
