//! Allocation rounds: the list, the round form (draft only), the round page with its
//! applications, panel, decision preview and — once published — the decision with why, rule by
//! rule; the application form the office fills in on the enterprise's behalf.

use super::{Tab, export, qty, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::download;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::pages::forms::{Opt, coded, options};
use crate::pages::{Chrome, FormErrors, group_thousands, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::allocation::{
    AllocationMethod, ApplicationForm, Decision, PanelResult, ProRataBasis, QuotaUnit, RoundForm, RoundOutcome,
    RoundState,
};
use chainforce_domain::chain::Chain;
use chainforce_domain::permission::Action;
use chainforce_storage::clock;
use chainforce_storage::resources::{RoundDetail, StoredApplication};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/resources/rounds", Access::CountyReaders, list)
        .get("/resources/rounds/new", Access::Office, new_form)
        .post("/resources/rounds", Access::Office, create)
        .get("/resources/rounds/{id}", Access::CountyReaders, show)
        .get("/resources/rounds/{id}/edit", Access::Office, edit_form)
        .post("/resources/rounds/{id}", Access::Office, update)
        .post("/resources/rounds/{id}/state", Access::Office, set_state)
        .post("/resources/rounds/{id}/publish", Access::Office, publish)
        .post("/resources/rounds/{id}/panel", Access::Office, set_panel)
        .get(
            "/resources/rounds/{id}/applications/new",
            Access::Office,
            new_application,
        )
        .post(
            "/resources/rounds/{id}/applications",
            Access::Office,
            create_application,
        )
        .get(
            "/resources/rounds/{id}/applications/{app}/edit",
            Access::Office,
            edit_application,
        )
        .post(
            "/resources/rounds/{id}/applications/{app}",
            Access::Office,
            update_application,
        )
        .get(
            "/resources/rounds/{id}/decisions.xlsx",
            Access::CountyReaders,
            decisions_xlsx,
        )
        .get(
            "/resources/rounds/{id}/reviews.xlsx",
            Access::CountyReaders,
            reviews_xlsx,
        )
}

pub struct RoundRow {
    pub id: i64,
    pub name: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub quota: String,
    pub applications: i64,
    pub decided_on: String,
}

#[derive(Template)]
#[template(path = "resources_rounds.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<RoundRow>,
    can_edit: bool,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let t = ctx.t();
    let rounds = state.store().rounds(ctx.region_id).await?;
    render(&ListPage {
        chrome: Chrome::new(&ctx, "resources", t.s("resources.rounds.title")),
        tabs: tabs(&ctx, "rounds"),
        rows: rounds
            .into_iter()
            .map(|r| RoundRow {
                id: r.id,
                name: r.name,
                state: r.state.label(t.lang),
                state_code: r.state.code(),
                quota: qty(&r.quota, t),
                applications: r.applications,
                decided_on: crate::pages::opt_date(&r.decided_on),
            })
            .collect(),
        can_edit: ctx.can(Action::ManageResources),
    })
}

