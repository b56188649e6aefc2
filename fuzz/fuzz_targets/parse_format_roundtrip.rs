//! Parse, format, parse again: the parser must never panic, and for any input
//! that parses, formatting must give text that parses to the same tree and
//! formats to itself.

#![no_main]

use idflow_compiler::format;
use idflow_compiler::source::FileId;
use idflow_compiler::syntax;
use libfuzzer_sys::fuzz_target;

fn without_spans(module: &syntax::ast::Module) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.remove("file");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(module).expect("the tree serializes");
    strip(&mut value);
    value
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = syntax::parse(FileId(0), text);
    if parsed.has_errors() {
        return;
    }
    let once = format::format(&parsed.module, text);
    let reparsed = syntax::parse(FileId(0), &once);
    assert!(!reparsed.has_errors(), "formatted text does not parse:\n{once}\n{:?}", reparsed.diagnostics);
    assert_eq!(without_spans(&parsed.module), without_spans(&reparsed.module), "tree changed:\n{once}");
    let twice = format::format(&reparsed.module, &once);
    assert_eq!(once, twice, "not idempotent");
});
