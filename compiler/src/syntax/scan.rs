//! A light scan of source text that knows only strings, interpolations and
//! comments: enough to count brackets and find comments without parsing.
//! The splitter, the nesting guard, span trimming and error explanations
//! share it, so they agree on where strings and comments are.

/// What the scan reports about a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mark {
    /// A character of code: outside strings and comments, or inside a `{…}`
    /// interpolation (whose braces are reported as code too).
    Code(char),
    /// `"` opening a string.
    StringStart,
    /// `"` closing a string, or the line break that ends an unclosed one.
    StringEnd,
    /// `//` starting a comment; the scan resumes at the line break.
    Comment,
}

/// Marks every position of interest in `text`, with its byte offset.
pub(super) fn scan(text: &str) -> impl Iterator<Item = (usize, Mark)> + '_ {
    let mut chars = text.char_indices().peekable();
    // One entry per open `{`: whether it opened an interpolation (so its `}`
    // returns into a string) or a block.
    let mut braces: Vec<bool> = Vec::new();
    let mut in_string = false;
    std::iter::from_fn(move || {
        loop {
            let (at, c) = chars.next()?;
            if in_string {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' | '\n' => {
                        in_string = false;
                        return Some((at, Mark::StringEnd));
                    }
                    '{' => {
                        in_string = false;
                        braces.push(true);
                        return Some((at, Mark::Code('{')));
                    }
                    _ => {}
                }
                continue;
            }
            return Some(match c {
                '"' => {
                    in_string = true;
                    (at, Mark::StringStart)
                }
                '/' if chars.peek().is_some_and(|&(_, next)| next == '/') => {
                    while chars.next_if(|&(_, next)| next != '\n').is_some() {}
                    (at, Mark::Comment)
                }
                '{' => {
                    braces.push(false);
                    (at, Mark::Code('{'))
                }
                '}' => {
                    in_string = braces.pop().unwrap_or(false);
                    (at, Mark::Code('}'))
                }
                c => (at, Mark::Code(c)),
            });
        }
    })
}

/// The position of the first bracket that opens deeper than `limit` levels.
pub(super) fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (at, mark) in scan(text) {
        match mark {
            Mark::Code('(' | '[' | '{') => {
                depth += 1;
                if depth > limit {
                    return Some(at);
                }
            }
            Mark::Code(')' | ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The last bracket of `text` that is never closed.
pub(super) fn unclosed_bracket(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    for (at, mark) in scan(text) {
        match mark {
            Mark::Code('(' | '[' | '{') => open.push(at),
            Mark::Code(')' | ']' | '}') => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// Where a `//` comment starts in `line`, if it has one.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    if !line.contains("//") {
        return None;
    }
    scan(line).find_map(|(at, mark)| (mark == Mark::Comment).then_some(at))
}

/// The opening quote of the string still open at the end of `line`.
pub(super) fn open_string(line: &str) -> Option<usize> {
    let mut open = None;
    for (at, mark) in scan(line) {
        match mark {
            Mark::StringStart => open = Some(at),
            Mark::StringEnd => open = None,
            _ => {}
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_and_interpolations_but_not_text() {
        assert_eq!(too_deep("((()))", 3), None);
        assert_eq!(too_deep("(((())))", 3), Some(3));
        assert_eq!(too_deep("\"((((\" // ((((", 1), None);
        assert_eq!(too_deep("(\"{a}\")", 1), Some(2));
    }

    #[test]
    fn comments_inside_strings_are_text() {
        assert_eq!(comment_start(r#"x = "http://a" // note"#), Some(15));
        assert_eq!(comment_start(r#"x = "{"//"}""#), None);
    }

    #[test]
    fn an_unclosed_string_is_found_at_its_quote() {
        assert_eq!(open_string(r#"let x = "ab\"c"#), Some(8));
        assert_eq!(open_string(r#"let x = "abc""#), None);
    }

    #[test]
    fn the_last_unclosed_bracket_is_reported() {
        assert_eq!(unclosed_bracket("flow a {\n  then { }\n"), Some(7));
        assert_eq!(unclosed_bracket("{ \"}\" }"), None);
    }
}
