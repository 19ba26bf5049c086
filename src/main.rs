//! portmortem: explain why ports a vulnerability scan saw open went closed or unresponsive.

mod app;
mod cli;
mod config;
mod correlate;
mod model;
mod pipeline;
mod read;
mod report;
mod reprobe;
mod sanitize;
mod scan;
mod watch;
mod words;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Analyze(a) => app::analyze(a),
        cli::Command::Events(a) => app::events(a),
        cli::Command::Reprobe(a) => app::reprobe_report(a),
        cli::Command::Formats => app::formats(),
        cli::Command::Watch(a) => watch::run(a),
        cli::Command::Completions { shell } => app::completions(*shell),
        cli::Command::Man { command } => app::man(command.as_deref()),
    };
    match result {
        Ok(status) => status.into(),
        Err(e) => {
            eprintln!(
                "portmortem: error: {}",
                report::sanitize::clean_str(&format!("{e:#}"))
            );
            app::Status::Error.into()
        }
    }
}
