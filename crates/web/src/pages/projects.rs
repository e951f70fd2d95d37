//! Projects: the list with filters, a project's page, and the create and edit forms.

use super::forms::{Opt, References, coded, options};
use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other, wan};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::paging::{Pager, page_of_list};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use chainforce_domain::permission::Action;
use chainforce_domain::project::{ConstructionNature, ProjectForm, ProjectState, Stage};
use chainforce_domain::status::Status;
use chainforce_storage::problems::{Problem, ProblemFilter};
use chainforce_storage::projects::{Project, ProjectFilter, ProjectSort, StageDate};
use chainforce_storage::tasks::{Task, TaskDependency, TaskFilter};
use serde::Deserialize;

/// The list's filters as they come in the URL (all text, so a bad value is ignored, not a 400).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub stage: String,
    pub state: String,
    pub township_id: String,
    pub lead_unit_id: String,
    pub chain_node_id: String,
    pub leader: String,
    pub q: String,
    pub sort: String,
    /// Which page of the list (from 1); not a filter: the export takes every page.
    pub page: String,
}

impl ListQuery {
    pub fn filter(&self) -> ProjectFilter {
        let id = |s: &str| s.trim().parse::<i64>().ok();
        ProjectFilter {
            stage: Stage::parse(self.stage.trim()),
            state: ProjectState::parse(self.state.trim()),
            township_id: id(&self.township_id),
            lead_unit_id: id(&self.lead_unit_id),
            chain_node_id: id(&self.chain_node_id),
            enterprise_id: None,
            leader: Some(self.leader.clone()).filter(|s| !s.trim().is_empty()),
            q: Some(self.q.clone()).filter(|s| !s.trim().is_empty()),
            sort: match self.sort.as_str() {
                "stage" => ProjectSort::Stage,
                "investment" => ProjectSort::InvestmentDesc,
                "updated" => ProjectSort::Updated,
                _ => ProjectSort::Name,
            },
        }
    }
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    chrome: Chrome,
    projects: Vec<Project>,
    q: ListQuery,
    stages: Vec<Opt>,
    states: Vec<Opt>,
    townships: Vec<Opt>,
    units: Vec<Opt>,
    nodes: Vec<Opt>,
    sorts: Vec<Opt>,
    /// How many projects match the filters, on every page.
    count: u64,
    /// Their 总投资, on every page.
    total: String,
    pager: Pager,
    can_edit: bool,
    export_query: String,
}

/// The project list, a page at a time ([`chainforce_domain::paging::PER_PAGE`] projects): the
/// count and the investment total are those of every project the filters match; a page past the
/// end shows the last page.
async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let t = ctx.t();
    let mut filter = q.filter();
    if !ctx.can(Action::ReadCounty) {
        // Enterprise users see their own enterprise's projects only.
        filter.enterprise_id = Some(user.enterprise_id.ok_or(AppError::Forbidden)?);
    }
    let wanted = page_of_list(&q.page)?;
    let mut list = state.store().projects_page(user.region_id, &filter, wanted).await?;
    if list.projects.is_past_end() {
        list = state
            .store()
            .projects_page(user.region_id, &filter, list.projects.last())
            .await?;
    }
    let refs = References::load(&state, user.region_id, t).await?;
    let all = t.s("filter.all");
    let total = wan(Some(list.total_investment));
    let pager = Pager::projects(t, &list.projects, "/projects", raw.as_deref());
    let page = ListPage {
        chrome: Chrome::new(&ctx, "projects", t.s("nav.projects")),
        stages: coded(Stage::ALL, Stage::code, |s| s.label(t.lang), &q.stage, Some(all)),
        states: coded(
            ProjectState::ALL,
            ProjectState::code,
            |s| s.label(t.lang),
            &q.state,
            Some(all),
        ),
        townships: options(refs.townships, &q.township_id, Some(all)),
        units: options(refs.units, &q.lead_unit_id, Some(all)),
        nodes: options(refs.nodes, &q.chain_node_id, Some(all)),
        sorts: options(
            [
                ("name", "sort.name"),
                ("stage", "sort.stage"),
                ("investment", "sort.investment"),
                ("updated", "sort.updated"),
            ]
            .map(|(v, k)| (v.to_string(), t.s(k).to_string())),
            &q.sort,
            None,
        ),
        count: list.projects.total,
        total,
        pager,
        can_edit: ctx.can(Action::EditProject),
        export_query: ctx_query(&q),
        projects: list.projects.rows,
        q,
    };
    render(&page)
}

