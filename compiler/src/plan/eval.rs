//! The interpreter of pure expressions: the reference semantics that
//! constant folding, trigger filters (interpreted or JIT-compiled) and the
//! runtime share.
//!
//! A missing field reads as null. A comparison (`==`, `<`, `in`) with null
//! on one side and a value on the other is false — `!=` and `not in`, its
//! negations, are true — and a condition that is null is false: a `where`
//! never fires on a value that is not there.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use thiserror::Error;

use super::builtins;
use super::ir::{FunctionPlan, LocalId, PExpr, TextPart};
use super::ops::{BinaryOp, UnaryOp};
use super::value::Value;

/// Why an expression could not be evaluated; the run (or the filter) fails.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum EvalError {
    /// An operation on values it does not apply to: only reachable with
    /// data that does not match its declared types.
    #[error("`{operation}` does not apply to {found}")]
    Mismatch {
        /// The operation.
        operation: String,
        /// The kinds of value found.
        found: String,
    },
    /// Integer overflow, division by zero, an index out of range.
    #[error("{0}")]
    Arithmetic(String),
    /// A config without a value in this environment.
    #[error("the config `{0}` has no value in this environment")]
    MissingConfig(String),
    /// A built-in failed on its input: JSON that is not JSON, a bad pattern.
    #[error("{0}")]
    Builtin(String),
    /// Functions calling each other too deep.
    #[error("functions call each other more than {MAX_CALL_DEPTH} deep")]
    TooDeep,
}

/// How deep functions may call each other.
pub const MAX_CALL_DEPTH: usize = 64;

/// Where an expression finds its locals, configs, functions and clock.
#[derive(Clone, Debug, Default)]
pub struct Env<'a> {
    locals: Vec<Option<Value>>,
    /// Configs the runtime supplies (secrets, values without a default).
    pub configs: Option<&'a BTreeMap<String, Value>>,
    /// The project's functions.
    pub functions: &'a [FunctionPlan],
    /// `now()`, in milliseconds since the epoch.
    pub now: i64,
    depth: usize,
}

impl<'a> Env<'a> {
    /// An environment with nothing in it: for constants.
    pub fn constants() -> Self {
        Env::default()
    }

    /// An environment with functions, runtime configs and a clock.
    pub fn new(
        functions: &'a [FunctionPlan],
        configs: &'a BTreeMap<String, Value>,
        now: i64,
    ) -> Self {
        Env {
            locals: Vec::new(),
            configs: Some(configs),
            functions,
            now,
            depth: 0,
        }
    }

    /// Binds a local.
    pub fn set(&mut self, id: LocalId, value: Value) {
        let index = id as usize;
        if self.locals.len() <= index {
            self.locals.resize(index + 1, None);
        }
        if let Some(slot) = self.locals.get_mut(index) {
            *slot = Some(value);
        }
    }

    /// A local's value; null when it is not bound.
    pub fn get(&self, id: LocalId) -> Value {
        self.locals
            .get(id as usize)
            .cloned()
            .flatten()
            .unwrap_or(Value::Null)
    }

    /// Takes a local's value out, leaving it unbound.
    pub fn take(&mut self, id: LocalId) -> Value {
        self.locals
            .get_mut(id as usize)
            .and_then(Option::take)
            .unwrap_or(Value::Null)
    }

    /// Whether a local is bound: constant folding evaluates only
    /// expressions whose locals are all known.
    pub fn is_bound(&self, id: LocalId) -> bool {
        matches!(self.locals.get(id as usize), Some(Some(_)))
    }
}

/// Evaluates an expression.
pub fn eval(expr: &PExpr, env: &Env<'_>) -> Result<Value, EvalError> {
    let mut env = env.clone();
    eval_in(expr, &mut env)
}

/// Evaluates a condition: true only for `true`.
pub fn holds(expr: &PExpr, env: &Env<'_>) -> Result<bool, EvalError> {
    Ok(matches!(eval(expr, env)?, Value::Bool(true)))
}

/// Evaluates a condition in an environment it may bind lambda parameters
/// in, without copying it.
pub fn holds_in(expr: &PExpr, env: &mut Env<'_>) -> Result<bool, EvalError> {
    Ok(matches!(eval_in(expr, env)?, Value::Bool(true)))
}

