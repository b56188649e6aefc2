//! Calls: actions of connectors, called flows, the project's functions, and
//! the built-in library's functions and methods, whose lambdas are typed by
//! the list they are called on.

use super::Type;
use super::arguments::arguments;
use super::check::Checker;
use super::error::TypeError;
use super::table::BindingKind;
use crate::diagnostics::suggest::did_you_mean;
use crate::library::{self, Builtin, Receiver, Shape};
use crate::source::Span;
use crate::syntax::ast::{ActionDecl, Arg, ConnectorMember, Expr, ExprKind, Ident, TriggerKind};

/// A parameter, as argument matching needs it.
struct Slot {
    name: String,
    /// Its type, for the message when it is missing.
    ty: String,
    required: bool,
    declared: Option<Span>,
}

/// The type variables of a built-in, bound by its receiver and its lambda.
struct Generics {
    /// `T`: the list's element type.
    element: Type,
    /// `K` and `V`: the map's key and value types.
    key: Type,
    value: Type,
    /// `U`: what the lambda returns.
    mapped: Type,
}

impl Generics {
    fn of(receiver: &Type) -> Self {
        let mut generics = Generics {
            element: Type::Unknown,
            key: Type::Unknown,
            value: Type::Unknown,
            mapped: Type::Unknown,
        };
        match receiver.non_null() {
            Type::List(element) => generics.element = (**element).clone(),
            Type::Map(key, value) => {
                generics.key = (**key).clone();
                generics.value = (**value).clone();
            }
            _ => {}
        }
        generics
    }

    /// The type a shape stands for; `None` for a lambda.
    fn instantiate(&self, shape: Shape) -> Option<Type> {
        let list = |t: &Type| Type::List(Box::new(t.clone()));
        Some(match shape {
            Shape::String | Shape::KeyMaterial => Type::String,
            Shape::Int => Type::Int,
            Shape::Bool => Type::Bool,
            Shape::Time => Type::Time,
            Shape::Json => Type::Json,
            Shape::OptionalTime => Type::Optional(Box::new(Type::Time)),
            Shape::TextList => list(&Type::String),
            Shape::Element => self.element.clone(),
            Shape::OptionalElement => Type::Optional(Box::new(self.element.non_null().clone())),
            Shape::ElementList => list(&self.element),
            Shape::MappedList => list(&self.mapped),
            Shape::Mapped => self.mapped.clone(),
            Shape::Chunks => list(&list(&self.element)),
            // The groups' keys are the keys as text, whatever `key`
            // gives: a map's keys are text at run time.
            Shape::Groups => Type::Map(Box::new(Type::String), Box::new(list(&self.element))),
            Shape::Keys => list(&self.key),
            Shape::Values => list(&self.value),
            Shape::Any => Type::Unknown,
            Shape::Records => list(&Type::Unknown),
            Shape::Predicate
            | Shape::Key
            | Shape::Mapper
            | Shape::Summand
            | Shape::Flattener
            | Shape::Reducer
            | Shape::Initial => return None,
        })
    }
}

