//! Top-level items, connector members, types and tests.

use super::expr::{flat, flat_args, quote, record_key, string};
use super::printer::{Printer, width};
use super::stmt::{event_ref, retry_policy};
use crate::syntax::ast::{
    ActionDecl, ActionKind, Arg, ConnectorMember, ExpectedCall, FieldDecl, Flow, GivenOutcome,
    Item, MissedPolicy, Module, Param, Test, TestStmt, TestStmtKind, Trigger, TriggerKind,
    TypeDefBody, TypeExpr, TypeExprKind,
};

impl Printer<'_> {
    pub(super) fn module(&mut self, module: &Module) {
        let mut previous: Option<&Item> = None;
        for item in &module.items {
            let grouped = matches!(
                (previous, item),
                (Some(Item::Import(_)), Item::Import(_)) | (Some(Item::Config(_)), Item::Config(_))
            );
            // Items are separated by a blank line; runs of imports or configs
            // keep the source's choice.
            if previous.is_some() && !grouped {
                self.blank_line();
            }
            self.item(item);
            previous = Some(item);
        }
    }

    fn item(&mut self, item: &Item) {
        self.start_element(item.span().start);
        match item {
            Item::Import(import) => {
                self.doc(&import.doc, import.name.span.start);
                self.write(&format!("import {}", import.name.name));
            }
            Item::Config(config) => {
                self.doc(&config.doc, config.name.span.start);
                self.write(&format!("config {}: ", config.name.name));
                self.type_expr(&config.ty);
                if let Some(default) = &config.default {
                    self.write(" = ");
                    self.expr(default);
                }
            }
            Item::Type(def) => {
                self.doc(&def.doc, def.name.span.start);
                self.write(&format!("type {} ", def.name.name));
                match &def.body {
                    TypeDefBody::Record(fields) => {
                        self.field_block(fields, def.name.span.end, def.span.end)
                    }
                    TypeDefBody::Alias(ty) => {
                        self.write("= ");
                        self.type_expr(ty);
                    }
                }
            }
            Item::Extend(extension) => {
                self.doc(&extension.doc, extension.target.span.start);
                self.write(&format!("extend type {} ", extension.target.dotted()));
                self.field_block(
                    &extension.fields,
                    extension.target.span.end,
                    extension.span.end,
                );
            }
            Item::Fn(def) => {
                self.doc(&def.doc, def.name.span.start);
                self.write(&format!("fn {}", def.name.name));
                self.params(
                    &def.params,
                    def.ret.span.start,
                    width(&flat_type(&def.ret)) + 6,
                );
                self.write(" -> ");
                self.type_expr(&def.ret);
                self.write(" {");
                self.indented(|p| {
                    for binding in &def.lets {
                        p.start_element(binding.span.start);
                        p.write(&format!("let {}", binding.name.name));
                        if let Some(ty) = &binding.ty {
                            p.write(": ");
                            p.type_expr(ty);
                        }
                        p.write(" = ");
                        p.expr(&binding.value);
                        p.end_element(binding.span.end);
                    }
                    p.start_element(def.body.span.start);
                    p.expr(&def.body);
                    p.end_element(def.body.span.end);
                    p.comments_before(def.span.end);
                });
                self.newline();
                self.write("}");
            }
            Item::Connector(connector) => {
                self.doc(&connector.doc, connector.name.span.start);
                self.write(&format!("connector {} ", connector.name.name));
                self.block(
                    "{",
                    &connector.members,
                    connector.span.end,
                    "}",
                    |p, member| p.member(member),
                );
            }
            Item::Flow(flow) => self.flow(flow),
            Item::Test(test) => self.test(test),
        }
        self.end_element(item.span().end);
    }

    fn member(&mut self, member: &ConnectorMember) {
        self.start_element(member.span().start);
        match member {
            ConnectorMember::Setting(setting) => {
                self.doc(&setting.doc, setting.key.span.start);
                self.write(&format!("{}: ", setting.key.name));
                self.expr(&setting.value);
            }
            ConnectorMember::Retry(retry) => {
                self.doc(&retry.doc, retry.policy.span.start);
                self.write(&format!("retry: {}", retry_policy(&retry.policy)));
            }
            ConnectorMember::Action(action) => self.action(action),
            ConnectorMember::Event(event) => {
                self.doc(&event.doc, event.name.span.start);
                self.write(&format!(
                    "event {} = {} : ",
                    event.name.name,
                    quote(&event.provider_name.value)
                ));
                self.type_expr(&event.ty);
            }
        }
        self.end_element(member.span().end);
    }

    fn action(&mut self, action: &ActionDecl) {
        self.doc(&action.doc, action.name.span.start);
        let kind = match action.kind {
            ActionKind::Read => "read action ",
            ActionKind::Write => "action ",
            ActionKind::Destructive => "destructive action ",
        };
        self.write(kind);
        self.write(&action.name.name);
        let params_end = action
            .ret
            .as_ref()
            .map_or(action.name.span.end, |ret| ret.span.start);
        let ret_len = action
            .ret
            .as_ref()
            .map_or(0, |ret| width(&flat_type(ret)) + 4);
        self.params(&action.params, params_end, ret_len);
        if let Some(ret) = &action.ret {
            self.write(" -> ");
            self.type_expr(ret);
        }
        let Some(http) = &action.http else { return };
        self.write(&format!(
            " = {} {}",
            http.method.as_str(),
            string(&http.path)
        ));
        let mut clauses = Vec::new();
        if let Some(query) = &http.query {
            clauses.push(format!("query {}", super::expr::flat_record(query)));
        }
        if let Some(headers) = &http.headers {
            clauses.push(format!("headers {}", super::expr::flat_record(headers)));
        }
        if let Some(body) = &http.body {
            clauses.push(format!("body {}", flat(body)));
        }
        if let Some(paginate) = &http.paginate {
            let args = paginate.args.as_deref().map(flat_args).unwrap_or_default();
            clauses.push(format!("paginate {}{args}", paginate.style.name));
        }
        let one_line: usize = clauses.iter().map(|c| width(c) + 1).sum();
        if self.fits(one_line) {
            for clause in clauses {
                self.write(" ");
                self.write(&clause);
            }
        } else {
            // Each clause on its own continuation line.
            self.indented(|p| {
                for clause in clauses {
                    p.newline();
                    p.write(&clause);
                }
            });
        }
    }

    fn flow(&mut self, flow: &Flow) {
        self.doc(&flow.doc, flow.name.span.start);
        self.write(&format!("flow {} {{", flow.name.name));
        self.indented(|p| {
            for trigger in &flow.triggers {
                p.trigger(trigger);
            }
            if let Some(condition) = &flow.condition {
                p.start_element(condition.span.start);
                p.write("where ");
                p.expr(condition);
                p.end_element(condition.span.end);
            }
            p.start_element(flow.body.span.start);
            p.write("then ");
            p.stmt_block(&flow.body);
            p.end_element(flow.body.span.end);
            if let Some(handler) = &flow.on_error {
                p.start_element(handler.span.start);
                p.error_handler(handler);
                p.end_element(handler.span.end);
            }
            p.comments_before(flow.span.end);
        });
        self.newline();
        self.write("}");
    }

    fn trigger(&mut self, trigger: &Trigger) {
        self.start_element(trigger.span.start);
        self.write("when ");
        match &trigger.kind {
            TriggerKind::Event { event, binding } => {
                self.write(&event_ref(event));
                if let Some(binding) = binding {
                    self.write(&format!(" as {}", binding.name));
                }
            }
            TriggerKind::Schedule { cron, tz, missed } => {
                self.write(&format!("schedule {}", quote(&cron.value)));
                if let Some(tz) = tz {
                    self.write(&format!(" tz {}", quote(&tz.value)));
                }
                if let Some(missed) = missed {
                    let policy = match missed {
                        MissedPolicy::Once => "once",
                        MissedPolicy::Skip => "skip",
                    };
                    self.write(&format!(" missed {policy}"));
                }
            }
            TriggerKind::Webhook {
                path,
                binding,
                body_type,
            } => {
                self.write(&format!("webhook {}", quote(&path.value)));
                if let Some(binding) = binding {
                    self.write(&format!(" as {}", binding.name));
                    if let Some(ty) = body_type {
                        self.write(": ");
                        self.type_expr(ty);
                    }
                }
            }
            TriggerKind::Called { params, ret } => {
                self.write("called");
                let end = ret.as_ref().map_or(trigger.span.end, |ret| ret.span.start);
                let ret_len = ret.as_ref().map_or(0, |ret| width(&flat_type(ret)) + 4);
                self.params(params, end, ret_len);
                if let Some(ret) = ret {
                    self.write(" -> ");
                    self.type_expr(ret);
                }
            }
        }
        self.end_element(trigger.span.end);
    }

    fn test(&mut self, test: &Test) {
        self.doc(&test.doc, test.name.span.start);
        self.write(&format!("test {} ", quote(&test.name.value)));
        if test.stmts.is_empty() && !self.has_comment_within(test.span.start, test.span.end) {
            self.write("{}");
            return;
        }
        self.block("{", &test.stmts, test.span.end, "}", |p, stmt| {
            p.test_stmt(stmt)
        });
    }

    fn test_stmt(&mut self, stmt: &TestStmt) {
        self.start_element(stmt.span.start);
        match &stmt.kind {
            TestStmtKind::GivenEvent { event, value } => {
                self.write(&format!("given event {} = ", event_ref(event)));
                self.expr(value);
            }
            TestStmtKind::GivenConfig { name, value } => {
                self.write(&format!("given config {} = ", name.name));
                self.expr(value);
            }
            TestStmtKind::GivenWebhook { path, body } => {
                self.write(&format!("given webhook {} = ", quote(&path.value)));
                self.expr(body);
            }
            TestStmtKind::GivenNow { time } => {
                self.write("given now = ");
                self.expr(time);
            }
            TestStmtKind::GivenSchedule { flow } => {
                self.write(&format!("given schedule {}", flow.name));
            }
            TestStmtKind::GivenCall {
                action,
                args,
                outcome,
            } => {
                self.write(&format!("given {}", action.dotted()));
                if let Some(args) = args {
                    self.call_args(args, stmt.span.end);
                }
                match outcome {
                    GivenOutcome::Returns(value) => {
                        self.write(" returns ");
                        self.expr(value);
                    }
                    GivenOutcome::Fails { status, body } => {
                        self.write(" fails");
                        if let Some(status) = status {
                            self.write(&format!(" status {status}"));
                        }
                        if let Some(body) = body {
                            self.write(" with ");
                            self.expr(body);
                        }
                    }
                }
            }
            TestStmtKind::Advance { by } => {
                self.write("advance ");
                self.expr(by);
            }
            TestStmtKind::Expect { negated, expected } => {
                self.write(if *negated { "expect no " } else { "expect " });
                self.expected_call(expected);
            }
            TestStmtKind::ExpectInOrder { calls } => {
                self.write("expect in order ");
                self.block("{", calls, stmt.span.end, "}", |p, call| {
                    p.start_element(call.span.start);
                    p.expected_call(call);
                    p.end_element(call.span.end);
                });
            }
            TestStmtKind::ExpectRun { status } => {
                self.write(&format!("expect run {}", status.as_str()))
            }
        }
        self.end_element(stmt.span.end);
    }

    fn expected_call(&mut self, call: &ExpectedCall) {
        self.write(&call.target.dotted());
        if let Some(args) = &call.args {
            self.call_args(args, call.span.end);
        }
    }

    /// Arguments after a name: `(a: 1)` on one line when it fits.
    fn call_args(&mut self, args: &[Arg], end: u32) {
        let flat_text = flat_args(args);
        let start = args.first().map_or(end, |arg| arg.span.start);
        if args.is_empty() || self.fits(width(&flat_text)) && !self.has_comment_within(start, end) {
            self.write(&flat_text);
        } else {
            self.args(args, end);
        }
    }

    /// `(a: T, b: U = 1)`, broken one per line when it and the `after`
    /// characters that follow on its line do not fit.
    pub(super) fn params(&mut self, params: &[Param], end: u32, after: usize) {
        let flat_params: Vec<String> = params.iter().map(flat_param).collect();
        let flat_text = format!("({})", flat_params.join(", "));
        let start = params.first().map_or(u32::MAX, |p| p.span.start);
        if params.is_empty()
            || self.fits(width(&flat_text) + after) && !self.has_comment_within(start, end)
        {
            self.write(&flat_text);
            return;
        }
        self.block("(", params, end, ")", |p, param| {
            p.start_element(param.span.start);
            p.write(&flat_param(param));
            p.write(",");
            p.end_element(param.span.end);
        });
    }

    /// A record type's fields, one per line; `start..end` is the record's span.
    fn field_block(&mut self, fields: &[FieldDecl], start: u32, end: u32) {
        if fields.is_empty() && !self.has_comment_within(start, end) {
            self.write("{}");
            return;
        }
        self.block("{", fields, end, "}", |p, field| {
            p.start_element(field.span.start);
            p.doc(&field.doc, field.name.span.start);
            p.write(&format!("{}: ", record_key(&field.name.name, field.quoted)));
            p.type_expr(&field.ty);
            p.write(",");
            p.end_element(field.span.end);
        });
    }

    /// A type; inline record types stay on one line when they fit.
    pub(super) fn type_expr(&mut self, ty: &TypeExpr) {
        let flat_text = flat_type(ty);
        let has_doc = matches!(&ty.kind, TypeExprKind::Record(fields) if fields.iter().any(|f| f.doc.is_some()));
        if (self.fits(width(&flat_text))
            && !has_doc
            && !self.has_comment_within(ty.span.start, ty.span.end))
            || !matches!(ty.kind, TypeExprKind::Record(_))
        {
            self.write(&flat_text);
            return;
        }
        if let TypeExprKind::Record(fields) = &ty.kind {
            self.field_block(fields, ty.span.start, ty.span.end);
        }
        if ty.optional {
            self.write("?");
        }
    }
}

fn flat_param(param: &Param) -> String {
    let mut text = format!("{}: {}", param.name.name, flat_type(&param.ty));
    if let Some(default) = &param.default {
        text.push_str(" = ");
        text.push_str(&flat(default));
    }
    text
}

/// A type on one line.
pub(super) fn flat_type(ty: &TypeExpr) -> String {
    let mut text = match &ty.kind {
        TypeExprKind::Named { name, args } if args.is_empty() => name.dotted(),
        TypeExprKind::Named { name, args } => {
            let args: Vec<String> = args.iter().map(flat_type).collect();
            format!("{}<{}>", name.dotted(), args.join(", "))
        }
        TypeExprKind::Record(fields) if fields.is_empty() => "{}".to_owned(),
        TypeExprKind::Record(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        record_key(&f.name.name, f.quoted),
                        flat_type(&f.ty)
                    )
                })
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
    };
    if ty.optional {
        text.push('?');
    }
    text
}
