//! An import the file never uses.

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::source::Span;
use crate::syntax::ast::{
    EventRef, EventRefKind, ExprKind, Item, LetValue, Path, StmtKind, TestStmtKind, TriggerKind,
    TypeDefBody, TypeExpr, TypeExprKind, visit,
};

pub(super) const RULE: Rule = Rule {
    name: "unused-import",
    code: codes::UNUSED_IMPORT,
    check,
};

fn check(_: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    let module = &file.parsed.module;
    let used = used_names(&module.items);
    for item in &module.items {
        let Item::Import(import) = item else { continue };
        if used.contains(&import.name.name.as_str()) {
            continue;
        }
        // The fix removes the whole line.
        let line = Span {
            end: import.span.end + 1,
            ..import.span
        };
        out.push(
            Diagnostic::warning(
                codes::UNUSED_IMPORT,
                format!("`{}` is imported but never used", import.name.name),
                import.name.span,
                "unused",
            )
            .with_safe_fix(format!("remove `import {}`", import.name.name), line, ""),
        );
    }
}

/// Every name the items use as a connector or module.
fn used_names(items: &[Item]) -> Vec<&str> {
    let mut used = Vec::new();
    for item in items {
        visit::exprs(item, &mut |expr| {
            if let ExprKind::Name { name } = &expr.kind {
                used.push(name.as_str());
            }
        });
        match item {
            Item::Flow(flow) => {
                for trigger in &flow.triggers {
                    if let TriggerKind::Event { event, .. } = &trigger.kind {
                        used.push(connector_of(event));
                    }
                }
                visit::blocks(item, &mut |block| {
                    for stmt in &block.stmts {
                        match &stmt.kind {
                            StmtKind::Let {
                                value: LetValue::WaitFor(wait),
                                ..
                            }
                            | StmtKind::WaitFor(wait) => used.push(connector_of(&wait.event)),
                            StmtKind::Let { ty: Some(ty), .. } => type_path_modules(ty, &mut used),
                            _ => {}
                        }
                    }
                });
            }
            Item::Test(test) => {
                for stmt in &test.stmts {
                    let paths: Vec<&Path> = match &stmt.kind {
                        TestStmtKind::GivenCall { action, .. } => vec![action],
                        TestStmtKind::Expect { expected, .. } => vec![&expected.target],
                        TestStmtKind::ExpectInOrder { calls } => {
                            calls.iter().map(|c| &c.target).collect()
                        }
                        TestStmtKind::GivenEvent { event, .. } => {
                            used.push(connector_of(event));
                            vec![]
                        }
                        _ => vec![],
                    };
                    used.extend(
                        paths
                            .iter()
                            .filter_map(|p| p.segments.first())
                            .map(|s| s.name.as_str()),
                    );
                }
            }
            _ => {}
        }
        type_modules(item, &mut used);
    }
    used
}

/// The connector an event belongs to.
fn connector_of(event: &EventRef) -> &str {
    match &event.kind {
        EventRefKind::Named(path) => path.segments.first().map_or("", |s| s.name.as_str()),
        EventRefKind::Raw { connector, .. } => &connector.name,
    }
}

/// Modules named by qualified types (`okta.User`) in a type.
fn type_path_modules<'a>(ty: &'a TypeExpr, used: &mut Vec<&'a str>) {
    match &ty.kind {
        TypeExprKind::Named { name, args } => {
            if name.segments.len() == 2
                && let Some(module) = name.segments.first()
            {
                used.push(&module.name);
            }
            args.iter().for_each(|a| type_path_modules(a, used));
        }
        TypeExprKind::Record(fields) => fields.iter().for_each(|f| type_path_modules(&f.ty, used)),
    }
}

/// Modules named by qualified types in configs, types, extensions and fns.
fn type_modules<'a>(item: &'a Item, used: &mut Vec<&'a str>) {
    let walk = type_path_modules;
    match item {
        Item::Config(config) => walk(&config.ty, used),
        Item::Type(def) => match &def.body {
            TypeDefBody::Record(fields) => fields.iter().for_each(|f| walk(&f.ty, used)),
            TypeDefBody::Alias(ty) => walk(ty, used),
        },
        Item::Extend(extension) => {
            if let [module, _] = extension.target.segments.as_slice() {
                used.push(&module.name);
            }
            extension.fields.iter().for_each(|f| walk(&f.ty, used));
        }
        Item::Fn(function) => {
            function.params.iter().for_each(|p| walk(&p.ty, used));
            walk(&function.ret, used);
        }
        _ => {}
    }
}
