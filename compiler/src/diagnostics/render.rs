//! Turning diagnostics into text: ariadne reports for terminals and JSON for
//! tools. The only module that knows ariadne.

use ariadne::{Config, IndexType, Label as AriadneLabel, Report, ReportKind, Source};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::line_index::LineIndex;
use crate::source::{SourceFile, Span};

/// Whether rendered reports use terminal colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colors {
    /// ANSI colours, for a terminal.
    On,
    /// Plain text, for files, pipes and snapshots.
    Off,
}

/// Renders one diagnostic about `file` as a human-readable report.
///
/// Spans are byte offsets, so ariadne is told to count bytes, not characters.
pub fn to_text(diagnostic: &Diagnostic, file: &SourceFile, colors: Colors) -> String {
    let name = file.name.as_str();
    let text_len = file.text.len();
    let range = |span: Span| clamp(span, text_len);
    let primary = diagnostic.span().map(range).unwrap_or(0..0);
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(colors == Colors::On);
    let mut report = Report::build(kind, (name, primary))
        .with_config(config)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message);
    for (order, label) in diagnostic.labels.iter().enumerate() {
        let mut ariadne_label =
            AriadneLabel::new((name, range(label.span))).with_order(order as i32);
        if !label.message.is_empty() {
            ariadne_label = ariadne_label.with_message(&label.message);
        }
        report = report.with_label(ariadne_label);
    }
    for note in &diagnostic.notes {
        report = report.with_note(note);
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    let mut out = Vec::new();
    let written = report
        .finish()
        .write((name, Source::from(file.text.as_str())), &mut out);
    match written {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        // Writing into a Vec cannot fail; fall back to the bare message anyway.
        Err(_) => format!(
            "{}[{}]: {}\n",
            severity_word(diagnostic.severity),
            diagnostic.code,
            diagnostic.message
        ),
    }
}

/// A span clamped to the text, so a stale span never makes rendering fail.
fn clamp(span: Span, len: usize) -> std::ops::Range<usize> {
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    start..end
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A diagnostic as JSON for tools: the data plus 1-based lines and columns
/// (columns count UTF-8 bytes).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// The file's display name.
    pub file: &'a str,
    /// Line of the primary span's start.
    pub line: usize,
    /// Column of the primary span's start.
    pub column: usize,
    /// Line of the primary span's end.
    pub end_line: usize,
    /// Column of the primary span's end.
    pub end_column: usize,
    /// The diagnostic itself.
    #[serde(flatten)]
    pub diagnostic: &'a Diagnostic,
}

/// Converts a diagnostic about `file` into its JSON form.
pub fn to_json<'a>(diagnostic: &'a Diagnostic, file: &'a SourceFile) -> JsonDiagnostic<'a> {
    let index = LineIndex::new(&file.text);
    let span = diagnostic.span().unwrap_or_default();
    let start = index.line_col(span.start as usize);
    let end = index.line_col(span.end as usize);
    JsonDiagnostic {
        file: &file.name,
        line: start.line + 1,
        column: start.column + 1,
        end_line: end.line + 1,
        end_column: end.column + 1,
        diagnostic,
    }
}
