//! Expressions: pest's Pratt parser applies precedence; this file maps each
//! operand, operator and literal to the tree.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{Builder, Children, MAX_EXPR_DEPTH, children, meaningful};
use crate::syntax::ast::{
    Arg, BinaryOp, DurationLit, DurationUnit, Expr, ExprKind, Ident, RecordEntry, RecordKey,
    RecordLit, UnaryOp,
};
use crate::syntax::error::SyntaxError;
use crate::syntax::parser::Rule;

/// Operator precedence, loosest first; it matches [`BinaryOp::precedence`].
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or, Assoc::Left))
        .op(Op::infix(Rule::and, Assoc::Left))
        .op(Op::prefix(Rule::not))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left)
            | Op::infix(Rule::in_op, Assoc::Left)
            | Op::infix(Rule::not_in, Assoc::Left))
        .op(Op::infix(Rule::coalesce, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left)
            | Op::infix(Rule::div, Assoc::Left)
            | Op::infix(Rule::rem, Assoc::Left))
        .op(Op::prefix(Rule::neg))
        .op(Op::postfix(Rule::member) | Op::postfix(Rule::safe_member) | Op::postfix(Rule::index))
});

/// An expression with the depth of its tree.
type Node = (Expr, u32);

impl Builder {
    /// Builds an `expr` pair. `None` when it is too deep (reported) or malformed.
    pub(super) fn expr(&self, pair: Pair<'_, Rule>) -> Option<Node> {
        PRATT
            .map_primary(|primary| self.primary(primary))
            .map_prefix(|op, operand| self.prefix(op, operand?))
            .map_postfix(|operand, op| self.postfix(operand?, op))
            .map_infix(|lhs, op, rhs| self.infix(lhs?, op, rhs?))
            .parse(meaningful(pair.into_inner()))
    }

    fn deeper(&self, node: Node) -> Option<Node> {
        let (expr, depth) = node;
        if depth > MAX_EXPR_DEPTH {
            self.report(SyntaxError::ExpressionTooDeep { span: expr.span });
            return None;
        }
        Some((expr, depth))
    }

    fn prefix(&self, op: Pair<'_, Rule>, (operand, depth): Node) -> Option<Node> {
        let op_kind = match op.as_rule() {
            Rule::neg => UnaryOp::Neg,
            _ => UnaryOp::Not,
        };
        let span = self.span(&op).to(operand.span);
        let kind = ExprKind::Unary {
            op: op_kind,
            operand: Box::new(operand),
        };
        self.deeper((Expr { kind, span }, depth + 1))
    }

