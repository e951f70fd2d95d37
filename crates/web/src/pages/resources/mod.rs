//! 好资源配给好东家 (issue 9): the resource ledger (摸清家底), allocation rounds with their
//! applications and decisions, the expert panel's reviews (专家组) and the commitments given for
//! ore (用好资源换好产业).
//!
//! Who sees what (one rule, `chainforce_domain::permission`): county readers (leaders, the office,
//! units, viewers) read the ledger, the rounds, the decisions and the commitments; only the office
//! records deposits, runs rounds, enters applications — on behalf of the enterprise, from its
//! signed application — asks a panel and records progress; an expert sees only the rounds they
//! were asked to review, and scores, gives an opinion or declares a conflict there.

pub(crate) mod commitments;
pub(crate) mod export;
mod plan_reviews;
mod reviews;
mod rounds;

use super::forms::{Opt, coded};
use super::{Chrome, FormErrors, group_thousands, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::download;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::allocation::{
    DepositForm, EstimateCategory, LedgerTotal, OreType, ViolationForm, ViolationKind,
};
use chainforce_domain::chain::Quantity;
use chainforce_domain::permission::Action;
use chainforce_storage::resources::StoredViolation;
use serde::Deserialize;

pub fn routes(t: RouteTable) -> RouteTable {
    let t = t
        .get("/resources", Access::CountyReaders, ledger)
        .get("/resources/ledger.xlsx", Access::CountyReaders, ledger_xlsx)
        .get("/resources/deposits/new", Access::Office, new_deposit)
        .post("/resources/deposits", Access::Office, create_deposit)
        .get("/resources/deposits/{id}/edit", Access::Office, edit_deposit)
        .post("/resources/deposits/{id}", Access::Office, update_deposit)
        .get("/resources/violations", Access::CountyReaders, violations)
        .post("/resources/violations", Access::Office, create_violation)
        .post("/resources/violations/{id}/close", Access::Office, close_violation);
    let t = rounds::routes(t);
    let t = reviews::routes(t);
    let t = plan_reviews::routes(t);
    commitments::routes(t)
}

/// One tab of the resource pages.
pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub fn tabs(ctx: &Ctx, active: &str) -> Vec<Tab> {
    let t = ctx.t();
    let mut all = Vec::new();
    if ctx.can(Action::ReadResources) {
        all.push(("ledger", "/resources", "resources.tab.ledger"));
        all.push(("rounds", "/resources/rounds", "resources.tab.rounds"));
        all.push(("commitments", "/resources/commitments", "resources.tab.commitments"));
        all.push(("violations", "/resources/violations", "resources.tab.violations"));
    }
    if ctx.can(Action::ManageResources) {
        all.push(("plan_reviews", "/resources/plan-reviews", "resources.tab.plan_reviews"));
    }
    if ctx.can(Action::ReviewApplication { assigned: true }) {
        all.push(("reviews", "/resources/reviews", "resources.tab.reviews"));
    }
    all.into_iter()
        .map(|(key, href, label)| Tab {
            href,
            label: t.s(label),
            active: key == active,
        })
        .collect()
}

/// A figure with its unit, thousands grouped: "865,550 吨碳酸锂当量(LCE)".
pub fn qty(q: &Quantity, t: Tr) -> String {
    format!("{} {}", group_thousands(&q.value.to_string()), q.unit.label(t.lang))
}

pub fn opt_qty(q: &Option<Quantity>, t: Tr) -> String {
    q.as_ref().map(|q| qty(q, t)).unwrap_or_else(|| "—".into())
}

/// One row of the ledger as shown.
pub struct LedgerRow {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub ore_type: &'static str,
    pub category: &'static str,
    pub ore: String,
    pub grade: String,
    pub li2o: String,
    pub contained_lce: String,
    pub recoverable_lce: String,
    pub annual_lce: String,
}

pub struct TotalRow {
    pub label: String,
    pub deposits: usize,
    pub ore: String,
    pub li2o: String,
    pub contained_lce: String,
    pub recoverable_lce: String,
    pub annual_lce: String,
}

fn total_row(label: String, total: &LedgerTotal, t: Tr) -> TotalRow {
    TotalRow {
        label,
        deposits: total.deposits,
        ore: qty(&total.ore, t),
        li2o: qty(&total.li2o, t),
        contained_lce: qty(&total.contained_lce, t),
        recoverable_lce: qty(&total.recoverable_lce, t),
        annual_lce: qty(&total.annual_lce, t),
    }
}

#[derive(Template)]
#[template(path = "resources_ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<LedgerRow>,
    by_type: Vec<TotalRow>,
    by_place: Vec<TotalRow>,
    total: TotalRow,
    notes: Vec<String>,
    can_edit: bool,
}

