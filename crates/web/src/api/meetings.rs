//! The meetings in the JSON API: the list, one meeting with its agenda and decisions, and
//! recording a decision (the office) — the same storage calls and rules as the pages.

use super::ApiJson;
use super::dto::ErrorOut;
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::routes::{Access, RouteTable};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chainforce_domain::meeting::{AgendaItem, DecisionForm};
use chainforce_domain::permission::Action;
use chainforce_storage::meetings::{Decision, Meeting};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: i64,
    pub version: i64,
    /// 第N次
    pub number: i64,
    pub title: String,
    pub date: String,
    /// `HH:MM`, China time
    pub start_time: Option<String>,
    pub venue: Option<String>,
    pub chair: String,
    /// planned | held | minutes_issued
    pub state: String,
    pub unit_ids: Vec<i64>,
}

impl From<&Meeting> for MeetingOut {
    fn from(m: &Meeting) -> Self {
        MeetingOut {
            id: m.id,
            version: m.version,
            number: m.draft.number,
            title: m.draft.title.clone(),
            date: m.draft.date.to_string(),
            start_time: m.draft.start_time.map(|t| t.format("%H:%M").to_string()),
            venue: m.draft.location.clone(),
            chair: m.draft.chair.clone(),
            state: m.state.code().into(),
            unit_ids: m.draft.unit_ids.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgendaItemOut {
    /// carried | red_task | overdue_problem | commitment_behind | yellow_task | stage_change
    pub section: String,
    /// task | problem | project | commitment (`ref_id` is then the granted application)
    pub kind: String,
    pub ref_id: i64,
    pub title: String,
    /// None for a commitment, which is an enterprise's, not a project's
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub unit_id: Option<i64>,
    pub due: Option<String>,
    /// The item's status code in its kind (red, assigned, signed …).
    pub state: String,
    pub days_overdue: i64,
    /// How many earlier meetings had the item.
    pub carried: i64,
    /// 万元, for stage changes
    pub investment: Option<String>,
}

impl From<AgendaItem> for AgendaItemOut {
    fn from(i: AgendaItem) -> Self {
        AgendaItemOut {
            section: i.section.code().into(),
            kind: i.kind.code().into(),
            ref_id: i.ref_id,
            title: i.title,
            project_id: i.project_id,
            project_name: i.project_name,
            unit_id: i.unit_id,
            due: i.due.map(|d| d.to_string()),
            state: i.state,
            days_overdue: i.days_overdue,
            carried: i.carried,
            investment: i.investment.map(|a| a.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: i64,
    pub position: i64,
    pub text: String,
    pub unit_id: Option<i64>,
    pub deadline: Option<String>,
    pub project_id: Option<i64>,
    /// The problem an assignment became.
    pub problem_id: Option<i64>,
}

impl From<Decision> for DecisionOut {
    fn from(d: Decision) -> Self {
        DecisionOut {
            id: d.id,
            position: d.position,
            text: d.text,
            unit_id: d.unit_id,
            deadline: d.deadline.map(|d| d.to_string()),
            project_id: d.project_id,
            problem_id: d.problem_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDetailOut {
    pub meeting: MeetingOut,
    /// Live while planned, frozen once held.
    pub agenda: Vec<AgendaItemOut>,
    pub decisions: Vec<DecisionOut>,
}

/// A decision; `unit_id`, `deadline` and `project_id` together make it an assignment.
#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    pub text: String,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub project_id: Option<i64>,
}

/// 调度例会, latest first.
#[utoipa::path(get, path = "/api/v1/meetings", responses((status = 200, body = Vec<MeetingOut>), (status = 403, body = ErrorOut)))]
async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<MeetingOut>>> {
    ctx.require(Action::ReadCounty)?;
    let meetings = state.store().meetings(ctx.region_id).await?;
    Ok(Json(meetings.iter().map(MeetingOut::from).collect()))
}

async fn detail_of(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<MeetingDetailOut> {
    let m = crate::pages::meetings::readable(state, ctx, id).await?;
    let agenda = state.store().agenda(&m, chainforce_storage::clock::today()).await?;
    let decisions = state.store().decisions(id).await?;
    Ok(MeetingDetailOut {
        meeting: MeetingOut::from(&m),
        agenda: agenda.items.into_iter().map(AgendaItemOut::from).collect(),
        decisions: decisions.into_iter().map(DecisionOut::from).collect(),
    })
}

/// One meeting with its agenda and decisions.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", params(("id" = i64, Path)), responses((status = 200, body = MeetingDetailOut), (status = 404, body = ErrorOut)))]
async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<MeetingDetailOut>> {
    Ok(Json(detail_of(&state, &ctx, id).await?))
}

/// Records a decision of a held meeting (the office).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions", params(("id" = i64, Path)), request_body = DecisionIn, responses((status = 201, body = MeetingDetailOut), (status = 422, body = ErrorOut), (status = 403, body = ErrorOut)))]
async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecisionIn>,
) -> AppResult<Response> {
    crate::pages::meetings::readable(&state, &ctx, id).await?;
    ctx.require(Action::RunMeeting)?;
    let id_text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let form = DecisionForm {
        text: body.text,
        unit_id: id_text(body.unit_id),
        deadline: body.deadline.unwrap_or_default(),
        project_id: id_text(body.project_id),
    };
    let d = form.validate(chainforce_storage::clock::today())?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.record_decision(id, &d).await?;
    tx.commit().await?;
    let out = detail_of(&state, &ctx, id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

#[derive(OpenApi)]
#[openapi(
    paths(list, detail, decide),
    components(schemas(MeetingOut, AgendaItemOut, DecisionOut, MeetingDetailOut, DecisionIn))
)]
pub(super) struct MeetingsApi;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/api/v1/meetings", Access::CountyReaders, list)
        .get("/api/v1/meetings/{id}", Access::CountyReaders, detail)
        .post("/api/v1/meetings/{id}/decisions", Access::Office, decide)
}
