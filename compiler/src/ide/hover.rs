//! Hover: what a name is — its type or signature, and its doc comment.

use super::declaration::{Declaration, declaration};
use super::occurrences::{Occurrence, SymbolKind};
use crate::library::{self, Builtin};
use crate::project::Project;
use crate::source::{FileId, Span};
use crate::syntax::ast::{ActionKind, Doc};
use crate::types::{BindingKind, TypeTable};

/// What a hover shows: Markdown, and the range of the name hovered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// A code block with the declaration, then its documentation.
    pub markdown: String,
    /// The name the hover is about.
    pub span: Span,
}

/// The hover for `offset` of `file`, given that file's occurrences.
pub fn hover(
    project: &Project,
    table: &TypeTable,
    occurrences: &[Occurrence],
    file: FileId,
    offset: usize,
) -> Option<Hover> {
    let at = occurrences
        .iter()
        .find(|o| o.span.start as usize <= offset && offset <= o.span.end as usize);
    match at {
        Some(occurrence) => {
            let markdown = describe(project, table, occurrence)?;
            Some(Hover {
                markdown,
                span: occurrence.span,
            })
        }
        None => builtin_hover(project, file, offset),
    }
}

fn describe(project: &Project, table: &TypeTable, at: &Occurrence) -> Option<String> {
    if at.kind == SymbolKind::Local {
        let binding = table.bindings().iter().find(|b| b.span == at.def)?;
        let what = match binding.kind {
            BindingKind::Trigger => "event",
            BindingKind::Param => "parameter",
            BindingKind::Let => "let",
            BindingKind::Loop => "loop variable",
            BindingKind::Lambda => "lambda parameter",
            BindingKind::Handler => "binding",
        };
        return Some(code(&format!("{what} {}: {}", binding.name, binding.ty)));
    }
    let source = |span: Span| project.text_of(span).to_owned();
    let (signature, doc) = match declaration(project, at.def)? {
        Declaration::Config(config) => {
            let default = config
                .default
                .as_ref()
                .map(|d| format!(" = {}", source(d.span)))
                .unwrap_or_default();
            let ty = source(config.ty.span);
            (
                format!("config {}: {ty}{default}", config.name.name),
                config.doc.as_ref(),
            )
        }
        Declaration::Function(function) => {
            let params: Vec<String> = function.params.iter().map(|p| source(p.span)).collect();
            let signature = format!(
                "fn {}({}) -> {}",
                function.name.name,
                params.join(", "),
                source(function.ret.span)
            );
            (signature, function.doc.as_ref())
        }
        Declaration::Flow(flow) => {
            let triggers: Vec<String> = flow.triggers.iter().map(|t| source(t.span)).collect();
            let triggers = triggers.join(" or ");
            let when = if triggers.starts_with("when") {
                ""
            } else {
                "when "
            };
            let signature = format!("flow {}\n  {when}{triggers}", flow.name.name);
            (signature, flow.doc.as_ref())
        }
        Declaration::Connector(connector) => (
            format!("connector {}", connector.name.name),
            connector.doc.as_ref(),
        ),
        Declaration::Action(connector, action) => (
            action_signature(connector.name.name.as_str(), action, &source),
            action.doc.as_ref(),
        ),
        Declaration::Event(connector, event) => (
            format!(
                "event {}.{} \"{}\": {}",
                connector.name.name,
                event.name.name,
                event.provider_name.value,
                source(event.ty.span)
            ),
            event.doc.as_ref(),
        ),
        Declaration::Type(ty) => {
            let module = project
                .stdlib_module(ty.name.span.file)
                .map(|m| format!("{m}."))
                .unwrap_or_default();
            (format!("type {module}{}", ty.name.name), ty.doc.as_ref())
        }
        Declaration::Field(field) => (
            format!("{}: {}", field.name.name, source(field.ty.span)),
            field.doc.as_ref(),
        ),
        Declaration::Param(action, param) => (
            format!(
                "{} (parameter of `{}`)",
                source(param.span),
                action.name.name
            ),
            None,
        ),
    };
    Some(with_doc(code(&signature), doc))
}

/// `write action okta.suspend_user(id: String) -> okta.User`.
pub(crate) fn action_signature(
    connector: &str,
    action: &crate::syntax::ast::ActionDecl,
    source: &dyn Fn(Span) -> String,
) -> String {
    let kind = match action.kind {
        ActionKind::Read => "read",
        ActionKind::Write => "write",
        ActionKind::Destructive => "destructive",
    };
    let params: Vec<String> = action.params.iter().map(|p| source(p.span)).collect();
    let ret = action
        .ret
        .as_ref()
        .map(|r| format!(" -> {}", source(r.span)))
        .unwrap_or_default();
    format!(
        "{kind} action {connector}.{}({}){ret}",
        action.name.name,
        params.join(", ")
    )
}

/// A built-in function or method under the cursor: `now()`, `x.lower()`.
fn builtin_hover(project: &Project, file: FileId, offset: usize) -> Option<Hover> {
    let text = &project.sources.get(file)?.text;
    let (start, end) = super::word_at(text, offset)?;
    let name = text.get(start..end)?;
    if !text.get(end..)?.trim_start().starts_with('(') {
        return None;
    }
    let after_dot = text.get(..start)?.trim_end().ends_with('.');
    let builtin = if after_dot {
        let receiver = text.get(..start)?.trim_end().trim_end_matches('.');
        let module = receiver
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default();
        library::module_functions(module)
            .find(|b| b.name == name)
            .or_else(|| library::method(name))
    } else {
        library::function(name)
    }?;
    Some(Hover {
        markdown: builtin_markdown(builtin),
        span: Span::new(file, start, end),
    })
}

/// A built-in's signature and doc, as Markdown.
pub(crate) fn builtin_markdown(builtin: &Builtin) -> String {
    let params: Vec<&str> = builtin.params.iter().map(|p| p.name).collect();
    format!(
        "{}\n\n{}",
        code(&format!(
            "{}({})",
            builtin.qualified_name(),
            params.join(", ")
        )),
        builtin.doc
    )
}

fn code(text: &str) -> String {
    format!("```idflow\n{text}\n```")
}

fn with_doc(signature: String, doc: Option<&Doc>) -> String {
    match doc {
        Some(doc) => format!("{signature}\n\n{}", doc.text()),
        None => signature,
    }
}

/// What the compiled plan says of a flow, for its hover: the version hash
/// that deployments and run history name it by, its steps, and whether its
/// trigger filter runs as native code.
pub fn flow_plan_markdown(flow: &crate::plan::ir::FlowPlan) -> String {
    let filter = match &flow.filter {
        Some(filter) if filter.jit => "filter compiled to native code",
        Some(_) => "filter interpreted",
        None => "no filter",
    };
    let mut text = format!(
        "**plan** version `{}` · {} steps · {filter}",
        // Whole: the version as deployments and the run history name it.
        flow.hash,
        flow.steps.len()
    );
    for note in &flow.notes {
        text.push_str(&format!("\n- {note}"));
    }
    text
}
