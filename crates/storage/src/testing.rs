//! Test support: a fresh, migrated database per test, on SQLite always and on PostgreSQL when
//! `CHAINFORCE_TEST_POSTGRES_URL` names a server. Used by the test suites
//! of this crate and of the web crate; the product itself never calls it.

use crate::{Backend, Store};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Keeps a test database alive; the SQLite file is removed when it drops.
pub struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL server for tests, if configured. Prints a loud notice once when it is not.
pub fn postgres_url() -> Option<String> {
    match std::env::var("CHAINFORCE_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "\n*** PostgreSQL tests SKIPPED: CHAINFORCE_TEST_POSTGRES_URL is not set. \
                     .ci/run sets it; locally: CHAINFORCE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test ***\n"
                );
            });
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but CHAINFORCE_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI");
            }
            None
        }
    }
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.sqlite");
        let store = Store::open(path.to_str().expect("utf-8 temp path"))
            .await
            .expect("open sqlite");
        TestDb { store, _dir: Some(dir) }
    }

    /// A new database on the configured PostgreSQL server, or `None` when none is configured.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = postgres_url()?;
        let name = format!(
            "cf_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        );
        let admin = Store::connect(&admin_url)
            .await
            .expect("connect to the PostgreSQL test server");
        admin
            .execute_raw(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        drop_stale_databases(&admin).await;
        admin.close().await;
        let url = replace_database(&admin_url, &name);
        let store = Store::open(&url).await.expect("open postgres test database");
        assert_eq!(store.backend(), Backend::Postgres);
        Some(TestDb { store, _dir: None })
    }
}

/// Test databases older than a day are left-overs of killed runs.
async fn drop_stale_databases(admin: &Store) {
    let cutoff = chrono::Utc::now().timestamp_micros() - 86_400_000_000;
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'cf_test_%'")
        .fetch_all(&admin.read)
        .await
        .unwrap_or_default();
    for (n,) in names {
        let stamp = n
            .rsplit('_')
            .next()
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(i64::MAX);
        if stamp < cutoff {
            let _ = admin.execute_raw(&format!("DROP DATABASE IF EXISTS {n}")).await;
        }
    }
}

fn replace_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{db}?{q}"),
        None => format!("{host_part}/{db}"),
    }
}

impl Store {
    /// Runs a statement outside the audited write path — for tests that simulate tampering or
    /// set up servers. Never used by the product.
    pub async fn execute_raw(&self, sql: &str) -> crate::Result<u64> {
        let n = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.write)
            .await?
            .rows_affected();
        // The change bypassed the audit, so neither the board's nor the reference data's version
        // moved.
        self.boards.clear();
        self.references.clear();
        crate::request::forget();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_test_database_replaces_only_the_path() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(super::replace_database("postgres://h", "x"), "postgres://h/x");
    }
}
