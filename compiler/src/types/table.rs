//! What the checker learnt while it walked a file, kept for the editor:
//! every name a flow, function or lambda binds (with where it can be seen)
//! and the type of every name, field read and call.

use std::collections::HashMap;

use super::Type;
use crate::source::{FileId, Span};
use crate::syntax::ast::Ident;

/// What bound a local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// The event or request a trigger names (`when okta.user_created as e`).
    Trigger,
    /// A parameter of a called flow or of a function.
    Param,
    /// A `let`.
    Let,
    /// A `for` loop's variable.
    Loop,
    /// A lambda's parameter.
    Lambda,
    /// The error of an `on error` block, or the event of a `wait for` filter.
    Handler,
}

/// One local name and the type the checker gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// The name.
    pub name: String,
    /// Where the name is written where it is bound.
    pub span: Span,
    /// Its type.
    pub ty: Type,
    /// Where uses of the name refer to this binding.
    pub visible: Span,
    /// What bound it.
    pub kind: BindingKind,
    /// Whether its type was written (`let x: T = …`): no hint is needed.
    pub typed: bool,
}

/// The bindings and expression types of the checked files, indexed: the
/// editor asks for them once per name written in a file.
#[derive(Clone, Debug, Default)]
pub struct TypeTable {
    /// Every binding, in the order the checker met them.
    bindings: Vec<Binding>,
    /// The positions in `bindings` of each name's bindings.
    by_name: HashMap<String, Vec<usize>>,
    /// The type of every name, field read and call, by the expression's span.
    exprs: HashMap<Span, Type>,
}

impl TypeTable {
    /// Every binding, in the order the checker met them.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Replaces what the table knows of `file` by what `checked` knows of it.
    pub fn replace_file(&mut self, file: FileId, checked: TypeTable) {
        let kept: Vec<Binding> = std::mem::take(&mut self.bindings)
            .into_iter()
            .filter(|b| b.span.file != file)
            .chain(checked.bindings.into_iter().filter(|b| b.span.file == file))
            .collect();
        self.by_name.clear();
        for binding in kept {
            self.push(binding);
        }
        self.exprs.retain(|span, _| span.file != file);
        self.exprs.extend(
            checked
                .exprs
                .into_iter()
                .filter(|(span, _)| span.file == file),
        );
    }

    /// The binding a use of `name` at `at` refers to: the innermost one
    /// visible there.
    pub fn binding_at(&self, name: &str, at: Span) -> Option<&Binding> {
        self.by_name
            .get(name)?
            .iter()
            .filter_map(|i| self.bindings.get(*i))
            .filter(|b| b.visible.file == at.file)
            .filter(|b| b.visible.start <= at.start && at.end <= b.visible.end)
            .max_by_key(|b| b.visible.start)
    }

    /// Every binding visible at `offset` of a file, innermost first and each
    /// name once.
    pub fn visible_at(&self, file: crate::source::FileId, offset: u32) -> Vec<&Binding> {
        let mut visible: Vec<&Binding> = self
            .bindings
            .iter()
            .filter(|b| {
                b.visible.file == file && b.visible.start <= offset && offset <= b.visible.end
            })
            .collect();
        visible.sort_by_key(|b| std::cmp::Reverse(b.visible.start));
        let mut seen = std::collections::BTreeSet::new();
        visible.retain(|b| seen.insert(b.name.clone()));
        visible
    }

    /// The type of the expression written exactly at `span`.
    pub fn type_of(&self, span: Span) -> Option<&Type> {
        self.exprs.get(&span)
    }

    /// Records the type of the expression at `span`.
    pub(super) fn expr(&mut self, span: Span, ty: &Type) {
        self.exprs.insert(span, ty.clone());
    }

    fn push(&mut self, binding: Binding) {
        self.by_name
            .entry(binding.name.clone())
            .or_default()
            .push(self.bindings.len());
        self.bindings.push(binding);
    }

    pub(super) fn declare(
        &mut self,
        name: &Ident,
        ty: &Type,
        visible: Span,
        kind: BindingKind,
        typed: bool,
    ) {
        self.push(Binding {
            name: name.name.clone(),
            span: name.span,
            ty: ty.clone(),
            visible,
            kind,
            typed,
        });
    }
}