/// Evaluates an expression in an environment it may bind lambda
/// parameters in.
pub fn eval_in(expr: &PExpr, env: &mut Env<'_>) -> Result<Value, EvalError> {
    Ok(match expr {
        PExpr::Const { value } => value.clone(),
        PExpr::Local { id } => env.get(*id),
        PExpr::Config { name } => env
            .configs
            .and_then(|c| c.get(name))
            .cloned()
            .ok_or_else(|| EvalError::MissingConfig(name.clone()))?,
        PExpr::Field { base, name, .. } => match borrowed(expr, env) {
            Some(value) => value.clone(),
            None => match eval_in(base, env)? {
                Value::Record(mut fields) => fields.remove(name).unwrap_or(Value::Null),
                _ => Value::Null,
            },
        },
        PExpr::Index { base, index } => index_value(eval_in(base, env)?, eval_in(index, env)?)?,
        PExpr::Builtin {
            name,
            receiver,
            safe,
            args,
        } => {
            let receiver = match receiver {
                Some(r) => Some(eval_in(r, env)?),
                None => None,
            };
            if *safe && receiver.as_ref().is_some_and(Value::is_null) {
                return Ok(Value::Null);
            }
            builtins::call(name, receiver, args, env)?
        }
        PExpr::Function { name, args } => call_function(name, args, env)?,
        // A lambda is evaluated by the built-in it is passed to.
        PExpr::Lambda { .. } | PExpr::Lambda2 { .. } => Value::Null,
        PExpr::Unary { op, operand } => unary(*op, eval_in(operand, env)?)?,
        PExpr::Binary { op, lhs, rhs } => binary(*op, lhs, rhs, env)?,
        PExpr::List { items } => Value::List(
            items
                .iter()
                .map(|i| eval_in(i, env))
                .collect::<Result<_, _>>()?,
        ),
        PExpr::Record { fields } => Value::Record(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), eval_in(v, env)?)))
                .collect::<Result<_, EvalError>>()?,
        ),
        PExpr::Text { parts } => {
            let mut text = String::new();
            for part in parts {
                match part {
                    TextPart::Literal(t) => text.push_str(t),
                    TextPart::Value(v) => text.push_str(&eval_in(v, env)?.to_string()),
                }
            }
            Value::String(text)
        }
    })
}

static NULL: Value = Value::Null;

/// What a chain of field reads from a local reads, borrowed — so reading
/// `e.client.geographicalContext.country` copies the country, not the event.
/// `None` when the expression is not such a chain.
fn borrowed<'v>(expr: &PExpr, env: &'v Env<'_>) -> Option<&'v Value> {
    match expr {
        PExpr::Local { id } => Some(
            env.locals
                .get(*id as usize)
                .and_then(Option::as_ref)
                .unwrap_or(&NULL),
        ),
        PExpr::Field { base, name, .. } => Some(match borrowed(base, env)? {
            Value::Record(fields) => fields.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }),
        _ => None,
    }
}

/// Applies a lambda of two parameters to the value so far and an element.
pub(super) fn apply2(
    lambda: &PExpr,
    acc: Value,
    arg: Value,
    env: &mut Env<'_>,
) -> Result<Value, EvalError> {
    match lambda {
        PExpr::Lambda2 {
            acc: first,
            param,
            body,
        } => {
            env.set(*first, acc);
            env.set(*param, arg);
            eval_in(body, env)
        }
        other => eval_in(other, env),
    }
}

/// Applies a lambda to one argument.
pub(super) fn apply(lambda: &PExpr, arg: Value, env: &mut Env<'_>) -> Result<Value, EvalError> {
    match lambda {
        PExpr::Lambda { param, body } => {
            env.set(*param, arg);
            eval_in(body, env)
        }
        other => eval_in(other, env),
    }
}

fn call_function(name: &str, args: &[PExpr], env: &mut Env<'_>) -> Result<Value, EvalError> {
    if env.depth >= MAX_CALL_DEPTH {
        return Err(EvalError::TooDeep);
    }
    let function = env
        .functions
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| EvalError::Builtin(format!("no function `{name}`")))?;
    let values: Vec<Value> = args
        .iter()
        .map(|a| eval_in(a, env))
        .collect::<Result<_, _>>()?;
    let mut frame = Env {
        locals: Vec::new(),
        configs: env.configs,
        functions: env.functions,
        now: env.now,
        depth: env.depth + 1,
    };
    for (param, value) in function.params.iter().zip(values) {
        frame.set(*param, value);
    }
    for (local, value) in &function.lets {
        let value = eval_in(value, &mut frame)?;
        frame.set(*local, value);
    }
    eval_in(&function.body, &mut frame)
}