fn ctx_query(q: &ListQuery) -> String {
    serde_urlencoded::to_string([
        ("stage", &q.stage),
        ("state", &q.state),
        ("township_id", &q.township_id),
        ("lead_unit_id", &q.lead_unit_id),
        ("chain_node_id", &q.chain_node_id),
        ("leader", &q.leader),
        ("q", &q.q),
        ("sort", &q.sort),
    ])
    .unwrap_or_default()
}

/// A task row on the project page, with its colour and its predecessors as typed.
pub struct TaskRow {
    pub task: Task,
    pub status: Status,
    pub status_label: &'static str,
    pub days_overdue: i64,
    pub predecessors: String,
}

/// Predecessors as the task form takes them back: `12`, `12SS+2`.
pub fn predecessor_text(task_id: i64, deps: &[TaskDependency]) -> String {
    deps.iter()
        .filter(|d| d.task_id == task_id)
        .map(|d| {
            let kind = if d.kind == "FS" && d.lag_days == 0 {
                String::new()
            } else {
                d.kind.clone()
            };
            let lag = match d.lag_days {
                0 => String::new(),
                l if l > 0 => format!("+{l}"),
                l => l.to_string(),
            };
            format!("{}{kind}{lag}", d.predecessor_id)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn task_rows(
    state: &AppState,
    ctx: &Ctx,
    tasks: Vec<Task>,
    deps: &[TaskDependency],
) -> AppResult<Vec<TaskRow>> {
    let region = state.store().region(ctx.region_id).await?;
    let cal = state.store().calendar(ctx.region_id).await?;
    let today = chainforce_storage::clock::today();
    Ok(tasks
        .into_iter()
        .map(|task| {
            let s = task.status(today, region.yellow_float_days, &cal);
            TaskRow {
                predecessors: predecessor_text(task.id, deps),
                status: s.status,
                status_label: s.status.label(ctx.lang),
                days_overdue: s.days_overdue,
                task,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "project.html")]
struct DetailPage {
    chrome: Chrome,
    p: Project,
    stage_dates: Vec<StageDate>,
    tasks: Vec<TaskRow>,
    problems: Vec<Problem>,
    can_edit: bool,
    can_raise: bool,
    warning: Option<String>,
    state_options: Vec<Opt>,
    templates: Vec<Opt>,
    /// Stage changes and their history (issue 4).
    pipeline: super::pipeline::StageSection,
}

impl DetailPage {
    fn money(&self, a: &Option<chainforce_domain::Amount>) -> String {
        wan(a)
    }
}

/// Loads a project the signed-in user may read.
async fn readable_project(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Project> {
    let p = state.store().project(id).await?;
    let user = ctx.user()?;
    if p.region_id != user.region_id {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ReadProject {
        enterprise_id: p.draft.enterprise_id,
    })?;
    Ok(p)
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let p = readable_project(&state, &ctx, id).await?;
    let store = state.store();
    let tasks = store
        .tasks(
            p.region_id,
            &TaskFilter {
                project_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
    let deps = store.task_dependencies(p.region_id, id).await?;
    let warning = tasks.iter().find_map(|t| t.schedule.warning.clone());
    let rows = task_rows(&state, &ctx, tasks, &deps).await?;
    let problems = store
        .problems(
            p.region_id,
            &ProblemFilter {
                project_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
    let t = ctx.t();
    let pipeline = super::pipeline::StageSection::load(&state, &ctx, &p).await?;
    let page = DetailPage {
        pipeline,
        chrome: Chrome::new(&ctx, "projects", p.draft.name.clone()),
        stage_dates: store.stage_dates(id).await?,
        tasks: rows,
        problems,
        can_edit: ctx.can(Action::EditProject),
        can_raise: ctx.can(Action::RaiseProblem {
            enterprise_id: p.draft.enterprise_id,
        }),
        warning,
        state_options: coded(
            ProjectState::ALL,
            ProjectState::code,
            |s| s.label(t.lang),
            p.state.code(),
            None,
        ),
        templates: options(
            store.templates().await?.into_iter().map(|t| (t.id.to_string(), t.name)),
            "",
            None,
        ),
        p,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct FormPage {
    chrome: Chrome,
    f: ProjectForm,
    errors: FormErrors,
    action: String,
    version: i64,
    enterprises: Vec<Opt>,
    townships: Vec<Opt>,
    units: Vec<Opt>,
    nodes: Vec<Opt>,
    stages: Vec<Opt>,
    natures: Vec<Opt>,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    f: ProjectForm,
    errors: FormErrors,
    action: String,
    version: i64,
) -> AppResult<FormPage> {
    let t = ctx.t();
    let refs = References::load(state, ctx.region_id, t).await?;
    let none = t.s("filter.none");
    Ok(FormPage {
        chrome: Chrome::new(
            ctx,
            "projects",
            if version == 0 {
                t.s("project.new")
            } else {
                t.s("project.edit")
            },
        ),
        enterprises: options(refs.enterprises, &f.enterprise_id, Some(none)),
        townships: options(refs.townships, &f.township_id, Some(none)),
        units: options(refs.units, &f.lead_unit_id, Some(none)),
        nodes: options(refs.nodes, &f.chain_node_id, Some(none)),
        stages: coded(Stage::ALL, Stage::code, |s| s.label(t.lang), &f.stage, None),
        natures: coded(
            ConstructionNature::ALL,
            ConstructionNature::code,
            |s| s.label(t.lang),
            &f.nature,
            Some(none),
        ),
        f,
        errors,
        action,
        version,
    })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let f = ProjectForm {
        stage: Stage::Lead.code().into(),
        ..Default::default()
    };
    render(&form_page(&state, &ctx, f, FormErrors::none(), "/projects".into(), 0).await?)
}

/// A submitted project form with the version it was loaded at.
#[derive(Deserialize)]
struct Submitted {
    #[serde(flatten)]
    f: ProjectForm,
    #[serde(default)]
    version: i64,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(s): Form<Submitted>) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let t = ctx.t();
    let draft = match s.f.validate() {
        Ok(d) => d,
        Err(e) => {
            return render_invalid(&form_page(&state, &ctx, s.f, FormErrors::new(e, t), "/projects".into(), 0).await?);
        }
    };
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    // Created as a 线索 and moved to the chosen stage today by the stage rules, in the history
    // with who did it; a stage the rules forbid (开工 without 供地) is refused on `stage`, and the
    // dropped transaction leaves nothing behind.
    let id = match tx.create_project(ctx.region_id, &draft).await {
        Ok(id) => id,
        Err(chainforce_storage::StoreError::Invalid(e)) => {
            return render_invalid(&form_page(&state, &ctx, s.f, FormErrors::new(e, t), "/projects".into(), 0).await?);
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(see_other(&format!("/projects/{id}")))
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let p = readable_project(&state, &ctx, id).await?;
    render(
        &form_page(
            &state,
            &ctx,
            p.draft.to_form(),
            FormErrors::none(),
            format!("/projects/{id}"),
            p.version,
        )
        .await?,
    )
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<Submitted>,
) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    readable_project(&state, &ctx, id).await?;
    let t = ctx.t();
    let action = format!("/projects/{id}");
    let draft = match s.f.validate() {
        Ok(d) => d,
        Err(e) => {
            return render_invalid(&form_page(&state, &ctx, s.f, FormErrors::new(e, t), action, s.version).await?);
        }
    };
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    let saved = async {
        tx.update_project(id, s.version, &draft).await?;
        tx.commit().await
    }
    .await;
    match saved.map_err(AppError::from) {
        Ok(()) => Ok(see_other(&action)),
        Err(AppError::Invalid(e)) => {
            render_invalid(&form_page(&state, &ctx, s.f, FormErrors::new(e, t), action, s.version).await?)
        }
        Err(e) => or_conflict_page(&ctx, e, &draft, &format!("{action}/edit")),
    }
}

#[derive(Deserialize)]
struct StateForm {
    state: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

/// 暂停 / 终止 / 恢复.
async fn set_state(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    readable_project(&state, &ctx, id).await?;
    let new_state = ProjectState::field("state", &f.state)?;
    let reason = chainforce_domain::validation::text("reason", &f.reason, false, 500)?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.set_project_state(id, f.version, new_state, reason.as_deref())
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/projects/{id}")))
}

/// The project list as .xlsx, with the same filters and the filters named in a title row.
async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let user = ctx.user()?;
    let t = ctx.t();
    let mut filter = q.filter();
    if !ctx.can(Action::ReadCounty) {
        filter.enterprise_id = Some(user.enterprise_id.ok_or(AppError::Forbidden)?);
    }
    let projects = state.store().projects(user.region_id, &filter).await?;
    let refs = References::load(&state, user.region_id, t).await?;
    let name_of = |list: &[(String, String)], id: &str| list.iter().find(|(v, _)| v == id).map(|(_, l)| l.clone());
    let mut filters = Vec::new();
    let mut named = |key: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            filters.push((t.s(key).to_string(), v));
        }
    };
    named("field.stage", filter.stage.map(|s| s.label(t.lang).to_string()));
    named("field.state", filter.state.map(|s| s.label(t.lang).to_string()));
    named("field.township_id", name_of(&refs.townships, &q.township_id));
    named("field.lead_unit_id", name_of(&refs.units, &q.lead_unit_id));
    named("field.chain_node_id", name_of(&refs.nodes, &q.chain_node_id));
    named("field.leader", Some(q.leader.clone()));
    named("filter.search", Some(q.q.clone()));
    let table = crate::exports::projects(projects, filters, t);
    crate::download::xlsx(
        &table,
        &format!(
            "{}-{}.xlsx",
            t.s("export.projects_title"),
            chainforce_storage::clock::today()
        ),
    )
}

/// The problem list as .xlsx (the county's, or an enterprise's own).
async fn export_problems(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.user()?;
    let t = ctx.t();
    let mut f = ProblemFilter::default();
    if !ctx.can(Action::ReadCounty) {
        f.enterprise_id = Some(user.enterprise_id.ok_or(AppError::Forbidden)?);
    }
    let table = crate::exports::problems(state.store().problems(user.region_id, &f).await?, t);
    crate::download::xlsx(
        &table,
        &format!("{}-{}.xlsx", t.s("nav.problems"), chainforce_storage::clock::today()),
    )
}

/// Every task of the county, with its schedule and status.
async fn export_tasks(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let t = ctx.t();
    let filter = TaskFilter {
        active_projects_only: true,
        ..Default::default()
    };
    let table = crate::exports::tasks(state.store(), ctx.region_id, &filter, t).await?;
    crate::download::xlsx(
        &table,
        &format!(
            "{}-{}.xlsx",
            t.s("export.tasks_title"),
            chainforce_storage::clock::today()
        ),
    )
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/projects", Access::SignedIn, list)
        .get("/projects/export.xlsx", Access::SignedIn, export)
        .get("/problems/export.xlsx", Access::SignedIn, export_problems)
        .get("/tasks/export.xlsx", Access::CountyReaders, export_tasks)
        .get("/projects/new", Access::Office, new_form)
        .post("/projects", Access::Office, create)
        .get("/projects/{id}", Access::Owner, detail)
        .get("/projects/{id}/edit", Access::Office, edit_form)
        .post("/projects/{id}", Access::Office, update)
        .post("/projects/{id}/state", Access::Office, set_state)
}
