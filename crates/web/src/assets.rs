//! Stylesheet, script and icons, compiled into the binary: county networks are offline, so the
//! pages never load anything from another host.

use crate::app::AppState;
use crate::routes::{Access, RouteTable};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const APP_CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");
const FAVICON: &str = include_str!("../static/favicon.svg");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

async fn js() -> Response {
    asset("application/javascript; charset=utf-8", APP_JS)
}

async fn favicon() -> Response {
    asset("image/svg+xml", FAVICON)
}

/// Liveness and database reachability, for the load balancer and the operator.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Prometheus text format.
async fn metrics(State(state): State<AppState>) -> Response {
    let mut res = state.0.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    res
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/static/app.css", Access::Public, css)
        .get("/static/app.js", Access::Public, js)
        .get("/favicon.svg", Access::Public, favicon)
        .get("/healthz", Access::Public, healthz)
        .get("/metrics", Access::Public, metrics)
}