fn index_value(base: Value, index: Value) -> Result<Value, EvalError> {
    match (base, index) {
        (Value::Null, _) => Ok(Value::Null),
        (Value::List(items), Value::Int(i)) => usize::try_from(i)
            .ok()
            .and_then(|i| items.into_iter().nth(i))
            .ok_or_else(|| EvalError::Arithmetic(format!("index {i} is out of range"))),
        (Value::Record(mut fields), Value::String(key)) => {
            Ok(fields.remove(&key).unwrap_or(Value::Null))
        }
        (base, index) => Err(mismatch("[]", &[&base, &index])),
    }
}

fn mismatch(operation: &str, values: &[&Value]) -> EvalError {
    EvalError::Mismatch {
        operation: operation.to_owned(),
        found: values
            .iter()
            .map(|v| v.kind())
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

fn unary(op: UnaryOp, value: Value) -> Result<Value, EvalError> {
    Ok(match (op, value) {
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (_, Value::Null) => Value::Null,
        (UnaryOp::Neg, Value::Int(i)) => Value::Int(
            i.checked_neg()
                .ok_or_else(|| EvalError::Arithmetic("integer overflow".to_owned()))?,
        ),
        (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
        (UnaryOp::Neg, Value::Duration(d)) => Value::Duration(d.saturating_neg()),
        (op, value) => {
            return Err(mismatch(
                if op == UnaryOp::Not { "not" } else { "-" },
                &[&value],
            ));
        }
    })
}

fn binary(op: BinaryOp, lhs: &PExpr, rhs: &PExpr, env: &mut Env<'_>) -> Result<Value, EvalError> {
    use BinaryOp::*;
    let left = eval_in(lhs, env)?;
    // `and`, `or` and `??` evaluate their right side only when needed.
    match op {
        And if left != Value::Bool(true) => return Ok(Value::Bool(false)),
        Or if left == Value::Bool(true) => return Ok(Value::Bool(true)),
        Coalesce if !left.is_null() => return Ok(left),
        _ => {}
    }
    let right = eval_in(rhs, env)?;
    Ok(match op {
        And | Or => Value::Bool(right == Value::Bool(true)),
        Coalesce => right,
        Eq => Value::Bool(equal(&left, &right)),
        Ne => Value::Bool(!equal(&left, &right)),
        Lt | Le | Gt | Ge => Value::Bool(compare(&left, &right).is_some_and(|o| match op {
            Lt => o == Ordering::Less,
            Le => o != Ordering::Greater,
            Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        })),
        In => Value::Bool(member(&left, &right)),
        NotIn => Value::Bool(!member(&left, &right)),
        Add | Sub | Mul | Div | Rem => arithmetic(op, left, right)?,
    })
}

/// Equality: numbers by value (an `Int` equals the `Float` of the same
/// value), everything else structurally.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            compare(a, b) == Some(Ordering::Equal)
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        _ => a == b,
    }
}

/// Order: numbers (exactly, even an `Int` beyond 2^53 against a `Float`),
/// texts, instants, durations. `None` when the two do not order.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => compare_int_float(*x, *y),
        (Value::Float(x), Value::Int(y)) => compare_int_float(*y, *x).map(Ordering::reverse),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) | (Value::Duration(x), Value::Duration(y)) => {
            Some(x.cmp(y))
        }
        _ => None,
    }
}

/// Compares an integer with a float without rounding the integer.
fn compare_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 as a float: every float at or above it exceeds every i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    #[expect(
        clippy::cast_possible_truncation,
        reason = "whole is integral and within i64's range, checked above"
    )]
    let whole_int = whole as i64;
    match i.cmp(&whole_int) {
        Ordering::Equal if f > whole => Some(Ordering::Less),
        Ordering::Equal if f < whole => Some(Ordering::Greater),
        other => Some(other),
    }
}

