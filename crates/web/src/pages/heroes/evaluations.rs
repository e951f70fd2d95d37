//! 以亩产论英雄: running the 亩均 evaluation with a chosen method and year, checking the draft
//! (classes, benchmarks, who is T and why), publishing it (frozen from then on), the class
//! distribution, each enterprise's card, and the evaluation as .xlsx.

use super::chart::BarChart;
use super::{Tab, score_cell, score_text, short_hash, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::pages::forms::{Opt, options};
use crate::pages::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chainforce_domain::permission::Action;
use chainforce_domain::permu::{
    COMMITMENT_BEHIND, Class, EnterpriseResult, Evaluation, Indicator, MissingRule, built_in_methods,
};
use chainforce_domain::validation::{Rule, ValidationErrors};
use chainforce_exchange::xlsx_out::{ColumnType, ExportColumn, ExportValue, TableExport};
use chainforce_storage::clock;
use chainforce_storage::heroes::{EvaluationStatus, EvaluationSummary, MethodKind, Reproduction};
use serde::Deserialize;
use std::collections::HashMap;

/// A figure on a card: up to four decimals, trailing zeros dropped.
fn figure(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn class_css(c: Class) -> &'static str {
    match c {
        Class::A => "bar-a",
        Class::B => "bar-b",
        Class::C => "bar-c",
        Class::D => "bar-d",
        Class::T => "bar-t",
    }
}

// ---------------------------------------------------------------------------------------------
// The list and the run form

#[derive(Template)]
#[template(path = "heroes_evaluations.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    evaluations: Vec<EvaluationSummary>,
    years: Vec<Opt>,
    methods: Vec<Opt>,
    can_run: bool,
    errors: FormErrors,
}

impl ListPage {
    fn status_label(&self, s: &EvaluationStatus) -> &'static str {
        s.label(self.chrome.t.lang)
    }
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
struct RunForm {
    year: String,
    method: String,
}

async fn list_page(state: &AppState, ctx: &Ctx, f: &RunForm, errors: FormErrors) -> AppResult<ListPage> {
    let t = ctx.t();
    let store = state.store();
    let years = store.enterprise_year_counts(ctx.region_id).await?;
    let stored = store.hero_methods(ctx.region_id, Some(MethodKind::Evaluation)).await?;
    let mut methods: Vec<(String, String)> = stored
        .iter()
        .map(|m| {
            (
                format!("v:{}", m.id),
                format!("{} v{} · {}", m.code, m.version_no, m.name),
            )
        })
        .collect();
    for b in built_in_methods() {
        if !stored.iter().any(|m| m.code == b.id) {
            methods.push((
                format!("b:{}", b.id),
                format!("{} {} · {}", t.s("heroes.method.builtin"), b.id, b.name),
            ));
        }
    }
    let year_current = if f.year.is_empty() {
        years.first().map(|(y, _)| y.to_string()).unwrap_or_default()
    } else {
        f.year.clone()
    };
    Ok(ListPage {
        chrome: Chrome::new(ctx, "heroes", t.s("heroes.evaluations.title")),
        tabs: tabs(ctx, "evaluations"),
        evaluations: store.evaluations(ctx.region_id).await?,
        years: options(
            years
                .iter()
                .map(|(y, n)| (y.to_string(), format!("{y}（{n} {}）", t.s("heroes.enterprises_unit")))),
            &year_current,
            None,
        ),
        methods: options(methods, &f.method, None),
        can_run: ctx.can(Action::ManageHeroes),
        errors,
    })
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluations)?;
    render(&list_page(&state, &ctx, &RunForm::default(), FormErrors::none()).await?)
}

