//! Completion, read from the text before the cursor — the line being typed
//! rarely parses — and answered from the declarations and the checker's
//! bindings: actions and events after a connector's `.`, fields after a
//! value's `.`, named arguments inside a call, events after `when`, and
//! names, keywords and snippets elsewhere.

use super::declaration::{Declaration, declaration};
use super::hover::{action_signature, builtin_markdown};
use crate::library::{self, Builtin, Receiver};
use crate::project::Project;
use crate::resolve::Symbols;
use crate::source::{FileId, Span};
use crate::syntax::KEYWORDS;
use crate::syntax::ast::{ActionDecl, Connector, ConnectorMember};
use crate::types::{self, Type, TypeTable};

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A keyword.
    Keyword,
    /// A template with placeholders.
    Snippet,
    /// A connector.
    Connector,
    /// An action of a connector.
    Action,
    /// An event, `okta.user_created` after `when`.
    Event,
    /// A field of a record.
    Field,
    /// A local value.
    Local,
    /// A config.
    Config,
    /// A function, the project's or a built-in one.
    Function,
    /// A flow.
    Flow,
    /// A method of a built-in type.
    Method,
    /// A named argument, `id: `.
    Argument,
    /// A connector's setting, `base_url: `.
    Setting,
}

/// One proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// What the list shows.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// Its type or signature.
    pub detail: Option<String>,
    /// Its documentation, Markdown.
    pub documentation: Option<String>,
    /// What is inserted; a snippet with `$1` placeholders when `snippet`.
    pub insert_text: String,
    /// Whether `insert_text` is a snippet.
    pub snippet: bool,
}

impl Completion {
    fn plain(label: impl Into<String>, kind: CompletionKind, detail: Option<String>) -> Self {
        let label = label.into();
        Self {
            insert_text: label.clone(),
            label,
            kind,
            detail,
            documentation: None,
            snippet: false,
        }
    }

    fn documented(mut self, doc: Option<String>) -> Self {
        self.documentation = doc;
        self
    }
}

/// The proposals at `offset` of `file`.
///
/// The line being typed often breaks its item (`let x = user.profile.`
/// swallows the line below; `okta.get_user(id: ` leaves a bracket open),
/// and a broken item has no bindings for the checker to give. Then the
/// item is checked once more with a hole filled in at the cursor — a name,
/// and the brackets the line leaves open — and the proposals are read from
/// that.
pub fn complete(
    project: &Project,
    table: &TypeTable,
    file: FileId,
    offset: usize,
) -> Vec<Completion> {
    let Some(text) = project.sources.get(file).map(|s| s.text.as_str()) else {
        return Vec::new();
    };
    let offset = floor_char_boundary(text, offset);
    let before = text.get(..offset).unwrap_or_default();
    let unbound = table.visible_at(file, offset_u32(offset)).is_empty();
    if unbound && inside_item(before) {
        let after = text.get(offset..).unwrap_or_default();
        let filled = format!("{before}{HOLE}{}{after}", closers(before));
        let mut patched = project.clone();
        patched.replace(file, filled);
        let analysis = super::analyze(&patched, &crate::lint::Levels::new(), Some(file));
        if !analysis
            .table
            .visible_at(file, offset_u32(offset))
            .is_empty()
        {
            return complete_in(&patched, &analysis.table, file, offset);
        }
    }
    complete_in(project, table, file, offset)
}

/// The name written at the cursor to check an item the typing broke.
const HOLE: &str = "idflow_completion_hole";

