//! Turning pest's failure into a worded syntax error.
//!
//! pest reports the tokens it would have accepted at the furthest position it
//! reached, and the grammar rules it was in. Listed raw, that is a wall of
//! operators and rule names; this module groups them into a few phrases
//! ("an expression", "a type", "`}`"), names what was found instead, and adds
//! help for the mistakes people make most.

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};

use super::error::SyntaxError;
use super::parser::{FlowParser, Rule};
use super::scan;
use crate::source::{FileId, Span};

/// Tokens that start a statement (besides expressions).
const STATEMENT_STARTERS: &[&str] = &[
    "let", "if", "for", "parallel", "wait", "stop", "return", "spawn",
];
/// Tokens that start an expression (besides names and literals).
const EXPRESSION_STARTERS: &[&str] = &[
    "(", "[", "{", "-", "_", "call", "not", "true", "false", "null", "\"",
];
/// Tokens that continue what came before; worth naming only when nothing else fits.
const CONTINUATIONS: &[&str] = &[
    ".", "?.", "[", "(", "<", "?", "!=", "%", "*", "+", "-", "/", "<=", "==", ">", ">=", "??",
    "and", "or", "in", "not", "on", "retry",
];
/// Multi-character operators, longest first, for naming what was found.
const OPERATORS: &[&str] = &[
    "...", "..", "==", "!=", "<=", ">=", "??", "?.", "=>", "->", "&&", "||", "::",
];

/// Parses `chunk` (which starts at `offset` in `text`) again with pest's
/// detailed tracking and explains where and why it fails.
pub(super) fn explain_failure(file: FileId, offset: usize, chunk: &str, text: &str) -> SyntaxError {
    // Tracking is global and costs time, so it stays off until the first error;
    // it is never switched back off, so concurrent parses stay deterministic.
    pest::set_error_detail(true);
    let error = match FlowParser::parse(Rule::chunk, chunk) {
        Ok(_) => {
            return SyntaxError::Internal {
                span: Span::new(file, offset, offset + chunk.len()),
            };
        }
        Err(error) => error,
    };
    let at = match error.location {
        InputLocation::Pos(at) | InputLocation::Span((at, _)) => at,
    };
    if let ErrorVariant::CustomError { .. } = error.variant {
        // pest's own guard against running out of stack.
        let width = chunk
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        let span = Span::new(file, offset + at, offset + at + width);
        return SyntaxError::NestingTooDeep {
            span,
            limit: super::MAX_NESTING,
        };
    }
    let absolute = offset + at;
    if let Some(doc) = doc_comment_at(text, absolute).or_else(|| doc_comment_before(text, absolute))
    {
        return SyntaxError::MisplacedDocComment {
            span: Span::new(file, doc.start, doc.end),
        };
    }
    if let Some(slip) = else_if_slip(chunk, at) {
        return SyntaxError::Unexpected {
            span: Span::new(file, offset + slip.start, offset + slip.end),
            expected: "`else if`".to_owned(),
            found: format!("`{}`", chunk.get(slip).unwrap_or_default()),
            unclosed: None,
            help: Some("write `else if`: there is no `elif` in idflow".to_owned()),
        };
    }
    let mut expectation = Expectation::from_attempts(&error);
    let found = Found::at(text, absolute);
    if expectation.is_empty() && matches!(found, Found::Number(_)) {
        // Only a lookahead failed: a number runs into letters, as in `3days`.
        expectation
            .other
            .push("a number or a duration such as `30s`".to_owned());
    }
    if expectation.closes_string && matches!(found, Found::EndOfLine | Found::EndOfFile) {
        let start = string_start(text, absolute).unwrap_or(absolute);
        return SyntaxError::UnterminatedString {
            span: Span::new(file, start, absolute),
        };
    }
    let line_start = chunk
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let open_interpolation = match found {
        Found::String | Found::EndOfLine if expectation.closes_bracket => chunk
            .get(line_start..at)
            .and_then(scan::open_interpolation)
            .map(|at| Span::new(file, offset + line_start + at, offset + line_start + at + 1)),
        _ => None,
    };
    let unclosed = match found {
        Found::EndOfFile | Found::Item(_) if expectation.closes_bracket => {
            scan::unclosed_bracket(chunk).map(|at| Span::new(file, offset + at, offset + at + 1))
        }
        _ => open_interpolation,
    };
    let found_len = found.len().max(1);
    SyntaxError::Unexpected {
        span: Span::new(
            file,
            absolute,
            (absolute + found_len).min(text.len().max(absolute)),
        ),
        help: if open_interpolation.is_some() {
            Some("an interpolation `{…}` in this string is not closed: add `}`, or write `\\{` for a brace as text".to_owned())
        } else {
            let line_start_text = chunk.get(line_start..at).unwrap_or_default();
            help_for(&found, &expectation, line_start_text.trim().is_empty())
        },
        expected: expectation.phrase(),
        found: found.describe(),
        unclosed,
    }
}

