//! The built-in library's implementations, by the names of
//! [`crate::library::BUILTINS`]: a method is found by its name and the kind
//! of its receiver's value, a function by its (qualified) name.

use std::collections::BTreeMap;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::eval::{Env, EvalError, apply, apply2, arithmetic, compare, equal, eval_in};
use super::ir::PExpr;
use super::value::Value;

/// Calls a built-in. Lambdas among `args` are applied by the built-in.
pub(super) fn call(
    name: &str,
    receiver: Option<Value>,
    args: &[PExpr],
    env: &mut Env<'_>,
) -> Result<Value, EvalError> {
    match receiver {
        Some(Value::List(items)) => list_method(name, items, args, env),
        Some(receiver) => {
            let values = values(args, env)?;
            method(name, receiver, &values)
        }
        None => {
            let values = values(args, env)?;
            function(name, &values, env.now)
        }
    }
}

fn values(args: &[PExpr], env: &mut Env<'_>) -> Result<Vec<Value>, EvalError> {
    args.iter().map(|a| eval_in(a, env)).collect()
}

fn text(value: Option<&Value>) -> &str {
    match value {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

fn unknown(name: &str, receiver: &str) -> EvalError {
    EvalError::Mismatch {
        operation: name.to_owned(),
        found: receiver.to_owned(),
    }
}

fn length(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Methods of texts, maps and instants.
fn method(name: &str, receiver: Value, args: &[Value]) -> Result<Value, EvalError> {
    let first = args.first();
    Ok(match (receiver, name) {
        (Value::String(s), "upper") => Value::String(s.to_uppercase()),
        (Value::String(s), "lower") => Value::String(s.to_lowercase()),
        (Value::String(s), "trim") => Value::String(s.trim().to_owned()),
        (Value::String(s), "split") => Value::List(
            s.split(text(first))
                .map(|p| Value::String(p.to_owned()))
                .collect(),
        ),
        (Value::String(s), "replace") => {
            let from = text(first);
            if from.is_empty() {
                Value::String(s)
            } else {
                Value::String(s.replace(from, text(args.get(1))))
            }
        }
        (Value::String(s), "contains") => Value::Bool(s.contains(text(first))),
        (Value::String(s), "starts_with") => Value::Bool(s.starts_with(text(first))),
        (Value::String(s), "ends_with") => Value::Bool(s.ends_with(text(first))),
        (Value::String(s), "len") => length(s.chars().count()),
        (Value::String(s), "is_empty") => Value::Bool(s.is_empty()),
        (Value::Record(fields), "keys") => {
            Value::List(fields.into_keys().map(Value::String).collect())
        }
        (Value::Record(fields), "values") => Value::List(fields.into_values().collect()),
        (Value::Time(ms), "format") => Value::String(format_time(ms, text(first))?),
        (Value::Null, _) => Value::Null,
        (receiver, name) => return Err(unknown(name, receiver.kind())),
    })
}

/// Methods of lists: some apply a lambda to each element.
fn list_method(
    name: &str,
    items: Vec<Value>,
    args: &[PExpr],
    env: &mut Env<'_>,
) -> Result<Value, EvalError> {
    let lambda = args.first();
    let each = |item: Value, env: &mut Env<'_>| -> Result<Value, EvalError> {
        match lambda {
            Some(l) => apply(l, item, env),
            None => Ok(Value::Null),
        }
    };
    let holds = |v: &Value| matches!(v, Value::Bool(true));
    Ok(match name {
        "map" => Value::List(
            items
                .into_iter()
                .map(|i| each(i, env))
                .collect::<Result<_, _>>()?,
        ),
        "filter" => {
            let mut kept = Vec::new();
            for item in items {
                if holds(&each(item.clone(), env)?) {
                    kept.push(item);
                }
            }
            Value::List(kept)
        }
        "any" => {
            for item in items {
                if holds(&each(item, env)?) {
                    return Ok(Value::Bool(true));
                }
            }
            Value::Bool(false)
        }
        "all" => {
            for item in items {
                if !holds(&each(item, env)?) {
                    return Ok(Value::Bool(false));
                }
            }
            Value::Bool(true)
        }
        "find" => {
            for item in items {
                if holds(&each(item.clone(), env)?) {
                    return Ok(item);
                }
            }
            Value::Null
        }
        "count" => {
            let mut count = 0;
            for item in items {
                if holds(&each(item, env)?) {
                    count += 1;
                }
            }
            length(count)
        }
        "unique" => {
            let mut kept: Vec<Value> = Vec::new();
            for item in items {
                if !kept.iter().any(|k| equal(k, &item)) {
                    kept.push(item);
                }
            }
            Value::List(kept)
        }
        "min_by" | "max_by" => {
            let wanted = if name == "min_by" {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            };
            let mut best: Option<(Value, Value)> = None;
            for item in items {
                let key = each(item.clone(), env)?;
                let better = match &best {
                    None => true,
                    // A null key loses to any other; otherwise the first of
                    // equals stays, and keys that do not compare never win.
                    Some((best_key, _)) if best_key.is_null() => !key.is_null(),
                    Some((best_key, _)) => compare(&key, best_key) == Some(wanted),
                };
                if better {
                    best = Some((key, item));
                }
            }
            best.map_or(Value::Null, |(_, item)| item)
        }
        "sort_by" => {
            let mut keyed = Vec::with_capacity(items.len());
            for item in items {
                keyed.push((each(item.clone(), env)?, item));
            }
            // Stable: equal keys keep their order; null keys sort first.
            keyed.sort_by(|(a, _), (b, _)| {
                compare(a, b).unwrap_or_else(|| a.is_null().cmp(&b.is_null()).reverse())
            });
            Value::List(keyed.into_iter().map(|(_, item)| item).collect())
        }
        "group_by" => {
            let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for item in items {
                let key = each(item.clone(), env)?.to_string();
                groups.entry(key).or_default().push(item);
            }
            Value::Record(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(v)))
                    .collect(),
            )
        }
        "sum" => {
            let mut total = Value::Int(0);
            for item in items {
                total = arithmetic(super::ops::BinaryOp::Add, total, each(item, env)?)?;
            }
            total
        }
        "flat_map" => {
            let mut joined = Vec::new();
            for item in items {
                match each(item, env)? {
                    Value::List(part) => joined.extend(part),
                    Value::Null => {}
                    other => return Err(unknown("flat_map", other.kind())),
                }
            }
            Value::List(joined)
        }
        "reduce" => {
            let (Some(initial), Some(step)) = (args.first(), args.get(1)) else {
                return Err(unknown("reduce", "List"));
            };
            let mut value = eval_in(initial, env)?;
            for item in items {
                value = apply2(step, value, item, env)?;
            }
            value
        }
        "chunk" => {
            let size = match lambda.map(|s| eval_in(s, env)).transpose()? {
                Some(Value::Int(size)) if size >= 1 => usize::try_from(size).unwrap_or(usize::MAX),
                other => {
                    return Err(EvalError::Builtin(format!(
                        "chunk takes a size of at least 1, not {}",
                        other.unwrap_or(Value::Null)
                    )));
                }
            };
            Value::List(
                items
                    .chunks(size)
                    .map(|part| Value::List(part.to_vec()))
                    .collect(),
            )
        }
        "len" => length(items.len()),
        "is_empty" => Value::Bool(items.is_empty()),
        "first" => items.into_iter().next().unwrap_or(Value::Null),
        "last" => items.into_iter().next_back().unwrap_or(Value::Null),
        "contains" => {
            let value = match lambda {
                Some(v) => eval_in(v, env)?,
                None => Value::Null,
            };
            Value::Bool(items.iter().any(|i| equal(i, &value)))
        }
        "join" => {
            let separator = match lambda {
                Some(v) => eval_in(v, env)?.to_string(),
                None => String::new(),
            };
            let parts: Vec<String> = items.iter().map(Value::to_string).collect();
            Value::String(parts.join(&separator))
        }
        other => return Err(unknown(other, "List")),
    })
}

