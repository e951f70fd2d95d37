//! 企业年度数据: the figures each 亩均 evaluation reads, listed per year with the values that
//! cannot be true, and imported from a spreadsheet (xlsx, xls or csv) in one action.

use super::evaluations::figure_label;
use super::{Tab, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::pages::{Chrome, render, render_invalid, wan};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use chainforce_domain::Amount;
use chainforce_domain::permission::Action;
use chainforce_domain::permu::SizeGroup;
use chainforce_domain::permu::input::impossible_values;
use chainforce_domain::validation::{FieldError, Rule};
use chainforce_exchange::annual::{AnnualImport, read_annual};
use chainforce_exchange::ledger::Limits;
use chainforce_storage::clock;
use chainforce_storage::enterprises::Enterprise;
use chainforce_storage::heroes::StoredEnterpriseYear;
use chrono::Datelike;
use serde::Deserialize;

/// A reason a row or a figure is not usable, as "字段：规则".
fn reason(field: &str, rule: &Rule, t: Tr) -> String {
    format!(
        "{}{}{}",
        figure_label(field, t),
        t.lang.pick("：", ": "),
        rule.message(t.lang)
    )
}

fn impossible_reasons(errs: &[FieldError], t: Tr) -> Vec<String> {
    errs.iter().map(|e| reason(&e.field, &e.rule, t)).collect()
}

struct FigureRow {
    name: String,
    group: &'static str,
    land: String,
    tax: String,
    value_added: String,
    revenue: String,
    energy: String,
    emissions: String,
    employees: String,
    rd: String,
    electricity: String,
    exemption: &'static str,
    impossible: Vec<String>,
    source: String,
}

/// A quantity (亩, tce, t, kWh) grouped by thousands like money.
fn plain(a: Option<Amount>) -> String {
    a.map(|a| crate::pages::group_thousands(&a.to_string()))
        .unwrap_or_default()
}

fn figure_row(s: &StoredEnterpriseYear, t: Tr) -> FigureRow {
    let f = &s.figures;
    FigureRow {
        name: f.name.clone(),
        group: f.group.label(t.lang),
        land: plain(f.land_mu),
        tax: wan(f.tax),
        value_added: wan(f.value_added),
        revenue: wan(f.revenue),
        energy: plain(f.energy_tce),
        emissions: plain(f.emissions_t),
        employees: f.employees.map(|n| n.to_string()).unwrap_or_default(),
        rd: wan(f.rd_spending),
        electricity: plain(f.electricity_kwh),
        exemption: f.exemption.map(|x| x.label(t.lang)).unwrap_or(""),
        impossible: impossible_reasons(&impossible_values(f, true), t),
        source: s.source.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "heroes_figures.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    years: Vec<(i32, i64, bool)>,
    year: Option<i32>,
    rows: Vec<FigureRow>,
    can_import: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct YearQuery {
    year: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadEvaluations)?;
    let t = ctx.t();
    let store = state.store();
    let counts = store.enterprise_year_counts(ctx.region_id).await?;
    let year = q
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .or_else(|| counts.first().map(|(y, _)| *y));
    let rows = match year {
        Some(y) => store
            .enterprise_years(ctx.region_id, y)
            .await?
            .iter()
            .map(|s| figure_row(s, t))
            .collect(),
        None => Vec::new(),
    };
    render(&ListPage {
        chrome: Chrome::new(&ctx, "heroes", t.s("heroes.figures.title")),
        tabs: tabs(&ctx, "figures"),
        years: counts.iter().map(|(y, n)| (*y, *n, Some(*y) == year)).collect(),
        year,
        rows,
        can_import: ctx.can(Action::ManageHeroes),
    })
}

#[derive(Template)]
#[template(path = "heroes_import.html")]
struct ImportPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    year: String,
    error: Option<String>,
    columns: String,
}

fn import_page(ctx: &Ctx, year: String, error: Option<String>) -> ImportPage {
    let t = ctx.t();
    ImportPage {
        chrome: Chrome::new(ctx, "heroes", t.s("heroes.figures.import")),
        tabs: tabs(ctx, "figures"),
        year,
        error,
        columns: chainforce_exchange::annual::AnnualField::ALL
            .iter()
            .map(|f| f.label(t.lang))
            .collect::<Vec<_>>()
            .join(t.lang.pick("、", ", ")),
    }
}

async fn import_form(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageHeroes)?;
    let last_year = clock::today().year() - 1;
    render(&import_page(&ctx, last_year.to_string(), None))
}

/// A row of the result that was not saved as it stands, or was saved with values that cannot
/// be true (the evaluation will show the firm as T for them).
struct ResultRow {
    row: u32,
    name: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "heroes_import_result.html")]
struct ResultPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    year: i32,
    file_name: String,
    sheet: String,
    header_row: u32,
    columns: Vec<String>,
    saved: usize,
    refused: Vec<ResultRow>,
    impossible: Vec<ResultRow>,
    totals: Vec<u32>,
}