/// What the parser would have accepted, grouped into phrases.
#[derive(Debug, Default)]
struct Expectation {
    statement: bool,
    expression: bool,
    type_: bool,
    name: bool,
    other: Vec<String>,
    continuations: Vec<String>,
    closes_string: bool,
    closes_bracket: bool,
}

impl Expectation {
    /// Reads pest's record of attempts. pest does not export the types of that
    /// record, only their methods and `Display`: a character range shows as
    /// `a..z`, a literal token as itself.
    fn from_attempts(error: &pest::error::Error<Rule>) -> Self {
        let Some(attempts) = error.parse_attempts() else {
            return Self::default();
        };
        let mut tokens = Vec::new();
        let mut letters = false;
        let mut digits = false;
        for token in attempts.expected_tokens() {
            let token = token.to_string();
            let is_range = token.len() == 4 && token.get(1..3) == Some("..") && token != "....";
            if is_range {
                if token.starts_with(|c: char| c.is_ascii_digit()) {
                    digits = true;
                } else {
                    letters = true;
                }
            } else if token != "BUILTIN_RULE" {
                tokens.push(token);
            }
        }
        let rules: Vec<Rule> = attempts
            .call_stacks()
            .into_iter()
            .filter_map(|stack| stack.deepest.get_rule().copied())
            .collect();
        let has = |t: &str| tokens.iter().any(|token| token == t);
        let mut this = Self {
            statement: has("let"),
            closes_string: has("\"")
                && rules
                    .iter()
                    .any(|r| matches!(r, Rule::str_escape | Rule::interpolation)),
            closes_bracket: has("}") || has(")") || has("]"),
            ..Self::default()
        };
        this.expression = !this.statement && (rules.contains(&Rule::expr) || (has("\"") && digits));
        // Inside a record type, `record_type` is on the stack without a type being due.
        this.type_ = rules
            .iter()
            .any(|r| matches!(r, Rule::type_expr | Rule::named_type))
            || rules.contains(&Rule::record_type) && has("{");
        this.name = letters && !this.statement && !this.expression && !this.type_;
        if rules.contains(&Rule::duration) && !this.expression {
            this.other.push("a duration such as `30s`".to_owned());
        } else if (rules.contains(&Rule::int)
            || rules.contains(&Rule::number)
            || digits && !letters)
            && !this.expression
            && !this.statement
        {
            this.other.push("a number".to_owned());
        }
        if rules.contains(&Rule::string) && !this.expression && !this.closes_string {
            this.other.push("a string".to_owned());
        }
        for token in &tokens {
            this.add_token(token);
        }
        this
    }

    fn add_token(&mut self, token: &str) {
        let is_trivia = token.trim().is_empty() || ["//", "///", "\u{feff}"].contains(&token);
        let covered = (self.statement || self.expression) && EXPRESSION_STARTERS.contains(&token)
            || self.statement && STATEMENT_STARTERS.contains(&token)
            || self.type_ && (token == "{" || token == "_")
            || self.name && token == "_"
            || token == "\"" && (self.closes_string || self.other.iter().any(|o| o == "a string"));
        if is_trivia || covered {
            return;
        }
        let quoted = format!("`{token}`");
        if CONTINUATIONS.contains(&token) {
            self.continuations.push(quoted);
        } else if !self.other.contains(&quoted) {
            self.other.push(quoted);
        }
    }

