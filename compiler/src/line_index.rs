//! Byte offsets to lines and columns, in one place.

/// A zero-based line and column; the column counts UTF-8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Zero-based line.
    pub line: usize,
    /// Zero-based byte column.
    pub column: usize,
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
}
