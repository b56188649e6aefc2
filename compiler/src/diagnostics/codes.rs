//! The one registry of diagnostic codes.
//!
//! Codes are grouped by phase — `E01xx` syntax, `E02xx` names, `E03xx` types,
//! `E04xx` connectors and stdlib, `E05xx` lowering and JIT, `W09xx` warnings —
//! and a code is never reused once published, even if its diagnostic goes away.

use serde::{Serialize, Serializer};

/// A stable diagnostic code with a one-line explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    /// The code as shown: `E0101`.
    pub id: &'static str,
    /// What the code means, in one line.
    pub explanation: &'static str,
    /// The long explanation `idflow explain` prints: Markdown with a wrong
    /// and a fixed example, from `explanations/<id>.md`.
    pub long: &'static str,
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id)
    }
}

macro_rules! codes {
    ($($name:ident = $id:literal : $explanation:literal;)*) => {
        $(
            #[doc = $explanation]
            pub const $name: Code = Code {
                id: $id,
                explanation: $explanation,
                // A code without its explanation file does not compile.
                long: include_str!(concat!("explanations/", $id, ".md")),
            };
        )*
        /// Every code, in registry order.
        pub const ALL: &[Code] = &[$($name),*];

        /// The code with this id, if there is one (`e0101` works too).
        pub fn find(id: &str) -> Option<Code> {
            ALL.iter().copied().find(|code| code.id.eq_ignore_ascii_case(id))
        }
    };
}

codes! {
    INTERNAL_ERROR = "E0100": "the compiler failed on input it should have handled; a bug to report";
    SYNTAX_ERROR = "E0101": "the text does not follow the grammar of the language";
    UNTERMINATED_STRING = "E0102": "a string literal is missing its closing quote before the end of the line";
    NESTING_TOO_DEEP = "E0103": "brackets, braces or parentheses are nested deeper than the parser accepts";
    NUMBER_OUT_OF_RANGE = "E0104": "a number literal does not fit the range of its type";
    INTERPOLATION_NOT_ALLOWED = "E0105": "a string that must be plain text contains a `{…}` interpolation";
    MISPLACED_DOC_COMMENT = "E0106": "a `///` doc comment is not followed by anything it could document";
    EXPRESSION_TOO_DEEP = "E0107": "an expression chains more operators than the parser accepts";
    INVALID_ESCAPE = "E0108": "a string contains a backslash escape the language does not define";
    DUPLICATE_DEFINITION = "E0201": "two definitions of the same kind share a name";
    UNKNOWN_IMPORT = "E0202": "`import` names no connector of the project or the stdlib";
    NOT_IMPORTED = "E0203": "a connector is used in a file that does not import it";
    UNKNOWN_CONNECTOR = "E0204": "a name used as a connector names none";
    UNKNOWN_EVENT = "E0205": "an event that the connector does not declare or the provider does not know";
    UNKNOWN_ACTION = "E0206": "an action that the connector does not declare";
    UNKNOWN_TYPE = "E0207": "a type name that no type definition, connector module or built-in type has";
    UNKNOWN_FLOW = "E0208": "`call` or a test names a flow that does not exist";
    NOT_CALLABLE = "E0209": "`call` names a flow that has no `when called` trigger";
    CALL_CYCLE = "E0210": "flows call each other in a circle, so a run might never end";
    UNKNOWN_CONFIG = "E0211": "a test sets a config that does not exist";
    NOT_EXTENSIBLE = "E0212": "`extend type` names a type that is not a record: an alias or a built-in type";
    NOT_SCHEDULED = "E0213": "a test's `given schedule` names a flow that has no `when schedule` trigger";
    NO_WEBHOOK = "E0214": "a test's `given webhook` names a path no flow listens on";
    UNKNOWN_FIELD = "E0301": "a field that the value's declared type does not have";
    UNKNOWN_ARGUMENT = "E0302": "a named argument that the action or called flow does not declare";
    MISSING_ARGUMENT = "E0303": "a required parameter of an action or called flow gets no argument";
    ARGUMENT_TYPE = "E0304": "an argument whose type does not fit its parameter";
    POSITIONAL_ARGUMENT = "E0305": "an argument of an action or called flow without its parameter's name";
    NULLABLE_READ = "E0306": "a field or element is read through a value that may be null";
    EFFECT_IN_PURE_CODE = "E0307": "an action or flow call where only pure expressions may stand: a `where`, a function, a lambda, the right of `and`/`or`/`??`, an `else if` condition";
    NOT_A_CONDITION = "E0308": "a `where` filter or an `if` whose value is not `Bool`";
    RETURN_TYPE = "E0309": "`return` gives a value that does not fit the called flow's declared result";
    UNKNOWN_NAME = "E0310": "a name or function that nothing in scope defines";
    OPERATOR_TYPES = "E0311": "an operator applied to operands of types it does not accept";
    TYPE_MISMATCH = "E0312": "a value whose type does not fit what its place declares";
    UNKNOWN_METHOD = "E0313": "a method that the value's type does not have, or a function a built-in module does not have";
    ARGUMENT_COUNT = "E0314": "more arguments than a function, method or lambda takes";
    SECRET_IN_TEXT = "E0315": "a `Secret` value interpolated, concatenated or encoded into text";
    INVALID_SCHEDULE = "E0316": "a schedule's cron expression or time zone is not valid";
    CONNECTOR_SETTING = "E0317": "a connector setting that no engine reads, or whose value is not text, a number, `env(…)` or `secret(…)`";
    RETRY_POLICY = "E0318": "a retry policy whose shortest backoff is longer than its longest";
    STOP_REASON = "E0319": "a `stop` reason with an interpolation: the reason is plain text";
    MISSING_FIELDS = "E0320": "a record literal that leaves out fields its type requires";
    DESTRUCTIVE_WITHOUT_FILTER = "W0901": "a destructive action runs in a flow whose event trigger has no `where` filter";
    MISSING_FLOW_DOC = "W0902": "a flow has no doc comment for auditors to read";
    UNUSED_IMPORT = "W0903": "an import that the file never uses";
    UNUSED_CONFIG = "W0904": "a config that no expression of the project mentions";
    UNREACHABLE_STATEMENT = "W0905": "statements after `stop` or `return` in the same block never run";
    LONG_WAIT = "W0906": "a run waits longer than 30 days";
    DUPLICATE_TRIGGER = "W0907": "two flows have the same triggers and filter, so every event runs both";
    UNKNOWN_EVENT_TYPE = "W0908": "an event's `eventType` is compared with a name the provider's catalogue does not have";
    SHADOWING = "W0909": "a name is bound again where it already names the event, a config or an earlier `let`";
    DESTRUCTIVE_IN_UNBOUNDED_LOOP = "W0910": "a destructive action runs in a `for` over a list an API returns page by page";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in ALL {
            assert!(seen.insert(code.id), "{} is listed twice", code.id);
            let (letter, digits) = code.id.split_at(1);
            assert!(
                letter == "E" || letter == "W",
                "{} has a bad prefix",
                code.id
            );
            assert!(digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()));
            assert!(
                !code.explanation.ends_with('.'),
                "{}: explanation ends with a period",
                code.id
            );
        }
    }

    #[test]
    fn syntax_codes_are_in_the_syntax_range() {
        for code in [
            SYNTAX_ERROR,
            UNTERMINATED_STRING,
            NESTING_TOO_DEEP,
            NUMBER_OUT_OF_RANGE,
        ] {
            assert!(code.id.starts_with("E01"));
        }
    }
}