async fn run(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RunForm>) -> AppResult<Response> {
    ctx.require(Action::ManageHeroes)?;
    let result = async {
        let mut errs = ValidationErrors::new();
        let year = f.year.trim().parse::<i32>().ok();
        if year.is_none() {
            errs.push("year", Rule::Required);
        }
        let method = f.method.trim();
        if method.is_empty() {
            errs.push("method", Rule::Required);
        }
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let year = year.expect("checked above");
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let method_id = match method.split_once(':') {
            Some(("v", id)) => id.parse::<i64>().map_err(|_| unknown_method())?,
            Some(("b", code)) => {
                // A shipped method is stored as a version the first time it is used, in the same
                // action, so the evaluation can cite it.
                let config = built_in_methods()
                    .into_iter()
                    .find(|c| c.id == code)
                    .ok_or_else(unknown_method)?;
                let json = serde_json::to_string(&config).expect("a shipped method serialises");
                tx.save_evaluation_method(ctx.region_id, &json).await?.id
            }
            _ => return Err(unknown_method()),
        };
        let id = tx.run_evaluation(ctx.region_id, year, method_id).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/heroes/evaluations/{id}"))),
        Err(AppError::Invalid(e)) => render_invalid(&list_page(&state, &ctx, &f, FormErrors::new(e, ctx.t())).await?),
        Err(e) => Err(e),
    }
}

