//! 招商目标库: candidate outside enterprises per chain node, with notes and the history of
//! contacts, and "转为线索项目" — one action that creates the 线索 project on the target's node
//! and links the two (once).

use super::admin::error_lines;
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::forms::{Opt, options};
use crate::pages::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainforce_domain::chain::{ContactForm, TargetForm, TargetStatus};
use chainforce_domain::permission::Action;
use chainforce_domain::project::ProjectForm;
use chainforce_storage::investment_targets::{InvestmentTarget, TargetContact, TargetFilter};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    chain_id: String,
    node_id: String,
    status: String,
}

fn id(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|n: &i64| *n > 0)
}

/// The nodes of every chain of the county, as select options ("锂电产业链 · 碳酸锂").
async fn node_options(state: &AppState, ctx: &Ctx, current: &str, blank: Option<&str>) -> AppResult<Vec<Opt>> {
    let nodes = state.store().chain_nodes(ctx.region_id).await?;
    let en = !ctx.t().is_zh();
    Ok(options(
        nodes.into_iter().map(|n| {
            let name = match (&n.name_en, en) {
                (Some(e), true) => e.clone(),
                _ => n.name.clone(),
            };
            (n.id.to_string(), format!("{} · {name}", n.chain_name))
        }),
        current,
        blank,
    ))
}

struct Row {
    t: InvestmentTarget,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    nodes: Vec<Opt>,
    statuses: Vec<Opt>,
    chain_id: String,
    can_edit: bool,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let t = ctx.t();
    let filter = TargetFilter {
        chain_id: id(&q.chain_id),
        node_id: id(&q.node_id),
        status: TargetStatus::parse(q.status.trim()),
    };
    let rows = state
        .store()
        .investment_targets(ctx.region_id, &filter)
        .await?
        .into_iter()
        .map(|x| Row {
            status: x.draft.status.label(t.lang),
            t: x,
        })
        .collect();
    render(&ListPage {
        chrome: Chrome::new(&ctx, "chains", t.s("targets.title")),
        rows,
        nodes: node_options(&state, &ctx, q.node_id.trim(), Some(t.s("targets.all_nodes"))).await?,
        statuses: options(
            TargetStatus::ALL
                .iter()
                .map(|s| (s.code().to_string(), s.label(t.lang).to_string())),
            q.status.trim(),
            Some(t.s("targets.all_statuses")),
        ),
        chain_id: filter.chain_id.map(|c| c.to_string()).unwrap_or_default(),
        can_edit: ctx.can(Action::ManageTargets),
    })
}

