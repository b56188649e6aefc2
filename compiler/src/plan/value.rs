//! Values: what expressions evaluate to, at build time (constants, configs)
//! and at run time (events, action results).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A value of the language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// `null`, and a field that is absent.
    Null,
    /// `Bool`.
    Bool(bool),
    /// `Int`.
    Int(i64),
    /// `Float`.
    Float(f64),
    /// `String`.
    String(String),
    /// `Duration`, in milliseconds.
    Duration(i64),
    /// `Time`: milliseconds since the Unix epoch, UTC.
    Time(i64),
    /// `List<T>`.
    List(Vec<Value>),
    /// A record or a map.
    Record(BTreeMap<String, Value>),
}

impl Value {
    /// A JSON document as a value: objects become records; numbers that are
    /// whole and fit in 64 bits become `Int`s, others `Float`s.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Record(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The value as JSON: a `Time` as RFC 3339 text, a `Duration` as
    /// milliseconds.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Duration(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Time(ms) => serde_json::Value::String(format_time(*ms)),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Record(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Bool",
            Value::Int(_) => "Int",
            Value::Float(_) => "Float",
            Value::String(_) => "String",
            Value::Duration(_) => "Duration",
            Value::Time(_) => "Time",
            Value::List(_) => "List",
            Value::Record(_) => "record",
        }
    }
}

/// An instant as RFC 3339 text in UTC, with milliseconds.
pub fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// How a value is written into text by interpolation.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::String(s) => f.write_str(s),
            Value::Duration(ms) => write!(f, "{}", format_duration(*ms)),
            Value::Time(ms) => f.write_str(&format_time(*ms)),
            Value::List(_) | Value::Record(_) => write!(f, "{}", self.to_json()),
        }
    }
}

/// A duration in the largest unit that divides it: `90d`, `1500ms`.
pub fn format_duration(ms: i64) -> String {
    const UNITS: [(i64, &str); 5] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ];
    for (size, unit) in UNITS {
        if ms % size == 0 && ms != 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    "0s".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_keep_their_kind() {
        let value =
            Value::from_json(&serde_json::json!({"a": 1, "b": 1.5, "c": 18446744073709551615u64}));
        let Value::Record(fields) = value else {
            panic!("not a record")
        };
        assert_eq!(fields.get("a"), Some(&Value::Int(1)));
        assert_eq!(fields.get("b"), Some(&Value::Float(1.5)));
        assert_eq!(fields.get("c"), Some(&Value::Float(18446744073709551615.0)));
    }

    #[test]
    fn durations_and_times_print_readably() {
        assert_eq!(format_duration(90 * 86_400_000), "90d");
        assert_eq!(format_duration(1_500), "1500ms");
        assert_eq!(format_time(0), "1970-01-01T00:00:00.000Z");
    }
}