fn member(element: &Value, collection: &Value) -> bool {
    match (element, collection) {
        (Value::Null, Value::String(_) | Value::Record(_)) => false,
        (_, Value::List(items)) => items.iter().any(|i| equal(element, i)),
        (Value::String(part), Value::String(text)) => text.contains(part.as_str()),
        (Value::String(key), Value::Record(fields)) => fields.contains_key(key),
        _ => false,
    }
}

fn overflow() -> EvalError {
    EvalError::Arithmetic("integer overflow".to_owned())
}

#[expect(
    clippy::cast_precision_loss,
    reason = "Int with Float is Float arithmetic, as the language defines it"
)]
pub(super) fn arithmetic(op: BinaryOp, left: Value, right: Value) -> Result<Value, EvalError> {
    use BinaryOp::*;
    use Value::*;
    Ok(match (op, left, right) {
        // The checker refuses arithmetic on a value that may be null; one
        // that is null anyway (a value whose type promised more) fails the
        // run rather than travelling on as null.
        (op, a @ Null, b) | (op, a, b @ Null) => return Err(mismatch(op.symbol(), &[&a, &b])),
        (Add, Int(a), Int(b)) => Int(a.checked_add(b).ok_or_else(overflow)?),
        (Sub, Int(a), Int(b)) => Int(a.checked_sub(b).ok_or_else(overflow)?),
        (Mul, Int(a), Int(b)) => Int(a.checked_mul(b).ok_or_else(overflow)?),
        (Div, Int(a), Int(b)) => Int(a
            .checked_div(b)
            .ok_or_else(|| EvalError::Arithmetic("division by zero".to_owned()))?),
        (Rem, Int(a), Int(b)) => Int(a
            .checked_rem(b)
            .ok_or_else(|| EvalError::Arithmetic("division by zero".to_owned()))?),
        (op, Int(a), Float(b)) => float_op(op, a as f64, b)?,
        (op, Float(a), Int(b)) => float_op(op, a, b as f64)?,
        (op, Float(a), Float(b)) => float_op(op, a, b)?,
        (Add, String(a), String(b)) => String(a + &b),
        (Add, List(mut a), List(b)) => {
            a.extend(b);
            List(a)
        }
        (Add, Time(t), Duration(d)) | (Add, Duration(d), Time(t)) => {
            Time(t.checked_add(d).ok_or_else(overflow)?)
        }
        (Sub, Time(t), Duration(d)) => Time(t.checked_sub(d).ok_or_else(overflow)?),
        (Sub, Time(a), Time(b)) => Duration(a.checked_sub(b).ok_or_else(overflow)?),
        (Add, Duration(a), Duration(b)) => Duration(a.checked_add(b).ok_or_else(overflow)?),
        (Sub, Duration(a), Duration(b)) => Duration(a.checked_sub(b).ok_or_else(overflow)?),
        (Mul, Duration(d), Int(n)) | (Mul, Int(n), Duration(d)) => {
            Duration(d.checked_mul(n).ok_or_else(overflow)?)
        }
        (Div, Duration(d), Int(n)) => Duration(
            d.checked_div(n)
                .ok_or_else(|| EvalError::Arithmetic("division by zero".to_owned()))?,
        ),
        (op, a, b) => return Err(mismatch(op.symbol(), &[&a, &b])),
    })
}

