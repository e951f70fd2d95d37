//! 专家组 pages: an expert's assignments, and on a round they were asked to review, each
//! application with a score sheet against the round's criteria, an opinion, and the conflict of
//! interest declaration; on a project's technical plan (技术方案评审), the same sheet against the
//! review's criteria. A round or plan an expert was not asked to review does not exist for them
//! (404).

use super::rounds::product_names;
use super::{Tab, qty, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, FormErrors, group_thousands, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::allocation::{PanelCriterion, SheetForm};
use chainforce_domain::chain::Quantity;
use chainforce_domain::permission::Action;
use chainforce_domain::validation::{Lang, ValidationErrors};
use chainforce_storage::resources::{PlanReview, RoundDetail, StoredSheet};
use serde::Deserialize;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/resources/reviews", Access::Experts, list)
        .get("/resources/reviews/{id}", Access::Experts, show)
        .post(
            "/resources/reviews/{id}/applications/{app}/sheet",
            Access::Experts,
            save_sheet,
        )
        .post(
            "/resources/reviews/{id}/applications/{app}/conflict",
            Access::Experts,
            declare_conflict,
        )
        .get("/resources/reviews/plans/{id}", Access::Experts, show_plan)
        .post("/resources/reviews/plans/{id}/sheet", Access::Experts, save_plan_sheet)
        .post(
            "/resources/reviews/plans/{id}/conflict",
            Access::Experts,
            declare_plan_conflict,
        )
}

pub struct AssignmentRow {
    pub round_id: i64,
    pub name: String,
    pub state: &'static str,
    pub assigned_at: String,
}

/// A project's technical plan the expert was asked to review.
pub struct PlanRow {
    pub id: i64,
    pub title: String,
    pub project: String,
    pub assigned_at: String,
}

#[derive(Template)]
#[template(path = "resources_reviews.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<AssignmentRow>,
    plans: Vec<PlanRow>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.user()?;
    let t = ctx.t();
    let rows = state
        .store()
        .expert_assignments(user.id)
        .await?
        .into_iter()
        .map(|a| AssignmentRow {
            round_id: a.round_id,
            name: a.round_name,
            state: a.state.label(t.lang),
            assigned_at: a.assigned_at,
        })
        .collect();
    let plans = state
        .store()
        .expert_plan_reviews(user.id)
        .await?
        .into_iter()
        .map(|r| PlanRow {
            id: r.id,
            title: r.title,
            project: r.project_name,
            assigned_at: r.created_at,
        })
        .collect();
    render(&ListPage {
        chrome: Chrome::new(&ctx, "reviews", t.s("resources.reviews.title")),
        tabs: tabs(&ctx, "reviews"),
        rows,
        plans,
    })
}

/// The round, if the signed-in expert was asked to review it; 404 otherwise.
async fn assigned_round(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<RoundDetail> {
    let user = ctx.user()?;
    let assigned = state.store().is_panel_member(id, user.id).await?;
    if !assigned {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ReviewApplication { assigned })?;
    let r = state.store().round(id).await?;
    if r.summary.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

pub struct PointInput {
    pub code: String,
    pub name: String,
    pub max: String,
    pub value: String,
    pub error: String,
}

pub struct ReviewItem {
    pub application_id: i64,
    /// Where the sheet and the conflict declaration are posted (`…/sheet`, `…/conflict`).
    pub action: String,
    pub enterprise: String,
    pub requested: String,
    pub investment: String,
    pub products: String,
    pub capacity: String,
    pub local: String,
    pub dates: String,
    pub points: Vec<PointInput>,
    pub opinion: String,
    pub conflict: bool,
    pub conflict_reason: String,
    pub saved: bool,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "resources_review.html")]
struct ReviewPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    state: &'static str,
    frozen: bool,
    items: Vec<ReviewItem>,
}

