//! What every command that touches the database shares: where the database is, logging, and
//! bringing an empty database to a usable first state.

use anyhow::{Context, Result};
use chainforce_domain::org::{RegionLevel, Role, UserDraft};
use chainforce_storage::{AuditActor, Store};

/// Where the data lives, from `--database-url` or `CHAINFORCE_DATABASE_URL`; a SQLite file in
/// the current directory by default.
#[derive(clap::Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// `postgres://user@host/db`, `sqlite://FILE` or a plain file path (SQLite).
    #[arg(
        long,
        env = "CHAINFORCE_DATABASE_URL",
        default_value = "chainforce.sqlite",
        global = true
    )]
    pub database_url: String,
}

impl DatabaseArgs {
    /// Opens the database and applies pending migrations.
    pub async fn open(&self) -> Result<Store> {
        Store::open(&self.database_url)
            .await
            .with_context(|| format!("cannot open the database at {}", redact(&self.database_url)))
    }
}

/// A database URL for messages, without its password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Logs to stderr; `CHAINFORCE_LOG_FORMAT=json` gives one JSON object per line for collectors.
/// The level comes from `RUST_LOG` (default: info, with sqlx's per-statement logs off).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("CHAINFORCE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

/// The county a single-county deployment serves; created on first start.
pub async fn ensure_county(store: &Store, name: &str) -> Result<i64> {
    if let Some(r) = store.default_region().await? {
        return Ok(r.id);
    }
    let mut tx = store.begin(&AuditActor::system("first-start")).await?;
    let id = tx.create_region(None, RegionLevel::County, None, name).await?;
    tx.seed_templates().await?;
    tx.commit().await?;
    Ok(id)
}

/// On first start with no users, creates the office's admin account with the password from
/// `CHAINFORCE_ADMIN_PASSWORD` or a generated one, printed once.
pub async fn ensure_admin(store: &Store, region_id: i64) -> Result<()> {
    if store.user_count().await? > 0 {
        return Ok(());
    }
    let (password, generated) = match std::env::var("CHAINFORCE_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (chainforce_web::auth::random_password(), true),
    };
    chainforce_domain::org::password_field("CHAINFORCE_ADMIN_PASSWORD", &password)
        .map_err(|e| anyhow::anyhow!("{}", e))?;
    let draft = UserDraft {
        username: "admin".into(),
        display_name: "专班办公室管理员".into(),
        role: Role::Admin,
        unit_id: None,
        enterprise_id: None,
        password: None,
    };
    let hash = chainforce_web::auth::hash_password_async(password.clone()).await;
    let mut tx = store.begin(&AuditActor::system("first-start")).await?;
    tx.create_user(region_id, &draft, &hash).await?;
    tx.commit().await?;
    if generated {
        println!("\n  首次启动：已创建管理员账号 / first start: created the administrator account");
        println!("    用户名 username: admin");
        println!("    密码   password: {password}");
        println!(
            "  请登录后立即修改密码；此密码不会再次显示。/ Change it after signing in; it will not be shown again.\n"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            super::redact("postgres://cf:secret@db:5432/cf"),
            "postgres://cf:***@db:5432/cf"
        );
        assert_eq!(
            super::redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(super::redact("chainforce.sqlite"), "chainforce.sqlite");
    }
}
