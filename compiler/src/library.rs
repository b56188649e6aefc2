//! The pure built-in library: functions (`now()`, `days_between(a, b)`), the
//! functions of the built-in modules (`csv.encode(rows)`, `json.decode(text)`,
//! `hash.sha256(text)`, `hmac.sha256(key, message)`), and the methods of
//! built-in types (`login.lower()`, `users.filter(u => …)`).
//!
//! Their signatures are generic over a list's element type, which the
//! language does not let a `.flow` file declare, so they are written here,
//! once: the type checker types calls from this table, the interpreter of the
//! plan evaluates them by the same names, and the editor completes and
//! documents them from it.

/// What a built-in is called on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// A function called by its name alone: `now()`.
    Function,
    /// A function of a built-in module: `csv.encode(…)`.
    Module(&'static str),
    /// A method of `String`.
    Text,
    /// A method of any `List<T>`.
    List,
    /// A method of `List<String>` alone.
    TextList,
    /// A method of `Time`.
    Time,
    /// A method of `Map<K, V>`.
    Map,
}

impl Receiver {
    /// Whether it is called on a value (`s.upper()`), not by name alone or
    /// through a module.
    pub fn is_method(self) -> bool {
        !matches!(self, Receiver::Function | Receiver::Module(_))
    }
}

/// The type of a parameter or of a result, where `T` is the receiving list's
/// element type, `K` and `V` a map's key and value types, and `U` what a
/// lambda argument returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `String`.
    String,
    /// `Int`.
    Int,
    /// `Bool`.
    Bool,
    /// `Time`.
    Time,
    /// `Json`.
    Json,
    /// `Time?`.
    OptionalTime,
    /// `List<String>`.
    TextList,
    /// `T`.
    Element,
    /// `T?`.
    OptionalElement,
    /// `List<T>`.
    ElementList,
    /// A lambda `T => Bool`.
    Predicate,
    /// A lambda `T => U` whose result orders or groups: `String`, `Int`,
    /// `Float`, `Bool`, `Time` or `Duration`.
    Key,
    /// A lambda `T => U`.
    Mapper,
    /// A lambda `T => U` where `U` is `Int` or `Float`: what `sum` adds.
    Summand,
    /// A lambda `T => List<U>`: what `flat_map` joins.
    Flattener,
    /// A value of any type but `Secret`, whose type is `U`: `reduce`'s start.
    Initial,
    /// A lambda `(U, T) => U`: `reduce`'s step, from the value so far and
    /// an element to the next value.
    Reducer,
    /// `U`.
    Mapped,
    /// `List<List<T>>`.
    Chunks,
    /// `List<U>`.
    MappedList,
    /// `Map<U, List<T>>`.
    Groups,
    /// `List<K>`.
    Keys,
    /// `List<V>`.
    Values,
    /// A value of any type but `Secret`.
    Any,
    /// `List<R>` for a record type `R`: one CSV row per record.
    Records,
    /// `String` or `Secret`: a key that may be secret.
    KeyMaterial,
}

/// A parameter of a built-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name, for named arguments and messages.
    pub name: &'static str,
    /// Its type.
    pub shape: Shape,
}

/// A built-in function or method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Builtin {
    /// What it is called on.
    pub receiver: Receiver,
    /// Its name.
    pub name: &'static str,
    /// Its parameters, in order; arguments are positional or named.
    pub params: &'static [Param],
    /// Its result.
    pub returns: Shape,
    /// What it does, for `hover` and the reference.
    pub doc: &'static str,
}

impl Builtin {
    /// How it is written in messages: `text.split`, `csv.encode`, `now`.
    pub fn qualified_name(&self) -> String {
        let prefix = match self.receiver {
            Receiver::Function => return self.name.to_owned(),
            Receiver::Module(module) => module,
            Receiver::Text => "String",
            Receiver::List | Receiver::TextList => "List",
            Receiver::Time => "Time",
            Receiver::Map => "Map",
        };
        format!("{prefix}.{}", self.name)
    }
}

const fn param(name: &'static str, shape: Shape) -> Param {
    Param { name, shape }
}

const fn builtin(
    receiver: Receiver,
    name: &'static str,
    params: &'static [Param],
    returns: Shape,
    doc: &'static str,
) -> Builtin {
    Builtin {
        receiver,
        name,
        params,
        returns,
        doc,
    }
}

use Receiver::{Function, List, Map, Module, Text, TextList, Time};

