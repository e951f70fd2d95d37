//! Units (单位): the list and the office's form.

use super::forms::{Opt, coded};
use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::org::{UnitForm, UnitKind};
use chainforce_domain::permission::Action;
use chainforce_storage::units::Unit;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "units.html")]
struct ListPage {
    chrome: Chrome,
    units: Vec<Unit>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let units = state.store().units(ctx.region_id).await?;
    render(&ListPage {
        chrome: Chrome::new(&ctx, "units", ctx.t().s("nav.units")),
        units,
    })
}

#[derive(Template)]
#[template(path = "unit_form.html")]
struct FormPage {
    chrome: Chrome,
    f: UnitForm,
    errors: FormErrors,
    kinds: Vec<Opt>,
    action: String,
    version: i64,
}

fn form_page(ctx: &Ctx, f: UnitForm, errors: FormErrors, action: String, version: i64) -> FormPage {
    let t = ctx.t();
    FormPage {
        chrome: Chrome::new(ctx, "units", t.s("nav.units")),
        kinds: coded(UnitKind::ALL, UnitKind::code, |k| k.label(t.lang), &f.kind, None),
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
        UnitForm {
            kind: "department".into(),
            ..Default::default()
        },
        FormErrors::none(),
        "/units".into(),
        0,
    ))
}

#[derive(Deserialize)]
struct Submitted {
    #[serde(flatten)]
    f: UnitForm,
    #[serde(default)]
    version: i64,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(s): Form<Submitted>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let result = async {
        let d = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.create_unit(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/units")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&form_page(&ctx, s.f, FormErrors::new(e, ctx.t()), "/units".into(), 0))
        }
        Err(e) => Err(e),
    }
}

async fn own_unit(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Unit> {
    let u = state.store().unit(id).await?;
    if u.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(u)
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let u = own_unit(&state, &ctx, id).await?;
    let f = UnitForm {
        name: u.name.clone(),
        kind: u.kind.code().into(),
        contact_person: u.contact_person.clone().unwrap_or_default(),
        phone: u.phone.clone().unwrap_or_default(),
    };
    render(&form_page(
        &ctx,
        f,
        FormErrors::none(),
        format!("/units/{id}"),
        u.version,
    ))
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<Submitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    own_unit(&state, &ctx, id).await?;
    let action = format!("/units/{id}");
    let result = async {
        let d = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_unit(id, s.version, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/units")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&form_page(&ctx, s.f, FormErrors::new(e, ctx.t()), action, s.version))
        }
        Err(e) => or_conflict_page(&ctx, e, &s.f, &format!("/units/{id}/edit")),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/units", Access::CountyReaders, list)
        .get("/units/new", Access::Office, new_form)
        .post("/units", Access::Office, create)
        .get("/units/{id}/edit", Access::Office, edit_form)
        .post("/units/{id}", Access::Office, update)
}
