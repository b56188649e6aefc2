//! The idflow language server: a thin adapter over the compiler's API, one
//! file per LSP request. This crate holds no code yet; it exists so the
//! workspace has its final shape and `lsp_types` stays out of the compiler.
