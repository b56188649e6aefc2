//! The idflow runtime: runs compiled plans.
//!
//! [`executor`] runs one flow for one event, step by step, against a
//! [`connectors::Connectors`] implementation, and records a [`trace`] in
//! which secrets are redacted. [`fixtures`] is the dry-run connector set:
//! writes are recorded and not sent, reads are answered from fixture files.
//! [`http`] and [`smtp`] are the live engines, [`engines`] routes each
//! call to its engine. A run remembers what it did in a [`journal`], so it
//! can be replayed: [`serve`] is the service (intake, schedules, durable
//! runs and waits) over a [`store`]; [`test_runner`] runs a project's
//! `test` blocks with mocked connectors, and [`coverage`] says what they
//! ran.

pub mod audit;
pub mod connectors;
pub mod coverage;
pub mod decode;
pub mod engines;
pub mod event;
pub mod executor;
pub mod fires;
pub mod fixtures;
pub mod http;
pub mod journal;
pub mod oauth;
pub mod replay;
pub(crate) mod retry;
pub mod serve;
pub mod smtp;
pub mod store;
pub mod test_runner;
pub mod trace;
pub mod webhook;
