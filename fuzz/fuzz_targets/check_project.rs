//! Checks any text as a one-file project with the stdlib: name resolution
//! must never panic, whatever tree the parser recovered, and every
//! diagnostic must render.

#![no_main]

use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceMap::new();
    sources.add("fuzz.flow", text);
    let project = Project::new(sources);
    for diagnostic in idflow_compiler::check(&project) {
        assert!(!render::to_text_in(&diagnostic, &project.sources, Colors::Off).is_empty());
    }
});
