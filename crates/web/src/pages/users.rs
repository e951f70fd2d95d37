//! User accounts (the office only).

use super::forms::{Opt, References, coded, options};
use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::app::AppState;
use crate::auth;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::org::{Role, UserForm};
use chainforce_domain::permission::Action;
use chainforce_storage::users::User;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    chrome: Chrome,
    users: Vec<User>,
    unit_names: std::collections::HashMap<i64, String>,
    enterprise_names: std::collections::HashMap<i64, String>,
}

impl ListPage {
    fn link_of(&self, u: &User) -> String {
        u.unit_id
            .and_then(|id| self.unit_names.get(&id).cloned())
            .or_else(|| u.enterprise_id.and_then(|id| self.enterprise_names.get(&id).cloned()))
            .unwrap_or_default()
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let store = state.store();
    let users = store.users(ctx.region_id).await?;
    let unit_names = store
        .units(ctx.region_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let enterprise_names = store
        .enterprises(ctx.region_id)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    render(&ListPage {
        chrome: Chrome::new(&ctx, "users", ctx.t().s("nav.users")),
        users,
        unit_names,
        enterprise_names,
    })
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct FormPage {
    chrome: Chrome,
    f: UserForm,
    errors: FormErrors,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    enterprises: Vec<Opt>,
    action: String,
    version: i64,
    active: bool,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    f: UserForm,
    errors: FormErrors,
    action: String,
    version: i64,
    active: bool,
) -> AppResult<FormPage> {
    let t = ctx.t();
    let refs = References::load(state, ctx.region_id, t).await?;
    Ok(FormPage {
        chrome: Chrome::new(ctx, "users", t.s("nav.users")),
        roles: coded(Role::ALL, Role::code, |r| r.label(t.lang), &f.role, None),
        units: options(refs.units, &f.unit_id, Some(t.s("filter.none"))),
        enterprises: options(refs.enterprises, &f.enterprise_id, Some(t.s("filter.none"))),
        f,
        errors,
        action,
        version,
        active,
    })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let f = UserForm {
        role: "unit".into(),
        ..Default::default()
    };
    render(&form_page(&state, &ctx, f, FormErrors::none(), "/users".into(), 0, true).await?)
}

#[derive(Deserialize)]
struct Submitted {
    #[serde(flatten)]
    f: UserForm,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    active: String,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(s): Form<Submitted>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let result = async {
        let d = s.f.validate(true)?;
        let hash = auth::hash_password_async(d.password.clone().unwrap_or_default()).await;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.create_user(ctx.region_id, &d, &hash).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/users")),
        Err(AppError::Invalid(e)) => {
            render_invalid(&form_page(&state, &ctx, s.f, FormErrors::new(e, ctx.t()), "/users".into(), 0, true).await?)
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageReference)?;
    let u = state.store().user(id).await?;
    if u.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    let f = UserForm {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.code().into(),
        unit_id: u.unit_id.map(|i| i.to_string()).unwrap_or_default(),
        enterprise_id: u.enterprise_id.map(|i| i.to_string()).unwrap_or_default(),
        password: String::new(),
    };
    render(
        &form_page(
            &state,
            &ctx,
            f,
            FormErrors::none(),
            format!("/users/{id}"),
            u.version,
            u.active,
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
    ctx.require(Action::ManageReference)?;
    let u = state.store().user(id).await?;
    if u.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    let active = !s.active.is_empty();
    let action = format!("/users/{id}");
    let result = async {
        let d = s.f.validate(false)?;
        if ctx.user()?.id == id && (!active || d.role != Role::Admin) {
            // The office cannot lock itself out by demoting or disabling its own account.
            return Err(AppError::bad_request(
                "不能停用自己的账号或取消自己的办公室角色",
                "you cannot disable your own account or drop your own office role",
            ));
        }
        let hash = match &d.password {
            Some(p) => Some(auth::hash_password_async(p.clone()).await),
            None => None,
        };
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_user(id, s.version, &d, active, hash.as_deref()).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/users")),
        Err(AppError::Invalid(e)) => render_invalid(
            &form_page(
                &state,
                &ctx,
                s.f,
                FormErrors::new(e, ctx.t()),
                action,
                s.version,
                active,
            )
            .await?,
        ),
        Err(e) => {
            let mut shown = s.f.clone();
            shown.password.clear();
            or_conflict_page(&ctx, e, &shown, &format!("/users/{id}/edit"))
        }
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/users", Access::Office, list)
        .get("/users/new", Access::Office, new_form)
        .post("/users", Access::Office, create)
        .get("/users/{id}/edit", Access::Office, edit_form)
        .post("/users/{id}", Access::Office, update)
}
