//! The untyped syntax tree.
//!
//! It mirrors the source closely enough for the formatter to print it back:
//! doc comments are part of the tree, ordinary comments are kept beside it in
//! [`Module::comments`], and every node has a [`Span`]. Equality compares spans
//! too; tests that compare trees "ignoring spans" compare their JSON with the
//! `span` fields removed.

mod expr;
mod item;
pub(crate) mod shift;
mod stmt;
pub mod visit;

pub use expr::*;
pub use item::*;
pub use stmt::*;

use serde::Serialize;

use crate::source::{FileId, Span};

/// One parsed `.flow` file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Module {
    /// The file this module was parsed from.
    pub file: FileId,
    /// The top-level items that parsed, in source order.
    pub items: Vec<Item>,
    /// Every `//` comment of the file, in source order.
    pub comments: Vec<Comment>,
}

/// A `//` comment, kept so that the formatter can put it back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comment {
    /// The text after `//`, with trailing whitespace removed.
    pub text: String,
    /// Where the comment is, `//` included.
    pub span: Span,
}

/// A run of `///` doc comment lines attached to the item that follows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Doc {
    /// Each line's text after `///`, with trailing whitespace removed.
    pub lines: Vec<String>,
    /// Where the doc comment is.
    pub span: Span,
}

impl Doc {
    /// The documentation as one text, lines joined with newlines and the one
    /// space after `///` that people write by habit removed.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self
            .lines
            .iter()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect();
        lines.join("\n")
    }
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where the name is.
    pub span: Span,
}

/// A dotted name such as `okta.user_created`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Path {
    /// The parts between the dots, at least one.
    pub segments: Vec<Ident>,
    /// Where the whole path is.
    pub span: Span,
}

impl Path {
    /// The path as written, parts joined with `.`.
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

/// A string literal that must be plain text (no `{…}` interpolation): cron
/// expressions, time zones, webhook paths, provider event names, test names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Text {
    /// The text with escapes resolved.
    pub value: String,
    /// Where the literal is, quotes included.
    pub span: Span,
}
