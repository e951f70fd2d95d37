//! `chainforce migrate` — bring the database schema up to date (also done at every start).

use crate::setup::{self, DatabaseArgs};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DatabaseArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    setup::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async {
        let store = chainforce_storage::Store::connect(&args.db.database_url).await?;
        let n = store.migrate().await?;
        println!("{n} migration(s) applied to {}", setup::redact(&args.db.database_url));
        Ok(ExitCode::SUCCESS)
    })
}
