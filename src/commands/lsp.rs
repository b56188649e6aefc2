//! `idflow lsp`: the language server, over standard input and output.

use anyhow::{Context as _, Result};

use super::Outcome;

/// Runs the server until the client asks it to exit.
pub fn run() -> Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the language server's runtime")?;
    runtime.block_on(idflow_lsp::serve_stdio());
    Ok(Outcome::Clean)
}
