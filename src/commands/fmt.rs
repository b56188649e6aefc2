//! `idflow fmt [--check] [PATH...]`.

use anyhow::Result;

use super::Outcome;
use crate::cli::FmtArgs;

/// Runs the command.
pub fn run(_args: &FmtArgs) -> Result<Outcome> {
    Ok(Outcome::Clean)
}