/// Functions, and the functions of the built-in modules.
fn function(name: &str, args: &[Value], now: i64) -> Result<Value, EvalError> {
    let first = args.first();
    Ok(match name {
        "now" => Value::Time(now),
        "parse_time" => chrono::DateTime::parse_from_rfc3339(text(first))
            .map_or(Value::Null, |t| Value::Time(t.timestamp_millis())),
        "days_between" => match (first, args.get(1)) {
            (Some(Value::Time(a)), Some(Value::Time(b))) => Value::Int((b - a) / 86_400_000),
            _ => Value::Null,
        },
        "csv.encode" => Value::String(csv_encode(first, args.get(1))?),
        "json.encode" => Value::String(
            first
                .map_or(serde_json::Value::Null, Value::to_json)
                .to_string(),
        ),
        "json.decode" => {
            let json: serde_json::Value = serde_json::from_str(text(first))
                .map_err(|e| EvalError::Builtin(format!("json.decode: {e}")))?;
            Value::from_json(&json)
        }
        "hash.sha256" => Value::String(hex::encode(Sha256::digest(text(first).as_bytes()))),
        "hmac.sha256" => {
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(text(first).as_bytes())
                .map_err(|e| EvalError::Builtin(format!("hmac.sha256: {e}")))?;
            mac.update(text(args.get(1)).as_bytes());
            Value::String(hex::encode(mac.finalize().into_bytes()))
        }
        other => return Err(unknown(other, "its arguments")),
    })
}

