//! Byte offsets to lines and columns, in one place.

/// A zero-based line and column; the column counts UTF-8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Zero-based line.
    pub line: usize,
    /// Zero-based byte column.
    pub column: usize,
}

/// `offset`, moved back onto the last line when it points past the file's
/// final line break (where a parser reports a missing `}`), so that a
/// location for annotations never names a line the file does not show.
pub fn within_last_line(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let content = text.trim_end_matches(['\n', '\r']).len();
    if offset > content && content > 0 {
        content
    } else {
        offset
    }
}

/// The start offset of every line of a text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Self {
            line_starts,
            len: text.len(),
        }
    }

    /// The line and UTF-16 column of a byte offset in `text` (the text this
    /// index was built from), as the language server protocol counts them.
    pub fn utf16(&self, text: &str, offset: usize) -> LineCol {
        let LineCol { line, column } = self.line_col(offset);
        let start = offset.min(self.len) - column;
        let before = text.get(start..start + column).unwrap_or_default();
        LineCol {
            line,
            column: before.encode_utf16().count(),
        }
    }

    /// The byte offset of a line and UTF-16 column of `text`. A line past
    /// the end is the end of the text; a column past the end of its line is
    /// the end of the line; a column inside a character is that character.
    pub fn offset_of_utf16(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line) else {
            return self.len;
        };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.len, |next| next.saturating_sub(1));
        let mut units = 0;
        for (at, c) in text.get(start..end).unwrap_or_default().char_indices() {
            if units >= column {
                return start + at;
            }
            units += c.len_utf16();
            if units > column {
                return start + at;
            }
        }
        end
    }

    /// The line and column of a byte offset; offsets past the end clamp to it.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        LineCol {
            line,
            column: offset - start,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_columns() {
        let index = LineIndex::new("ab\ncd\n");
        assert_eq!(index.line_col(0), LineCol { line: 0, column: 0 });
        assert_eq!(index.line_col(2), LineCol { line: 0, column: 2 });
        assert_eq!(index.line_col(3), LineCol { line: 1, column: 0 });
        assert_eq!(index.line_col(6), LineCol { line: 2, column: 0 });
        assert_eq!(index.line_col(99), LineCol { line: 2, column: 0 });
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        // `é` is two bytes and one UTF-16 unit; `😀` four bytes and two units.
        let text = "é😀x\nab";
        let index = LineIndex::new(text);
        assert_eq!(index.utf16(text, 6), LineCol { line: 0, column: 3 });
        assert_eq!(index.utf16(text, 7), LineCol { line: 0, column: 4 });
        assert_eq!(index.offset_of_utf16(text, 0, 3), 6);
        assert_eq!(index.offset_of_utf16(text, 0, 4), 7);
        // Inside the surrogate pair: the start of the character.
        assert_eq!(index.offset_of_utf16(text, 0, 2), 2);
        // Past the end of a line, of the text.
        assert_eq!(index.offset_of_utf16(text, 0, 99), 7);
        assert_eq!(index.offset_of_utf16(text, 1, 1), 9);
        assert_eq!(index.offset_of_utf16(text, 9, 0), text.len());
    }
}
