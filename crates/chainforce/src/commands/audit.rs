//! `chainforce audit verify` — check the hash chain of the audit trail.

use crate::setup::{self, DatabaseArgs};
use anyhow::Result;
use chainforce_storage::audit::ChainReport;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Verify every entry and the chain head; exit 1 and name the first broken entry if any.
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    setup::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async {
        let Action::Verify { db } = args.action;
        let store = db.open().await?;
        match store.verify_audit_chain().await? {
            ChainReport::Intact { entries } => {
                println!("audit chain intact: {entries} entries verified");
                Ok(ExitCode::SUCCESS)
            }
            ChainReport::Broken(b) => {
                eprintln!("audit chain BROKEN at entry {}: {}", b.seq, b.reason);
                Ok(ExitCode::from(1))
            }
        }
    })
}
