//! Plain-data answers for the language server: diagnostics of one file or
//! of all, what a name refers to, hovers, completions, signatures, symbols,
//! semantic tokens, inlay hints and folding ranges.
//!
//! Everything here works on byte offsets and [`Span`]s; the language server
//! converts to the protocol's lines and UTF-16 columns at its edge. Nothing
//! here assumes the file parsed: every query answers from whatever part of
//! the tree the parser kept, and from the text itself where the tree has a
//! hole (the line being typed).

mod completion;
mod declaration;
mod folding;
mod hints;
mod hover;
mod navigation;
mod occurrences;
mod signature;
mod symbols;
mod tokens;

pub use completion::{Completion, CompletionKind, complete};
pub use folding::FoldKind;
pub use folding::folding_ranges;
pub use hints::{InlayHint, inlay_hints};
pub use hover::{Hover, flow_plan_markdown, hover};
pub use navigation::{definition, references, rename};
pub use occurrences::{Occurrence, SymbolKind, occurrences};
pub use signature::{Signature, signature_help};
pub use symbols::{DocumentSymbol, OutlineKind, document_symbols};
pub use tokens::{SemanticToken, TokenKind, semantic_tokens};

use crate::diagnostics::Diagnostic;
use crate::lint::{self, Levels};
use crate::project::Project;
use crate::source::{FileId, Span};
use crate::types::{self, TypeTable};

/// What checking a project, or one of its files, found.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Syntax, name, type and lint diagnostics: what `idflow lint` reports.
    pub diagnostics: Vec<Diagnostic>,
    /// The bindings and types the checker met.
    pub table: TypeTable,
}

/// Checks the whole project (`only` = `None`) or one file: the diagnostics
/// `idflow check` and `idflow lint` give, and the checker's type table.
/// Checking one file parses nothing and checks no other file; calls
/// between flows of different files are then not followed for cycles.
pub fn analyze(project: &Project, levels: &Levels, only: Option<FileId>) -> Analysis {
    let in_scope =
        |span: Option<Span>| only.is_none_or(|file| span.is_some_and(|s| s.file == file));
    let mut diagnostics: Vec<Diagnostic> = project
        .files
        .iter()
        .filter(|f| only.is_none_or(|file| f.file == file))
        .flat_map(|f| f.parsed.diagnostics.iter().cloned())
        .collect();
    let (symbols, resolved) = crate::resolve::resolve_in(project, only);
    diagnostics.extend(resolved);
    let (typed, table) = types::check(project, &symbols, only);
    diagnostics.extend(typed);
    diagnostics.extend(lint::lint_in(project, levels, only));
    diagnostics.retain(|d| in_scope(d.span()));
    Analysis { diagnostics, table }
}

/// The word (letters, digits, `_`) around `offset` of `text`, and where it is.
pub(crate) fn word_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(at, _)| at);
    let end = offset
        + after
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(after.len(), |(at, _)| at);
    (start < end).then_some((start, end))
}

#[cfg(test)]
mod tests;