fn unknown_method() -> AppError {
    AppError::Invalid(ValidationErrors::single(
        "method",
        Rule::Unknown {
            what: "评价办法 / evaluation method".into(),
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// One evaluation

async fn own(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<EvaluationSummary> {
    let e = state.store().evaluation(id).await?;
    if e.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

struct BoardRow {
    enterprise_id: i64,
    name: String,
    group: &'static str,
    class: Class,
    class_label: &'static str,
    rank: String,
    total: String,
    forced_by: Option<String>,
    /// Points the method deducted for commitments behind (资源配置承诺滞后), as frozen.
    commitment_deduction: Option<String>,
    /// The enterprise's commitments for ore behind schedule today, each with why.
    commitments_behind: Vec<String>,
}

/// The enterprise's commitments for ore behind schedule today, one line each with why: the
/// 亩均 board and card mark the enterprise whatever the method deducts.
async fn commitments_behind(state: &AppState, ctx: &Ctx) -> AppResult<HashMap<i64, Vec<String>>> {
    let t = ctx.t();
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for c in state.store().commitment_alerts(ctx.region_id, clock::today()).await? {
        out.entry(c.enterprise_id)
            .or_default()
            .push(crate::pages::resources::commitments::alert_line(&c, t));
    }
    Ok(out)
}

/// The points a result lost to the commitments deduction item, if the method has one.
fn commitment_deduction(r: &EnterpriseResult) -> Option<String> {
    r.adjustments
        .iter()
        .find(|a| a.code == COMMITMENT_BEHIND)
        .map(|a| score_text(a.points, 2))
}

struct NotRatedRow {
    enterprise_id: i64,
    name: String,
    reasons: Vec<String>,
}

struct BenchmarkRow {
    group: &'static str,
    indicator: &'static str,
    weight: String,
    benchmark: String,
    firms: u32,
    average: String,
}

#[derive(Template)]
#[template(path = "heroes_evaluation.html")]
struct DetailPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    e: EvaluationSummary,
    check: Reproduction,
    chart: BarChart,
    benchmarks: Vec<BenchmarkRow>,
    board: Vec<BoardRow>,
    not_rated: Vec<NotRatedRow>,
    is_draft: bool,
    can_manage: bool,
    can_publish: bool,
}

impl DetailPage {
    fn status_label(&self, s: &EvaluationStatus) -> &'static str {
        s.label(self.chrome.t.lang)
    }
    fn short(&self, h: &str) -> String {
        short_hash(h).to_string()
    }
}

/// The name of an input field a reason names (`land_mu` → 用地面积); an item code of the
/// method (`adjustments.high_tech`) is named as a bonus or deduction item.
pub(super) fn figure_label(field: &str, t: Tr) -> &'static str {
    const KNOWN: &[&str] = &[
        "land_mu",
        "tax",
        "value_added",
        "revenue",
        "energy_tce",
        "emissions_t",
        "employees",
        "rd_spending",
        "electricity_kwh",
        "exemption",
        "group",
        "enterprise_id",
    ];
    match KNOWN.iter().find(|k| **k == field) {
        Some(k) => t.s(&format!("heroes.figure.{k}")),
        None => t.s("heroes.figure.adjustments"),
    }
}

fn reason_lines(r: &EnterpriseResult, t: Tr) -> Vec<String> {
    r.not_rated
        .iter()
        .map(|x| {
            format!(
                "{}{}{}",
                figure_label(&x.field, t),
                t.lang.pick("：", ": "),
                x.text(t.lang)
            )
        })
        .collect()
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluations)?;
    let t = ctx.t();
    let e = own(&state, &ctx, id).await?;
    let store = state.store();
    let result = store.evaluation_result(id).await?;
    let check = store.verify_evaluation(id).await?;
    let chart = BarChart::new(
        t.s("heroes.evaluation.distribution"),
        Class::ALL
            .iter()
            .map(|c| {
                let n = result.distribution.get(c).copied().unwrap_or(0);
                (c.label(t.lang).to_string(), f64::from(n), n.to_string(), class_css(*c))
            })
            .collect(),
        None,
    );
    let decimals = 2;
    let mut behind = commitments_behind(&state, &ctx).await?;
    let board = result
        .board()
        .into_iter()
        .map(|r| BoardRow {
            commitment_deduction: commitment_deduction(r),
            commitments_behind: behind.remove(&r.enterprise_id).unwrap_or_default(),
            enterprise_id: r.enterprise_id,
            name: r.name.clone(),
            group: r.group.label(t.lang),
            class: r.class,
            class_label: r.class.label(t.lang),
            rank: match (r.rank, r.ranked_among) {
                (Some(k), Some(n)) => format!("{k}/{n}"),
                _ => "—".into(),
            },
            total: r.total_score.map(|s| score_text(s, decimals)).unwrap_or_default(),
            forced_by: r.forced_by.clone(),
        })
        .collect();
    let not_rated = result
        .enterprises
        .iter()
        .filter(|r| r.class == Class::T)
        .map(|r| NotRatedRow {
            enterprise_id: r.enterprise_id,
            name: r.name.clone(),
            reasons: reason_lines(r, t),
        })
        .collect();
    let benchmarks = result
        .benchmarks
        .iter()
        .map(|b| BenchmarkRow {
            group: b.group.label(t.lang),
            indicator: b.indicator.label(t.lang),
            weight: figure(b.weight),
            benchmark: match (b.benchmark, b.min, b.max) {
                (Some(v), _, _) => format!("{} {}", figure(v), b.indicator.unit(t.lang)),
                (None, Some(lo), Some(hi)) => format!("{} – {} {}", figure(lo), figure(hi), b.indicator.unit(t.lang)),
                _ => String::new(),
            },
            firms: b.firms_with_data,
            average: b.average_score.map(|s| score_text(s, decimals)).unwrap_or_default(),
        })
        .collect();
    let is_draft = e.status == EvaluationStatus::Draft;
    let page = DetailPage {
        chrome: Chrome::new(&ctx, "heroes", format!("{} {}", e.year, t.s("heroes.evaluation.title"))),
        tabs: tabs(&ctx, "evaluations"),
        check,
        chart,
        benchmarks,
        board,
        not_rated,
        is_draft,
        can_manage: is_draft && ctx.can(Action::ManageHeroes),
        can_publish: is_draft && ctx.can(Action::PublishEvaluation),
        e,
    };
    render(&page)
}

#[derive(Deserialize, serde::Serialize)]
struct VersionForm {
    version: i64,
}

/// Publishes, re-runs or discards a draft; storage refuses all three on a published evaluation.
async fn step(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    f: &VersionForm,
    action: Action,
    what: &'static str,
) -> AppResult<Response> {
    ctx.require(action)?;
    own(state, ctx, id).await?;
    let back = format!("/heroes/evaluations/{id}");
    let result = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        match what {
            "publish" => tx.publish_evaluation(id, f.version).await?,
            "rerun" => tx.rerun_evaluation(id, f.version).await?,
            _ => tx.discard_evaluation(id, f.version).await?,
        }
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) if what == "discard" => Ok(see_other("/heroes/evaluations")),
        Ok(()) => Ok(see_other(&back)),
        Err(e) => or_conflict_page(ctx, e, f, &back),
    }
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    step(&state, &ctx, id, &f, Action::PublishEvaluation, "publish").await
}

async fn rerun(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    step(&state, &ctx, id, &f, Action::ManageHeroes, "rerun").await
}

async fn discard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    step(&state, &ctx, id, &f, Action::ManageHeroes, "discard").await
}

/// The indicators of a method in the order the card shows them, across both groups.
fn indicators_of(result: &Evaluation) -> Vec<Indicator> {
    let mut out: Vec<Indicator> = Vec::new();
    for b in &result.benchmarks {
        if !out.contains(&b.indicator) {
            out.push(b.indicator);
        }
    }
    out
}