/// The sheet's inputs: what was just refused (with its errors), else the expert's saved sheet.
pub fn point_inputs(
    criteria: &[PanelCriterion],
    failed: Option<&SheetForm>,
    mine: Option<&StoredSheet>,
    errors: Option<&FormErrors>,
    lang: Lang,
) -> Vec<PointInput> {
    criteria
        .iter()
        .map(|c| PointInput {
            code: c.code.clone(),
            name: c.label(lang).to_string(),
            max: c.max_points.to_string(),
            value: match failed {
                Some(f) => f.points.get(&c.code).cloned().unwrap_or_default(),
                None => mine
                    .and_then(|m| m.points.as_ref())
                    .and_then(|p| p.get(&c.code))
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            },
            error: errors.map(|e| e.of(&format!("points.{}", c.code))).unwrap_or_default(),
        })
        .collect()
}

/// A refused sheet's summary: each criterion by its name in the user's language, not its key.
fn sheet_error_lines(errors: &FormErrors, criteria: &[PanelCriterion], lang: Lang) -> Vec<String> {
    errors.lines_with(|field| {
        let code = field.strip_prefix("points.")?;
        criteria
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.label(lang).to_string())
    })
}

/// The review page; `failed` is a sheet just refused, shown with its errors.
async fn review_page(
    state: &AppState,
    ctx: &Ctx,
    r: &RoundDetail,
    failed: Option<(i64, SheetForm, ValidationErrors)>,
) -> AppResult<ReviewPage> {
    let t = ctx.t();
    let user = ctx.user()?;
    let apps = state.store().round_applications(r.summary.id).await?;
    let sheets = state.store().panel_sheets(r.summary.id, Some(user.id)).await?;
    let unit = r.summary.quota_unit.unit();
    let chain = state.store().allocation_chain(ctx.region_id).await?.chain;
    let items = apps
        .iter()
        .map(|s| {
            let a = &s.application;
            let mine = sheets.iter().find(|x| x.subject_id == a.id);
            let failed_here = failed.as_ref().filter(|(id, _, _)| *id == a.id);
            let errors = failed_here.map(|(_, _, e)| FormErrors::new(e.clone(), t));
            let points = point_inputs(
                &r.criteria,
                failed_here.map(|(_, f, _)| f),
                mine,
                errors.as_ref(),
                t.lang,
            );
            let co = &a.commitment;
            ReviewItem {
                application_id: a.id,
                action: format!("/resources/reviews/{}/applications/{}", r.summary.id, a.id),
                enterprise: a.enterprise_name.clone(),
                requested: qty(&Quantity::new(a.requested, unit), t),
                investment: format!("{} 万元", group_thousands(&co.investment_wan.to_string())),
                products: product_names(&chain, &co.products, t),
                capacity: format!("{} {}", co.capacity, r.summary.capacity_unit),
                local: format!("{}%", co.local_processing_pct),
                dates: format!("{} / {}", co.start_by, co.production_by),
                points,
                opinion: match failed_here {
                    Some((_, f, _)) => f.opinion.clone(),
                    None => mine.map(|m| m.opinion.clone()).unwrap_or_default(),
                },
                conflict: mine.is_some_and(|m| m.conflict),
                conflict_reason: mine.map(|m| m.conflict_reason.clone()).unwrap_or_default(),
                saved: mine.is_some_and(|m| m.points.is_some()),
                errors: errors
                    .map(|e| sheet_error_lines(&e, &r.criteria, t.lang))
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(ReviewPage {
        chrome: Chrome::new(ctx, "reviews", r.summary.name.clone()),
        tabs: tabs(ctx, "reviews"),
        state: r.summary.state.label(t.lang),
        frozen: r.summary.state.is_frozen(),
        items,
    })
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = assigned_round(&state, &ctx, id).await?;
    render(&review_page(&state, &ctx, &r, None).await?)
}

async fn save_sheet(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, app)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let r = assigned_round(&state, &ctx, id).await?;
    let user_id = ctx.user()?.id;
    if !state
        .store()
        .round_applications(id)
        .await?
        .iter()
        .any(|a| a.application.id == app)
    {
        return Err(AppError::NotFound);
    }
    let f = SheetForm::from_fields(&fields);
    let result = async {
        let (points, opinion) = f.validate(&r.criteria)?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.save_sheet(app, user_id, &points, &opinion).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/resources/reviews/{id}#app-{app}"))),
        Err(AppError::Invalid(e)) => render_invalid(&review_page(&state, &ctx, &r, Some((app, f, e))).await?),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConflictForm {
    reason: String,
}

async fn declare_conflict(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, app)): Path<(i64, i64)>,
    Form(f): Form<ConflictForm>,
) -> AppResult<Response> {
    assigned_round(&state, &ctx, id).await?;
    let user_id = ctx.user()?.id;
    if !state
        .store()
        .round_applications(id)
        .await?
        .iter()
        .any(|a| a.application.id == app)
    {
        return Err(AppError::NotFound);
    }
    let reason = chainforce_domain::validation::text("reason", &f.reason, false, 500)?.unwrap_or_default();
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.declare_conflict(app, user_id, &reason).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/resources/reviews/{id}#app-{app}")))
}

// ---------------------------------------------------------------------------------------------
// 技术方案评审: a project's technical plan

/// The plan review, if the signed-in expert was asked to do it; 404 otherwise.
async fn assigned_plan(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<PlanReview> {
    let user = ctx.user()?;
    let r = match state.store().plan_review(id).await {
        Ok(r) => r,
        Err(chainforce_storage::StoreError::NotFound { .. }) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let assigned = r.region_id == ctx.region_id && r.experts.iter().any(|(x, _)| *x == user.id);
    if !assigned {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ReviewApplication { assigned })?;
    Ok(r)
}

#[derive(Template)]
#[template(path = "resources_plan_review_sheet.html")]
struct PlanSheetPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    r: PlanReview,
    action: String,
    points: Vec<PointInput>,
    opinion: String,
    conflict: bool,
    conflict_reason: String,
    saved: bool,
    errors: Vec<String>,
}

async fn plan_page(
    state: &AppState,
    ctx: &Ctx,
    r: PlanReview,
    failed: Option<(SheetForm, ValidationErrors)>,
) -> AppResult<PlanSheetPage> {
    let t = ctx.t();
    let user = ctx.user()?;
    let sheets = state.store().plan_review_sheets(r.id, Some(user.id)).await?;
    let mine = sheets.first();
    let errors = failed.as_ref().map(|(_, e)| FormErrors::new(e.clone(), t));
    Ok(PlanSheetPage {
        chrome: Chrome::new(ctx, "reviews", r.title.clone()),
        tabs: tabs(ctx, "reviews"),
        action: format!("/resources/reviews/plans/{}", r.id),
        points: point_inputs(
            &r.criteria,
            failed.as_ref().map(|(f, _)| f),
            mine,
            errors.as_ref(),
            t.lang,
        ),
        opinion: match &failed {
            Some((f, _)) => f.opinion.clone(),
            None => mine.map(|m| m.opinion.clone()).unwrap_or_default(),
        },
        conflict: mine.is_some_and(|m| m.conflict),
        conflict_reason: mine.map(|m| m.conflict_reason.clone()).unwrap_or_default(),
        saved: mine.is_some_and(|m| m.points.is_some()),
        errors: errors
            .map(|e| sheet_error_lines(&e, &r.criteria, t.lang))
            .unwrap_or_default(),
        r,
    })
}

async fn show_plan(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = assigned_plan(&state, &ctx, id).await?;
    render(&plan_page(&state, &ctx, r, None).await?)
}

async fn save_plan_sheet(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let r = assigned_plan(&state, &ctx, id).await?;
    let user_id = ctx.user()?.id;
    let f = SheetForm::from_fields(&fields);
    let result = async {
        let (points, opinion) = f.validate(&r.criteria)?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.save_plan_sheet(id, user_id, &points, &opinion).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/resources/reviews/plans/{id}"))),
        Err(AppError::Invalid(e)) => render_invalid(&plan_page(&state, &ctx, r, Some((f, e))).await?),
        Err(e) => Err(e),
    }
}

async fn declare_plan_conflict(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ConflictForm>,
) -> AppResult<Response> {
    assigned_plan(&state, &ctx, id).await?;
    let user_id = ctx.user()?.id;
    let reason = chainforce_domain::validation::text("reason", &f.reason, false, 500)?.unwrap_or_default();
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.declare_plan_conflict(id, user_id, &reason).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/resources/reviews/plans/{id}")))
}