    /// Whether the token `token` is among the expected ones.
    fn expects(&self, token: &str) -> bool {
        let quoted = format!("`{token}`");
        self.other.contains(&quoted) || self.continuations.contains(&quoted)
    }

    /// Whether pest expected nothing in particular (only a lookahead failed).
    fn is_empty(&self) -> bool {
        !(self.statement || self.expression || self.type_ || self.name)
            && self.other.is_empty()
            && self.continuations.is_empty()
    }

    /// The expectation in words: "an expression or `}`".
    fn phrase(&self) -> String {
        let mut phrases: Vec<String> = Vec::new();
        if self.statement {
            phrases.push("a statement (an action call, `let`, `if`, …)".to_owned());
        }
        if self.expression {
            phrases.push("an expression".to_owned());
        }
        if self.type_ {
            phrases.push("a type".to_owned());
        }
        if self.name {
            phrases.push("a name".to_owned());
        }
        phrases.extend(self.other.iter().cloned());
        if phrases.is_empty() {
            phrases = match self.continuations.len() {
                0 => vec!["something else".to_owned()],
                1..=3 => self.continuations.clone(),
                _ => vec!["an operator".to_owned()],
            };
        }
        join_or(&phrases)
    }
}

fn join_or(phrases: &[String]) -> String {
    match phrases {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What stands where parsing stopped.
#[derive(Debug)]
enum Found {
    EndOfFile,
    EndOfLine,
    /// A keyword that starts the next top-level item.
    Item(String),
    Word(String),
    Number(String),
    String,
    Symbol(String),
}

impl Found {
    fn at(text: &str, at: usize) -> Self {
        let rest = text.get(at..).unwrap_or_default();
        let Some(first) = rest.chars().next() else {
            return Self::EndOfFile;
        };
        if first == '\n' || first == '\r' {
            return Self::EndOfLine;
        }
        if first == '"' {
            return Self::String;
        }
        if first.is_ascii_digit() {
            let end = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '.')
                .unwrap_or(rest.len());
            return Self::Number(rest.get(..end).unwrap_or_default().to_owned());
        }
        if first.is_alphabetic() || first == '_' {
            let end = rest
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            let word = rest.get(..end).unwrap_or_default().to_owned();
            let at_line_start = at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n');
            let item_keyword = super::split::ITEM_KEYWORDS.contains(&word.as_str());
            return if at_line_start && item_keyword {
                Self::Item(word)
            } else {
                Self::Word(word)
            };
        }
        let symbol = OPERATORS
            .iter()
            .find(|op| rest.starts_with(**op))
            .map_or_else(|| first.to_string(), |op| (*op).to_owned());
        Self::Symbol(symbol)
    }

    fn len(&self) -> usize {
        match self {
            Self::EndOfFile => 0,
            Self::EndOfLine | Self::String => 1,
            Self::Item(s) | Self::Word(s) | Self::Number(s) | Self::Symbol(s) => s.len(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::EndOfFile => "end of file".to_owned(),
            Self::EndOfLine => "end of line".to_owned(),
            Self::Item(word) => format!("`{word}`, the start of the next item"),
            Self::String => "a string".to_owned(),
            Self::Word(s) | Self::Number(s) | Self::Symbol(s) => format!("`{s}`"),
        }
    }
}

/// Advice for the mistakes people make most; `starts_line` tells whether
/// what was found is the first thing on its line.
fn help_for(found: &Found, expectation: &Expectation, starts_line: bool) -> Option<String> {
    let help = match found {
        Found::Symbol(s) if s == "=" && expectation.statement => {
            "`=` does not assign: bind a name with `let name = …`"
        }
        Found::Symbol(s) if s == "=" && expectation.continuations.iter().any(|c| c == "`==`") => {
            "to compare, write `==`"
        }
        Found::Symbol(s) if s == "&&" => "write `and`",
        Found::Symbol(s) if s == "||" => "write `or`",
        Found::Symbol(s) if s == "!" => "write `not`",
        Found::Symbol(s) if s == ";" => "statements end at the end of the line; remove the `;`",
        Found::Symbol(s) if s == "'" => "strings are written between double quotes: `\"…\"`",
        Found::Word(w) if is_reserved(w) && (expectation.name || expectation.type_) => {
            return Some(format!(
                "`{w}` is a reserved word and cannot be used as a name"
            ));
        }
        Found::Number(n)
            if n.contains(|c: char| c.is_ascii_alphabetic()) && !n.starts_with("0x") =>
        {
            "a duration is a whole number and one unit, `ms`, `s`, `m`, `h`, `d` or `w`: `3d`, `90m`"
        }
        Found::Item(_) if expectation.closes_bracket => {
            "a bracket opened in the item above is never closed"
        }
        Found::Symbol(s) if (s == "=>" || s == "->") && expectation.expects("then") => {
            "a flow's condition ends with `then`: `where … then { … }`"
        }
        Found::Symbol(s)
            if ["}", ")", "]"].contains(&s.as_str()) && expectation.expects("flow") =>
        {
            return Some(format!(
                "nothing is open here for this `{s}` to close: remove it"
            ));
        }
        Found::Word(_) | Found::Number(_) | Found::String | Found::Symbol(_)
            if starts_line && expectation.expects("flow") =>
        {
            "a file holds only items, each starting in column 0 with `import`, `config`, `type`, `extend`, `fn`, `connector`, `flow` or `test`"
        }
        _ => return None,
    };
    Some(help.to_owned())
}

/// Words other languages use for `else if`.
const ELSE_IF_SLIPS: &[&str] = &["elif", "elsif", "elseif"];

/// The first `elif` (or kin) written as code in `chunk` before the end of the
/// line holding `at`. Such a word parses as a statement of its own, so pest
/// fails later, at the `{` of its block read as a record: the word itself is
/// the mistake to report.
fn else_if_slip(chunk: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let end = chunk.get(at..)?.find('\n').map_or(chunk.len(), |i| at + i);
    let code = scan::code_only(chunk.get(..end)?);
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    ELSE_IF_SLIPS
        .iter()
        .flat_map(|slip| code.match_indices(slip))
        .filter(|(start, slip)| {
            let before = code.get(..*start).and_then(|t| t.chars().next_back());
            let after = code
                .get(start + slip.len()..)
                .and_then(|t| t.chars().next());
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
        .map(|(start, slip)| start..start + slip.len())
        .min_by_key(|range| range.start)
}

/// Whether `word` is reserved, asked of the grammar itself so the list is
/// written once.
fn is_reserved(word: &str) -> bool {
    FlowParser::parse(Rule::reserved, word).is_ok_and(|pairs| pairs.as_str() == word)
}

/// The span of a `///` doc comment covering `at`, if there is one.
fn doc_comment_at(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text.get(at..)?.find('\n').map_or(text.len(), |i| at + i);
    let line = text.get(line_start..line_end)?;
    let indent = line.len() - line.trim_start().len();
    let start = line_start + indent;
    let is_doc = line.trim_start().starts_with("///") && !line.trim_start().starts_with("////");
    (is_doc && at >= start).then_some(start..line_end)
}

/// The span of a `///` line that ends right before `at`, with only
/// whitespace between: a doc comment with nothing after it to document.
fn doc_comment_before(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let before = text.get(..at)?.trim_end();
    if before.is_empty() {
        return None;
    }
    doc_comment_at(text, before.len())
}

/// The opening quote of the string that is open at `at`.
fn string_start(text: &str, at: usize) -> Option<usize> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    Some(line_start + scan::open_string(text.get(line_start..at)?)?)
}
