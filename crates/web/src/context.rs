//! What every request carries (language, session, CSRF token) and the layers that establish it.

use crate::app::AppState;
use crate::auth::{self, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, AppResult, ErrorInfo};
use crate::i18n::Tr;
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chainforce_domain::org::Actor;
use chainforce_domain::permission::{Action, allows};
use chainforce_domain::validation::Lang;
use chainforce_storage::AuditActor;
use chainforce_storage::sessions::Session;
use chainforce_storage::users::User;
use std::time::Instant;

/// The request's context, set by [`resolve`] for every request.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub session: Option<Session>,
    /// The token forms must echo: the session's, or before login the login cookie's.
    pub csrf: String,
    pub path: String,
    pub region_id: i64,
}

impl Ctx {
    pub fn t(&self) -> Tr {
        Tr::new(self.lang)
    }

    pub fn user(&self) -> AppResult<&User> {
        self.session.as_ref().map(|s| &s.user).ok_or(AppError::NotSignedIn)
    }

    pub fn actor(&self) -> AppResult<Actor> {
        Ok(self.user()?.actor())
    }

    /// The signed-in user, if `action` is theirs to do; 401 or 403 otherwise.
    pub fn require(&self, action: Action) -> AppResult<&User> {
        let user = self.user()?;
        if allows(&user.actor(), action) {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn can(&self, action: Action) -> bool {
        self.session.as_ref().is_some_and(|s| allows(&s.user.actor(), action))
    }

    pub fn audit_actor(&self) -> AuditActor {
        match &self.session {
            Some(s) => AuditActor::user(s.user.id, &s.user.display_name),
            None => AuditActor::system("anonymous"),
        }
    }

    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn language(headers: &axum::http::HeaderMap) -> Lang {
    // 简体中文 by default, whatever the browser prefers; English only when the user switches.
    auth::cookie(headers, LANG_COOKIE)
        .map(Lang::from_tag)
        .unwrap_or(Lang::Zh)
}

/// Establishes language and session, and refuses state-changing requests without a valid CSRF
/// token. Runs before every handler.
pub async fn resolve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // One request: the versions of the data kept in memory are read once, with the session.
    chainforce_storage::request::scope(resolve_in_request(state, req, next)).await
}

async fn resolve_in_request(state: AppState, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = language(&parts.headers);
    let path = parts.uri.path().to_string();
    let mut session = None;
    if let Some(token) = auth::cookie(&parts.headers, SESSION_COOKIE) {
        match state.store().session(&auth::token_hash(token)).await {
            Ok(s) => session = s,
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let csrf = match &session {
        Some(s) => s.csrf_token.clone(),
        None => auth::cookie(&parts.headers, LOGIN_CSRF_COOKIE)
            .unwrap_or_default()
            .to_string(),
    };
    let mut body = body;
    if is_unsafe(&parts.method) {
        // The token comes in a header (API, scripts), the query (multipart uploads) or the
        // urlencoded form body, which must then be read here and handed on unchanged.
        let mut presented = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| query_param(parts.uri.query(), "_csrf"));
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if presented.is_none() && is_form {
            let bytes = match axum::body::to_bytes(body, state.config().max_body_bytes).await {
                Ok(b) => b,
                Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            };
            presented = form_field(&bytes, "_csrf");
            body = Body::from(bytes);
        }
        let valid = !csrf.is_empty() && presented.as_deref().is_some_and(|p| auth::same_secret(p, &csrf));
        if session.is_none() && path != "/login" {
            let ctx = Ctx {
                lang,
                session: None,
                csrf,
                path,
                region_id: state.config().region_id,
            };
            parts.extensions.insert(ctx);
            return with_ctx_response(AppError::NotSignedIn);
        }
        if !valid {
            tracing::warn!(path, "refused a state-changing request without a valid CSRF token");
            return AppError::bad_request(
                "请求缺少有效的安全令牌（CSRF），请刷新页面后重试",
                "the request lacks a valid security token (CSRF); reload the page and try again",
            )
            .into_response();
        }
    }
    let ctx = Ctx {
        lang,
        session,
        csrf,
        path,
        region_id: state.config().region_id,
    };
    parts.extensions.insert(ctx);
    next.run(Request::from_parts(parts, body)).await
}

fn with_ctx_response(e: AppError) -> Response {
    e.into_response()
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query?)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Turns an [`ErrorInfo`] response into the page or JSON body the user sees, in their language.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = language(req.headers());
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let api = path.starts_with("/api/") || path == "/metrics";
    let wants_html = !api;
    let res = next.run(req).await;
    let status = res.status();
    // Errors raised by layers (413 of the body limit) carry no info: describe them.
    let info = res.extensions().get::<ErrorInfo>().cloned().or(match status {
        StatusCode::PAYLOAD_TOO_LARGE => Some(ErrorInfo {
            code: "too_large",
            errors: None,
            detail: None,
            current: None,
        }),
        _ => None,
    });
    let Some(info) = info else { return res };
    if info.code == "not_signed_in" && wants_html {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let target = format!("/login?next={}", urlencode(&next));
        return Redirect::to(&target).into_response();
    }
    let t = Tr::new(lang);
    let message = match (&info.detail, info.code) {
        (Some((zh, en)), _) => lang.pick(zh, en).to_string(),
        (None, code) => t.s(&format!("error.{code}")).to_string(),
    };
    if api {
        let body = serde_json::json!({
            "error": info.code,
            "message": message,
            "fields": info.errors.as_ref().map(|e| e.0.iter().map(|f| serde_json::json!({
                "field": f.field,
                "rule": f.rule,
                "message": f.rule.message(lang),
            })).collect::<Vec<_>>()),
            "current": info.current,
        });
        return (status, axum::Json(body)).into_response();
    }
    let html = crate::pages::error_page(t, status, &message, info.errors.as_ref());
    (status, html).into_response()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// Headers that keep the pages from loading anything from outside and from being framed.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Request counts and latencies per route for `/metrics`.
pub async fn measure(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("chainforce_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("chainforce_http_request_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}
