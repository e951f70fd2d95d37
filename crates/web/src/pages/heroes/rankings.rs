//! 以排名论英雄: the ranking board of units or townships for a week, month, quarter or year, its
//! trend over the periods before, a unit's drill-down to the items that cost it points, and the
//! board as .xlsx.

use super::chart::BarChart;
use super::{PeriodNav, PeriodQuery, Tab, percent, score_cell, score_text, short_hash, tabs};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::pages::{Chrome, render};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainforce_domain::permission::Action;
use chainforce_domain::ranking::config::Nature;
use chainforce_domain::ranking::{
    Board, CostItem, Measure, MeasureResult, NoData, Period, PeriodKind, RankingConfig, Standing, rank, trends,
};
use chainforce_exchange::xlsx_out::{ColumnType, ExportColumn, ExportValue, TableExport};
use chainforce_storage::clock;
use chainforce_storage::heroes::{BoardUnits, HeroMethod};
use chrono::NaiveDate;
use serde::Deserialize;

/// Periods a trend follows: this one and the five before.
const TREND_PERIODS: usize = 6;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BoardQuery {
    board: String,
    #[serde(flatten)]
    period: PeriodQuery,
}

impl BoardQuery {
    fn which(&self) -> BoardUnits {
        if self.board == "townships" {
            BoardUnits::Townships
        } else {
            BoardUnits::Units
        }
    }

    fn board_param(&self) -> &'static str {
        match self.which() {
            BoardUnits::Units => "board=units",
            BoardUnits::Townships => "board=townships",
        }
    }
}

/// The boards of a period and of the periods before it, oldest first.
struct Boards {
    which: BoardUnits,
    stored: Option<HeroMethod>,
    config: RankingConfig,
    boards: Vec<Board>,
}

impl Boards {
    fn current(&self) -> &Board {
        self.boards.last().expect("at least the chosen period")
    }
}

