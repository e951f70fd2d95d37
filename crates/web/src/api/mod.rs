//! The JSON API (`/api/v1/…`), described by the OpenAPI document at `/api/openapi.json`.
//!
//! It serves the same data as the pages, through the same permission rule and the same storage
//! functions; errors come back as `{"error", "message", "fields"}` with the field and the rule.

mod battlemap;
mod chains;
mod dto;
mod meetings;
mod pipeline;
mod resources;

use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use axum::Json;
use axum::extract::{FromRequest, Path, Query, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use chainforce_domain::permission::Action;
use chainforce_domain::project::ProjectForm;
use chainforce_domain::task::ProgressForm;
use chainforce_storage::problems::ProblemFilter;
use chainforce_storage::tasks::TaskFilter;
use dto::*;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

/// A JSON body whose rejection (wrong content type, malformed JSON, wrong shape) is a 400 in the
/// API's error format, naming what was wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(AppError::bad_request(
                format!("请求体不是有效的 JSON：{}", e.body_text()),
                format!("invalid JSON body: {}", e.body_text()),
            )),
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chainforce API",
        description = "专班工作平台 — projects, tasks (倒排工期), problems, units, enterprises. Sign in at /login; send the session cookie and, for changes, the X-CSRF-Token header from /api/v1/me."
    ),
    paths(
        me,
        overview,
        list_projects,
        get_project,
        create_project,
        update_project,
        project_tasks,
        get_task,
        report_progress,
        list_units,
        list_enterprises,
        list_problems
    ),
    components(schemas(
        MeOut,
        OverviewOut,
        StageCountOut,
        ProjectOut,
        ProjectIn,
        TaskOut,
        ProgressIn,
        UnitOut,
        EnterpriseOut,
        ProblemOut,
        ErrorOut,
        FieldErrorOut
    ))
)]
struct ApiDoc;

async fn openapi() -> Response {
    let mut doc = ApiDoc::openapi();
    doc.merge(meetings::MeetingsApi::openapi());
    doc.merge(pipeline::PipelineApi::openapi());
    doc.merge(resources::ResourcesApi::openapi());
    doc.merge(battlemap::BattlemapApi::openapi());
    doc.merge(chains::ChainsApi::openapi());
    Json(doc).into_response()
}

/// The signed-in user and the CSRF token to send with changes.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeOut), (status = 401, body = ErrorOut)))]
async fn me(ctx: Ctx) -> AppResult<Json<MeOut>> {
    let u = ctx.user()?;
    Ok(Json(MeOut {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.code().into(),
        unit_id: u.unit_id,
        enterprise_id: u.enterprise_id,
        csrf_token: ctx.csrf.clone(),
    }))
}

/// 总览: projects per stage and investment totals.
#[utoipa::path(get, path = "/api/v1/overview", responses((status = 200, body = OverviewOut), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut)))]
async fn overview(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<OverviewOut>> {
    ctx.require(Action::ReadCounty)?;
    Ok(Json(state.store().overview(ctx.region_id).await?.into()))
}

/// Projects, filtered like the list page, a page at a time (`page`, `per_page`; 50 by default,
/// at most 200) in the list's order. The body is the page's array; `X-Total-Count` is how many
/// projects match in all and `Link` points to the first, previous, next and last pages (with the
/// same filters). A page past the end is an empty array.
#[utoipa::path(
    get,
    path = "/api/v1/projects",
    params(ProjectQuery),
    responses(
        (status = 200, body = Vec<ProjectOut>, headers(
            ("X-Total-Count" = u64, description = "How many projects match the filters, on all pages"),
            ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages: `</api/v1/projects?page=2&per_page=50>; rel=\"next\"`")
        )),
        (status = 400, description = "A bad `page` or `per_page`, named in `fields`", body = ErrorOut),
        (status = 401, body = ErrorOut)
    )
)]
async fn list_projects(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProjectQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let page = crate::paging::page_of_api(q.page.as_deref(), q.per_page.as_deref())?;
    let mut f = q.into_list_query().filter();
    if !ctx.can(Action::ReadCounty) {
        f.enterprise_id = Some(user.enterprise_id.ok_or(AppError::Forbidden)?);
    }
    let list = state.store().projects_page(ctx.region_id, &f, page).await?.projects;
    let headers = crate::paging::api_headers(&list, "/api/v1/projects", raw.as_deref());
    let body: Vec<ProjectOut> = list.rows.into_iter().map(ProjectOut::from).collect();
    Ok((headers, Json(body)).into_response())
}

