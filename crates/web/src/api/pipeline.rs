//! The pipeline in the JSON API: stage changes and their history, the KPIs and lead times of a
//! period, and monthly reports — the same rules and storage calls as the pages.

use super::dto::ErrorOut;
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::JsonLater;
use crate::pages::pipeline::{PeriodQuery, readable_project, record_stage_change, report_for, report_rows};
use crate::routes::{Access, RouteTable};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chainforce_domain::permission::Action;
use chainforce_domain::pipeline::monthly::{MonthlyReportForm, month_text};
use chainforce_domain::pipeline::{Kpis, LeadTime, Rate, StageChangeForm};
use chainforce_storage::pipeline::StageChangeRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// A stage change: `to` is a stage code (`signed` … `full_production`) or `paused`,
/// `terminated`, `active` (resume).
#[derive(Deserialize, ToSchema)]
pub struct StageChangeIn {
    pub to: String,
    /// `YYYY-MM-DD`, not in the future, not before the previous stage's date.
    pub date: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// The office overrides the 供地-before-开工 rule (a reason is then required).
    #[serde(default, rename = "override")]
    pub override_rule: bool,
    /// The project's version as read.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StageChangeOut {
    pub id: i64,
    pub from_stage: String,
    pub to_stage: String,
    pub from_state: String,
    pub to_state: String,
    pub date: String,
    pub reason: Option<String>,
    pub overridden: bool,
    pub by: String,
}

impl From<StageChangeRecord> for StageChangeOut {
    fn from(h: StageChangeRecord) -> Self {
        StageChangeOut {
            id: h.id,
            from_stage: h.from_stage.code().into(),
            to_stage: h.to_stage.code().into(),
            from_state: h.from_state.code().into(),
            to_state: h.to_state.code().into(),
            date: h.changed_on.to_string(),
            reason: h.reason,
            overridden: h.overridden,
            by: h.by_name,
        }
    }
}

/// A rate as an exact fraction and a percentage with one decimal (absent when the denominator
/// is zero).
#[derive(Serialize, ToSchema)]
pub struct RateOut {
    pub numerator: i64,
    pub denominator: i64,
    pub percent: Option<String>,
}

impl From<Rate> for RateOut {
    fn from(r: Rate) -> Self {
        RateOut {
            numerator: r.num,
            denominator: r.den,
            percent: r.per_mille().map(|pm| format!("{}.{}", pm / 10, pm % 10)),
        }
    }
}

/// One group's KPIs; money in 万元 as decimal strings, lead times in working days.
#[derive(Serialize, ToSchema)]
pub struct KpiOut {
    pub group_id: Option<i64>,
    pub group: String,
    pub signed: i64,
    pub started: i64,
    pub in_production: i64,
    pub fulfilment_rate: RateOut,
    pub start_rate: RateOut,
    pub production_rate: RateOut,
    pub funds_rate: RateOut,
    pub funds_in_place: String,
    pub agreed_investment: String,
    pub signed_investment: String,
    pub landed_investment: String,
    pub started_investment: String,
    pub median_sign_to_land: Option<String>,
    pub median_land_to_start: Option<String>,
    pub median_sign_to_start: Option<String>,
}

