//! A config no expression of the project mentions: dead settings mislead
//! whoever maintains the environments.

use std::collections::BTreeSet;

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::syntax::ast::{ExprKind, Item, visit};

pub(super) const RULE: Rule = Rule {
    name: "unused-config",
    code: codes::UNUSED_CONFIG,
    check,
};

fn check(cx: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    // A config is used wherever its name appears as a value, in any project file.
    let mut mentioned: BTreeSet<&str> = BTreeSet::new();
    for item in cx.project_items() {
        visit::exprs(item, &mut |expr| {
            if let ExprKind::Name { name } = &expr.kind {
                mentioned.insert(name);
            }
        });
    }
    for item in &file.parsed.module.items {
        if let Item::Config(config) = item
            && !mentioned.contains(config.name.name.as_str())
        {
            out.push(
                Diagnostic::warning(
                    codes::UNUSED_CONFIG,
                    format!("config `{}` is never used", config.name.name),
                    config.name.span,
                    "unused",
                )
                .with_help("remove it, or use it in a flow"),
            );
        }
    }
}
