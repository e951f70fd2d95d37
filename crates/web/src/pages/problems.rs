//! 问题清单: raising, assigning, answering and confirming problems.

use super::forms::{Opt, References, options};
use super::{Chrome, FormErrors, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::FormLater;
use crate::paging::{Pager, page_of_list};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use chainforce_domain::org::Role;
use chainforce_domain::permission::Action;
use chainforce_domain::problem::{self, ProblemForm};
use chainforce_storage::problems::{Problem, ProblemFilter, RaisedBy};
use serde::Deserialize;

/// A problem is overdue (red, like a task) when it is not yet answered and its deadline passed.
fn is_overdue(p: &Problem, today: chrono::NaiveDate) -> bool {
    problem::is_overdue(p.status, p.deadline, today)
}

pub struct ProblemRow {
    pub p: Problem,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "problems.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<ProblemRow>,
    open_only: bool,
    pager: Pager,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    all: String,
    /// Which page of the list (from 1).
    #[serde(default)]
    page: String,
}

/// 问题清单, newest first, a page at a time ([`chainforce_domain::paging::PER_PAGE`] problems); a
/// page past the end shows the last page.
async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let mut f = ProblemFilter {
        open_only: q.all.is_empty(),
        ..Default::default()
    };
    match user.role {
        Role::Enterprise => f.enterprise_id = Some(user.enterprise_id.ok_or(AppError::Forbidden)?),
        _ => {
            ctx.require(Action::ReadCounty)?;
        }
    }
    let wanted = page_of_list(&q.page)?;
    let mut list = state.store().problems_page(user.region_id, &f, wanted).await?;
    if list.is_past_end() {
        list = state.store().problems_page(user.region_id, &f, list.last()).await?;
    }
    let today = chainforce_storage::clock::today();
    let pager = Pager::problems(ctx.t(), &list, "/problems", raw.as_deref());
    let rows = list
        .rows
        .into_iter()
        .map(|p| ProblemRow {
            overdue: is_overdue(&p, today),
            p,
        })
        .collect();
    render(&ListPage {
        chrome: Chrome::new(&ctx, "problems", ctx.t().s("nav.problems")),
        rows,
        open_only: f.open_only,
        pager,
    })
}

async fn readable(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Problem> {
    let p = state.store().problem(id).await?;
    let project = state.store().project(p.project_id).await?;
    if project.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ReadProject {
        enterprise_id: project.draft.enterprise_id,
    })?;
    Ok(p)
}

#[derive(Template)]
#[template(path = "problem.html")]
struct DetailPage {
    chrome: Chrome,
    p: Problem,
    overdue: bool,
    units: Vec<Opt>,
    can_assign: bool,
    can_answer: bool,
    can_confirm: bool,
    errors: FormErrors,
}

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, errors: FormErrors) -> AppResult<DetailPage> {
    let p = readable(state, ctx, id).await?;
    let t = ctx.t();
    let refs = References::load(state, ctx.region_id, t).await?;
    let status = p.status;
    use problem::ProblemStatus::*;
    Ok(DetailPage {
        chrome: Chrome::new(ctx, "problems", p.title.clone()),
        overdue: is_overdue(&p, chainforce_storage::clock::today()),
        units: options(
            refs.units,
            &p.assigned_unit_id.map(|u| u.to_string()).unwrap_or_default(),
            Some(t.s("filter.none")),
        ),
        can_assign: matches!(status, Raised | Assigned) && ctx.can(Action::AssignProblem),
        can_answer: status == Assigned
            && ctx.can(Action::AnswerProblem {
                assigned_unit_id: p.assigned_unit_id,
            }),
        can_confirm: status == Answered
            && ctx.can(Action::ConfirmProblem {
                enterprise_id: p.project_enterprise_id,
            }),
        p,
        errors,
    })
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&detail_page(&state, &ctx, id, FormErrors::none()).await?)
}

/// Re-renders the problem page with the errors of a step, or passes other errors on.
async fn step_failed(state: &AppState, ctx: &Ctx, id: i64, e: AppError) -> AppResult<Response> {
    match e {
        AppError::Invalid(errs) => render_invalid(&detail_page(state, ctx, id, FormErrors::new(errs, ctx.t())).await?),
        other => Err(other),
    }
}

async fn raise(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(project_id): Path<i64>,
    Form(f): Form<ProblemForm>,
) -> AppResult<Response> {
    let project = state.store().project(project_id).await?;
    if project.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    let user = ctx
        .require(Action::RaiseProblem {
            enterprise_id: project.draft.enterprise_id,
        })?
        .clone();
    let d = f.validate()?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    let id = tx
        .raise_problem(
            project_id,
            &d,
            RaisedBy {
                unit_id: user.unit_id,
                enterprise_id: user.enterprise_id,
            },
        )
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/problems/{id}")))
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    deadline: String,
    version: i64,
}

async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    readable(&state, &ctx, id).await?;
    ctx.require(Action::AssignProblem)?;
    let result = async {
        let (unit, deadline) =
            problem::validate_assignment(&f.unit_id, &f.deadline, chainforce_storage::clock::today())?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.assign_problem(id, f.version, unit, deadline).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/problems/{id}"))),
        Err(e) => step_failed(&state, &ctx, id, e).await,
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    version: i64,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: FormLater<AnswerForm>,
) -> AppResult<Response> {
    let p = readable(&state, &ctx, id).await?;
    ctx.require(Action::AnswerProblem {
        assigned_unit_id: p.assigned_unit_id,
    })?;
    let f = body.value()?;
    let result = async {
        let a = problem::validate_answer(&f.answer)?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.answer_problem(id, f.version, &a).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/problems/{id}"))),
        Err(e) => step_failed(&state, &ctx, id, e).await,
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    reject: String,
    version: i64,
}

/// The enterprise confirms the problem solved with a rating, or sends the answer back.
async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: FormLater<ConfirmForm>,
) -> AppResult<Response> {
    let p = readable(&state, &ctx, id).await?;
    ctx.require(Action::ConfirmProblem {
        enterprise_id: p.project_enterprise_id,
    })?;
    let f = body.value()?;
    let result = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        if f.reject.is_empty() {
            let (rating, comment) = problem::validate_rating(&f.rating, &f.comment)?;
            tx.confirm_problem(id, f.version, rating, comment.as_deref()).await?;
        } else {
            let comment = chainforce_domain::validation::text("comment", &f.comment, false, 1000)?;
            tx.reject_problem_answer(id, f.version, comment.as_deref()).await?;
        }
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/problems/{id}"))),
        Err(e) => step_failed(&state, &ctx, id, e).await,
    }
}

impl From<chainforce_domain::validation::FieldError> for AppError {
    fn from(e: chainforce_domain::validation::FieldError) -> Self {
        AppError::Invalid(e.into())
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/problems", Access::SignedIn, list)
        .get("/problems/{id}", Access::Owner, detail)
        .post("/projects/{id}/problems", Access::Owner, raise)
        .post("/problems/{id}/assign", Access::Office, assign)
        .post("/problems/{id}/answer", Access::Owner, answer)
        .post("/problems/{id}/confirm", Access::Owner, confirm)
}
