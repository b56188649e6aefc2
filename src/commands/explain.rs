//! `idflow explain CODE`: the long explanation of a diagnostic code, with a
//! wrong and a fixed example.

use anyhow::{Result, bail};
use idflow_compiler::diagnostics::codes;
use idflow_compiler::diagnostics::suggest::did_you_mean;

use super::Outcome;
use crate::cli::ExplainArgs;
use crate::report;

/// Runs the command.
pub fn run(args: &ExplainArgs) -> Result<Outcome> {
    let Some(code) = codes::find(&args.code) else {
        let ids = codes::ALL.iter().map(|code| code.id);
        match did_you_mean(&args.code.to_uppercase(), ids) {
            Some(near) => bail!("no diagnostic code `{}`; did you mean `{near}`?", args.code),
            None => bail!(
                "no diagnostic code `{}`; codes look like `E0101`",
                args.code
            ),
        }
    };
    report::out(code.long);
    Ok(Outcome::Clean)
}
