//! The values of a test: what it gives (an event, an answer, a config) and
//! what it expects (the arguments of a call). A value a test expects may be
//! partial — `_` matches anything, a record ending in `..` may have more
//! fields — and one it gives may come from a JSON file, read by the runner.

use std::collections::BTreeMap;

use crate::plan::value::Value;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, StringPart, UnaryOp};

/// A value written in a test.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// A value written in full.
    Value(Value),
    /// `_`: any value.
    Any,
    /// A record: its fields, and whether others may exist (`..`).
    Record {
        /// The fields written.
        fields: Vec<(String, Pattern)>,
        /// Whether written with `..`.
        open: bool,
    },
    /// A list, element by element.
    List(Vec<Pattern>),
    /// `json("path")`: the JSON file at `path`, relative to the test's file.
    JsonFile(String),
}

/// Why a test value cannot be read: what, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

impl Pattern {
    /// The pattern a test expression writes.
    pub fn of(expr: &Expr) -> Result<Pattern, PatternError> {
        let fail = |message: String| {
            Err(PatternError {
                message,
                span: expr.span,
            })
        };
        Ok(match &expr.kind {
            ExprKind::Int { value } => Pattern::Value(Value::Int(*value)),
            ExprKind::Float { value } => Pattern::Value(Value::Float(*value)),
            ExprKind::Bool { value } => Pattern::Value(Value::Bool(*value)),
            ExprKind::Null => Pattern::Value(Value::Null),
            ExprKind::Duration(d) => Pattern::Value(Value::Duration(d.millis())),
            ExprKind::String(literal) => match plain(&literal.parts) {
                Some(text) => Pattern::Value(Value::String(text)),
                None => return fail("a test's texts are plain: no `{…}`".to_owned()),
            },
            ExprKind::Wildcard => Pattern::Any,
            ExprKind::Paren { inner } => Pattern::of(inner)?,
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => match Pattern::of(operand)? {
                Pattern::Value(Value::Int(i)) => Pattern::Value(Value::Int(-i)),
                Pattern::Value(Value::Float(f)) => Pattern::Value(Value::Float(-f)),
                _ => return fail("`-` applies to numbers".to_owned()),
            },
            ExprKind::List { items } => {
                Pattern::List(items.iter().map(Pattern::of).collect::<Result<_, _>>()?)
            }
            ExprKind::Record(record) => {
                let mut fields = Vec::with_capacity(record.entries.len());
                for entry in &record.entries {
                    let Some(value) = &entry.value else {
                        return Err(PatternError {
                            message: format!(
                                "write `{0}: value`: a test has no `{0}` to take",
                                entry.key.name
                            ),
                            span: entry.span,
                        });
                    };
                    fields.push((entry.key.name.clone(), Pattern::of(value)?));
                }
                Pattern::Record {
                    fields,
                    open: record.rest,
                }
            }
            ExprKind::Call { callee, args } => match (&callee.kind, args.as_slice()) {
                (ExprKind::Name { name }, [arg]) if name == "json" => {
                    match Pattern::of(&arg.value)? {
                        Pattern::Value(Value::String(path)) => Pattern::JsonFile(path),
                        _ => return fail("`json` takes the path of a file".to_owned()),
                    }
                }
                (ExprKind::Name { name }, [arg]) if name == "time" => {
                    match Pattern::of(&arg.value)? {
                        Pattern::Value(Value::String(text)) => {
                            match chrono::DateTime::parse_from_rfc3339(&text) {
                                Ok(t) => Pattern::Value(Value::Time(t.timestamp_millis())),
                                Err(e) => {
                                    return fail(format!("`{text}` is not an RFC 3339 time: {e}"));
                                }
                            }
                        }
                        _ => return fail("`time` takes an RFC 3339 text".to_owned()),
                    }
                }
                _ => {
                    return fail(
                        "a test's values are literals, `_`, `json(\"file\")` or `time(\"…\")`"
                            .to_owned(),
                    );
                }
            },
            _ => {
                return fail(
                    "a test's values are literals, `_`, `json(\"file\")` or `time(\"…\")`"
                        .to_owned(),
                );
            }
        })
    }

