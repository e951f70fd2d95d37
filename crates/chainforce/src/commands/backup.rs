//! `chainforce backup FILE` and `chainforce restore FILE`.
//!
//! A backup of a SQLite deployment is taken online, while the server keeps serving: SQLite's
//! `VACUUM INTO` writes one consistent snapshot. The copy's audit chain is verified before the
//! command reports success, so a backup that exists is a backup that checks out. Restoring
//! verifies the backup's chain again and only then replaces the database file (stop the server
//! first). PostgreSQL deployments back up with `pg_dump` / `pg_restore`, which do the same job
//! better than we could; both commands say so.

use crate::setup::{self, DatabaseArgs};
use anyhow::{Context, Result, bail};
use chainforce_storage::audit::ChainReport;
use chainforce_storage::{Backend, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy (must not exist yet).
    file: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A file written by `chainforce backup`.
    file: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
}

async fn verified(store: &Store, what: &str) -> Result<u64> {
    match store.verify_audit_chain().await? {
        ChainReport::Intact { entries } => Ok(entries),
        ChainReport::Broken(b) => bail!("the {what}'s audit chain is broken at entry {}: {}", b.seq, b.reason),
    }
}

pub fn backup(args: BackupArgs) -> Result<ExitCode> {
    setup::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async {
        if args.file.exists() {
            bail!("{} already exists; choose a new file name", args.file.display());
        }
        let store = args.db.open().await?;
        if store.backend() == Backend::Postgres {
            bail!("this database is PostgreSQL: back it up with pg_dump -Fc (and restore with pg_restore)");
        }
        store.backup_sqlite_to(&args.file).await.context("writing the backup")?;
        let copy = Store::open(path_str(&args.file)?).await?;
        let entries = verified(&copy, "backup").await?;
        copy.close().await;
        println!(
            "backup written to {} ({entries} audit entries verified)",
            args.file.display()
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn restore(args: RestoreArgs) -> Result<ExitCode> {
    setup::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async {
        let (url, backend) = chainforce_storage::normalise_url(&args.db.database_url)?;
        if backend == Backend::Postgres {
            bail!("this database is PostgreSQL: restore it with pg_restore");
        }
        if !args.file.is_file() {
            bail!("{} is not a file", args.file.display());
        }
        // Check the backup before touching anything.
        let copy = Store::open(path_str(&args.file)?)
            .await
            .context("the backup is not a chainforce database")?;
        let entries = verified(&copy, "backup").await?;
        copy.close().await;
        let target = sqlite_path(&url)?;
        // Write next to the target, then rename: the database is never half-restored.
        let staging = target.with_extension("restoring");
        std::fs::copy(&args.file, &staging).with_context(|| format!("copying to {}", staging.display()))?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
            }
        }
        std::fs::rename(&staging, &target)?;
        let restored = Store::open(path_str(&target)?).await?;
        let after = verified(&restored, "restored database").await?;
        restored.close().await;
        println!(
            "restored {} from {} ({after} of {entries} audit entries verified)",
            target.display(),
            args.file.display()
        );
        Ok(ExitCode::SUCCESS)
    })
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().context("the path is not UTF-8")
}

/// The file of a `sqlite://FILE?…` URL.
fn sqlite_path(url: &str) -> Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("not a SQLite URL")?;
    Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}
