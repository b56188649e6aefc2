//! What a durable run remembers between its attempts.
//!
//! `idflow serve` runs a flow by replaying it: every attempt of a run — the
//! first, a resumption after a crash, a wake-up after a `wait` — executes the
//! flow from its first step, and the journal answers what earlier attempts
//! already did. An action whose result is journaled is not sent again: its
//! recorded result is used. A write is journaled as *started* before it is
//! sent, and as *done* with its result after; one caught between the two by
//! a crash is sent again with the same idempotency key, which the services
//! that take one apply once. A `wait` journals when it is due, and that it
//! fired, so the run goes on past it exactly once, with `now()` the instant
//! it fired. Replaying is deterministic because everything that could differ
//! between attempts — answers, clocks, awaited events — comes from here.

use futures::future::BoxFuture;
use idflow_compiler::plan::value::Value;
use serde::{Deserialize, Serialize};

/// One journal record, by key (an action's idempotency key, or a wait's
/// place in the run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Entry {
    /// A write was about to be sent.
    Started,
    /// An action succeeded with this result (secrets masked, as traced).
    Done {
        /// The result.
        result: Value,
    },
    /// A wait is due at this instant (milliseconds since the epoch).
    Due {
        /// When.
        due_ms: i64,
    },
    /// A wait ended at this instant: with the awaited event, or null when it
    /// timed out (or was a plain wait).
    Fired {
        /// When.
        at_ms: i64,
        /// The awaited event, or null.
        event: Value,
    },
}

/// The journal of one run, as the executor uses it.
pub trait Journal: Sync {
    /// What an earlier attempt recorded under `key`.
    fn get(&self, key: &str) -> Option<Entry>;
    /// Records `entry` under `key`, durably, before returning.
    fn put<'s>(&'s self, key: &'s str, entry: Entry) -> BoxFuture<'s, Result<(), String>>;
    /// The events of one type received since `since_ms`, oldest first: the
    /// candidates of a `wait for`.
    fn events_since<'s>(
        &'s self,
        connector: &'s str,
        event_type: &'s str,
        since_ms: i64,
    ) -> BoxFuture<'s, Result<Vec<serde_json::Value>, String>>;
    /// The wall clock, in milliseconds since the epoch: when waits are due.
    fn clock(&self) -> i64;

    /// Whether actions are worth recording: not when no attempt will follow.
    fn records_actions(&self) -> bool {
        true
    }
}

/// The journal of a run that is not durable (`idflow run`): no attempt
/// follows, so it records nothing, and no event arrives while it runs.
pub struct Ephemeral {
    /// The wall clock.
    pub now_ms: i64,
}

impl Journal for Ephemeral {
    fn get(&self, _key: &str) -> Option<Entry> {
        None
    }

    fn put<'s>(&'s self, _key: &'s str, _entry: Entry) -> BoxFuture<'s, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    fn events_since<'s>(
        &'s self,
        _connector: &'s str,
        _event_type: &'s str,
        _since_ms: i64,
    ) -> BoxFuture<'s, Result<Vec<serde_json::Value>, String>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn clock(&self) -> i64 {
        self.now_ms
    }

    fn records_actions(&self) -> bool {
        false
    }
}

/// A journal kept in memory, with a clock its owner moves: how `idflow
/// test` runs waits without waiting.
#[derive(Debug, Default)]
pub struct Memory {
    entries: std::sync::Mutex<std::collections::HashMap<String, Entry>>,
    /// The events a `wait for` may take.
    pub events: Vec<serde_json::Value>,
    /// The wall clock.
    pub clock: i64,
}

impl Memory {
    /// An empty journal at `clock`.
    pub fn at(clock: i64) -> Self {
        Memory {
            clock,
            ..Memory::default()
        }
    }
}

impl Journal for Memory {
    fn get(&self, key: &str) -> Option<Entry> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn put<'s>(&'s self, key: &'s str, entry: Entry) -> BoxFuture<'s, Result<(), String>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.to_owned(), entry);
        Box::pin(async { Ok(()) })
    }

    fn events_since<'s>(
        &'s self,
        _connector: &'s str,
        _event_type: &'s str,
        _since_ms: i64,
    ) -> BoxFuture<'s, Result<Vec<serde_json::Value>, String>> {
        let events = self.events.clone();
        Box::pin(async move { Ok(events) })
    }

    fn clock(&self) -> i64 {
        self.clock
    }
}