async fn load(state: &AppState, ctx: &Ctx, q: &BoardQuery, periods: usize) -> AppResult<Boards> {
    let today = clock::today();
    let period = q.period.period(PeriodKind::Month, today);
    let store = state.store();
    let which = q.which();
    let units = store.board_units(ctx.region_id, which).await?;
    let (stored, config) = store.ranking_method(ctx.region_id).await?;
    let rows = store.ranking_rows(ctx.region_id).await?;
    let calendar = store.calendar(ctx.region_id).await?;
    let mut chosen: Vec<Period> = std::iter::successors(Some(period), |p| Some(p.previous()))
        .take(periods)
        .collect();
    chosen.reverse();
    let boards = chosen
        .into_iter()
        .map(|p| {
            let outcomes = rows.outcomes(p, today, &calendar);
            rank(&config, p, today, &units, &outcomes)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Boards {
        which,
        stored,
        config,
        boards,
    })
}

/// The raw value of a measure as a reader takes it in: 83.3%, 4 working days, 4.5 stars.
fn raw_text(m: &MeasureResult, t: Tr) -> String {
    let Some(raw) = m.raw else {
        return t.s("heroes.no_data").to_string();
    };
    match m.measure.nature() {
        Nature::Rate => percent(raw),
        Nature::Days => format!("{} {}", trim_number(raw), t.s("unit.wd")),
        Nature::Stars => format!("{} {}", trim_number(raw), t.s("heroes.stars")),
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn no_data_text(n: NoData, t: Tr) -> &'static str {
    t.s(match n {
        NoData::Full => "heroes.no_data.full",
        NoData::Average => "heroes.no_data.average",
        NoData::Zero => "heroes.no_data.zero",
    })
}

/// What the method in force is, for the line under the title.
struct MethodLine {
    name: String,
    version: String,
    hash: String,
    short: String,
    is_default: bool,
    href: Option<String>,
}

fn method_line(b: &Boards, t: Tr) -> MethodLine {
    let hash = b.config.content_hash();
    MethodLine {
        name: b.config.name.clone(),
        version: match &b.stored {
            Some(m) => format!("{} v{}", m.code, m.version_no),
            None => t.s("heroes.method.builtin_default").to_string(),
        },
        short: short_hash(&hash).to_string(),
        hash,
        is_default: b.stored.is_none(),
        href: b.stored.as_ref().map(|m| format!("/heroes/methods/{}", m.id)),
    }
}

struct Cell {
    score: String,
    raw: String,
    lost: bool,
}

struct Row {
    rank: u32,
    unit_id: i64,
    name: String,
    total: String,
    cells: Vec<Cell>,
    /// Places gained (↑2) or lost (↓1) since the period before; empty when unchanged or unknown.
    change: String,
    up: bool,
}

struct TrendRow {
    name: String,
    unit_id: i64,
    points: Vec<String>,
}

#[derive(Template)]
#[template(path = "heroes_rankings.html")]
struct BoardPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    townships: bool,
    nav: PeriodNav,
    method: MethodLine,
    measures: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    chart: BarChart,
    trend_periods: Vec<String>,
    trends: Vec<TrendRow>,
    rejected: Vec<String>,
    query: String,
    today: NaiveDate,
    can_read_methods: bool,
}

fn query_string(q: &BoardQuery, period: Period) -> String {
    format!(
        "{}&kind={}&date={}",
        q.board_param(),
        period.kind().code(),
        period.start()
    )
}

async fn board(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BoardQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadBoards)?;
    let t = ctx.t();
    let b = load(&state, &ctx, &q, TREND_PERIODS).await?;
    let current = b.current();
    let period = current.period;
    let decimals = b.config.decimals;
    let before = b.boards.iter().rev().nth(1);
    let change_of = |s: &Standing| {
        before
            .and_then(|p| p.standing(s.unit_id))
            .map(|p| i64::from(p.rank) - i64::from(s.rank))
    };
    let rows: Vec<Row> = current
        .standings
        .iter()
        .map(|s| Row {
            rank: s.rank,
            unit_id: s.unit_id,
            name: s.name.clone(),
            total: score_text(s.total, decimals),
            cells: s
                .measures
                .iter()
                .map(|m| Cell {
                    score: score_text(m.score, decimals),
                    raw: raw_text(m, t),
                    lost: m.points_lost > 0.0,
                })
                .collect(),
            change: match change_of(s) {
                Some(c) if c > 0 => format!("↑{c}"),
                Some(c) if c < 0 => format!("↓{}", -c),
                _ => String::new(),
            },
            up: change_of(s).is_some_and(|c| c > 0),
        })
        .collect();
    let max: f64 = b.config.measures.iter().map(|m| m.weight).sum();
    let chart = BarChart::new(
        t.s("heroes.rankings.chart"),
        current
            .standings
            .iter()
            .map(|s| (s.name.clone(), s.total, score_text(s.total, decimals), "bar"))
            .collect(),
        Some(max),
    );
    let trend_rows = trends(&b.boards)
        .into_iter()
        .map(|tr| TrendRow {
            name: tr.name,
            unit_id: tr.unit_id,
            points: tr
                .points
                .iter()
                .map(|p| match (p.rank, p.rank_change) {
                    (Some(r), Some(c)) if c > 0 => format!("{r} ↑{c}"),
                    (Some(r), Some(c)) if c < 0 => format!("{r} ↓{}", -c),
                    (Some(r), _) => r.to_string(),
                    (None, _) => "—".into(),
                })
                .collect(),
        })
        .collect();
    let rejected = current
        .rejected
        .iter()
        .map(|r| format!("{} #{}：{}", r.kind, r.id, r.error.rule.message(t.lang)))
        .collect();
    let which = if b.which == BoardUnits::Townships {
        "heroes.rankings.townships"
    } else {
        "heroes.rankings.units"
    };
    let page = BoardPage {
        chrome: Chrome::new(&ctx, "heroes", t.s(which)),
        tabs: tabs(&ctx, "rankings"),
        townships: b.which == BoardUnits::Townships,
        nav: PeriodNav::new("/heroes/rankings", q.board_param(), period, t),
        method: method_line(&b, t),
        measures: b
            .config
            .measures
            .iter()
            .map(|m| (m.measure.label(t.lang), trim_number(m.weight)))
            .collect(),
        rows,
        chart,
        trend_periods: b.boards.iter().map(|x| x.period.label(t.lang)).collect(),
        trends: trend_rows,
        rejected,
        query: query_string(&q, period),
        today: current.today,
        can_read_methods: ctx.can(Action::ReadEvaluations),
    };
    render(&page)
}

/// One item that cost points, as the drill-down lists it.
struct ItemView {
    href: String,
    title: String,
    detail: String,
}

fn item_view(item: &CostItem, t: Tr) -> ItemView {
    let sep = t.lang.pick("；", "; ");
    let pair = |key: &str, value: String| format!("{}{}{value}", t.s(key), t.lang.pick("：", ": "));
    let done_or_open = |key: &str, d: Option<NaiveDate>| match d {
        Some(d) => pair(key, d.to_string()),
        None => t.s("heroes.item.open").to_string(),
    };
    match item {
        CostItem::TaskLate {
            task_id,
            title,
            deadline,
            finished_on,
            overdue_working_days,
        } => ItemView {
            href: format!("/tasks/{task_id}"),
            title: title.clone(),
            detail: [
                pair("heroes.item.deadline", deadline.to_string()),
                done_or_open("field.actual_finish", *finished_on),
                pair(
                    "heroes.item.days_late",
                    format!("{overdue_working_days} {}", t.s("unit.wd")),
                ),
            ]
            .join(sep),
        },
        CostItem::ProblemLate {
            problem_id,
            title,
            deadline,
            solved_on,
            working_days,
        } => ItemView {
            href: format!("/problems/{problem_id}"),
            title: title.clone(),
            detail: [
                pair(
                    "heroes.item.deadline",
                    deadline.map(|d| d.to_string()).unwrap_or_default(),
                ),
                done_or_open("heroes.item.solved_on", *solved_on),
                pair("heroes.item.days_taken", format!("{working_days} {}", t.s("unit.wd"))),
            ]
            .join(sep),
        },
        CostItem::LowRating {
            rating_id,
            stars,
            rated_on,
            comment,
        } => ItemView {
            href: format!("/problems/{rating_id}"),
            title: format!(
                "{stars} {}{}",
                t.s("heroes.stars"),
                if comment.is_empty() {
                    String::new()
                } else {
                    format!(" · {comment}")
                }
            ),
            detail: pair("heroes.item.rated_on", rated_on.to_string()),
        },
        CostItem::AssignmentLate {
            assignment_id,
            title,
            deadline,
            closed_on,
        } => ItemView {
            href: format!("/problems/{assignment_id}"),
            title: title.clone(),
            detail: [
                pair("heroes.item.deadline", deadline.to_string()),
                done_or_open("heroes.item.closed_on", *closed_on),
            ]
            .join(sep),
        },
    }
}

