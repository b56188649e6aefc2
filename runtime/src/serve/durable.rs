//! The journal of a run the service executes, kept in the store.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::blocking;
use crate::journal::{Entry, Journal};
use crate::store::{Store, StoreError};

/// How many events a `wait for` looks at, at most, each time it wakes.
const CANDIDATES: usize = 1000;

/// A run's journal: what earlier attempts recorded, loaded when the attempt
/// begins; what this attempt records goes to the store before the
/// executor moves on.
pub struct StoreJournal {
    store: Arc<dyn Store>,
    run_id: String,
    entries: HashMap<String, Entry>,
    clock: i64,
}

impl StoreJournal {
    /// Loads a run's journal; `clock` is the wall clock of this attempt.
    pub async fn load(
        store: &Arc<dyn Store>,
        run_id: &str,
        clock: i64,
    ) -> Result<Self, StoreError> {
        let id = run_id.to_owned();
        let entries = blocking(store, move |s| s.journal(&id)).await?;
        Ok(StoreJournal {
            store: Arc::clone(store),
            run_id: run_id.to_owned(),
            entries,
            clock,
        })
    }
}

impl Journal for StoreJournal {
    fn get(&self, key: &str) -> Option<Entry> {
        self.entries.get(key).cloned()
    }

    fn put<'s>(&'s self, key: &'s str, entry: Entry) -> BoxFuture<'s, Result<(), String>> {
        let (run, key) = (self.run_id.clone(), key.to_owned());
        Box::pin(async move {
            blocking(&self.store, move |s| s.put_journal(&run, &key, &entry))
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn events_since<'s>(
        &'s self,
        connector: &'s str,
        event_type: &'s str,
        since_ms: i64,
    ) -> BoxFuture<'s, Result<Vec<serde_json::Value>, String>> {
        let (connector, event_type) = (connector.to_owned(), event_type.to_owned());
        Box::pin(async move {
            blocking(&self.store, move |s| {
                s.events_since(&connector, &event_type, since_ms, CANDIDATES)
            })
            .await
            .map_err(|e| e.to_string())
        })
    }

    fn clock(&self) -> i64 {
        self.clock
    }
}
