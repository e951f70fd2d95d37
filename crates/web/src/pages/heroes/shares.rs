//! 以份额论英雄: each township's (or lead unit's) share of the projects and investment signed,
//! landed and started in a period, against the targets the office sets per unit and year.

use super::chart::BarChart;
use super::{PeriodNav, PeriodQuery, Tab, percent, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other, wan};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use chainforce_domain::Amount;
use chainforce_domain::permission::Action;
use chainforce_domain::ranking::{Attribution, Milestone, PeriodKind, ShareBoard, shares};
use chainforce_domain::validation::{Rule, ValidationErrors};
use chainforce_exchange::xlsx_out::{ColumnType, ExportColumn, ExportValue, TableExport};
use chainforce_storage::clock;
use chainforce_storage::heroes::BoardUnits;
use chrono::Datelike;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShareQuery {
    attribution: String,
    #[serde(flatten)]
    period: PeriodQuery,
}

impl ShareQuery {
    fn attribution(&self) -> Attribution {
        Attribution::parse(self.attribution.trim()).unwrap_or(Attribution::Township)
    }
}

fn board_units(a: Attribution) -> BoardUnits {
    match a {
        Attribution::Township => BoardUnits::Townships,
        Attribution::LeadUnit => BoardUnits::Units,
    }
}

/// The board, with targets when the period is a year (targets are set per year).
async fn load(state: &AppState, ctx: &Ctx, q: &ShareQuery) -> AppResult<(ShareBoard, bool)> {
    let period = q.period.period(PeriodKind::Year, clock::today());
    let store = state.store();
    let attribution = q.attribution();
    let units = store.board_units(ctx.region_id, board_units(attribution)).await?;
    let projects = store.project_milestones(ctx.region_id).await?;
    let yearly = period.kind() == PeriodKind::Year;
    let targets = if yearly {
        store
            .share_targets(ctx.region_id, period.start().year())
            .await?
            .iter()
            .map(|t| t.target())
            .collect()
    } else {
        Vec::new()
    };
    Ok((shares(period, attribution, &units, &projects, &targets), yearly))
}

struct ShareCell {
    projects: u32,
    investment: String,
    share: String,
    target: String,
    completion: String,
    behind: bool,
}

struct ShareRow {
    name: String,
    cells: Vec<ShareCell>,
}

#[derive(Template)]
#[template(path = "heroes_shares.html")]
struct SharesPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    nav: PeriodNav,
    townships: bool,
    milestones: Vec<&'static str>,
    rows: Vec<ShareRow>,
    totals: Vec<(u32, String)>,
    outside: Vec<(u32, String)>,
    chart: BarChart,
    yearly: bool,
    year: i32,
    query: String,
    can_set_targets: bool,
    rejected: Vec<String>,
}

fn completion(c: Option<f64>) -> String {
    c.map(percent).unwrap_or_default()
}

async fn board(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ShareQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadBoards)?;
    let t = ctx.t();
    let (b, yearly) = load(&state, &ctx, &q).await?;
    let rows: Vec<ShareRow> = b
        .rows
        .iter()
        .map(|r| ShareRow {
            name: r.name.clone(),
            cells: r
                .milestones
                .iter()
                .map(|m| ShareCell {
                    projects: m.count.projects,
                    investment: wan(Some(m.count.investment)),
                    share: m.investment_share.map(percent).unwrap_or_default(),
                    target: target_text(m.target_projects, m.target_investment, t),
                    completion: [completion(m.project_completion), completion(m.investment_completion)]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" / "),
                    behind: m.investment_completion.is_some_and(|c| c < 1.0)
                        || m.project_completion.is_some_and(|c| c < 1.0),
                })
                .collect(),
        })
        .collect();
    let signed = |shares: &chainforce_domain::ranking::UnitShares| {
        shares
            .milestones
            .iter()
            .find(|m| m.milestone == Milestone::Signed)
            .map(|m| m.count.investment)
            .unwrap_or(Amount::ZERO)
    };
    let chart = BarChart::new(
        t.s("heroes.shares.chart"),
        b.rows
            .iter()
            .map(|r| (r.name.clone(), signed(r).to_f64(), wan(Some(signed(r))), "bar"))
            .collect(),
        None,
    );
    let listed = |list: &[chainforce_domain::ranking::MilestoneTotal]| {
        list.iter()
            .map(|m| (m.count.projects, wan(Some(m.count.investment))))
            .collect()
    };
    let attribution = q.attribution();
    let extra = format!("attribution={}", attribution.code());
    let page = SharesPage {
        chrome: Chrome::new(&ctx, "heroes", t.s("heroes.shares.title")),
        tabs: tabs(&ctx, "shares"),
        nav: PeriodNav::new("/heroes/shares", &extra, b.period, t),
        townships: attribution == Attribution::Township,
        milestones: Milestone::ALL.iter().map(|m| m.label(t.lang)).collect(),
        rows,
        totals: listed(&b.totals),
        outside: listed(&b.outside_board),
        chart,
        yearly,
        year: b.period.start().year(),
        query: format!("{extra}&kind={}&date={}", b.period.kind().code(), b.period.start()),
        can_set_targets: ctx.can(Action::ManageHeroes),
        rejected: b
            .rejected
            .iter()
            .map(|r| format!("{} #{}：{}", r.kind, r.id, r.error.rule.message(t.lang)))
            .collect(),
    };
    render(&page)
}

