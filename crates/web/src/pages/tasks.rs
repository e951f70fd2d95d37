//! Tasks: a task's page, the office's task forms, a unit's progress report, templates, and the
//! unit's desk (责任单位工作台).

use super::forms::{Opt, References, coded, options};
use super::projects::{TaskRow, predecessor_text, task_rows};
use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainforce_domain::org::Role;
use chainforce_domain::permission::Action;
use chainforce_domain::status::Status;
use chainforce_domain::task::{ProgressForm, TaskForm, TaskProgress};
use chainforce_storage::StoreError;
use chainforce_storage::projects::Project;
use chainforce_storage::tasks::{Task, TaskFilter, TaskUpdate};
use serde::Deserialize;

async fn project_for_edit(state: &AppState, ctx: &Ctx, project_id: i64) -> AppResult<Project> {
    ctx.require(Action::EditProject)?;
    let p = state.store().project(project_id).await?;
    if p.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// A task the user may read, with its project.
async fn readable_task(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(Task, Project)> {
    let task = state.store().task(id).await?;
    let p = state.store().project(task.project_id).await?;
    if p.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ReadProject {
        enterprise_id: p.draft.enterprise_id,
    })?;
    Ok((task, p))
}

#[derive(Template)]
#[template(path = "task_form.html")]
struct FormPage {
    chrome: Chrome,
    project: Project,
    f: TaskForm,
    errors: FormErrors,
    action: String,
    version: i64,
    units: Vec<Opt>,
    progress: Vec<Opt>,
    task_id: i64,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    project: Project,
    f: TaskForm,
    errors: FormErrors,
    task: Option<(i64, i64)>,
) -> AppResult<FormPage> {
    let t = ctx.t();
    let refs = References::load(state, ctx.region_id, t).await?;
    let (action, version, task_id) = match task {
        Some((id, v)) => (format!("/tasks/{id}"), v, id),
        None => (format!("/projects/{}/tasks", project.id), 0, 0),
    };
    Ok(FormPage {
        chrome: Chrome::new(
            ctx,
            "projects",
            if task.is_some() {
                t.s("task.edit")
            } else {
                t.s("task.new")
            },
        ),
        units: options(refs.units, &f.responsible_unit_id, Some(t.s("filter.none"))),
        progress: coded(
            TaskProgress::ALL,
            TaskProgress::code,
            |p| p.label(t.lang),
            &f.progress,
            None,
        ),
        project,
        f,
        errors,
        action,
        version,
        task_id,
    })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Path(project_id): Path<i64>) -> AppResult<Response> {
    let p = project_for_edit(&state, &ctx, project_id).await?;
    let f = TaskForm {
        duration_days: "5".into(),
        ..Default::default()
    };
    render(&form_page(&state, &ctx, p, f, FormErrors::none(), None).await?)
}

#[derive(Deserialize)]
struct Submitted {
    #[serde(flatten)]
    f: TaskForm,
    #[serde(default)]
    version: i64,
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(project_id): Path<i64>,
    Form(s): Form<Submitted>,
) -> AppResult<Response> {
    let p = project_for_edit(&state, &ctx, project_id).await?;
    let t = ctx.t();
    let draft = match s.f.validate() {
        Ok(d) => d,
        Err(e) => return render_invalid(&form_page(&state, &ctx, p, s.f, FormErrors::new(e, t), None).await?),
    };
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    let saved = async {
        let id = tx.create_task(project_id, &draft, None).await?;
        let deps = tx.parse_dependencies(id, &draft.predecessors)?;
        tx.set_task_dependencies(id, &deps).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/projects/{project_id}"))),
        Err(StoreError::Invalid(e)) => {
            render_invalid(&form_page(&state, &ctx, p, s.f, FormErrors::new(e, t), None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (task, p) = readable_task(&state, &ctx, id).await?;
    ctx.require(Action::EditProject)?;
    let deps = state.store().task_dependencies(p.region_id, p.id).await?;
    let f = TaskForm {
        name: task.name.clone(),
        responsible_unit_id: task.responsible_unit_id.map(|u| u.to_string()).unwrap_or_default(),
        responsible_person: task.responsible_person.clone().unwrap_or_default(),
        duration_days: task.duration_days.to_string(),
        predecessors: predecessor_text(id, &deps),
        deadline: super::opt_date(&task.deadline),
        start_no_earlier: super::opt_date(&task.start_no_earlier),
        actual_start: super::opt_date(&task.actual_start),
        actual_finish: super::opt_date(&task.actual_finish),
        progress: task.progress.code().to_string(),
        note: task.note.clone().unwrap_or_default(),
    };
    render(&form_page(&state, &ctx, p, f, FormErrors::none(), Some((id, task.version))).await?)
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<Submitted>,
) -> AppResult<Response> {
    let (_, p) = readable_task(&state, &ctx, id).await?;
    ctx.require(Action::EditProject)?;
    let t = ctx.t();
    let draft = match s.f.validate() {
        Ok(d) => d,
        Err(e) => {
            return render_invalid(
                &form_page(&state, &ctx, p, s.f, FormErrors::new(e, t), Some((id, s.version))).await?,
            );
        }
    };
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    let saved = async {
        tx.update_task(id, s.version, &draft).await?;
        let deps = tx.parse_dependencies(id, &draft.predecessors)?;
        tx.set_task_dependencies(id, &deps).await?;
        tx.commit().await
    }
    .await;
    match saved.map_err(AppError::from) {
        Ok(()) => Ok(see_other(&format!("/tasks/{id}"))),
        Err(AppError::Invalid(e)) => {
            render_invalid(&form_page(&state, &ctx, p, s.f, FormErrors::new(e, t), Some((id, s.version))).await?)
        }
        Err(e) => or_conflict_page(&ctx, e, &draft, &format!("/tasks/{id}/edit")),
    }
}

#[derive(Deserialize)]
struct VersionForm {
    version: i64,
}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<VersionForm>,
) -> AppResult<Response> {
    let (_, p) = readable_task(&state, &ctx, id).await?;
    ctx.require(Action::EditProject)?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.delete_task(id, v.version).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/projects/{}", p.id)))
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    chrome: Chrome,
    row: TaskRow,
    project: Project,
    updates: Vec<TaskUpdate>,
    can_report: bool,
    can_edit: bool,
    progress: Vec<Opt>,
    report: ProgressForm,
    errors: FormErrors,
    /// Files attached to the progress notes, and whether this user may download them.
    attachments: Vec<chainforce_storage::pipeline::Attachment>,
    can_download: bool,
    upload_limits: String,
}

async fn task_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    report: Option<ProgressForm>,
    errors: FormErrors,
) -> AppResult<TaskPage> {
    let (task, project) = readable_task(state, ctx, id).await?;
    let deps = state.store().task_dependencies(project.region_id, project.id).await?;
    let updates = state.store().task_updates(id).await?;
    let attachments = state.store().task_attachments(id).await?;
    let can_download = ctx.can(Action::ReadAttachment {
        unit_id: task.responsible_unit_id,
        enterprise_id: project.draft.enterprise_id,
    });
    let policy = super::pipeline::policy(state);
    let upload_limits = format!(
        "{} · {}",
        chainforce_domain::pipeline::attachment::human_size(policy.max_bytes),
        policy.kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(", ")
    );
    let can_report = ctx.can(Action::UpdateTask {
        responsible_unit_id: task.responsible_unit_id,
    });
    let t = ctx.t();
    let report = report.unwrap_or_else(|| ProgressForm {
        progress: task.progress.code().to_string(),
        actual_start: super::opt_date(&task.actual_start),
        actual_finish: super::opt_date(&task.actual_finish),
        note: String::new(),
    });
    let row = task_rows(state, ctx, vec![task], &deps)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(TaskPage {
        chrome: Chrome::new(ctx, "projects", row.task.name.clone()),
        progress: coded(
            TaskProgress::ALL,
            TaskProgress::code,
            |p| p.label(t.lang),
            &report.progress,
            None,
        ),
        row,
        project,
        updates,
        can_report,
        can_edit: ctx.can(Action::EditProject),
        report,
        errors,
        attachments,
        can_download,
        upload_limits,
    })
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&task_page(&state, &ctx, id, None, FormErrors::none()).await?)
}

#[derive(Deserialize)]
struct ProgressSubmitted {
    #[serde(flatten)]
    f: ProgressForm,
    version: i64,
}

/// A responsible unit reports progress on its own task (the office may too), optionally with
/// an attachment (issue 4: size and kind checked, kept under a generated key).
async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: crate::extract::FormOrMultipart<ProgressSubmitted>,
) -> AppResult<Response> {
    let (task, project) = readable_task(&state, &ctx, id).await?;
    ctx.require(Action::UpdateTask {
        responsible_unit_id: task.responsible_unit_id,
    })?;
    let policy = super::pipeline::policy(&state);
    let (s, files) = body.value(policy.max_bytes, policy.max_files_per_upload).await?;
    let t = ctx.t();
    let mut errs = chainforce_domain::ValidationErrors::new();
    let r = match s.f.validate(chainforce_storage::clock::today()) {
        Ok(r) => Some(r),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    let checked = match super::pipeline::check_files(&policy, &files) {
        Ok(c) => c,
        Err(e) => {
            errs.0.extend(e.0);
            Vec::new()
        }
    };
    let Some(r) = r.filter(|_| errs.is_empty()) else {
        return render_invalid(&task_page(&state, &ctx, id, Some(s.f), FormErrors::new(errs, t)).await?);
    };
    let stored = super::pipeline::store_files(&state, &files)?;
    let saved = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.report_task_progress(id, s.version, &r).await?;
        if !stored.is_empty() {
            let update_id = tx.latest_task_update(id).await?.ok_or(StoreError::NotFound {
                entity: "task_update",
                id,
            })?;
            for (f, c) in stored.iter().zip(&checked) {
                let to = chainforce_storage::pipeline::AttachTo::TaskUpdate { task_id: id, update_id };
                tx.add_attachment(project.id, to, f, c).await?;
            }
        }
        tx.commit().await
    }
    .await;
    if saved.is_err() {
        for f in &stored {
            state.files().remove(&f.key);
        }
    }
    match saved.map_err(AppError::from) {
        Ok(()) => Ok(see_other(&format!("/tasks/{id}"))),
        Err(AppError::Invalid(e)) => {
            render_invalid(&task_page(&state, &ctx, id, Some(s.f), FormErrors::new(e, t)).await?)
        }
        Err(e) => or_conflict_page(&ctx, e, &r, &format!("/tasks/{id}")),
    }
}

#[derive(Deserialize)]
struct TemplateChoice {
    template_id: i64,
}

/// Applies an approval-chain template to a project with a target 开工 date.
async fn apply_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(project_id): Path<i64>,
    Form(c): Form<TemplateChoice>,
) -> AppResult<Response> {
    project_for_edit(&state, &ctx, project_id).await?;
    let template = state.store().template(c.template_id).await?.parse()?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.apply_template(project_id, &template).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/projects/{project_id}")))
}

