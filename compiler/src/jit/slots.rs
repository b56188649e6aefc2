//! What the JIT compiles, and the slots it reads.
//!
//! A filter is compiled when it is made only of: reads of the event's
//! fields (`e.client?.geographicalContext?.country`, `e.target[0].id`),
//! scalar constants, `==` `!=` against a constant, `<` `<=` `>` `>=`
//! against a number, `in` / `not in` a constant list of scalars, `and`,
//! `or`, `not` and `??`. Anything else — lambdas, methods, locals other than
//! the event — runs in the interpreter, filter by filter.
//!
//! Every field path a compiled filter reads gets a slot, project-wide; the
//! runtime fills the slots from each event once and every filter reads them.
//! Strings become numbers: each constant string of a compiled filter is
//! interned, and an event's string is looked up in that table — a string no
//! filter mentions gets [`UNKNOWN_STRING`], which equals no constant.

use std::collections::HashMap;

use crate::plan::ir::{LocalId, PExpr};
use crate::plan::ops::{BinaryOp, UnaryOp};
use crate::plan::value::Value;

/// The id of a string that no compiled filter mentions.
pub const UNKNOWN_STRING: u32 = u32::MAX;

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// `.name` or `?.name`.
    Key(String),
    /// `[n]`.
    Index(usize),
}

/// The slots of a project: every path a compiled filter reads, and the
/// interned strings.
#[derive(Clone, Debug, Default)]
pub struct SlotTable {
    /// The path of each slot, from the event's root.
    pub paths: Vec<Vec<Segment>>,
    positions: HashMap<Vec<Segment>, usize>,
    strings: HashMap<String, u32>,
}

impl SlotTable {
    /// The slot of a path, added when new.
    pub fn slot(&mut self, path: Vec<Segment>) -> usize {
        if let Some(slot) = self.positions.get(&path) {
            return *slot;
        }
        let slot = self.paths.len();
        self.positions.insert(path.clone(), slot);
        self.paths.push(path);
        slot
    }

    /// The slot of a path already added.
    pub fn find(&self, path: &[Segment]) -> Option<usize> {
        self.positions.get(path).copied()
    }

    /// The id of a constant string, interned when new.
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.strings.get(text) {
            return *id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(UNKNOWN_STRING - 1);
        self.strings.insert(text.to_owned(), id);
        id
    }

    /// The id of an event's string: [`UNKNOWN_STRING`] when no filter
    /// mentions it.
    pub fn string_id(&self, text: &str) -> u32 {
        self.strings.get(text).copied().unwrap_or(UNKNOWN_STRING)
    }

    /// How many slots an event fills.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether no filter reads the event.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// The event field path an expression reads, if it is one: a chain of
/// field reads and constant indexes from the event's local.
pub fn path_of(expr: &PExpr, event: LocalId) -> Option<Vec<Segment>> {
    match expr {
        PExpr::Field { base, name, .. } => {
            let mut path = match base.as_ref() {
                PExpr::Local { id } if *id == event => Vec::new(),
                other => path_of(other, event)?,
            };
            path.push(Segment::Key(name.clone()));
            Some(path)
        }
        PExpr::Index { base, index } => {
            let PExpr::Const {
                value: Value::Int(i),
            } = index.as_ref()
            else {
                return None;
            };
            let mut path = match base.as_ref() {
                PExpr::Local { id } if *id == event => return None,
                other => path_of(other, event)?,
            };
            path.push(Segment::Index(usize::try_from(*i).ok()?));
            Some(path)
        }
        _ => None,
    }
}

/// Whether the JIT compiles this filter over the event bound to `event`.
pub fn compilable(expr: &PExpr, event: Option<LocalId>) -> bool {
    match expr {
        PExpr::Const { value } => scalar(value),
        PExpr::Field { .. } | PExpr::Index { .. } => {
            event.is_some_and(|e| path_of(expr, e).is_some())
        }
        PExpr::Unary {
            op: UnaryOp::Not,
            operand,
        } => compilable(operand, event),
        PExpr::Binary { op, lhs, rhs } => match op {
            BinaryOp::And | BinaryOp::Or | BinaryOp::Coalesce => {
                compilable(lhs, event) && compilable(rhs, event)
            }
            // An unknown string equals nothing only when compared with a constant.
            BinaryOp::Eq | BinaryOp::Ne => {
                (is_scalar_constant(lhs) || is_scalar_constant(rhs))
                    && compilable(lhs, event)
                    && compilable(rhs, event)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                (is_number(lhs) || is_number(rhs))
                    && compilable(lhs, event)
                    && compilable(rhs, event)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                compilable(lhs, event)
                    && matches!(rhs.as_ref(), PExpr::Const { value: Value::List(items) } if items.iter().all(scalar))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => false,
        },
        _ => false,
    }
}

fn scalar(value: &Value) -> bool {
    matches!(
        value,
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::String(_)
    )
}

fn is_scalar_constant(expr: &PExpr) -> bool {
    matches!(expr, PExpr::Const { value } if scalar(value))
}

fn is_number(expr: &PExpr) -> bool {
    matches!(
        expr,
        PExpr::Const {
            value: Value::Int(_) | Value::Float(_)
        }
    )
}

/// Adds to the table the slots and strings a compilable filter uses.
pub fn register(expr: &PExpr, event: Option<LocalId>, table: &mut SlotTable) {
    if let Some(path) = event.and_then(|e| path_of(expr, e)) {
        table.slot(path);
        return;
    }
    match expr {
        PExpr::Const {
            value: Value::String(s),
        } => {
            table.intern(s);
        }
        PExpr::Const {
            value: Value::List(items),
        } => {
            for item in items {
                if let Value::String(s) = item {
                    table.intern(s);
                }
            }
        }
        other => {
            for child in other.children() {
                register(child, event, table);
            }
        }
    }
}
