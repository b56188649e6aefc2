//! Building the syntax tree from pest's parse tree.
//!
//! The grammar fixes the shape of every parse-tree node, so a missing child
//! here is a bug in this module, not in the user's file; even then the builder
//! does not panic: the item is dropped and an internal-error diagnostic says so.

mod expr;
mod item;
mod stmt;
mod test;

use std::cell::RefCell;

use pest::iterators::{Pair, Pairs};

use super::error::SyntaxError;
use super::parser::Rule;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::ast::{
    Doc, FieldDecl, Ident, Param, Path, StringLit, StringPart, Text, TypeExpr, TypeExprKind,
};

pub(super) use item::build_chunk;

pub(super) use super::MAX_EXPR_DEPTH;

/// Builds tree nodes from the pairs of one chunk of a file.
pub(super) struct Builder {
    file: FileId,
    /// Where the chunk starts in the file: pest positions are chunk-relative.
    offset: usize,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

impl Builder {
    pub(super) fn new(file: FileId, offset: usize) -> Self {
        Self {
            file,
            offset,
            diagnostics: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    fn report(&self, error: SyntaxError) {
        self.diagnostics.borrow_mut().push(error.into_diagnostic());
    }

    /// The span of a pair without the whitespace and comments that pest
    /// includes at its end when an optional part follows and is absent.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let start = self.offset + pair.as_span().start();
        Span::new(
            self.file,
            start,
            start + without_trailing_trivia(pair.as_str()),
        )
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            span: self.span(&pair),
            name: pair.as_str().to_owned(),
        }
    }

    fn path(&self, pair: Pair<'_, Rule>) -> Option<Path> {
        let span = self.span(&pair);
        let segments: Vec<Ident> = children(pair).map(|p| self.ident(p)).collect();
        (!segments.is_empty()).then_some(Path { segments, span })
    }

    fn doc(&self, pair: Pair<'_, Rule>) -> Doc {
        // Not `self.span`: the text is all comment lines, of which none is trailing trivia.
        let start = self.offset + pair.as_span().start();
        let span = Span::new(self.file, start, start + pair.as_str().trim_end().len());
        let lines = children(pair)
            .map(|line| {
                let text = line.as_str();
                text.strip_prefix("///")
                    .unwrap_or(text)
                    .trim_end()
                    .to_owned()
            })
            .collect();
        Doc { lines, span }
    }

    /// A string literal with its interpolations.
    fn string(&self, pair: Pair<'_, Rule>, depth: &mut u32) -> Option<StringLit> {
        let span = self.span(&pair);
        let mut parts: Vec<StringPart> = Vec::new();
        for part in children(pair) {
            match part.as_rule() {
                Rule::str_text => push_text(&mut parts, part.as_str()),
                Rule::str_escape => {
                    let escaped = self.escape(&part)?;
                    push_text(&mut parts, escaped.encode_utf8(&mut [0; 4]));
                }
                Rule::interpolation => {
                    let inner = children(part).next()?;
                    let (expr, inner_depth) = self.expr(inner)?;
                    *depth = (*depth).max(inner_depth + 1);
                    parts.push(StringPart::Interpolation(expr));
                }
                _ => return None,
            }
        }
        Some(StringLit { parts, span })
    }

    fn escape(&self, pair: &Pair<'_, Rule>) -> Option<char> {
        let text = pair.as_str();
        Some(match text {
            "\\\"" => '"',
            "\\\\" => '\\',
            "\\n" => '\n',
            "\\t" => '\t',
            "\\r" => '\r',
            "\\{" => '{',
            "\\}" => '}',
            _ => {
                let hex = text.strip_prefix("\\u{")?.strip_suffix('}')?;
                let code = u32::from_str_radix(hex, 16).ok();
                match code.and_then(char::from_u32) {
                    Some(c) => c,
                    None => {
                        self.report(SyntaxError::InvalidEscape {
                            span: self.span(pair),
                        });
                        '\u{FFFD}'
                    }
                }
            }
        })
    }

