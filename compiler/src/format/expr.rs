//! Expressions: each is printed on one line when it fits, otherwise broken at
//! its outermost list (arguments, record, list) or `and`/`or` chain.

use super::printer::{Printer, width};
use crate::syntax::ast::{Arg, BinaryOp, Expr, ExprKind, Ident, RecordLit, StringLit, StringPart};

impl Printer<'_> {
    /// Writes an expression at the current position.
    pub(super) fn expr(&mut self, expr: &Expr) {
        let flat = flat(expr);
        if self.fits(width(&flat)) && !self.has_comment_within(expr.span.start, expr.span.end) {
            self.write(&flat);
            return;
        }
        if let Some((root, links)) = method_chain(expr) {
            self.method_chain(root, &links, expr.span.end);
            return;
        }
        match &expr.kind {
            ExprKind::Call { callee, args } if !args.is_empty() => {
                self.expr(callee);
                self.args(args, expr.span.end);
            }
            ExprKind::FlowCall { flow, args } if !args.is_empty() => {
                self.write(&format!("call {}", flow.name));
                self.args(args, expr.span.end);
            }
            ExprKind::Record(record) if !record.entries.is_empty() => self.record(record),
            ExprKind::List { items } if !items.is_empty() => {
                self.block("[", items, expr.span.end, "]", |p, item| {
                    p.start_element(item.span.start);
                    p.expr(item);
                    p.write(",");
                    p.end_element(item.span.end);
                });
            }
            // Only logical chains break: a line break inside `a == b` reads badly.
            ExprKind::Binary { op, lhs, rhs }
                if matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Coalesce) =>
            {
                self.binary_chain(*op, lhs, rhs);
            }
            ExprKind::Lambda { params, body } => {
                self.write(&lambda_head(params));
                self.expr(body);
            }
            ExprKind::Paren { inner } => {
                self.write("(");
                self.expr(inner);
                self.write(")");
            }
            _ => self.write(&flat),
        }
    }

    /// `root.a(…).b(…)` with each call on its own line below the root.
    fn method_chain(&mut self, root: &Expr, links: &[MethodLink<'_>], end: u32) {
        self.expr(root);
        self.indented(|p| {
            for link in links {
                p.comments_before(link.name.span.start);
                p.newline();
                p.write(if link.safe { "?." } else { "." });
                p.write(&link.name.name);
                let flat_args = flat_args(link.args);
                if p.fits(width(&flat_args)) && !p.has_comment_within(link.name.span.end, link.end)
                {
                    p.write(&flat_args);
                } else {
                    p.args(link.args, link.end);
                }
            }
            p.comments_before(end);
        });
    }

    /// `(a: 1, b: 2)`, broken one argument per line — except a lone lambda,
    /// record or list, which hugs the parentheses: `.map(u => {` … `})`.
    pub(super) fn args(&mut self, args: &[Arg], end: u32) {
        // Comments do not change this choice: the record or list places them
        // itself, and a choice that depended on them could change once the
        // formatter has moved a comment, breaking idempotence.
        if let [arg] = args
            && matches!(
                arg.value.kind,
                ExprKind::Lambda { .. } | ExprKind::Record(_) | ExprKind::List { .. }
            )
        {
            self.write("(");
            if let Some(name) = &arg.name {
                self.write(&format!("{}: ", name.name));
            }
            self.expr(&arg.value);
            self.write(")");
            return;
        }
        self.block("(", args, end, ")", |p, arg| {
            p.start_element(arg.span.start);
            if let Some(name) = &arg.name {
                p.write(&format!("{}: ", name.name));
            }
            p.expr(&arg.value);
            p.write(",");
            p.end_element(arg.span.end);
        });
    }

    /// A record literal, flat when it fits, else one entry per line.
    pub(super) fn record(&mut self, record: &RecordLit) {
        let flat_text = flat_record(record);
        let has_comment = self.has_comment_within(record.span.start, record.span.end);
        if (self.fits(width(&flat_text)) && !has_comment)
            || record.entries.is_empty() && !record.rest
        {
            self.write(&flat_text);
            return;
        }
        self.write("{");
        self.indented(|p| {
            for entry in &record.entries {
                p.start_element(entry.span.start);
                p.write(&record_key(&entry.key.name, entry.key.quoted));
                if let Some(value) = &entry.value {
                    p.write(": ");
                    p.expr(value);
                }
                p.write(",");
                p.end_element(entry.span.end);
            }
            if record.rest {
                p.newline();
                p.write("..");
            }
            p.comments_before(record.span.end);
        });
        self.newline();
        self.write("}");
    }

    /// `a and b and c` broken before each operator of the chain.
    fn binary_chain(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) {
        let mut operands = vec![rhs];
        let mut first = lhs;
        // Collect the left-leaning chain of operators of the same precedence.
        let mut ops = vec![op];
        while let ExprKind::Binary {
            op: inner,
            lhs,
            rhs,
        } = &first.kind
        {
            if inner.precedence() != op.precedence() {
                break;
            }
            operands.push(rhs);
            ops.push(*inner);
            first = lhs;
        }
        self.expr(first);
        self.indented(|p| {
            for (op, operand) in ops.iter().rev().zip(operands.iter().rev()) {
                p.comments_before(operand.span.start);
                p.newline();
                p.write(op.symbol());
                p.write(" ");
                p.expr(operand);
            }
        });
    }
}

