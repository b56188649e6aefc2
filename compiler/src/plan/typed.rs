//! Giving values read from JSON the types their schema declares. JSON has
//! no instants or durations: an API answers `"lastLogin": "2026-03-01T10:00:00.000Z"`
//! and the checker types it `Time`, so the runtime turns that text into a
//! `Time` before a flow compares it with `now() - 90d`; and milliseconds at a
//! `Duration` into a `Duration`. Everything else stays as JSON gave it.

use std::collections::BTreeMap;

use super::ir::Schema;
use super::value::Value;

/// How deep named types may nest in one value.
const MAX_DEPTH: usize = 64;

/// The instant a text gives, in milliseconds since the epoch: RFC 3339
/// (`2026-03-01T10:00:00.000Z`, any offset) as Okta documents it;
/// `2020-11-25 21:27:03.496000000`, UTC without a zone, as real System Log
/// exports also carry; or a bare date (`2026-12-31`, midnight UTC), the form
/// a directory's custom date attributes take.
pub fn parse_instant(text: &str) -> Option<i64> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp_millis());
    }
    if let Ok(time) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(time.and_utc().timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc().timestamp_millis())
}

/// `value` with every text at a `Time` of `schema` that reads as an instant
/// made a `Time`, and every whole number at a `Duration` a `Duration`.
/// `types` are the plan's named types.
pub fn typed(value: Value, schema: &Schema, types: &BTreeMap<String, Schema>) -> Value {
    walk(value, schema, types, 0)
}

fn walk(value: Value, schema: &Schema, types: &BTreeMap<String, Schema>, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return value;
    }
    match (schema, value) {
        (Schema::Time, Value::String(text)) => match parse_instant(&text) {
            Some(ms) => Value::Time(ms),
            None => Value::String(text),
        },
        (Schema::Duration, Value::Int(ms)) => Value::Duration(ms),
        (Schema::Optional { inner }, value) => walk(value, inner, types, depth),
        (Schema::Ref { name }, value) => match types.get(name) {
            Some(schema) => walk(value, schema, types, depth + 1),
            None => value,
        },
        (Schema::List { item }, Value::List(items)) => Value::List(
            items
                .into_iter()
                .map(|v| walk(v, item, types, depth + 1))
                .collect(),
        ),
        (Schema::Map { value: inner }, Value::Record(entries)) => Value::Record(
            entries
                .into_iter()
                .map(|(k, v)| (k, walk(v, inner, types, depth + 1)))
                .collect(),
        ),
        (Schema::Record { fields }, Value::Record(mut entries)) => {
            for (name, field) in fields {
                if let Some(v) = entries.remove(name) {
                    entries.insert(name.clone(), walk(v, field, types, depth + 1));
                }
            }
            Value::Record(entries)
        }
        (_, value) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> (Schema, BTreeMap<String, Schema>) {
        let profile = Schema::Record {
            fields: vec![(
                "endDate".to_owned(),
                Schema::Optional {
                    inner: Box::new(Schema::Time),
                },
            )],
        };
        let user = Schema::Record {
            fields: vec![
                ("lastLogin".to_owned(), Schema::Time),
                ("grace".to_owned(), Schema::Duration),
                (
                    "profile".to_owned(),
                    Schema::Ref {
                        name: "okta.UserProfile".to_owned(),
                    },
                ),
                (
                    "logins".to_owned(),
                    Schema::List {
                        item: Box::new(Schema::Time),
                    },
                ),
            ],
        };
        (user, [("okta.UserProfile".to_owned(), profile)].into())
    }

    #[test]
    fn texts_at_times_become_instants_through_refs_lists_and_optionals() {
        let (schema, types) = user();
        let json = serde_json::json!({
            "lastLogin": "2026-03-01T10:00:00.000Z",
            "grace": 86_400_000,
            "profile": {"endDate": "2026-12-31", "login": "2026-01-01"},
            "logins": ["2026-03-01T11:00:00+01:00"],
            "other": "2026-03-01T10:00:00Z",
        });
        let Value::Record(out) = typed(Value::from_json(&json), &schema, &types) else {
            panic!("a record stays a record");
        };
        assert_eq!(out.get("lastLogin"), Some(&Value::Time(1_772_359_200_000)));
        assert_eq!(out.get("grace"), Some(&Value::Duration(86_400_000)));
        assert_eq!(
            out.get("logins"),
            Some(&Value::List(vec![Value::Time(1_772_359_200_000)]))
        );
        let Some(Value::Record(profile)) = out.get("profile") else {
            panic!("the profile is a record");
        };
        assert_eq!(
            profile.get("endDate"),
            Some(&Value::Time(1_798_675_200_000))
        );
        // Fields the schema does not type stay text.
        assert_eq!(
            profile.get("login"),
            Some(&Value::String("2026-01-01".to_owned()))
        );
        assert_eq!(
            out.get("other"),
            Some(&Value::String("2026-03-01T10:00:00Z".to_owned()))
        );
    }

    #[test]
    fn nulls_and_text_that_is_no_instant_are_left_alone() {
        let (schema, types) = user();
        let json = serde_json::json!({"lastLogin": "yesterday", "profile": {"endDate": null}});
        let Value::Record(out) = typed(Value::from_json(&json), &schema, &types) else {
            panic!("a record stays a record");
        };
        assert_eq!(
            out.get("lastLogin"),
            Some(&Value::String("yesterday".to_owned()))
        );
        let Some(Value::Record(profile)) = out.get("profile") else {
            panic!("the profile is a record");
        };
        assert_eq!(profile.get("endDate"), Some(&Value::Null));
    }
}
