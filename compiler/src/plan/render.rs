//! The plan for people: a readable outline (`idflow plan`) and a Mermaid
//! flowchart (`idflow plan --format mermaid`).

use std::fmt::Write;

use super::ir::{FlowPlan, PExpr, Step, StepId, StepKind, TextPart, Trigger};
use super::value::{Value, format_duration};

/// The outline of one flow: triggers, filter, steps with their waves,
/// dependencies and the optimizer's notes.
pub fn outline(flow: &FlowPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "flow {}  {}", flow.name, flow.hash);
    for trigger in &flow.triggers {
        let _ = writeln!(out, "  when   {}", trigger_text(flow, trigger));
    }
    if let Some(filter) = &flow.filter {
        let how = if filter.jit {
            "compiled to native code"
        } else {
            "interpreted"
        };
        let _ = writeln!(out, "  filter {}  ({how})", expr(flow, &filter.condition));
    }
    let _ = writeln!(out, "  steps");
    block(flow, &flow.body, 2, &mut out);
    if let Some(handler) = &flow.on_error {
        let _ = writeln!(out, "  on error{}", binding(flow, handler.binding));
        block(flow, &handler.body, 2, &mut out);
    }
    for note in &flow.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    out
}

fn binding(flow: &FlowPlan, local: Option<u32>) -> String {
    local
        .map(|l| format!(" as {}", name(flow, l)))
        .unwrap_or_default()
}

