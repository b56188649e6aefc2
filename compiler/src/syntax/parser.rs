//! The pest parser generated from `flow.pest`.

use pest_derive::Parser;

/// The generated parser; [`Rule`] names every grammar rule.
#[derive(Parser)]
#[grammar = "syntax/flow.pest"]
pub struct FlowParser;
