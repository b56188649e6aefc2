//! The README's example flow is a real flow: it parses, is formatted, and
//! checks and lints cleanly.

use idflow_compiler::project::Project;
use idflow_compiler::source::{FileId, SourceMap};
use idflow_compiler::{format, lint};

#[test]
fn the_readme_example_checks_cleanly() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let example = readme
        .split_once("```flow\n")
        .unwrap()
        .1
        .split_once("```")
        .unwrap()
        .0;
    assert_eq!(
        format::format_source(FileId(0), example).unwrap(),
        example,
        "the example is formatted"
    );
    let mut sources = SourceMap::new();
    sources.add("README.md", example);
    let project = Project::new(sources);
    let mut diagnostics = idflow_compiler::check(&project);
    diagnostics.extend(lint::lint(&project, &lint::Levels::new()));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}