async fn ledger(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let t = ctx.t();
    let l = state.store().resource_ledger(ctx.region_id).await?;
    let rows = l
        .deposits
        .iter()
        .map(|d| LedgerRow {
            id: d.id,
            name: d.name.clone(),
            place: d.place.clone(),
            ore_type: d.ore_type.label(t.lang),
            category: d.category.label(t.lang),
            ore: opt_qty(&d.ore, t),
            grade: d.grade.map(|g| format!("{}%", g.value)).unwrap_or_else(|| "—".into()),
            li2o: qty(&d.li2o, t),
            contained_lce: qty(&d.contained_lce, t),
            recoverable_lce: qty(&d.recoverable_lce, t),
            annual_lce: opt_qty(&d.annual_lce, t),
        })
        .collect();
    let by_type = l
        .by_ore_type
        .iter()
        .map(|x| {
            let label = OreType::parse(&x.key).map_or(x.key.clone(), |o| o.label(t.lang).to_string());
            total_row(label, x, t)
        })
        .collect();
    let by_place = l.by_place.iter().map(|x| total_row(x.key.clone(), x, t)).collect();
    render(&LedgerPage {
        chrome: Chrome::new(&ctx, "resources", t.s("resources.ledger.title")),
        tabs: tabs(&ctx, "ledger"),
        rows,
        by_type,
        by_place,
        total: total_row(t.s("resources.total").into(), &l.total, t),
        notes: l.notes.iter().map(|n| n.text(t.lang).to_string()).collect(),
        can_edit: ctx.can(Action::ManageResources),
    })
}

async fn ledger_xlsx(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let t = ctx.t();
    let l = state.store().resource_ledger(ctx.region_id).await?;
    let table = export::ledger(&l, t);
    download::xlsx(&table, &format!("{}.xlsx", t.s("resources.ledger.title")))
}

#[derive(Template)]
#[template(path = "resources_deposit_form.html")]
struct DepositPage {
    chrome: Chrome,
    f: DepositForm,
    errors: FormErrors,
    action: String,
    version: i64,
    ore_types: Vec<Opt>,
    categories: Vec<Opt>,
}

fn deposit_page(ctx: &Ctx, f: DepositForm, errors: FormErrors, action: String, version: i64) -> DepositPage {
    let t = ctx.t();
    DepositPage {
        chrome: Chrome::new(ctx, "resources", t.s("resources.deposit.title")),
        ore_types: coded(OreType::ALL, OreType::code, |o| o.label(t.lang), &f.ore_type, None),
        categories: coded(
            EstimateCategory::ALL,
            EstimateCategory::code,
            |c| c.label(t.lang),
            &f.category,
            None,
        ),
        f,
        errors,
        action,
        version,
    }
}

async fn new_deposit(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let f = DepositForm {
        ore_type: OreType::Lepidolite.code().into(),
        category: EstimateCategory::Indicated.code().into(),
        ..Default::default()
    };
    render(&deposit_page(
        &ctx,
        f,
        FormErrors::none(),
        "/resources/deposits".into(),
        0,
    ))
}

#[derive(Deserialize, serde::Serialize)]
struct DepositSubmitted {
    #[serde(flatten)]
    f: DepositForm,
    #[serde(default)]
    version: i64,
}

async fn create_deposit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(s): Form<DepositSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let result = async {
        let d = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.create_deposit(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/resources")),
        Err(AppError::Invalid(e)) => render_invalid(&deposit_page(
            &ctx,
            s.f,
            FormErrors::new(e, ctx.t()),
            "/resources/deposits".into(),
            0,
        )),
        Err(e) => Err(e),
    }
}

