//! The `idflow` command line: argument parsing, output formats and exit codes.
//! Everything else lives in the library crates.

mod cli;
mod commands;
mod config;
mod files;
mod provenance;
mod report;
mod store;
mod trace_text;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let outcome = match cli.command {
        cli::Command::Parse(args) => commands::parse::run(&args),
        cli::Command::Fmt(args) => commands::fmt::run(&args),
        cli::Command::Check(args) => commands::check::run(&args),
        cli::Command::Explain(args) => commands::explain::run(&args),
        cli::Command::Lint(args) => commands::lint::run(&args),
        cli::Command::Build(args) => commands::build::run(&args),
        cli::Command::Plan(args) => commands::plan::run(&args),
        cli::Command::Graph(args) => commands::graph::run(&args),
        cli::Command::Doc(args) => commands::doc::run(&args),
        cli::Command::Audit(command) => commands::audit::run(&command),
        cli::Command::Run(args) => commands::run::run(&args),
        cli::Command::Runs(command) => commands::runs::run(&command),
        cli::Command::Serve(args) => commands::serve::run(&args),
        cli::Command::Test(args) => commands::test::run(&args),
        cli::Command::Lsp => commands::lsp::run(),
        cli::Command::Replay(args) => commands::replay::run(&args),
    };
    match outcome {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            report::usage_error(&error);
            ExitCode::from(2)
        }
    }
}
