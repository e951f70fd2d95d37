//! The resource pages as spreadsheets: the ledger, a round's decisions with the reasons rule by
//! rule, the panel's sheets, and the commitments with their status. Every quantity column names
//! its unit in the header.

use crate::i18n::Tr;
use chainforce_domain::allocation::{PanelResult, ResourceLedger, RoundOutcome};
use chainforce_domain::chain::Unit;
use chainforce_exchange::xlsx_out::{ColumnType, ExportColumn, ExportValue, TableExport};
use chainforce_storage::resources::{RoundDetail, StoredApplication, StoredSheet, TrackedCommitment};
use chrono::NaiveDate;
use std::collections::HashMap;

const NUM: ColumnType = ColumnType::Money { decimals: 4 };

fn col(header: String, kind: ColumnType) -> ExportColumn {
    ExportColumn::new(header, kind)
}

/// "Li2O（吨氧化锂(Li2O)）".
fn with_unit(t: Tr, key: &str, unit: Unit) -> String {
    format!("{}（{}）", t.s(key), unit.label(t.lang))
}

fn text(s: impl Into<String>) -> ExportValue {
    ExportValue::Text(s.into())
}

pub fn ledger(l: &ResourceLedger, t: Tr) -> TableExport {
    let mut rows: Vec<Vec<ExportValue>> = l
        .deposits
        .iter()
        .map(|d| {
            vec![
                text(d.name.clone()),
                text(d.place.clone()),
                text(d.ore_type.label(t.lang)),
                text(d.category.label(t.lang)),
                d.ore.map(|q| q.value).into(),
                d.grade.map(|q| q.value).into(),
                ExportValue::Money(d.li2o.value),
                ExportValue::Money(d.contained_lce.value),
                ExportValue::Money(d.recoverable_lce.value),
                d.annual_lce.map(|q| q.value).into(),
            ]
        })
        .collect();
    let totals = l
        .by_ore_type
        .iter()
        .map(|x| {
            let label = chainforce_domain::allocation::OreType::parse(&x.key)
                .map_or(x.key.clone(), |o| o.label(t.lang).to_string());
            (format!("{}：{label}", t.s("resources.by_ore_type")), x)
        })
        .chain(
            l.by_place
                .iter()
                .map(|x| (format!("{}：{}", t.s("resources.by_place"), x.key), x)),
        )
        .chain(std::iter::once((t.s("resources.total").to_string(), &l.total)));
    for (label, x) in totals {
        rows.push(vec![
            text(label),
            ExportValue::Empty,
            ExportValue::Empty,
            ExportValue::Empty,
            ExportValue::Money(x.ore.value),
            ExportValue::Empty,
            ExportValue::Money(x.li2o.value),
            ExportValue::Money(x.contained_lce.value),
            ExportValue::Money(x.recoverable_lce.value),
            ExportValue::Money(x.annual_lce.value),
        ]);
    }
    TableExport {
        sheet_name: t.s("resources.ledger.title").into(),
        title: Some(t.s("resources.ledger.title").into()),
        filters: Vec::new(),
        columns: vec![
            col(t.s("field.name").into(), ColumnType::Text),
            col(t.s("resources.field.place").into(), ColumnType::Text),
            col(t.s("resources.field.ore_type").into(), ColumnType::Text),
            col(t.s("resources.field.category").into(), ColumnType::Text),
            col(with_unit(t, "resources.field.ore_t", Unit::TonnesOre), NUM),
            col(with_unit(t, "resources.field.li2o_grade_pct", Unit::Percent), NUM),
            col(with_unit(t, "resources.li2o", Unit::TonnesLi2o), NUM),
            col(with_unit(t, "resources.contained_lce", Unit::TonnesLce), NUM),
            col(with_unit(t, "resources.recoverable_lce", Unit::TonnesLce), NUM),
            col(with_unit(t, "resources.annual_lce", Unit::TonnesLcePerYear), NUM),
        ],
        rows,
    }
}