    /// A string literal that must not interpolate.
    fn text(&self, pair: Pair<'_, Rule>, what: &'static str) -> Option<Text> {
        let mut depth = 0;
        let literal = self.string(pair, &mut depth)?;
        let mut value = String::new();
        for part in &literal.parts {
            match part {
                StringPart::Text(text) => value.push_str(text),
                StringPart::Interpolation(expr) => {
                    self.report(SyntaxError::InterpolationNotAllowed {
                        span: expr.span,
                        what,
                    });
                }
            }
        }
        Some(Text {
            value,
            span: literal.span,
        })
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> Option<TypeExpr> {
        let span = self.span(&pair);
        let mut inner = Children::new(pair);
        let shape = inner.next()?;
        let kind = match shape.as_rule() {
            Rule::record_type => TypeExprKind::Record(self.field_decls(shape)?),
            Rule::named_type => {
                let mut parts = Children::new(shape);
                let name = self.path(parts.next()?)?;
                let args = match parts.take(Rule::type_args) {
                    Some(args) => children(args)
                        .map(|t| self.type_expr(t))
                        .collect::<Option<_>>()?,
                    None => Vec::new(),
                };
                TypeExprKind::Named { name, args }
            }
            _ => return None,
        };
        let optional = inner.take(Rule::optional).is_some();
        Some(TypeExpr {
            kind,
            optional,
            span,
        })
    }

    fn field_decls(&self, record: Pair<'_, Rule>) -> Option<Vec<FieldDecl>> {
        children(record)
            .map(|field| {
                let span = self.span(&field);
                let mut parts = Children::new(field);
                let doc = parts.take(Rule::doc).map(|d| self.doc(d));
                let key = parts.next()?;
                let quoted = key.as_rule() == Rule::string;
                let name = if quoted {
                    let text = self.text(key, "a field name")?;
                    Ident {
                        name: text.value,
                        span: text.span,
                    }
                } else {
                    self.ident(key)
                };
                let ty = self.type_expr(parts.next()?)?;
                Some(FieldDecl {
                    doc,
                    name,
                    quoted,
                    ty,
                    span,
                })
            })
            .collect()
    }

    fn params(&self, pair: Pair<'_, Rule>) -> Option<Vec<Param>> {
        children(pair)
            .map(|param| {
                let span = self.span(&param);
                let mut parts = Children::new(param);
                let name = self.ident(parts.next()?);
                let ty = self.type_expr(parts.next()?)?;
                let default = match parts.next() {
                    Some(value) => Some(self.expr(value)?.0),
                    None => None,
                };
                Some(Param {
                    name,
                    ty,
                    default,
                    span,
                })
            })
            .collect()
    }

    /// A whole number that must fit in `T`, reported at `pair` when it does not.
    fn number<T: TryFrom<u64>>(&self, pair: &Pair<'_, Rule>, what: &'static str) -> Option<T> {
        let value = pair
            .as_str()
            .trim_end_matches(|c: char| c.is_ascii_alphabetic());
        match value.parse::<u64>().ok().and_then(|v| T::try_from(v).ok()) {
            Some(number) => Some(number),
            None => {
                self.report(SyntaxError::NumberOutOfRange {
                    span: self.span(pair),
                    what,
                });
                None
            }
        }
    }
}

/// The length of `text` once trailing whitespace and `//` comments are removed.
fn without_trailing_trivia(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let kept = text.get(..end).unwrap_or_default();
        let line_start = kept.rfind('\n').map_or(0, |at| at + 1);
        let last_line = kept.get(line_start..).unwrap_or_default();
        match super::scan::comment_start(last_line) {
            Some(at) => {
                end = kept
                    .get(..line_start + at)
                    .unwrap_or_default()
                    .trim_end()
                    .len()
            }
            None => return end,
        }
    }
}

fn push_text(parts: &mut Vec<StringPart>, text: &str) {
    if let Some(StringPart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(StringPart::Text(text.to_owned()));
    }
}

/// Whether a rule only marks a keyword; such pairs carry nothing the tree needs.
fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_import
            | Rule::kw_config
            | Rule::kw_type
            | Rule::kw_extend
            | Rule::kw_fn
            | Rule::kw_connector
            | Rule::kw_flow
            | Rule::kw_test
            | Rule::kw_when
            | Rule::kw_where
            | Rule::kw_then
            | Rule::kw_let
            | Rule::kw_if
            | Rule::kw_else
            | Rule::kw_for
            | Rule::kw_in
            | Rule::kw_parallel
            | Rule::kw_wait
            | Rule::kw_until
            | Rule::kw_timeout
            | Rule::kw_stop
            | Rule::kw_return
            | Rule::kw_spawn
            | Rule::kw_call
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_on
            | Rule::kw_error
            | Rule::kw_retry
            | Rule::kw_backoff
            | Rule::kw_as
            | Rule::kw_read
            | Rule::kw_destructive
            | Rule::kw_action
            | Rule::kw_event
            | Rule::kw_query
            | Rule::kw_headers
            | Rule::kw_body
            | Rule::kw_paginate
            | Rule::kw_schedule
            | Rule::kw_tz
            | Rule::kw_missed
            | Rule::kw_webhook
            | Rule::kw_called
            | Rule::kw_given
            | Rule::kw_now
            | Rule::kw_returns
            | Rule::kw_fails
            | Rule::kw_status
            | Rule::kw_with
            | Rule::kw_advance
            | Rule::kw_expect
            | Rule::kw_no
            | Rule::kw_order
            | Rule::kw_run
    )
}

/// Whether a pair carries meaning: comments and keywords do not.
fn is_meaningful(pair: &Pair<'_, Rule>) -> bool {
    pair.as_rule() != Rule::COMMENT && !is_keyword(pair.as_rule())
}

type Meaningful<'i> = std::iter::Filter<Pairs<'i, Rule>, fn(&Pair<'i, Rule>) -> bool>;

/// The children of a pair that carry meaning: no comments, no keywords.
fn children<'i>(pair: Pair<'i, Rule>) -> Meaningful<'i> {
    meaningful(pair.into_inner())
}

fn meaningful<'i>(pairs: Pairs<'i, Rule>) -> Meaningful<'i> {
    pairs.filter(is_meaningful as fn(&Pair<'i, Rule>) -> bool)
}

/// A cursor over the meaningful children of a pair, for optional parts.
struct Children<'i> {
    inner: std::iter::Peekable<Meaningful<'i>>,
}

impl<'i> Children<'i> {
    fn new(pair: Pair<'i, Rule>) -> Self {
        Self {
            inner: children(pair).peekable(),
        }
    }

    fn next(&mut self) -> Option<Pair<'i, Rule>> {
        self.inner.next()
    }

    /// The next child if it is a `rule`.
    fn take(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.inner.next_if(|p| p.as_rule() == rule)
    }
}
