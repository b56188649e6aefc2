//! Statements of `then` blocks and error handlers.

use serde::Serialize;

use super::{DurationLit, EventRef, Expr, Ident, StringLit, TypeExpr};
use crate::source::Span;

/// `{ statements }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Block {
    /// The statements in order.
    pub stmts: Vec<Stmt>,
    /// Where the block is, braces included.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stmt {
    /// What kind of statement this is.
    pub kind: StmtKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StmtKind {
    /// `let name: Type = value`.
    Let {
        /// The bound name.
        name: Ident,
        /// The declared type, if written.
        ty: Option<TypeExpr>,
        /// The value.
        value: LetValue,
    },
    /// An expression run for its effect, usually an action call.
    Expr(Invocation),
    /// `if c { } else if d { } else { }`.
    If {
        /// Each condition with its block, the `if` first then every `else if`.
        branches: Vec<IfBranch>,
        /// The final `else` block.
        otherwise: Option<Block>,
    },
    /// `for x in items parallel 4 { }`.
    For {
        /// The loop variable.
        var: Ident,
        /// The list iterated over.
        iter: Expr,
        /// How many iterations may run at once; absent means one at a time.
        parallel: Option<u32>,
        /// The loop body.
        body: Block,
    },
    /// `parallel { }`: the writes inside may run concurrently.
    Parallel {
        /// The statements that may overlap.
        body: Block,
    },
    /// `wait 24h`: suspends the run durably.
    Wait {
        /// How long.
        duration: Expr,
    },
    /// `wait until t`.
    WaitUntil {
        /// The instant to resume at.
        time: Expr,
    },
    /// `wait for event where cond timeout d`.
    WaitFor(WaitFor),
    /// `stop "reason"`: ends the run, recorded as stopped.
    Stop {
        /// Why, shown in traces.
        reason: Option<StringLit>,
    },
    /// `return value`: ends a called flow with its result.
    Return {
        /// The result.
        value: Expr,
    },
    /// `spawn call f(args)`: starts a run of a called flow without waiting
    /// for it.
    Spawn {
        /// The `call f(args)`, an [`ExprKind::FlowCall`](super::ExprKind::FlowCall).
        call: Expr,
    },
}

/// One `if` or `else if` arm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IfBranch {
    /// The condition.
    pub condition: Expr,
    /// What runs when it holds.
    pub body: Block,
}

/// What a `let` binds: an expression, or the event a `wait for` received.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LetValue {
    /// An expression, possibly an action call with retry and error handling.
    Expr(Invocation),
    /// `wait for …`: the event, or null when the timeout passed first.
    WaitFor(WaitFor),
}

/// An expression evaluated as a statement or `let` value, with the retry policy
/// and error handler that apply when it is an action call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Invocation {
    /// The expression.
    pub expr: Expr,
    /// `retry N backoff a..b`, overriding the connector's policy.
    pub retry: Option<RetryPolicy>,
    /// `on error(err) { }`.
    pub on_error: Option<ErrorHandler>,
}

/// `wait for okta.user_activated as a where … timeout 7d`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaitFor {
    /// The awaited event.
    pub event: EventRef,
    /// The name of the received event in the condition; `it` when absent.
    pub binding: Option<Ident>,
    /// Which events count.
    pub condition: Option<Expr>,
    /// How long to wait at most.
    pub timeout: Expr,
    /// Where the `wait for` is.
    pub span: Span,
}

/// `on error(err) { }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorHandler {
    /// The name the error is bound to, if any.
    pub binding: Option<Ident>,
    /// What runs on error.
    pub body: Block,
    /// Where the handler is.
    pub span: Span,
}

/// `4 backoff 500ms..30s on [429, 503]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RetryPolicy {
    /// How many times a failed call is retried.
    pub attempts: u32,
    /// The first delay.
    pub min_backoff: DurationLit,
    /// The longest delay.
    pub max_backoff: DurationLit,
    /// The HTTP statuses that are retried; empty means the connector's.
    pub on_statuses: Vec<u16>,
    /// Where the policy is.
    pub span: Span,
}
