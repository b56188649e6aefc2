//! Lints: warnings about flows that are valid but probably wrong, or that an
//! auditor would question. Each rule lives in its own file under `rules/`,
//! with its code, its name in `idflow.toml` and its reason; [`RULES`] lists
//! them all.
//!
//! A project sets each rule to `allow`, `warn` (the default) or `deny`: a
//! denied lint is reported as an error.

mod rules;

use std::collections::BTreeMap;

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::project::{Origin, Project, ProjectFile};
use crate::syntax::ast::{ActionDecl, ActionKind, Connector, ConnectorMember, Item};

pub use rules::RULES;

/// What a project does with one lint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Deny,
}

impl Level {
    /// The level named in `idflow.toml`: `allow`, `warn` or `deny`.
    pub fn parse(name: &str) -> Option<Level> {
        match name {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// One lint rule.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Its name in `idflow.toml`: `destructive-without-filter`.
    pub name: &'static str,
    /// Its diagnostic code.
    pub code: Code,
    /// Finds the problems in one project file.
    pub check: fn(&Context<'_>, &ProjectFile, &mut Vec<Diagnostic>),
}

/// The levels a project sets, by rule name; unset rules warn.
pub type Levels = BTreeMap<String, Level>;

/// What rules may ask about the project.
pub struct Context<'p> {
    /// The project.
    pub project: &'p Project,
    connectors: BTreeMap<&'p str, &'p Connector>,
}

impl<'p> Context<'p> {
    fn new(project: &'p Project) -> Self {
        let connectors = project
            .files
            .iter()
            .flat_map(|f| &f.parsed.module.items)
            .filter_map(|item| match item {
                Item::Connector(c) => Some((c.name.name.as_str(), c)),
                _ => None,
            })
            .collect();
        Self {
            project,
            connectors,
        }
    }

    /// The kind of `connector.action`, if both exist.
    pub fn action_kind(&self, connector: &str, action: &str) -> Option<ActionKind> {
        self.action(connector, action).map(|a| a.kind)
    }

    /// The declaration of `connector.action`, if both exist.
    pub fn action(&self, connector: &str, action: &str) -> Option<&'p ActionDecl> {
        self.connectors
            .get(connector)?
            .members
            .iter()
            .find_map(|m| match m {
                ConnectorMember::Action(a) if a.name.name == action => Some(&**a),
                _ => None,
            })
    }

    /// Every item of the project's own files.
    pub fn project_items(&self) -> impl Iterator<Item = &'p Item> {
        self.project
            .files
            .iter()
            .filter(|f| f.origin == Origin::Project)
            .flat_map(|f| &f.parsed.module.items)
    }

    /// Whether `name` is a connector.
    pub fn is_connector(&self, name: &str) -> bool {
        self.connectors.contains_key(name)
    }
}

/// Runs every lint not allowed over the project's own files, at its level.
pub fn lint(project: &Project, levels: &Levels) -> Vec<Diagnostic> {
    lint_in(project, levels, None)
}

/// Runs every lint not allowed over the project's own files, or over `only`
/// when given, at its level.
pub fn lint_in(
    project: &Project,
    levels: &Levels,
    only: Option<crate::source::FileId>,
) -> Vec<Diagnostic> {
    let context = Context::new(project);
    let mut diagnostics = Vec::new();
    for rule in RULES {
        let level = levels.get(rule.name).copied().unwrap_or(Level::Warn);
        if level == Level::Allow {
            continue;
        }
        let mut found = Vec::new();
        let files = project
            .files
            .iter()
            .filter(|f| f.origin == Origin::Project && only.is_none_or(|id| f.file == id));
        for file in files {
            (rule.check)(&context, file, &mut found);
        }
        if level == Level::Deny {
            found.iter_mut().for_each(|d| d.severity = Severity::Error);
        }
        diagnostics.append(&mut found);
    }
    diagnostics.sort_by_key(|d| d.span().map(|s| (s.file, s.start)));
    diagnostics
}

/// The levels the `[lints]` table of a parsed `idflow.toml` sets; why
/// not, naming the rule or the value at fault.
pub fn levels_from_manifest(manifest: &toml::Table) -> Result<Levels, String> {
    let mut levels = Levels::new();
    let Some(lints) = manifest.get("lints") else {
        return Ok(levels);
    };
    let Some(lints) = lints.as_table() else {
        return Err("`lints` must be a table of rule = level".to_owned());
    };
    for (rule, value) in lints {
        if !rule_names().any(|name| name == rule) {
            let hint = crate::diagnostics::suggest::did_you_mean(rule, rule_names())
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default();
            return Err(format!("no lint is named `{rule}`{hint}"));
        }
        let level = value
            .as_str()
            .and_then(Level::parse)
            .ok_or_else(|| format!("lint `{rule}` must be \"allow\", \"warn\" or \"deny\""))?;
        levels.insert(rule.clone(), level);
    }
    Ok(levels)
}

/// The names a lint rule may be given in `idflow.toml`.
pub fn rule_names() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|rule| rule.name)
}