/// The desk's four groups.
#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    chrome: Chrome,
    unit_name: String,
    units: Vec<Opt>,
    groups: Vec<DeskGroup>,
    show_unit_picker: bool,
    /// Problems assigned to the unit (交办, from the office or a meeting), until solved.
    problems: Vec<DeskProblem>,
}

struct DeskProblem {
    p: chainforce_storage::problems::Problem,
    overdue: bool,
}

struct DeskGroup {
    /// `later` or `done` for the groups shown as a count until asked for; the anchor of the group.
    key: &'static str,
    title: &'static str,
    class: &'static str,
    /// How many tasks the group holds, whether its rows are shown or not.
    count: usize,
    /// The rows shown: all of them, or none for a group folded to its count.
    rows: Vec<TaskRow>,
    /// For a folded group: the link that shows its rows.
    show_link: Option<String>,
    /// For an unfolded `later` or `done` group: the link back to the count.
    hide_link: Option<String>,
}

#[derive(Deserialize, Default)]
struct DeskQuery {
    #[serde(default)]
    unit_id: String,
    /// `later` or `done`: the group to show in full besides overdue and due soon.
    #[serde(default)]
    show: String,
}

/// How far ahead "due soon" looks, in working days.
const DUE_SOON_WORKING_DAYS: i64 = 7;

