//! Walking the tree: every expression and every block of an item, in source
//! order, for the phases that look for one kind of node (lints).

use super::{
    Block, ConnectorMember, Expr, ExprKind, Item, LetValue, Stmt, StmtKind, StringPart,
    TestStmtKind, TriggerKind,
};

/// Calls `f` on every expression of `item`, outer expressions before the
/// expressions inside them.
pub fn exprs<'a>(item: &'a Item, f: &mut impl FnMut(&'a Expr)) {
    match item {
        Item::Config(config) => {
            if let Some(default) = &config.default {
                expr(default, f);
            }
        }
        Item::Fn(function) => {
            for param in &function.params {
                if let Some(default) = &param.default {
                    expr(default, f);
                }
            }
            for binding in &function.lets {
                expr(&binding.value, f);
            }
            expr(&function.body, f);
        }
        Item::Connector(connector) => {
            for member in &connector.members {
                if let ConnectorMember::Setting(setting) = member {
                    expr(&setting.value, f);
                }
            }
        }
        Item::Flow(flow) => {
            for trigger in &flow.triggers {
                if let TriggerKind::Called { params, .. } = &trigger.kind {
                    params
                        .iter()
                        .filter_map(|p| p.default.as_ref())
                        .for_each(|d| expr(d, f));
                }
            }
            if let Some(condition) = &flow.condition {
                expr(condition, f);
            }
            blocks(item, &mut |block| {
                for stmt in &block.stmts {
                    stmt_exprs(stmt, f);
                }
            });
        }
        Item::Test(test) => {
            for stmt in &test.stmts {
                test_exprs(&stmt.kind, f);
            }
        }
        Item::Import(_) | Item::Type(_) | Item::Extend(_) => {}
    }
}

/// Calls `f` on the outermost expressions of a block's statements and of the
/// blocks inside it (use [`expr`] in `f` to reach the ones inside those).
pub fn block_exprs<'a>(b: &'a Block, f: &mut impl FnMut(&'a Expr)) {
    block(b, &mut |inner| {
        for stmt in &inner.stmts {
            stmt_exprs(stmt, &mut |e| f(e));
        }
    });
}

/// Calls `f` on every statement block of `item`: a flow's `then` and
/// `on error` blocks and every block nested in them, outer blocks first.
pub fn blocks<'a>(item: &'a Item, f: &mut impl FnMut(&'a Block)) {
    if let Item::Flow(flow) = item {
        block(&flow.body, f);
        if let Some(handler) = &flow.on_error {
            block(&handler.body, f);
        }
    }
}

fn block<'a>(b: &'a Block, f: &mut impl FnMut(&'a Block)) {
    f(b);
    for stmt in &b.stmts {
        for inner in nested_blocks(stmt) {
            block(inner, f);
        }
    }
}

/// The blocks directly inside a statement.
fn nested_blocks(stmt: &Stmt) -> Vec<&Block> {
    match &stmt.kind {
        StmtKind::If {
            branches,
            otherwise,
        } => branches.iter().map(|b| &b.body).chain(otherwise).collect(),
        StmtKind::For { body, .. } | StmtKind::Parallel { body } => vec![body],
        StmtKind::Expr(invocation)
        | StmtKind::Let {
            value: LetValue::Expr(invocation),
            ..
        } => invocation.on_error.iter().map(|h| &h.body).collect(),
        _ => Vec::new(),
    }
}

/// The expressions of one statement itself, not of the blocks inside it.
fn stmt_exprs<'a>(stmt: &'a Stmt, f: &mut impl FnMut(&'a Expr)) {
    match &stmt.kind {
        StmtKind::Let { value, .. } => match value {
            LetValue::Expr(invocation) => expr(&invocation.expr, f),
            LetValue::WaitFor(wait) => {
                if let Some(condition) = &wait.condition {
                    expr(condition, f);
                }
                expr(&wait.timeout, f);
            }
        },
        StmtKind::Expr(invocation) => expr(&invocation.expr, f),
        StmtKind::If { branches, .. } => branches.iter().for_each(|b| expr(&b.condition, f)),
        StmtKind::For { iter, .. } => expr(iter, f),
        StmtKind::Wait { duration } => expr(duration, f),
        StmtKind::WaitUntil { time } => expr(time, f),
        StmtKind::WaitFor(wait) => {
            if let Some(condition) = &wait.condition {
                expr(condition, f);
            }
            expr(&wait.timeout, f);
        }
        StmtKind::Return { value } | StmtKind::Spawn { call: value } => expr(value, f),
        StmtKind::Parallel { .. } | StmtKind::Stop { .. } => {}
    }
}

fn test_exprs<'a>(stmt: &'a TestStmtKind, f: &mut impl FnMut(&'a Expr)) {
    let args = |args: &'a Option<Vec<super::Arg>>| args.iter().flatten().map(|a| &a.value);
    match stmt {
        TestStmtKind::GivenEvent { value, .. }
        | TestStmtKind::GivenConfig { value, .. }
        | TestStmtKind::GivenWebhook { body: value, .. } => expr(value, f),
        TestStmtKind::GivenNow { time } => expr(time, f),
        TestStmtKind::GivenSchedule { .. } => {}
        TestStmtKind::Advance { by } => expr(by, f),
        TestStmtKind::GivenCall { args: a, .. } => args(a).for_each(|e| expr(e, f)),
        TestStmtKind::Expect { expected, .. } => args(&expected.args).for_each(|e| expr(e, f)),
        TestStmtKind::ExpectInOrder { calls } => calls
            .iter()
            .flat_map(|c| args(&c.args))
            .for_each(|e| expr(e, f)),
        TestStmtKind::ExpectRun { .. } => {}
    }
}

/// Calls `f` on `e` and every expression inside it.
pub fn expr<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Call { callee, args } => {
            expr(callee, f);
            args.iter().for_each(|a| expr(&a.value, f));
        }
        ExprKind::FlowCall { args, .. } => args.iter().for_each(|a| expr(&a.value, f)),
        ExprKind::Field { base, .. } => expr(base, f),
        ExprKind::Index { base, index } => {
            expr(base, f);
            expr(index, f);
        }
        ExprKind::Unary { operand, .. } => expr(operand, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs, f);
            expr(rhs, f);
        }
        ExprKind::Paren { inner } => expr(inner, f),
        ExprKind::Lambda { body, .. } => expr(body, f),
        ExprKind::List { items } => items.iter().for_each(|i| expr(i, f)),
        ExprKind::Record(record) => record
            .entries
            .iter()
            .filter_map(|e| e.value.as_ref())
            .for_each(|v| expr(v, f)),
        ExprKind::String(literal) => literal.parts.iter().for_each(|p| {
            if let StringPart::Interpolation(inner) = p {
                expr(inner, f);
            }
        }),
        ExprKind::Int { .. }
        | ExprKind::Float { .. }
        | ExprKind::Bool { .. }
        | ExprKind::Null
        | ExprKind::Duration(_)
        | ExprKind::Name { .. }
        | ExprKind::Wildcard => {}
    }
}
