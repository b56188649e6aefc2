//! Turning diagnostics into text: ariadne reports for terminals and JSON for
//! tools. The only module that knows ariadne.

use ariadne::{Config, IndexType, Label as AriadneLabel, Report, ReportKind};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::line_index::{self, LineIndex};
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

/// Builds the ariadne report. Spans are byte offsets; they are handed to
/// ariadne as character offsets, the index it handles everywhere (with
/// byte offsets it locates the header of a label in a second file by
/// characters, so the header and the snippet disagree after any multi-byte
/// character). Columns in the headers count characters, as editors do.
/// Labels in files `file_of` does not know are left out rather than drawn
/// in the wrong file.
fn report<'a>(
    diagnostic: &Diagnostic,
    colors: Colors,
    file_of: impl Fn(FileId) -> Option<&'a SourceFile>,
) -> String {
    let located =
        |span: Span| file_of(span.file).map(|file| (file.name.clone(), in_chars(&file.text, span)));
    let primary = diagnostic
        .span()
        .and_then(located)
        .unwrap_or_else(|| (String::new(), 0..0));
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::default()
        .with_index_type(IndexType::Char)
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
        let at = (file.name.clone(), in_chars(&file.text, label.span));
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

/// A byte span as a range of character offsets in `text`, clamped to the
/// text so that a stale span never makes rendering fail.
fn in_chars(text: &str, span: Span) -> std::ops::Range<usize> {
    let chars_before = |byte: usize| {
        let byte = byte.min(text.len());
        // A span inside a character counts up to that character.
        let boundary = (0..=byte)
            .rev()
            .find(|&b| text.is_char_boundary(b))
            .unwrap_or(0);
        text.get(..boundary)
            .map_or(0, |before| before.chars().count())
    };
    let start = chars_before(span.start as usize);
    let end = chars_before(span.end as usize).max(start);
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
    let place =
        |offset: u32| index.line_col(line_index::within_last_line(&file.text, offset as usize));
    let start = place(span.start);
    let end = place(span.end);
    JsonDiagnostic {
        file: &file.name,
        line: start.line + 1,
        column: start.column + 1,
        end_line: end.line + 1,
        end_column: end.column + 1,
        diagnostic,
    }
}
