//! Checks any text as a one-file project with the stdlib: name resolution
//! and type checking must never panic, whatever tree the parser recovered,
//! and every diagnostic must render; a project without errors must compile
//! into a plan (lowering, the optimizer, the JIT's analysis) and survive a
//! round trip through its binary form.

#![no_main]

use idflow_compiler::diagnostics::render::{self, Colors};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    sources.add("fuzz.flow", text);
    let project = Project::new(sources);
    let diagnostics = idflow_compiler::check(&project);
    for diagnostic in &diagnostics {
        assert!(!render::to_text_in(diagnostic, &project.sources, Colors::Off).is_empty());
    }
    if diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let plan = idflow_compiler::plan::build(&project, &Default::default())
        .expect("a checked project compiles");
    let bytes = idflow_compiler::plan::to_binary(&plan).expect("a plan encodes");
    assert_eq!(idflow_compiler::plan::from_binary(&bytes).ok(), Some(plan));
});
