//! Sign in and out, and the language switch.

use super::{Chrome, render, safe_next};
use crate::app::AppState;
use crate::auth::{self, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_HOURS};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    message: String,
    username: String,
    next: String,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if ctx.session.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    // A fresh double-submit token for the login form (there is no session to hold one yet).
    let mut ctx = ctx;
    let token = if ctx.csrf.is_empty() {
        auth::random_token()
    } else {
        ctx.csrf.clone()
    };
    ctx.csrf = token.clone();
    let page = LoginPage {
        chrome: Chrome::new(&ctx, "login", ctx.t().s("login.title")),
        message: String::new(),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
    };
    let mut res = render(&page)?;
    res.headers_mut().append(
        header::SET_COOKIE,
        header_value(&auth::set_cookie(
            LOGIN_CSRF_COOKIE,
            &token,
            3600,
            state.config().secure_cookies,
        ))?,
    );
    Ok(res)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

fn header_value(s: &str) -> AppResult<HeaderValue> {
    HeaderValue::from_str(s).map_err(|e| AppError::Internal(e.to_string()))
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let ip = Some(client_ip(&headers, peer));
    let t = ctx.t();
    let again = |status: StatusCode, key: &str| -> AppResult<Response> {
        let page = LoginPage {
            chrome: Chrome::new(&ctx, "login", t.s("login.title")),
            message: t.s(key).to_string(),
            username: f.username.clone(),
            next: safe_next(f.next.as_deref()),
        };
        Ok((status, Html(page.render()?)).into_response())
    };
    if !state.0.limiter.allowed(ip, &f.username) {
        return again(StatusCode::TOO_MANY_REQUESTS, "login.too_many");
    }
    let user = state.store().user_by_username(&f.username).await?;
    let ok = match &user {
        Some(u) if u.active => auth::verify_password_async(f.password.clone(), u.password_hash.clone()).await,
        _ => {
            // Spend the same time as a real check, so timing does not reveal which usernames exist.
            let _ = auth::verify_password_async(f.password.clone(), DUMMY_HASH.clone()).await;
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        state.0.limiter.record_failure(ip, &f.username);
        tracing::info!(username = %f.username, "failed login");
        return again(StatusCode::UNAUTHORIZED, "login.failed");
    };
    state.0.limiter.record_success(ip, &f.username);
    let token = auth::random_token();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    state
        .store()
        .create_session(user.id, &auth::token_hash(&token), &auth::random_token(), &expires)
        .await?;
    let mut tx = state
        .store()
        .begin(&chainforce_storage::AuditActor::user(user.id, &user.display_name))
        .await?;
    tx.audit(
        "login",
        "user",
        Some(user.id),
        None::<&()>,
        Some(&serde_json::json!({"ip": ip.map(|i| i.to_string())})),
    );
    tx.commit().await?;
    let mut res = Redirect::to(&safe_next(f.next.as_deref())).into_response();
    let secure = state.config().secure_cookies;
    res.headers_mut().append(
        header::SET_COOKIE,
        header_value(&auth::set_cookie(SESSION_COOKIE, &token, SESSION_HOURS * 3600, secure))?,
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        header_value(&auth::set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure))?,
    );
    Ok(res)
}

/// A hash of a random string, verified against when the username is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| auth::hash_password(&auth::random_token()));

/// The client address: the direct peer, or the first `X-Forwarded-For` hop when the peer is a
/// local reverse proxy.
fn client_ip(headers: &HeaderMap, peer: SocketAddr) -> std::net::IpAddr {
    if peer.ip().is_loopback()
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    peer.ip()
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        state.store().delete_session(&auth::token_hash(token)).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        header_value(&auth::set_cookie(SESSION_COOKIE, "", 0, state.config().secure_cookies))?,
    );
    Ok(res)
}

/// `/lang/zh` or `/lang/en`: remembers the choice for a year and goes back.
async fn switch_language(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = chainforce_domain::validation::Lang::from_tag(&tag);
    let mut res = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        header_value(&auth::set_cookie(
            LANG_COOKIE,
            lang.tag(),
            365 * 24 * 3600,
            state.config().secure_cookies,
        ))?,
    );
    Ok(res)
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/login", Access::Public, login_form)
        .post("/login", Access::Public, login)
        .post("/logout", Access::SignedIn, logout)
        .get("/lang/{tag}", Access::Public, switch_language)
}
