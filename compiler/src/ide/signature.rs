//! Signature help: inside `okta.get_user(…` or `now(…`, the callee's
//! parameters and which one the cursor is on.

use super::completion::open_call;
use super::declaration::{Declaration, declaration};
use super::hover::action_signature;
use crate::library;
use crate::project::Project;
use crate::resolve::Symbols;
use crate::source::{FileId, Span};
use crate::syntax::ast::ConnectorMember;

/// A callee's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The whole signature, as shown.
    pub label: String,
    /// Each parameter as written in `label`.
    pub params: Vec<String>,
    /// The parameter the cursor is on.
    pub active: Option<usize>,
    /// The callee's documentation.
    pub documentation: Option<String>,
}

/// The signature of the call the cursor at `offset` of `file` is inside.
pub fn signature_help(project: &Project, file: FileId, offset: usize) -> Option<Signature> {
    let text = &project.sources.get(file)?.text;
    let before = text.get(..offset)?;
    let (callee, args) = open_call(before)?;
    let mut signature = match callee.rsplit_once('.') {
        Some((connector, action)) => action_signature_of(project, connector, action)
            .or_else(|| {
                builtin_signature(library::module_functions(connector).find(|b| b.name == action))
            })
            .or_else(|| method_signature(action))?,
        None => builtin_signature(library::function(&callee))?,
    };
    signature.active = active_param(&signature.params, args);
    Some(signature)
}

/// A built-in method's signature (see [`library::method`]).
fn method_signature(name: &str) -> Option<Signature> {
    let method = library::method(name)?;
    let params: Vec<String> = method.params.iter().map(|p| p.name.to_owned()).collect();
    Some(Signature {
        label: format!("{name}({})", params.join(", ")),
        params,
        active: None,
        documentation: Some(method.doc.to_owned()),
    })
}

fn action_signature_of(project: &Project, connector: &str, action: &str) -> Option<Signature> {
    let symbols = Symbols::collect(project, &mut Vec::new());
    let declared = symbols.connectors.get(connector)?;
    let decl = declared.members.iter().find_map(|m| match m {
        ConnectorMember::Action(a) if a.name.name == action => Some(a),
        _ => None,
    })?;
    let source = |span: Span| project.text_of(span).to_owned();
    let documentation = match declaration(project, decl.name.span) {
        Some(Declaration::Action(_, action)) => action.doc.as_ref().map(|d| d.text()),
        _ => None,
    };
    Some(Signature {
        label: action_signature(connector, decl, &source),
        params: decl.params.iter().map(|p| source(p.span)).collect(),
        active: None,
        documentation,
    })
}

fn builtin_signature(builtin: Option<&'static library::Builtin>) -> Option<Signature> {
    let builtin = builtin?;
    let params: Vec<String> = builtin.params.iter().map(|p| p.name.to_owned()).collect();
    Some(Signature {
        label: format!("{}({})", builtin.qualified_name(), params.join(", ")),
        params,
        active: None,
        documentation: Some(builtin.doc.to_owned()),
    })
}

/// The parameter being written: the one named just before the cursor;
/// after named arguments, the first parameter not named yet; else the one
/// at the position of the current argument. Only the commas between
/// arguments count: not those inside strings or nested brackets.
fn active_param(params: &[String], args: &str) -> Option<usize> {
    let arguments = top_level_arguments(args);
    let name_of = |argument: &str| {
        let (name, _) = argument.split_once(':')?;
        let name = name.trim();
        params
            .iter()
            .position(|p| p.split(':').next().map(str::trim) == Some(name))
    };
    let (current, before) = arguments.split_last()?;
    if let Some(index) = name_of(current) {
        return Some(index);
    }
    let named: Vec<usize> = before.iter().filter_map(|a| name_of(a)).collect();
    if !named.is_empty() {
        return (0..params.len()).find(|i| !named.contains(i));
    }
    let index = before.len();
    (index < params.len()).then_some(index)
}

/// The arguments written so far, split at the commas outside strings and
/// nested brackets; the last is the one being written.
fn top_level_arguments(args: &str) -> Vec<&str> {
    let code = crate::syntax::code_only(args);
    let mut depth = 0usize;
    let mut start = 0;
    let mut arguments = Vec::new();
    for (at, c) in code.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                arguments.push(args.get(start..at).unwrap_or_default());
                start = at + 1;
            }
            _ => {}
        }
    }
    arguments.push(args.get(start..).unwrap_or_default());
    arguments
}