/// Every built-in.
pub const BUILTINS: &[Builtin] = &[
    // Text.
    builtin(Text, "upper", &[], Shape::String, "The text in upper case."),
    builtin(Text, "lower", &[], Shape::String, "The text in lower case."),
    builtin(
        Text,
        "trim",
        &[],
        Shape::String,
        "The text without leading and trailing white space.",
    ),
    builtin(
        Text,
        "split",
        &[param("separator", Shape::String)],
        Shape::TextList,
        "The parts of the text between each occurrence of `separator`.",
    ),
    builtin(
        Text,
        "replace",
        &[param("from", Shape::String), param("to", Shape::String)],
        Shape::String,
        "The text with every occurrence of `from` replaced by `to`.",
    ),
    builtin(
        Text,
        "contains",
        &[param("part", Shape::String)],
        Shape::Bool,
        "Whether `part` occurs in the text.",
    ),
    builtin(
        Text,
        "starts_with",
        &[param("prefix", Shape::String)],
        Shape::Bool,
        "Whether the text begins with `prefix`.",
    ),
    builtin(
        Text,
        "ends_with",
        &[param("suffix", Shape::String)],
        Shape::Bool,
        "Whether the text ends with `suffix`.",
    ),
    builtin(
        Text,
        "len",
        &[],
        Shape::Int,
        "The number of characters (Unicode scalar values).",
    ),
    builtin(
        Text,
        "is_empty",
        &[],
        Shape::Bool,
        "Whether the text is `\"\"`.",
    ),
    // Lists.
    builtin(
        List,
        "map",
        &[param("f", Shape::Mapper)],
        Shape::MappedList,
        "`f` applied to every element, in order.",
    ),
    builtin(
        List,
        "filter",
        &[param("f", Shape::Predicate)],
        Shape::ElementList,
        "The elements for which `f` holds, in order.",
    ),
    builtin(
        List,
        "any",
        &[param("f", Shape::Predicate)],
        Shape::Bool,
        "Whether `f` holds for at least one element.",
    ),
    builtin(
        List,
        "all",
        &[param("f", Shape::Predicate)],
        Shape::Bool,
        "Whether `f` holds for every element (true for an empty list).",
    ),
    builtin(
        List,
        "find",
        &[param("f", Shape::Predicate)],
        Shape::OptionalElement,
        "The first element for which `f` holds, or null.",
    ),
    builtin(
        List,
        "sort_by",
        &[param("key", Shape::Key)],
        Shape::ElementList,
        "The elements ordered by `key`, ascending; equal keys keep their order.",
    ),
    builtin(
        List,
        "count",
        &[param("f", Shape::Predicate)],
        Shape::Int,
        "How many elements `f` holds for.",
    ),
    builtin(
        List,
        "unique",
        &[],
        Shape::ElementList,
        "The elements without repeats, each where it first appears.",
    ),
    builtin(
        List,
        "min_by",
        &[param("key", Shape::Key)],
        Shape::OptionalElement,
        "The element whose `key` is smallest (the first of equals), or null for an empty list.",
    ),
    builtin(
        List,
        "max_by",
        &[param("key", Shape::Key)],
        Shape::OptionalElement,
        "The element whose `key` is largest (the first of equals), or null for an empty list.",
    ),
    builtin(
        List,
        "group_by",
        &[param("key", Shape::Key)],
        Shape::Groups,
        "The elements grouped by `key`, each group in list order; the groups are keyed by the key as text (`1` and `\"1\"` are one group).",
    ),
    builtin(List, "len", &[], Shape::Int, "The number of elements."),
    builtin(
        List,
        "is_empty",
        &[],
        Shape::Bool,
        "Whether the list has no element.",
    ),
    builtin(
        List,
        "first",
        &[],
        Shape::OptionalElement,
        "The first element, or null for an empty list.",
    ),
    builtin(
        List,
        "last",
        &[],
        Shape::OptionalElement,
        "The last element, or null for an empty list.",
    ),
    builtin(
        List,
        "sum",
        &[param("f", Shape::Summand)],
        Shape::Mapped,
        "The sum of `f` over the elements: an `Int` when `f` gives `Int`s, a `Float` when it gives `Float`s; 0 for an empty list. An `Int` sum that overflows fails the run.",
    ),
    builtin(
        List,
        "flat_map",
        &[param("f", Shape::Flattener)],
        Shape::MappedList,
        "The lists `f` gives for the elements, joined in order into one.",
    ),
    builtin(
        List,
        "reduce",
        &[param("initial", Shape::Initial), param("f", Shape::Reducer)],
        Shape::Mapped,
        "`initial`, then `f(value, element)` for each element in order: the last value (`initial` for an empty list).",
    ),
    builtin(
        List,
        "chunk",
        &[param("size", Shape::Int)],
        Shape::Chunks,
        "The elements in consecutive lists of `size` (the last may be shorter), for APIs that take a batch at a time; a `size` below 1 fails the run.",
    ),
    builtin(
        List,
        "contains",
        &[param("value", Shape::Element)],
        Shape::Bool,
        "Whether an element equals `value` (the same as `value in list`).",
    ),
    builtin(
        TextList,
        "join",
        &[param("separator", Shape::String)],
        Shape::String,
        "The texts joined, with `separator` between each two.",
    ),
    // Maps.
    builtin(
        Map,
        "keys",
        &[],
        Shape::Keys,
        "The keys, in ascending order.",
    ),
    builtin(
        Map,
        "values",
        &[],
        Shape::Values,
        "The values, in the order of their keys.",
    ),
    // Time.
    builtin(
        Function,
        "now",
        &[],
        Shape::Time,
        "The current instant: the run's start, fixed for the whole run (a test sets it with `given now`).",
    ),
    builtin(
        Function,
        "parse_time",
        &[param("text", Shape::String)],
        Shape::OptionalTime,
        "An RFC 3339 timestamp (`2026-03-29T01:30:00+01:00`, as Okta writes them) as a `Time`, or null when the text is not one.",
    ),
    builtin(
        Function,
        "days_between",
        &[param("from", Shape::Time), param("to", Shape::Time)],
        Shape::Int,
        "Whole days from `from` to `to`, negative when `to` is earlier.",
    ),
    builtin(
        Time,
        "format",
        &[param("pattern", Shape::String)],
        Shape::String,
        "The instant in UTC as text, with strftime's `%Y-%m-%d %H:%M` patterns.",
    ),
    // Modules.
    builtin(
        Module("csv"),
        "encode",
        &[param("rows", Shape::Records)],
        Shape::String,
        "RFC 4180 CSV text: a header of the first record's field names, in the order the rows' record type declares them (others after, alphabetically), then one line per record.",
    ),
    builtin(
        Module("json"),
        "encode",
        &[param("value", Shape::Any)],
        Shape::String,
        "The value as JSON text.",
    ),
    builtin(
        Module("json"),
        "decode",
        &[param("text", Shape::String)],
        Shape::Json,
        "JSON text as a `Json` value; a run fails on text that is not JSON.",
    ),
    builtin(
        Module("hash"),
        "sha256",
        &[param("text", Shape::String)],
        Shape::String,
        "The SHA-256 digest of the text's UTF-8 bytes, in lower-case hexadecimal.",
    ),
    builtin(
        Module("hmac"),
        "sha256",
        &[
            param("key", Shape::KeyMaterial),
            param("message", Shape::String),
        ],
        Shape::String,
        "The HMAC-SHA256 of `message` under `key`, in lower-case hexadecimal (how webhook signatures are computed).",
    ),
];