async fn readable_project(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<chainforce_storage::projects::Project> {
    let p = state.store().project(id).await?;
    if p.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ReadProject {
        enterprise_id: p.draft.enterprise_id,
    })?;
    Ok(p)
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", params(("id" = i64, Path)), responses((status = 200, body = ProjectOut), (status = 404, body = ErrorOut)))]
async fn get_project(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<ProjectOut>> {
    Ok(Json(readable_project(&state, &ctx, id).await?.into()))
}

/// Creates a project (the office). Money in 万元 as decimal strings; `1.5亿元` is accepted. The
/// project starts as a 线索 and is moved to `stage` today by the stage rules, recorded in its stage
/// history with who did it; a stage the rules forbid (开工 without 供地) is a 422 on `stage`.
#[utoipa::path(post, path = "/api/v1/projects", request_body = ProjectIn, responses((status = 201, body = ProjectOut), (status = 422, body = ErrorOut), (status = 403, body = ErrorOut)))]
async fn create_project(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<ProjectIn>,
) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let d = ProjectForm::from(body).validate()?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    let id = tx.create_project(ctx.region_id, &d).await?;
    tx.commit().await?;
    let p: ProjectOut = state.store().project(id).await?.into();
    Ok((axum::http::StatusCode::CREATED, Json(p)).into_response())
}

/// Updates a project; `version` must be the version read (409 with the current project if not).
#[utoipa::path(put, path = "/api/v1/projects/{id}", params(("id" = i64, Path)), request_body = ProjectIn, responses((status = 200, body = ProjectOut), (status = 409, body = ErrorOut), (status = 422, body = ErrorOut)))]
async fn update_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(mut body): ApiJson<ProjectIn>,
) -> AppResult<Json<ProjectOut>> {
    ctx.require(Action::EditProject)?;
    let current = readable_project(&state, &ctx, id).await?;
    if body.stage.trim().is_empty() {
        // The stage is not edited here (POST /api/v1/projects/{id}/stage changes it): absent
        // means the one the project has.
        body.stage = current.draft.stage.code().into();
    }
    let version = body.version.ok_or_else(|| {
        AppError::Invalid(chainforce_domain::ValidationErrors::single(
            "version",
            chainforce_domain::Rule::Required,
        ))
    })?;
    let d = ProjectForm::from(body).validate()?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.update_project(id, version, &d).await?;
    tx.commit().await?;
    Ok(Json(state.store().project(id).await?.into()))
}

