//! The output buffer: indentation, comments, blank lines and the current column.

use crate::syntax::ast::{Comment, Doc};

/// How many columns `text` takes: one per character, so that `é` counts as
/// one column, not two bytes.
pub(super) fn width(text: &str) -> usize {
    text.chars().count()
}

/// Writes formatted text and places the source's comments in it.
pub(super) struct Printer<'a> {
    out: String,
    indent: usize,
    text: &'a str,
    comments: &'a [Comment],
    /// Index of the first comment not yet printed.
    next_comment: usize,
    /// Source offset up to which everything has been printed.
    cursor: u32,
    /// Whether nothing has been printed since the last opening brace.
    at_block_start: bool,
}

impl<'a> Printer<'a> {
    pub(super) fn new(text: &'a str, comments: &'a [Comment]) -> Self {
        Self {
            out: String::with_capacity(text.len() + text.len() / 8),
            indent: 0,
            text,
            comments,
            next_comment: 0,
            cursor: 0,
            at_block_start: true,
        }
    }

    /// The text, ending with exactly one newline (or empty).
    pub(super) fn finish(mut self) -> String {
        self.comments_before(u32::MAX);
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    // ----------------------------------------------------------- writing ---

    /// Starts a new line at the current indentation.
    pub(super) fn newline(&mut self) {
        if self.out.is_empty() {
            return;
        }
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    /// Appends text to the current line.
    pub(super) fn write(&mut self, text: &str) {
        self.out.push_str(text);
        self.at_block_start = text.ends_with('{') || text.ends_with('(') || text.ends_with('[');
    }

    /// The column the next character will be written at.
    pub(super) fn column(&self) -> usize {
        let line_start = self.out.rfind('\n').map_or(0, |at| at + 1);
        width(self.out.get(line_start..).unwrap_or_default())
    }

    /// Whether `extra` more characters still fit on the current line.
    pub(super) fn fits(&self, extra: usize) -> bool {
        self.column() + extra <= super::MAX_WIDTH
    }

    pub(super) fn indented(&mut self, body: impl FnOnce(&mut Self)) {
        self.indent += 1;
        body(self);
        self.indent -= 1;
    }

    /// Writes `open`, the elements one per line, and `close`, placing every
    /// comment that falls before `end` (the source offset of `close`).
    pub(super) fn block<T>(
        &mut self,
        open: &str,
        elements: &[T],
        end: u32,
        close: &str,
        mut element: impl FnMut(&mut Self, &T),
    ) {
        self.write(open);
        self.indented(|p| {
            for item in elements {
                element(p, item);
            }
            p.comments_before(end);
        });
        self.newline();
        self.write(close);
        self.cursor = self.cursor.max(end);
    }

    /// Starts a line for an element that begins at source offset `start`:
    /// prints the comments above it and keeps one blank line if the source had one.
    pub(super) fn start_element(&mut self, start: u32) {
        self.comments_before(start);
        self.blank_line_if_source_has(start);
        self.newline();
        self.cursor = self.cursor.max(start);
        self.at_block_start = false;
    }

    /// Ends an element that ended at source offset `end`: prints comments that
    /// were inside it on lines of their own, then a comment that directly
    /// followed it (a comma at most between) at the end of this line.
    pub(super) fn end_element(&mut self, end: u32) {
        self.comments_before(end);
        self.cursor = self.cursor.max(end);
        if let Some(comment) = self.comments.get(self.next_comment) {
            let between = self
                .text
                .get(end as usize..comment.span.start as usize)
                .unwrap_or("\n");
            // Only a comma may stand between the element and its comment:
            // a comment after `a, b])` on one line belongs to what ends at
            // `)`, not to `a`.
            if between.chars().all(|c| c == ',' || c == ' ' || c == '\t') {
                self.write(" //");
                self.out.push_str(&comment.text);
                self.next_comment += 1;
                self.cursor = comment.span.end;
            }
        }
    }

    /// Prints, each on its own line, every comment that starts before `offset`.
    pub(super) fn comments_before(&mut self, offset: u32) {
        while let Some(comment) = self.comments.get(self.next_comment) {
            if comment.span.start >= offset {
                break;
            }
            self.blank_line_if_source_has(comment.span.start);
            self.newline();
            self.out.push_str("//");
            self.out.push_str(&comment.text);
            self.at_block_start = false;
            self.next_comment += 1;
            self.cursor = self.cursor.max(comment.span.end);
        }
    }

    /// Whether a comment starts inside `start..end`: such an expression is laid
    /// out one element per line so its comments stay where they are.
    pub(super) fn has_comment_within(&self, start: u32, end: u32) -> bool {
        self.comments
            .get(self.next_comment..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.span.start < end)
            .any(|c| c.span.start >= start)
    }

    /// Adds an empty line, unless the output already ends with one or a block just opened.
    pub(super) fn blank_line(&mut self) {
        if self.at_block_start || self.out.is_empty() || self.out.ends_with("\n\n") {
            return;
        }
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn blank_line_if_source_has(&mut self, start: u32) {
        let between = self
            .text
            .get(self.cursor as usize..start as usize)
            .unwrap_or_default();
        let segments: Vec<&str> = between.split('\n').collect();
        // The segments strictly between two line breaks are whole lines.
        let interior = segments
            .get(1..segments.len().saturating_sub(1))
            .unwrap_or_default();
        if self.cursor > 0 && interior.iter().any(|line| line.trim().is_empty()) {
            self.blank_line();
        }
    }

    /// Prints a doc comment, one `///` line each, then starts the next line.
    /// `//` comments between the doc comment and the item, which starts
    /// being named at source offset `name`, stay between them.
    pub(super) fn doc(&mut self, doc: &Option<Doc>, name: u32) {
        if let Some(doc) = doc {
            for line in &doc.lines {
                self.write("///");
                self.out.push_str(line);
                self.newline();
            }
            self.cursor = self.cursor.max(doc.span.end);
            while let Some(comment) = self.comments.get(self.next_comment)
                && comment.span.start < name
            {
                self.write("//");
                self.out.push_str(&comment.text);
                self.newline();
                self.next_comment += 1;
                self.cursor = self.cursor.max(comment.span.end);
            }
        }
    }
}