    /// The same pattern with every `json("…")` replaced by what `load`
    /// reads from the file.
    pub fn load(
        self,
        load: &mut dyn FnMut(&str) -> Result<Value, String>,
    ) -> Result<Pattern, String> {
        Ok(match self {
            Pattern::JsonFile(path) => Pattern::Value(load(&path)?),
            Pattern::List(items) => Pattern::List(
                items
                    .into_iter()
                    .map(|p| p.load(load))
                    .collect::<Result<_, _>>()?,
            ),
            Pattern::Record { fields, open } => Pattern::Record {
                fields: fields
                    .into_iter()
                    .map(|(k, p)| Ok((k, p.load(load)?)))
                    .collect::<Result<_, String>>()?,
                open,
            },
            other => other,
        })
    }

    /// The value a test gives: every part written in full (no `_`, no `..`).
    pub fn to_value(&self) -> Result<Value, String> {
        match self {
            Pattern::Value(value) => Ok(value.clone()),
            Pattern::Any => Err("`_` matches values; a given value is written in full".to_owned()),
            Pattern::Record { open: true, .. } => {
                Err("`..` matches records; a given record is written in full".to_owned())
            }
            Pattern::Record { fields, .. } => Ok(Value::Record(
                fields
                    .iter()
                    .map(|(k, p)| Ok((k.clone(), p.to_value()?)))
                    .collect::<Result<BTreeMap<_, _>, String>>()?,
            )),
            Pattern::List(items) => Ok(Value::List(
                items
                    .iter()
                    .map(Pattern::to_value)
                    .collect::<Result<_, _>>()?,
            )),
            Pattern::JsonFile(path) => Err(format!("json(\"{path}\") was not loaded")),
        }
    }

    /// Whether `value` matches: `_` anything, an open record the fields it
    /// names, a closed one exactly its fields; numbers compare by value.
    pub fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Pattern::Any, _) => true,
            (Pattern::Value(Value::Int(a)), Value::Float(b))
            | (Pattern::Value(Value::Float(b)), Value::Int(a)) => {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a comparison, as the language's"
                )]
                let a = *a as f64;
                a == *b
            }
            (Pattern::Value(expected), actual) => expected == actual,
            (Pattern::List(items), Value::List(values)) => {
                items.len() == values.len() && items.iter().zip(values).all(|(p, v)| p.matches(v))
            }
            (Pattern::Record { fields, open }, Value::Record(values)) => {
                fields
                    .iter()
                    .all(|(k, p)| p.matches(values.get(k).unwrap_or(&Value::Null)))
                    && (*open || values.keys().all(|k| fields.iter().any(|(f, _)| f == k)))
            }
            _ => false,
        }
    }

    /// The pattern as a test writes it, for messages.
    pub fn show(&self) -> String {
        match self {
            Pattern::Value(value) => value.to_json().to_string(),
            Pattern::Any => "_".to_owned(),
            Pattern::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Pattern::show)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Pattern::Record { fields, open } => {
                let mut parts: Vec<String> = fields
                    .iter()
                    .map(|(k, p)| format!("{k}: {}", p.show()))
                    .collect();
                if *open {
                    parts.push("..".to_owned());
                }
                format!("{{ {} }}", parts.join(", "))
            }
            Pattern::JsonFile(path) => format!("json(\"{path}\")"),
        }
    }
}

/// The text of a string literal without interpolations.
fn plain(parts: &[StringPart]) -> Option<String> {
    parts
        .iter()
        .map(|p| match p {
            StringPart::Text(t) => Some(t.as_str()),
            StringPart::Interpolation(_) => None,
        })
        .collect()
}