/// The brackets the cursor's line opens and does not close, closed in
/// order: `okta.get_user(id: ` needs `)`. Blocks (`{`) are left: their
/// lines follow.
fn closers(before: &str) -> String {
    let line = before.rsplit('\n').next().unwrap_or_default();
    let mut open = Vec::new();
    for c in crate::syntax::code_only(line).chars() {
        match c {
            '(' => open.push(')'),
            '[' => open.push(']'),
            ')' | ']' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.into_iter().rev().collect()
}

fn complete_in(
    project: &Project,
    table: &TypeTable,
    file: FileId,
    offset: usize,
) -> Vec<Completion> {
    let Some(text) = project.sources.get(file).map(|s| s.text.as_str()) else {
        return Vec::new();
    };
    let symbols = Symbols::collect(project, &mut Vec::new());
    let context = Context {
        project,
        symbols: &symbols,
        table,
        file,
        offset,
    };
    let before = text.get(..offset).unwrap_or_default();
    // The word being typed is what the editor filters on.
    let typed_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map_or(offset, |(at, _)| at);
    let before = before.get(..typed_start).unwrap_or_default();
    let line = before.rsplit('\n').next().unwrap_or_default();
    if let Some(receiver) = before.strip_suffix('.') {
        let receiver = receiver.strip_suffix('?').unwrap_or(receiver);
        return context.after_dot(&chain(receiver), line);
    }
    if is_event_position(line) {
        return context.events();
    }
    if line.trim().is_empty() && !inside_item(before) {
        return top_level();
    }
    if line.trim().is_empty()
        && let Some(connector) = connector_body(before)
    {
        return connector_members(connector);
    }
    let mut proposals = Vec::new();
    if let Some((callee, written)) = open_call(before) {
        proposals.extend(context.arguments(&callee, written));
    }
    if line.trim_end().ends_with("call") {
        proposals.extend(context.flows());
        return proposals;
    }
    proposals.extend(context.names());
    proposals
}

struct Context<'a, 'p> {
    project: &'p Project,
    symbols: &'a Symbols<'p>,
    table: &'a TypeTable,
    file: FileId,
    offset: usize,
}

impl Context<'_, '_> {
    /// After `receiver.`: a connector's actions or events, a module's
    /// functions, or a value's fields and methods.
    fn after_dot(&self, receiver: &[&str], line: &str) -> Vec<Completion> {
        if let [name] = receiver
            && !self.is_local(name)
        {
            if let Some(connector) = self.symbols.connectors.get(name) {
                // The line before `okta.`: `when okta.` asks for events.
                let before_receiver = line.trim_end_matches(|c: char| c != ' ');
                return if is_event_position(before_receiver) {
                    events_of(connector, false)
                } else {
                    self.actions_of(connector)
                };
            }
            if library::is_module(name) {
                return library::module_functions(name).map(builtin).collect();
            }
        }
        let Some(ty) = self.type_of_chain(receiver) else {
            return Vec::new();
        };
        let mut proposals: Vec<Completion> = types::fields_of(self.symbols, &ty)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, field_ty)| {
                let doc = self.field_doc(&ty, &name);
                Completion::plain(name, CompletionKind::Field, Some(field_ty.to_string()))
                    .documented(doc)
            })
            .collect();
        proposals.extend(methods(&ty).map(builtin));
        proposals
    }

    fn is_local(&self, name: &str) -> bool {
        self.table
            .visible_at(self.file, offset_u32(self.offset))
            .iter()
            .any(|b| b.name == name)
    }

    /// The type of `a.b.c`: a local or a config, then each field in turn.
    fn type_of_chain(&self, chain: &[&str]) -> Option<Type> {
        let (first, fields) = chain.split_first()?;
        let mut ty = self
            .table
            .visible_at(self.file, offset_u32(self.offset))
            .into_iter()
            .find(|b| b.name == *first)
            .map(|b| b.ty.clone())
            .or_else(|| self.config_type(first))?;
        for field in fields {
            let fields = types::fields_of(self.symbols, &ty)?;
            ty = fields.into_iter().find(|(name, _)| name == field)?.1;
        }
        Some(ty)
    }

    fn config_type(&self, name: &str) -> Option<Type> {
        let span = *self.symbols.configs.get(name)?;
        match declaration(self.project, span)? {
            Declaration::Config(config) => {
                Some(types::resolve_written(self.symbols, None, &config.ty))
            }
            _ => None,
        }
    }

    fn field_doc(&self, ty: &Type, field: &str) -> Option<String> {
        let def = super::occurrences::field_def(self.symbols, ty, field)?;
        match declaration(self.project, def)? {
            Declaration::Field(field) => field.doc.as_ref().map(|d| d.text()),
            _ => None,
        }
    }

    fn actions_of(&self, connector: &Connector) -> Vec<Completion> {
        connector
            .members
            .iter()
            .filter_map(|m| match m {
                ConnectorMember::Action(action) => Some(self.action(connector, action)),
                _ => None,
            })
            .collect()
    }

    fn action(&self, connector: &Connector, action: &ActionDecl) -> Completion {
        let source = |span: Span| self.source(span);
        let signature = action_signature(&connector.name.name, action, &source);
        let required: Vec<String> = action
            .params
            .iter()
            .filter(|p| p.default.is_none() && !p.ty.optional)
            .enumerate()
            .map(|(i, p)| format!("{}: ${}", p.name.name, i + 1))
            .collect();
        Completion {
            label: action.name.name.clone(),
            kind: CompletionKind::Action,
            detail: Some(signature),
            documentation: action.doc.as_ref().map(|d| d.text()),
            insert_text: format!("{}({})", action.name.name, required.join(", ")),
            snippet: true,
        }
    }

    fn source(&self, span: Span) -> String {
        self.project.text_of(span).to_owned()
    }

    /// Every event, `connector.event`, and the other triggers.
    fn events(&self) -> Vec<Completion> {
        let mut proposals: Vec<Completion> = self
            .symbols
            .connectors
            .values()
            .flat_map(|c| events_of(c, true))
            .collect();
        for trigger in ["schedule", "webhook", "called"] {
            proposals.push(Completion::plain(trigger, CompletionKind::Keyword, None));
        }
        proposals
    }

    /// Inside `callee(…`, after `written`: the named parameters not written yet.
    fn arguments(&self, callee: &str, written: &str) -> Vec<Completion> {
        let Some((connector, action)) = callee.split_once('.') else {
            return Vec::new();
        };
        let Some(declared) = self.symbols.connectors.get(connector) else {
            return Vec::new();
        };
        let Some(action) = declared.members.iter().find_map(|m| match m {
            ConnectorMember::Action(a) if a.name.name == action => Some(a),
            _ => None,
        }) else {
            return Vec::new();
        };
        action
            .params
            .iter()
            .filter(|p| !written.contains(&format!("{}:", p.name.name)))
            .map(|p| Completion {
                label: format!("{}:", p.name.name),
                kind: CompletionKind::Argument,
                detail: Some(self.source(p.ty.span)),
                documentation: None,
                insert_text: format!("{}: ", p.name.name),
                snippet: false,
            })
            .collect()
    }

    fn flows(&self) -> Vec<Completion> {
        self.symbols
            .flows
            .values()
            .filter(|f| {
                f.triggers
                    .iter()
                    .any(|t| matches!(t.kind, crate::syntax::ast::TriggerKind::Called { .. }))
            })
            .map(|f| {
                Completion::plain(f.name.name.clone(), CompletionKind::Flow, None)
                    .documented(f.doc.as_ref().map(|d| d.text()))
            })
            .collect()
    }

    /// Names that may stand here: locals, configs, functions, connectors and
    /// keywords.
    fn names(&self) -> Vec<Completion> {
        let mut proposals: Vec<Completion> = self
            .table
            .visible_at(self.file, offset_u32(self.offset))
            .into_iter()
            .map(|b| {
                Completion::plain(
                    b.name.clone(),
                    CompletionKind::Local,
                    Some(b.ty.to_string()),
                )
            })
            .collect();
        for name in self.symbols.configs.keys() {
            let ty = self.config_type(name).map(|t| t.to_string());
            proposals.push(Completion::plain(*name, CompletionKind::Config, ty));
        }
        for (name, span) in &self.symbols.values {
            if let Some(Declaration::Function(function)) = declaration(self.project, *span) {
                proposals.push(
                    Completion::plain(*name, CompletionKind::Function, None)
                        .documented(function.doc.as_ref().map(|d| d.text())),
                );
            }
        }
        proposals.extend(library::members(Receiver::Function).map(builtin));
        proposals.extend(library_modules());
        for (name, connector) in &self.symbols.connectors {
            proposals.push(
                Completion::plain(*name, CompletionKind::Connector, None)
                    .documented(connector.doc.as_ref().map(|d| d.text())),
            );
        }
        proposals.extend(
            KEYWORDS
                .iter()
                .map(|k| Completion::plain(*k, CompletionKind::Keyword, None)),
        );
        proposals
    }
}

