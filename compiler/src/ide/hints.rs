//! Inlay hints: the type the checker gave each `let` written without one.

use crate::source::FileId;
use crate::types::{BindingKind, Type, TypeTable};

/// A hint shown after a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// The byte offset it is shown at: the end of the name.
    pub offset: usize,
    /// `: okta.User`.
    pub label: String,
}

/// The hints of `file` between the byte offsets `start` and `end`.
pub fn inlay_hints(table: &TypeTable, file: FileId, start: usize, end: usize) -> Vec<InlayHint> {
    let mut hints: Vec<InlayHint> = table
        .bindings()
        .iter()
        .filter(|b| b.span.file == file && b.kind == BindingKind::Let && !b.typed)
        .filter(|b| b.ty != Type::Unknown)
        .filter(|b| (start..=end).contains(&(b.span.end as usize)))
        .map(|b| InlayHint {
            offset: b.span.end as usize,
            label: format!(": {}", b.ty),
        })
        .collect();
    hints.sort_by_key(|h| h.offset);
    hints.dedup();
    hints
}
