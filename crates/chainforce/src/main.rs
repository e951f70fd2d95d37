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
    /// Copy the database while the server runs (SQLite), verifying the copy's audit chain.
    Backup(commands::backup::BackupArgs),
    /// Replace the database with a verified backup (stop the server first).
    Restore(commands::backup::RestoreArgs),
    /// 台账导入: import a project ledger or task list (.xlsx, .xls, .csv).
    Import(commands::import::ImportArgs),
    /// Export a list to .xlsx.
    Export(commands::import::ExportArgs),
    /// 倒排工期: schedule a plan (CSV) backward from a target or forward from a start.
    Schedule(commands::schedule::Args),
    /// 工作日历: list working days or count working days from a date.
    Calendar(commands::calendar::Args),
}

/// The server builds and drops multi-megabyte pages (the battle map is 8 MB) and hundreds of
/// thousands of small strings per county-wide read. glibc's allocator returns each large block to
/// the kernel and faults it in again on the next page; mimalloc keeps them, which measured about
/// as much as the drawing itself (BENCHMARKS.md, battle map after a change).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome: anyhow::Result<ExitCode> = match cli.command {
        Command::Serve(args) => commands::serve::run(args),
        Command::Migrate(args) => commands::migrate::run(args),
        Command::User(args) => commands::user::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Backup(args) => commands::backup::backup(args),
        Command::Restore(args) => commands::backup::restore(args),
        Command::Import(args) => commands::import::import(args),
        Command::Export(args) => commands::import::export(args),
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
