//! Recovery inside an item, at statement boundaries.
//!
//! pest stops at the first error. When an item fails, the line of the broken
//! statement is blanked out (replaced by spaces, so every offset stays the
//! same) and the item is parsed again, up to [`MAX_RECOVERIES`] times. The
//! recovery is kept only if every blanked line lies inside a statement block
//! of a flow or inside a test, where removing a line cannot change what the
//! lines around it mean; otherwise the item reports its first error alone and
//! is left out, as without recovery. This way a flow with two broken
//! statements reports both, and the rest of the flow is still in the tree for
//! the editor to work with.

use pest::Parser as _;

use super::build::{self, Builder};
use super::error::SyntaxError;
use super::expected;
use super::parser::{FlowParser, Rule};
use super::scan::{self, Mark};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::ast::{Comment, Item};

/// How many broken statements one item may have before the parser stops
/// looking for more.
const MAX_RECOVERIES: usize = 16;

/// Items larger than this are not recovered inside: each recovery parses the
/// whole item again, and an item this size is generated, not written.
const MAX_RECOVERABLE_ITEM: usize = 256 * 1024;

/// What parsing one chunk of a file produced.
pub(super) struct ChunkResult {
    pub(super) items: Vec<Item>,
    pub(super) comments: Vec<Comment>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The lines blanked out to recover, if any.
    pub(super) recovered: Vec<Span>,
}

/// Parses the chunk `text[offset..offset + chunk.len()]`, recovering at
/// statement boundaries.
pub(super) fn parse_chunk(file: FileId, text: &str, offset: usize, chunk: &str) -> ChunkResult {
    let first_error = match attempt(file, offset, chunk, text) {
        Ok(result) => return result,
        Err(error) => error,
    };
    if let Some(result) = items_before_stray_text(file, text, offset, chunk, &first_error) {
        return result;
    }
    let mut working = chunk.to_owned();
    let mut errors = vec![first_error];
    let mut blanked: Vec<Span> = Vec::new();
    while blanked.len() < MAX_RECOVERIES && chunk.len() <= MAX_RECOVERABLE_ITEM {
        let Some(last) = errors.last() else { break };
        let Some((line, next)) = recover_once(file, text, offset, &mut working, last) else {
            break;
        };
        blanked.push(Span::new(file, offset + line.start, offset + line.end));
        match next {
            Err(next_error) => errors.push(next_error),
            Ok(mut result) => {
                if !blanked
                    .iter()
                    .all(|line| inside_a_block(&result.items, *line))
                {
                    break;
                }
                let mut diagnostics: Vec<Diagnostic> = errors
                    .into_iter()
                    .map(SyntaxError::into_diagnostic)
                    .collect();
                diagnostics.append(&mut result.diagnostics);
                result.diagnostics = diagnostics;
                result.recovered = blanked;
                return result;
            }
        }
    }
    // No recovery: the item's first error alone, as if pest had stopped there.
    ChunkResult {
        items: Vec::new(),
        comments: Vec::new(),
        diagnostics: errors
            .into_iter()
            .take(1)
            .map(SyntaxError::into_diagnostic)
            .collect(),
        recovered: Vec::new(),
    }
}

/// When the chunk's items are whole and only what follows them is wrong (a
/// stray `}`, `)`, word or string after a flow), the items before it, with
/// one diagnostic for the stray text. The rest of the chunk is skipped: it
/// holds no item keyword in column 0, or it would be a chunk of its own.
fn items_before_stray_text(
    file: FileId,
    text: &str,
    offset: usize,
    chunk: &str,
    error: &SyntaxError,
) -> Option<ChunkResult> {
    let at = (error.span().start as usize).checked_sub(offset)?;
    let before = chunk.get(..at)?;
    if before.trim().is_empty() {
        return None;
    }
    let mut result = attempt(file, offset, before, text).ok()?;
    if result.items.is_empty() {
        return None;
    }
    result
        .diagnostics
        .insert(0, error.clone().into_diagnostic());
    Some(result)
}

