//! Expressions: each is checked and typed in one walk, bottom-up.

use super::Type;
use super::check::Checker;
use super::error::TypeError;
use super::{narrow, operators};
use crate::diagnostics::suggest::did_you_mean;
use crate::library;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, RecordLit, StringPart};

impl<'p> Checker<'_, 'p> {
    /// Checks an expression and everything inside it; its type, narrowed by
    /// what the conditions leading here ruled out.
    pub(super) fn expr(&mut self, expr: &'p Expr) -> Type {
        let ty = self.expr_unnarrowed(expr);
        let ty = match narrow::path_of(expr) {
            Some(path) if self.narrowed(&path) => ty.non_null().clone(),
            _ => ty,
        };
        if matches!(
            expr.kind,
            ExprKind::Name { .. } | ExprKind::Field { .. } | ExprKind::Call { .. }
        ) {
            self.table.expr(expr.span, &ty);
        }
        ty
    }

    fn expr_unnarrowed(&mut self, expr: &'p Expr) -> Type {
        match &expr.kind {
            ExprKind::Int { .. } => Type::Int,
            ExprKind::Float { .. } => Type::Float,
            ExprKind::Bool { .. } => Type::Bool,
            ExprKind::Null => Type::Null,
            ExprKind::Duration(_) => Type::Duration,
            ExprKind::Wildcard => Type::Unknown,
            ExprKind::String(literal) => {
                for part in &literal.parts {
                    if let StringPart::Interpolation(inner) = part {
                        let ty = self.expr(inner);
                        self.not_secret(&ty, inner.span);
                    }
                }
                Type::String
            }
            ExprKind::Name { name } => self.name(name, expr.span),
            ExprKind::Field { base, name, safe } => self.field(base, name, *safe),
            ExprKind::Index { base, index } => self.index(base, index),
            ExprKind::Call { callee, args } => self.call(callee, args, expr.span),
            ExprKind::FlowCall { flow, args } => self.flow_call(flow, args, expr.span),
            ExprKind::Lambda { params, body } => {
                // A lambda outside a built-in's argument list: its
                // parameters' types cannot be known.
                let scope = params
                    .iter()
                    .map(|p| {
                        let kind = super::table::BindingKind::Lambda;
                        self.table
                            .declare(p, &Type::Unknown, body.span, kind, false);
                        (p.name.clone(), Type::Unknown)
                    })
                    .collect();
                self.scopes.push(scope);
                self.purely("a lambda", |this| this.expr(body));
                self.scopes.pop();
                Type::Unknown
            }
            ExprKind::Unary { op, operand } => {
                let ty = self.expr(operand);
                operators::unary(*op, &ty).unwrap_or_else(|| {
                    self.errors.push(TypeError::OperatorTypes {
                        operator: op.symbol(),
                        lhs: None,
                        rhs: ty.to_string(),
                        span: expr.span,
                        maybe_null: ty.may_be_null(),
                    });
                    Type::Unknown
                })
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, expr.span),
            ExprKind::Paren { inner } => self.expr(inner),
            ExprKind::List { items } => self.list(items),
            ExprKind::Record(record) => self.record(record),
        }
    }

    /// A name: a local, a config. Connectors and built-in modules are not
    /// values; they stand before `.` in calls, which `call` handles.
    fn name(&mut self, name: &str, span: Span) -> Type {
        if let Some(ty) = self.lookup(name).or_else(|| self.configs.get(name)) {
            return ty.clone();
        }
        self.unknown_name("name", name, span);
        Type::Unknown
    }

    /// Reports an unknown name, unless it may be a definition the parser had
    /// to drop.
    pub(super) fn unknown_name(&mut self, kind: &'static str, name: &str, span: Span) {
        if self.broken_files.contains(&span.file) || self.env.symbols.maybe_defined.contains(&name)
        {
            return;
        }
        let in_scope: Vec<&str> = match kind {
            "function" => self
                .functions
                .keys()
                .copied()
                .chain(library::members(library::Receiver::Function).map(|b| b.name))
                .collect(),
            _ => self
                .scopes
                .iter()
                .flat_map(|scope| scope.keys().map(String::as_str))
                .chain(self.configs.keys().copied())
                .collect(),
        };
        let suggestion = did_you_mean(name, in_scope).map(str::to_owned);
        self.errors.push(TypeError::UnknownName {
            kind,
            name: name.to_owned(),
            span,
            suggestion,
        });
    }

    /// `base.name` or `base?.name`.
    fn field(&mut self, base: &'p Expr, name: &Ident, safe: bool) -> Type {
        if self.namespace(base).is_some() {
            // `okta.user_created` outside a call: names are the resolver's.
            return Type::Unknown;
        }
        let base_type = self.expr(base);
        if !safe {
            let dot = Span {
                start: base.span.end,
                end: name.span.start,
                ..base.span
            };
            self.null_read(base, &base_type, Some(dot));
        }
        let Some(fields) = self.env.fields(&base_type) else {
            // A text, a number, a list… has no fields: `s.profile` on a
            // `String` would read null at run time.
            if has_no_fields(base_type.non_null()) {
                self.errors.push(TypeError::UnknownField {
                    declared: None,
                    ty: base_type.non_null().to_string(),
                    name: name.name.clone(),
                    span: name.span,
                    suggestion: None,
                });
            }
            return Type::Unknown;
        };
        let Some((_, field)) = fields.iter().find(|(f, _)| *f == name.name) else {
            self.errors.push(TypeError::UnknownField {
                declared: self.env.declaration(&base_type),
                ty: base_type.non_null().to_string(),
                name: name.name.clone(),
                span: name.span,
                suggestion: did_you_mean(&name.name, fields.iter().map(|(f, _)| f.as_str()))
                    .map(str::to_owned),
            });
            return Type::Unknown;
        };
        // `?.` through a null gives null. A plain `.` through a value that
        // may be null was reported above; its result is typed as if that
        // were fixed, so the mistake gives one diagnostic.
        if safe && base_type.may_be_null() {
            Type::Optional(Box::new(field.non_null().clone()))
        } else {
            field.clone()
        }
    }

    /// The name of a connector or of a built-in module that `expr` is, when
    /// no local name or config hides it.
    pub(super) fn namespace<'e>(&self, expr: &'e Expr) -> Option<&'e str> {
        let ExprKind::Name { name } = &expr.kind else {
            return None;
        };
        let known =
            self.env.symbols.connectors.contains_key(name.as_str()) || library::is_module(name);
        let hidden = self.lookup(name).is_some() || self.configs.contains_key(name.as_str());
        (known && !hidden).then_some(name.as_str())
    }

    /// `base[index]`: a list's element by position, a map's value by key
    /// (null when the key is absent).
    fn index(&mut self, base: &'p Expr, index: &'p Expr) -> Type {
        let base_type = self.expr(base);
        self.null_read(base, &base_type, None);
        let index_type = self.expr(index);
        let (expected, element) = match base_type.non_null() {
            Type::List(element) => (Type::Int, (**element).clone()),
            Type::Map(key, value) => ((**key).clone(), Type::Optional(value.clone())),
            Type::Unknown | Type::Json => return Type::Unknown,
            other => {
                self.errors.push(TypeError::OperatorTypes {
                    operator: "[]",
                    lhs: None,
                    rhs: other.to_string(),
                    span: base.span,
                    maybe_null: false,
                });
                return Type::Unknown;
            }
        };
        if !index_type.fits(&expected) {
            self.mismatch(
                "this index needs",
                &expected.to_string(),
                &index_type,
                index.span,
            );
        }
        element
    }

    fn binary(&mut self, op: BinaryOp, lhs: &'p Expr, rhs: &'p Expr, span: Span) -> Type {
        let left = self.expr(lhs);
        // The right of `and` runs only when the left held; of `or`, when it failed.
        // An action there would run only sometimes: it must be a statement of its own.
        const SOMETIMES: &str = "the right side of `and`, `or` or `??`";
        let right = match op {
            BinaryOp::And => self.with_facts(narrow::facts(lhs, true), |this| {
                this.purely(SOMETIMES, |this| this.expr(rhs))
            }),
            BinaryOp::Or => self.with_facts(narrow::facts(lhs, false), |this| {
                this.purely(SOMETIMES, |this| this.expr(rhs))
            }),
            BinaryOp::Coalesce => self.purely(SOMETIMES, |this| this.expr(rhs)),
            _ => self.expr(rhs),
        };
        if op == BinaryOp::Add
            && (self.not_secret(&left, lhs.span) | self.not_secret(&right, rhs.span))
        {
            return Type::Unknown;
        }
        // Comparisons with a null are false, so `and` and `or` take `Bool?`.
        let (left, right) = match op {
            BinaryOp::And | BinaryOp::Or => (left.non_null().clone(), right.non_null().clone()),
            _ => (left, right),
        };
        operators::binary(op, &left, &right).unwrap_or_else(|| {
            let arithmetic = matches!(
                op,
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem
            );
            let maybe_null = arithmetic && (left.may_be_null() || right.may_be_null())
                || matches!(op, BinaryOp::In | BinaryOp::NotIn) && right.may_be_null();
            self.errors.push(TypeError::OperatorTypes {
                operator: op.symbol(),
                lhs: Some(left.to_string()),
                rhs: right.to_string(),
                span,
                maybe_null,
            });
            Type::Unknown
        })
    }

    /// A list literal: its elements share a type.
    fn list(&mut self, items: &'p [Expr]) -> Type {
        let mut element = Type::Unknown;
        for item in items {
            let ty = self.expr(item);
            match common(&element, &ty) {
                Some(common) => element = common,
                None => self.mismatch(
                    "the list's elements are",
                    &element.to_string(),
                    &ty,
                    item.span,
                ),
            }
        }
        Type::List(Box::new(element))
    }

    /// A record literal: its fields' types, a shorthand `{ login }` read as
    /// the name `login`.
    fn record(&mut self, record: &'p RecordLit) -> Type {
        let fields = record
            .entries
            .iter()
            .map(|entry| {
                let ty = match &entry.value {
                    Some(value) => self.expr(value),
                    None => self.name(&entry.key.name, entry.key.span),
                };
                (entry.key.name.clone(), ty)
            })
            .collect();
        Type::Record(fields)
    }

    /// Reports a `Secret` where text is made (an interpolation, a
    /// concatenation, an encoding); whether it was one.
    pub(super) fn not_secret(&mut self, ty: &Type, span: Span) -> bool {
        let secret = ty.holds_secret();
        if secret {
            self.errors.push(TypeError::SecretInText { span });
        }
        secret
    }
}

/// The type two values share, for the elements of a list: `null` and `T`
/// share `T?`, and a value that fits the other's type shares that type.
fn common(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Unknown, other) | (other, Type::Unknown) => Some(other.clone()),
        (Type::Null, Type::Null) => Some(Type::Null),
        (Type::Null, other) | (other, Type::Null) => {
            Some(Type::Optional(Box::new(other.non_null().clone())))
        }
        _ if b.fits(a) => Some(a.clone()),
        _ if a.fits(b) => Some(b.clone()),
        _ => None,
    }
}

/// Whether values of `ty` have no fields at all: scalars and lists. (A map
/// is open: `debugData.threatSuspected` reads its key.)
fn has_no_fields(ty: &Type) -> bool {
    matches!(
        ty,
        Type::String
            | Type::Int
            | Type::Float
            | Type::Bool
            | Type::Time
            | Type::Duration
            | Type::Secret
            | Type::List(_)
    )
}