#[derive(Template)]
#[template(path = "resources_round_form.html")]
struct FormPage {
    chrome: Chrome,
    f: RoundForm,
    errors: FormErrors,
    action: String,
    version: i64,
    units: Vec<Opt>,
    deposits_1: Vec<Opt>,
    deposits_2: Vec<Opt>,
    deposits_3: Vec<Opt>,
    methods: Vec<Opt>,
    bases: Vec<Opt>,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    f: RoundForm,
    errors: FormErrors,
    action: String,
    version: i64,
) -> AppResult<FormPage> {
    let t = ctx.t();
    let deposits: Vec<(String, String)> = state
        .store()
        .deposits(ctx.region_id)
        .await?
        .into_iter()
        .map(|d| {
            (
                d.deposit.id.to_string(),
                format!("{}（{}）", d.deposit.name, d.deposit.place),
            )
        })
        .collect();
    let methods = vec![
        ("rank_order".to_string(), t.s("resources.method.rank_order").to_string()),
        ("pro_rata".to_string(), t.s("resources.method.pro_rata").to_string()),
    ];
    Ok(FormPage {
        chrome: Chrome::new(ctx, "resources", t.s("resources.round.form_title")),
        units: coded(
            QuotaUnit::ALL,
            QuotaUnit::code,
            |u| u.label(t.lang),
            &f.quota_unit,
            None,
        ),
        deposits_1: options(deposits.clone(), &f.deposit_1, Some("")),
        deposits_2: options(deposits.clone(), &f.deposit_2, Some("")),
        deposits_3: options(deposits, &f.deposit_3, Some("")),
        methods: options(methods, &f.method, None),
        bases: coded(
            ProRataBasis::ALL,
            ProRataBasis::code,
            |b| b.label(t.lang),
            &f.pro_rata_basis,
            None,
        ),
        f,
        errors,
        action,
        version,
    })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    render(
        &form_page(
            &state,
            &ctx,
            RoundForm::defaults(),
            FormErrors::none(),
            "/resources/rounds".into(),
            0,
        )
        .await?,
    )
}

#[derive(Deserialize, serde::Serialize)]
struct Submitted {
    #[serde(flatten)]
    f: RoundForm,
    #[serde(default)]
    version: i64,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(s): Form<Submitted>) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let result = async {
        let d =
            s.f.validate(&state.store().allocation_chain(ctx.region_id).await?.chain)?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let id = tx.create_round(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/resources/rounds/{id}"))),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::new(e, ctx.t());
            render_invalid(&form_page(&state, &ctx, s.f, errors, "/resources/rounds".into(), 0).await?)
        }
        Err(e) => Err(e),
    }
}

/// The refusal of a change to a published round, saying which round and since when.
pub fn frozen(r: &RoundDetail) -> AppError {
    AppError::Frozen {
        reason: r.summary.frozen_reason().map(|e| (e.zh, e.en)),
    }
}

