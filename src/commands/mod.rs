//! One module per command. Each returns an [`Outcome`] or an input/output error.

pub mod audit;
pub mod build;
pub mod check;
pub mod doc;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod lint;
pub mod lsp;
pub mod parse;
pub mod plan;
pub mod replay;
pub mod run;
pub mod runs;
pub mod serve;
pub mod test;

use std::process::ExitCode;

/// How a command ended, when it could do its job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report.
    Clean,
    /// Syntax errors, unformatted files: exit 1.
    Findings,
}

impl Outcome {
    /// The process exit code.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Clean => ExitCode::SUCCESS,
            Self::Findings => ExitCode::from(1),
        }
    }
}
