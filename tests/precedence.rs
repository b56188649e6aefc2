//! Operator precedence and associativity, shown by printing each parsed
//! expression with every operation in parentheses.

use idflow_compiler::source::FileId;
use idflow_compiler::syntax::{
    self,
    ast::{Expr, ExprKind, Item},
};

/// The expression with each operation parenthesized.
fn grouped(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", grouped(lhs), op.symbol(), grouped(rhs))
        }
        ExprKind::Unary { op, operand } => format!("({}{})", op.symbol(), grouped(operand)),
        ExprKind::Field { base, name, safe } => {
            format!(
                "{}{}{}",
                grouped(base),
                if *safe { "?." } else { "." },
                name.name
            )
        }
        ExprKind::Index { base, index } => format!("{}[{}]", grouped(base), grouped(index)),
        ExprKind::Call { callee, args } => {
            let args: Vec<String> = args.iter().map(|a| grouped(&a.value)).collect();
            format!("{}({})", grouped(callee), args.join(", "))
        }
        ExprKind::Paren { inner } => grouped(inner),
        ExprKind::Name { name } => name.clone(),
        ExprKind::Int { value } => value.to_string(),
        _ => "…".to_owned(),
    }
}

/// `source` parsed as a config default, grouped; `None` if it did not parse.
fn parse_expr(source: &str) -> Option<String> {
    let text = format!("config x: Json = {source}\n");
    let parsed = syntax::parse(FileId(0), &text);
    assert!(
        parsed.diagnostics.is_empty(),
        "{source}: {:?}",
        parsed.diagnostics
    );
    match parsed.module.items.first() {
        Some(Item::Config(config)) => config.default.as_ref().map(grouped),
        _ => None,
    }
}

#[test]
fn operators_bind_from_or_to_postfix() {
    let cases = [
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("not a == b", "(not (a == b))"),
        ("not a and b", "((not a) and b)"),
        ("a == b and c != d", "((a == b) and (c != d))"),
        ("a ?? b == c", "((a ?? b) == c)"),
        ("a ?? b + c", "(a ?? (b + c))"),
        ("a + b * c", "(a + (b * c))"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b % c", "((a / b) % c)"),
        ("a ?? b ?? c", "((a ?? b) ?? c)"),
        ("-a * b", "((-a) * b)"),
        ("-a.b", "(-a.b)"),
        ("a in b and c not in d", "((a in b) and (c not in d))"),
        ("a < b == c > d", "(((a < b) == c) > d)"),
        ("a?.b.c[0]", "a?.b.c[0]"),
        ("x.f(a + 1).g", "x.f((a + 1)).g"),
        ("(a or b) and c", "((a or b) and c)"),
    ];
    for (source, expected) in cases {
        assert_eq!(parse_expr(source).as_deref(), Some(expected), "{source}");
    }
}
