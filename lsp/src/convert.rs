//! Byte offsets and spans to the protocol's lines and UTF-16 columns and
//! back, and diagnostics to the protocol's: the only place that converts.

use idflow_compiler::diagnostics::{Diagnostic, Edit, Severity};
use idflow_compiler::line_index::LineIndex;
use idflow_compiler::source::Span;
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, Location, NumberOrString, Position, Range, TextEdit,
    Uri,
};

/// One file's text with its line index.
pub struct Text<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Text<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            index: LineIndex::new(text),
        }
    }

    /// The protocol position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let at = self.index.utf16(self.text, offset);
        Position::new(to_u32(at.line), to_u32(at.column))
    }

    /// The byte offset of a protocol position, clamped into the text.
    pub fn offset(&self, position: Position) -> usize {
        self.index.offset_of_utf16(
            self.text,
            position.line as usize,
            position.character as usize,
        )
    }

    /// The protocol range of a span.
    pub fn range(&self, span: Span) -> Range {
        Range::new(
            self.position(span.start as usize),
            self.position(span.end as usize),
        )
    }

    /// The protocol edit of an edit.
    pub fn edit(&self, edit: &Edit) -> TextEdit {
        TextEdit::new(self.range(edit.span), edit.replacement.clone())
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A diagnostic as the editor shows it: the primary label's range, the code,
/// the message with its help, the other labels as related information —
/// those in other files (a definition in another file, in the stdlib) at
/// the place `elsewhere` gives them.
pub fn diagnostic(
    diagnostic: &Diagnostic,
    text: &Text<'_>,
    uri: &Uri,
    elsewhere: &dyn Fn(idflow_compiler::source::Span) -> Option<Location>,
) -> lsp::Diagnostic {
    let range = diagnostic
        .span()
        .map(|span| text.range(span))
        .unwrap_or_default();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    for note in &diagnostic.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .skip(1)
        .filter(|label| !label.message.is_empty())
        .filter_map(|label| {
            let here = diagnostic.span().is_some_and(|s| s.file == label.span.file);
            let location = if here {
                Location::new(uri.clone(), text.range(label.span))
            } else {
                elsewhere(label.span)?
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: label.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        code_description: None,
        source: Some("idflow".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