fn target_text(projects: Option<u32>, investment: Option<Amount>, t: crate::i18n::Tr) -> String {
    let mut parts = Vec::new();
    if let Some(p) = projects {
        parts.push(format!("{p} {}", t.s("heroes.shares.projects_unit")));
    }
    if let Some(i) = investment {
        parts.push(format!("{} {}", wan(Some(i)), t.s("unit.wan")));
    }
    parts.join(" / ")
}

async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ShareQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadBoards)?;
    let t = ctx.t();
    let (b, _) = load(&state, &ctx, &q).await?;
    let mut columns = vec![ExportColumn::new(t.s("field.unit_id"), ColumnType::Text)];
    for m in Milestone::ALL {
        let l = m.label(t.lang);
        let col = |key: &str, kind| ExportColumn::new(format!("{l}（{}）", t.s(key)), kind);
        columns.extend([
            col("heroes.shares.projects", ColumnType::Integer),
            col("heroes.shares.investment", ColumnType::Money { decimals: 2 }),
            col("heroes.shares.share", ColumnType::Percentage),
            col("heroes.shares.target_projects", ColumnType::Integer),
            col("heroes.shares.target_investment", ColumnType::Money { decimals: 2 }),
            col("heroes.shares.completion", ColumnType::Percentage),
        ]);
    }
    let rows = b
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![ExportValue::Text(r.name.clone())];
            for m in &r.milestones {
                row.extend([
                    ExportValue::Integer(i64::from(m.count.projects)),
                    ExportValue::Money(m.count.investment),
                    m.investment_share.map_or(ExportValue::Empty, ExportValue::Ratio),
                    m.target_projects
                        .map_or(ExportValue::Empty, |p| ExportValue::Integer(i64::from(p))),
                    m.target_investment.into(),
                    m.investment_completion
                        .or(m.project_completion)
                        .map_or(ExportValue::Empty, ExportValue::Ratio),
                ]);
            }
            row
        })
        .collect();
    let period = b.period.label(t.lang);
    let title = t.s("heroes.shares.title");
    let table = TableExport {
        sheet_name: title.into(),
        title: Some(format!("{title} · {period}")),
        filters: vec![
            (t.s("heroes.period").into(), period.clone()),
            (t.s("heroes.shares.by").into(), b.attribution.label(t.lang).into()),
        ],
        columns,
        rows,
    };
    crate::download::xlsx(&table, &format!("{title}-{period}.xlsx"))
}

/// One unit's line of the targets form.
struct TargetLine {
    name: String,
    /// One per milestone.
    cells: Vec<TargetCell>,
}

/// The inputs of one unit and milestone: `p_{stem}`, `i_{stem}` and the version `v_{stem}`.
struct TargetCell {
    stem: String,
    projects: String,
    investment: String,
    version: i64,
    projects_error: String,
    investment_error: String,
}

#[derive(Template)]
#[template(path = "heroes_targets.html")]
struct TargetsPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    year: i32,
    milestones: Vec<&'static str>,
    groups: Vec<(&'static str, Vec<TargetLine>)>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct YearQuery {
    year: String,
}

fn stem(unit_id: i64, m: Milestone) -> String {
    format!("{unit_id}_{}", m.code())
}

