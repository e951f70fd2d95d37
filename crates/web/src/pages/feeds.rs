//! 日历订阅: each unit's secret iCalendar URL of its deadlines and meetings. The office issues,
//! re-issues and revokes them; the feed itself needs no session, only the long random token in
//! its URL (of which the database keeps the SHA-256).

use super::{Chrome, render};
use crate::app::AppState;
use crate::auth;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chainforce_domain::meeting::MeetingSettings;
use chainforce_domain::permission::Action;
use chainforce_domain::reminder::ReminderSettings;
use chainforce_exchange::ical::{EventTime, Feed, FeedEvent, write};
use chainforce_storage::feeds::FeedStatus;
use chrono::{Duration, NaiveDateTime, TimeZone, Utc};

#[derive(Template)]
#[template(path = "feeds.html")]
struct FeedsPage {
    chrome: Chrome,
    feeds: Vec<FeedStatus>,
    /// Just issued: (unit name, the URL), shown this once.
    issued: Option<(String, String)>,
}

async fn feeds_page(state: &AppState, ctx: &Ctx, issued: Option<(String, String)>) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    render(&FeedsPage {
        chrome: Chrome::new(ctx, "feeds", ctx.t().s("nav.feeds")),
        feeds: state.store().feeds(ctx.region_id).await?,
        issued,
    })
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    feeds_page(&state, &ctx, None).await
}

/// The feed's absolute URL as the user's browser reached this server.
fn feed_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config().secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}/ical/{token}.ics")
}

/// Issues a new URL (revoking the old one) and shows it once.
async fn issue(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(unit_id): Path<i64>,
) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    let token = auth::random_token();
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.issue_feed(ctx.region_id, unit_id, &auth::token_hash(&token)).await?;
    tx.commit().await?;
    let unit = state.store().unit(unit_id).await?;
    feeds_page(&state, &ctx, Some((unit.name, feed_url(&state, &headers, &token)))).await
}

async fn revoke(State(state): State<AppState>, ctx: Ctx, Path(unit_id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.revoke_feed(ctx.region_id, unit_id).await?;
    tx.commit().await?;
    Ok(super::see_other("/feeds"))
}

/// The feed: no session, the token is the key. An unknown or revoked token is simply not found.
async fn ical(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let unit_id = state
        .store()
        .feed_unit(&auth::token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = MeetingSettings::built_in();
    let today = chainforce_storage::clock::today();
    let cal = state
        .store()
        .unit_calendar(unit_id, today - Duration::days(settings.feed_past_meeting_days))
        .await?;
    let meeting_length = Duration::minutes(settings.meeting_length_minutes);
    let offset = ReminderSettings::built_in().utc_offset_hours * 3600;
    let local_zone = i32::try_from(offset)
        .ok()
        .and_then(chrono::FixedOffset::east_opt)
        .ok_or(AppError::Internal("the configured UTC offset is out of range".into()))?;
    let mut events: Vec<FeedEvent> = cal
        .deadlines
        .into_iter()
        .map(|d| FeedEvent {
            uid: format!("{}@chainforce", d.key),
            summary: format!("【时限】{}", d.title),
            description: Some(format!("项目：{}", d.project_name)),
            location: None,
            when: EventTime::AllDay(d.due),
        })
        .collect();
    events.extend(cal.meetings.into_iter().map(|m| {
        let when = match m.draft.start_time {
            Some(t) => {
                let local = NaiveDateTime::new(m.draft.date, t);
                let start = local_zone
                    .from_local_datetime(&local)
                    .single()
                    .map(|s| s.with_timezone(&Utc));
                match start {
                    Some(start) => EventTime::Timed {
                        start,
                        end: start + meeting_length,
                    },
                    None => EventTime::AllDay(m.draft.date),
                }
            }
            None => EventTime::AllDay(m.draft.date),
        };
        FeedEvent {
            uid: format!("meeting-{}@chainforce", m.id),
            summary: format!("第{}次{}", m.draft.number, m.draft.title),
            description: Some(format!("主持：{}", m.draft.chair)),
            location: m.draft.location.clone(),
            when,
        }
    }));
    let body = write(&Feed {
        name: format!("{} · 时限与会议", cal.unit_name),
        stamp: Utc::now(),
        refresh_minutes: settings.feed_refresh_minutes,
        events,
    });
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(res)
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/feeds", Access::Office, list)
        .post("/feeds/{unit_id}/issue", Access::Office, issue)
        .post("/feeds/{unit_id}/revoke", Access::Office, revoke)
        .get("/ical/{token}", Access::Public, ical)
}
