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
        Some((connector, action)) => {
            action_signature_of(project, connector, action).or_else(|| {
                builtin_signature(library::module_functions(connector).find(|b| b.name == action))
            })?
        }
        None => builtin_signature(library::function(&callee))?,
    };
    signature.active = active_param(&signature.params, args);
    Some(signature)
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

/// The parameter being written: the one named just before the cursor, or
/// the one at the position of the current argument.
fn active_param(params: &[String], args: &str) -> Option<usize> {
    let current = args.rsplit(',').next().unwrap_or_default().trim_start();
    if let Some((name, _)) = current.split_once(':') {
        let name = name.trim();
        if let Some(index) = params
            .iter()
            .position(|p| p.split(':').next() == Some(name))
        {
            return Some(index);
        }
    }
    let index = args.matches(',').count();
    (index < params.len()).then_some(index)
}
