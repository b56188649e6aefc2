//! A destructive action inside a `for` over a list read page by page from an
//! API (`paginate`): the loop has no bound the flow controls, so one event
//! can suspend or remove thousands of accounts.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::syntax::ast::{ActionKind, Block, Expr, ExprKind, LetValue, StmtKind, visit};

pub(super) const RULE: Rule = Rule {
    name: "destructive-in-unbounded-loop",
    code: codes::DESTRUCTIVE_IN_UNBOUNDED_LOOP,
    check,
};

fn check(cx: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    for item in &file.parsed.module.items {
        // `let` names bound directly to a paginated read, anywhere in the flow.
        let mut paginated: BTreeMap<&str, String> = BTreeMap::new();
        visit::blocks(item, &mut |block| {
            for stmt in &block.stmts {
                if let StmtKind::Let {
                    name,
                    value: LetValue::Expr(invocation),
                    ..
                } = &stmt.kind
                    && let Some(action) = paginated_read(cx, &invocation.expr)
                {
                    paginated.insert(&name.name, action);
                }
            }
        });
        visit::blocks(item, &mut |block| {
            for stmt in &block.stmts {
                let StmtKind::For { iter, body, .. } = &stmt.kind else {
                    continue;
                };
                let source = match &iter.kind {
                    ExprKind::Name { name } => paginated.get(name.as_str()).cloned(),
                    _ => paginated_read(cx, iter),
                };
                let Some(source) = source else { continue };
                for (call, action) in destructive_calls(cx, body) {
                    out.push(
                        Diagnostic::warning(
                            codes::DESTRUCTIVE_IN_UNBOUNDED_LOOP,
                            format!("`{action}` is destructive and runs once per item of `{source}`, which has no bound"),
                            call,
                            "in the loop",
                        )
                        .with_label(iter.span, "read page by page: as many items as the API returns")
                        .with_help("filter the list down first, or stop the run above a limit you choose"),
                    );
                }
            }
        });
    }
}

/// `connector.action(…)` when the action is a read that paginates.
fn paginated_read(cx: &Context<'_>, expr: &Expr) -> Option<String> {
    let (connector, action) = action_call(expr)?;
    let decl = cx.action(connector, action)?;
    let paginates = decl
        .http
        .as_ref()
        .is_some_and(|http| http.paginate.is_some());
    (decl.kind == ActionKind::Read && paginates).then(|| format!("{connector}.{action}"))
}

/// Every destructive action call in a block and the blocks inside it.
fn destructive_calls(cx: &Context<'_>, body: &Block) -> Vec<(crate::source::Span, String)> {
    let mut found = Vec::new();
    let mut collect = |expr: &Expr| {
        if let Some((connector, action)) = action_call(expr)
            && cx
                .action(connector, action)
                .is_some_and(|a| a.kind == ActionKind::Destructive)
        {
            found.push((expr.span, format!("{connector}.{action}")));
        }
    };
    visit::block_exprs(body, &mut |expr| visit::expr(expr, &mut collect));
    found
}

/// The connector and action of `c.a(…)`.
fn action_call(expr: &Expr) -> Option<(&str, &str)> {
    let ExprKind::Call { callee, .. } = &expr.kind else {
        return None;
    };
    let ExprKind::Field { base, name, .. } = &callee.kind else {
        return None;
    };
    let ExprKind::Name { name: connector } = &base.kind else {
        return None;
    };
    Some((connector, &name.name))
}
