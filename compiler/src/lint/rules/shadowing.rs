//! A name bound again inside the flow that already binds it — a `let`, a loop
//! variable, a lambda parameter hiding the event, a config or an earlier
//! `let`: the reader cannot tell which one a later line means.

use std::collections::BTreeSet;

use crate::diagnostics::{Diagnostic, codes};
use crate::lint::{Context, Rule};
use crate::project::ProjectFile;
use crate::source::Span;
use crate::syntax::ast::{
    Block, Expr, ExprKind, Ident, Item, LetValue, StmtKind, TriggerKind, visit,
};

pub(super) const RULE: Rule = Rule {
    name: "shadowing",
    code: codes::SHADOWING,
    check,
};

fn check(cx: &Context<'_>, file: &ProjectFile, out: &mut Vec<Diagnostic>) {
    let configs: BTreeSet<&str> = cx
        .project_items()
        .filter_map(|item| match item {
            Item::Config(config) => Some(config.name.name.as_str()),
            _ => None,
        })
        .collect();
    for item in &file.parsed.module.items {
        let Item::Flow(flow) = item else { continue };
        let mut walker = Walker {
            scopes: vec![configs.iter().map(|c| ((*c).to_owned(), None)).collect()],
            out,
        };
        let mut bound = Vec::new();
        for trigger in &flow.triggers {
            if let TriggerKind::Event {
                binding: Some(b), ..
            }
            | TriggerKind::Webhook {
                binding: Some(b), ..
            } = &trigger.kind
            {
                bound.push((b.name.clone(), Some(b.span)));
            }
            if let TriggerKind::Called { params, .. } = &trigger.kind {
                bound.extend(
                    params
                        .iter()
                        .map(|p| (p.name.name.clone(), Some(p.name.span))),
                );
            }
        }
        walker.scopes.push(bound);
        if let Some(condition) = &flow.condition {
            walker.lambdas(condition);
        }
        walker.block(&flow.body);
    }
}

/// Names in scope, innermost last, with where they were bound (`None` for configs).
struct Walker<'o> {
    scopes: Vec<Vec<(String, Option<Span>)>>,
    out: &'o mut Vec<Diagnostic>,
}

impl Walker<'_> {
    fn bind(&mut self, name: &Ident) {
        let earlier = self
            .scopes
            .iter()
            .rev()
            .flatten()
            .find(|(n, _)| *n == name.name)
            .map(|(_, span)| *span);
        if let Some(earlier) = earlier {
            let mut diagnostic = Diagnostic::warning(
                codes::SHADOWING,
                format!("`{}` hides a name already in use", name.name),
                name.span,
                "bound again here",
            )
            .with_help("give it another name");
            diagnostic = match earlier {
                Some(span) => diagnostic.with_label(span, "first bound here"),
                None => diagnostic.with_note(format!("`{}` is a config of the project", name.name)),
            };
            self.out.push(diagnostic);
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.name.clone(), Some(name.span)));
        }
    }

    fn block(&mut self, block: &Block) {
        self.scopes.push(Vec::new());
        for stmt in &block.stmts {
            let mut exprs: Vec<&Expr> = Vec::new();
            match &stmt.kind {
                StmtKind::Let { name, value, .. } => {
                    if let LetValue::Expr(invocation) = value {
                        self.lambdas(&invocation.expr);
                    }
                    self.bind(name);
                    continue;
                }
                StmtKind::For {
                    var, iter, body, ..
                } => {
                    self.lambdas(iter);
                    self.scopes.push(Vec::new());
                    self.bind(var);
                    self.block(body);
                    self.scopes.pop();
                    continue;
                }
                StmtKind::If {
                    branches,
                    otherwise,
                } => {
                    for branch in branches {
                        self.lambdas(&branch.condition);
                        self.block(&branch.body);
                    }
                    if let Some(otherwise) = otherwise {
                        self.block(otherwise);
                    }
                    continue;
                }
                StmtKind::Parallel { body } => {
                    self.block(body);
                    continue;
                }
                StmtKind::Expr(invocation) => exprs.push(&invocation.expr),
                StmtKind::Return { value } => exprs.push(value),
                _ => {}
            }
            exprs.into_iter().for_each(|e| self.lambdas(e));
        }
        self.scopes.pop();
    }

    /// Lambda parameters inside an expression.
    fn lambdas(&mut self, expr: &Expr) {
        let mut params: Vec<&Ident> = Vec::new();
        visit::expr(expr, &mut |e| {
            if let ExprKind::Lambda { params: p, .. } = &e.kind {
                params.extend(p);
            }
        });
        for param in params {
            self.scopes.push(Vec::new());
            self.bind(param);
            self.scopes.pop();
        }
    }
}
