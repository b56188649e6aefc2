//! The idflow compiler: the language's grammar, syntax tree, diagnostics and
//! formatter.
//!
//! The crate is pure: no I/O, no network, no printing. Callers hand it text
//! through a [`source::SourceMap`] and get back data — trees, diagnostics,
//! formatted text — so the CLI, the language server and the runtime all see
//! exactly the same results.
//!
//! The pipeline so far: [`syntax::parse`] turns text into a [`syntax::ast::Module`]
//! plus [`diagnostics::Diagnostic`]s; [`format::format`] prints a module back
//! in the one canonical style.

// The pest derive, built without its `std` feature (which would add a stack
// probe to every rule call), refers to `alloc` by path.
extern crate alloc;

pub mod diagnostics;
pub mod format;
pub mod line_index;
pub mod source;
pub mod syntax;
