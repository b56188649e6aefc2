//! Printing results and diagnostics.

use std::io::{IsTerminal as _, Write as _};

use idflow_compiler::diagnostics::Diagnostic;
use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::source::{SourceFile, SourceMap};

use crate::cli::ErrorFormat;

/// Prints diagnostics about one file to standard error.
pub fn diagnostics(diagnostics: &[Diagnostic], file: &SourceFile, format: ErrorFormat) {
    let mut err = std::io::stderr().lock();
    let colors = if std::io::stderr().is_terminal() {
        Colors::On
    } else {
        Colors::Off
    };
    for diagnostic in diagnostics {
        let text = match format {
            ErrorFormat::Human => render::to_text(diagnostic, file, colors),
            ErrorFormat::Json => {
                let json = render::to_json(diagnostic, file);
                format!("{}\n", serde_json::to_string(&json).unwrap_or_default())
            }
        };
        // A closed stderr leaves nowhere to report to.
        let _ = err.write_all(text.as_bytes());
    }
}

/// Prints reports about the files of a project to standard error; a label
/// may point into any file of `sources`.
pub fn project_diagnostics(all: &[Diagnostic], sources: &SourceMap) {
    let mut err = std::io::stderr().lock();
    let colors = if std::io::stderr().is_terminal() {
        Colors::On
    } else {
        Colors::Off
    };
    for diagnostic in all {
        let _ = err.write_all(render::to_text_in(diagnostic, sources, colors).as_bytes());
    }
}

/// Diagnostics as JSON, one object per line.
pub fn json_lines(all: &[Diagnostic], sources: &SourceMap) -> String {
    all.iter()
        .filter_map(|d| {
            let file = sources.get(d.span()?.file)?;
            Some(format!(
                "{}\n",
                serde_json::to_string(&render::to_json(d, file)).unwrap_or_default()
            ))
        })
        .collect()
}

/// Writes text to standard output; a closed pipe (`idflow … | head`) is not an error.
pub fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Writes one line to standard error.
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Prints a usage or input/output error: one line, `error: ` and the causes.
pub fn usage_error(error: &anyhow::Error) {
    note(&format!("error: {error:#}"));
}
