//! 好资源配给好东家 in the JSON API: the ledger (every figure with its unit), the rounds, one
//! round's decision with the reasons rule by rule, and the commitments with their alerts — the
//! same storage calls and rules as the pages, for county readers.

use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use axum::Json;
use axum::extract::{Path, State};
use chainforce_domain::allocation::{ResourceLedger, RoundOutcome};
use chainforce_domain::permission::Action;
use chainforce_storage::clock;
use chainforce_storage::resources::{RoundDetail, RoundSummary, TrackedCommitment};
use serde::Serialize;
use utoipa::OpenApi;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/api/v1/resources/ledger", Access::CountyReaders, ledger)
        .get("/api/v1/resources/rounds", Access::CountyReaders, rounds)
        .get("/api/v1/resources/rounds/{id}", Access::CountyReaders, round)
        .get("/api/v1/resources/commitments", Access::CountyReaders, commitments)
}

/// The resource ledger: deposits with Li2O and LCE derived, totals per ore type and place.
#[utoipa::path(get, path = "/api/v1/resources/ledger", responses((status = 200, description = "the ledger; every figure is {value, unit}"), (status = 403, description = "not a county reader")))]
async fn ledger(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<ResourceLedger>> {
    ctx.require(Action::ReadResources)?;
    Ok(Json(state.store().resource_ledger(ctx.region_id).await?))
}

/// The region's allocation rounds, newest first.
#[utoipa::path(get, path = "/api/v1/resources/rounds", responses((status = 200, description = "rounds with state, quota (value and unit) and number of applications")))]
async fn rounds(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<RoundSummary>>> {
    ctx.require(Action::ReadResources)?;
    Ok(Json(state.store().rounds(ctx.region_id).await?))
}

#[derive(Serialize)]
struct RoundOut {
    round: RoundDetail,
    /// The published decision, or (before publication) a preview as of today; `null` for a draft.
    outcome: Option<RoundOutcome>,
    published: bool,
}

/// One round: quota, sources, rules, and its decision with every rule check, score line and reason.
#[utoipa::path(get, path = "/api/v1/resources/rounds/{id}", params(("id" = i64, Path)), responses((status = 200, description = "the round and its decision"), (status = 404, description = "no such round")))]
async fn round(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<RoundOut>> {
    ctx.require(Action::ReadResources)?;
    let r = state.store().round(id).await?;
    if r.summary.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    let published = r.summary.state.is_frozen();
    let outcome = match r.summary.state {
        chainforce_domain::allocation::RoundState::Draft => None,
        _ => Some(state.store().round_outcome(id, clock::today()).await?),
    };
    Ok(Json(RoundOut {
        round: r,
        outcome,
        published,
    }))
}

#[derive(Serialize)]
struct CommitmentsOut {
    as_of: chrono::NaiveDate,
    /// How many commitments are behind (the alerts).
    alerts: usize,
    commitments: Vec<TrackedCommitment>,
}

/// Each granted application's commitments against the progress reported, behind first.
#[utoipa::path(get, path = "/api/v1/resources/commitments", responses((status = 200, description = "commitments with status per item and the number of alerts")))]
async fn commitments(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<CommitmentsOut>> {
    ctx.require(Action::ReadResources)?;
    let as_of = clock::today();
    let commitments = state.store().commitments(ctx.region_id, as_of).await?;
    Ok(Json(CommitmentsOut {
        as_of,
        alerts: commitments.iter().filter(|c| c.is_behind()).count(),
        commitments,
    }))
}

#[derive(OpenApi)]
#[openapi(paths(ledger, rounds, round, commitments))]
pub(super) struct ResourcesApi;