async fn own_deposit(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<chainforce_storage::resources::StoredDeposit> {
    let d = state.store().deposit(id).await?;
    if d.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(d)
}

async fn edit_deposit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let d = own_deposit(&state, &ctx, id).await?;
    render(&deposit_page(
        &ctx,
        DepositForm::from_deposit(&d.deposit),
        FormErrors::none(),
        format!("/resources/deposits/{id}"),
        d.version,
    ))
}

async fn update_deposit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<DepositSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    own_deposit(&state, &ctx, id).await?;
    let result = async {
        let d = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_deposit(id, &d, s.version).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/resources")),
        Err(AppError::Invalid(e)) => render_invalid(&deposit_page(
            &ctx,
            s.f,
            FormErrors::new(e, ctx.t()),
            format!("/resources/deposits/{id}"),
            s.version,
        )),
        Err(e) => super::or_conflict_page(&ctx, e, &s.f, &format!("/resources/deposits/{id}/edit")),
    }
}

pub struct ViolationRow {
    pub id: i64,
    pub enterprise: String,
    pub kind: &'static str,
    pub summary: String,
    pub opened_on: String,
    pub closed_on: String,
    pub open: bool,
    pub version: i64,
}

#[derive(Template)]
#[template(path = "resources_violations.html")]
struct ViolationsPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<ViolationRow>,
    f: ViolationForm,
    errors: FormErrors,
    enterprises: Vec<Opt>,
    kinds: Vec<Opt>,
    can_edit: bool,
    today: String,
}

async fn violations_page(
    state: &AppState,
    ctx: &Ctx,
    f: ViolationForm,
    errors: FormErrors,
) -> AppResult<ViolationsPage> {
    let t = ctx.t();
    let list: Vec<StoredViolation> = state.store().violations(ctx.region_id).await?;
    let today = chainforce_storage::clock::today();
    let enterprises = state.store().enterprises(ctx.region_id).await?;
    Ok(ViolationsPage {
        chrome: Chrome::new(ctx, "resources", t.s("resources.violations.title")),
        tabs: tabs(ctx, "violations"),
        rows: list
            .into_iter()
            .map(|v| ViolationRow {
                id: v.id,
                enterprise: v.enterprise_name,
                kind: v.violation.kind.label(t.lang),
                open: v.violation.is_open_on(today),
                summary: v.violation.summary,
                opened_on: v.violation.opened_on.to_string(),
                closed_on: super::opt_date(&v.violation.closed_on),
                version: v.version,
            })
            .collect(),
        enterprises: super::forms::options(
            enterprises.into_iter().map(|e| (e.id.to_string(), e.name)),
            &f.enterprise_id,
            Some(""),
        ),
        kinds: coded(
            ViolationKind::ALL,
            ViolationKind::code,
            |k| k.label(t.lang),
            &f.kind,
            None,
        ),
        f,
        errors,
        can_edit: ctx.can(Action::ManageResources),
        today: today.to_string(),
    })
}

async fn violations(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let f = ViolationForm {
        kind: ViolationKind::Environment.code().into(),
        ..Default::default()
    };
    render(&violations_page(&state, &ctx, f, FormErrors::none()).await?)
}

async fn create_violation(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ViolationForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let result = async {
        let (enterprise_id, v) = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.record_violation(ctx.region_id, enterprise_id, &v).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/resources/violations")),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::new(e, ctx.t());
            render_invalid(&violations_page(&state, &ctx, f, errors).await?)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    closed_on: String,
    version: i64,
}

async fn close_violation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    if !state
        .store()
        .violations(ctx.region_id)
        .await?
        .iter()
        .any(|v| v.id == id)
    {
        return Err(AppError::NotFound);
    }
    let closed_on = chainforce_domain::validation::optional_date("closed_on", &f.closed_on)?
        .ok_or_else(|| chainforce_domain::ValidationErrors::single("closed_on", chainforce_domain::Rule::Required))?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.close_violation(id, closed_on, f.version).await?;
    tx.commit().await?;
    Ok(see_other("/resources/violations"))
}
