//! A wait longer than 30 days: runs that long outlive the people and
//! accounts they were started for; schedule a flow instead.

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::syntax::ast::{Expr, ExprKind, LetValue, StmtKind, visit};

pub(super) const RULE: Rule = Rule {
    name: "long-wait",
    code: codes::LONG_WAIT,
    check,
};

const LIMIT_DAYS: u64 = 30;

fn check(_: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    for item in &file.parsed.module.items {
        visit::blocks(item, &mut |block| {
            for stmt in &block.stmts {
                let duration = match &stmt.kind {
                    StmtKind::Wait { duration } => duration,
                    StmtKind::WaitFor(wait)
                    | StmtKind::Let {
                        value: LetValue::WaitFor(wait),
                        ..
                    } => &wait.timeout,
                    _ => continue,
                };
                if let Some(days) = literal_days(duration)
                    && days > LIMIT_DAYS
                {
                    out.push(
                        Diagnostic::warning(
                            codes::LONG_WAIT,
                            format!("this run waits {days} days, more than {LIMIT_DAYS}"),
                            duration.span,
                            "too long",
                        )
                        .with_help(
                            "end the run and let a `when schedule` flow pick the work up later",
                        ),
                    );
                }
            }
        });
    }
}

/// The length of a duration literal in whole days.
fn literal_days(expr: &Expr) -> Option<u64> {
    let ExprKind::Duration(duration) = &expr.kind else {
        return None;
    };
    u64::try_from(duration.millis() / 86_400_000).ok()
}