async fn targets_page(
    state: &AppState,
    ctx: &Ctx,
    year: i32,
    submitted: Option<&HashMap<String, String>>,
    errors: FormErrors,
) -> AppResult<TargetsPage> {
    let t = ctx.t();
    let store = state.store();
    let stored = store.share_targets(ctx.region_id, year).await?;
    let mut groups = Vec::new();
    for (key, which) in [
        ("heroes.rankings.townships", BoardUnits::Townships),
        ("heroes.rankings.units", BoardUnits::Units),
    ] {
        let units = store.board_units(ctx.region_id, which).await?;
        let lines = units
            .into_iter()
            .map(|u| TargetLine {
                cells: Milestone::ALL
                    .iter()
                    .map(|&m| {
                        let s = stem(u.unit_id, m);
                        let current = stored.iter().find(|x| x.unit_id == u.unit_id && x.milestone == m);
                        let version = current.map_or(0, |c| c.version);
                        let (p, i) = match submitted {
                            Some(f) => (
                                f.get(&format!("p_{s}")).cloned().unwrap_or_default(),
                                f.get(&format!("i_{s}")).cloned().unwrap_or_default(),
                            ),
                            None => (
                                current
                                    .and_then(|c| c.projects)
                                    .map(|n| n.to_string())
                                    .unwrap_or_default(),
                                current
                                    .and_then(|c| c.investment)
                                    .map(|a| a.to_string())
                                    .unwrap_or_default(),
                            ),
                        };
                        let version = submitted
                            .and_then(|f| f.get(&format!("v_{s}")))
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(version);
                        TargetCell {
                            projects_error: errors.of(&format!("p_{s}")),
                            investment_error: errors.of(&format!("i_{s}")),
                            stem: s,
                            projects: p,
                            investment: i,
                            version,
                        }
                    })
                    .collect(),
                name: u.name,
            })
            .collect();
        groups.push((t.s(key), lines));
    }
    Ok(TargetsPage {
        chrome: Chrome::new(ctx, "heroes", t.s("heroes.targets.title")),
        tabs: tabs(ctx, "shares"),
        year,
        milestones: Milestone::ALL.iter().map(|m| m.label(t.lang)).collect(),
        groups,
        errors,
    })
}

fn year_of(text: &str) -> Option<i32> {
    text.trim().parse().ok().filter(|y| (1990..=2100).contains(y))
}

async fn targets_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> AppResult<Response> {
    ctx.require(Action::ManageHeroes)?;
    let year = year_of(&q.year).unwrap_or_else(|| clock::today().year());
    render(&targets_page(&state, &ctx, year, None, FormErrors::none()).await?)
}

/// A checked target: (unit, milestone, projects, investment, version).
type Checked = (i64, Milestone, Option<i64>, Option<Amount>, i64);

/// Reads every target of the form, naming each bad input by its form name.
fn check_targets(f: &HashMap<String, String>) -> Result<Vec<Checked>, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut out = Vec::new();
    let mut stems: Vec<&str> = f.keys().filter_map(|k| k.strip_prefix("v_")).collect();
    stems.sort_unstable();
    for s in stems {
        let Some((unit, code)) = s.split_once('_') else {
            continue;
        };
        let (Ok(unit_id), Some(m)) = (unit.parse::<i64>(), Milestone::parse(code)) else {
            continue;
        };
        let get = |prefix: &str| f.get(&format!("{prefix}_{s}")).map(|v| v.trim()).unwrap_or("");
        let projects = match get("p") {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                Ok(_) => {
                    errs.push(format!("p_{s}"), Rule::Negative);
                    None
                }
                Err(_) => {
                    errs.push(format!("p_{s}"), Rule::NotANumber);
                    None
                }
            },
        };
        let investment = match Amount::money_field(&format!("i_{s}"), get("i"), false) {
            Ok(Some(a)) if a.is_negative() => {
                errs.push(format!("i_{s}"), Rule::Negative);
                None
            }
            Ok(a) => a,
            Err(e) => {
                errs.0.push(e);
                None
            }
        };
        let version = get("v").parse().unwrap_or(0);
        out.push((unit_id, m, projects, investment, version));
    }
    errs.into_result(|| out)
}

async fn save_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    ctx.require(Action::ManageHeroes)?;
    let t = ctx.t();
    // The year is a hidden field of the form: a bad one is a forged or broken request.
    let year = year_of(f.get("year").map(String::as_str).unwrap_or(""))
        .ok_or_else(|| AppError::bad_request("年度无效（1990–2100）", "the year is not valid (1990–2100)"))?;
    let checked = match check_targets(&f) {
        Ok(c) => c,
        Err(e) => {
            return render_invalid(&targets_page(&state, &ctx, year, Some(&f), FormErrors::new(e, t)).await?);
        }
    };
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    for (unit_id, m, projects, investment, version) in checked {
        let saved = tx
            .set_share_target(ctx.region_id, unit_id, year, m, projects, investment, version)
            .await;
        if let Err(e) = saved {
            let submitted =
                serde_json::json!({"unit_id": unit_id, "milestone": m, "projects": projects, "investment": investment});
            return or_conflict_page(
                &ctx,
                e.into(),
                &submitted,
                &format!("/heroes/shares/targets?year={year}"),
            );
        }
    }
    tx.commit().await?;
    Ok(see_other(&format!("/heroes/shares?kind=year&date={year}-01-01")))
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/heroes/shares", Access::CountyReaders, board)
        .get("/heroes/shares/export.xlsx", Access::CountyReaders, export)
        .get("/heroes/shares/targets", Access::Office, targets_form)
        .post("/heroes/shares/targets", Access::Office, save_targets)
}
