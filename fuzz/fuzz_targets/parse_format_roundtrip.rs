//! Parse, format, parse again: the parser must never panic; every diagnostic
//! must point inside the text and render; and for any input that parses,
//! formatting must give text that parses to the same tree and formats to
//! itself.

#![no_main]

use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::format;
use idflow_compiler::source::{FileId, SourceFile};
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
        let file = SourceFile {
            name: "fuzz.flow".to_owned(),
            text: text.to_owned(),
        };
        for diagnostic in &parsed.diagnostics {
            let span = diagnostic.span().expect("every diagnostic has a span");
            assert!(span.start <= span.end && span.end as usize <= text.len(), "span out of the text: {span:?}");
            assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
            assert!(!render::to_text(diagnostic, &file, Colors::Off).is_empty());
        }
        return;
    }
    let once = format::format(&parsed.module, text);
    let reparsed = syntax::parse(FileId(0), &once);
    assert!(!reparsed.has_errors(), "formatted text does not parse:\n{once}\n{:?}", reparsed.diagnostics);
    assert_eq!(without_spans(&parsed.module), without_spans(&reparsed.module), "tree changed:\n{once}");
    let twice = format::format(&reparsed.module, &once);
    assert_eq!(once, twice, "not idempotent");
});
