//! 产业链图谱 in the JSON API: the chains, one chain with its nodes, edges and each node's local
//! presence, its gap analysis, and the investment targets (list and create) — the same storage
//! calls and rules as the pages.

use super::ApiJson;
use super::dto::ErrorOut;
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::chains::own_map;
use crate::routes::{Access, RouteTable};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chainforce_domain::chain::{TargetForm, TargetStatus};
use chainforce_domain::permission::Action;
use chainforce_storage::investment_targets::{InvestmentTarget, TargetFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ChainOut {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChainNodeOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    /// resource | material | battery | application | recycling
    pub stage: String,
    pub by_product: bool,
    /// strong | weak | missing
    pub status: String,
    /// Why the node has its status, in Chinese and English.
    pub reason_zh: String,
    pub reason_en: String,
    /// Enterprises on the node (all, counted or not).
    pub enterprise_ids: Vec<i64>,
    /// The enterprises that count towards the status.
    pub counted_enterprise_ids: Vec<i64>,
    pub project_ids: Vec<i64>,
    pub target_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ChainEdgeOut {
    pub from: String,
    pub to: String,
    /// The declared recycling loop (回收 → an earlier stage).
    pub recycling: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ChainDetailOut {
    pub chain: ChainOut,
    pub nodes: Vec<ChainNodeOut>,
    pub edges: Vec<ChainEdgeOut>,
}

#[derive(Serialize, ToSchema)]
pub struct GapOut {
    pub rank: usize,
    pub node: String,
    /// weak | missing
    pub status: String,
    /// bridge (补链) | extend_downstream | extend_upstream (延链) | strengthen (强链) | foothold
    pub kind: String,
    pub upstream: Vec<String>,
    pub downstream: Vec<String>,
    pub path_through: usize,
    pub by_product: bool,
    pub reason_zh: String,
    pub reason_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct GapsOut {
    /// Node codes of the longest locally covered path, upstream first.
    pub longest_covered_path: Vec<String>,
    pub gaps: Vec<GapOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TargetOut {
    pub id: i64,
    pub version: i64,
    pub node_id: i64,
    pub node_code: String,
    pub chain_id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub headquarters: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// candidate | contacting | negotiating | converted | dropped
    pub status: String,
    /// The 线索 project the target became.
    pub project_id: Option<i64>,
    pub contacts: i64,
    pub last_contact: Option<String>,
}

impl From<InvestmentTarget> for TargetOut {
    fn from(t: InvestmentTarget) -> Self {
        TargetOut {
            id: t.id,
            version: t.version,
            node_id: t.draft.node_id,
            node_code: t.node_code,
            chain_id: t.chain_id,
            name: t.draft.name,
            credit_code: t.draft.credit_code.map(|c| c.to_string()),
            headquarters: t.draft.headquarters,
            contact_person: t.draft.contact_person,
            phone: t.draft.phone,
            notes: t.draft.notes,
            status: t.draft.status.code().into(),
            project_id: t.project_id,
            contacts: t.contacts,
            last_contact: t.last_contact,
        }
    }
}

/// A new investment target.
#[derive(Deserialize, ToSchema)]
pub struct TargetIn {
    pub node_id: i64,
    pub name: String,
    #[serde(default)]
    pub credit_code: Option<String>,
    #[serde(default)]
    pub headquarters: Option<String>,
    #[serde(default)]
    pub contact_person: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// candidate (default) | contacting | negotiating | dropped
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct TargetQuery {
    pub chain_id: Option<i64>,
    pub node_id: Option<i64>,
    pub status: Option<String>,
}

/// The county's chains.
#[utoipa::path(get, path = "/api/v1/chains", responses((status = 200, body = Vec<ChainOut>), (status = 403, body = ErrorOut)))]
async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<ChainOut>>> {
    ctx.require(Action::ReadCounty)?;
    let chains = state.store().chains(ctx.region_id).await?;
    Ok(Json(
        chains
            .into_iter()
            .map(|c| ChainOut {
                id: c.id,
                code: c.code,
                name: c.name,
                version: c.version,
            })
            .collect(),
    ))
}

/// One chain: nodes with their local presence, and edges.
#[utoipa::path(get, path = "/api/v1/chains/{id}", params(("id" = i64, Path)), responses((status = 200, body = ChainDetailOut), (status = 404, body = ErrorOut)))]
async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<ChainDetailOut>> {
    ctx.require(Action::ReadCounty)?;
    let m = own_map(&state, &ctx, id).await?;
    let s = &m.stored.summary;
    let code_of = |nid: i64| m.node(nid).map(|n| n.node.code.clone()).unwrap_or_default();
    Ok(Json(ChainDetailOut {
        chain: ChainOut {
            id: s.id,
            code: s.code.clone(),
            name: s.name.clone(),
            version: s.version,
        },
        nodes: m
            .nodes
            .iter()
            .map(|n| ChainNodeOut {
                id: n.node.id,
                code: n.node.code.clone(),
                name: n.node.name.clone(),
                name_en: n.node.name_en.clone(),
                stage: n.node.stage.clone(),
                by_product: n.node.by_product,
                status: n.presence.status.code().into(),
                reason_zh: n.presence.reason.zh.clone(),
                reason_en: n.presence.reason.en.clone(),
                enterprise_ids: n.enterprises.iter().map(|e| e.id).collect(),
                counted_enterprise_ids: n.presence.enterprises.clone(),
                project_ids: n.projects.iter().map(|p| p.id).collect(),
                target_ids: n.targets.iter().map(|t| t.id).collect(),
            })
            .collect(),
        edges: m
            .stored
            .edges
            .iter()
            .map(|e| ChainEdgeOut {
                from: code_of(e.from_node_id),
                to: code_of(e.to_node_id),
                recycling: e.recycling,
            })
            .collect(),
    }))
}

/// The gap analysis: the longest locally covered path and the ranked gaps with their reasons.
#[utoipa::path(get, path = "/api/v1/chains/{id}/gaps", params(("id" = i64, Path)), responses((status = 200, body = GapsOut), (status = 404, body = ErrorOut)))]
async fn gaps(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<GapsOut>> {
    ctx.require(Action::ReadCounty)?;
    let m = own_map(&state, &ctx, id).await?;
    Ok(Json(GapsOut {
        longest_covered_path: m.gaps.longest_covered_path.clone(),
        gaps: m
            .gaps
            .gaps
            .into_iter()
            .map(|g| GapOut {
                rank: g.rank,
                node: g.node,
                status: g.status.code().into(),
                kind: g.kind.code().into(),
                upstream: g.upstream,
                downstream: g.downstream,
                path_through: g.path_through,
                by_product: g.by_product,
                reason_zh: g.reason.zh,
                reason_en: g.reason.en,
            })
            .collect(),
    }))
}

/// 招商目标库, filtered by chain, node or status.
#[utoipa::path(get, path = "/api/v1/targets", params(TargetQuery), responses((status = 200, body = Vec<TargetOut>), (status = 403, body = ErrorOut)))]
async fn list_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TargetQuery>,
) -> AppResult<Json<Vec<TargetOut>>> {
    ctx.require(Action::ReadCounty)?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(TargetStatus::field("status", s)?),
        None => None,
    };
    let f = TargetFilter {
        chain_id: q.chain_id,
        node_id: q.node_id,
        status,
    };
    let targets = state.store().investment_targets(ctx.region_id, &f).await?;
    Ok(Json(targets.into_iter().map(TargetOut::from).collect()))
}

/// Adds an investment target (the office).
#[utoipa::path(post, path = "/api/v1/targets", request_body = TargetIn, responses((status = 201, body = TargetOut), (status = 422, body = ErrorOut), (status = 403, body = ErrorOut)))]
async fn create_target(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<TargetIn>,
) -> AppResult<Response> {
    ctx.require(Action::ManageTargets)?;
    let form = TargetForm {
        node_id: body.node_id.to_string(),
        name: body.name,
        credit_code: body.credit_code.unwrap_or_default(),
        headquarters: body.headquarters.unwrap_or_default(),
        contact_person: body.contact_person.unwrap_or_default(),
        phone: body.phone.unwrap_or_default(),
        notes: body.notes.unwrap_or_default(),
        status: body.status.unwrap_or_default(),
    };
    let d = form.validate()?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    let id = tx.create_target(ctx.region_id, &d).await?;
    tx.commit().await?;
    let t = state.store().investment_target(id).await.map_err(AppError::from)?;
    Ok((axum::http::StatusCode::CREATED, Json(TargetOut::from(t))).into_response())
}

#[derive(OpenApi)]
#[openapi(
    paths(list, detail, gaps, list_targets, create_target),
    components(schemas(
        ChainOut,
        ChainNodeOut,
        ChainEdgeOut,
        ChainDetailOut,
        GapOut,
        GapsOut,
        TargetOut,
        TargetIn
    ))
)]
pub(super) struct ChainsApi;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/api/v1/chains", Access::CountyReaders, list)
        .get("/api/v1/chains/{id}", Access::CountyReaders, detail)
        .get("/api/v1/chains/{id}/gaps", Access::CountyReaders, gaps)
        .get("/api/v1/targets", Access::CountyReaders, list_targets)
        .post("/api/v1/targets", Access::Office, create_target)
}