/// Float arithmetic, failing as integer arithmetic does: a division by
/// zero, or a result that is not a finite number (an overflow to infinity),
/// is an error, never an `inf` or `NaN` that would travel on (and turn into
/// `null` in JSON).
fn float_op(op: BinaryOp, a: f64, b: f64) -> Result<Value, EvalError> {
    let result = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div if b == 0.0 => {
            return Err(EvalError::Arithmetic("division by zero".to_owned()));
        }
        BinaryOp::Div => a / b,
        _ => return Err(mismatch(op.symbol(), &[&Value::Float(a), &Value::Float(b)])),
    };
    if !result.is_finite() {
        return Err(EvalError::Arithmetic(format!(
            "{a} {} {b} is not a finite number",
            op.symbol()
        )));
    }
    Ok(Value::Float(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(value: Value) -> PExpr {
        PExpr::constant(value)
    }

    fn bin(op: BinaryOp, a: Value, b: Value) -> Value {
        let expr = PExpr::Binary {
            op,
            lhs: Box::new(c(a)),
            rhs: Box::new(c(b)),
        };
        eval(&expr, &Env::constants()).unwrap_or(Value::String("error".to_owned()))
    }

    #[test]
    fn comparisons_with_null_are_false_and_their_negations_true() {
        let s = || Value::String("FAILURE".to_owned());
        assert_eq!(bin(BinaryOp::Eq, Value::Null, s()), Value::Bool(false));
        assert_eq!(bin(BinaryOp::Ne, Value::Null, s()), Value::Bool(true));
        assert_eq!(
            bin(BinaryOp::Lt, Value::Null, Value::Int(1)),
            Value::Bool(false)
        );
        assert_eq!(
            bin(BinaryOp::Ge, Value::Null, Value::Int(1)),
            Value::Bool(false)
        );
        let list = Value::List(vec![s()]);
        assert_eq!(
            bin(BinaryOp::In, Value::Null, list.clone()),
            Value::Bool(false)
        );
        assert_eq!(bin(BinaryOp::NotIn, Value::Null, list), Value::Bool(true));
    }

    #[test]
    fn big_integers_compare_exactly_with_floats() {
        let big = i64::MAX - 1;
        assert_eq!(
            bin(BinaryOp::Lt, Value::Int(big), Value::Float(9.2e18)),
            Value::Bool(false)
        );
        assert_eq!(
            bin(BinaryOp::Eq, Value::Int(1), Value::Float(1.0)),
            Value::Bool(true)
        );
        assert_eq!(
            bin(
                BinaryOp::Eq,
                Value::Int(9_007_199_254_740_993),
                Value::Float(9_007_199_254_740_992.0)
            ),
            Value::Bool(false)
        );
        assert_eq!(
            bin(BinaryOp::Lt, Value::Int(2), Value::Float(2.5)),
            Value::Bool(true)
        );
        assert_eq!(
            bin(BinaryOp::Gt, Value::Int(-2), Value::Float(-2.5)),
            Value::Bool(true)
        );
    }

    #[test]
    fn arithmetic_overflow_is_an_error_not_a_wrap() {
        assert_eq!(
            bin(BinaryOp::Add, Value::Int(i64::MAX), Value::Int(1)),
            Value::String("error".to_owned())
        );
        assert_eq!(
            bin(BinaryOp::Sub, Value::Time(1_000), Value::Duration(400)),
            Value::Time(600)
        );
        assert_eq!(
            bin(BinaryOp::Div, Value::Int(7), Value::Int(2)),
            Value::Int(3)
        );
        // Floats fail as integers do, rather than giving `inf`.
        let error = Value::String("error".to_owned());
        assert_eq!(
            bin(BinaryOp::Div, Value::Float(1.5), Value::Float(0.0)),
            error
        );
        assert_eq!(bin(BinaryOp::Div, Value::Int(3), Value::Float(0.0)), error);
        assert_eq!(
            bin(BinaryOp::Mul, Value::Float(1e308), Value::Float(10.0)),
            error
        );
        assert_eq!(
            bin(BinaryOp::Div, Value::Float(3.0), Value::Int(2)),
            Value::Float(1.5)
        );
        // Null is not a number: arithmetic on it fails, never gives null.
        assert_eq!(bin(BinaryOp::Add, Value::Null, Value::Int(1)), error);
        assert_eq!(bin(BinaryOp::Mul, Value::Int(2), Value::Null), error);
    }

    #[test]
    fn and_or_and_coalesce_short_circuit() {
        // The right side would fail: it is never evaluated.
        let failing = PExpr::Config {
            name: "absent".to_owned(),
        };
        let and = PExpr::Binary {
            op: BinaryOp::And,
            lhs: Box::new(c(Value::Bool(false))),
            rhs: Box::new(failing.clone()),
        };
        assert_eq!(eval(&and, &Env::constants()), Ok(Value::Bool(false)));
        let coalesce = PExpr::Binary {
            op: BinaryOp::Coalesce,
            lhs: Box::new(c(Value::Int(1))),
            rhs: Box::new(failing),
        };
        assert_eq!(eval(&coalesce, &Env::constants()), Ok(Value::Int(1)));
    }
}
