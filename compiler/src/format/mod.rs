//! The formatter: one canonical style for every `.flow` file.
//!
//! It prints the syntax tree, not the text, so layout choices never depend on
//! how the input was laid out — which is what makes it idempotent. Two things
//! come from the text on purpose: `//` comments (kept, in order, each on its
//! line or at the end of the line it ended) and blank lines between
//! statements, members and items (kept, at most one). It refuses files with
//! syntax errors, since the tree of such a file is incomplete.
//!
//! The style: two-space indentation, lines of at most [`MAX_WIDTH`]
//! characters where the language allows a break (argument lists, records,
//! lists, parameters, `and`/`or` chains), a trailing comma after every
//! element of a broken list.

mod expr;
mod items;
mod printer;
mod stmt;

use crate::diagnostics::Diagnostic;
use crate::source::FileId;
use crate::syntax::{self, ast::Module};

use printer::Printer;

/// The line width the formatter aims for.
pub const MAX_WIDTH: usize = 100;

/// Formats a parsed module whose source is `text`. The module must come from
/// a parse without errors (see [`format_source`]), or items will be missing.
pub fn format(module: &Module, text: &str) -> String {
    let mut printer = Printer::new(text, &module.comments);
    printer.module(module);
    printer.finish()
}

/// Parses and formats `text`; returns the diagnostics instead when it has
/// syntax errors.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = syntax::parse(file, text);
    if parsed.has_errors() {
        return Err(parsed.diagnostics);
    }
    Ok(format(&parsed.module, text))
}
