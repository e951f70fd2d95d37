//! 用好资源换好产业: every granted application's promises against what has happened, behind
//! schedule in red at the top, with the office's progress form.

use super::{Tab, export, qty, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::download;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::pages::{Chrome, FormErrors, group_thousands, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::allocation::{ProgressForm, TrackStatus};
use chainforce_domain::permission::Action;
use chainforce_domain::validation::ValidationErrors;
use chainforce_storage::clock;
use chainforce_storage::resources::TrackedCommitment;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/resources/commitments", Access::CountyReaders, list)
        .get("/resources/commitments.xlsx", Access::CountyReaders, xlsx)
        .post("/resources/commitments/{id}/progress", Access::Office, record)
}

pub struct ItemView {
    pub item: &'static str,
    pub status: &'static str,
    pub status_code: &'static str,
    pub reason: String,
}

pub struct CommitmentView {
    pub application_id: i64,
    pub round_id: i64,
    pub round: String,
    pub enterprise: String,
    pub granted: String,
    pub promise: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub behind: bool,
    pub items: Vec<ItemView>,
    pub reports: i64,
    pub errors: Vec<String>,
}

pub fn status_class(s: TrackStatus) -> &'static str {
    match s {
        TrackStatus::Behind => "red",
        TrackStatus::AwaitingReport => "yellow",
        TrackStatus::OnTrack | TrackStatus::Kept => "green",
    }
}

/// One line naming a commitment behind and why, for the places that mark the enterprise (the
/// 亩均 board and card): "2026 年第一批：开工：承诺 … 前开工，已逾期 15 天".
pub fn alert_line(c: &TrackedCommitment, t: Tr) -> String {
    let sep = t.lang.pick("：", ": ");
    let items: Vec<String> = c
        .report
        .behind()
        .map(|i| format!("{}{sep}{}", i.item.label(t.lang), i.reason.text(t.lang)))
        .collect();
    format!("{}{sep}{}", c.round_name, items.join(t.lang.pick("；", "; ")))
}

fn view(c: &TrackedCommitment, t: Tr, errors: Vec<String>) -> CommitmentView {
    let p = &c.commitment;
    CommitmentView {
        application_id: c.application_id,
        round_id: c.round_id,
        round: c.round_name.clone(),
        enterprise: c.enterprise_name.clone(),
        granted: qty(&c.granted, t),
        promise: format!(
            "{} {} 万元 · {} {} · {} {} · {} {} {} · {} {}%",
            t.s("resources.field.investment_wan"),
            group_thousands(&p.investment_wan.to_string()),
            t.s("resources.field.start_by"),
            p.start_by,
            t.s("resources.field.production_by"),
            p.production_by,
            t.s("resources.field.capacity"),
            p.capacity,
            c.capacity_unit,
            t.s("resources.field.local_processing_pct"),
            p.local_processing_pct
        ),
        status: c.report.status.label(t.lang),
        status_code: status_class(c.report.status),
        behind: c.is_behind(),
        items: c
            .report
            .items
            .iter()
            .map(|i| ItemView {
                item: i.item.label(t.lang),
                status: i.status.label(t.lang),
                status_code: status_class(i.status),
                reason: i.reason.text(t.lang).to_string(),
            })
            .collect(),
        reports: c.reports,
        errors,
    }
}

#[derive(Template)]
#[template(path = "resources_commitments.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    as_of: String,
    rows: Vec<CommitmentView>,
    alerts: usize,
    can_edit: bool,
}

async fn page(state: &AppState, ctx: &Ctx, failed: Option<(i64, ValidationErrors)>) -> AppResult<ListPage> {
    let t = ctx.t();
    let today = clock::today();
    let all = state.store().commitments(ctx.region_id, today).await?;
    let rows: Vec<CommitmentView> = all
        .iter()
        .map(|c| {
            let errors = failed
                .as_ref()
                .filter(|(id, _)| *id == c.application_id)
                .map(|(_, e)| FormErrors::new(e.clone(), t).lines())
                .unwrap_or_default();
            view(c, t, errors)
        })
        .collect();
    Ok(ListPage {
        chrome: Chrome::new(ctx, "resources", t.s("resources.commitments.title")),
        tabs: tabs(ctx, "commitments"),
        as_of: today.to_string(),
        alerts: rows.iter().filter(|r| r.behind).count(),
        rows,
        can_edit: ctx.can(Action::ManageResources),
    })
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    render(&page(&state, &ctx, None).await?)
}

async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ProgressForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let today = clock::today();
    if !state
        .store()
        .commitments(ctx.region_id, today)
        .await?
        .iter()
        .any(|c| c.application_id == id)
    {
        return Err(AppError::NotFound);
    }
    let result = async {
        let a = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.record_progress(id, &a).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/resources/commitments#c-{id}"))),
        Err(AppError::Invalid(e)) => render_invalid(&page(&state, &ctx, Some((id, e))).await?),
        Err(e) => Err(e),
    }
}

async fn xlsx(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let t = ctx.t();
    let all = state.store().commitments(ctx.region_id, clock::today()).await?;
    let table = export::commitments(&all, clock::today(), t);
    download::xlsx(&table, &format!("{}.xlsx", t.s("resources.commitments.title")))
}