pub fn decisions(r: &RoundDetail, o: &RoundOutcome, experts: &HashMap<i64, String>, t: Tr) -> TableExport {
    let unit = r.summary.quota_unit.unit();
    let sep = t.lang.pick("；", "; ");
    TableExport {
        sheet_name: t.s("resources.decisions").into(),
        title: Some(format!("{} — {}", r.summary.name, t.s("resources.decisions"))),
        filters: vec![
            (
                t.s("resources.round.state").into(),
                r.summary.state.label(t.lang).into(),
            ),
            (t.s("resources.as_of").into(), o.as_of.to_string()),
            (t.s("resources.method").into(), o.method.text(t.lang).into()),
        ],
        columns: vec![
            col(t.s("resources.rank").into(), ColumnType::Text),
            col(t.s("field.enterprise_id").into(), ColumnType::Text),
            col(t.s("resources.eligible").into(), ColumnType::Text),
            col(t.s("resources.checks").into(), ColumnType::Text),
            col(t.s("resources.total_score").into(), NUM),
            col(with_unit(t, "resources.field.requested", unit), NUM),
            col(with_unit(t, "resources.granted", unit), NUM),
            col(t.s("resources.reasons").into(), ColumnType::Text),
            col(t.s("resources.opinions").into(), ColumnType::Text),
        ],
        rows: o
            .decisions
            .iter()
            .map(|d| {
                let checks: Vec<String> = d
                    .checks
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {}：{}",
                            if c.passed { "✓" } else { "✗" },
                            c.rule.label(t.lang),
                            c.reason.text(t.lang)
                        )
                    })
                    .collect();
                let opinions: Vec<String> = d
                    .opinions
                    .iter()
                    .map(|op| {
                        format!(
                            "{}：{}",
                            experts
                                .get(&op.expert_id)
                                .cloned()
                                .unwrap_or_else(|| format!("#{}", op.expert_id)),
                            op.text
                        )
                    })
                    .collect();
                vec![
                    text(d.rank.map(|r| r.to_string()).unwrap_or_default()),
                    text(d.enterprise_name.clone()),
                    text(if d.eligible {
                        t.s("resources.yes")
                    } else {
                        t.s("resources.no")
                    }),
                    text(checks.join(sep)),
                    d.total_score.into(),
                    ExportValue::Money(d.requested.value),
                    ExportValue::Money(d.granted.value),
                    text(d.reasons.iter().map(|x| x.text(t.lang)).collect::<Vec<_>>().join(sep)),
                    text(opinions.join(sep)),
                ]
            })
            .collect(),
    }
}

pub fn reviews(
    r: &RoundDetail,
    sheets: &[StoredSheet],
    apps: &[StoredApplication],
    panel: &[PanelResult],
    t: Tr,
) -> TableExport {
    let name = |id: i64| {
        apps.iter()
            .find(|a| a.application.id == id)
            .map(|a| a.application.enterprise_name.clone())
            .unwrap_or_default()
    };
    let mut columns = vec![
        col(t.s("field.enterprise_id").into(), ColumnType::Text),
        col(t.s("resources.expert").into(), ColumnType::Text),
    ];
    for c in &r.criteria {
        columns.push(col(format!("{}（{}）", c.label(t.lang), c.max_points), NUM));
    }
    columns.push(col(t.s("resources.conflict").into(), ColumnType::Text));
    columns.push(col(t.s("resources.opinion").into(), ColumnType::Text));
    columns.push(col(t.s("resources.panel_score").into(), NUM));
    let rows = sheets
        .iter()
        .map(|s| {
            let mut row = vec![text(name(s.subject_id)), text(s.expert_name.clone())];
            for c in &r.criteria {
                row.push(s.points.as_ref().and_then(|p| p.get(&c.code).copied()).into());
            }
            row.push(text(if s.conflict {
                format!("{} {}", t.s("resources.yes"), s.conflict_reason)
            } else {
                String::new()
            }));
            row.push(text(s.opinion.clone()));
            row.push(
                panel
                    .iter()
                    .find(|p| p.application_id == s.subject_id)
                    .and_then(|p| p.score)
                    .into(),
            );
            row
        })
        .collect();
    TableExport {
        sheet_name: t.s("resources.reviews").into(),
        title: Some(format!("{} — {}", r.summary.name, t.s("resources.reviews"))),
        filters: Vec::new(),
        columns,
        rows,
    }
}

pub fn commitments(all: &[TrackedCommitment], as_of: NaiveDate, t: Tr) -> TableExport {
    let sep = t.lang.pick("；", "; ");
    TableExport {
        sheet_name: t.s("resources.commitments.title").into(),
        title: Some(t.s("resources.commitments.title").into()),
        filters: vec![(t.s("resources.as_of").into(), as_of.to_string())],
        columns: vec![
            col(t.s("resources.round").into(), ColumnType::Text),
            col(t.s("field.enterprise_id").into(), ColumnType::Text),
            col(t.s("resources.granted").into(), ColumnType::Text),
            col(format!("{}（万元）", t.s("resources.field.investment_wan")), NUM),
            col(format!("{}（万元）", t.s("resources.investment_to_date")), NUM),
            col(t.s("resources.field.start_by").into(), ColumnType::Date),
            col(t.s("resources.field.production_by").into(), ColumnType::Date),
            col(t.s("resources.status").into(), ColumnType::Text),
            col(t.s("resources.reasons").into(), ColumnType::Text),
        ],
        rows: all
            .iter()
            .map(|c| {
                vec![
                    text(c.round_name.clone()),
                    text(c.enterprise_name.clone()),
                    text(super::qty(&c.granted, t)),
                    ExportValue::Money(c.commitment.investment_wan),
                    ExportValue::Money(c.actuals.investment_to_date_wan),
                    ExportValue::Date(c.commitment.start_by),
                    ExportValue::Date(c.commitment.production_by),
                    text(c.report.status.label(t.lang)),
                    text(
                        c.report
                            .items
                            .iter()
                            .map(|i| {
                                format!(
                                    "{}（{}）：{}",
                                    i.item.label(t.lang),
                                    i.status.label(t.lang),
                                    i.reason.text(t.lang)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(sep),
                    ),
                ]
            })
            .collect(),
    }
}