fn format_time(ms: i64, pattern: &str) -> Result<String, EvalError> {
    use std::fmt::Write;
    let time = chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| EvalError::Builtin("the instant is out of range".to_owned()))?;
    let mut out = String::new();
    write!(out, "{}", time.format(pattern))
        .map_err(|_| EvalError::Builtin(format!("`{pattern}` is not a time pattern")))?;
    Ok(out)
}

/// RFC 4180 CSV: a header of the first record's field names, then a line
/// per record with its values in that order, each line ended by CRLF. No
/// rows give empty text: there is no record to name the columns.
/// RFC 4180 CSV of records. The header is the first record's fields:
/// those of `columns` (the rows' declared fields, which lowering supplies)
/// first in that order, then any others in alphabetical order.
fn csv_encode(rows: Option<&Value>, columns: Option<&Value>) -> Result<String, EvalError> {
    let Some(Value::List(rows)) = rows else {
        return Ok(String::new());
    };
    let Some(Value::Record(first)) = rows.first() else {
        return Ok(String::new());
    };
    let declared: Vec<&str> = match columns {
        Some(Value::List(names)) => names
            .iter()
            .filter_map(|n| match n {
                Value::String(name) if first.contains_key(name) => Some(name.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let header: Vec<String> = declared
        .iter()
        .copied()
        .chain(
            first
                .keys()
                .map(String::as_str)
                .filter(|k| !declared.contains(k)),
        )
        .map(str::to_owned)
        .collect();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| EvalError::Builtin(format!("csv.encode: {e}"));
    writer.write_record(&header).map_err(failed)?;
    for row in rows {
        let Value::Record(fields) = row else { continue };
        let line: Vec<String> = header
            .iter()
            .map(|h| fields.get(h).map(Value::to_string).unwrap_or_default())
            .collect();
        writer.write_record(&line).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| EvalError::Builtin(format!("csv.encode: {e}")))?;
    String::from_utf8(bytes).map_err(|e| EvalError::Builtin(format!("csv.encode: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    #[test]
    fn hashes_match_published_test_vectors() {
        // FIPS 180-2 "abc", and RFC 4231 test case 2.
        assert_eq!(
            function("hash.sha256", &[s("abc")], 0),
            Ok(s(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            ))
        );
        assert_eq!(
            function(
                "hmac.sha256",
                &[s("Jefe"), s("what do ya want for nothing?")],
                0
            ),
            Ok(s(
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ))
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let row = |login: &str, note: &str| {
            Value::Record([("login".to_owned(), s(login)), ("note".to_owned(), s(note))].into())
        };
        let rows = Value::List(vec![
            row("a@x.fr", "plain"),
            row("b@x.fr", "says \"hi\", twice"),
        ]);
        assert_eq!(
            csv_encode(Some(&rows), None),
            Ok("login,note\r\na@x.fr,plain\r\nb@x.fr,\"says \"\"hi\"\", twice\"\r\n".to_owned())
        );
        assert_eq!(
            csv_encode(Some(&Value::List(Vec::new())), None),
            Ok(String::new())
        );
    }

    #[test]
    fn csv_columns_follow_the_declared_fields_then_the_others() {
        let row = Value::Record(
            [
                ("login".to_owned(), s("a@x.fr")),
                ("name".to_owned(), s("A")),
                ("extra".to_owned(), s("e")),
            ]
            .into(),
        );
        // `zone` is declared but absent from the rows: no column for it.
        let columns = Value::List(vec![s("name"), s("zone"), s("login")]);
        assert_eq!(
            csv_encode(Some(&Value::List(vec![row])), Some(&columns)),
            Ok("name,login,extra\r\nA,a@x.fr,e\r\n".to_owned())
        );
    }

    #[test]
    fn times_parse_and_format() {
        let t = function("parse_time", &[s("2026-03-29T01:30:00+01:00")], 0);
        assert_eq!(t, Ok(Value::Time(1_774_744_200_000)));
        assert_eq!(
            function("parse_time", &[s("yesterday")], 0),
            Ok(Value::Null)
        );
        assert_eq!(
            method(
                "format",
                Value::Time(1_774_744_200_000),
                &[s("%Y-%m-%d %H:%M")]
            ),
            Ok(s("2026-03-29 00:30"))
        );
    }
}