/// The events of a connector, named alone or as `connector.event`.
fn events_of(connector: &Connector, qualified: bool) -> Vec<Completion> {
    connector
        .members
        .iter()
        .filter_map(|m| match m {
            ConnectorMember::Event(event) => {
                let label = if qualified {
                    format!("{}.{}", connector.name.name, event.name.name)
                } else {
                    event.name.name.clone()
                };
                let detail = format!("\"{}\"", event.provider_name.value);
                Some(
                    Completion::plain(label, CompletionKind::Event, Some(detail))
                        .documented(event.doc.as_ref().map(|d| d.text())),
                )
            }
            _ => None,
        })
        .collect()
}

fn builtin(b: &'static Builtin) -> Completion {
    let kind = match b.receiver {
        Receiver::Function | Receiver::Module(_) => CompletionKind::Function,
        _ => CompletionKind::Method,
    };
    let params: Vec<String> = b
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| format!("${{{}:{}}}", i + 1, p.name))
        .collect();
    Completion {
        label: b.name.to_owned(),
        kind,
        detail: Some(b.qualified_name()),
        documentation: Some(builtin_markdown(b)),
        insert_text: format!("{}({})", b.name, params.join(", ")),
        snippet: true,
    }
}

/// The built-in modules, once each.
fn library_modules() -> Vec<Completion> {
    let mut modules: Vec<&str> = library::BUILTINS
        .iter()
        .filter_map(|b| match b.receiver {
            Receiver::Module(module) => Some(module),
            _ => None,
        })
        .collect();
    modules.sort_unstable();
    modules.dedup();
    modules
        .into_iter()
        .map(|m| Completion::plain(m, CompletionKind::Connector, Some("module".to_owned())))
        .collect()
}