/// A project's tasks with their schedule and 红黄绿 status.
#[utoipa::path(get, path = "/api/v1/projects/{id}/tasks", params(("id" = i64, Path)), responses((status = 200, body = Vec<TaskOut>), (status = 404, body = ErrorOut)))]
async fn project_tasks(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Vec<TaskOut>>> {
    readable_project(&state, &ctx, id).await?;
    let tasks = state
        .store()
        .tasks(
            ctx.region_id,
            &TaskFilter {
                project_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
    let deps = state.store().task_dependencies(ctx.region_id, id).await?;
    let rows = crate::pages::projects::task_rows(&state, &ctx, tasks, &deps).await?;
    Ok(Json(rows.into_iter().map(TaskOut::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", params(("id" = i64, Path)), responses((status = 200, body = TaskOut), (status = 404, body = ErrorOut)))]
async fn get_task(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<TaskOut>> {
    let task = state.store().task(id).await?;
    let p = readable_project(&state, &ctx, task.project_id).await?;
    let deps = state.store().task_dependencies(p.region_id, p.id).await?;
    let mut rows = crate::pages::projects::task_rows(&state, &ctx, vec![task], &deps).await?;
    rows.pop().map(|r| Json(TaskOut::from(r))).ok_or(AppError::NotFound)
}

/// The responsible unit reports progress on its task (status, actual dates, a note).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/progress", params(("id" = i64, Path)), request_body = ProgressIn, responses((status = 200, body = TaskOut), (status = 403, body = ErrorOut), (status = 409, body = ErrorOut), (status = 422, body = ErrorOut)))]
async fn report_progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: crate::extract::JsonLater<ProgressIn>,
) -> AppResult<Json<TaskOut>> {
    let task = state.store().task(id).await?;
    readable_project(&state, &ctx, task.project_id).await?;
    ctx.require(Action::UpdateTask {
        responsible_unit_id: task.responsible_unit_id,
    })?;
    let body = body.value()?;
    let form = ProgressForm {
        progress: body.progress,
        actual_start: body.actual_start.unwrap_or_default(),
        actual_finish: body.actual_finish.unwrap_or_default(),
        note: body.note.unwrap_or_default(),
    };
    let r = form.validate(chainforce_storage::clock::today())?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.report_task_progress(id, body.version, &r).await?;
    tx.commit().await?;
    get_task(State(state), ctx, Path(id)).await
}

#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = Vec<UnitOut>), (status = 403, body = ErrorOut)))]
async fn list_units(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<UnitOut>>> {
    ctx.require(Action::ReadCounty)?;
    Ok(Json(
        state
            .store()
            .units(ctx.region_id)
            .await?
            .into_iter()
            .map(UnitOut::from)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/enterprises", responses((status = 200, body = Vec<EnterpriseOut>), (status = 403, body = ErrorOut)))]
async fn list_enterprises(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<EnterpriseOut>>> {
    ctx.require(Action::ReadCounty)?;
    Ok(Json(
        state
            .store()
            .enterprises(ctx.region_id)
            .await?
            .into_iter()
            .map(EnterpriseOut::from)
            .collect(),
    ))
}

/// Problems, newest first: the county's for county readers, an enterprise's own for enterprise
/// users; a page at a time like `/api/v1/projects` (`page`, `per_page`, `X-Total-Count`, `Link`).
#[utoipa::path(
    get,
    path = "/api/v1/problems",
    params(PageParams),
    responses(
        (status = 200, body = Vec<ProblemOut>, headers(
            ("X-Total-Count" = u64, description = "How many problems there are, on all pages"),
            ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages")
        )),
        (status = 400, description = "A bad `page` or `per_page`, named in `fields`", body = ErrorOut),
        (status = 401, body = ErrorOut)
    )
)]
async fn list_problems(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageParams>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let page = crate::paging::page_of_api(q.page.as_deref(), q.per_page.as_deref())?;
    let mut f = ProblemFilter::default();
    if !ctx.can(Action::ReadCounty) {
        f.enterprise_id = Some(user.enterprise_id.ok_or(AppError::Forbidden)?);
    }
    let list = state.store().problems_page(ctx.region_id, &f, page).await?;
    let headers = crate::paging::api_headers(&list, "/api/v1/problems", raw.as_deref());
    let body: Vec<ProblemOut> = list.rows.into_iter().map(ProblemOut::from).collect();
    Ok((headers, Json(body)).into_response())
}

pub fn routes(t: RouteTable) -> RouteTable {
    let t = t
        .get("/api/openapi.json", Access::Public, openapi)
        .get("/api/v1/me", Access::SignedIn, me)
        .get("/api/v1/overview", Access::CountyReaders, overview)
        .get("/api/v1/projects", Access::SignedIn, list_projects)
        .post("/api/v1/projects", Access::Office, create_project)
        .get("/api/v1/projects/{id}", Access::Owner, get_project)
        .put("/api/v1/projects/{id}", Access::Office, update_project)
        .get("/api/v1/projects/{id}/tasks", Access::Owner, project_tasks)
        .get("/api/v1/tasks/{id}", Access::Owner, get_task)
        .post("/api/v1/tasks/{id}/progress", Access::Owner, report_progress)
        .get("/api/v1/units", Access::CountyReaders, list_units)
        .get("/api/v1/enterprises", Access::CountyReaders, list_enterprises)
        .get("/api/v1/problems", Access::SignedIn, list_problems);
    let t = meetings::routes(t);
    let t = pipeline::routes(t);
    let t = resources::routes(t);
    let t = battlemap::routes(t);
    chains::routes(t)
}
