//! A comparison of an event's `eventType` with a name the provider's
//! catalogue does not have: the condition can never hold. And an
//! `okta.event("…")` trigger or wait on such a name, far from every
//! catalogued one (a near one is a typo, an error of the resolver): it
//! fires only if Okta sends the type — right for a type Okta added after
//! the bundled catalogue, a mistake otherwise.

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::stdlib;
use crate::syntax::ast::{
    BinaryOp, EventRef, EventRefKind, Expr, ExprKind, Item, LetValue, StmtKind, StringPart,
    TriggerKind, visit,
};

pub(super) const RULE: Rule = Rule {
    name: "unknown-event-type",
    code: codes::UNKNOWN_EVENT_TYPE,
    check,
};

fn check(_: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    for item in &file.parsed.module.items {
        for event in raw_events(item) {
            if let EventRefKind::Raw { connector, name } = &event.kind
                && connector.name == "okta"
                && !stdlib::is_okta_event_type(&name.value)
                && stdlib::okta_event_type_near(&name.value).is_none()
            {
                let near = did_you_mean(&name.value, stdlib::okta_event_types())
                    .map(|near| format!(" (the closest is `{near}`)"))
                    .unwrap_or_default();
                out.push(
                    Diagnostic::warning(
                        codes::UNKNOWN_EVENT_TYPE,
                        format!("Okta's bundled catalogue has no event type `{}`", name.value),
                        name.span,
                        "fires only when Okta sends this type",
                    )
                    .with_help(format!("right for a type Okta added after this release of idflow; otherwise check the name against Okta's event types{near}")),
                );
            }
        }
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
/// The `okta.event("…")`-style references of a flow: its triggers and
/// its `wait for`s.
fn raw_events(item: &Item) -> Vec<&EventRef> {
    let Item::Flow(flow) = item else {
        return Vec::new();
    };
    let mut events: Vec<&EventRef> = flow
        .triggers
        .iter()
        .filter_map(|t| match &t.kind {
            TriggerKind::Event { event, .. } => Some(event),
            _ => None,
        })
        .collect();
    visit::blocks(item, &mut |block| {
        for stmt in &block.stmts {
            if let StmtKind::Let {
                value: LetValue::WaitFor(wait),
                ..
            }
            | StmtKind::WaitFor(wait) = &stmt.kind
            {
                events.push(&wait.event);
            }
        }
    });
    events
}

fn is_event_type(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Field { name, .. } if name.name == "eventType")
}
