//! `chainforce serve` — the web server (SQLite file by default; `--demo` for a fictional county).

use crate::demo;
use crate::setup::{self, DatabaseArgs};
use anyhow::{Context, Result};
use chainforce_web::{AppConfig, Application};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Where to listen.
    #[arg(long, env = "CHAINFORCE_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Start on a fresh SQLite file filled with a fictional county (示例数据).
    #[arg(long)]
    demo: bool,
    /// With --demo: how many projects the generated county has (for benchmarks).
    #[arg(long, default_value_t = 25, requires = "demo")]
    scale: usize,
    /// The county's name on first start.
    #[arg(long, env = "CHAINFORCE_COUNTY", default_value = "本县")]
    county: String,
    /// Where uploaded attachments are kept.
    #[arg(long, env = "CHAINFORCE_UPLOAD_DIR", default_value = "chainforce-uploads")]
    upload_dir: PathBuf,
    /// Mark cookies Secure (set when serving behind HTTPS).
    #[arg(long, env = "CHAINFORCE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Post group-robot messages to this base (`http://host:port`) instead of the WeCom and
    /// DingTalk hosts: a local test receiver, or an outbound proxy. Stored webhooks keep the
    /// vendors' addresses.
    #[arg(long, env = "CHAINFORCE_ROBOT_BASE_URL")]
    robot_base_url: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    setup::init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(serve(args))
}

async fn serve(args: Args) -> Result<ExitCode> {
    let mut demo_feed = None;
    let (store, region_id, upload_dir) = if args.demo {
        let dir = std::env::temp_dir().join(format!("chainforce-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("demo.sqlite");
        let _ = std::fs::remove_file(&file);
        let store = chainforce_storage::Store::open(file.to_str().context("temp path is not UTF-8")?).await?;
        let region_id = demo::load(&store, args.scale).await?;
        demo_feed = Some(crate::demo_meetings::load(&store, region_id).await?);
        (store, region_id, dir.join("uploads"))
    } else {
        let store = args.db.open().await?;
        let region_id = setup::ensure_county(&store, &args.county).await?;
        setup::ensure_admin(&store, region_id).await?;
        (store, region_id, args.upload_dir.clone())
    };
    let mut config = AppConfig::new(args.bind, region_id, upload_dir);
    config.secure_cookies = args.secure_cookies;
    // The demo's robots reach no real group: its messages stay in the outbox for viewing.
    config.reminders_sending = !args.demo;
    let app = Application::build(store.clone(), config)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    println!("chainforce 已启动 / listening on http://{}", app.addr());
    if let Some(token) = demo_feed {
        println!(
            "  发改委日历订阅 / 发改委's calendar feed: http://{}/ical/{token}.ics\n",
            app.addr()
        );
    } else {
        let dispatcher = chainforce_web::reminders::Dispatcher::new(store.clone(), args.robot_base_url.clone())
            .context("cannot start the reminder sender")?;
        tokio::spawn(dispatcher.run_forever(region_id));
    }
    tracing::info!(addr = %app.addr(), backend = ?store.backend(), "serving");
    tokio::spawn(refresh_schedules(store.clone(), region_id));
    app.run_until(shutdown_signal()).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Schedules run from "today": refresh those computed on an earlier day, hourly.
async fn refresh_schedules(store: chainforce_storage::Store, region_id: i64) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        match store
            .refresh_stale_schedules(region_id, chainforce_storage::clock::today())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(projects = n, "refreshed schedules for a new day"),
            Err(e) => tracing::error!(error = %e, "refreshing schedules failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
