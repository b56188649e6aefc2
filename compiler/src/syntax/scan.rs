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
    /// `{` opening an interpolation inside a string (its `}` is `Code('}')`).
    InterpolationStart,
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
                        return Some((at, Mark::InterpolationStart));
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
            Mark::Code('(' | '[' | '{') | Mark::InterpolationStart => {
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
            Mark::Code('(' | '[' | '{') | Mark::InterpolationStart => open.push(at),
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

/// `text` with strings and comments replaced by spaces (offsets kept), so
/// that words found in it are code. Interpolations stay, as code.
pub(crate) fn code_only(text: &str) -> String {
    let code_at: std::collections::HashSet<usize> = scan(text)
        .filter_map(|(at, mark)| matches!(mark, Mark::Code(_)).then_some(at))
        .collect();
    let mut code = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        if code_at.contains(&at) || c == '\n' {
            code.push(c);
        } else {
            // One blank per byte keeps every offset.
            code.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    code
}

/// The `{` of the innermost interpolation still open at the end of `line`.
pub(super) fn open_interpolation(line: &str) -> Option<usize> {
    // Each open `{`: where it is and whether it opened an interpolation.
    let mut open: Vec<(usize, bool)> = Vec::new();
    for (at, mark) in scan(line) {
        match mark {
            Mark::InterpolationStart => open.push((at, true)),
            Mark::Code('{') => open.push((at, false)),
            Mark::Code('}') => {
                open.pop();
            }
            _ => {}
        }
    }
    open.into_iter()
        .rev()
        .find_map(|(at, interpolation)| interpolation.then_some(at))
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
    fn code_only_blanks_strings_and_comments_and_keeps_offsets() {
        let text = "x \"elif é\" // elif\nelif {y}";
        let code = code_only(text);
        assert_eq!(code.len(), text.len());
        assert_eq!(code.match_indices("elif").count(), 1);
        assert!(code.ends_with("elif {y}"));
    }

    #[test]
    fn an_unclosed_interpolation_is_found_at_its_brace() {
        assert_eq!(open_interpolation(r#"f(text: "a {e.uuid")"#), Some(11));
        assert_eq!(open_interpolation(r#"f(text: "a {e.uuid}")"#), None);
        assert_eq!(open_interpolation(r#"f({ a: "b" }"#), None);
    }

    #[test]
    fn the_last_unclosed_bracket_is_reported() {
        assert_eq!(unclosed_bracket("flow a {\n  then { }\n"), Some(7));
        assert_eq!(unclosed_bracket("{ \"}\" }"), None);
    }
}
