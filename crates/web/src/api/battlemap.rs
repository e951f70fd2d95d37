//! 挂图作战 and the 包挂领导 view in the JSON API: the same filters, the same storage reads and
//! the same status function as the pages, without the drawing's geometry.

use super::dto::ErrorOut;
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::battlemap::{LeaderQuery, MapRefs, leader_view, load_map};
use crate::routes::{Access, RouteTable};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chainforce_domain::battlemap::{Counts, MapFilter, MapQuery};
use chainforce_domain::permission::Action;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The map's filters (all optional; ids of the county's townships, units and chain nodes).
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MapParams {
    /// 属地乡镇 (a township unit id)
    pub township_id: Option<String>,
    /// 责任单位 (a unit id): only that unit's tasks, in the projects where it has some
    pub unit_id: Option<String>,
    /// 产业链环节 (a chain node id)
    pub chain_node_id: Option<String>,
    /// 阶段 (a stage code: signed, filed …)
    pub stage: Option<String>,
    /// 包挂领导 (the name the projects record)
    pub leader: Option<String>,
    /// township | chain_node
    pub group: Option<String>,
}

impl From<MapParams> for MapQuery {
    fn from(p: MapParams) -> Self {
        MapQuery {
            township_id: p.township_id.unwrap_or_default(),
            unit_id: p.unit_id.unwrap_or_default(),
            chain_node_id: p.chain_node_id.unwrap_or_default(),
            stage: p.stage.unwrap_or_default(),
            leader: p.leader.unwrap_or_default(),
            group: p.group.unwrap_or_default(),
            rows: String::new(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CountsOut {
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    pub done: usize,
}

impl From<Counts> for CountsOut {
    fn from(c: Counts) -> Self {
        CountsOut {
            red: c.red,
            yellow: c.yellow,
            green: c.green,
            done: c.done,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MilestoneOut {
    /// A stage code (started …)
    pub stage: String,
    pub date: String,
    /// true: the stage was reached on `date`; false: planned for it
    pub reached: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MapTaskOut {
    pub id: i64,
    pub name: String,
    pub unit: Option<String>,
    /// Where the bar begins and ends (done: actual dates; open: latest start to latest finish)
    pub start: String,
    pub finish: String,
    /// red | yellow | green | done
    pub status: String,
    pub days_overdue: i64,
    /// On the project's critical path (关键路径)
    pub critical: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MapProjectOut {
    pub id: i64,
    pub name: String,
    /// The group's name (township or chain node); null when the project has none
    pub group: Option<String>,
    pub stage: String,
    pub leader: Option<String>,
    pub township: Option<String>,
    pub chain_node: Option<String>,
    pub milestones: Vec<MilestoneOut>,
    pub tasks: Vec<MapTaskOut>,
}

#[derive(Serialize, ToSchema)]
pub struct MapOut {
    pub today: String,
    /// township | chain_node
    pub group: String,
    pub counts: CountsOut,
    pub projects: Vec<MapProjectOut>,
}

/// 挂图作战: every active project matching the filters with its tasks, their colour and the
/// critical path, and its stage milestones. A bad filter is a 400 naming the field.
#[utoipa::path(get, path = "/api/v1/map", params(MapParams), responses((status = 200, body = MapOut), (status = 400, body = ErrorOut), (status = 403, body = ErrorOut)))]
async fn map(State(state): State<AppState>, ctx: Ctx, Query(p): Query<MapParams>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let refs = MapRefs::load(&state, &ctx).await?;
    let f = refs.check(&MapQuery::from(p))?;
    // Kept per board version like the page's body (see `rendered`).
    let version = state.store().board_version().await?;
    let key = format!(
        "api-map/{}/{:?}/{}/{:?}",
        ctx.region_id,
        ctx.lang,
        chainforce_storage::clock::today(),
        f
    );
    let json = match state.renders().get(version, &key) {
        Some(json) => json,
        None => {
            let out = map_out(&state, &ctx, &f).await?;
            let json: std::sync::Arc<str> = serde_json::to_string(&out)
                .map_err(|e| AppError::Internal(format!("map JSON: {e}")))?
                .into();
            state.renders().put(version, key, json.clone());
            json
        }
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        crate::rendered::shared_bytes(&json),
    )
        .into_response())
}

/// The map's JSON for a checked filter.
async fn map_out(state: &AppState, ctx: &Ctx, f: &MapFilter) -> AppResult<MapOut> {
    let (entries, today) = load_map(state, ctx, f).await?;
    let mut counts = CountsOut {
        red: 0,
        yellow: 0,
        green: 0,
        done: 0,
    };
    let projects = entries
        .into_iter()
        .map(|e| {
            for t in &e.map.tasks {
                match t.status {
                    chainforce_domain::status::Status::Red => counts.red += 1,
                    chainforce_domain::status::Status::Yellow => counts.yellow += 1,
                    chainforce_domain::status::Status::Green => counts.green += 1,
                    chainforce_domain::status::Status::Done => counts.done += 1,
                }
            }
            MapProjectOut {
                id: e.map.id,
                name: e.map.name,
                group: e.map.group,
                stage: e.map.stage.code().into(),
                leader: e.project.draft.leader,
                township: e.project.township_name,
                chain_node: e.project.chain_node_name,
                milestones: e
                    .map
                    .milestones
                    .into_iter()
                    .map(|m| MilestoneOut {
                        stage: m.stage.code().into(),
                        date: m.date.to_string(),
                        reached: m.reached,
                    })
                    .collect(),
                tasks: e
                    .map
                    .tasks
                    .into_iter()
                    .map(|t| MapTaskOut {
                        id: t.id,
                        name: t.name,
                        unit: t.unit,
                        start: t.start.to_string(),
                        finish: t.finish.to_string(),
                        status: t.status.code().into(),
                        days_overdue: t.days_overdue,
                        critical: t.critical,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(MapOut {
        today: today.to_string(),
        group: f.group.code().into(),
        counts,
        projects,
    })
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct LeaderParams {
    /// The office: whose view (a 包挂领导 the projects name). Leaders always get their own.
    pub leader: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LeaderProjectOut {
    pub id: i64,
    pub name: String,
    pub stage: String,
    pub township: Option<String>,
    pub target_start: Option<String>,
    pub counts: CountsOut,
}

#[derive(Serialize, ToSchema)]
pub struct RedItemOut {
    pub task_id: i64,
    pub task: String,
    pub project_id: i64,
    pub project: String,
    pub unit: Option<String>,
    pub late_finish: Option<String>,
    pub days_overdue: i64,
}

#[derive(Serialize, ToSchema)]
pub struct WaitingProblemOut {
    pub id: i64,
    pub title: String,
    pub project_id: i64,
    pub project: String,
    /// office | unit | enterprise
    pub waiting_on: String,
    pub unit: Option<String>,
    pub deadline: Option<String>,
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct LeaderOut {
    pub leader: String,
    pub projects: Vec<LeaderProjectOut>,
    pub red_items: Vec<RedItemOut>,
    pub waiting_problems: Vec<WaitingProblemOut>,
}

/// 包挂领导: the leader's projects, their red items and the problems waiting on others.
#[utoipa::path(get, path = "/api/v1/leader", params(LeaderParams), responses((status = 200, body = LeaderOut), (status = 400, body = ErrorOut), (status = 403, body = ErrorOut)))]
async fn leader(State(state): State<AppState>, ctx: Ctx, Query(p): Query<LeaderParams>) -> AppResult<Json<LeaderOut>> {
    let q = LeaderQuery {
        leader: p.leader.unwrap_or_default(),
    };
    let (v, _) = leader_view(&state, &ctx, &q).await?;
    Ok(Json(LeaderOut {
        leader: v.leader,
        projects: v
            .projects
            .into_iter()
            .map(|p| LeaderProjectOut {
                id: p.project.id,
                name: p.project.draft.name,
                stage: p.project.draft.stage.code().into(),
                township: p.project.township_name,
                target_start: p.project.draft.target_start.map(|d| d.to_string()),
                counts: p.counts.into(),
            })
            .collect(),
        red_items: v
            .red
            .into_iter()
            .map(|r| RedItemOut {
                task_id: r.task.id,
                task: r.task.name,
                project_id: r.task.project_id,
                project: r.task.project_name,
                unit: r.task.responsible_unit_name,
                late_finish: r.task.schedule.late_finish.map(|d| d.to_string()),
                days_overdue: r.days_overdue,
            })
            .collect(),
        waiting_problems: v
            .problems
            .into_iter()
            .map(|w| WaitingProblemOut {
                id: w.problem.id,
                title: w.problem.title,
                project_id: w.problem.project_id,
                project: w.problem.project_name,
                waiting_on: w.waiting_on.code().into(),
                unit: w.problem.assigned_unit_name,
                deadline: w.problem.deadline.map(|d| d.to_string()),
                overdue: w.overdue,
            })
            .collect(),
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(map, leader),
    components(schemas(
        MapOut,
        MapProjectOut,
        MapTaskOut,
        MilestoneOut,
        CountsOut,
        LeaderOut,
        LeaderProjectOut,
        RedItemOut,
        WaitingProblemOut
    ))
)]
pub(super) struct BattlemapApi;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/api/v1/map", Access::CountyReaders, map)
        .get("/api/v1/leader", Access::LeadersAndOffice, leader)
}