// ---- form -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "target_form.html")]
struct FormPage {
    chrome: Chrome,
    f: TargetForm,
    errors: FormErrors,
    lines: Vec<String>,
    nodes: Vec<Opt>,
    statuses: Vec<Opt>,
    action: String,
    version: i64,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    f: TargetForm,
    errors: FormErrors,
    action: String,
    version: i64,
) -> AppResult<FormPage> {
    let t = ctx.t();
    Ok(FormPage {
        chrome: Chrome::new(ctx, "chains", t.s("targets.title")),
        nodes: node_options(state, ctx, f.node_id.trim(), Some("")).await?,
        statuses: options(
            TargetStatus::ALL
                .iter()
                .filter(|s| **s != TargetStatus::Converted)
                .map(|s| (s.code().to_string(), s.label(t.lang).to_string())),
            f.status.trim(),
            None,
        ),
        lines: error_lines(&errors.errors, t),
        f,
        errors,
        action,
        version,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    node_id: String,
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    ctx.require(Action::ManageTargets)?;
    let f = TargetForm {
        node_id: q.node_id,
        status: TargetStatus::Candidate.code().into(),
        ..Default::default()
    };
    render(&form_page(&state, &ctx, f, FormErrors::none(), "/targets".into(), 0).await?)
}

#[derive(Debug, Deserialize)]
struct Submitted {
    #[serde(flatten)]
    f: TargetForm,
    #[serde(default)]
    version: i64,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(s): Form<Submitted>) -> AppResult<Response> {
    ctx.require(Action::ManageTargets)?;
    let result = async {
        let d = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let id = tx.create_target(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/targets/{id}"))),
        Err(AppError::Invalid(e)) => {
            render_invalid(&form_page(&state, &ctx, s.f, FormErrors::new(e, ctx.t()), "/targets".into(), 0).await?)
        }
        Err(e) => Err(e),
    }
}

async fn own(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<InvestmentTarget> {
    let t = state.store().investment_target(id).await?;
    if t.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

fn form_of(t: &InvestmentTarget) -> TargetForm {
    let d = &t.draft;
    TargetForm {
        node_id: d.node_id.to_string(),
        name: d.name.clone(),
        credit_code: d.credit_code.as_ref().map(|c| c.to_string()).unwrap_or_default(),
        headquarters: d.headquarters.clone().unwrap_or_default(),
        contact_person: d.contact_person.clone().unwrap_or_default(),
        phone: d.phone.clone().unwrap_or_default(),
        notes: d.notes.clone().unwrap_or_default(),
        status: d.status.code().into(),
    }
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageTargets)?;
    let t = own(&state, &ctx, id).await?;
    render(
        &form_page(
            &state,
            &ctx,
            form_of(&t),
            FormErrors::none(),
            format!("/targets/{id}"),
            t.version,
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
    ctx.require(Action::ManageTargets)?;
    let before = own(&state, &ctx, id).await?;
    let mut f = s.f.clone();
    // A converted target stays converted: the form does not offer that status.
    if before.project_id.is_some() && f.status.trim() == TargetStatus::Converted.code() {
        f.status = String::new();
    }
    let result = async {
        let d = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_target(ctx.region_id, id, s.version, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/targets/{id}"))),
        Err(AppError::Invalid(e)) => render_invalid(
            &form_page(
                &state,
                &ctx,
                s.f,
                FormErrors::new(e, ctx.t()),
                format!("/targets/{id}"),
                s.version,
            )
            .await?,
        ),
        Err(e) => or_conflict_page(&ctx, e, &s.f, &format!("/targets/{id}/edit")),
    }
}

// ---- one target -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "target.html")]
struct ViewPage {
    chrome: Chrome,
    x: InvestmentTarget,
    status: &'static str,
    contacts: Vec<TargetContact>,
    contact: ContactForm,
    project_name: String,
    errors: Vec<String>,
    can_edit: bool,
}

async fn view_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    contact: ContactForm,
    project_name: Option<String>,
    errors: Vec<String>,
) -> AppResult<ViewPage> {
    let x = own(state, ctx, id).await?;
    let contacts = state.store().target_contacts(id).await?;
    let t = ctx.t();
    Ok(ViewPage {
        chrome: Chrome::new(ctx, "chains", x.draft.name.clone()),
        status: x.draft.status.label(t.lang),
        project_name: project_name.unwrap_or_else(|| {
            format!(
                "{}{}{}",
                x.draft.name,
                t.lang.pick("", " "),
                t.s("targets.project_suffix")
            )
        }),
        x,
        contacts,
        contact,
        errors,
        can_edit: ctx.can(Action::ManageTargets),
    })
}

async fn view(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let today = chainforce_storage::clock::today().to_string();
    let contact = ContactForm {
        contact_date: today,
        ..Default::default()
    };
    render(&view_page(&state, &ctx, id, contact, None, Vec::new()).await?)
}

async fn add_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ContactForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageTargets)?;
    own(&state, &ctx, id).await?;
    let result = async {
        let d = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.add_target_contact(ctx.region_id, id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/targets/{id}"))),
        Err(AppError::Invalid(e)) => {
            let lines = error_lines(&e, ctx.t());
            render_invalid(&view_page(&state, &ctx, id, f, None, lines).await?)
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConvertForm {
    project_name: String,
    version: i64,
}

async fn convert(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ConvertForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageTargets)?;
    ctx.require(Action::EditProject)?;
    own(&state, &ctx, id).await?;
    let result = async {
        let draft = ProjectForm {
            name: f.project_name.clone(),
            stage: "lead".into(),
            ..Default::default()
        }
        .validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let project = tx.convert_target(ctx.region_id, id, f.version, &draft).await?;
        tx.commit().await?;
        Ok::<_, AppError>(project)
    }
    .await;
    match result {
        Ok(project) => Ok(see_other(&format!("/projects/{project}"))),
        Err(AppError::Invalid(e)) => {
            let lines =
                e.0.iter()
                    .map(|x| {
                        let label = match x.field.as_str() {
                            "name" => ctx.t().s("targets.project_name"),
                            "target" => ctx.t().s("targets.title"),
                            other => other,
                        };
                        format!(
                            "{label}{}{}",
                            ctx.t().lang.pick("：", ": "),
                            x.rule.message(ctx.t().lang)
                        )
                    })
                    .collect();
            render_invalid(&view_page(&state, &ctx, id, ContactForm::default(), Some(f.project_name), lines).await?)
        }
        Err(e) => or_conflict_page(&ctx, e, &serde_json::json!({}), &format!("/targets/{id}")),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/targets", Access::CountyReaders, list)
        .get("/targets/new", Access::Office, new_form)
        .post("/targets", Access::Office, create)
        .get("/targets/{id}", Access::CountyReaders, view)
        .get("/targets/{id}/edit", Access::Office, edit_form)
        .post("/targets/{id}", Access::Office, update)
        .post("/targets/{id}/contacts", Access::Office, add_contact)
        .post("/targets/{id}/convert", Access::Office, convert)
}
