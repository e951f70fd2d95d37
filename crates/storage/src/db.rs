//! Connecting, configuring and migrating the two backends. The only module that knows which
//! backend it is talking to.

use crate::{Result, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, AssertSqlSafe, ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The migrations, in order. Never edit or rename one that has shipped: add a new one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/0001_foundation.sql")),
    (2, "pipeline", include_str!("../migrations/0002_pipeline.sql")),
    (3, "meetings", include_str!("../migrations/0003_meetings.sql")),
    (4, "heroes", include_str!("../migrations/0004_heroes.sql")),
    (5, "chains", include_str!("../migrations/0005_chains.sql")),
    (6, "resources", include_str!("../migrations/0006_resources.sql")),
    (
        7,
        "resources_followup",
        include_str!("../migrations/0007_resources_followup.sql"),
    ),
    (9, "board_version", include_str!("../migrations/0009_board_version.sql")),
    (
        10,
        "board_changes",
        include_str!("../migrations/0010_board_changes.sql"),
    ),
    (
        11,
        "reference_version",
        include_str!("../migrations/0011_reference_version.sql"),
    ),
];

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Readers. On PostgreSQL also the writers.
    pub(crate) read: AnyPool,
    /// Writers. On SQLite a single connection: the file has one writer at a time anyway, and
    /// queueing for the connection in the pool is fair and async, where SQLite's busy handler
    /// sleeps and polls.
    pub(crate) write: AnyPool,
    backend: Backend,
    url: String,
    pub(crate) references: std::sync::Arc<crate::reference::ReferenceCache>,
    pub(crate) boards: std::sync::Arc<crate::board::BoardCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

/// Turns what a user gives (`chainforce.sqlite`, `sqlite://x.db`, `postgres://…`) into a URL and
/// its backend.
pub fn normalise_url(input: &str) -> Result<(String, Backend)> {
    let s = input.trim();
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        return Ok((s.to_string(), Backend::Postgres));
    }
    if s.starts_with("sqlite:") {
        let url = if s.contains('?') {
            s.to_string()
        } else {
            format!("{s}?mode=rwc")
        };
        return Ok((url, Backend::Sqlite));
    }
    if s.contains("://") {
        return Err(StoreError::Corrupt(format!(
            "unsupported database URL '{s}': use a file path, sqlite://FILE or postgres://…"
        )));
    }
    Ok((format!("sqlite://{s}?mode=rwc"), Backend::Sqlite))
}

impl Store {
    /// Connects (creating a SQLite file if needed) and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let mut opts = AnyConnectOptions::from_str(&url)?;
        // Every statement at debug level (`RUST_LOG=sqlx::query=debug` shows what a page asks
        // the database); statements slower than a second as warnings, whatever the level.
        opts = opts
            .log_statements(log::LevelFilter::Debug)
            .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(1));
        let store = match backend {
            Backend::Sqlite => {
                let read = sqlite_pool(4).connect_with(opts.clone()).await?;
                let write = sqlite_pool(1).connect_with(opts).await?;
                Store {
                    read,
                    write,
                    backend,
                    url,
                    references: Default::default(),
                    boards: Default::default(),
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    url,
                    references: Default::default(),
                    boards: Default::default(),
                }
            }
        };
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL this store was opened with (the backup command needs the file of a SQLite store).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Applies the migrations not yet applied, each in its own transaction. Returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        let mut conn = self.write.acquire().await?;
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .await?;
        drop(conn);
        let mut applied = 0;
        for (version, name, sql) in MIGRATIONS {
            let mut tx = self.begin_raw().await?;
            let done: Option<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_some() {
                continue;
            }
            let ddl = self.dialect(sql);
            sqlx::raw_sql(AssertSqlSafe(ddl)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(*version)
                .bind(*name)
                .bind(crate::tx::now_rfc3339())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version, name, "applied migration");
            applied += 1;
        }
        Ok(applied)
    }

    /// An aggregate that returns the selected rows as one JSON text, `[[v1, v2, …], …]`, in no
    /// particular order (empty: `[]`). A read of thousands of rows then crosses the driver as one
    /// value instead of one row at a time, about ten times faster through `Any` (see `board`).
    pub(crate) fn json_rows(&self, columns: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("json_group_array(json_array({columns}))"),
            Backend::Postgres => format!("CAST(COALESCE(json_agg(json_build_array({columns})), '[]') AS TEXT)"),
        }
    }

    /// Replaces the per-backend tokens of a migration.
    fn dialect(&self, sql: &str) -> String {
        let id = match self.backend {
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Backend::Postgres => "BIGSERIAL PRIMARY KEY",
        };
        sql.replace("{{id}}", id)
    }

    /// A write transaction that holds the write lock from its first statement. On SQLite a
    /// plain `BEGIN` would take the lock only at the first write and then fail with
    /// SQLITE_BUSY at once if another writer got there first, whatever the busy timeout says.
    pub(crate) async fn begin_raw(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// Checks that the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Writes a consistent copy of the whole database to `dest` while the server keeps serving
    /// (SQLite only: `VACUUM INTO` reads one snapshot). PostgreSQL deployments use pg_dump.
    pub async fn backup_sqlite_to(&self, dest: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Corrupt(
                "online file backup is for SQLite; use pg_dump for PostgreSQL".into(),
            ));
        }
        let path = dest.to_string_lossy().replace('\'', "''");
        sqlx::raw_sql(AssertSqlSafe(format!("VACUUM INTO '{path}'")))
            .execute(&self.read)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        // A SQLite connection is a file handle in this process: it cannot go stale the way a
        // network connection can, and the default ping before every acquire is one more round
        // trip to the connection's worker thread for every query.
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL lets readers go on while one writer writes; NORMAL is durable across
                // application crashes in WAL mode (only an OS crash may lose the last commits).
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                Ok(())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_means_a_sqlite_file() {
        assert_eq!(
            normalise_url("data/cf.sqlite").unwrap(),
            ("sqlite://data/cf.sqlite?mode=rwc".into(), Backend::Sqlite)
        );
        assert_eq!(normalise_url("postgres://u@h/db").unwrap().1, Backend::Postgres);
        assert!(normalise_url("mysql://x").is_err());
    }
}
