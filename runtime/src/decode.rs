//! Checking an API's answer against the type its action declares: the
//! first field that does not fit is named, so a flow never reads a value its
//! type promised and the answer lacks.

use std::collections::BTreeMap;

use idflow_compiler::plan::ir::Schema;
use idflow_compiler::plan::typed::parse_instant;
use serde_json::Value as Json;

/// How deep named types may nest in one answer.
const MAX_DEPTH: usize = 64;

/// Where and why a JSON value does not have the shape of its type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// A value of another kind: "`profile.login` must be a string, found null".
    #[error("{} must be {expected}, found {found}", at(path))]
    Kind {
        /// The field's path (empty for the whole value).
        path: String,
        /// What its type takes.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// Text where a time is due that is neither an RFC 3339 time nor a date.
    #[error("{} must be a time (RFC 3339) or a date, found other text", at(path))]
    NotATime {
        /// The field's path.
        path: String,
    },
    /// A field its type requires is absent.
    #[error("{} is missing from the answer, though its type requires it", at(path))]
    Missing {
        /// The field's path.
        path: String,
    },
}

/// `Ok` when `json` has the shape of `schema`; otherwise where and why not.
pub fn check(
    json: &Json,
    schema: &Schema,
    types: &BTreeMap<String, Schema>,
) -> Result<(), Mismatch> {
    walk(json, schema, types, "", 0)
}

/// What kind of JSON value this is, for messages: "a number".
pub(crate) fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "the answer".to_owned()
    } else {
        format!("`{path}`")
    }
}

fn walk(
    json: &Json,
    schema: &Schema,
    types: &BTreeMap<String, Schema>,
    path: &str,
    depth: usize,
) -> Result<(), Mismatch> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let expected = |what: &'static str| {
        Err(Mismatch::Kind {
            path: path.to_owned(),
            expected: what,
            found: kind(json),
        })
    };
    match (schema, json) {
        (Schema::Any, _) => Ok(()),
        (Schema::Optional { .. }, Json::Null) => Ok(()),
        (Schema::Optional { inner }, _) => walk(json, inner, types, path, depth),
        (Schema::String, Json::String(_)) | (Schema::Bool, Json::Bool(_)) => Ok(()),
        (Schema::Float, Json::Number(_)) => Ok(()),
        (Schema::Int, Json::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
        (Schema::Time, Json::String(text)) if parse_instant(text).is_some() => Ok(()),
        (Schema::Duration, Json::Number(n)) if n.is_i64() => Ok(()),
        (Schema::Time, Json::String(_)) => Err(Mismatch::NotATime {
            path: path.to_owned(),
        }),
        (Schema::Time, _) => expected("an RFC 3339 time"),
        (Schema::Duration, _) => expected("a whole number of milliseconds"),
        (Schema::String, _) => expected("a string"),
        (Schema::Bool, _) => expected("a boolean"),
        (Schema::Float, _) => expected("a number"),
        (Schema::Int, _) => expected("a whole number"),
        (Schema::List { item }, Json::Array(items)) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| walk(v, item, types, &format!("{path}[{i}]"), depth + 1)),
        (Schema::List { .. }, _) => expected("a list"),
        (Schema::Map { value }, Json::Object(map)) => map
            .iter()
            .try_for_each(|(k, v)| walk(v, value, types, &join(path, k), depth + 1)),
        (Schema::Record { fields }, Json::Object(map)) => {
            fields
                .iter()
                .try_for_each(|(name, field)| match map.get(name) {
                    Some(value) => walk(value, field, types, &join(path, name), depth + 1),
                    // An optional field may be absent; a required one absent is
                    // said as absent, not as "found null".
                    None if matches!(field, Schema::Optional { .. } | Schema::Any) => Ok(()),
                    None => Err(Mismatch::Missing {
                        path: join(path, name),
                    }),
                })
        }
        (Schema::Map { .. } | Schema::Record { .. }, _) => expected("an object"),
        (Schema::Ref { name }, _) => match types.get(name) {
            Some(schema) => walk(json, schema, types, path, depth + 1),
            None => Ok(()),
        },
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Schema {
        Schema::Record {
            fields: vec![
                ("id".to_owned(), Schema::String),
                (
                    "lastLogin".to_owned(),
                    Schema::Optional {
                        inner: Box::new(Schema::Time),
                    },
                ),
                (
                    "profile".to_owned(),
                    Schema::Ref {
                        name: "okta.UserProfile".to_owned(),
                    },
                ),
            ],
        }
    }

    fn types() -> BTreeMap<String, Schema> {
        [(
            "okta.UserProfile".to_owned(),
            Schema::Record {
                fields: vec![("login".to_owned(), Schema::String)],
            },
        )]
        .into()
    }

    #[test]
    fn an_answer_that_fits_passes_and_extra_fields_are_ignored() {
        let answer = json!({"id": "00u1", "lastLogin": null, "profile": {"login": "a@x.fr", "extra": 1}, "_links": {}});
        assert_eq!(
            check(&answer, &user(), &types()).map_err(|e| e.to_string()),
            Ok(())
        );
    }

    #[test]
    fn a_time_must_read_as_an_instant() {
        for fits in [
            "2026-03-01T10:00:00.000Z",
            "2020-11-25 21:27:03.496000000",
            "2026-12-31",
        ] {
            let answer = json!({"id": "00u1", "lastLogin": fits, "profile": {"login": "a"}});
            assert_eq!(
                check(&answer, &user(), &types()).map_err(|e| e.to_string()),
                Ok(()),
                "{fits}"
            );
        }
        let answer = json!({"id": "00u1", "lastLogin": "last week", "profile": {"login": "a"}});
        assert_eq!(
            check(&answer, &user(), &types()).map_err(|e| e.to_string()),
            Err("`lastLogin` must be a time (RFC 3339) or a date, found other text".to_owned())
        );
        let answer = json!({"id": "00u1", "lastLogin": 1_772_359_200, "profile": {"login": "a"}});
        assert_eq!(
            check(&answer, &user(), &types()).map_err(|e| e.to_string()),
            Err("`lastLogin` must be an RFC 3339 time, found a number".to_owned())
        );
    }

    #[test]
    fn a_required_field_left_out_is_said_to_be_missing() {
        let answer = json!({"id": "00u1", "profile": {}});
        assert_eq!(
            check(&answer, &user(), &types()).map_err(|e| e.to_string()),
            Err(
                "`profile.login` is missing from the answer, though its type requires it"
                    .to_owned()
            )
        );
    }

    #[test]
    fn the_first_field_that_does_not_fit_is_named() {
        let answer = json!({"id": "00u1", "profile": {"login": null}});
        assert_eq!(
            check(&answer, &user(), &types()).map_err(|e| e.to_string()),
            Err("`profile.login` must be a string, found null".to_owned())
        );
        let list = Schema::List {
            item: Box::new(user()),
        };
        let answer = json!([{"id": "00u1", "profile": {"login": "a"}}, {"id": 7, "profile": {"login": "b"}}]);
        assert_eq!(
            check(&answer, &list, &types()).map_err(|e| e.to_string()),
            Err("`[1].id` must be a string, found a number".to_owned())
        );
        assert_eq!(
            check(&json!("x"), &user(), &types()).map_err(|e| e.to_string()),
            Err("the answer must be an object, found a string".to_owned())
        );
    }
}