impl From<Kpis> for KpiOut {
    fn from(k: Kpis) -> Self {
        KpiOut {
            group_id: k.group.id,
            group: k.group.name,
            signed: k.signed,
            started: k.started,
            in_production: k.in_production,
            fulfilment_rate: k.fulfilment_rate.into(),
            start_rate: k.start_rate.into(),
            production_rate: k.production_rate.into(),
            funds_rate: k.funds_rate.into(),
            funds_in_place: k.funds_in_place.to_string(),
            agreed_investment: k.agreed.to_string(),
            signed_investment: k.signed_investment.to_string(),
            landed_investment: k.landed_investment.to_string(),
            started_investment: k.started_investment.to_string(),
            median_sign_to_land: k.median_sign_to_land.map(|m| m.to_string()),
            median_land_to_start: k.median_land_to_start.map(|m| m.to_string()),
            median_sign_to_start: k.median_sign_to_start.map(|m| m.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeadTimeOut {
    pub project_id: i64,
    pub name: String,
    pub signed_on: Option<String>,
    pub land_on: Option<String>,
    pub started_on: Option<String>,
    pub sign_to_land: Option<i64>,
    pub land_to_start: Option<i64>,
    pub sign_to_start: Option<i64>,
}

impl From<LeadTime> for LeadTimeOut {
    fn from(l: LeadTime) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        LeadTimeOut {
            project_id: l.project_id,
            name: l.name,
            signed_on: d(l.signed_on),
            land_on: d(l.land_on),
            started_on: d(l.started_on),
            sign_to_land: l.sign_to_land,
            land_to_start: l.land_to_start,
            sign_to_start: l.sign_to_start,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PipelineOut {
    pub from: String,
    pub to: String,
    pub county: KpiOut,
    pub by_township: Vec<KpiOut>,
    pub by_lead_unit: Vec<KpiOut>,
    pub by_chain_node: Vec<KpiOut>,
    pub lead_times: Vec<LeadTimeOut>,
}

#[derive(Deserialize, IntoParams)]
pub struct PipelineParams {
    /// month | quarter | year (default year)
    pub kind: Option<String>,
    /// Any day in the period (default today).
    pub date: Option<String>,
}

/// A monthly report: 本月完成投资 in 万元 (units such as 亿元 accepted), 形象进度.
#[derive(Deserialize, ToSchema)]
pub struct MonthlyIn {
    /// `YYYY-MM`
    pub month: String,
    pub completed_investment: String,
    pub image_progress: String,
    /// 0 for a new month; the report's version to correct it.
    #[serde(default)]
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MonthlyOut {
    pub id: i64,
    pub month: String,
    pub completed_investment: String,
    pub image_progress: String,
    pub version: i64,
    pub reported_by: String,
    pub year_to_date: String,
    pub since_start: Option<String>,
    pub to_date: String,
    pub share_of_annual_plan: Option<RateOut>,
    pub share_of_total: Option<RateOut>,
    /// Ids of the attached photos (download at /attachments/{id}).
    pub photo_ids: Vec<i64>,
}

/// Records a stage change (the office, or the project's lead unit).
#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", params(("id" = i64, Path)), request_body = StageChangeIn,
    responses((status = 200, body = Vec<StageChangeOut>), (status = 403, body = ErrorOut), (status = 409, body = ErrorOut), (status = 422, body = ErrorOut)))]
async fn change_stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: JsonLater<StageChangeIn>,
) -> AppResult<Json<Vec<StageChangeOut>>> {
    let p = readable_project(&state, &ctx, id).await?;
    ctx.require(Action::ChangeStage {
        lead_unit_id: p.draft.lead_unit_id,
    })?;
    let b = body.value()?;
    let form = StageChangeForm {
        to: b.to,
        date: b.date,
        reason: b.reason.unwrap_or_default(),
        override_rule: if b.override_rule { "1".into() } else { String::new() },
    };
    record_stage_change(&state, &ctx, id, b.version, &form).await?;
    stages(State(state), ctx, Path(id)).await
}

/// A project's stage history, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/stages", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StageChangeOut>), (status = 404, body = ErrorOut)))]
async fn stages(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Vec<StageChangeOut>>> {
    readable_project(&state, &ctx, id).await?;
    let h = state.store().stage_history(id).await?;
    Ok(Json(h.into_iter().map(StageChangeOut::from).collect()))
}

/// KPIs by township, lead unit and chain node, and lead times, for a period.
#[utoipa::path(get, path = "/api/v1/pipeline", params(PipelineParams),
    responses((status = 200, body = PipelineOut), (status = 403, body = ErrorOut)))]
async fn pipeline(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PipelineParams>,
) -> AppResult<Json<PipelineOut>> {
    ctx.require(Action::ReadCounty)?;
    let period = PeriodQuery {
        kind: q.kind.unwrap_or_default(),
        date: q.date.unwrap_or_default(),
    }
    .period();
    let r = report_for(&state, &ctx, period).await?;
    let all = |v: Vec<Kpis>| v.into_iter().map(KpiOut::from).collect();
    Ok(Json(PipelineOut {
        from: r.from.to_string(),
        to: r.to.to_string(),
        county: r.county.into(),
        by_township: all(r.by_township),
        by_lead_unit: all(r.by_lead_unit),
        by_chain_node: all(r.by_chain_node),
        lead_times: r.lead_times.into_iter().map(LeadTimeOut::from).collect(),
    }))
}

/// A project's monthly reports with their cumulative figures, newest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/monthly", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MonthlyOut>), (status = 404, body = ErrorOut)))]
async fn monthly(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Vec<MonthlyOut>>> {
    let p = readable_project(&state, &ctx, id).await?;
    let rows = report_rows(&state, &p).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| MonthlyOut {
                id: r.report.id,
                month: month_text(r.report.month),
                completed_investment: r.report.completed_investment.to_string(),
                image_progress: r.report.progress,
                version: r.report.version,
                reported_by: r.report.reported_by_name,
                year_to_date: r.c.year_to_date.to_string(),
                since_start: r.c.since_start.map(|a| a.to_string()),
                to_date: r.c.to_date.to_string(),
                share_of_annual_plan: r.c.share_of_annual_plan.map(RateOut::from),
                share_of_total: r.c.share_of_total.map(RateOut::from),
                photo_ids: r.photos.iter().map(|a| a.id).collect(),
            })
            .collect(),
    ))
}

/// Reports (or corrects, with its version) a month: the project's enterprise or lead unit.
#[utoipa::path(post, path = "/api/v1/projects/{id}/monthly", params(("id" = i64, Path)), request_body = MonthlyIn,
    responses((status = 201, body = Vec<MonthlyOut>), (status = 403, body = ErrorOut), (status = 409, body = ErrorOut), (status = 422, body = ErrorOut)))]
