//! Statements after `stop` or `return` in the same block never run.

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::source::Span;
use crate::syntax::ast::{StmtKind, visit};

pub(super) const RULE: Rule = Rule {
    name: "unreachable-statement",
    code: codes::UNREACHABLE_STATEMENT,
    check,
};

fn check(_: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    for item in &file.parsed.module.items {
        visit::blocks(item, &mut |block| {
            let ends = block
                .stmts
                .iter()
                .position(|s| matches!(s.kind, StmtKind::Stop { .. } | StmtKind::Return { .. }));
            let (Some(at), Some(last)) = (ends, block.stmts.last()) else {
                return;
            };
            let (Some(end), Some(first)) = (block.stmts.get(at), block.stmts.get(at + 1)) else {
                return;
            };
            let dead = first.span.to(last.span);
            // The fix removes from the end of `stop`/`return` to the end of the last statement.
            let removed = Span {
                start: end.span.end,
                end: last.span.end,
                ..end.span
            };
            out.push(
                Diagnostic::warning(
                    codes::UNREACHABLE_STATEMENT,
                    "these statements never run",
                    dead,
                    "unreachable",
                )
                .with_label(end.span, "the run ends here")
                .with_safe_fix("remove the unreachable statements", removed, ""),
            );
        });
    }
}
