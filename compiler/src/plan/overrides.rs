//! Config values set outside the flows — an environment's section of
//! `idflow.toml` — read as the type each config declares.

use std::collections::BTreeMap;

use super::value::Value;
use crate::syntax::ast::DurationUnit;
use crate::types::Type;

/// A JSON value (as TOML gives it) as a value of type `ty`; why not, naming
/// the place in it.
pub(super) fn convert(json: &serde_json::Value, ty: &Type, at: &str) -> Result<Value, String> {
    use serde_json::Value as J;
    let wrong = |expected: &str| Err(format!("`{at}` must be {expected}, found {json}"));
    match (ty, json) {
        (Type::Optional(_), J::Null) => Ok(Value::Null),
        (Type::Optional(inner), _) => convert(json, inner, at),
        (Type::Secret, _) => Err(format!(
            "`{at}` is a `Secret`: a secret is never written in idflow.toml; say where the runtime reads it: {{ env = \"VARIABLE\" }} or {{ file = \"path\" }}"
        )),
        (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
        (Type::String, _) => wrong("text"),
        (Type::Int, J::Number(n)) => n
            .as_i64()
            .map(Value::Int)
            .map_or_else(|| wrong("a whole number"), Ok),
        (Type::Int, _) => wrong("a whole number"),
        (Type::Float, J::Number(n)) => Ok(Value::Float(n.as_f64().unwrap_or(f64::NAN))),
        (Type::Float, _) => wrong("a number"),
        (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, _) => wrong("true or false"),
        (Type::Duration, J::String(s)) => duration(s)
            .map(Value::Duration)
            .map_or_else(|| wrong("a duration such as \"24h\""), Ok),
        (Type::Duration, _) => wrong("a duration such as \"24h\""),
        (Type::Time, J::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Value::Time(t.timestamp_millis()))
            .map_or_else(|_| wrong("an RFC 3339 time"), Ok),
        (Type::Time, _) => wrong("an RFC 3339 time"),
        (Type::List(item), J::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| convert(v, item, &format!("{at}[{i}]")))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (Type::List(_), _) => wrong("a list"),
        (Type::Map(_, value), J::Object(map)) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), convert(v, value, &format!("{at}.{k}"))?)))
            .collect::<Result<BTreeMap<_, _>, String>>()
            .map(Value::Record),
        (Type::Map(..), _) => wrong("a table"),
        _ => Ok(Value::from_json(json)),
    }
}

/// Whether a config's value in `idflow.toml` says where the runtime reads
/// it — `{ env = "VAR" }` or `{ file = "path" }` — rather than being it:
/// how a `Secret` config is given.
pub(super) fn is_runtime_source(json: &serde_json::Value) -> bool {
    json.as_object().is_some_and(|fields| {
        fields.len() == 1
            && ["env", "file"]
                .iter()
                .any(|key| fields.get(*key).is_some_and(serde_json::Value::is_string))
    })
}

/// `"24h"`, `"90d"`, `"500ms"`: the language's duration literals.
fn duration(text: &str) -> Option<i64> {
    let digits = text.trim().chars().take_while(char::is_ascii_digit).count();
    let (number, unit) = text.trim().split_at(digits);
    let literal = crate::syntax::ast::DurationLit {
        value: number.parse().ok()?,
        unit: DurationUnit::from_suffix(unit)?,
    };
    Some(literal.millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_read_as_their_declared_type() {
        let list = Type::List(Box::new(Type::String));
        assert_eq!(
            convert(&json!(["France"]), &list, "c"),
            Ok(Value::List(vec![Value::String("France".to_owned())]))
        );
        assert_eq!(
            convert(&json!("24h"), &Type::Duration, "c"),
            Ok(Value::Duration(86_400_000))
        );
        assert_eq!(
            convert(&json!(["France", 3]), &list, "c"),
            Err("`c[1]` must be text, found 3".to_owned())
        );
        assert!(
            convert(&json!("x"), &Type::Secret, "key").is_err_and(|e| e.contains("never written"))
        );
        assert!(convert(&json!("tomorrow"), &Type::Duration, "c").is_err());
    }
}