async fn report_monthly(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: JsonLater<MonthlyIn>,
) -> AppResult<Response> {
    let p = readable_project(&state, &ctx, id).await?;
    ctx.require(Action::ReportMonthly {
        enterprise_id: p.draft.enterprise_id,
        lead_unit_id: p.draft.lead_unit_id,
    })?;
    let b = body.value()?;
    let d = MonthlyReportForm {
        month: b.month,
        completed_investment: b.completed_investment,
        image_progress: b.image_progress,
    }
    .validate(chainforce_storage::clock::today())?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.submit_monthly_report(id, b.version, &d).await?;
    tx.commit().await?;
    let Json(out) = monthly(State(state), ctx, Path(id)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct MonthlyStatusOut {
    pub project_id: i64,
    pub project: String,
    pub reported: bool,
    pub completed_investment: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct MonthParams {
    /// `YYYY-MM` (default this month)
    pub month: Option<String>,
}

/// Who has and has not reported for a month (leaders and the office).
#[utoipa::path(get, path = "/api/v1/monthly", params(MonthParams),
    responses((status = 200, body = Vec<MonthlyStatusOut>), (status = 403, body = ErrorOut)))]
async fn monthly_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MonthParams>,
) -> AppResult<Json<Vec<MonthlyStatusOut>>> {
    ctx.require(Action::ReadAudit)?;
    let today = chainforce_storage::clock::today();
    let month = match q.month.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => {
            chainforce_domain::pipeline::monthly::parse_month("month", m).map_err(|e| AppError::Invalid(e.into()))?
        }
        None => chainforce_domain::pipeline::monthly::month_of(today),
    };
    let all = state.store().monthly_status(ctx.region_id, month).await?;
    Ok(Json(
        all.into_iter()
            .map(|s| MonthlyStatusOut {
                project_id: s.project.id,
                project: s.project.draft.name,
                reported: s.report.is_some(),
                completed_investment: s.report.map(|r| r.completed_investment.to_string()),
            })
            .collect(),
    ))
}

#[derive(OpenApi)]
#[openapi(
    paths(change_stage, stages, pipeline, monthly, report_monthly, monthly_status),
    components(schemas(
        StageChangeIn,
        StageChangeOut,
        RateOut,
        KpiOut,
        LeadTimeOut,
        PipelineOut,
        MonthlyIn,
        MonthlyOut,
        MonthlyStatusOut
    ))
)]
pub(super) struct PipelineApi;

pub fn routes(t: RouteTable) -> RouteTable {
    t.post("/api/v1/projects/{id}/stage", Access::Owner, change_stage)
        .get("/api/v1/projects/{id}/stages", Access::Owner, stages)
        .get("/api/v1/pipeline", Access::CountyReaders, pipeline)
        .get("/api/v1/projects/{id}/monthly", Access::Owner, monthly)
        .post("/api/v1/projects/{id}/monthly", Access::Owner, report_monthly)
        .get("/api/v1/monthly", Access::LeadersAndOffice, monthly_status)
}
