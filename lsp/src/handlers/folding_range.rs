//! `textDocument/foldingRange`: items, blocks and comment runs.

use idflow_compiler::ide::{self, FoldKind};
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

use crate::convert::Text;
use crate::workspace::Workspace;

/// The ranges that fold, each over more than one line.
pub fn run(workspace: &Workspace, params: &FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let file = workspace.file(&params.text_document.uri)?;
    let source = workspace.text(file)?;
    let text = Text::new(source);
    let parsed = workspace.project.file(file)?;
    let ranges = ide::folding_ranges(parsed, source)
        .into_iter()
        .filter_map(|(span, kind)| {
            let range = text.range(span);
            (range.end.line > range.start.line).then_some(FoldingRange {
                start_line: range.start.line,
                start_character: None,
                end_line: range.end.line,
                end_character: None,
                kind: Some(match kind {
                    FoldKind::Region => FoldingRangeKind::Region,
                    FoldKind::Comment => FoldingRangeKind::Comment,
                }),
                collapsed_text: None,
            })
        })
        .collect();
    Some(ranges)
}
