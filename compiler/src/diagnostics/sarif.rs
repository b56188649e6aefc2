//! Diagnostics as SARIF 2.1.0, the format code-scanning dashboards read
//! (GitHub code scanning among them). Columns count Unicode code points, as
//! the run declares.

use serde_json::{Value, json};

use super::{Diagnostic, Severity, codes};
use crate::source::{SourceMap, Span};

/// One SARIF log with one run of idflow over `sources`.
pub fn to_sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> Value {
    let rules: Vec<Value> = codes::ALL
        .iter()
        .map(|code| json!({ "id": code.id, "shortDescription": { "text": code.explanation } }))
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .filter_map(|d| result(d, sources))
        .collect();
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "idflow",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn result(diagnostic: &Diagnostic, sources: &SourceMap) -> Option<Value> {
    let primary = location(diagnostic.span()?, sources)?;
    let related: Vec<Value> = diagnostic
        .labels
        .iter()
        .skip(1)
        .filter_map(|label| {
            let mut related = location(label.span, sources)?;
            if !label.message.is_empty() {
                set(&mut related, "message", json!({ "text": label.message }));
            }
            Some(related)
        })
        .collect();
    let fixes: Vec<Value> = diagnostic
        .fixes
        .iter()
        .map(|fix| {
            let changes: Vec<Value> = fix
                .edits
                .iter()
                .filter_map(|edit| {
                    let file = sources.get(edit.span.file)?;
                    Some(json!({
                        "artifactLocation": { "uri": file.name },
                        "replacements": [{
                            "deletedRegion": region(edit.span, &file.text),
                            "insertedContent": { "text": edit.replacement },
                        }],
                    }))
                })
                .collect();
            json!({ "description": { "text": fix.title }, "artifactChanges": changes })
        })
        .collect();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("; help: {help}"));
    }
    let mut result = json!({
        "ruleId": diagnostic.code.id,
        "level": match diagnostic.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": { "text": message },
        "locations": [primary],
    });
    if !related.is_empty() {
        set(&mut result, "relatedLocations", Value::Array(related));
    }
    if !fixes.is_empty() {
        set(&mut result, "fixes", Value::Array(fixes));
    }
    Some(result)
}

/// Sets a member of a JSON object (every value built here is one).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

fn location(span: Span, sources: &SourceMap) -> Option<Value> {
    let file = sources.get(span.file)?;
    Some(json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.name },
            "region": region(span, &file.text),
        }
    }))
}

/// A SARIF region: 1-based lines and columns counted in code points.
fn region(span: Span, text: &str) -> Value {
    let (start_line, start_column) = line_column(text, span.start as usize);
    let (end_line, end_column) = line_column(text, span.end as usize);
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = crate::line_index::within_last_line(text, offset);
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = before.matches('\n').count() + 1;
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// A diagnostic as a GitHub Actions workflow command, which the Actions
/// runner turns into an annotation on the pull request.
pub fn to_github(diagnostic: &Diagnostic, sources: &SourceMap) -> Option<String> {
    let span = diagnostic.span()?;
    let file = sources.get(span.file)?;
    let (line, column) = line_column(&file.text, span.start as usize);
    let (end_line, end_column) = line_column(&file.text, span.end as usize);
    let level = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    Some(format!(
        "::{level} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
        escape_property(&file.name),
        diagnostic.code.id,
        escape_data(&message)
    ))
}

/// Escapes a workflow command's message, as the Actions runner expects.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