/// The built-in modules: names that stand before `.` in `csv.encode(…)`.
pub fn is_module(name: &str) -> bool {
    module_functions(name).next().is_some()
}

/// The functions of a built-in module; none when there is no such module.
pub fn module_functions(module: &str) -> impl Iterator<Item = &'static Builtin> {
    BUILTINS
        .iter()
        .filter(move |b| matches!(b.receiver, Receiver::Module(m) if m == module))
}

/// A built-in function called by its name alone.
pub fn function(name: &str) -> Option<&'static Builtin> {
    BUILTINS
        .iter()
        .find(|b| b.receiver == Receiver::Function && b.name == name)
}

/// A built-in method called `name`, on any receiver: methods of one name
/// take the same parameters on every receiver (`len`, `contains`), so the
/// first found stands for all when the receiver's type is not known.
pub fn method(name: &str) -> Option<&'static Builtin> {
    BUILTINS
        .iter()
        .find(|b| b.name == name && b.receiver.is_method())
}

/// The built-ins called on `receiver`: a module's functions, or a type's methods.
pub fn members(receiver: Receiver) -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().filter(move |b| b.receiver == receiver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_builtins_share_a_receiver_and_a_name() {
        for (i, a) in BUILTINS.iter().enumerate() {
            for b in BUILTINS.iter().skip(i + 1) {
                assert!(
                    a.receiver != b.receiver || a.name != b.name,
                    "{}",
                    a.qualified_name()
                );
            }
        }
    }

    #[test]
    fn modules_and_functions_are_found_by_name() {
        assert!(is_module("csv") && is_module("hmac") && !is_module("okta"));
        assert!(function("now").is_some() && function("upper").is_none());
        assert_eq!(module_functions("json").count(), 2);
    }
}
