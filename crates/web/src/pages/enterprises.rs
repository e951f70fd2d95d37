//! Enterprises (企业): the list and the office's form.

use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::permission::Action;
use chainforce_storage::enterprises::Enterprise;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "enterprises.html")]
struct ListPage {
    chrome: Chrome,
    enterprises: Vec<Enterprise>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let enterprises = state.store().enterprises(ctx.region_id).await?;
    render(&ListPage {
        chrome: Chrome::new(&ctx, "enterprises", ctx.t().s("nav.enterprises")),
        enterprises,
    })
}

#[derive(Template)]
#[template(path = "enterprise_form.html")]
struct FormPage {
    chrome: Chrome,
    f: EnterpriseForm,
    errors: FormErrors,
    action: String,
    version: i64,
}

fn form_page(ctx: &Ctx, f: EnterpriseForm, errors: FormErrors, action: String, version: i64) -> FormPage {
    FormPage {
        chrome: Chrome::new(ctx, "enterprises", ctx.t().s("nav.enterprises")),
        f,
        errors,
        action,
        version,
    }
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    render(&form_page(
        &ctx,
        EnterpriseForm::default(),
        FormErrors::none(),
        "/enterprises".into(),
        0,
    ))
}

#[derive(Deserialize)]
struct Submitted {
    #[serde(flatten)]
    f: EnterpriseForm,
    #[serde(default)]
    version: i64,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(s): Form<Submitted>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let result = async {
        let d = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.create_enterprise(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/enterprises")),
        Err(AppError::Invalid(e)) => render_invalid(&form_page(
            &ctx,
            s.f,
            FormErrors::new(e, ctx.t()),
            "/enterprises".into(),
            0,
        )),
        Err(e) => Err(e),
    }
}

async fn own(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Enterprise> {
    let e = state.store().enterprise(id).await?;
    if e.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let e = own(&state, &ctx, id).await?;
    let f = EnterpriseForm {
        name: e.name.clone(),
        credit_code: e.credit_code.clone().unwrap_or_default(),
        legal_person: e.legal_person.clone().unwrap_or_default(),
        contact_person: e.contact_person.clone().unwrap_or_default(),
        phone: e.phone.clone().unwrap_or_default(),
        address: e.address.clone().unwrap_or_default(),
        above_scale: if e.above_scale { "1".into() } else { String::new() },
        notes: e.notes.clone().unwrap_or_default(),
    };
    render(&form_page(
        &ctx,
        f,
        FormErrors::none(),
        format!("/enterprises/{id}"),
        e.version,
    ))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<Submitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    own(&state, &ctx, id).await?;
    let action = format!("/enterprises/{id}");
    let result = async {
        let d = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_enterprise(id, s.version, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/enterprises")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&form_page(&ctx, s.f, FormErrors::new(e, ctx.t()), action, s.version))
        }
        Err(e) => or_conflict_page(&ctx, e, &s.f, &format!("/enterprises/{id}/edit")),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/enterprises", Access::CountyReaders, list)
        .get("/enterprises/new", Access::Office, new_form)
        .post("/enterprises", Access::Office, create)
        .get("/enterprises/{id}/edit", Access::Office, edit_form)
        .post("/enterprises/{id}", Access::Office, update)
}