impl<'p> Checker<'_, 'p> {
    /// A call: an action, a built-in module's function, a method, or a
    /// function by its name.
    pub(super) fn call(&mut self, callee: &'p Expr, args: &'p [Arg], span: Span) -> Type {
        match &callee.kind {
            ExprKind::Field { base, name, safe } => match self.namespace(base) {
                Some(namespace) if self.env.symbols.connectors.contains_key(namespace) => {
                    self.action_call(namespace, name, args, span)
                }
                Some(module) => self.module_call(module, name, args, span),
                None => self.method_call(base, name, *safe, args, span),
            },
            ExprKind::Name { name } if self.lookup(name).is_none() => {
                self.function_call(name, callee.span, args, span)
            }
            _ => {
                self.expr(callee);
                self.arg_types(args);
                Type::Unknown
            }
        }
    }

    /// Checks every argument's value; their types, in order.
    fn arg_types(&mut self, args: &'p [Arg]) -> Vec<Type> {
        args.iter().map(|arg| self.expr(&arg.value)).collect()
    }

    /// An action or a flow call: an error where only pure expressions may stand.
    fn effect(&mut self, what: &str, span: Span) {
        if let Some(context) = self.pure {
            self.errors.push(TypeError::EffectInPureCode {
                what: what.to_owned(),
                context,
                span,
            });
        }
    }

    fn action_call(
        &mut self,
        connector: &str,
        action: &Ident,
        args: &'p [Arg],
        span: Span,
    ) -> Type {
        self.effect(&format!("{connector}.{}", action.name), span);
        self.action_args(connector, action, args, span, false);
        self.action_decl(connector, &action.name)
            .and_then(|decl| decl.ret.as_ref())
            .map_or(Type::Unknown, |ret| self.in_module_of(connector).of(ret))
    }

    /// Checks the arguments of an action call, or of a test's `given` or
    /// `expect` line (`partial`) against the action's declaration.
    pub(super) fn action_args(
        &mut self,
        connector: &str,
        action: &Ident,
        args: &'p [Arg],
        call: Span,
        partial: bool,
    ) {
        let found = self.arg_types(args);
        let Some(decl) = self.action_decl(connector, &action.name) else {
            return;
        };
        let callee = format!("{connector}.{}", action.name);
        let env = self.in_module_of(connector);
        let errors = arguments(&callee, &decl.params, &env, args, call, &found, partial);
        self.errors.extend(errors);
    }

    /// The declaration of `connector.action`, if both exist.
    pub(super) fn action_decl(&self, connector: &str, action: &str) -> Option<&'p ActionDecl> {
        let declared = self.env.symbols.connectors.get(connector).copied()?;
        declared.members.iter().find_map(|m| match m {
            ConnectorMember::Action(a) if a.name.name == action => Some(&**a),
            _ => None,
        })
    }

    /// `call flow(args)`: an effect, with named arguments, typed by the
    /// flow's `when called(…) -> T`.
    pub(super) fn flow_call(&mut self, flow: &Ident, args: &'p [Arg], span: Span) -> Type {
        self.effect(&format!("call {}", flow.name), span);
        let found = self.arg_types(args);
        let Some(called) = self.flows.get(flow.name.as_str()).copied() else {
            return Type::Unknown;
        };
        let Some((params, ret)) = called.triggers.iter().find_map(|t| match &t.kind {
            TriggerKind::Called { params, ret } => Some((params, ret)),
            _ => None,
        }) else {
            return Type::Unknown;
        };
        let errors = arguments(&flow.name, params, &self.env, args, span, &found, false);
        self.errors.extend(errors);
        ret.as_ref().map_or(Type::Unknown, |ret| self.env.of(ret))
    }

    /// `name(args)`: one of the project's functions, or a built-in one.
    fn function_call(&mut self, name: &str, name_span: Span, args: &'p [Arg], span: Span) -> Type {
        if let Some(function) = self.functions.get(name).copied() {
            let slots: Vec<Slot> = function
                .params
                .iter()
                .map(|p| Slot {
                    name: p.name.name.clone(),
                    ty: self.env.of(&p.ty).to_string(),
                    required: !p.ty.optional && p.default.is_none(),
                    declared: Some(p.span),
                })
                .collect();
            let matched = self.match_args(name, &slots, args, span);
            for (param, arg) in function.params.iter().zip(matched) {
                let Some(arg) = arg else { continue };
                let expected = self.env.of(&param.ty);
                self.argument(name, &param.name.name, &expected, arg, Some(param.span));
            }
            return self.env.of(&function.ret);
        }
        if let Some(builtin) = library::function(name) {
            return self.builtin_call(builtin, &Type::Unknown, args, span);
        }
        let types = self.arg_types(args);
        let receiver = types.first().filter(|ty| {
            receivers(ty)
                .into_iter()
                .any(|r| library::members(r).any(|b| b.name == name))
        });
        match (receiver, args.first()) {
            (Some(ty), Some(first)) => self.errors.push(TypeError::FunctionIsAMethod {
                name: name.to_owned(),
                receiver: ty.to_string(),
                value: match &first.value.kind {
                    ExprKind::Name { name } => name.clone(),
                    _ => "value".to_owned(),
                },
                span: name_span,
            }),
            _ => self.unknown_name("function", name, name_span),
        }
        Type::Unknown
    }

    /// `csv.encode(…)`: a function of a built-in module.
    fn module_call(&mut self, module: &str, name: &Ident, args: &'p [Arg], span: Span) -> Type {
        let functions: Vec<&'static Builtin> = library::module_functions(module).collect();
        match functions.iter().find(|b| b.name == name.name) {
            Some(builtin) => self.builtin_call(builtin, &Type::Unknown, args, span),
            None => {
                self.arg_types(args);
                let known = functions.iter().map(|b| b.name).collect();
                self.unknown_member(module.to_owned(), "function", name, known);
                Type::Unknown
            }
        }
    }

    /// `value.method(…)` or `value?.method(…)`.
    fn method_call(
        &mut self,
        base: &'p Expr,
        name: &Ident,
        safe: bool,
        args: &'p [Arg],
        span: Span,
    ) -> Type {
        let receiver = self.expr(base);
        if !safe {
            let dot = Span {
                start: base.span.end,
                end: name.span.start,
                ..base.span
            };
            self.null_read(base, &receiver, Some(dot));
        }
        let kinds = receivers(receiver.non_null());
        let untyped = matches!(receiver.non_null(), Type::Unknown | Type::Json);
        let found = if untyped {
            // A value of unknown type: any built-in method of that name.
            library::BUILTINS
                .iter()
                .find(|b| b.name == name.name && b.receiver.is_method())
                .map(|b| (b, false))
        } else {
            kinds
                .iter()
                .flat_map(|kind| library::members(*kind))
                .find(|b| b.name == name.name)
                .map(|b| (b, true))
        };
        let Some((builtin, typed)) = found else {
            self.arg_types(args);
            // A receiver of unknown type comes from an earlier error.
            if *receiver.non_null() != Type::Unknown {
                let known = if *receiver.non_null() == Type::Json {
                    library::BUILTINS
                        .iter()
                        .filter(|b| b.receiver.is_method())
                        .map(|b| b.name)
                        .collect()
                } else {
                    kinds
                        .iter()
                        .flat_map(|kind| library::members(*kind))
                        .map(|b| b.name)
                        .collect()
                };
                self.unknown_member(receiver.non_null().to_string(), "method", name, known);
            }
            return Type::Unknown;
        };
        let receiver_type = if typed {
            receiver.clone()
        } else {
            Type::Unknown
        };
        let result = self.builtin_call(builtin, &receiver_type, args, span);
        if safe && receiver.may_be_null() {
            Type::Optional(Box::new(result.non_null().clone()))
        } else {
            result
        }
    }

    /// A method or module function that does not exist; `known` are the
    /// ones that do, for the suggestion and the note.
    fn unknown_member(
        &mut self,
        receiver: String,
        kind: &'static str,
        name: &Ident,
        mut known: Vec<&str>,
    ) {
        known.dedup();
        self.errors.push(TypeError::UnknownMethod {
            receiver,
            kind,
            name: name.name.clone(),
            span: name.span,
            suggestion: did_you_mean(&name.name, known.iter().copied()).map(str::to_owned),
            known: known.into_iter().map(str::to_owned).collect(),
        });
    }

    /// A built-in's arguments against its signature; its result.
    fn builtin_call(
        &mut self,
        builtin: &'static Builtin,
        receiver: &Type,
        args: &'p [Arg],
        span: Span,
    ) -> Type {
        let callee = builtin.qualified_name();
        let slots: Vec<Slot> = builtin
            .params
            .iter()
            .map(|p| Slot {
                name: p.name.to_owned(),
                ty: shape_name(p.shape).to_owned(),
                required: true,
                declared: None,
            })
            .collect();
        let matched = self.match_args(&callee, &slots, args, span);
        let mut generics = Generics::of(receiver);
        for (param, arg) in builtin.params.iter().zip(matched) {
            let Some(arg) = arg else { continue };
            if param.shape == Shape::Initial {
                let found = self.expr(&arg.value);
                if found.holds_secret() {
                    self.not_secret(&found, arg.value.span);
                }
                generics.mapped = found;
                continue;
            }
            match generics.instantiate(param.shape) {
                Some(expected) if param.shape == Shape::KeyMaterial => {
                    let found = self.expr(&arg.value);
                    if *found.non_null() != Type::Secret && !found.fits(&expected) {
                        self.argument_type(
                            &callee,
                            param.name,
                            "String or Secret",
                            &found,
                            arg,
                            None,
                        );
                    }
                }
                Some(expected) => {
                    let found = self.expr(&arg.value);
                    // A secret, or a record or list holding one, never
                    // reaches a built-in but `hmac.sha256`'s key: it would
                    // come out as text (`json.encode({ t: tok })`).
                    if found.holds_secret() {
                        self.not_secret(&found, arg.value.span);
                    } else if !found.fits(&expected) {
                        self.argument_type(
                            &callee,
                            param.name,
                            &expected.to_string(),
                            &found,
                            arg,
                            None,
                        );
                    }
                }
                None => {
                    let bound = match param.shape {
                        Shape::Reducer => vec![generics.mapped.clone(), generics.element.clone()],
                        _ => vec![generics.element.clone()],
                    };
                    let result = self.lambda(&callee, arg, &bound);
                    generics.mapped =
                        self.lambda_result(param.shape, result, &generics.mapped, arg);
                }
            }
        }
        generics
            .instantiate(builtin.returns)
            .unwrap_or(Type::Unknown)
    }

    /// A lambda argument, its parameters bound to the types `bound`, in
    /// order; the type of its body.
    fn lambda(&mut self, callee: &str, arg: &'p Arg, bound: &[Type]) -> Type {
        let ExprKind::Lambda { params, body } = &arg.value.kind else {
            let found = self.expr(&arg.value);
            self.mismatch(
                "this argument must be",
                "a lambda such as `x => …`",
                &found,
                arg.value.span,
            );
            return Type::Unknown;
        };
        if params.len() != bound.len() {
            self.errors.push(TypeError::ArgumentCount {
                callee: format!("the lambda of `{callee}`"),
                expected: bound.len(),
                found: params.len(),
                span: arg.value.span,
            });
        }
        let scope = params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let ty = bound.get(i).cloned().unwrap_or(Type::Unknown);
                let kind = BindingKind::Lambda;
                self.table.declare(p, &ty, body.span, kind, false);
                (p.name.clone(), ty)
            })
            .collect();
        self.scopes.push(scope);
        let result = self.purely("a lambda", |this| this.expr(body));
        self.scopes.pop();
        result
    }

    /// A predicate returns a condition; a key, something that orders; a
    /// summand, a number; a flattener, a list; a reducer, the type of the
    /// value so far (`mapped`). The type `U` the lambda binds.
    fn lambda_result(&mut self, shape: Shape, result: Type, mapped: &Type, arg: &Arg) -> Type {
        let span = match &arg.value.kind {
            ExprKind::Lambda { body, .. } => body.span,
            _ => return result,
        };
        match shape {
            Shape::Predicate if !result.non_null().fits(&Type::Bool) => {
                self.mismatch("this lambda must return", "Bool", &result, span);
            }
            Shape::Key if !orders(&result) => self.mismatch(
                "a sort or group key must be",
                "String, Int, Float, Bool, Time or Duration",
                &result,
                span,
            ),
            Shape::Summand if !matches!(result, Type::Int | Type::Float | Type::Unknown) => {
                self.mismatch("what `sum` adds must be", "Int or Float", &result, span);
            }
            Shape::Flattener => {
                return match result {
                    Type::List(element) => *element,
                    Type::Unknown => Type::Unknown,
                    other => {
                        self.mismatch("this lambda must return", "a list", &other, span);
                        Type::Unknown
                    }
                };
            }
            Shape::Reducer if !result.fits(mapped) => {
                self.mismatch(
                    "this lambda must return",
                    &mapped.to_string(),
                    &result,
                    span,
                );
                return mapped.clone();
            }
            Shape::Reducer => return mapped.clone(),
            _ => {}
        }
        result
    }

    /// One argument of a function against its parameter's type.
    fn argument(
        &mut self,
        callee: &str,
        name: &str,
        expected: &Type,
        arg: &'p Arg,
        declared: Option<Span>,
    ) {
        let found = self.expr(&arg.value);
        if !found.fits(expected) {
            self.argument_type(callee, name, &expected.to_string(), &found, arg, declared);
        }
    }

    fn argument_type(
        &mut self,
        callee: &str,
        name: &str,
        expected: &str,
        found: &Type,
        arg: &Arg,
        declared: Option<Span>,
    ) {
        self.errors.push(TypeError::ArgumentType {
            callee: callee.to_owned(),
            name: name.to_owned(),
            expected: expected.to_owned(),
            found: found.to_string(),
            span: arg.value.span,
            declared,
        });
    }

    /// Pairs each parameter with its argument: positional ones in order,
    /// named ones by name. Reports unknown names, extra arguments and missing
    /// required ones; an argument that matches nothing is still checked.
    fn match_args(
        &mut self,
        callee: &str,
        slots: &[Slot],
        args: &'p [Arg],
        span: Span,
    ) -> Vec<Option<&'p Arg>> {
        let mut matched: Vec<Option<&'p Arg>> = slots.iter().map(|_| None).collect();
        let mut meant: Vec<String> = Vec::new();
        let mut position = 0;
        for arg in args {
            let index = match &arg.name {
                None => {
                    position += 1;
                    if position > slots.len() {
                        if position == slots.len() + 1 {
                            self.errors.push(TypeError::ArgumentCount {
                                callee: format!("`{callee}`"),
                                expected: slots.len(),
                                found: args.len(),
                                span: arg.span,
                            });
                        }
                        None
                    } else {
                        Some(position - 1)
                    }
                }
                Some(name) => {
                    let index = slots.iter().position(|s| s.name == name.name);
                    if index.is_none() {
                        let names = slots.iter().map(|s| s.name.as_str());
                        let suggestion = did_you_mean(&name.name, names.clone()).map(str::to_owned);
                        meant.extend(suggestion.clone());
                        self.errors.push(TypeError::UnknownArgument {
                            callee: callee.to_owned(),
                            name: name.name.clone(),
                            span: name.span,
                            suggestion,
                            params: names.map(str::to_owned).collect(),
                        });
                    }
                    index
                }
            };
            match index.and_then(|i| matched.get_mut(i)) {
                Some(slot) => *slot = Some(arg),
                None => {
                    self.expr(&arg.value);
                }
            }
        }
        for (slot, arg) in slots.iter().zip(&matched) {
            // A slot a misspelt argument was meant for is reported once, there.
            if arg.is_none() && slot.required && !meant.contains(&slot.name) {
                self.errors.push(TypeError::MissingArgument {
                    callee: callee.to_owned(),
                    name: slot.name.clone(),
                    ty: slot.ty.clone(),
                    span,
                    declared: slot.declared,
                    last_arg: args.last().map(|a| a.span),
                });
            }
        }
        matched
    }
}

