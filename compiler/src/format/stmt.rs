//! Statements and blocks.

use super::expr::string;
use super::printer::Printer;
use crate::syntax::ast::{
    Block, ErrorHandler, EventRef, EventRefKind, Invocation, LetValue, RetryPolicy, Stmt, StmtKind,
    WaitFor,
};

impl Printer<'_> {
    /// `{ statements }`; `{}` when empty and without comments.
    pub(super) fn stmt_block(&mut self, block: &Block) {
        if block.stmts.is_empty() && !self.has_comment_within(block.span.start, block.span.end) {
            self.write("{}");
            return;
        }
        self.block("{", &block.stmts, block.span.end, "}", |p, stmt| {
            p.stmt(stmt)
        });
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.start_element(stmt.span.start);
        match &stmt.kind {
            StmtKind::Let { name, ty, value } => {
                self.write(&format!("let {}", name.name));
                if let Some(ty) = ty {
                    self.write(": ");
                    self.type_expr(ty);
                }
                self.write(" = ");
                match value {
                    LetValue::Expr(invocation) => self.invocation(invocation),
                    LetValue::WaitFor(wait) => self.wait_for(wait),
                }
            }
            StmtKind::Expr(invocation) => self.invocation(invocation),
            StmtKind::If {
                branches,
                otherwise,
            } => {
                for (index, branch) in branches.iter().enumerate() {
                    self.write(if index == 0 { "if " } else { " else if " });
                    self.expr(&branch.condition);
                    self.write(" ");
                    self.stmt_block(&branch.body);
                }
                if let Some(otherwise) = otherwise {
                    self.write(" else ");
                    self.stmt_block(otherwise);
                }
            }
            StmtKind::For {
                var,
                iter,
                parallel,
                body,
            } => {
                self.write(&format!("for {} in ", var.name));
                self.expr(iter);
                if let Some(parallel) = parallel {
                    self.write(&format!(" parallel {parallel}"));
                }
                self.write(" ");
                self.stmt_block(body);
            }
            StmtKind::Parallel { body } => {
                self.write("parallel ");
                self.stmt_block(body);
            }
            StmtKind::Wait { duration } => {
                self.write("wait ");
                self.expr(duration);
            }
            StmtKind::WaitUntil { time } => {
                self.write("wait until ");
                self.expr(time);
            }
            StmtKind::WaitFor(wait) => self.wait_for(wait),
            StmtKind::Stop { reason } => {
                self.write("stop");
                if let Some(reason) = reason {
                    self.write(" ");
                    self.write(&string(reason));
                }
            }
            StmtKind::Return { value } => {
                self.write("return ");
                self.expr(value);
            }
            StmtKind::Spawn { call } => {
                self.write("spawn ");
                self.expr(call);
            }
        }
        self.end_element(stmt.span.end);
    }

    fn invocation(&mut self, invocation: &Invocation) {
        self.expr(&invocation.expr);
        if let Some(retry) = &invocation.retry {
            self.write(" retry ");
            self.write(&retry_policy(retry));
        }
        if let Some(handler) = &invocation.on_error {
            self.write(" ");
            self.error_handler(handler);
        }
    }

    /// `on error(err) { … }`.
    pub(super) fn error_handler(&mut self, handler: &ErrorHandler) {
        match &handler.binding {
            Some(binding) => self.write(&format!("on error({}) ", binding.name)),
            None => self.write("on error "),
        }
        self.stmt_block(&handler.body);
    }

    fn wait_for(&mut self, wait: &WaitFor) {
        self.write("wait for ");
        self.write(&event_ref(&wait.event));
        if let Some(binding) = &wait.binding {
            self.write(&format!(" as {}", binding.name));
        }
        if let Some(condition) = &wait.condition {
            self.write(" where ");
            self.expr(condition);
        }
        self.write(" timeout ");
        self.expr(&wait.timeout);
    }
}

/// `4 backoff 500ms..30s on [429, 503]`.
pub(super) fn retry_policy(policy: &RetryPolicy) -> String {
    let mut out = format!(
        "{} backoff {}..{}",
        policy.attempts, policy.min_backoff, policy.max_backoff
    );
    if !policy.on_statuses.is_empty() {
        let statuses: Vec<String> = policy.on_statuses.iter().map(u16::to_string).collect();
        out.push_str(&format!(" on [{}]", statuses.join(", ")));
    }
    out
}

/// `okta.user_created` or `okta.event("…")`.
pub(super) fn event_ref(event: &EventRef) -> String {
    match &event.kind {
        EventRefKind::Named(path) => path.dotted(),
        EventRefKind::Raw { connector, name } => {
            format!(
                "{}.event({})",
                connector.name,
                super::expr::quote(&name.value)
            )
        }
    }
}
