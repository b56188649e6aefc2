//! Diagnostics are data: a code, a severity, a message, labelled spans, notes,
//! help and machine-applicable fixes. Every phase produces them; only
//! [`render`] turns them into text.
//!
//! Message style: lower case, no final period, no line break; user input in
//! backticks; say "event", "action", "flow", never a Rust or grammar name.

pub mod codes;
pub mod fix;
pub mod render;
pub mod sarif;
pub mod suggest;

use serde::Serialize;

pub use codes::Code;

use crate::source::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The program is rejected.
    Error,
    /// The program is accepted, but something is probably wrong.
    Warning,
}

/// A problem found in the source, with everything needed to explain it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// The stable code, such as `E0101`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// Spans with a short explanation each; the first is the primary one.
    pub labels: Vec<Label>,
    /// Background facts.
    pub notes: Vec<String>,
    /// How to fix it, in words.
    pub help: Option<String>,
    /// How to fix it, as edits a tool can apply.
    pub fixes: Vec<Fix>,
}

/// A span of source with a short explanation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it; may be empty.
    pub message: String,
}

/// A change that resolves a diagnostic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    /// What the fix does, for a code action's title.
    pub title: String,
    /// Whether applying it without review keeps what the flows mean (adding
    /// a missing import, removing an unused one); "did you mean" guesses are
    /// not safe. `idflow lint --fix` applies the safe ones only.
    pub safe: bool,
    /// The text edits, which never overlap.
    pub edits: Vec<Edit>,
}

/// Replace the text of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Edit {
    /// The replaced range; empty for an insertion.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

impl Diagnostic {
    /// A warning with this code and message, labelled at `span`.
    pub fn warning(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message, span, label)
        }
    }

    /// An error with this code and message, labelled at `span`.
    pub fn error(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![Label {
                span,
                message: label.into(),
            }],
            notes: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a secondary label when there is a span for it.
    pub fn with_optional_label(self, span: Option<Span>, message: impl Into<String>) -> Self {
        match span {
            Some(span) => self.with_label(span, message),
            None => self,
        }
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// "Did you mean": when there is a suggestion, says it in the help and
    /// offers it as a fix that replaces `span`, for a person to review.
    pub fn with_suggestion(self, span: Span, suggestion: Option<String>) -> Self {
        match suggestion {
            Some(name) => self.with_help(format!("did you mean `{name}`?")).with_fix(
                format!("replace with `{name}`"),
                span,
                name,
            ),
            None => self,
        }
    }

    /// Adds a fix that is a guess, for a person to review.
    pub fn with_fix(
        self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.add_fix(title.into(), span, replacement.into(), false)
    }

    /// Adds a fix that is safe to apply without review.
    pub fn with_safe_fix(
        self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.add_fix(title.into(), span, replacement.into(), true)
    }

    fn add_fix(mut self, title: String, span: Span, replacement: String, safe: bool) -> Self {
        self.fixes.push(Fix {
            title,
            safe,
            edits: vec![Edit { span, replacement }],
        });
        self
    }

    /// The primary span: the first label's.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|label| label.span)
    }

    /// Whether this diagnostic rejects the program.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Puts diagnostics in source order — by file, then by where their primary
/// span starts and ends — whatever pass found them, so every output reads
/// top to bottom. The sort is stable: two at one place keep their order.
pub fn sort_in_source_order(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| d.span().map(|s| (s.file, s.start, s.end)));
}