async fn export(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluations)?;
    let t = ctx.t();
    let e = own(&state, &ctx, id).await?;
    let result = state.store().evaluation_result(id).await?;
    let indicators = indicators_of(&result);
    let money = ColumnType::Money { decimals: 2 };
    let mut columns = vec![
        ExportColumn::new(t.s("heroes.rank"), ColumnType::Text),
        ExportColumn::new(t.s("field.enterprise_id"), ColumnType::Text),
        ExportColumn::new(t.s("heroes.group"), ColumnType::Text),
        ExportColumn::new(t.s("heroes.class"), ColumnType::Text),
        ExportColumn::new(t.s("heroes.total"), money),
        ExportColumn::new(t.s("heroes.base_score"), money),
    ];
    for i in &indicators {
        columns.push(ExportColumn::new(
            format!("{}（{}）", i.label(t.lang), t.s("heroes.score")),
            money,
        ));
    }
    columns.push(ExportColumn::new(t.s("heroes.evaluation.reasons"), ColumnType::Text));
    let mut ordered: Vec<&EnterpriseResult> = result.board();
    ordered.extend(result.enterprises.iter().filter(|r| r.class == Class::T));
    let rows = ordered
        .into_iter()
        .map(|r| {
            let mut row = vec![
                ExportValue::Text(match (r.rank, r.ranked_among) {
                    (Some(k), Some(n)) => format!("{k}/{n}"),
                    _ => String::new(),
                }),
                ExportValue::Text(r.name.clone()),
                r.group.label(t.lang).into(),
                r.class.label(t.lang).into(),
                r.total_score.map_or(ExportValue::Empty, score_cell),
                r.base_score.map_or(ExportValue::Empty, score_cell),
            ];
            for i in &indicators {
                row.push(
                    r.items
                        .iter()
                        .find(|x| x.indicator == *i)
                        .map_or(ExportValue::Empty, |x| score_cell(x.score)),
                );
            }
            row.push(ExportValue::Text(reason_lines(r, t).join("；")));
            row
        })
        .collect();
    let title = format!("{} {}", e.year, t.s("heroes.evaluation.title"));
    let table = TableExport {
        sheet_name: title.clone(),
        title: Some(title.clone()),
        filters: vec![
            (t.s("heroes.status").into(), e.status.label(t.lang).into()),
            (
                t.s("heroes.method").into(),
                format!("{} v{} · {}", e.method_code, e.method_version_no, e.method_hash),
            ),
            (t.s("heroes.input_hash").into(), e.input_hash.clone()),
        ],
        columns,
        rows,
    };
    crate::download::xlsx(&table, &format!("{title}.xlsx"))
}

// ---------------------------------------------------------------------------------------------
// An enterprise's card

struct ItemLine {
    indicator: &'static str,
    unit: &'static str,
    value: String,
    benchmark: String,
    weight: String,
    score: String,
    note: String,
}

struct PolicyView {
    row: &'static str,
    land: &'static str,
    energy: &'static str,
    years: u32,
    surcharge: Option<String>,
    measures: Vec<String>,
}

#[derive(Template)]
#[template(path = "heroes_card.html")]
struct CardPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    e: EvaluationSummary,
    card: EnterpriseResult,
    class_label: &'static str,
    group: &'static str,
    items: Vec<ItemLine>,
    adjustments: Vec<(String, u32, String)>,
    reasons: Vec<String>,
    /// Commitments for ore behind schedule today, each with why.
    commitments_behind: Vec<String>,
    /// Whether the reader may open the commitments page (an enterprise may not).
    can_read_commitments: bool,
    policy: Option<PolicyView>,
    total: String,
    base: String,
    can_read_all: bool,
}

impl CardPage {
    fn status_label(&self, s: &EvaluationStatus) -> &'static str {
        s.label(self.chrome.t.lang)
    }
    fn short(&self, h: &str) -> String {
        short_hash(h).to_string()
    }
}