    fn infix(&self, (lhs, l): Node, op: Pair<'_, Rule>, (rhs, r): Node) -> Option<Node> {
        let op = match op.as_rule() {
            Rule::coalesce => BinaryOp::Coalesce,
            Rule::or => BinaryOp::Or,
            Rule::and => BinaryOp::And,
            Rule::eq => BinaryOp::Eq,
            Rule::ne => BinaryOp::Ne,
            Rule::lt => BinaryOp::Lt,
            Rule::le => BinaryOp::Le,
            Rule::gt => BinaryOp::Gt,
            Rule::ge => BinaryOp::Ge,
            Rule::in_op => BinaryOp::In,
            Rule::not_in => BinaryOp::NotIn,
            Rule::add => BinaryOp::Add,
            Rule::sub => BinaryOp::Sub,
            Rule::mul => BinaryOp::Mul,
            Rule::div => BinaryOp::Div,
            Rule::rem => BinaryOp::Rem,
            _ => return None,
        };
        let span = lhs.span.to(rhs.span);
        let kind = ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        };
        self.deeper((Expr { kind, span }, l.max(r) + 1))
    }

    fn postfix(&self, (base, depth): Node, op: Pair<'_, Rule>) -> Option<Node> {
        let span = base.span.to(self.span(&op));
        let rule = op.as_rule();
        let mut parts = Children::new(op);
        let (kind, depth) = match rule {
            Rule::member | Rule::safe_member => {
                let name = self.ident(parts.next()?);
                let safe = rule == Rule::safe_member;
                match parts.next() {
                    Some(args) => {
                        let (args, args_depth) = self.call_args(args)?;
                        let callee = Expr {
                            span: base.span.to(name.span),
                            kind: ExprKind::Field {
                                base: Box::new(base),
                                name,
                                safe,
                            },
                        };
                        let kind = ExprKind::Call {
                            callee: Box::new(callee),
                            args,
                        };
                        (kind, depth.max(args_depth) + 2)
                    }
                    None => (
                        ExprKind::Field {
                            base: Box::new(base),
                            name,
                            safe,
                        },
                        depth + 1,
                    ),
                }
            }
            Rule::index => {
                let (index, index_depth) = self.expr(parts.next()?)?;
                let kind = ExprKind::Index {
                    base: Box::new(base),
                    index: Box::new(index),
                };
                (kind, depth.max(index_depth) + 1)
            }
            _ => return None,
        };
        self.deeper((Expr { kind, span }, depth))
    }

    pub(super) fn primary(&self, pair: Pair<'_, Rule>) -> Option<Node> {
        let span = self.span(&pair);
        let leaf = |kind| Some((Expr { kind, span }, 1));
        match pair.as_rule() {
            Rule::number => leaf(self.number_literal(&pair)?),
            Rule::boolean => leaf(ExprKind::Bool {
                value: pair.as_str() == "true",
            }),
            Rule::null => leaf(ExprKind::Null),
            Rule::wildcard => leaf(ExprKind::Wildcard),
            Rule::string => {
                let mut depth = 1;
                let literal = self.string(pair, &mut depth)?;
                Some((
                    Expr {
                        kind: ExprKind::String(literal),
                        span,
                    },
                    depth,
                ))
            }
            Rule::paren => {
                let (inner, depth) = self.expr(children(pair).next()?)?;
                let kind = ExprKind::Paren {
                    inner: Box::new(inner),
                };
                self.deeper((Expr { kind, span }, depth + 1))
            }
            Rule::name => {
                let mut parts = Children::new(pair);
                let name = self.ident(parts.next()?);
                let Some(args) = parts.next() else {
                    return leaf(ExprKind::Name { name: name.name });
                };
                let (args, depth) = self.call_args(args)?;
                let callee = Expr {
                    span: name.span,
                    kind: ExprKind::Name { name: name.name },
                };
                let kind = ExprKind::Call {
                    callee: Box::new(callee),
                    args,
                };
                self.deeper((Expr { kind, span }, depth + 1))
            }
            Rule::flow_call => {
                let mut parts = Children::new(pair);
                let flow = self.ident(parts.next()?);
                let (args, depth) = self.call_args(parts.next()?)?;
                self.deeper((
                    Expr {
                        kind: ExprKind::FlowCall { flow, args },
                        span,
                    },
                    depth + 1,
                ))
            }
            Rule::record => {
                let (record, depth) = self.record(pair)?;
                self.deeper((
                    Expr {
                        kind: ExprKind::Record(record),
                        span,
                    },
                    depth,
                ))
            }
            Rule::list => {
                let mut depth = 0;
                let mut items = Vec::new();
                for item in children(pair) {
                    let (expr, item_depth) = self.expr(item)?;
                    depth = depth.max(item_depth);
                    items.push(expr);
                }
                self.deeper((
                    Expr {
                        kind: ExprKind::List { items },
                        span,
                    },
                    depth + 1,
                ))
            }
            _ => None,
        }
    }

    /// An integer, float or duration literal, told apart by its text.
    fn number_literal(&self, pair: &Pair<'_, Rule>) -> Option<ExprKind> {
        let text = pair.as_str();
        if text.contains('.') {
            return match text.parse::<f64>() {
                Ok(value) if value.is_finite() => Some(ExprKind::Float { value }),
                _ => {
                    self.report(SyntaxError::NumberOutOfRange {
                        span: self.span(pair),
                        what: "a number",
                    });
                    None
                }
            };
        }
        if text.ends_with(|c: char| c.is_ascii_alphabetic()) {
            return Some(ExprKind::Duration(self.duration(pair)?));
        }
        Some(ExprKind::Int {
            value: self.number::<i64>(pair, "an integer")?,
        })
    }

    pub(super) fn duration(&self, pair: &Pair<'_, Rule>) -> Option<DurationLit> {
        let text = pair.as_str();
        let digits_end = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let unit = DurationUnit::from_suffix(text.get(digits_end..)?)?;
        let value = self.number::<u64>(pair, "a duration")?;
        Some(DurationLit { value, unit })
    }

    /// A record literal and the depth of its deepest value.
    pub(super) fn record(&self, pair: Pair<'_, Rule>) -> Option<(RecordLit, u32)> {
        let span = self.span(&pair);
        let mut depth = 0;
        let mut entries = Vec::new();
        let mut rest = false;
        for entry in children(pair) {
            if entry.as_rule() == Rule::record_rest {
                rest = true;
                continue;
            }
            let entry_span = self.span(&entry);
            let mut parts = Children::new(entry);
            let key_pair = parts.next()?;
            let key = if key_pair.as_rule() == Rule::string {
                let text = self.text(key_pair, "a record key")?;
                RecordKey {
                    name: text.value,
                    quoted: true,
                    span: text.span,
                }
            } else {
                let ident = self.ident(key_pair);
                RecordKey {
                    name: ident.name,
                    quoted: false,
                    span: ident.span,
                }
            };
            let value = match parts.next() {
                Some(value) => {
                    let (expr, value_depth) = self.expr(value)?;
                    depth = depth.max(value_depth);
                    Some(expr)
                }
                None => None,
            };
            entries.push(RecordEntry {
                key,
                value,
                span: entry_span,
            });
        }
        Some((
            RecordLit {
                entries,
                rest,
                span,
            },
            depth + 1,
        ))
    }

    /// The arguments of a call and the depth of the deepest one.
    pub(super) fn call_args(&self, pair: Pair<'_, Rule>) -> Option<(Vec<Arg>, u32)> {
        let mut depth = 0;
        let mut args = Vec::new();
        for arg in children(pair) {
            let span = self.span(&arg);
            let mut parts = Children::new(arg);
            let name = match parts.take(Rule::arg_name) {
                Some(name) => Some(self.ident(children(name).next()?)),
                None => None,
            };
            let value_pair = parts.next()?;
            let (value, value_depth) = match value_pair.as_rule() {
                Rule::lambda => self.lambda(value_pair)?,
                _ => self.expr(value_pair)?,
            };
            depth = depth.max(value_depth);
            args.push(Arg { name, value, span });
        }
        Some((args, depth))
    }

    fn lambda(&self, pair: Pair<'_, Rule>) -> Option<Node> {
        let span = self.span(&pair);
        let mut parts = Children::new(pair);
        let params: Vec<Ident> = children(parts.next()?).map(|p| self.ident(p)).collect();
        let (body, depth) = self.expr(parts.next()?)?;
        let kind = ExprKind::Lambda {
            params,
            body: Box::new(body),
        };
        self.deeper((Expr { kind, span }, depth + 1))
    }
}
