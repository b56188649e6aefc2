//! The trace of a run: one record per step, with its inputs and output —
//! and never a secret: every value is passed through a [`Redactor`] that
//! knows the secret values of the run and masks them wherever they appear,
//! even inside a longer text.

use idflow_compiler::plan::value::Value;
use serde::{Deserialize, Serialize};

/// What replaces a secret.
pub const REDACTED: &str = "‹redacted›";

/// One traced step; the run history stores it as JSON and reads it back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// The flow the step belongs to (a called flow's steps are in its
    /// caller's trace); not serialized: the run says which flow it is.
    #[serde(skip)]
    pub flow: String,
    /// The step's number in its flow.
    pub step: u32,
    /// What it did: `okta.get_user`, `let user`, `wait 1h`, …
    pub what: String,
    /// How it ended.
    pub status: StepStatus,
    /// Its arguments, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<serde_json::Value>,
    /// Its result, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<serde_json::Value>,
    /// Why it failed, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Each try of an action the engine retried (or that failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<crate::connectors::Attempt>,
    /// When it started, in milliseconds since the epoch.
    pub started_ms: i64,
    /// When it ended.
    pub ended_ms: i64,
    /// How long it took, in microseconds.
    pub micros: u64,
}

/// How a step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Done.
    Ok,
    /// Done, but not sent: a dry run recorded it.
    NotSent,
    /// Answered from a fixture, not sent.
    Fixture,
    /// Failed.
    Failed,
    /// A wait the run stopped at (it resumes under `idflow serve`).
    Waiting,
    /// A wait a dry run passed over.
    NotWaited,
    /// Not sent again: an earlier attempt of the run sent it, and its
    /// journaled result answered.
    Replayed,
}

/// Masks secret values in everything that is traced.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these secret values; empty ones are ignored.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        // The longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor { secrets }
    }

    /// A text with every secret masked.
    pub fn text(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_owned(), |text, secret| {
            text.replace(secret.as_str(), REDACTED)
        })
    }

    /// A value as JSON with every secret masked.
    pub fn value(&self, value: &Value) -> serde_json::Value {
        self.json(value.to_json())
    }

    /// A value with every secret masked inside its texts, its types kept.
    pub fn masked(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::List(items) => Value::List(items.iter().map(|i| self.masked(i)).collect()),
            Value::Record(fields) => Value::Record(
                fields
                    .iter()
                    .map(|(k, v)| (self.text(k), self.masked(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn json(&self, json: serde_json::Value) -> serde_json::Value {
        use serde_json::Value as J;
        match json {
            J::String(s) => J::String(self.text(&s)),
            J::Array(items) => J::Array(items.into_iter().map(|i| self.json(i)).collect()),
            // A secret can come back as a key (`{"<token>": …}`): keys are
            // masked like values.
            J::Object(map) => J::Object(
                map.into_iter()
                    .map(|(k, v)| (self.text(&k), self.json(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_inside_longer_texts_and_nested_values() {
        let redactor = Redactor::new(["00abcTOKEN".to_owned(), String::new()]);
        assert_eq!(
            redactor.text("SSWS 00abcTOKEN!"),
            format!("SSWS {REDACTED}!")
        );
        let value = Value::List(vec![Value::String("x 00abcTOKEN".to_owned())]);
        assert_eq!(
            redactor.value(&value),
            serde_json::json!([format!("x {REDACTED}")])
        );
        assert_eq!(redactor.text("nothing"), "nothing");
    }

    #[test]
    fn secrets_are_masked_in_keys_too() {
        let redactor = Redactor::new(["00abcTOKEN".to_owned()]);
        let value = Value::from_json(&serde_json::json!({"00abcTOKEN": {"seen x00abcTOKEN": 1}}));
        assert_eq!(
            redactor.value(&value),
            serde_json::json!({ (REDACTED): { (format!("seen x{REDACTED}")): 1 } })
        );
        let Value::Record(fields) = redactor.masked(&value) else {
            unreachable!("a record stays a record");
        };
        assert_eq!(fields.keys().collect::<Vec<_>>(), [REDACTED]);
    }
}
