//! `idflow parse FILE`: the syntax tree of one file, for people and tools.

use anyhow::Result;
use idflow_compiler::line_index::LineIndex;
use idflow_compiler::source::{FileId, SourceFile};
use idflow_compiler::syntax::{self, ast::Item};

use super::Outcome;
use crate::cli::{ParseArgs, ParseFormat};
use crate::{files, report};

/// Runs the command.
pub fn run(args: &ParseArgs) -> Result<Outcome> {
    let text = files::read_source(&args.file)?;
    let parsed = syntax::parse(FileId(0), &text);
    let file = SourceFile {
        name: args.file.display().to_string(),
        text,
    };
    match args.format {
        ParseFormat::Json => report::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&parsed.module)?
        )),
        ParseFormat::Outline => report::out(&outline(&parsed.module.items, &file.text)),
    }
    report::diagnostics(&parsed.diagnostics, &file, args.error_format);
    Ok(if parsed.has_errors() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// One line per item: `kind name  lines a-b`.
fn outline(items: &[Item], text: &str) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for item in items {
        let (kind, name) = match item {
            Item::Import(i) => ("import", i.name.name.clone()),
            Item::Config(i) => ("config", i.name.name.clone()),
            Item::Type(i) => ("type", i.name.name.clone()),
            Item::Extend(i) => ("extend", i.target.dotted()),
            Item::Fn(i) => ("fn", i.name.name.clone()),
            Item::Connector(i) => ("connector", i.name.name.clone()),
            Item::Flow(i) => ("flow", i.name.name.clone()),
            Item::Test(i) => ("test", format!("{:?}", i.name.value)),
        };
        let span = item.span();
        let first = index.line_col(span.start as usize).line + 1;
        let last = index.line_col(span.end as usize).line + 1;
        out.push_str(&format!("{kind:<9} {name:<40} lines {first}-{last}\n"));
    }
    out
}
