//! Moving every span of a tree by the same number of bytes: an item that
//! did not change keeps its tree when the text before it grew or shrank,
//! so an edit re-parses only the items it touched.

use super::*;
use crate::source::Span;

/// A tree whose spans can be moved.
pub(crate) trait Shift {
    /// Adds `delta` to every byte offset in the tree.
    fn shift(&mut self, delta: isize);
}

impl Shift for Span {
    fn shift(&mut self, delta: isize) {
        let moved = |at: u32| u32::try_from(at as isize + delta).unwrap_or(0);
        self.start = moved(self.start);
        self.end = moved(self.end);
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: isize) {
        self.iter_mut().for_each(|x| x.shift(delta));
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(x) = self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, delta: isize) {
        (**self).shift(delta);
    }
}

/// Implements [`Shift`] for a struct by shifting the listed fields.
macro_rules! shift_fields {
    ($($ty:ty => $($field:ident),+;)+) => {
        $(impl Shift for $ty {
            fn shift(&mut self, delta: isize) {
                $(self.$field.shift(delta);)+
            }
        })+
    };
}

shift_fields! {
    Comment => span;
    Doc => span;
    Ident => span;
    Path => segments, span;
    Text => span;
    Expr => kind, span;
    StringLit => parts, span;
    RecordLit => entries, span;
    RecordEntry => key, value, span;
    RecordKey => span;
    Arg => name, value, span;
    Block => stmts, span;
    Stmt => kind, span;
    IfBranch => condition, body;
    Invocation => expr, retry, on_error;
    WaitFor => event, binding, condition, timeout, span;
    ErrorHandler => binding, body, span;
    RetryPolicy => span;
    Import => doc, name, span;
    Config => doc, name, ty, default, span;
    TypeDef => doc, name, body, span;
    TypeExtension => doc, target, fields, span;
    TypeExpr => kind, span;
    FieldDecl => doc, name, ty, span;
    Param => name, ty, default, span;
    FnDef => doc, name, params, ret, lets, body, span;
    LetBinding => name, ty, value, span;
    Connector => doc, name, members, span;
    Setting => doc, key, value, span;
    RetrySetting => doc, policy, span;
    ActionDecl => doc, name, params, ret, http, span;
    HttpMapping => path, query, headers, body, paginate, span;
    Pagination => style, args, span;
    EventDecl => doc, name, provider_name, ty, span;
    Flow => doc, name, triggers, condition, body, on_error, span;
    Trigger => kind, span;
    EventRef => kind, span;
    Test => doc, name, stmts, span;
    TestStmt => kind, span;
    ExpectedCall => target, args, span;
}

impl Shift for Item {
    fn shift(&mut self, delta: isize) {
        match self {
            Item::Import(x) => x.shift(delta),
            Item::Config(x) => x.shift(delta),
            Item::Type(x) => x.shift(delta),
            Item::Extend(x) => x.shift(delta),
            Item::Fn(x) => x.shift(delta),
            Item::Connector(x) => x.shift(delta),
            Item::Flow(x) => x.shift(delta),
            Item::Test(x) => x.shift(delta),
        }
    }
}

impl Shift for ExprKind {
    fn shift(&mut self, delta: isize) {
        match self {
            ExprKind::String(literal) => literal.shift(delta),
            ExprKind::Field { base, name, .. } => {
                base.shift(delta);
                name.shift(delta);
            }
            ExprKind::Index { base, index } => {
                base.shift(delta);
                index.shift(delta);
            }
            ExprKind::Call { callee, args } => {
                callee.shift(delta);
                args.shift(delta);
            }
            ExprKind::FlowCall { flow, args } => {
                flow.shift(delta);
                args.shift(delta);
            }
            ExprKind::Unary { operand, .. } => operand.shift(delta),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.shift(delta);
                rhs.shift(delta);
            }
            ExprKind::Paren { inner } => inner.shift(delta),
            ExprKind::Record(record) => record.shift(delta),
            ExprKind::List { items } => items.shift(delta),
            ExprKind::Lambda { params, body } => {
                params.shift(delta);
                body.shift(delta);
            }
            ExprKind::Int { .. }
            | ExprKind::Float { .. }
            | ExprKind::Bool { .. }
            | ExprKind::Null
            | ExprKind::Duration(_)
            | ExprKind::Name { .. }
            | ExprKind::Wildcard => {}
        }
    }
}

impl Shift for StringPart {
    fn shift(&mut self, delta: isize) {
        if let StringPart::Interpolation(inner) = self {
            inner.shift(delta);
        }
    }
}

