//! Lowering expressions: names to locals and configs, calls to built-ins,
//! functions and steps, arguments in parameter order with their defaults.

use super::*;
use crate::library;
use crate::plan::ir::TextPart;
use crate::syntax::ast::StringPart;
use crate::types::Type;

impl Lowerer<'_, '_, '_> {
    /// A string literal as an expression: a constant, or a text with
    /// interpolations.
    pub(super) fn string(&mut self, literal: &crate::syntax::ast::StringLit) -> PExpr {
        let parts: Vec<TextPart> = literal
            .parts
            .iter()
            .map(|p| match p {
                StringPart::Text(t) => TextPart::Literal(t.clone()),
                StringPart::Interpolation(e) => TextPart::Value(self.expr(e)),
            })
            .collect();
        match parts.as_slice() {
            [] => PExpr::constant(Value::String(String::new())),
            [TextPart::Literal(t)] => PExpr::constant(Value::String(t.clone())),
            _ => PExpr::Text { parts },
        }
    }

    /// An expression; actions and calls inside it become pending steps.
    pub(super) fn expr(&mut self, expr: &Expr) -> PExpr {
        match &expr.kind {
            ExprKind::Int { value } => PExpr::constant(Value::Int(*value)),
            ExprKind::Float { value } => PExpr::constant(Value::Float(*value)),
            ExprKind::Bool { value } => PExpr::constant(Value::Bool(*value)),
            ExprKind::Null | ExprKind::Wildcard => PExpr::constant(Value::Null),
            ExprKind::Duration(d) => PExpr::constant(Value::Duration(d.millis())),
            ExprKind::String(literal) => self.string(literal),
            ExprKind::Name { name } => self.name(name),
            ExprKind::Field { base, name, safe } => PExpr::Field {
                base: Box::new(self.expr(base)),
                name: name.name.clone(),
                safe: *safe,
            },
            ExprKind::Index { base, index } => PExpr::Index {
                base: Box::new(self.expr(base)),
                index: Box::new(self.expr(index)),
            },
            ExprKind::Call { callee, args } => self.call(callee, args, expr.span),
            ExprKind::FlowCall { flow, args } => {
                let args = self.flow_args(&flow.name, args);
                let result = self.fresh(&format!("call {}", flow.name));
                let kind = StepKind::Call {
                    flow: flow.name.clone(),
                    args,
                    result: Some(result),
                    on_error: None,
                };
                let step = self.push(kind, Some(expr.span));
                self.pending.push(step);
                PExpr::Local { id: result }
            }
            ExprKind::Lambda { params, body } => {
                self.scopes.push(BTreeMap::new());
                let mut bound = params.iter().map(|p| self.bind(&p.name));
                let first = bound.next();
                let second = bound.next();
                drop(bound);
                let first = first.unwrap_or_else(|| self.fresh("_"));
                let body = Box::new(self.expr(body));
                self.scopes.pop();
                match second {
                    Some(param) => PExpr::Lambda2 {
                        acc: first,
                        param,
                        body,
                    },
                    None => PExpr::Lambda { param: first, body },
                }
            }
            ExprKind::Unary { op, operand } => PExpr::Unary {
                op: crate::plan::ops::UnaryOp::of(*op),
                operand: Box::new(self.expr(operand)),
            },
            ExprKind::Binary { op, lhs, rhs } => PExpr::Binary {
                op: crate::plan::ops::BinaryOp::of(*op),
                lhs: Box::new(self.expr(lhs)),
                rhs: Box::new(self.expr(rhs)),
            },
            ExprKind::Paren { inner } => self.expr(inner),
            ExprKind::List { items } => PExpr::List {
                items: items.iter().map(|i| self.expr(i)).collect(),
            },
            ExprKind::Record(record) => PExpr::Record {
                fields: record
                    .entries
                    .iter()
                    .map(|e| {
                        let value = match &e.value {
                            Some(v) => self.expr(v),
                            None => self.name(&e.key.name),
                        };
                        (e.key.name.clone(), value)
                    })
                    .collect(),
            },
        }
    }

    /// A name: a local, an inlined config, or a config the runtime resolves.
    pub(super) fn name(&self, name: &str) -> PExpr {
        if let Some(id) = self.lookup(name) {
            return PExpr::Local { id };
        }
        match self.context.constants.get(name) {
            Some(value) => PExpr::constant(value.clone()),
            None => PExpr::Config {
                name: name.to_owned(),
            },
        }
    }

    pub(super) fn call(&mut self, callee: &Expr, args: &[Arg], span: crate::source::Span) -> PExpr {
        if let Some((target, named)) = self.action(callee, args) {
            let (connector, action) = target.split_once('.').unwrap_or_default();
            let result = self.fresh(&target);
            let kind = StepKind::Action {
                connector: connector.to_owned(),
                action: action.to_owned(),
                effect: self
                    .context
                    .effect(connector, action)
                    .unwrap_or(Effect::Write),
                args: named,
                result: Some(result),
                retry: None,
                on_error: None,
            };
            let step = self.push(kind, Some(span));
            self.pending.push(step);
            return PExpr::Local { id: result };
        }
        match &callee.kind {
            ExprKind::Field { base, name, safe } => {
                if let ExprKind::Name { name: module } = &base.kind
                    && self.lookup(module).is_none()
                    && library::is_module(module)
                {
                    let params = library::module_functions(module)
                        .find(|b| b.name == name.name)
                        .map(param_names)
                        .unwrap_or_default();
                    let mut lowered = self.ordered_args(&params, args);
                    let name = format!("{module}.{}", name.name);
                    if name == "csv.encode" {
                        lowered.push(self.csv_columns(args));
                    }
                    return PExpr::Builtin {
                        name,
                        receiver: None,
                        safe: false,
                        args: lowered,
                    };
                }
                let params = method_params(&name.name);
                PExpr::Builtin {
                    name: name.name.clone(),
                    receiver: Some(Box::new(self.expr(base))),
                    safe: *safe,
                    args: self.ordered_args(&params, args),
                }
            }
            ExprKind::Name { name } => {
                if let Some(function) = self.context.functions.get(name.as_str()).copied() {
                    let params: Vec<String> = function
                        .params
                        .iter()
                        .map(|p| p.name.name.clone())
                        .collect();
                    let slots = self.ordered_slots(&params, args);
                    let args = slots
                        .into_iter()
                        .zip(&function.params)
                        .map(|(given, param)| match (given, &param.default) {
                            (Some(value), _) => value,
                            (None, Some(default)) => self.default_value(default),
                            (None, None) => PExpr::constant(Value::Null),
                        })
                        .collect();
                    return PExpr::Function {
                        name: name.clone(),
                        args,
                    };
                }
                let params = library::function(name).map(param_names).unwrap_or_default();
                PExpr::Builtin {
                    name: name.clone(),
                    receiver: None,
                    safe: false,
                    args: self.ordered_args(&params, args),
                }
            }
            _ => PExpr::constant(Value::Null),
        }
    }

    /// Arguments in parameter order: positional ones first, named ones in
    /// their place, absent ones null.
    /// The columns `csv.encode` writes first, in the order the rows' record
    /// type declares its fields (`{ login: …, name: … }` gives `login,name`),
    /// from the type the checker found for the rows; null when it is not a
    /// list of records, and the header is then in alphabetical order.
    pub(super) fn csv_columns(&self, args: &[Arg]) -> PExpr {
        let row = args
            .first()
            .and_then(|rows| self.context.table.type_of(rows.value.span))
            .and_then(|rows| match rows.non_null() {
                Type::List(row) => Some(row.as_ref().clone()),
                _ => None,
            });
        let columns = row.and_then(|row| crate::types::fields_of(self.context.symbols, &row));
        PExpr::constant(columns.map_or(Value::Null, |fields| {
            Value::List(
                fields
                    .into_iter()
                    .map(|(name, _)| Value::String(name))
                    .collect(),
            )
        }))
    }

    pub(super) fn ordered_args(&mut self, params: &[String], args: &[Arg]) -> Vec<PExpr> {
        self.ordered_slots(params, args)
            .into_iter()
            .map(|a| a.unwrap_or_else(|| PExpr::constant(Value::Null)))
            .collect()
    }

    /// Arguments in parameter order, absent ones none.
    pub(super) fn ordered_slots(&mut self, params: &[String], args: &[Arg]) -> Vec<Option<PExpr>> {
        let mut ordered: Vec<Option<PExpr>> = params.iter().map(|_| None).collect();
        let mut position = 0;
        for arg in args {
            let value = self.expr(&arg.value);
            let index = match &arg.name {
                Some(name) => params.iter().position(|p| *p == name.name),
                None => {
                    position += 1;
                    Some(position - 1)
                }
            };
            if let Some(slot) = index.and_then(|i| ordered.get_mut(i)) {
                *slot = Some(value);
            }
        }
        ordered
    }

    /// A parameter's default, for a call that leaves the parameter out: a
    /// constant when it is one, else lowered where only the project's
    /// globals are in scope (as where the parameter is declared, not the
    /// caller's locals).
    pub(super) fn default_value(&mut self, default: &Expr) -> PExpr {
        if let Some(value) = self.context.constant(default) {
            return PExpr::constant(value);
        }
        let scopes = std::mem::take(&mut self.scopes);
        let value = self.expr(default);
        self.scopes = scopes;
        value
    }

    /// The named arguments of `call flow(…)`, with the defaults of the
    /// parameters the call leaves out.
    pub(super) fn flow_args(&mut self, flow: &str, args: &[Arg]) -> Vec<(String, PExpr)> {
        let mut named = self.named_args(args);
        let params = self
            .context
            .symbols
            .flows
            .get(flow)
            .into_iter()
            .flat_map(|f| &f.triggers)
            .find_map(|t| match &t.kind {
                TriggerKind::Called { params, .. } => Some(params),
                _ => None,
            });
        for param in params.into_iter().flatten() {
            let given = named.iter().any(|(name, _)| *name == param.name.name);
            if let (false, Some(default)) = (given, &param.default) {
                let value = self.default_value(default);
                named.push((param.name.name.clone(), value));
            }
        }
        named
    }
}

/// The parameter names of the built-in methods called `name`: every
/// receiver's method of one name takes its parameters in the same order.
pub(super) fn method_params(name: &str) -> Vec<String> {
    library::method(name).map(param_names).unwrap_or_default()
}

pub(super) fn param_names(builtin: &library::Builtin) -> Vec<String> {
    builtin.params.iter().map(|p| p.name.to_owned()).collect()
}
