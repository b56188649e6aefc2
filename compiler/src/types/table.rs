//! What the checker learnt while it walked a file, kept for the editor:
//! every name a flow, function or lambda binds (with where it can be seen)
//! and the type of every name, field read and call.

use super::Type;
use crate::source::Span;
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

/// The bindings and expression types of the checked files.
#[derive(Clone, Debug, Default)]
pub struct TypeTable {
    /// Every binding, in the order the checker met them.
    pub bindings: Vec<Binding>,
    /// The type of every name, field read and call, by the expression's span.
    pub exprs: Vec<(Span, Type)>,
}

impl TypeTable {
    /// The binding a use of `name` at `offset` of `span.file` refers to: the
    /// innermost one visible there.
    pub fn binding_at(&self, name: &str, at: Span) -> Option<&Binding> {
        self.bindings
            .iter()
            .filter(|b| b.name == name && b.visible.file == at.file)
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
        self.exprs.iter().find(|(s, _)| *s == span).map(|(_, t)| t)
    }

    pub(super) fn declare(
        &mut self,
        name: &Ident,
        ty: &Type,
        visible: Span,
        kind: BindingKind,
        typed: bool,
    ) {
        self.bindings.push(Binding {
            name: name.name.clone(),
            span: name.span,
            ty: ty.clone(),
            visible,
            kind,
            typed,
        });
    }
}