impl Shift for StmtKind {
    fn shift(&mut self, delta: isize) {
        match self {
            StmtKind::Let { name, ty, value } => {
                name.shift(delta);
                ty.shift(delta);
                value.shift(delta);
            }
            StmtKind::Expr(invocation) => invocation.shift(delta),
            StmtKind::If {
                branches,
                otherwise,
            } => {
                branches.shift(delta);
                otherwise.shift(delta);
            }
            StmtKind::For {
                var, iter, body, ..
            } => {
                var.shift(delta);
                iter.shift(delta);
                body.shift(delta);
            }
            StmtKind::Parallel { body } => body.shift(delta),
            StmtKind::Wait { duration } => duration.shift(delta),
            StmtKind::WaitUntil { time } => time.shift(delta),
            StmtKind::WaitFor(wait) => wait.shift(delta),
            StmtKind::Stop { reason } => reason.shift(delta),
            StmtKind::Return { value } | StmtKind::Spawn { call: value } => value.shift(delta),
        }
    }
}

impl Shift for LetValue {
    fn shift(&mut self, delta: isize) {
        match self {
            LetValue::Expr(invocation) => invocation.shift(delta),
            LetValue::WaitFor(wait) => wait.shift(delta),
        }
    }
}

impl Shift for TypeDefBody {
    fn shift(&mut self, delta: isize) {
        match self {
            TypeDefBody::Record(fields) => fields.shift(delta),
            TypeDefBody::Alias(alias) => alias.shift(delta),
        }
    }
}

impl Shift for TypeExprKind {
    fn shift(&mut self, delta: isize) {
        match self {
            TypeExprKind::Named { name, args } => {
                name.shift(delta);
                args.shift(delta);
            }
            TypeExprKind::Record(fields) => fields.shift(delta),
        }
    }
}

impl Shift for ConnectorMember {
    fn shift(&mut self, delta: isize) {
        match self {
            ConnectorMember::Setting(x) => x.shift(delta),
            ConnectorMember::Retry(x) => x.shift(delta),
            ConnectorMember::Action(x) => x.shift(delta),
            ConnectorMember::Event(x) => x.shift(delta),
        }
    }
}

impl Shift for TriggerKind {
    fn shift(&mut self, delta: isize) {
        match self {
            TriggerKind::Event { event, binding } => {
                event.shift(delta);
                binding.shift(delta);
            }
            TriggerKind::Schedule { cron, tz, .. } => {
                cron.shift(delta);
                tz.shift(delta);
            }
            TriggerKind::Webhook {
                path,
                binding,
                body_type,
            } => {
                path.shift(delta);
                binding.shift(delta);
                body_type.shift(delta);
            }
            TriggerKind::Called { params, ret } => {
                params.shift(delta);
                ret.shift(delta);
            }
        }
    }
}

impl Shift for EventRefKind {
    fn shift(&mut self, delta: isize) {
        match self {
            EventRefKind::Named(path) => path.shift(delta),
            EventRefKind::Raw { connector, name } => {
                connector.shift(delta);
                name.shift(delta);
            }
        }
    }
}

impl Shift for TestStmtKind {
    fn shift(&mut self, delta: isize) {
        match self {
            TestStmtKind::GivenEvent { event, value } => {
                event.shift(delta);
                value.shift(delta);
            }
            TestStmtKind::GivenConfig { name, value } => {
                name.shift(delta);
                value.shift(delta);
            }
            TestStmtKind::GivenWebhook { path, body } => {
                path.shift(delta);
                body.shift(delta);
            }
            TestStmtKind::GivenNow { time } => time.shift(delta),
            TestStmtKind::GivenSchedule { flow } => flow.shift(delta),
            TestStmtKind::GivenCall {
                action,
                args,
                outcome,
            } => {
                action.shift(delta);
                args.shift(delta);
                outcome.shift(delta);
            }
            TestStmtKind::Advance { by } => by.shift(delta),
            TestStmtKind::Expect { expected, .. } => expected.shift(delta),
            TestStmtKind::ExpectInOrder { calls } => calls.shift(delta),
            TestStmtKind::ExpectRun { .. } => {}
        }
    }
}

impl Shift for GivenOutcome {
    fn shift(&mut self, delta: isize) {
        match self {
            GivenOutcome::Returns(value) => value.shift(delta),
            GivenOutcome::Fails { body, .. } => body.shift(delta),
        }
    }
}