/// One `.name(args)` of a method chain.
struct MethodLink<'a> {
    name: &'a Ident,
    safe: bool,
    args: &'a [Arg],
    /// Where the call ends in the source.
    end: u32,
}

/// An expression that is two or more method calls in a row, as its root and
/// its calls from the root outwards; `None` for anything else.
fn method_chain(expr: &Expr) -> Option<(&Expr, Vec<MethodLink<'_>>)> {
    let mut links = Vec::new();
    let mut current = expr;
    while let ExprKind::Call { callee, args } = &current.kind {
        let ExprKind::Field { base, name, safe } = &callee.kind else {
            break;
        };
        links.push(MethodLink {
            name,
            safe: *safe,
            args,
            end: current.span.end,
        });
        current = base;
    }
    links.reverse();
    (links.len() >= 2).then_some((current, links))
}

/// An expression on one line.
pub(super) fn flat(expr: &Expr) -> String {
    let mut out = String::new();
    write_flat(expr, &mut out);
    out
}

fn write_flat(expr: &Expr, out: &mut String) {
    match &expr.kind {
        ExprKind::Int { value } => out.push_str(&value.to_string()),
        ExprKind::Float { value } => out.push_str(&float(*value)),
        ExprKind::Bool { value } => out.push_str(if *value { "true" } else { "false" }),
        ExprKind::Null => out.push_str("null"),
        ExprKind::Duration(d) => out.push_str(&d.to_string()),
        ExprKind::String(s) => out.push_str(&string(s)),
        ExprKind::Name { name } => out.push_str(name),
        ExprKind::Wildcard => out.push('_'),
        ExprKind::Field { base, name, safe } => {
            write_flat(base, out);
            out.push_str(if *safe { "?." } else { "." });
            out.push_str(&name.name);
        }
        ExprKind::Index { base, index } => {
            write_flat(base, out);
            out.push('[');
            write_flat(index, out);
            out.push(']');
        }
        ExprKind::Call { callee, args } => {
            write_flat(callee, out);
            out.push_str(&flat_args(args));
        }
        ExprKind::FlowCall { flow, args } => {
            out.push_str("call ");
            out.push_str(&flow.name);
            out.push_str(&flat_args(args));
        }
        ExprKind::Unary { op, operand } => {
            out.push_str(op.symbol());
            write_flat(operand, out);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            write_flat(lhs, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_flat(rhs, out);
        }
        ExprKind::Paren { inner } => {
            out.push('(');
            write_flat(inner, out);
            out.push(')');
        }
        ExprKind::Record(record) => out.push_str(&flat_record(record)),
        ExprKind::List { items } => {
            out.push('[');
            out.push_str(&items.iter().map(flat).collect::<Vec<_>>().join(", "));
            out.push(']');
        }
        ExprKind::Lambda { params, body } => {
            out.push_str(&lambda_head(params));
            write_flat(body, out);
        }
    }
}

/// `(a: 1, b)`.
pub(super) fn flat_args(args: &[Arg]) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|arg| match &arg.name {
            Some(name) => format!("{}: {}", name.name, flat(&arg.value)),
            None => flat(&arg.value),
        })
        .collect();
    format!("({})", args.join(", "))
}

/// `{ a: 1, b }`, `{}`, `{ a: 1, .. }`.
pub(super) fn flat_record(record: &RecordLit) -> String {
    let mut entries: Vec<String> = record
        .entries
        .iter()
        .map(|entry| {
            let key = record_key(&entry.key.name, entry.key.quoted);
            match &entry.value {
                Some(value) => format!("{key}: {}", flat(value)),
                None => key,
            }
        })
        .collect();
    if record.rest {
        entries.push("..".to_owned());
    }
    if entries.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{ {} }}", entries.join(", "))
    }
}

/// A record key or field name, quoted when it was written quoted.
pub(super) fn record_key(name: &str, quoted: bool) -> String {
    if quoted { quote(name) } else { name.to_owned() }
}

fn lambda_head(params: &[Ident]) -> String {
    match params {
        [one] => format!("{} => ", one.name),
        _ => {
            let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            format!("({}) => ", names.join(", "))
        }
    }
}

/// A float that reads back as the same value: Rust's shortest round-trip
/// form, with `.0` added to whole numbers.
fn float(value: f64) -> String {
    let text = value.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

/// A string literal with its interpolations.
pub(super) fn string(literal: &StringLit) -> String {
    let mut out = String::from("\"");
    for part in &literal.parts {
        match part {
            StringPart::Text(text) => escape_into(text, &mut out),
            StringPart::Interpolation(expr) => {
                out.push('{');
                write_flat(expr, &mut out);
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

/// Plain text as a string literal.
pub(super) fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    escape_into(text, &mut out);
    out.push('"');
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '{' => out.push_str("\\{"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
}
