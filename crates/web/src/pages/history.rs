//! The audit trail: an entity's history and the newest entries overall.

use super::{Chrome, render};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::audit::AuditEntry;
use chainforce_domain::permission::Action;

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    chrome: Chrome,
    heading: String,
    entries: Vec<AuditEntry>,
    chain_ok: Option<bool>,
}

/// The entity kinds whose history can be shown (a closed list: the path never reaches SQL as is).
const ENTITIES: &[&str] = &[
    "project",
    "task",
    "problem",
    "unit",
    "enterprise",
    "user",
    "template",
    "chain",
    "investment_target",
];

async fn entity_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((entity, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    ctx.require(Action::ReadAudit)?;
    if !ENTITIES.contains(&entity.as_str()) {
        return Err(AppError::NotFound);
    }
    let entries = state.store().history(&entity, id).await?;
    let t = ctx.t();
    let heading = format!("{} · {} #{id}", t.s("nav.audit"), t.s(&format!("entity.{entity}")));
    render(&HistoryPage {
        chrome: Chrome::new(&ctx, "audit", heading.clone()),
        heading,
        entries,
        chain_ok: None,
    })
}

async fn recent(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadAudit)?;
    let entries = state.store().recent_audit(200).await?;
    let chain_ok = matches!(
        state.store().verify_audit_chain().await?,
        chainforce_storage::audit::ChainReport::Intact { .. }
    );
    let t = ctx.t();
    render(&HistoryPage {
        chrome: Chrome::new(&ctx, "audit", t.s("nav.audit")),
        heading: t.s("nav.audit").into(),
        entries,
        chain_ok: Some(chain_ok),
    })
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/audit", Access::LeadersAndOffice, recent).get(
        "/history/{entity}/{id}",
        Access::LeadersAndOffice,
        entity_history,
    )
}
