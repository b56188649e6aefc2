//! Turning diagnostics into text: ariadne reports for terminals and JSON for
//! tools. The only module that knows ariadne.

use ariadne::{Config, IndexType, Label as AriadneLabel, Report, ReportKind};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::line_index::LineIndex;
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// Whether rendered reports use terminal colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colors {
    /// ANSI colours, for a terminal.
    On,
    /// Plain text, for files, pipes and snapshots.
    Off,
}

/// Renders one diagnostic about `file` as a human-readable report; every
/// span is taken to be in that file.
pub fn to_text(diagnostic: &Diagnostic, file: &SourceFile, colors: Colors) -> String {
    report(diagnostic, colors, |_| Some(file))
}

/// Renders one diagnostic whose labels may point into several files of `sources`.
pub fn to_text_in(diagnostic: &Diagnostic, sources: &SourceMap, colors: Colors) -> String {
    report(diagnostic, colors, |id| sources.get(id))
}

/// Builds the ariadne report. Spans are byte offsets, so ariadne is told to
/// count bytes, not characters. Labels in files `file_of` does not know are
/// left out rather than drawn in the wrong file.
fn report<'a>(
    diagnostic: &Diagnostic,
    colors: Colors,
    file_of: impl Fn(FileId) -> Option<&'a SourceFile>,
) -> String {
    let located = |span: Span| {
        file_of(span.file).map(|file| (file.name.clone(), clamp(span, file.text.len())))
    };
    let primary = diagnostic
        .span()
        .and_then(located)
        .unwrap_or_else(|| (String::new(), 0..0));
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(colors == Colors::On);
    let mut report = Report::build(kind, primary)
        .with_config(config)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message);
    let mut files: Vec<(String, &str)> = Vec::new();
    for (order, label) in diagnostic.labels.iter().enumerate() {
        let Some(file) = file_of(label.span.file) else {
            continue;
        };
        let at = (file.name.clone(), clamp(label.span, file.text.len()));
        if !files.iter().any(|(name, _)| *name == file.name) {
            files.push((file.name.clone(), file.text.as_str()));
        }
        let mut ariadne_label = AriadneLabel::new(at).with_order(order as i32);
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
    let written = report.finish().write(ariadne::sources(files), &mut out);
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
