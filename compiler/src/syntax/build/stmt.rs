//! Statements and the parts they share with items: blocks, retry policies,
//! error handlers, event references.

use pest::iterators::Pair;

use super::{Builder, Children, children};
use crate::syntax::ast::{
    Block, ErrorHandler, EventRef, EventRefKind, IfBranch, Invocation, LetValue, RetryPolicy, Stmt,
    StmtKind, WaitFor,
};
use crate::syntax::parser::Rule;

impl Builder {
    pub(super) fn block(&self, pair: Pair<'_, Rule>) -> Option<Block> {
        let span = self.span(&pair);
        let stmts = children(pair)
            .map(|s| self.stmt(s))
            .collect::<Option<_>>()?;
        Some(Block { stmts, span })
    }

    fn stmt(&self, pair: Pair<'_, Rule>) -> Option<Stmt> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let kind = match rule {
            Rule::let_stmt => {
                let mut parts = Children::new(pair);
                let name = self.ident(parts.next()?);
                let ty = match parts.take(Rule::type_expr) {
                    Some(ty) => Some(self.type_expr(ty)?),
                    None => None,
                };
                let value_pair = parts.next()?;
                let value = match value_pair.as_rule() {
                    Rule::wait_for => LetValue::WaitFor(self.wait_for(value_pair)?),
                    _ => LetValue::Expr(self.invocation(value_pair)?),
                };
                StmtKind::Let { name, ty, value }
            }
            Rule::expr_stmt => StmtKind::Expr(self.invocation(children(pair).next()?)?),
            Rule::if_stmt => self.if_stmt(pair)?,
            Rule::for_stmt => {
                let mut parts = Children::new(pair);
                let var = self.ident(parts.next()?);
                let iter = self.expr(parts.next()?)?.0;
                let parallel = match parts.take(Rule::for_parallel) {
                    Some(p) => {
                        Some(self.number::<u32>(&children(p).next()?, "a loop's parallelism")?)
                    }
                    None => None,
                };
                let body = self.block(parts.next()?)?;
                StmtKind::For {
                    var,
                    iter,
                    parallel,
                    body,
                }
            }
            Rule::parallel_stmt => StmtKind::Parallel {
                body: self.block(children(pair).next()?)?,
            },
            Rule::wait_for => StmtKind::WaitFor(self.wait_for(pair)?),
            Rule::wait_until => StmtKind::WaitUntil {
                time: self.expr(children(pair).next()?)?.0,
            },
            Rule::wait_duration => StmtKind::Wait {
                duration: self.expr(children(pair).next()?)?.0,
            },
            Rule::stop_stmt => {
                let reason = match children(pair).next() {
                    Some(reason) => Some(self.string(reason, &mut 0)?),
                    None => None,
                };
                StmtKind::Stop { reason }
            }
            Rule::return_stmt => StmtKind::Return {
                value: self.expr(children(pair).next()?)?.0,
            },
            Rule::spawn_stmt => StmtKind::Spawn {
                call: self.primary(children(pair).next()?)?.0,
            },
            _ => return None,
        };
        Some(Stmt { kind, span })
    }

    fn if_stmt(&self, pair: Pair<'_, Rule>) -> Option<StmtKind> {
        let mut parts = Children::new(pair);
        let condition = self.expr(parts.next()?)?.0;
        let body = self.block(parts.next()?)?;
        let mut branches = vec![IfBranch { condition, body }];
        let mut otherwise = None;
        while let Some(part) = parts.next() {
            let mut inner = Children::new(part.clone());
            if part.as_rule() == Rule::else_if {
                let condition = self.expr(inner.next()?)?.0;
                let body = self.block(inner.next()?)?;
                branches.push(IfBranch { condition, body });
            } else {
                otherwise = Some(self.block(inner.next()?)?);
            }
        }
        Some(StmtKind::If {
            branches,
            otherwise,
        })
    }

    fn invocation(&self, pair: Pair<'_, Rule>) -> Option<Invocation> {
        let mut parts = Children::new(pair);
        let expr = self.expr(parts.next()?)?.0;
        let retry = match parts.take(Rule::retry_override) {
            Some(retry) => Some(self.retry_policy(children(retry).next()?)?),
            None => None,
        };
        let on_error = match parts.take(Rule::error_handler) {
            Some(handler) => Some(self.error_handler(handler)?),
            None => None,
        };
        Some(Invocation {
            expr,
            retry,
            on_error,
        })
    }

    pub(super) fn error_handler(&self, pair: Pair<'_, Rule>) -> Option<ErrorHandler> {
        let span = self.span(&pair);
        let mut parts = Children::new(pair);
        let binding = parts.take(Rule::ident).map(|b| self.ident(b));
        let body = self.block(parts.next()?)?;
        Some(ErrorHandler {
            binding,
            body,
            span,
        })
    }

    pub(super) fn retry_policy(&self, pair: Pair<'_, Rule>) -> Option<RetryPolicy> {
        let span = self.span(&pair);
        let mut parts = Children::new(pair);
        let attempts = self.number::<u32>(&parts.next()?, "a retry count")?;
        let min_backoff = self.duration(&parts.next()?)?;
        let max_backoff = self.duration(&parts.next()?)?;
        let on_statuses = match parts.take(Rule::retry_on) {
            Some(on) => children(on)
                .map(|status| self.number::<u16>(&status, "an HTTP status"))
                .collect::<Option<_>>()?,
            None => Vec::new(),
        };
        Some(RetryPolicy {
            attempts,
            min_backoff,
            max_backoff,
            on_statuses,
            span,
        })
    }

    fn wait_for(&self, pair: Pair<'_, Rule>) -> Option<WaitFor> {
        let span = self.span(&pair);
        let mut parts = Children::new(pair);
        let event = self.event_ref(parts.next()?)?;
        let binding = parts.take(Rule::ident).map(|b| self.ident(b));
        let first = self.expr(parts.next()?)?.0;
        // With a `where`, two expressions follow: the condition, then the timeout.
        let (condition, timeout) = match parts.next() {
            Some(timeout) => (Some(first), self.expr(timeout)?.0),
            None => (None, first),
        };
        Some(WaitFor {
            event,
            binding,
            condition,
            timeout,
            span,
        })
    }

    pub(super) fn event_ref(&self, pair: Pair<'_, Rule>) -> Option<EventRef> {
        let span = self.span(&pair);
        let inner = children(pair).next()?;
        let kind = match inner.as_rule() {
            Rule::raw_event => {
                let mut parts = Children::new(inner);
                let connector = self.ident(parts.next()?);
                let name = self.text(parts.next()?, "an event name")?;
                EventRefKind::Raw { connector, name }
            }
            _ => EventRefKind::Named(self.path(inner)?),
        };
        Some(EventRef { kind, span })
    }
}
