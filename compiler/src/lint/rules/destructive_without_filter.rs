//! A destructive action in a flow whose event trigger has no `where` filter:
//! every event of that type — a preview delivery, a test event — runs it.

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::syntax::ast::{ActionKind, ExprKind, Item, TriggerKind, visit};

pub(super) const RULE: Rule = Rule {
    name: "destructive-without-filter",
    code: codes::DESTRUCTIVE_WITHOUT_FILTER,
    check,
};

fn check(cx: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    for item in &file.parsed.module.items {
        let Item::Flow(flow) = item else { continue };
        let on_events = flow
            .triggers
            .iter()
            .any(|t| matches!(t.kind, TriggerKind::Event { .. }));
        if !on_events || flow.condition.is_some() {
            continue;
        }
        visit::exprs(item, &mut |expr| {
            let ExprKind::Call { callee, .. } = &expr.kind else {
                return;
            };
            let ExprKind::Field { base, name, .. } = &callee.kind else {
                return;
            };
            let ExprKind::Name { name: connector } = &base.kind else {
                return;
            };
            if cx.action_kind(connector, &name.name) == Some(ActionKind::Destructive) {
                out.push(
                    Diagnostic::warning(
                        codes::DESTRUCTIVE_WITHOUT_FILTER,
                        format!(
                            "`{connector}.{}` is destructive and the flow has no `where` filter",
                            name.name
                        ),
                        callee.span,
                        "runs for every event the trigger receives",
                    )
                    .with_label(flow.name.span, "this flow")
                    .with_help("add a `where` clause that says which events should lead to it"),
                );
            }
        });
    }
}