/// Blanks the line of the statement that `error` points into and parses
/// again. Returns the blanked line and the new outcome, or `None` when no
/// line can be blanked or blanking does not get the parser any further.
fn recover_once(
    file: FileId,
    text: &str,
    offset: usize,
    working: &mut String,
    error: &SyntaxError,
) -> Option<(std::ops::Range<usize>, Result<ChunkResult, SyntaxError>)> {
    let at = (error.span().start as usize).checked_sub(offset)?;
    for line in candidate_lines(working, at, error) {
        if !blankable(working, &line) {
            continue;
        }
        let mut candidate = working.clone();
        candidate.replace_range(line.clone(), &" ".repeat(line.len()));
        let view = [
            text.get(..offset)?,
            &candidate,
            text.get(offset + candidate.len()..)?,
        ]
        .concat();
        let outcome = attempt(file, offset, &candidate, &view);
        let progressed = match &outcome {
            Ok(_) => true,
            Err(next) => next.span().start as usize > offset + at,
        };
        if progressed {
            *working = candidate;
            return Some((line, outcome));
        }
    }
    None
}

/// The lines that may hold the broken statement, most likely first: the
/// error's own line, and when the error is at the first token of its line,
/// the line before (an unfinished `let x =` shows only at the next line).
fn candidate_lines(text: &str, at: usize, error: &SyntaxError) -> Vec<std::ops::Range<usize>> {
    let own = line_around(text, at);
    let first_on_line = text
        .get(own.start..at)
        .is_some_and(|before| before.trim().is_empty());
    let points_at_its_line = matches!(
        error,
        SyntaxError::MisplacedDocComment { .. } | SyntaxError::UnterminatedString { .. }
    );
    let mut lines = Vec::new();
    if first_on_line && !points_at_its_line {
        let before = text.get(..own.start).unwrap_or_default().trim_end();
        if let Some((last, _)) = before.char_indices().last() {
            lines.push(line_around(text, last));
        }
    }
    lines.push(own);
    lines
}

fn line_around(text: &str, at: usize) -> std::ops::Range<usize> {
    let start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| at + i);
    start..end
}

/// A line may be blanked if it is not the item's first line, holds
/// something, and opens no bracket it does not close (so that blanking it
/// cannot unbalance the lines around it).
fn blankable(text: &str, line: &std::ops::Range<usize>) -> bool {
    let Some(content) = text.get(line.clone()) else {
        return false;
    };
    if line.start == 0
        || text.get(..line.start).is_some_and(|t| t.trim().is_empty())
        || content.trim().is_empty()
    {
        return false;
    }
    let mut depth = 0i32;
    for (_, mark) in scan::scan(content) {
        match mark {
            Mark::Code('(' | '[' | '{') | Mark::InterpolationStart => depth += 1,
            Mark::Code(')' | ']' | '}') => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Parses a chunk once, without recovery.
fn attempt(
    file: FileId,
    offset: usize,
    chunk: &str,
    text: &str,
) -> Result<ChunkResult, SyntaxError> {
    let pairs = FlowParser::parse(Rule::chunk, chunk)
        .map_err(|_| expected::explain_failure(file, offset, chunk, text))?;
    let builder = Builder::new(file, offset);
    let mut items = Vec::new();
    let mut comments = Vec::new();
    for pair in pairs {
        comments.extend(
            pair.clone()
                .into_inner()
                .flatten()
                .filter(|p| p.as_rule() == Rule::COMMENT)
                .map(|p| Comment {
                    text: p
                        .as_str()
                        .strip_prefix("//")
                        .unwrap_or_default()
                        .trim_end()
                        .to_owned(),
                    span: Span::new(
                        file,
                        offset + p.as_span().start(),
                        offset + p.as_span().end(),
                    ),
                }),
        );
        items.extend(build::build_chunk(&builder, pair));
    }
    Ok(ChunkResult {
        items,
        comments,
        diagnostics: builder.into_diagnostics(),
        recovered: Vec::new(),
    })
}

/// Whether `line` lies strictly inside the `then` block or the `on error`
/// block of a flow (at any depth), or inside a test.
fn inside_a_block(items: &[Item], line: Span) -> bool {
    let within = |span: Span| span.start < line.start && line.end < span.end;
    items.iter().any(|item| match item {
        Item::Flow(flow) => {
            within(flow.body.span) || flow.on_error.as_ref().is_some_and(|h| within(h.body.span))
        }
        Item::Test(test) => within(test.span),
        _ => false,
    })
}
