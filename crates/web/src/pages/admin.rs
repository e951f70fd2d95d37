//! The office's reference data for scheduling: the holiday calendar (a new year's notice, the
//! county's own days), the approval-chain templates, and the 黄灯 threshold.

use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::calendar::HolidayNotice;
use chainforce_domain::permission::Action;
use chainforce_domain::validation::{Rule, ValidationErrors};
use chainforce_storage::calendar::{RegionDay, StoredNotice};
use chainforce_storage::templates::StoredTemplate;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "calendar_admin.html")]
struct CalendarPage {
    chrome: Chrome,
    built_in_years: Vec<i32>,
    notices: Vec<StoredNotice>,
    days: Vec<RegionDay>,
    yellow_float_days: i64,
    region_version: i64,
    notice_json: String,
    errors: FormErrors,
    month: Vec<(chrono::NaiveDate, bool)>,
}

async fn calendar_page(
    state: &AppState,
    ctx: &Ctx,
    notice_json: String,
    errors: FormErrors,
) -> AppResult<CalendarPage> {
    let store = state.store();
    let region = store.region(ctx.region_id).await?;
    let cal = store.calendar(ctx.region_id).await?;
    let today = chainforce_storage::clock::today();
    let first = today.with_day0(0).unwrap_or(today);
    let month = (0..42)
        .map(|i| first + chrono::Duration::days(i))
        .take_while(|d| d.month0() == first.month0())
        .map(|d| (d, cal.is_working_day(d)))
        .collect();
    Ok(CalendarPage {
        chrome: Chrome::new(ctx, "calendar", ctx.t().s("nav.calendar")),
        built_in_years: HolidayNotice::built_in().iter().map(|n| n.year).collect(),
        notices: store.calendar_notices().await?,
        days: store.region_days(ctx.region_id).await?,
        yellow_float_days: region.yellow_float_days,
        region_version: region.version,
        notice_json,
        errors,
        month,
    })
}

use chrono::Datelike;

async fn calendar(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    render(&calendar_page(&state, &ctx, String::new(), FormErrors::none()).await?)
}

#[derive(Deserialize)]
struct NoticeForm {
    #[serde(default)]
    notice_json: String,
}

/// Adds (or replaces) a year's notice, pasted in the widely used JSON format.
async fn add_notice(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NoticeForm>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let result = async {
        let notice = HolidayNotice::parse(&f.notice_json).map_err(|e| {
            let msg = e.to_string();
            AppError::Invalid(ValidationErrors::single(
                "notice",
                Rule::Other {
                    zh: msg.clone(),
                    en: msg,
                },
            ))
        })?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.add_calendar_notice(&notice).await?;
        tx.commit().await?;
        // Every schedule now runs on the new calendar.
        state
            .store()
            .refresh_stale_schedules(ctx.region_id, chainforce_storage::clock::today())
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/calendar")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&calendar_page(&state, &ctx, f.notice_json, FormErrors::new(e, ctx.t())).await?)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct DayForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

/// The county's own day off or working day.
async fn set_day(State(state): State<AppState>, ctx: Ctx, Form(f): Form<DayForm>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let result = async {
        let mut errs = ValidationErrors::new();
        let day = match chainforce_domain::validation::optional_date("day", &f.day) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errs.push("day", Rule::Required);
                None
            }
            Err(e) => {
                errs.0.push(e);
                None
            }
        };
        let off = match f.kind.as_str() {
            "off" => Some(true),
            "work" => Some(false),
            _ => {
                errs.push(
                    "kind",
                    Rule::NotOneOf {
                        allowed: vec!["off".into(), "work".into()],
                    },
                );
                None
            }
        };
        let name = errs.check(chainforce_domain::validation::required_text("name", &f.name, 40));
        let (Some(day), Some(off), Some(name)) = (day, off, name) else {
            return Err(AppError::Invalid(errs));
        };
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.set_region_day(ctx.region_id, day, off, &name).await?;
        tx.commit().await?;
        state
            .store()
            .refresh_stale_schedules(ctx.region_id, chainforce_storage::clock::today())
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/calendar")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&calendar_page(&state, &ctx, String::new(), FormErrors::new(e, ctx.t())).await?)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ThresholdForm {
    #[serde(default)]
    yellow_float_days: String,
    version: i64,
}

/// How many working days of float still count as yellow (黄灯预警).
async fn set_threshold(State(state): State<AppState>, ctx: Ctx, Form(f): Form<ThresholdForm>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let result = async {
        let n = match f.yellow_float_days.trim().parse::<i64>() {
            Ok(n) if (0..=60).contains(&n) => n,
            Ok(_) => {
                return Err(AppError::Invalid(ValidationErrors::single(
                    "yellow_float_days",
                    Rule::OutOfRange {
                        min: "0".into(),
                        max: "60".into(),
                    },
                )));
            }
            Err(_) => {
                return Err(AppError::Invalid(ValidationErrors::single(
                    "yellow_float_days",
                    Rule::NotANumber,
                )));
            }
        };
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.set_yellow_threshold(ctx.region_id, f.version, n).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/calendar")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&calendar_page(&state, &ctx, String::new(), FormErrors::new(e, ctx.t())).await?)
        }
        Err(e) => or_conflict_page(
            &ctx,
            e,
            &serde_json::json!({"yellow_float_days": f.yellow_float_days}),
            "/calendar",
        ),
    }
}

#[derive(Template)]
#[template(path = "templates_admin.html")]
struct TemplatesPage {
    chrome: Chrome,
    templates: Vec<StoredTemplate>,
}

async fn templates(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let templates = state.store().templates().await?;
    render(&TemplatesPage {
        chrome: Chrome::new(&ctx, "templates", ctx.t().s("nav.templates")),
        templates,
    })
}

#[derive(Template)]
#[template(path = "template_form.html")]
struct TemplateFormPage {
    chrome: Chrome,
    json: String,
    version: i64,
    action: String,
    errors: FormErrors,
}

async fn template_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let t = state.store().template(id).await?;
    render(&TemplateFormPage {
        chrome: Chrome::new(&ctx, "templates", t.name.clone()),
        json: t.json,
        version: t.version,
        action: format!("/templates/{id}"),
        errors: FormErrors::none(),
    })
}

#[derive(Deserialize)]
struct TemplateSubmitted {
    #[serde(default)]
    template_json: String,
    #[serde(default)]
    version: i64,
}

async fn template_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TemplateSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let result = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.save_template(Some(id), f.version, &f.template_json).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/templates")),
        Err(AppError::Invalid(e)) => render_invalid(&TemplateFormPage {
            chrome: Chrome::new(&ctx, "templates", ctx.t().s("nav.templates")),
            json: f.template_json,
            version: f.version,
            action: format!("/templates/{id}"),
            errors: FormErrors::new(e, ctx.t()),
        }),
        Err(e) => or_conflict_page(
            &ctx,
            e,
            &serde_json::json!({"template_json": f.template_json}),
            &format!("/templates/{id}"),
        ),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/calendar", Access::Office, calendar)
        .post("/calendar/notices", Access::Office, add_notice)
        .post("/calendar/days", Access::Office, set_day)
        .post("/calendar/threshold", Access::Office, set_threshold)
        .get("/templates", Access::Office, templates)
        .get("/templates/{id}", Access::Office, template_edit)
        .post("/templates/{id}", Access::Office, template_save)
}
