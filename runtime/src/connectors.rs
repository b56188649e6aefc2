//! What the executor asks of connectors: run one action call.

use std::future::Future;

use idflow_compiler::plan::ir::Effect;
use idflow_compiler::plan::value::Value;
use thiserror::Error;

/// One action call, with its arguments evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionCall {
    /// The connector.
    pub connector: String,
    /// The action.
    pub action: String,
    /// Read, write or destructive.
    pub effect: Effect,
    /// The named arguments, in source order.
    pub args: Vec<(String, Value)>,
    /// The same for the same flow version, event, step, loop iteration and
    /// arguments: sent
    /// as the idempotency key of a write, where the connector declares the
    /// header an API takes one in, so a write retried — or run again for the
    /// same event — is applied once.
    pub idempotency_key: String,
    /// The call's own `… retry N backoff a..b`, which replaces the
    /// connector's policy for this call (its statuses, when it lists none).
    pub retry: Option<idflow_compiler::plan::ir::Retry>,
}

impl ActionCall {
    /// `okta.get_user`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.connector, self.action)
    }
}

/// How an action call ended, when it did not succeed.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ActionError {
    /// The service answered with an error status (after the retries).
    #[error("{action} failed with HTTP {status}: {message}")]
    Status {
        /// The call.
        action: String,
        /// The HTTP status.
        status: u16,
        /// What the service said.
        message: String,
    },
    /// The call could not be made or answered.
    #[error("{action} failed: {message}")]
    Failed {
        /// The call.
        action: String,
        /// Why.
        message: String,
    },
}

impl ActionError {
    /// The error as the value an `on error(err)` handler sees:
    /// `{ message, status }`.
    pub fn to_value(&self) -> Value {
        let (status, message) = match self {
            ActionError::Status { status, .. } => {
                (Value::Int(i64::from(*status)), self.to_string())
            }
            ActionError::Failed { .. } => (Value::Null, self.to_string()),
        };
        Value::Record(
            [
                ("message".to_owned(), Value::String(message)),
                ("status".to_owned(), status),
            ]
            .into(),
        )
    }
}

/// How the answer to a call was obtained, for the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Sent to the service.
    Sent,
    /// Not sent: a dry run recorded it.
    NotSent,
    /// Answered from a fixture, not sent.
    Fixture,
    /// Answered from the run's journal: an earlier attempt of the run sent it.
    Journal,
}

/// One try of a call, as the trace shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attempt {
    /// The HTTP status answered, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why it failed without a status (a timeout, a refused connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the engine waited after it before trying again, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// The answer to a call: its result, how it was obtained, and each try.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The result, or why there is none.
    pub result: Result<Value, ActionError>,
    /// Sent, or not.
    pub delivery: Delivery,
    /// Each try, when the engine made several (or one that failed).
    pub attempts: Vec<Attempt>,
}

impl Answer {
    /// A result obtained in one go.
    pub fn once(result: Result<Value, ActionError>, delivery: Delivery) -> Self {
        Answer {
            result,
            delivery,
            attempts: Vec::new(),
        }
    }
}

/// A set of connectors able to run action calls.
pub trait Connectors: Sync {
    /// Runs one call.
    fn call(&self, call: &ActionCall) -> impl Future<Output = Answer> + Send;
}
