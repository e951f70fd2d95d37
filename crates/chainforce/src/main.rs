//! `chainforce` — the one binary: the web server and the office's command-line tools.
//!
//! `main` parses the command line, runs one command and turns its outcome into an exit code.
//! Each command lives in its own module under `commands/`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod commands;
mod demo;
mod demo_meetings;
mod setup;

/// chainforce — 专班工作平台: project pipeline, 倒排工期, 挂图作战, 调度例会.
#[derive(Parser)]
#[command(name = "chainforce", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (`--demo` for a fictional county).
    Serve(commands::serve::Args),
    /// Bring the database schema up to date.
    Migrate(commands::migrate::Args),
    /// Manage user accounts.
    User(commands::user::Args),
    /// Verify the tamper-evident audit trail.
    Audit(commands::audit::Args),
    /// 倒排工期: schedule a plan (CSV) backward from a target or forward from a start.
    Schedule(commands::schedule::Args),
    /// 工作日历: list working days or count working days from a date.
    Calendar(commands::calendar::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome: anyhow::Result<ExitCode> = match cli.command {
        Command::Serve(args) => commands::serve::run(args),
        Command::Migrate(args) => commands::migrate::run(args),
        Command::User(args) => commands::user::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Schedule(args) => commands::schedule::run(args),
        Command::Calendar(args) => commands::calendar::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