async fn own_round(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<RoundDetail> {
    let r = state.store().round(id).await?;
    if r.summary.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

fn form_of(r: &RoundDetail) -> RoundForm {
    let src = |i: usize| {
        r.sources
            .get(i)
            .map(|s| (s.deposit_id.to_string(), s.amount.to_string()))
            .unwrap_or_default()
    };
    let ((d1, a1), (d2, a2), (d3, a3)) = (src(0), src(1), src(2));
    let (method, basis, minimum) = match &r.rules.method {
        AllocationMethod::RankOrder => ("rank_order", ProRataBasis::Requested.code(), String::new()),
        AllocationMethod::ProRata { basis, minimum } => ("pro_rata", basis.code(), minimum.to_string()),
    };
    RoundForm {
        name: r.summary.name.clone(),
        quota_unit: r.summary.quota_unit.code().into(),
        capacity_unit: r.summary.capacity_unit.clone(),
        deposit_1: d1,
        amount_1: a1,
        deposit_2: d2,
        amount_2: a2,
        deposit_3: d3,
        amount_3: a3,
        method: method.into(),
        pro_rata_basis: basis.into(),
        pro_rata_minimum: minimum,
        rules_json: serde_json::to_string_pretty(&r.rules).unwrap_or_default(),
        criteria_json: serde_json::to_string_pretty(&r.criteria).unwrap_or_default(),
    }
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let r = own_round(&state, &ctx, id).await?;
    if r.summary.state.is_frozen() {
        return Err(frozen(&r));
    }
    let action = format!("/resources/rounds/{id}");
    render(&form_page(&state, &ctx, form_of(&r), FormErrors::none(), action, r.summary.version).await?)
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<Submitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    own_round(&state, &ctx, id).await?;
    let result = async {
        let d =
            s.f.validate(&state.store().allocation_chain(ctx.region_id).await?.chain)?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_round(id, &d, s.version).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/resources/rounds/{id}"))),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::new(e, ctx.t());
            let action = format!("/resources/rounds/{id}");
            render_invalid(&form_page(&state, &ctx, s.f, errors, action, s.version).await?)
        }
        Err(e) => crate::pages::or_conflict_page(&ctx, e, &s.f, &format!("/resources/rounds/{id}/edit")),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StateForm {
    to: String,
    version: i64,
}

async fn set_state(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    own_round(&state, &ctx, id).await?;
    let to = RoundState::field("to", &f.to)?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.set_round_state(id, to, f.version).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/resources/rounds/{id}")))
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    own_round(&state, &ctx, id).await?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.publish_round(id, clock::today(), f.version).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/resources/rounds/{id}")))
}

async fn set_panel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    own_round(&state, &ctx, id).await?;
    let mut experts = Vec::new();
    for (k, v) in &fields {
        if k == "expert" {
            let id: i64 = v.trim().parse().map_err(|_| {
                chainforce_domain::ValidationErrors::single("experts", chainforce_domain::Rule::NotANumber)
            })?;
            if !experts.contains(&id) {
                experts.push(id);
            }
        }
    }
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.set_panel(id, &experts).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/resources/rounds/{id}")))
}

/// An application as listed on the round page.
pub struct ApplicationRow {
    pub id: i64,
    pub enterprise: String,
    pub requested: String,
    pub investment: String,
    pub products: String,
    pub capacity: String,
    pub local: String,
    pub start_by: String,
    pub production_by: String,
    pub permu_class: String,
    pub open_violations: usize,
}

/// Product codes as the names of the chain's nodes (a code the chain lacks stays a code).
pub fn product_names(chain: &Chain, codes: &[String], t: Tr) -> String {
    codes
        .iter()
        .map(|c| chain.node(c).map_or(c.clone(), |n| n.label(t.lang).to_string()))
        .collect::<Vec<_>>()
        .join(t.lang.pick("、", ", "))
}

fn application_rows(apps: &[StoredApplication], r: &RoundDetail, chain: &Chain, t: Tr) -> Vec<ApplicationRow> {
    let today = clock::today();
    let unit = r.summary.quota_unit.unit();
    apps.iter()
        .map(|s| {
            let a = &s.application;
            ApplicationRow {
                id: a.id,
                enterprise: a.enterprise_name.clone(),
                requested: qty(&chainforce_domain::chain::Quantity::new(a.requested, unit), t),
                investment: format!("{} 万元", group_thousands(&a.commitment.investment_wan.to_string())),
                products: product_names(chain, &a.commitment.products, t),
                capacity: format!("{} {}", a.commitment.capacity, r.summary.capacity_unit),
                local: format!("{}%", a.commitment.local_processing_pct),
                start_by: a.commitment.start_by.to_string(),
                production_by: a.commitment.production_by.to_string(),
                permu_class: a.profile.permu_class.clone().unwrap_or_else(|| "—".into()),
                open_violations: a.profile.violations.iter().filter(|v| v.is_open_on(today)).count(),
            }
        })
        .collect()
}

pub struct CheckView {
    pub rule: &'static str,
    pub passed: bool,
    pub reason: String,
}

pub struct ScoreView {
    pub criterion: &'static str,
    pub value: String,
    pub normalised: String,
    pub weight: String,
    pub points: String,
    pub note: String,
}

pub struct DecisionView {
    pub application_id: i64,
    pub enterprise: String,
    pub eligible: bool,
    pub rank: String,
    pub total: String,
    pub requested: String,
    pub granted: String,
    pub checks: Vec<CheckView>,
    pub scores: Vec<ScoreView>,
    pub reasons: Vec<String>,
    pub opinions: Vec<String>,
}

pub fn decision_view(d: &Decision, experts: &HashMap<i64, String>, t: Tr) -> DecisionView {
    DecisionView {
        application_id: d.application_id,
        enterprise: d.enterprise_name.clone(),
        eligible: d.eligible,
        rank: d.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
        total: d.total_score.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
        requested: qty(&d.requested, t),
        granted: qty(&d.granted, t),
        checks: d
            .checks
            .iter()
            .map(|c| CheckView {
                rule: c.rule.label(t.lang),
                passed: c.passed,
                reason: c.reason.text(t.lang).to_string(),
            })
            .collect(),
        scores: d
            .scores
            .iter()
            .map(|s| ScoreView {
                criterion: s.criterion.label(t.lang),
                value: s.value.text(t.lang).to_string(),
                normalised: s.normalised.to_string(),
                weight: s.weight.to_string(),
                points: s.points.to_string(),
                note: s.note.as_ref().map(|n| n.text(t.lang).to_string()).unwrap_or_default(),
            })
            .collect(),
        reasons: d.reasons.iter().map(|r| r.text(t.lang).to_string()).collect(),
        opinions: d
            .opinions
            .iter()
            .map(|o| {
                let who = experts
                    .get(&o.expert_id)
                    .cloned()
                    .unwrap_or_else(|| format!("#{}", o.expert_id));
                format!("{who}{}{}", t.lang.pick("：", ": "), o.text)
            })
            .collect(),
    }
}

pub struct OutcomeView {
    pub as_of: String,
    pub quota: String,
    pub granted: String,
    pub unallocated: String,
    pub method: String,
    pub tie_break: String,
    pub decisions: Vec<DecisionView>,
}

pub fn outcome_view(o: &RoundOutcome, experts: &HashMap<i64, String>, t: Tr) -> OutcomeView {
    OutcomeView {
        as_of: o.as_of.to_string(),
        quota: qty(&o.quota, t),
        granted: qty(&o.granted, t),
        unallocated: qty(&o.unallocated, t),
        method: o.method.text(t.lang).to_string(),
        tie_break: o.tie_break.text(t.lang).to_string(),
        decisions: o.decisions.iter().map(|d| decision_view(d, experts, t)).collect(),
    }
}

pub struct PanelView {
    pub enterprise: String,
    pub score: String,
    pub reason: String,
}

fn panel_views(results: &[PanelResult], apps: &[StoredApplication], t: Tr) -> Vec<PanelView> {
    results
        .iter()
        .map(|p| PanelView {
            enterprise: apps
                .iter()
                .find(|a| a.application.id == p.application_id)
                .map(|a| a.application.enterprise_name.clone())
                .unwrap_or_default(),
            score: p.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            reason: p.reason.text(t.lang).to_string(),
        })
        .collect()
}

pub struct ExpertOpt {
    pub id: i64,
    pub name: String,
    pub on_panel: bool,
}

#[derive(Template)]
#[template(path = "resources_round.html")]
struct RoundPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    id: i64,
    version: i64,
    state: &'static str,
    state_code: &'static str,
    quota: String,
    sources: Vec<(String, String)>,
    capacity_unit: String,
    rules_note: String,
    rules_json: String,
    applications: Vec<ApplicationRow>,
    experts: Vec<ExpertOpt>,
    panel: Vec<PanelView>,
    outcome: Option<OutcomeView>,
    outcome_errors: Vec<String>,
    published: bool,
    can_edit: bool,
    is_draft: bool,
    is_open: bool,
    is_closed: bool,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let t = ctx.t();
    let r = own_round(&state, &ctx, id).await?;
    let store = state.store();
    let apps = store.round_applications(id).await?;
    let members = store.panel_members(id).await?;
    let expert_names: HashMap<i64, String> = members.iter().cloned().collect();
    let all_experts: Vec<ExpertOpt> = store
        .users(ctx.region_id)
        .await?
        .into_iter()
        .filter(|u| u.role == chainforce_domain::org::Role::Expert && u.active)
        .map(|u| ExpertOpt {
            on_panel: expert_names.contains_key(&u.id),
            id: u.id,
            name: u.display_name,
        })
        .collect();
    let panel = match store.panel_results(id).await {
        Ok(p) => panel_views(&p, &apps, t),
        Err(_) => Vec::new(),
    };
    let (outcome, outcome_errors) = if r.summary.state == RoundState::Draft {
        (None, Vec::new())
    } else {
        match store.round_outcome(id, clock::today()).await {
            Ok(o) => (Some(outcome_view(&o, &expert_names, t)), Vec::new()),
            Err(chainforce_storage::StoreError::Invalid(e)) => (None, FormErrors::new(e, t).lines()),
            Err(e) => return Err(e.into()),
        }
    };
    let s = &r.summary;
    render(&RoundPage {
        chrome: Chrome::new(&ctx, "resources", s.name.clone()),
        tabs: tabs(&ctx, "rounds"),
        id,
        version: s.version,
        state: s.state.label(t.lang),
        state_code: s.state.code(),
        quota: qty(&s.quota, t),
        sources: r
            .sources
            .iter()
            .map(|x| {
                (
                    x.deposit_name.clone(),
                    qty(
                        &chainforce_domain::chain::Quantity::new(x.amount, s.quota_unit.unit()),
                        t,
                    ),
                )
            })
            .collect(),
        capacity_unit: s.capacity_unit.clone(),
        rules_note: r.rules.note.clone().unwrap_or_default(),
        rules_json: serde_json::to_string_pretty(&r.rules).unwrap_or_default(),
        applications: application_rows(&apps, &r, &store.allocation_chain(ctx.region_id).await?.chain, t),
        experts: all_experts,
        panel,
        outcome,
        outcome_errors,
        published: s.state.is_frozen(),
        can_edit: ctx.can(Action::ManageResources),
        is_draft: s.state == RoundState::Draft,
        is_open: s.state == RoundState::Open,
        is_closed: s.state == RoundState::Closed,
    })
}

#[derive(Template)]
#[template(path = "resources_application_form.html")]
struct ApplicationPage {
    chrome: Chrome,
    round_id: i64,
    round_name: String,
    /// Where the form posts: a new application, or the one edited.
    action: String,
    /// The edited application's enterprise (it does not change) and version.
    editing: Option<(String, i64)>,
    f: ApplicationForm,
    errors: FormErrors,
    enterprises: Vec<Opt>,
    products_hint: String,
    requested_label: String,
    capacity_label: String,
}

/// The application form; `editing` is the stored application being changed, if any.
async fn application_page(
    state: &AppState,
    ctx: &Ctx,
    r: &RoundDetail,
    f: ApplicationForm,
    errors: FormErrors,
    editing: Option<&StoredApplication>,
) -> AppResult<ApplicationPage> {
    let t = ctx.t();
    let enterprises = state.store().enterprises(ctx.region_id).await?;
    let chain = state.store().allocation_chain(ctx.region_id).await?.chain;
    let id = r.summary.id;
    Ok(ApplicationPage {
        chrome: Chrome::new(
            ctx,
            "resources",
            t.s(if editing.is_some() {
                "resources.application.edit"
            } else {
                "resources.application.title"
            }),
        ),
        round_id: id,
        round_name: r.summary.name.clone(),
        action: match editing {
            Some(a) => format!("/resources/rounds/{id}/applications/{}", a.application.id),
            None => format!("/resources/rounds/{id}/applications"),
        },
        editing: editing.map(|a| (a.application.enterprise_name.clone(), a.version)),
        enterprises: options(
            enterprises.into_iter().map(|e| (e.id.to_string(), e.name)),
            &f.enterprise_id,
            Some(""),
        ),
        products_hint: chain
            .nodes()
            .iter()
            .map(|n| format!("{} = {}", n.code, n.label(t.lang)))
            .collect::<Vec<_>>()
            .join("; "),
        requested_label: format!(
            "{}（{}）",
            t.s("resources.field.requested"),
            r.summary.quota_unit.label(t.lang)
        ),
        capacity_label: format!("{}（{}）", t.s("resources.field.capacity"), r.summary.capacity_unit),
        f,
        errors,
    })
}

async fn new_application(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let r = own_round(&state, &ctx, id).await?;
    if r.summary.state.is_frozen() {
        return Err(frozen(&r));
    }
    render(&application_page(&state, &ctx, &r, ApplicationForm::default(), FormErrors::none(), None).await?)
}

async fn create_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ApplicationForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let r = own_round(&state, &ctx, id).await?;
    let result = async {
        let d = f.validate(&state.store().allocation_chain(ctx.region_id).await?.chain)?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.create_application(id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/resources/rounds/{id}"))),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::new(e, ctx.t());
            render_invalid(&application_page(&state, &ctx, &r, f, errors, None).await?)
        }
        Err(e) => Err(e),
    }
}

