//! The weighted score of eligible applicants.
//!
//! Each criterion gives a value out of 100: investment, chain span and capacity relative to the
//! best eligible applicant (value ÷ best × 100), the local-processing share as its percentage, the
//! panel score as it stands (0 when the applicant has none, and the line says so). A criterion's
//! points are weight × that value ÷ the sum of the weights, each rounded to 0.0001, and the total
//! is the sum of the points — so the lines a page shows add up to the total it shows.

use super::eligibility::Application;
use super::panel::PanelResult;
use super::rules::{RoundRules, ScoreCriterion};
use crate::amount::Amount;
use crate::chain::decimal;
use crate::chain::{Chain, Explanation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One criterion's part of an applicant's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub criterion: ScoreCriterion,
    /// The applicant's figure with its unit ("600000 万元", "4 个环节 / 4 links").
    pub value: Explanation,
    /// Out of 100.
    pub normalised: Amount,
    pub weight: Amount,
    pub points: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Explanation>,
}

/// Scores of `eligible` (lines and total, in the same order).
pub(crate) fn score(
    eligible: &[&Application],
    chain: &Chain,
    rules: &RoundRules,
    panel: &HashMap<i64, &PanelResult>,
    capacity_unit: &str,
) -> Vec<(Vec<ScoreLine>, Amount)> {
    let hundred = Amount::from_int(100);
    let total_weight = rules.weight_total();
    let span = |a: &Application| {
        let p = &a.commitment.products;
        Amount::from_int(chain.longest_span(p, p).unwrap_or(0) as i64)
    };
    let raw = |c: ScoreCriterion, a: &Application| -> Option<Amount> {
        match c {
            ScoreCriterion::Investment => Some(a.commitment.investment_wan),
            ScoreCriterion::ChainSpan => Some(span(a)),
            ScoreCriterion::Capacity => Some(a.commitment.capacity),
            ScoreCriterion::LocalProcessing => Some(a.commitment.local_processing_pct),
            ScoreCriterion::Panel => panel.get(&a.id).and_then(|p| p.score),
        }
    };
    let best: HashMap<ScoreCriterion, Amount> = rules
        .scoring
        .iter()
        .map(|w| {
            let m = eligible.iter().filter_map(|a| raw(w.criterion, a)).max();
            (w.criterion, m.unwrap_or_default())
        })
        .collect();
    eligible
        .iter()
        .map(|a| {
            let lines: Vec<ScoreLine> = rules
                .scoring
                .iter()
                .map(|w| {
                    let v = raw(w.criterion, a);
                    let relative = matches!(
                        w.criterion,
                        ScoreCriterion::Investment | ScoreCriterion::ChainSpan | ScoreCriterion::Capacity
                    );
                    let normalised = match v {
                        None => Amount::ZERO,
                        Some(v) if relative => decimal::mul_div(v, hundred, best[&w.criterion]).unwrap_or_default(),
                        Some(v) => v,
                    };
                    let points = decimal::mul_div(w.weight, normalised, total_weight).unwrap_or_default();
                    let value = match (w.criterion, v) {
                        (_, None) => Explanation::new("无", "none"),
                        (ScoreCriterion::Investment, Some(v)) => {
                            Explanation::new(format!("{v} 万元"), format!("{v} 万元"))
                        }
                        (ScoreCriterion::ChainSpan, Some(v)) => {
                            Explanation::new(format!("{v} 个环节"), format!("{v} links"))
                        }
                        (ScoreCriterion::Capacity, Some(v)) => {
                            Explanation::new(format!("{v} {capacity_unit}"), format!("{v} {capacity_unit}"))
                        }
                        (ScoreCriterion::LocalProcessing, Some(v)) => {
                            Explanation::new(format!("{v}%"), format!("{v}%"))
                        }
                        (ScoreCriterion::Panel, Some(v)) => Explanation::new(format!("{v} 分"), format!("{v} points")),
                    };
                    let note = match (w.criterion, v) {
                        (ScoreCriterion::Panel, None) => Some(match panel.get(&a.id) {
                            Some(p) => p.reason.clone(),
                            None => Explanation::new(
                                "专家组未评审本申请，本项记 0 分",
                                "the panel has not reviewed this application: 0 on this line",
                            ),
                        }),
                        _ if relative => Some(Explanation::new(
                            format!("以合格申请人中最高值 {} 为 100 分", best[&w.criterion]),
                            format!("100 is the best eligible applicant's {}", best[&w.criterion]),
                        )),
                        _ => None,
                    };
                    ScoreLine {
                        criterion: w.criterion,
                        value,
                        normalised,
                        weight: w.weight,
                        points,
                        note,
                    }
                })
                .collect();
            let total = lines.iter().map(|l| l.points).sum();
            (lines, total)
        })
        .collect()
}
