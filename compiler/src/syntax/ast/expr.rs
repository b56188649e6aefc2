//! Expressions.

use serde::{Deserialize, Serialize};

use super::Ident;
use crate::source::Span;

/// An expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    /// What kind of expression this is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExprKind {
    /// An integer literal: `42`.
    Int {
        /// The value.
        value: i64,
    },
    /// A floating-point literal: `0.5`.
    Float {
        /// The value, always finite.
        value: f64,
    },
    /// `true` or `false`.
    Bool {
        /// The value.
        value: bool,
    },
    /// `null`.
    Null,
    /// A duration literal: `90d`, `500ms`.
    Duration(DurationLit),
    /// A string literal, possibly with `{…}` interpolations.
    String(StringLit),
    /// A name: a variable, a config, a connector.
    Name {
        /// The name.
        name: String,
    },
    /// `_`: matches any value in a test expectation.
    Wildcard,
    /// `base.name` or, when `safe`, `base?.name`.
    Field {
        /// The value whose field is read.
        base: Box<Expr>,
        /// The field.
        name: Ident,
        /// Whether written `?.`: null when `base` is null.
        safe: bool,
    },
    /// `base[index]`.
    Index {
        /// The list or map.
        base: Box<Expr>,
        /// The position or key.
        index: Box<Expr>,
    },
    /// A call: `now()`, `okta.get_user(id: x)`, `users.filter(u => …)`.
    Call {
        /// What is called: a name, or a field access for actions and methods.
        callee: Box<Expr>,
        /// The arguments in source order.
        args: Vec<Arg>,
    },
    /// `call flow_name(args)`: runs another flow and yields what it returns.
    FlowCall {
        /// The flow.
        flow: Ident,
        /// The arguments in source order.
        args: Vec<Arg>,
    },
    /// A prefix operator.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Its operand.
        operand: Box<Expr>,
    },
    /// An infix operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// `( … )`, kept so the formatter preserves the parentheses people write.
    Paren {
        /// The expression inside.
        inner: Box<Expr>,
    },
    /// A record literal: `{ id: u.id, login }`.
    Record(RecordLit),
    /// A list literal: `[1, 2]`.
    List {
        /// The elements.
        items: Vec<Expr>,
    },
    /// `x => body` or `(a, b) => body`; only as a call argument.
    Lambda {
        /// The parameters.
        params: Vec<Ident>,
        /// The body.
        body: Box<Expr>,
    },
}

/// A duration literal: a whole number and a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DurationLit {
    /// The number before the unit.
    pub value: u64,
    /// The unit.
    pub unit: DurationUnit,
}

/// The units a duration literal may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// `ms`
    Milliseconds,
    /// `s`
    Seconds,
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
    /// `w`
    Weeks,
}

impl DurationLit {
    /// The duration in milliseconds, saturating at `i64::MAX`.
    pub fn millis(self) -> i64 {
        let unit: u64 = match self.unit {
            DurationUnit::Milliseconds => 1,
            DurationUnit::Seconds => 1_000,
            DurationUnit::Minutes => 60_000,
            DurationUnit::Hours => 3_600_000,
            DurationUnit::Days => 86_400_000,
            DurationUnit::Weeks => 604_800_000,
        };
        i64::try_from(self.value.saturating_mul(unit)).unwrap_or(i64::MAX)
    }
}

/// As written in source: `30s`, `2m`.
impl std::fmt::Display for DurationLit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.value, self.unit.suffix())
    }
}

impl DurationUnit {
    /// The suffix written in source.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Milliseconds => "ms",
            Self::Seconds => "s",
            Self::Minutes => "m",
            Self::Hours => "h",
            Self::Days => "d",
            Self::Weeks => "w",
        }
    }

    /// The unit for a suffix, if it is one.
    pub fn from_suffix(suffix: &str) -> Option<Self> {
        Some(match suffix {
            "ms" => Self::Milliseconds,
            "s" => Self::Seconds,
            "m" => Self::Minutes,
            "h" => Self::Hours,
            "d" => Self::Days,
            "w" => Self::Weeks,
            _ => return None,
        })
    }
}

/// A string literal as a sequence of text and interpolated expressions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StringLit {
    /// The parts in order; adjacent text parts are merged.
    pub parts: Vec<StringPart>,
    /// Where the literal is, quotes included.
    pub span: Span,
}

/// One part of a string literal.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StringPart {
    /// Literal text with escapes resolved.
    Text(String),
    /// `{expr}`.
    Interpolation(Expr),
}

/// A record literal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordLit {
    /// The fields in source order.
    pub entries: Vec<RecordEntry>,
    /// Whether it ends with `..`: in a test expectation, other fields may exist.
    pub rest: bool,
    /// Where the literal is, braces included.
    pub span: Span,
}

/// `key: value`, or `key` alone for `key: key`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordEntry {
    /// The field name.
    pub key: RecordKey,
    /// The value; `None` for the shorthand `{ key }`.
    pub value: Option<Expr>,
    /// Where the entry is.
    pub span: Span,
}

/// A record key: a bare word, or a quoted string for keys such as HTTP header
/// names that are not words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordKey {
    /// The key.
    pub name: String,
    /// Whether it was written as a string literal.
    pub quoted: bool,
    /// Where the key is.
    pub span: Span,
}

/// A call argument, named (`id: u.id`) or positional.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arg {
    /// The parameter name, for a named argument.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// Where the argument is.
    pub span: Span,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    /// `??`
    Coalesce,
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Coalesce => "??",
            Self::Or => "or",
            Self::And => "and",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::In => "in",
            Self::NotIn => "not in",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Rem => "%",
        }
    }

    /// Binding strength: higher binds tighter. Every infix operator is left
    /// associative. `??` binds tighter than comparisons, so
    /// `x ?? "" == "a"` compares the defaulted value.
    pub fn precedence(self) -> u8 {
        match self {
            Self::Or => 1,
            Self::And => 2,
            Self::Eq | Self::Ne | Self::Lt | Self::Le | Self::Gt | Self::Ge => 4,
            Self::In | Self::NotIn => 4,
            Self::Coalesce => 5,
            Self::Add | Self::Sub => 6,
            Self::Mul | Self::Div | Self::Rem => 7,
        }
    }
}

impl UnaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Neg => "-",
            Self::Not => "not ",
        }
    }

    /// Binding strength on the scale of [`BinaryOp::precedence`]: `not` sits
    /// between `and` and the comparisons (`not a == b` negates the comparison),
    /// `-` above every infix operator.
    pub fn precedence(self) -> u8 {
        match self {
            Self::Not => 3,
            Self::Neg => 8,
        }
    }
}