/// The desk's groups, in the page's order.
const DESK_GROUPS: [&str; 4] = ["overdue", "due_soon", "later", "done"];

/// The groups of the desk that show as a count and a link until asked for (`show=`): a unit with
/// hundreds of tasks reads what needs acting on without the page carrying every finished one.
const FOLDED_GROUPS: [&str; 2] = ["later", "done"];

/// A unit's tasks: overdue and due within 7 working days in full; later and done as their count
/// with a link that shows them (`show=later`, `show=done`).
async fn desk(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DeskQuery>) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let t = ctx.t();
    let unit_id = match user.role {
        Role::Unit => user.unit_id.ok_or(AppError::Forbidden)?,
        _ => {
            ctx.require(Action::ReadCounty)?;
            match q.unit_id.parse::<i64>() {
                Ok(id) => id,
                Err(_) => state
                    .store()
                    .units(user.region_id)
                    .await?
                    .first()
                    .map(|u| u.id)
                    .ok_or(AppError::NotFound)?,
            }
        }
    };
    let unit = state.store().unit(unit_id).await?;
    if unit.region_id != user.region_id {
        return Err(AppError::NotFound);
    }
    let shown = match q.show.trim() {
        "" => None,
        s => Some(FOLDED_GROUPS.into_iter().find(|g| *g == s).ok_or_else(|| {
            AppError::BadQuery(chainforce_domain::ValidationErrors::single(
                "show",
                chainforce_domain::Rule::NotOneOf {
                    allowed: FOLDED_GROUPS.map(String::from).to_vec(),
                },
            ))
        })?),
    };
    let region = state.store().region(user.region_id).await?;
    let cal = state.store().calendar(user.region_id).await?;
    let today = chainforce_storage::clock::today();
    let soon = cal.add_working_days(today, DUE_SOON_WORKING_DAYS);
    // The group of each task (in DESK_GROUPS' order), by the status its row will show.
    let group_of = |t: &Task| match t.status(today, region.yellow_float_days, &cal).status {
        Status::Red => 0,
        Status::Done => 3,
        _ if t.schedule.late_finish.or(t.deadline).is_some_and(|d| d <= soon) => 1,
        _ => 2,
    };
    let folded = |key: &str| FOLDED_GROUPS.contains(&key) && shown != Some(key);
    let mine = TaskFilter {
        unit_id: Some(unit_id),
        active_projects_only: true,
        ..Default::default()
    };
    // Counted where they lie on the board: only the tasks of the groups shown are copied (the
    // first unit of the county has hundreds, most of them later or done).
    let (counts, picked) = state
        .store()
        .with_tasks(user.region_id, &mine, |tasks| {
            let mut counts = [0usize; 4];
            let mut picked: [Vec<Task>; 4] = Default::default();
            for t in tasks {
                let g = group_of(t);
                counts[g] += 1;
                if !folded(DESK_GROUPS[g]) {
                    picked[g].push(t.clone());
                }
            }
            (counts, picked)
        })
        .await?;
    let mut rows = Vec::with_capacity(4);
    for tasks in picked {
        rows.push(task_rows(&state, &ctx, tasks, &[]).await?);
    }
    let refs = References::load(&state, user.region_id, t).await?;
    let assigned = chainforce_storage::problems::ProblemFilter {
        unit_id: Some(unit_id),
        open_only: true,
        ..Default::default()
    };
    let problems = state
        .store()
        .problems(user.region_id, &assigned)
        .await?
        .into_iter()
        .map(|p| DeskProblem {
            overdue: chainforce_domain::problem::is_overdue(p.status, p.deadline, today),
            p,
        })
        .collect();
    let show_unit_picker = user.role != Role::Unit;
    // A unit's own desk needs no unit in its links; the office's names the unit it looks at.
    // Either way the link lands on the group it came from.
    let desk_link = |show: Option<&str>, group: &str| {
        let mut params: Vec<(&str, String)> = Vec::new();
        if show_unit_picker {
            params.push(("unit_id", unit_id.to_string()));
        }
        if let Some(g) = show {
            params.push(("show", g.to_string()));
        }
        let query = serde_urlencoded::to_string(&params).unwrap_or_default();
        if query.is_empty() {
            format!("/desk#desk-{group}")
        } else {
            format!("/desk?{query}#desk-{group}")
        }
    };
    let mut group = |g: usize, title: &'static str, class: &'static str| {
        let key = DESK_GROUPS[g];
        let count = counts[g];
        let rows = std::mem::take(&mut rows[g]);
        let foldable = FOLDED_GROUPS.contains(&key);
        let folded = folded(key) && count > 0;
        DeskGroup {
            key,
            title,
            class,
            count,
            rows: if folded { Vec::new() } else { rows },
            show_link: folded.then(|| desk_link(Some(key), key)),
            hide_link: (foldable && !folded && count > 0).then(|| desk_link(None, key)),
        }
    };
    let page = DeskPage {
        problems,
        chrome: Chrome::new(&ctx, "desk", t.s("nav.desk")),
        unit_name: unit.name,
        units: options(refs.units, &unit_id.to_string(), None),
        groups: vec![
            group(0, t.s("desk.overdue"), "red"),
            group(1, t.s("desk.due_soon"), "yellow"),
            group(2, t.s("desk.later"), "green"),
            group(3, t.s("desk.done"), "done"),
        ],
        show_unit_picker,
    };
    render(&page)
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/projects/{id}/tasks/new", Access::Office, new_form)
        .post("/projects/{id}/tasks", Access::Office, create)
        .post("/projects/{id}/template", Access::Office, apply_template)
        .get("/tasks/{id}", Access::Owner, show)
        .get("/tasks/{id}/edit", Access::Office, edit_form)
        .post("/tasks/{id}", Access::Office, update)
        .post("/tasks/{id}/delete", Access::Office, delete)
        .post("/tasks/{id}/progress", Access::Owner, report)
        .get("/desk", Access::CountyReaders, desk)
}