struct MeasureView {
    label: &'static str,
    weight: String,
    raw: String,
    counted: u32,
    score: String,
    lost: String,
    lost_any: bool,
    no_data: Option<&'static str>,
    items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "heroes_ranking_unit.html")]
struct UnitPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    nav: PeriodNav,
    standing_rank: u32,
    among: usize,
    total: String,
    measures: Vec<MeasureView>,
    back: String,
    assignments_note: bool,
}

async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit_id): Path<i64>,
    Query(mut q): Query<BoardQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ReadBoards)?;
    let t = ctx.t();
    let u = state.store().unit(unit_id).await?;
    if u.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    q.board = if u.kind == chainforce_domain::org::UnitKind::Township {
        "townships".into()
    } else {
        "units".into()
    };
    let b = load(&state, &ctx, &q, 1).await?;
    let current = b.current();
    let s: &Standing = current.standing(unit_id).ok_or(AppError::NotFound)?;
    let decimals = b.config.decimals;
    let measures = s
        .measures
        .iter()
        .map(|m| MeasureView {
            label: m.measure.label(t.lang),
            weight: trim_number(m.weight),
            raw: raw_text(m, t),
            counted: m.counted,
            score: score_text(m.score, decimals),
            lost: score_text(m.points_lost, decimals),
            lost_any: m.points_lost > 0.0,
            no_data: m.no_data.map(|n| no_data_text(n, t)),
            items: m.items.iter().map(|i| item_view(i, t)).collect(),
        })
        .collect();
    let page = UnitPage {
        chrome: Chrome::new(&ctx, "heroes", s.name.clone()),
        tabs: tabs(&ctx, "rankings"),
        nav: PeriodNav::new(
            &format!("/heroes/rankings/units/{unit_id}"),
            q.board_param(),
            current.period,
            t,
        ),
        standing_rank: s.rank,
        among: current.standings.len(),
        total: score_text(s.total, decimals),
        measures,
        back: format!("/heroes/rankings?{}", query_string(&q, current.period)),
        assignments_note: s.measure(Measure::AssignmentOnTimeRate).is_some(),
    };
    render(&page)
}

async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BoardQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadBoards)?;
    let t = ctx.t();
    let b = load(&state, &ctx, &q, 1).await?;
    let current = b.current();
    let which = if b.which == BoardUnits::Townships {
        t.s("heroes.rankings.townships")
    } else {
        t.s("heroes.rankings.units")
    };
    let mut columns = vec![
        ExportColumn::new(t.s("heroes.rank"), ColumnType::Integer),
        ExportColumn::new(t.s("field.unit_id"), ColumnType::Text),
        ExportColumn::new(t.s("heroes.total"), ColumnType::Money { decimals: 2 }),
    ];
    for m in &b.config.measures {
        let label = m.measure.label(t.lang);
        columns.push(ExportColumn::new(
            format!("{label}（{}）", t.s("heroes.score")),
            ColumnType::Money { decimals: 2 },
        ));
        columns.push(ExportColumn::new(
            format!("{label}（{}）", t.s("heroes.raw")),
            ColumnType::Text,
        ));
        columns.push(ExportColumn::new(
            format!("{label}（{}）", t.s("heroes.items")),
            ColumnType::Integer,
        ));
    }
    let rows = current
        .standings
        .iter()
        .map(|s| {
            let mut row = vec![
                ExportValue::Integer(i64::from(s.rank)),
                ExportValue::Text(s.name.clone()),
                score_cell(s.total),
            ];
            for m in &s.measures {
                row.push(score_cell(m.score));
                row.push(ExportValue::Text(raw_text(m, t)));
                row.push(ExportValue::Integer(m.items.len() as i64));
            }
            row
        })
        .collect();
    let period = current.period.label(t.lang);
    let table = TableExport {
        sheet_name: which.into(),
        title: Some(format!("{which} · {period}")),
        filters: vec![
            (t.s("heroes.period").into(), period.clone()),
            (t.s("heroes.method").into(), b.config.name.clone()),
            (t.s("heroes.counted_on").into(), current.today.to_string()),
        ],
        columns,
        rows,
    };
    crate::download::xlsx(&table, &format!("{which}-{period}.xlsx"))
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/heroes/rankings", Access::CountyReaders, board)
        .get("/heroes/rankings/export.xlsx", Access::CountyReaders, export)
        .get("/heroes/rankings/units/{id}", Access::CountyReaders, unit)
}