/// What the form sent: the year and the file.
struct Upload {
    year: String,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> AppResult<Upload> {
    let mut up = Upload {
        year: String::new(),
        file_name: String::new(),
        bytes: Vec::new(),
    };
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(
            format!("上传内容无法读取：{e}"),
            format!("the upload cannot be read: {e}"),
        )
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("year") => up.year = field.text().await.map_err(bad)?,
            Some("file") => {
                up.file_name = field.file_name().unwrap_or("").to_string();
                up.bytes = field.bytes().await.map_err(bad)?.to_vec();
            }
            _ => {}
        }
    }
    Ok(up)
}

/// The enterprise a row names: by credit code when it has one, else by its exact name.
fn match_enterprise<'a>(row: &chainforce_exchange::annual::AnnualRow, all: &'a [Enterprise]) -> Option<&'a Enterprise> {
    if let Some(code) = &row.credit_code
        && let Some(e) = all.iter().find(|e| e.credit_code.as_deref() == Some(code.as_str()))
    {
        return Some(e);
    }
    all.iter().find(|e| e.name == row.name)
}

async fn import(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    ctx.require(Action::ManageHeroes)?;
    let t = ctx.t();
    let up = read_upload(multipart).await?;
    let year = match up.year.trim().parse::<i32>() {
        Ok(y) if (1990..=2100).contains(&y) => y,
        _ => {
            let msg = reason(
                "year",
                &Rule::OutOfRange {
                    min: "1990".into(),
                    max: "2100".into(),
                },
                t,
            );
            return render_invalid(&import_page(&ctx, up.year, Some(msg)));
        }
    };
    if up.bytes.is_empty() {
        let msg = format!(
            "{}{}{}",
            t.s("heroes.figures.file"),
            t.lang.pick("：", ": "),
            Rule::Required.message(t.lang)
        );
        return render_invalid(&import_page(&ctx, up.year, Some(msg)));
    }
    let limits = Limits {
        max_file_bytes: state.config().max_upload_bytes as u64,
        ..Limits::default()
    };
    let sheet: AnnualImport = match read_annual(&up.bytes, &limits) {
        Ok(s) => s,
        Err(e) => return render_invalid(&import_page(&ctx, up.year, Some(e.message(t.lang)))),
    };
    let enterprises = state.store().enterprises(ctx.region_id).await?;
    let mut refused: Vec<ResultRow> = sheet
        .refused
        .iter()
        .map(|r| ResultRow {
            row: r.row,
            name: r.name.clone(),
            reasons: r.errors.iter().map(|e| e.message(t.lang)).collect(),
        })
        .collect();
    let mut impossible = Vec::new();
    let mut saved = 0;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    for row in &sheet.rows {
        let Some(e) = match_enterprise(row, &enterprises) else {
            refused.push(ResultRow {
                row: row.row,
                name: row.name.clone(),
                reasons: vec![reason(
                    "enterprise_id",
                    &Rule::Unknown {
                        what: t.s("heroes.figures.unknown_enterprise").into(),
                    },
                    t,
                )],
            });
            continue;
        };
        if let Some(y) = row.year.filter(|y| *y != year) {
            refused.push(ResultRow {
                row: row.row,
                name: row.name.clone(),
                reasons: vec![format!("{}{}{y} ≠ {year}", t.s("heroes.year"), t.lang.pick("：", ": "))],
            });
            continue;
        }
        let group = row.group.unwrap_or(if e.above_scale {
            SizeGroup::AboveScale
        } else {
            SizeGroup::BelowScale
        });
        let figures = row.to_year(e.id, group);
        let why = impossible_values(&figures, true);
        if !why.is_empty() {
            impossible.push(ResultRow {
                row: row.row,
                name: e.name.clone(),
                reasons: impossible_reasons(&why, t),
            });
        }
        tx.save_enterprise_year(ctx.region_id, year, &figures, Some(&up.file_name))
            .await?;
        saved += 1;
    }
    tx.commit().await?;
    refused.sort_by_key(|r| r.row);
    render(&ResultPage {
        chrome: Chrome::new(&ctx, "heroes", t.s("heroes.figures.import_result")),
        tabs: tabs(&ctx, "figures"),
        year,
        file_name: up.file_name,
        sheet: sheet.sheet,
        header_row: sheet.header_row,
        columns: sheet
            .columns
            .iter()
            .map(|(f, col, header)| format!("{col}：{header} → {}", f.label(t.lang)))
            .collect(),
        saved,
        refused,
        impossible,
        totals: sheet.skipped_totals,
    })
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/heroes/figures", Access::LeadersAndOffice, list)
        .get("/heroes/figures/import", Access::Office, import_form)
        .post("/heroes/figures/import", Access::Office, import)
}