/// The built-in methods of a value of type `ty`.
fn methods(ty: &Type) -> impl Iterator<Item = &'static Builtin> {
    let receivers: &[Receiver] = match ty.non_null() {
        Type::String => &[Receiver::Text],
        Type::List(element) if **element == Type::String => &[Receiver::List, Receiver::TextList],
        Type::List(_) => &[Receiver::List],
        Type::Time => &[Receiver::Time],
        Type::Map(..) => &[Receiver::Map],
        _ => &[],
    };
    receivers.iter().flat_map(|r| library::members(*r))
}

/// Templates for the items of a file.
fn top_level() -> Vec<Completion> {
    let snippet = |label: &str, detail: &str, body: &str| Completion {
        label: label.to_owned(),
        kind: CompletionKind::Snippet,
        detail: Some(detail.to_owned()),
        documentation: None,
        insert_text: body.to_owned(),
        snippet: true,
    };
    let mut proposals = vec![
        snippet(
            "flow",
            "a flow with a trigger, a filter and actions",
            "/// ${1:What this flow does, and why.}\nflow ${2:name} {\n  when ${3:okta.user_created} as ${4:e}\n  where ${5:true}\n  then {\n    $0\n  }\n}",
        ),
        snippet(
            "test",
            "a test of the flows",
            "test \"${1:what it shows}\" {\n  given event ${2:okta.user_created} = ${3:json(\"events/sample.json\")}\n  expect ${4:flow_name}\n  $0\n}",
        ),
        snippet(
            "config",
            "a setting of the project",
            "/// ${1:What it sets.}\nconfig ${2:name}: ${3:String} = ${4:\"\"}",
        ),
    ];
    proposals.extend(
        crate::syntax::ITEM_KEYWORDS
            .iter()
            .map(|k| Completion::plain(*k, CompletionKind::Keyword, None)),
    );
    proposals
}

/// `a.b?.c` → `["a", "b", "c"]`: the dotted names just before the cursor.
fn chain(receiver: &str) -> Vec<&str> {
    let is_part = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '?';
    let start = receiver
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_part(*c))
        .last()
        .map_or(receiver.len(), |(at, _)| at);
    receiver
        .get(start..)
        .unwrap_or_default()
        .split('.')
        .map(|part| part.trim_end_matches('?'))
        .collect()
}

/// Whether the line so far asks for an event: `when `, `or ` in a `when`
/// line, `wait for `, `given event `.
fn is_event_position(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed == "when"
        || (trimmed.starts_with("when ") && trimmed.ends_with(" or"))
        || trimmed.ends_with("wait for")
        || trimmed.ends_with("given event")
}

/// Whether `before` ends inside an item: more `{` than `}` opened.
/// The connector whose body the innermost brace open before the cursor
/// opens, if it is one: `connector hr {` on its line.
fn connector_body(before: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (at, c) in before.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth > 0 => depth -= 1,
            '{' => {
                let line = before.get(..at).unwrap_or_default();
                let line = line.rsplit('\n').next().unwrap_or_default();
                let name = line.trim_start().strip_prefix("connector ")?;
                return Some(name.trim());
            }
            _ => {}
        }
    }
    None
}

/// What the body of `connector` may hold: the settings its engine reads,
/// with what each sets, and the members' keywords.
fn connector_members(connector: &str) -> Vec<Completion> {
    let engine = crate::plan::settings::Engine::of(connector);
    let settings = engine.settings().map(|known| Completion {
        label: known.key.to_owned(),
        kind: CompletionKind::Setting,
        detail: Some("connector setting".to_owned()),
        documentation: Some(known.doc.to_owned()),
        insert_text: format!("{}: ", known.key),
        snippet: false,
    });
    let members = [
        "retry",
        "action",
        "read action",
        "destructive action",
        "event",
    ]
    .into_iter()
    .map(|k| Completion::plain(k, CompletionKind::Keyword, None));
    settings.chain(members).collect()
}

fn inside_item(before: &str) -> bool {
    let opened = before.matches('{').count();
    let closed = before.matches('}').count();
    opened > closed
}

/// The callee of the innermost call left open before the cursor,
/// `okta.get_user`, and the arguments written so far (the text after its `(`).
pub(super) fn open_call(before: &str) -> Option<(String, &str)> {
    // Brackets inside strings and comments are text, not code.
    let code = crate::syntax::code_only(before);
    let mut depth = 0usize;
    for (at, c) in code.char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' if depth > 0 => depth -= 1,
            '(' => {
                let callee = chain(before.get(..at)?.trim_end()).join(".");
                let args = before.get(at + 1..)?;
                return (!callee.is_empty()).then_some((callee, args));
            }
            '[' | '{' => return None,
            _ => {}
        }
    }
    None
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn offset_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}
