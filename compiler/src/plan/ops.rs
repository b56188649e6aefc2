//! The plan's own operators.
//!
//! A plan is serialized and hashed, so its operators are named here, each
//! with the name it is written under — not borrowed from the syntax tree,
//! where renaming an operator would silently change every plan's bytes and
//! every flow's version hash. How an operator is written and how tightly it
//! binds are the syntax's, asked of it for display.

use serde::{Deserialize, Serialize};

use crate::syntax::ast;

/// A prefix operator of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    /// `-x`
    #[serde(rename = "neg")]
    Neg,
    /// `not x`
    #[serde(rename = "not")]
    Not,
}

/// An infix operator of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    /// `??`
    #[serde(rename = "coalesce")]
    Coalesce,
    /// `or`
    #[serde(rename = "or")]
    Or,
    /// `and`
    #[serde(rename = "and")]
    And,
    /// `==`
    #[serde(rename = "eq")]
    Eq,
    /// `!=`
    #[serde(rename = "ne")]
    Ne,
    /// `<`
    #[serde(rename = "lt")]
    Lt,
    /// `<=`
    #[serde(rename = "le")]
    Le,
    /// `>`
    #[serde(rename = "gt")]
    Gt,
    /// `>=`
    #[serde(rename = "ge")]
    Ge,
    /// `in`
    #[serde(rename = "in")]
    In,
    /// `not in`
    #[serde(rename = "not_in")]
    NotIn,
    /// `+`
    #[serde(rename = "add")]
    Add,
    /// `-`
    #[serde(rename = "sub")]
    Sub,
    /// `*`
    #[serde(rename = "mul")]
    Mul,
    /// `/`
    #[serde(rename = "div")]
    Div,
    /// `%`
    #[serde(rename = "rem")]
    Rem,
}

impl UnaryOp {
    /// The plan's operator for one of the syntax.
    pub fn of(op: ast::UnaryOp) -> Self {
        match op {
            ast::UnaryOp::Neg => Self::Neg,
            ast::UnaryOp::Not => Self::Not,
        }
    }

    /// The operator as the syntax writes it.
    pub fn syntax(self) -> ast::UnaryOp {
        match self {
            Self::Neg => ast::UnaryOp::Neg,
            Self::Not => ast::UnaryOp::Not,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        self.syntax().symbol()
    }

    /// How tightly it binds, as the syntax says.
    pub fn precedence(self) -> u8 {
        self.syntax().precedence()
    }
}

impl BinaryOp {
    /// The plan's operator for one of the syntax.
    pub fn of(op: ast::BinaryOp) -> Self {
        match op {
            ast::BinaryOp::Coalesce => Self::Coalesce,
            ast::BinaryOp::Or => Self::Or,
            ast::BinaryOp::And => Self::And,
            ast::BinaryOp::Eq => Self::Eq,
            ast::BinaryOp::Ne => Self::Ne,
            ast::BinaryOp::Lt => Self::Lt,
            ast::BinaryOp::Le => Self::Le,
            ast::BinaryOp::Gt => Self::Gt,
            ast::BinaryOp::Ge => Self::Ge,
            ast::BinaryOp::In => Self::In,
            ast::BinaryOp::NotIn => Self::NotIn,
            ast::BinaryOp::Add => Self::Add,
            ast::BinaryOp::Sub => Self::Sub,
            ast::BinaryOp::Mul => Self::Mul,
            ast::BinaryOp::Div => Self::Div,
            ast::BinaryOp::Rem => Self::Rem,
        }
    }

    /// The operator as the syntax writes it.
    pub fn syntax(self) -> ast::BinaryOp {
        match self {
            Self::Coalesce => ast::BinaryOp::Coalesce,
            Self::Or => ast::BinaryOp::Or,
            Self::And => ast::BinaryOp::And,
            Self::Eq => ast::BinaryOp::Eq,
            Self::Ne => ast::BinaryOp::Ne,
            Self::Lt => ast::BinaryOp::Lt,
            Self::Le => ast::BinaryOp::Le,
            Self::Gt => ast::BinaryOp::Gt,
            Self::Ge => ast::BinaryOp::Ge,
            Self::In => ast::BinaryOp::In,
            Self::NotIn => ast::BinaryOp::NotIn,
            Self::Add => ast::BinaryOp::Add,
            Self::Sub => ast::BinaryOp::Sub,
            Self::Mul => ast::BinaryOp::Mul,
            Self::Div => ast::BinaryOp::Div,
            Self::Rem => ast::BinaryOp::Rem,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        self.syntax().symbol()
    }

    /// How tightly it binds, as the syntax says.
    pub fn precedence(self) -> u8 {
        self.syntax().precedence()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names operators are written under in plans. Changing one changes
    /// every plan's bytes and every version hash: this list says so.
    #[test]
    fn each_operator_is_written_under_its_own_fixed_name() {
        let binary = [
            (BinaryOp::Coalesce, "coalesce"),
            (BinaryOp::Or, "or"),
            (BinaryOp::And, "and"),
            (BinaryOp::Eq, "eq"),
            (BinaryOp::Ne, "ne"),
            (BinaryOp::Lt, "lt"),
            (BinaryOp::Le, "le"),
            (BinaryOp::Gt, "gt"),
            (BinaryOp::Ge, "ge"),
            (BinaryOp::In, "in"),
            (BinaryOp::NotIn, "not_in"),
            (BinaryOp::Add, "add"),
            (BinaryOp::Sub, "sub"),
            (BinaryOp::Mul, "mul"),
            (BinaryOp::Div, "div"),
            (BinaryOp::Rem, "rem"),
        ];
        for (op, name) in binary {
            assert_eq!(serde_json::to_value(op).unwrap(), name);
            // Every operator of the syntax has its plan operator, and back.
            assert_eq!(BinaryOp::of(op.syntax()), op);
        }
        for (op, name) in [(UnaryOp::Neg, "neg"), (UnaryOp::Not, "not")] {
            assert_eq!(serde_json::to_value(op).unwrap(), name);
            assert_eq!(UnaryOp::of(op.syntax()), op);
        }
    }
}