fn item_note(i: &chainforce_domain::permu::ItemScore, t: Tr) -> String {
    let mut notes = Vec::new();
    if let Some(fig) = i.missing {
        let rule = match i.missing_rule {
            Some(MissingRule::AverageScore) => t.s("heroes.card.missing_average"),
            _ => t.s("heroes.card.missing_zero"),
        };
        notes.push(format!("{}{}{rule}", t.s("heroes.card.missing"), fig.label(t.lang)));
    }
    if i.capped {
        notes.push(t.s("heroes.card.capped").to_string());
    }
    notes.join("；")
}

async fn card(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, enterprise_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluationCard {
        enterprise_id: Some(enterprise_id),
    })?;
    let t = ctx.t();
    let e = own(&state, &ctx, id).await?;
    let can_read_all = ctx.can(Action::ReadEvaluations);
    // An enterprise sees its card once the evaluation is published, never a draft.
    if !can_read_all && e.status != EvaluationStatus::Published {
        return Err(AppError::NotFound);
    }
    let card = state
        .store()
        .evaluation_card(id, enterprise_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let items = card
        .items
        .iter()
        .map(|i| ItemLine {
            indicator: i.indicator.label(t.lang),
            unit: i.indicator.unit(t.lang),
            value: i.value.map(figure).unwrap_or_else(|| "—".into()),
            benchmark: i.benchmark.map(figure).unwrap_or_default(),
            weight: figure(i.weight),
            score: score_text(i.score, 2),
            note: item_note(i, t),
        })
        .collect();
    let policy = card.policy.as_ref().map(|p| PolicyView {
        row: p.row.label(t.lang),
        land: p.land.label(t.lang),
        energy: p.energy.label(t.lang),
        years: p.years_in_class,
        surcharge: p.electricity_surcharge_yuan_per_kwh.map(|a| a.to_string()),
        measures: p.measures.iter().map(|m| m.text(t.lang).to_string()).collect(),
    });
    let page = CardPage {
        chrome: Chrome::new(
            &ctx,
            "heroes",
            format!("{} · {} {}", card.name, e.year, t.s("heroes.card.title")),
        ),
        tabs: tabs(&ctx, "evaluations"),
        class_label: card.class.label(t.lang),
        group: card.group.label(t.lang),
        items,
        adjustments: card
            .adjustments
            .iter()
            .map(|a| (t.lang.pick(&a.zh, &a.en).to_string(), a.count, score_text(a.points, 2)))
            .collect(),
        reasons: reason_lines(&card, t),
        commitments_behind: commitments_behind(&state, &ctx)
            .await?
            .remove(&enterprise_id)
            .unwrap_or_default(),
        can_read_commitments: ctx.can(Action::ReadResources),
        policy,
        total: card.total_score.map(|s| score_text(s, 2)).unwrap_or_default(),
        base: card.base_score.map(|s| score_text(s, 2)).unwrap_or_default(),
        can_read_all,
        card,
        e,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "heroes_no_card.html")]
struct NoCardPage {
    chrome: Chrome,
}

/// An enterprise's own card in the newest published evaluation.
async fn my_card(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.user()?;
    let enterprise_id = user.enterprise_id.ok_or(AppError::Forbidden)?;
    ctx.require(Action::ReadEvaluationCard {
        enterprise_id: Some(enterprise_id),
    })?;
    match state.store().latest_published_for(ctx.region_id, enterprise_id).await? {
        Some(e) => {
            Ok(Redirect::to(&format!("/heroes/evaluations/{}/enterprises/{enterprise_id}", e.id)).into_response())
        }
        None => render(&NoCardPage {
            chrome: Chrome::new(&ctx, "heroes", ctx.t().s("heroes.card.title")),
        }),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/heroes/evaluations", Access::LeadersAndOffice, list)
        .post("/heroes/evaluations", Access::Office, run)
        .get("/heroes/evaluations/{id}", Access::LeadersAndOffice, detail)
        .get("/heroes/evaluations/{id}/export.xlsx", Access::LeadersAndOffice, export)
        .post("/heroes/evaluations/{id}/publish", Access::Office, publish)
        .post("/heroes/evaluations/{id}/rerun", Access::Office, rerun)
        .post("/heroes/evaluations/{id}/discard", Access::Office, discard)
        .get(
            "/heroes/evaluations/{id}/enterprises/{enterprise_id}",
            Access::Owner,
            card,
        )
        .get("/heroes/my-card", Access::Enterprises, my_card)
}
