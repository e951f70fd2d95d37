//! 三论英雄 (issue 7): the ranking boards of units and townships (以排名论英雄), the shares board
//! against targets (以份额论英雄), and the 亩均 evaluation of enterprises (以亩产论英雄) with its
//! annual figures, methods, classes and cards.
//!
//! Who sees what (one rule, `chainforce_domain::permission`): the boards are for county readers
//! (leaders, the office, units, viewers); evaluations, figures and methods for leaders and the
//! office; an enterprise sees its own card in a published evaluation; only the office imports,
//! sets targets, saves methods, runs and publishes.

mod chart;
mod evaluations;
mod figures;
mod methods;
mod rankings;
mod shares;

use crate::context::Ctx;
use crate::i18n::Tr;
use crate::routes::RouteTable;
use chainforce_domain::Amount;
use chainforce_domain::permission::Action;
use chainforce_domain::ranking::{Period, PeriodKind};
use chainforce_exchange::xlsx_out::ExportValue;
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes(t: RouteTable) -> RouteTable {
    let t = rankings::routes(t);
    let t = shares::routes(t);
    let t = evaluations::routes(t);
    let t = figures::routes(t);
    methods::routes(t)
}

/// One tab of the 三论英雄 pages.
pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// The tabs this user may open, `active` marked.
pub fn tabs(ctx: &Ctx, active: &str) -> Vec<Tab> {
    let t = ctx.t();
    let mut all = Vec::new();
    if ctx.can(Action::ReadBoards) {
        all.push(("rankings", "/heroes/rankings", "heroes.tab.rankings"));
        all.push(("shares", "/heroes/shares", "heroes.tab.shares"));
    }
    if ctx.can(Action::ReadEvaluations) {
        all.push(("evaluations", "/heroes/evaluations", "heroes.tab.evaluations"));
        all.push(("figures", "/heroes/figures", "heroes.tab.figures"));
        all.push(("methods", "/heroes/methods", "heroes.tab.methods"));
    }
    all.into_iter()
        .map(|(key, href, label)| Tab {
            href,
            label: t.s(label),
            active: key == active,
        })
        .collect()
}

/// A period chosen in the URL: `?kind=quarter&date=2022-08-22`. A value that does not parse is
/// ignored (the default is shown), as list filters do.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PeriodQuery {
    pub kind: String,
    pub date: String,
}

impl PeriodQuery {
    pub fn period(&self, default_kind: PeriodKind, today: NaiveDate) -> Period {
        let kind = PeriodKind::parse(self.kind.trim()).unwrap_or(default_kind);
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").unwrap_or(today);
        Period::containing(kind, date)
    }
}

/// Links to the other period kinds and to the periods before and after, keeping the rest of
/// the query (`extra`, already encoded).
pub struct PeriodNav {
    pub label: String,
    pub kinds: Vec<(String, &'static str, bool)>,
    pub previous: String,
    pub next: String,
}

impl PeriodNav {
    pub fn new(base: &str, extra: &str, period: Period, t: Tr) -> PeriodNav {
        let link = |kind: PeriodKind, date: NaiveDate| format!("{base}?{extra}&kind={}&date={date}", kind.code());
        PeriodNav {
            label: period.label(t.lang),
            kinds: PeriodKind::ALL
                .iter()
                .map(|k| (link(*k, period.start()), k.label(t.lang), *k == period.kind()))
                .collect(),
            previous: link(period.kind(), period.previous().start()),
            next: link(period.kind(), period.next().start()),
        }
    }
}

/// A score with the method's decimals.
pub fn score_text(x: f64, decimals: u32) -> String {
    format!("{x:.*}", decimals as usize)
}

/// A ratio as a percentage with one decimal.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A score as a number cell of an export (four decimals kept exactly, shown with two).
pub fn score_cell(x: f64) -> ExportValue {
    Amount::parse_plain(&format!("{x:.4}"))
        .map(ExportValue::Money)
        .unwrap_or(ExportValue::Empty)
}

/// The first 12 hex digits of a hash: enough to tell versions apart on a page; the full hash is
/// in the title attribute and the export.
pub fn short_hash(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}
