//! Methods (评价办法 / 排名办法): every stored version with its content hash, the shipped ones,
//! and the office's JSON editor — a save that changes anything is a new version, and a method
//! that does not hold is refused with the path of each entry at fault.

use super::{Tab, short_hash, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainforce_domain::permission::Action;
use chainforce_domain::permu::{built_in_method, built_in_methods};
use chainforce_domain::ranking::{default_method, default_method_json};
use chainforce_storage::heroes::{HeroMethod, MethodKind};
use serde::Deserialize;

/// A shipped method, listed until the county stores its own version of it.
struct Shipped {
    kind: MethodKind,
    code: String,
    name: String,
    hash: String,
}

fn shipped() -> Vec<Shipped> {
    let mut out: Vec<Shipped> = built_in_methods()
        .into_iter()
        .map(|m| Shipped {
            kind: MethodKind::Evaluation,
            hash: m.content_hash(),
            code: m.id,
            name: m.name,
        })
        .collect();
    let r = default_method();
    out.push(Shipped {
        kind: MethodKind::Ranking,
        hash: r.content_hash(),
        code: r.id,
        name: r.name,
    });
    out
}

/// The shipped method's JSON, pretty, for viewing and as the editor's starting point.
fn shipped_json(kind: MethodKind, code: &str) -> Option<String> {
    match kind {
        MethodKind::Ranking if code == default_method().id => Some(default_method_json().to_string()),
        MethodKind::Ranking => None,
        MethodKind::Evaluation => {
            built_in_method(code).map(|m| serde_json::to_string_pretty(&m).expect("a shipped method serialises"))
        }
    }
}

#[derive(Template)]
#[template(path = "heroes_methods.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    stored: Vec<HeroMethod>,
    shipped: Vec<Shipped>,
    can_edit: bool,
}

impl ListPage {
    fn kind_label(&self, k: &MethodKind) -> &'static str {
        k.label(self.chrome.t.lang)
    }
    fn short(&self, h: &str) -> String {
        short_hash(h).to_string()
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluations)?;
    let stored = state.store().hero_methods(ctx.region_id, None).await?;
    let shipped = shipped()
        .into_iter()
        .filter(|s| !stored.iter().any(|m| m.kind == s.kind && m.code == s.code))
        .collect();
    render(&ListPage {
        chrome: Chrome::new(&ctx, "heroes", ctx.t().s("heroes.methods.title")),
        tabs: tabs(&ctx, "methods"),
        stored,
        shipped,
        can_edit: ctx.can(Action::ManageHeroes),
    })
}

#[derive(Template)]
#[template(path = "heroes_method.html")]
struct ViewPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    kind: MethodKind,
    title: String,
    hash: String,
    json: String,
    edit_href: String,
    can_edit: bool,
}

impl ViewPage {
    fn kind_label(&self, k: &MethodKind) -> &'static str {
        k.label(self.chrome.t.lang)
    }
}

async fn view(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluations)?;
    let (m, json) = state.store().hero_method(id).await?;
    if m.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    render(&ViewPage {
        chrome: Chrome::new(&ctx, "heroes", format!("{} v{}", m.code, m.version_no)),
        tabs: tabs(&ctx, "methods"),
        kind: m.kind,
        title: m.name,
        hash: m.content_hash,
        json,
        edit_href: format!("/heroes/methods/new?from={id}"),
        can_edit: ctx.can(Action::ManageHeroes),
    })
}

async fn view_shipped(ctx: Ctx, Path((kind, code)): Path<(String, String)>) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluations)?;
    let kind = MethodKind::parse(&kind).ok_or(AppError::NotFound)?;
    let json = shipped_json(kind, &code).ok_or(AppError::NotFound)?;
    let s = shipped()
        .into_iter()
        .find(|s| s.kind == kind && s.code == code)
        .ok_or(AppError::NotFound)?;
    render(&ViewPage {
        chrome: Chrome::new(
            &ctx,
            "heroes",
            format!("{} · {}", s.code, ctx.t().s("heroes.method.builtin")),
        ),
        tabs: tabs(&ctx, "methods"),
        kind,
        title: s.name,
        hash: s.hash,
        json,
        edit_href: format!("/heroes/methods/new?kind={}&builtin={code}", kind.code()),
        can_edit: ctx.can(Action::ManageHeroes),
    })
}

#[derive(Template)]
#[template(path = "heroes_method_form.html")]
struct FormPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    kind: String,
    kind_label: &'static str,
    json: String,
    errors: Vec<String>,
}

fn form_page(ctx: &Ctx, kind: MethodKind, json: String, errors: Vec<String>) -> FormPage {
    let t = ctx.t();
    FormPage {
        chrome: Chrome::new(ctx, "heroes", t.s("heroes.methods.edit")),
        tabs: tabs(ctx, "methods"),
        kind: kind.code().into(),
        kind_label: kind.label(t.lang),
        json,
        errors,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    kind: String,
    from: String,
    builtin: String,
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    ctx.require(Action::ManageHeroes)?;
    let (kind, json) = match q.from.trim().parse::<i64>() {
        Ok(id) => {
            let (m, json) = state.store().hero_method(id).await?;
            if m.region_id != ctx.region_id {
                return Err(AppError::NotFound);
            }
            (m.kind, json)
        }
        Err(_) => {
            let kind = MethodKind::parse(q.kind.trim()).unwrap_or(MethodKind::Evaluation);
            let code = if q.builtin.is_empty() {
                match kind {
                    MethodKind::Evaluation => "huangyan-2022".to_string(),
                    MethodKind::Ranking => default_method().id,
                }
            } else {
                q.builtin.clone()
            };
            (kind, shipped_json(kind, &code).ok_or(AppError::NotFound)?)
        }
    };
    render(&form_page(&ctx, kind, json, Vec::new()))
}

#[derive(Debug, Deserialize)]
struct Submitted {
    kind: String,
    json: String,
}

async fn save(State(state): State<AppState>, ctx: Ctx, Form(f): Form<Submitted>) -> AppResult<Response> {
    ctx.require(Action::ManageHeroes)?;
    let t = ctx.t();
    let kind = MethodKind::field("kind", &f.kind)?;
    let result = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let saved = match kind {
            MethodKind::Evaluation => tx.save_evaluation_method(ctx.region_id, &f.json).await?,
            MethodKind::Ranking => tx.save_ranking_method(ctx.region_id, &f.json).await?,
        };
        tx.commit().await?;
        Ok::<_, AppError>(saved)
    }
    .await;
    match result {
        Ok(saved) => Ok(see_other(&format!("/heroes/methods/{}", saved.id))),
        Err(AppError::Invalid(e)) => {
            // The field of a method error is a JSON path (`groups[0].indicators[2].weight`): shown
            // as it is, so the administrator finds the entry.
            let lines =
                e.0.iter()
                    .map(|x| format!("{}{}{}", x.field, t.lang.pick("：", ": "), x.rule.message(t.lang)))
                    .collect();
            render_invalid(&form_page(&ctx, kind, f.json, lines))
        }
        Err(e) => Err(e),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/heroes/methods", Access::LeadersAndOffice, list)
        .get("/heroes/methods/new", Access::Office, new_form)
        .post("/heroes/methods", Access::Office, save)
        .get(
            "/heroes/methods/builtin/{kind}/{code}",
            Access::LeadersAndOffice,
            view_shipped,
        )
        .get("/heroes/methods/{id}", Access::LeadersAndOffice, view)
}
