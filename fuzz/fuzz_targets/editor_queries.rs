//! What the language server does on each keystroke, on any text: the first
//! two bytes pick a place in the text; every editor query at that place
//! must answer without panicking, and re-parsing after inserting a byte
//! there must give exactly what a full parse gives.

#![no_main]

use idflow_compiler::ide;
use idflow_compiler::lint::Levels;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_compiler::syntax;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((place, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut offset = usize::from(u16::from_le_bytes(*place)) % (text.len() + 1);
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let mut sources = SourceMap::new();
    sources.add("fuzz.flow", text);
    let mut project = Project::new(sources);
    let file = project.file_named("fuzz.flow").expect("the file is in the project");
    let analysis = ide::analyze(&project, &Levels::new(), Some(file));
    let parsed = project.file(file).expect("the file is parsed");
    let here = ide::occurrences(&project, &analysis.table, parsed);
    ide::hover(&project, &analysis.table, &here, file, offset);
    ide::complete(&project, &analysis.table, file, offset);
    ide::signature_help(&project, file, offset);
    ide::definition(&here, offset);
    ide::references(&project, &analysis.table, &here, offset, true);
    let _ = ide::rename(&project, &analysis.table, &here, offset, "renamed");
    ide::semantic_tokens(text, file, &here);
    ide::inlay_hints(&analysis.table, file, 0, text.len());
    ide::folding_ranges(parsed, text);
    ide::document_symbols(parsed);

    let edited = format!("{}}}{}", &text[..offset], &text[offset..]);
    let fresh = syntax::parse(file, &edited);
    project.replace(file, edited);
    let reused = &project.file(file).expect("the file is parsed").parsed;
    assert_eq!(reused.module, fresh.module);
    assert_eq!(reused.diagnostics, fresh.diagnostics);
});
