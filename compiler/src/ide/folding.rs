//! Folding ranges: items, the blocks inside flows, and runs of comments.

use crate::project::ProjectFile;
use crate::source::Span;
use crate::syntax::ast::visit;

/// What a folding range holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// Code: an item or a block.
    Region,
    /// Consecutive comment or doc-comment lines.
    Comment,
}

/// The ranges of a file that can be folded, each covering more than one line
/// (callers drop the ones that do not).
pub fn folding_ranges(file: &ProjectFile, text: &str) -> Vec<(Span, FoldKind)> {
    let module = &file.parsed.module;
    let mut ranges: Vec<(Span, FoldKind)> = Vec::new();
    for item in &module.items {
        ranges.push((item.span(), FoldKind::Region));
        visit::blocks(item, &mut |block| {
            ranges.push((block.span, FoldKind::Region))
        });
    }
    // Comments on consecutive lines fold together.
    let mut run: Option<Span> = None;
    for comment in &module.comments {
        run = match run {
            Some(span) if next_line(text, span, comment.span) => Some(span.to(comment.span)),
            Some(span) => {
                ranges.push((span, FoldKind::Comment));
                Some(comment.span)
            }
            None => Some(comment.span),
        };
    }
    ranges.extend(run.map(|span| (span, FoldKind::Comment)));
    ranges.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
    ranges
}

/// Whether `next` starts on the line after the one `previous` ends on.
fn next_line(text: &str, previous: Span, next: Span) -> bool {
    text.get(previous.end as usize..next.start as usize)
        .is_some_and(|between| between.trim().is_empty() && between.matches('\n').count() == 1)
}
