//! The idflow language server: `idflow lsp` speaks the Language Server
//! Protocol over standard input and output.
//!
//! It is a thin adapter over the compiler's [`idflow_compiler::ide`]
//! queries: the diagnostics are those of `idflow check` and `idflow lint`,
//! the formatting that of `idflow fmt`. Each request has its own file in
//! [`handlers`]; [`workspace`] keeps the project; [`convert`] is the only
//! place that counts lines and UTF-16 columns.
//!
//! Built on `tower-lsp-server`, the maintained community fork of
//! `tower-lsp` (whose last release is from 2023 and pins an old
//! `lsp-types`): the same API, current protocol types.

pub mod convert;
pub mod handlers;
mod server;
pub mod workspace;

pub use server::Backend;

/// Serves the protocol on standard input and output until the client exits.
pub async fn serve_stdio() {
    let (service, socket) = tower_lsp_server::LspService::new(Backend::new);
    tower_lsp_server::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}
