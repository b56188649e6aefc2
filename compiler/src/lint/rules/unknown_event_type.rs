//! A comparison of an event's `eventType` with a name the provider's
//! catalogue does not have: the condition can never hold.

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::stdlib;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, StringPart, visit};

pub(super) const RULE: Rule = Rule {
    name: "unknown-event-type",
    code: codes::UNKNOWN_EVENT_TYPE,
    check,
};

fn check(_: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    for item in &file.parsed.module.items {
        visit::exprs(item, &mut |expr| {
            let ExprKind::Binary {
                op: BinaryOp::Eq | BinaryOp::Ne,
                lhs,
                rhs,
            } = &expr.kind
            else {
                return;
            };
            let literal = match (is_event_type(lhs), is_event_type(rhs)) {
                (true, _) => rhs,
                (_, true) => lhs,
                _ => return,
            };
            let ExprKind::String(text) = &literal.kind else {
                return;
            };
            let [StringPart::Text(name)] = text.parts.as_slice() else {
                return;
            };
            if stdlib::okta_event_types().any(|t| t == name) {
                return;
            }
            let mut diagnostic = Diagnostic::warning(
                codes::UNKNOWN_EVENT_TYPE,
                format!("Okta has no event type `{name}`"),
                literal.span,
                "never equal to an event's type",
            );
            if let Some(near) = did_you_mean(name, stdlib::okta_event_types()) {
                diagnostic = diagnostic
                    .with_help(format!("did you mean `{near}`?"))
                    .with_fix(
                        format!("replace with `{near}`"),
                        literal.span,
                        format!("\"{near}\""),
                    );
            }
            out.push(diagnostic);
        });
    }
}

/// `….eventType` or `…?.eventType`.
fn is_event_type(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Field { name, .. } if name.name == "eventType")
}