/// The round's application `app`, or 404.
async fn own_application(state: &AppState, round: i64, app: i64) -> AppResult<StoredApplication> {
    state
        .store()
        .round_applications(round)
        .await?
        .into_iter()
        .find(|a| a.application.id == app)
        .ok_or(AppError::NotFound)
}

async fn edit_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, app)): Path<(i64, i64)>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let r = own_round(&state, &ctx, id).await?;
    if r.summary.state.is_frozen() {
        return Err(frozen(&r));
    }
    let a = own_application(&state, id, app).await?;
    let f = ApplicationForm::from_application(&a.application);
    render(&application_page(&state, &ctx, &r, f, FormErrors::none(), Some(&a)).await?)
}

#[derive(Deserialize, serde::Serialize)]
struct ApplicationSubmitted {
    #[serde(flatten)]
    f: ApplicationForm,
    #[serde(default)]
    version: i64,
}

/// Changes an application while its round takes them; storage refuses a published round (409
/// saying which and since when) and a stale version (409 with both versions).
async fn update_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, app)): Path<(i64, i64)>,
    Form(mut s): Form<ApplicationSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageResources)?;
    let r = own_round(&state, &ctx, id).await?;
    let stored = own_application(&state, id, app).await?;
    // The applicant stays who it was, whatever the form says.
    s.f.enterprise_id = stored.application.enterprise_id.to_string();
    let result = async {
        let d =
            s.f.validate(&state.store().allocation_chain(ctx.region_id).await?.chain)?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_application(app, &d, s.version).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/resources/rounds/{id}"))),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::new(e, ctx.t());
            let mut page = application_page(&state, &ctx, &r, s.f, errors, Some(&stored)).await?;
            // Keep the version the user loaded, so a stale form stays stale.
            page.editing = Some((stored.application.enterprise_name.clone(), s.version));
            render_invalid(&page)
        }
        Err(e) => {
            crate::pages::or_conflict_page(&ctx, e, &s, &format!("/resources/rounds/{id}/applications/{app}/edit"))
        }
    }
}

async fn decisions_xlsx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let t = ctx.t();
    let r = own_round(&state, &ctx, id).await?;
    let outcome = state.store().round_outcome(id, clock::today()).await?;
    let experts: HashMap<i64, String> = state.store().panel_members(id).await?.into_iter().collect();
    let table = export::decisions(&r, &outcome, &experts, t);
    download::xlsx(
        &table,
        &format!("{}-{}.xlsx", r.summary.name, t.s("resources.decisions")),
    )
}

async fn reviews_xlsx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadResources)?;
    let t = ctx.t();
    let r = own_round(&state, &ctx, id).await?;
    let sheets = state.store().panel_sheets(id, None).await?;
    let apps = state.store().round_applications(id).await?;
    let panel = state.store().panel_results(id).await?;
    let table = export::reviews(&r, &sheets, &apps, &panel, t);
    download::xlsx(&table, &format!("{}-{}.xlsx", r.summary.name, t.s("resources.reviews")))
}
