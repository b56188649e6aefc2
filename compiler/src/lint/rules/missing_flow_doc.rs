//! A flow without a doc comment: auditors read `idflow doc` to learn what
//! each automation does and why.

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::source::Span;
use crate::syntax::ast::Item;

pub(super) const RULE: Rule = Rule {
    name: "missing-flow-doc",
    code: codes::MISSING_FLOW_DOC,
    check,
};

fn check(_: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    for item in &file.parsed.module.items {
        if let Item::Flow(flow) = item
            && flow.doc.is_none()
        {
            out.push(
                Diagnostic::warning(
                    codes::MISSING_FLOW_DOC,
                    format!("flow `{}` has no doc comment", flow.name.name),
                    flow.name.span,
                    "undocumented",
                )
                .with_help("say above it, in a `///` comment, what the flow does and why: auditors read it")
                .with_fix(
                    format!("add a doc comment to `{}`", flow.name.name),
                    Span::new(flow.span.file, flow.span.start as usize, flow.span.start as usize),
                    format!("/// What `{}` does, and why.\n", flow.name.name),
                ),
            );
        }
    }
}
