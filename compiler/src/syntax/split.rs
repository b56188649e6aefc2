//! Splitting a file into chunks of top-level items, so that one broken item
//! does not hide errors in the others (pest stops at its first error).
//!
//! An item starts at a line that begins, in column 0, with an item keyword —
//! or at the `///` and `//` lines directly above such a line. Strings cannot
//! span lines, so a line start is never inside a string.

/// Keywords that start a top-level item.
pub const ITEM_KEYWORDS: &[&str] = &[
    "import",
    "config",
    "type",
    "extend",
    "fn",
    "connector",
    "flow",
    "test",
];

/// Byte ranges of the chunks of `text`, in order, covering the whole text.
pub(super) fn chunks(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut starts = vec![0];
    // The first line of the run of comment lines directly above the current line.
    let mut comment_run_start: Option<usize> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        // An indented comment line belongs to the run as well: `/// a` then
        // `  /// b` is one doc comment.
        if line.trim_start().starts_with("//") {
            comment_run_start.get_or_insert(line_start);
        } else {
            if starts_item(line) {
                let start = comment_run_start.unwrap_or(line_start);
                if start > 0 {
                    starts.push(start);
                }
            }
            comment_run_start = None;
        }
        line_start += line.len();
    }
    starts.dedup();
    let mut ends: Vec<usize> = starts.iter().skip(1).copied().collect();
    ends.push(text.len());
    starts
        .into_iter()
        .zip(ends)
        .map(|(start, end)| start..end)
        .collect()
}

fn starts_item(line: &str) -> bool {
    ITEM_KEYWORDS.iter().any(|keyword| {
        line.strip_prefix(keyword)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '{', '"', '\n', '\r']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_start_at_keywords_in_column_zero_with_their_comments() {
        let text = "import okta\n\n/// doc\n// note\nflow a {\n  type x\n}\ntest \"t\" {}\n";
        let parts: Vec<&str> = chunks(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            parts,
            [
                "import okta\n\n",
                "/// doc\n// note\nflow a {\n  type x\n}\n",
                "test \"t\" {}\n"
            ]
        );
    }

    #[test]
    fn an_indented_doc_line_stays_with_the_item_below() {
        let text = "import okta\n/// a\n  /// b\nflow f {}\n";
        let parts: Vec<&str> = chunks(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts, ["import okta\n", "/// a\n  /// b\nflow f {}\n"]);
    }

    #[test]
    fn a_word_that_merely_begins_with_a_keyword_does_not_split() {
        let text = "flow a {}\nflowers\ntypes\n";
        assert_eq!(chunks(text).len(), 1);
    }
}