pub(crate) fn trigger_text(flow: &FlowPlan, trigger: &Trigger) -> String {
    match trigger {
        Trigger::Event {
            connector,
            event_type,
            binding: b,
            ..
        } => {
            format!("{connector} event \"{event_type}\"{}", binding(flow, *b))
        }
        Trigger::Schedule { cron, tz, missed } => format!(
            "schedule \"{cron}\" tz {}{}",
            tz.as_deref().unwrap_or("UTC"),
            missed
                .as_ref()
                .map(|m| format!(" missed {m}"))
                .unwrap_or_default()
        ),
        Trigger::Webhook {
            path, binding: b, ..
        } => format!("webhook \"{path}\"{}", binding(flow, *b)),
        Trigger::Called { params } => format!(
            "called({})",
            params
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn block(flow: &FlowPlan, ids: &[StepId], depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for id in ids {
        let Some(step) = flow.steps.get(*id as usize) else {
            continue;
        };
        let _ = writeln!(
            out,
            "{indent}#{id} [wave {}] {}{}",
            step.wave,
            headline(flow, step),
            relations(step)
        );
        for note in &step.notes {
            let _ = writeln!(out, "{indent}     note: {note}");
        }
        match &step.kind {
            StepKind::Branch { arms, otherwise } => {
                for arm in arms {
                    let _ = writeln!(out, "{indent}  if {}", expr(flow, &arm.condition));
                    block(flow, &arm.body, depth + 2, out);
                }
                if !otherwise.is_empty() {
                    let _ = writeln!(out, "{indent}  else");
                    block(flow, otherwise, depth + 2, out);
                }
            }
            StepKind::Action {
                on_error: Some(handler),
                ..
            }
            | StepKind::Call {
                on_error: Some(handler),
                ..
            } => {
                let _ = writeln!(out, "{indent}  on error{}", binding(flow, handler.binding));
                block(flow, &handler.body, depth + 2, out);
            }
            StepKind::Loop { body, .. } | StepKind::Parallel { body } => {
                block(flow, body, depth + 1, out)
            }
            _ => {}
        }
    }
}

fn relations(step: &Step) -> String {
    let list = |ids: &[StepId]| {
        ids.iter()
            .map(|d| format!("#{d}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = String::new();
    if !step.deps.is_empty() {
        let _ = write!(text, "  uses {}", list(&step.deps));
    }
    if !step.after.is_empty() {
        let _ = write!(text, "  after {}", list(&step.after));
    }
    text
}

/// One line saying what a step does.
pub(crate) fn headline(flow: &FlowPlan, step: &Step) -> String {
    let args = |args: &[(String, PExpr)]| {
        args.iter()
            .map(|(n, v)| format!("{n}: {}", expr(flow, v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let into = |result: &Option<u32>| {
        result
            .map(|r| format!(" -> {}", name(flow, r)))
            .unwrap_or_default()
    };
    match &step.kind {
        StepKind::Action {
            connector,
            action,
            effect,
            args: a,
            result,
            retry,
            ..
        } => format!(
            "{} {connector}.{action}({}){}{}",
            format!("{effect:?}").to_lowercase(),
            args(a),
            into(result),
            retry
                .as_ref()
                .map(|r| format!(" retry {}", r.attempts))
                .unwrap_or_default()
        ),
        StepKind::Compute { local, value } => {
            format!("let {} = {}", name(flow, *local), expr(flow, value))
        }
        StepKind::Branch { .. } => "branch".to_owned(),
        StepKind::Loop {
            var,
            over,
            concurrency,
            ..
        } => format!(
            "for {} in {}{}",
            name(flow, *var),
            expr(flow, over),
            concurrency
                .map(|c| format!(" parallel {c}"))
                .unwrap_or_default()
        ),
        StepKind::Parallel { .. } => "parallel".to_owned(),
        StepKind::Wait { duration } => format!("wait {}", expr(flow, duration)),
        StepKind::WaitUntil { time } => format!("wait until {}", expr(flow, time)),
        StepKind::WaitFor {
            connector,
            event_type,
            condition,
            timeout,
            result,
            ..
        } => format!(
            "wait for {connector} event \"{event_type}\"{} timeout {}{}",
            condition
                .as_ref()
                .map(|c| format!(" where {}", expr(flow, c)))
                .unwrap_or_default(),
            expr(flow, timeout),
            into(result)
        ),
        StepKind::Call {
            flow: called,
            args: a,
            result,
            ..
        } => format!("call {called}({}){}", args(a), into(result)),
        StepKind::Stop { reason } => format!(
            "stop{}",
            reason
                .as_ref()
                .map(|r| format!(" \"{r}\""))
                .unwrap_or_default()
        ),
        StepKind::Return { value } => format!("return {}", expr(flow, value)),
        StepKind::Spawn {
            flow: spawned,
            args: a,
        } => format!("spawn {spawned}({})", args(a)),
    }
}

fn name(flow: &FlowPlan, local: u32) -> String {
    flow.locals
        .get(local as usize)
        .cloned()
        .unwrap_or_else(|| format!("%{local}"))
}

/// An expression, written as in the language.
pub fn expr(flow: &FlowPlan, e: &PExpr) -> String {
    match e {
        PExpr::Const { value } => constant(value),
        PExpr::Config { name } => name.clone(),
        PExpr::Local { id } => name(flow, *id),
        PExpr::Field { base, name, safe } => format!(
            "{}{}{name}",
            postfix_base(flow, base),
            if *safe { "?." } else { "." }
        ),
        PExpr::Index { base, index } => {
            format!("{}[{}]", postfix_base(flow, base), expr(flow, index))
        }
        PExpr::Builtin {
            name,
            receiver,
            safe,
            args,
        } => {
            let args = args
                .iter()
                .map(|a| expr(flow, a))
                .collect::<Vec<_>>()
                .join(", ");
            match receiver {
                Some(r) => format!(
                    "{}{}{name}({args})",
                    postfix_base(flow, r),
                    if *safe { "?." } else { "." }
                ),
                None => format!("{name}({args})"),
            }
        }
        PExpr::Function { name, args } => {
            format!(
                "{name}({})",
                args.iter()
                    .map(|a| expr(flow, a))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        PExpr::Lambda { param, body } => format!("{} => {}", name(flow, *param), expr(flow, body)),
        PExpr::Lambda2 { acc, param, body } => format!(
            "({}, {}) => {}",
            name(flow, *acc),
            name(flow, *param),
            expr(flow, body)
        ),
        PExpr::Unary { op, operand } => {
            format!(
                "{}{}",
                op.symbol(),
                operand_text(flow, operand, op.precedence())
            )
        }
        PExpr::Binary { op, lhs, rhs } => format!(
            "{} {} {}",
            operand_text(flow, lhs, op.precedence()),
            op.symbol(),
            // Left-associative: a right operand of the same precedence needs parentheses.
            operand_text(flow, rhs, op.precedence().saturating_add(1))
        ),
        PExpr::List { items } => format!(
            "[{}]",
            items
                .iter()
                .map(|i| expr(flow, i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        PExpr::Record { fields } => format!(
            "{{ {} }}",
            fields
                .iter()
                .map(|(k, v)| format!("{}: {}", record_key(k), expr(flow, v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        PExpr::Text { parts } => {
            let mut text = String::from("\"");
            for part in parts {
                match part {
                    TextPart::Literal(t) => text.push_str(&escape_literal(t)),
                    TextPart::Value(v) => {
                        let _ = write!(text, "{{{}}}", expr(flow, v));
                    }
                }
            }
            text.push('"');
            text
        }
    }
}

/// What a field, an index or a method applies to: an operator expression
/// in parentheses, as `(e.published + 7d).format(…)`.
fn postfix_base(flow: &FlowPlan, base: &PExpr) -> String {
    operand_text(flow, base, u8::MAX)
}

/// An operand, in parentheses when its operator binds looser than `min`.
fn operand_text(flow: &FlowPlan, operand: &PExpr, min: u8) -> String {
    let binds = match operand {
        PExpr::Binary { op, .. } => op.precedence(),
        PExpr::Unary { op, .. } => op.precedence(),
        _ => u8::MAX,
    };
    let text = expr(flow, operand);
    if binds < min {
        format!("({text})")
    } else {
        text
    }
}

/// A record key as written: any word bare, other keys quoted.
fn record_key(key: &str) -> String {
    let word = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if word {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

/// The literal part of a string, with the escapes the language reads back,
/// so that a plan's text stays on one line.
fn escape_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            other => out.push(other),
        }
    }
    out
}

fn constant(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{:?}", s),
        Value::Duration(ms) => format_duration(*ms),
        Value::Null => "null".to_owned(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(constant).collect::<Vec<_>>().join(", ")
        ),
        Value::Record(fields) => format!(
            "{{ {} }}",
            fields
                .iter()
                .map(|(k, v)| format!("{}: {}", record_key(k), constant(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// The flow as a Mermaid flowchart: the trigger and filter, then each step,
/// nested blocks as subgraphs, solid arrows for data, dotted for order.
pub fn mermaid(flow: &FlowPlan) -> String {
    let mut out = String::from("flowchart TD\n");
    let triggers: Vec<String> = flow
        .triggers
        .iter()
        .map(|t| trigger_text(flow, t))
        .collect();
    let _ = writeln!(
        out,
        "  trigger([\"{}\"])",
        mermaid_text(&triggers.join(" / "))
    );
    let mut previous = "trigger".to_owned();
    if let Some(filter) = &flow.filter {
        let _ = writeln!(
            out,
            "  filter{{\"{}\"}}",
            mermaid_text(&expr(flow, &filter.condition))
        );
        let _ = writeln!(out, "  trigger --> filter");
        previous = "filter".to_owned();
    }
    mermaid_block(flow, &flow.body, &previous, &mut out);
    out
}

fn mermaid_block(flow: &FlowPlan, ids: &[StepId], entry: &str, out: &mut String) {
    for id in ids {
        let Some(step) = flow.steps.get(*id as usize) else {
            continue;
        };
        let label = mermaid_text(&headline(flow, step));
        let node = format!("s{id}");
        let _ = match step.kind {
            StepKind::Branch { .. } => writeln!(out, "  {node}{{\"{label}\"}}"),
            StepKind::Wait { .. } | StepKind::WaitUntil { .. } | StepKind::WaitFor { .. } => {
                writeln!(out, "  {node}[/\"{label}\"/]")
            }
            _ => writeln!(out, "  {node}[\"{label}\"]"),
        };
        if step.deps.is_empty() && step.after.is_empty() {
            let _ = writeln!(out, "  {entry} --> {node}");
        }
        for dep in &step.deps {
            let _ = writeln!(out, "  s{dep} --> {node}");
        }
        for after in &step.after {
            let _ = writeln!(out, "  s{after} -.-> {node}");
        }
        match &step.kind {
            StepKind::Branch { arms, otherwise } => {
                for (i, arm) in arms.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "  subgraph {node}_arm{i} [\"if {}\"]",
                        mermaid_text(&expr(flow, &arm.condition))
                    );
                    mermaid_block(flow, &arm.body, &node, out);
                    let _ = writeln!(out, "  end");
                }
                if !otherwise.is_empty() {
                    let _ = writeln!(out, "  subgraph {node}_else [\"else\"]");
                    mermaid_block(flow, otherwise, &node, out);
                    let _ = writeln!(out, "  end");
                }
            }
            StepKind::Loop { body, .. } | StepKind::Parallel { body } => {
                let _ = writeln!(out, "  subgraph {node}_body [\"{label}\"]");
                mermaid_block(flow, body, &node, out);
                let _ = writeln!(out, "  end");
            }
            StepKind::Action {
                on_error: Some(handler),
                ..
            }
            | StepKind::Call {
                on_error: Some(handler),
                ..
            } => {
                let _ = writeln!(out, "  subgraph {node}_error [\"on error\"]");
                mermaid_block(flow, &handler.body, &node, out);
                let _ = writeln!(out, "  end");
            }
            _ => {}
        }
    }
}

/// Mermaid labels in double quotes write `#` and quotes as entity codes.
/// Text inside a Mermaid label: quotes and `#` as entities, on one line.
pub(crate) fn mermaid_text(text: &str) -> String {
    text.replace('#', "#35;")
        .replace('"', "#quot;")
        .replace('\n', " ")
}
