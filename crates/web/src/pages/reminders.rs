//! 消息提醒 (the office): the county's and the units' group robots, and the outbox — what was
//! sent, what waits for a retry, what failed and why — with a test message, resuming a robot
//! reported failing, sending a failed message again and queueing today's digests now.

use super::forms::{Opt, References, coded, options};
use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainforce_domain::permission::Action;
use chainforce_domain::reminder::robot::{mask, mask_webhook};
use chainforce_domain::reminder::{Audience, Notice, ReminderSettings, RobotForm, RobotKind};
use chainforce_storage::reminders::Robot;
use chainforce_storage::reminders::outbox::{OutboxEntry, OutboxStatus};
use serde::Deserialize;

/// A robot as the office's list shows it: credentials masked.
struct RobotRow {
    r: Robot,
    webhook: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    chrome: Chrome,
    robots: Vec<RobotRow>,
    outbox: Vec<OutboxEntry>,
    status: String,
    sending: bool,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    queued: Option<usize>,
}

/// How many outbox rows the page lists.
const OUTBOX_ROWS: i64 = 200;

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OutboxQuery>) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    let t = ctx.t();
    let status = OutboxStatus::parse(&q.status);
    let robots = state
        .store()
        .robots(ctx.region_id)
        .await?
        .into_iter()
        .map(|r| RobotRow {
            webhook: mask_webhook(&r.webhook_url),
            secret: r.secret.as_deref().map(mask).unwrap_or_default(),
            r,
        })
        .collect();
    render(&RemindersPage {
        chrome: Chrome::new(&ctx, "reminders", t.s("nav.reminders")),
        robots,
        outbox: state.store().outbox(ctx.region_id, status, OUTBOX_ROWS).await?,
        status: status.map(|s| s.code().to_string()).unwrap_or_default(),
        sending: state.config().reminders_sending,
        notice: q.queued.map(|n| format!("{} {n}", t.s("reminder.queued"))),
    })
}

#[derive(Template)]
#[template(path = "robot_form.html")]
struct RobotPage {
    chrome: Chrome,
    f: RobotForm,
    errors: FormErrors,
    action: String,
    version: i64,
    enabled: bool,
    kinds: Vec<Opt>,
    units: Vec<Opt>,
    /// On edit: the stored secret, masked (left empty in the form to keep it).
    stored_secret: String,
}

async fn robot_page(
    state: &AppState,
    ctx: &Ctx,
    f: RobotForm,
    errors: FormErrors,
    robot: Option<&Robot>,
) -> AppResult<RobotPage> {
    let t = ctx.t();
    let refs = References::load(state, ctx.region_id, t).await?;
    Ok(RobotPage {
        chrome: Chrome::new(
            ctx,
            "reminders",
            t.s(if robot.is_some() {
                "reminder.edit_robot"
            } else {
                "reminder.new_robot"
            }),
        ),
        kinds: coded(RobotKind::ALL, RobotKind::code, |k| k.label(t.lang), &f.kind, None),
        units: options(refs.units, &f.unit_id, Some(t.s("reminder.county_group"))),
        action: robot
            .map(|r| format!("/reminders/robots/{}", r.id))
            .unwrap_or("/reminders/robots".into()),
        version: robot.map_or(0, |r| r.version),
        enabled: robot.is_none_or(|r| r.enabled),
        stored_secret: robot.and_then(|r| r.secret.as_deref()).map(mask).unwrap_or_default(),
        f,
        errors,
    })
}

async fn new_robot(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    let f = RobotForm {
        kind: RobotKind::WeCom.code().into(),
        ..Default::default()
    };
    render(&robot_page(&state, &ctx, f, FormErrors::none(), None).await?)
}

async fn robot_of_county(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Robot> {
    ctx.require(Action::ManageReminders)?;
    let r = state.store().robot(id).await?;
    if r.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

async fn edit_robot(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = robot_of_county(&state, &ctx, id).await?;
    // The stored address is shown masked, never in full: typing it again replaces it.
    let f = RobotForm {
        name: r.name.clone(),
        kind: r.kind.code().into(),
        unit_id: r.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        webhook_url: String::new(),
        secret: String::new(),
        keyword: r.keyword.clone().unwrap_or_default(),
    };
    render(&robot_page(&state, &ctx, f, FormErrors::none(), Some(&r)).await?)
}

#[derive(Deserialize)]
struct RobotSubmitted {
    #[serde(flatten)]
    f: RobotForm,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    enabled: String,
}

async fn create_robot(State(state): State<AppState>, ctx: Ctx, Form(s): Form<RobotSubmitted>) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    let result = async {
        let d = s.f.validate(ReminderSettings::built_in())?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.create_robot(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/reminders")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&robot_page(&state, &ctx, s.f, FormErrors::new(e, ctx.t()), None).await?)
        }
        Err(e) => Err(e),
    }
}

async fn update_robot(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(mut s): Form<RobotSubmitted>,
) -> AppResult<Response> {
    let r = robot_of_county(&state, &ctx, id).await?;
    // An empty address keeps the stored one (the form never shows it in full).
    if s.f.webhook_url.trim().is_empty() && s.f.kind == r.kind.code() {
        s.f.webhook_url = r.webhook_url.clone();
    }
    let result = async {
        let d = s.f.validate(ReminderSettings::built_in())?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_robot(id, s.version, &d, !s.enabled.is_empty()).await?;
        tx.commit().await?;
        Ok::<_, AppError>(d)
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/reminders")),
        Err(AppError::Invalid(e)) => {
            s.f.webhook_url.clear();
            render_invalid(&robot_page(&state, &ctx, s.f, FormErrors::new(e, ctx.t()), Some(&r)).await?)
        }
        Err(e) => or_conflict_page(
            &ctx,
            e,
            &serde_json::json!({"name": s.f.name}),
            &format!("/reminders/robots/{id}/edit"),
        ),
    }
}

/// Queues a test message for one robot.
async fn test_robot(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = robot_of_county(&state, &ctx, id).await?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    let n = tx
        .enqueue_notice(
            ctx.region_id,
            &Audience::Robot(id),
            &Notice::Test { robot_name: r.name },
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/reminders?queued={n}")))
}

async fn resume_robot(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    robot_of_county(&state, &ctx, id).await?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.resume_robot(id).await?;
    tx.commit().await?;
    Ok(see_other("/reminders"))
}

async fn retry(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    if state.store().outbox_message_region(id).await? != ctx.region_id {
        return Err(AppError::NotFound);
    }
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.retry_message(id).await?;
    tx.commit().await?;
    Ok(see_other("/reminders?status=pending"))
}

/// Queues today's digests now rather than at the configured time.
async fn digest_now(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageReminders)?;
    let n = state
        .store()
        .enqueue_daily_digests(ctx.region_id, chainforce_storage::clock::today())
        .await?;
    Ok(see_other(&format!("/reminders?queued={n}")))
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/reminders", Access::Office, page)
        .get("/reminders/robots/new", Access::Office, new_robot)
        .post("/reminders/robots", Access::Office, create_robot)
        .get("/reminders/robots/{id}/edit", Access::Office, edit_robot)
        .post("/reminders/robots/{id}", Access::Office, update_robot)
        .post("/reminders/robots/{id}/test", Access::Office, test_robot)
        .post("/reminders/robots/{id}/resume", Access::Office, resume_robot)
        .post("/reminders/outbox/{id}/retry", Access::Office, retry)
        .post("/reminders/digest", Access::Office, digest_now)
}
