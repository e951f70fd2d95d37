//! The application: shared state, the listener, and the layers every request passes through.

use crate::auth::LoginLimiter;
use crate::context;
use crate::routes;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use chainforce_storage::Store;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;

/// Settings of the web server.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub bind: SocketAddr,
    /// Set the `Secure` flag on cookies (behind HTTPS).
    pub secure_cookies: bool,
    /// Largest request body for forms and JSON (uploads have their own limit).
    pub max_body_bytes: usize,
    /// Largest attachment or spreadsheet upload.
    pub max_upload_bytes: usize,
    /// Where attachments are stored (outside any web-served path).
    pub upload_dir: PathBuf,
    /// The county this server serves.
    pub region_id: i64,
    /// Failed logins allowed per account and address within the window.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// Whether a reminder sender runs with this server (off in the demo, which has no real
    /// robots); the office's outbox page says so when it does not.
    pub reminders_sending: bool,
    /// What attachments may be (size, kinds by magic bytes): `data/attachments/policy.json`
    /// unless configured otherwise. A file is also bounded by `max_upload_bytes`.
    pub attachments: chainforce_domain::pipeline::AttachmentPolicy,
}

impl AppConfig {
    pub fn new(bind: SocketAddr, region_id: i64, upload_dir: PathBuf) -> AppConfig {
        AppConfig {
            bind,
            secure_cookies: false,
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
            upload_dir,
            region_id,
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            reminders_sending: true,
            attachments: Default::default(),
        }
    }
}

pub(crate) struct Inner {
    pub store: Store,
    pub config: AppConfig,
    pub limiter: LoginLimiter,
    pub metrics: PrometheusHandle,
    pub renders: crate::rendered::BoardRenders,
    pub map_pieces: crate::rendered::MapPieces,
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

impl AppState {
    pub fn new(store: Store, config: AppConfig) -> AppState {
        let limiter = LoginLimiter::new(config.login_max_failures, config.login_window);
        AppState(Arc::new(Inner {
            store,
            config,
            limiter,
            metrics: metrics_handle(),
            renders: Default::default(),
            map_pieces: Default::default(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// Page bodies kept until the task board changes.
    pub(crate) fn renders(&self) -> &crate::rendered::BoardRenders {
        &self.0.renders
    }

    pub(crate) fn map_pieces(&self) -> &crate::rendered::MapPieces {
        &self.0.map_pieces
    }

    pub fn config(&self) -> &AppConfig {
        &self.0.config
    }

    /// Where attachments are kept: `attachments/` under the upload directory.
    pub fn files(&self) -> chainforce_storage::pipeline::FileStore {
        chainforce_storage::pipeline::FileStore::new(self.0.config.upload_dir.join("attachments"))
    }
}

/// One Prometheus recorder per process (tests start many servers in one process).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
                .map(|b| b.build_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            // Fails only when another recorder is installed (e.g. by an embedding program).
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The whole router with its layers, for the server and for in-process tests.
pub fn router(state: AppState) -> Router {
    let max_body = state.config().max_body_bytes.max(state.config().max_upload_bytes);
    routes::table()
        .into_router()
        .layer(axum::middleware::from_fn_with_state(state.clone(), context::resolve))
        .layer(axum::middleware::from_fn(context::render_errors))
        .layer(axum::middleware::from_fn(context::security_headers))
        .layer(axum::middleware::from_fn(context::measure))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        .with_state(state)
}

/// A bound, not yet running server. Binding first lets tests ask for port 0 and learn the port.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
}

impl Application {
    pub async fn build(store: Store, config: AppConfig) -> std::io::Result<Application> {
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        std::fs::create_dir_all(&config.upload_dir)?;
        let router = router(AppState::new(store, config));
        Ok(Application { listener, router, addr })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}
