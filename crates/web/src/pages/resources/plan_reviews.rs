//! 技术方案评审 for the office: ask a panel of experts to review a project's technical plan, and
//! read the panel's score (high and low dropped, conflicted experts left out) with each opinion.
//! The experts' side is in `reviews.rs`.

use super::rounds::ExpertOpt;
use super::{Tab, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::forms::{Opt, options};
use crate::pages::{Chrome, FormErrors, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::allocation::{ExpertTotal, PlanReviewForm};
use chainforce_domain::org::Role;
use chainforce_domain::permission::Action;
use chainforce_storage::projects::ProjectFilter;
use chainforce_storage::resources::PlanReview;
use std::collections::HashMap;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/resources/plan-reviews", Access::Office, list)
        .post("/resources/plan-reviews", Access::Office, create)
        .get("/resources/plan-reviews/{id}", Access::Office, show)
}

pub struct ReviewRow {
    pub id: i64,
    pub title: String,
    pub project: String,
    pub created_at: String,
}

#[derive(Template)]
#[template(path = "resources_plan_reviews.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<ReviewRow>,
    projects: Vec<Opt>,
    experts: Vec<ExpertOpt>,
    f: PlanReviewForm,
    errors: FormErrors,
}

async fn list_page(state: &AppState, ctx: &Ctx, f: PlanReviewForm, errors: FormErrors) -> AppResult<ListPage> {
    let t = ctx.t();
    let store = state.store();
    let rows = store
        .plan_reviews(ctx.region_id)
        .await?
        .into_iter()
        .map(|r| ReviewRow {
            id: r.id,
            title: r.title,
            project: r.project_name,
            created_at: r.created_at,
        })
        .collect();
    let projects = store
        .projects(ctx.region_id, &ProjectFilter::default())
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.draft.name));
    let experts = store
        .users(ctx.region_id)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Expert && u.active)
        .map(|u| ExpertOpt {
            on_panel: f.experts.contains(&u.id.to_string()),
            id: u.id,
            name: u.display_name,
        })
        .collect();
    Ok(ListPage {
        chrome: Chrome::new(ctx, "resources", t.s("resources.plan_reviews.title")),
        tabs: tabs(ctx, "plan_reviews"),
        rows,
        projects: options(projects, &f.project_id, Some(t.s("filter.none"))),
        experts,
        f,
        errors,
    })
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    render(&list_page(&state, &ctx, PlanReviewForm::default(), FormErrors::none()).await?)
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let f = PlanReviewForm::from_fields(&fields);
    let result = async {
        let d = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let id = tx.create_plan_review(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/resources/plan-reviews/{id}"))),
        Err(AppError::Invalid(e)) => render_invalid(&list_page(&state, &ctx, f, FormErrors::new(e, ctx.t())).await?),
        Err(e) => Err(e),
    }
}

/// An expert's line in the panel's result: total, whether it counted and why not, opinion.
pub struct SheetRow {
    pub expert: String,
    pub total: String,
    pub counted: &'static str,
    pub opinion: String,
    pub conflict_reason: String,
}

#[derive(Template)]
#[template(path = "resources_plan_review.html")]
struct ShowPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    r: PlanReview,
    experts: String,
    score: String,
    reason: String,
    sheets: Vec<SheetRow>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let t = ctx.t();
    let store = state.store();
    let r = store.plan_review(id).await?;
    if r.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    let result = store.plan_review_result(&r).await?;
    let sheets = store.plan_review_sheets(id, None).await?;
    let totals = |list: Option<&Vec<ExpertTotal>>| -> HashMap<i64, String> {
        list.into_iter()
            .flatten()
            .map(|x| (x.expert_id, x.total.to_string()))
            .collect()
    };
    let counted = totals(result.as_ref().map(|p| &p.counted));
    let mut dropped = totals(result.as_ref().map(|p| &p.dropped_lowest));
    dropped.extend(totals(result.as_ref().map(|p| &p.dropped_highest)));
    let rows = sheets
        .iter()
        .map(|s| {
            let (total, how) = if s.conflict {
                (String::new(), "resources.plan_review.excluded")
            } else if let Some(x) = counted.get(&s.expert_id) {
                (x.clone(), "resources.plan_review.counted")
            } else if let Some(x) = dropped.get(&s.expert_id) {
                (x.clone(), "resources.plan_review.dropped")
            } else {
                (String::new(), "resources.plan_review.pending")
            };
            SheetRow {
                expert: s.expert_name.clone(),
                total,
                counted: t.s(how),
                opinion: s.opinion.clone(),
                conflict_reason: s.conflict_reason.clone(),
            }
        })
        .collect();
    let experts = r
        .experts
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(t.lang.pick("、", ", "));
    render(&ShowPage {
        chrome: Chrome::new(&ctx, "resources", r.title.clone()),
        tabs: tabs(&ctx, "plan_reviews"),
        experts,
        score: result
            .as_ref()
            .and_then(|p| p.score)
            .map(|s| s.to_string())
            .unwrap_or_else(|| "—".into()),
        reason: result
            .as_ref()
            .map(|p| p.reason.text(t.lang).to_string())
            .unwrap_or_else(|| t.s("resources.plan_review.no_sheets").to_string()),
        sheets: rows,
        r,
    })
}
