//! Applying the edits of fixes to a text.

use super::Edit;

/// Applies `edits` to `text`: the same edit given twice (two diagnostics
/// asking for one missing import) is applied once; edits that overlap one
/// applied earlier, or that fall outside the text, are skipped. Returns the
/// new text and how many edits were applied.
pub fn apply(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.replacement).cmp(&(b.span.start, b.span.end, &b.replacement))
    });
    sorted.dedup_by(|a, b| a.span == b.span && a.replacement == b.replacement);
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0usize;
    let mut applied = 0;
    for edit in sorted {
        let (start, end) = (
            edit.span.start as usize,
            (edit.span.end as usize).min(text.len()),
        );
        let Some(kept) = text.get(copied_to..start) else {
            continue;
        };
        if end < start || !text.is_char_boundary(end) {
            continue;
        }
        out.push_str(kept);
        out.push_str(&edit.replacement);
        copied_to = end;
        applied += 1;
    }
    out.push_str(text.get(copied_to..).unwrap_or_default());
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn edit(start: usize, end: usize, replacement: &str) -> Edit {
        Edit {
            span: Span::new(FileId(0), start, end),
            replacement: replacement.to_owned(),
        }
    }

    #[test]
    fn edits_apply_in_order_of_position() {
        let (a, b) = (edit(6, 11, "there"), edit(0, 0, "// "));
        assert_eq!(
            apply("hello world", &[&a, &b]),
            ("// hello there".to_owned(), 2)
        );
    }

    #[test]
    fn overlapping_and_out_of_range_edits_are_skipped() {
        let (a, b, c) = (edit(0, 5, "HELLO"), edit(3, 8, "x"), edit(40, 50, "y"));
        assert_eq!(
            apply("hello world", &[&a, &b, &c]),
            ("HELLO world".to_owned(), 1)
        );
    }

    #[test]
    fn the_same_edit_twice_is_applied_once_but_two_insertions_both_apply() {
        let (a, b, c) = (
            edit(0, 0, "import okta\n"),
            edit(0, 0, "import okta\n"),
            edit(0, 0, "import slack\n"),
        );
        assert_eq!(
            apply("flow", &[&a, &b, &c]),
            ("import okta\nimport slack\nflow".to_owned(), 2)
        );
    }

    #[test]
    fn an_edit_past_the_end_is_clamped() {
        let a = edit(6, 12, "");
        assert_eq!(apply("hello world", &[&a]), ("hello ".to_owned(), 1));
    }
}