/// The kinds of built-in method a value of this type has.
fn receivers(ty: &Type) -> Vec<Receiver> {
    match ty {
        Type::String => vec![Receiver::Text],
        Type::List(element) if matches!(element.as_ref(), Type::String | Type::Unknown) => {
            vec![Receiver::List, Receiver::TextList]
        }
        Type::List(_) => vec![Receiver::List],
        Type::Time => vec![Receiver::Time],
        Type::Map(..) => vec![Receiver::Map],
        _ => Vec::new(),
    }
}

/// Whether values of this type can be sorted and grouped by.
fn orders(ty: &Type) -> bool {
    matches!(
        ty.non_null(),
        Type::String
            | Type::Int
            | Type::Float
            | Type::Bool
            | Type::Time
            | Type::Duration
            | Type::Unknown
            | Type::Json
    )
}

/// How a parameter's shape is written in a message.
fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::String => "String",
        Shape::Int => "Int",
        Shape::Bool => "Bool",
        Shape::Time => "Time",
        Shape::Json => "Json",
        Shape::OptionalTime => "Time?",
        Shape::TextList => "List<String>",
        Shape::Element => "T",
        Shape::OptionalElement => "T?",
        Shape::ElementList => "List<T>",
        Shape::Predicate => "T => Bool",
        Shape::Key | Shape::Mapper => "T => U",
        Shape::Summand => "T => Int or Float",
        Shape::Flattener => "T => List<U>",
        Shape::Initial => "U",
        Shape::Reducer => "(U, T) => U",
        Shape::Mapped => "U",
        Shape::Chunks => "List<List<T>>",
        Shape::MappedList => "List<U>",
        Shape::Groups => "Map<String, List<T>>",
        Shape::Keys => "List<K>",
        Shape::Values => "List<V>",
        Shape::Any => "any value",
        Shape::Records => "a list of records",
        Shape::KeyMaterial => "String or Secret",
    }
}
