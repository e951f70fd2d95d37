//! 以份额论英雄 — each unit's share of the projects and investment signed, landed and started in a
//! period (快签约、快落地、快开工), against the targets set for it.

use super::outcome::{RankedUnit, RejectedRow};
use super::period::Period;
use crate::amount::Amount;
use crate::labelled_enum;
use crate::validation::{FieldError, Rule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

labelled_enum! {
    /// The three steps the task force counts.
    pub enum Milestone {
        /// 签约 — agreement signed.
        Signed = ("signed", "签约", "Signed"),
        /// 落地 — land supplied ([`crate::project::Stage::is_landed`]).
        Landed = ("landed", "落地", "Landed"),
        /// 开工 — construction started.
        Started = ("started", "开工", "Started"),
    }
}

labelled_enum! {
    /// Whose share a project counts in.
    pub enum Attribution {
        /// 属地乡镇 — the township where the project sits.
        Township = ("township", "属地乡镇", "Township"),
        /// 牵头单位 — the unit leading the project.
        LeadUnit = ("lead_unit", "牵头单位", "Lead unit"),
    }
}

/// A project's milestone dates and investment, as storage fills them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMilestones {
    pub project_id: i64,
    #[serde(default)]
    pub name: String,
    pub township_id: Option<i64>,
    pub lead_unit_id: Option<i64>,
    /// 总投资, 万元.
    pub investment: Amount,
    pub signed_on: Option<NaiveDate>,
    pub landed_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
}

impl ProjectMilestones {
    pub fn date(&self, m: Milestone) -> Option<NaiveDate> {
        match m {
            Milestone::Signed => self.signed_on,
            Milestone::Landed => self.landed_on,
            Milestone::Started => self.started_on,
        }
    }

    fn unit(&self, a: Attribution) -> Option<i64> {
        match a {
            Attribution::Township => self.township_id,
            Attribution::LeadUnit => self.lead_unit_id,
        }
    }
}

/// What a unit is expected to reach in the period for one milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTarget {
    pub unit_id: i64,
    pub milestone: Milestone,
    pub projects: Option<u32>,
    /// 万元.
    pub investment: Option<Amount>,
}

/// Projects and investment reaching one milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Count {
    pub projects: u32,
    pub investment: Amount,
}

impl Count {
    fn add(&mut self, investment: Amount) {
        self.projects += 1;
        self.investment = self.investment.saturating_add(investment);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneTotal {
    pub milestone: Milestone,
    #[serde(flatten)]
    pub count: Count,
}

/// One unit's result for one milestone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneShare {
    pub milestone: Milestone,
    #[serde(flatten)]
    pub count: Count,
    /// Of the county's total for the milestone in the period; `None` when the total is zero.
    pub project_share: Option<f64>,
    pub investment_share: Option<f64>,
    pub target_projects: Option<u32>,
    pub target_investment: Option<Amount>,
    /// Reached ÷ target; `None` without a (non-zero) target.
    pub project_completion: Option<f64>,
    pub investment_completion: Option<f64>,
    /// Rank by investment among the board's units (1 = most; equal amounts share a rank).
    pub investment_rank: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitShares {
    pub unit_id: i64,
    pub name: String,
    /// Signed, landed, started.
    pub milestones: Vec<MilestoneShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareBoard {
    pub period: Period,
    pub attribution: Attribution,
    /// The county's totals: every valid project reaching the milestone in the period.
    pub totals: Vec<MilestoneTotal>,
    /// The part of the totals not attributed to a unit on this board.
    pub outside_board: Vec<MilestoneTotal>,
    /// In the order the units were given.
    pub rows: Vec<UnitShares>,
    pub rejected: Vec<RejectedRow>,
}

/// Each unit's share of the period's signed, landed and started projects and investment, and its
/// completion of its targets. Projects with a negative investment and targets that repeat or are
/// negative are listed in `rejected` and left out.
pub fn shares(
    period: Period,
    attribution: Attribution,
    units: &[RankedUnit],
    projects: &[ProjectMilestones],
    targets: &[ShareTarget],
) -> ShareBoard {
    let index: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.unit_id, i)).collect();
    let mut rejected = Vec::new();
    let mut totals: BTreeMap<Milestone, Count> = BTreeMap::new();
    let mut outside: BTreeMap<Milestone, Count> = BTreeMap::new();
    let mut reached: Vec<BTreeMap<Milestone, Count>> = vec![BTreeMap::new(); units.len()];
    for p in projects {
        if p.investment.is_negative() {
            rejected.push(RejectedRow {
                kind: "project",
                id: p.project_id,
                error: FieldError::new("investment", Rule::Negative),
            });
            continue;
        }
        for &m in Milestone::ALL {
            if !p.date(m).is_some_and(|d| period.contains(d)) {
                continue;
            }
            totals.entry(m).or_default().add(p.investment);
            match p.unit(attribution).and_then(|u| index.get(&u)) {
                Some(&i) => reached[i].entry(m).or_default().add(p.investment),
                None => outside.entry(m).or_default().add(p.investment),
            }
        }
    }
    let mut goals: HashMap<(i64, Milestone), &ShareTarget> = HashMap::new();
    for t in targets {
        let error = if t.investment.is_some_and(Amount::is_negative) {
            Some(FieldError::new("investment", Rule::Negative))
        } else if goals.contains_key(&(t.unit_id, t.milestone)) {
            Some(FieldError::new("milestone", Rule::Duplicate))
        } else {
            None
        };
        match error {
            Some(error) => rejected.push(RejectedRow {
                kind: "target",
                id: t.unit_id,
                error,
            }),
            None => {
                goals.insert((t.unit_id, t.milestone), t);
            }
        }
    }

    let count_of = |i: usize, m| reached[i].get(&m).copied().unwrap_or_default();
    let rows = units
        .iter()
        .enumerate()
        .map(|(i, u)| UnitShares {
            unit_id: u.unit_id,
            name: u.name.clone(),
            milestones: Milestone::ALL
                .iter()
                .map(|&m| {
                    let count = count_of(i, m);
                    let total = totals.get(&m).copied().unwrap_or_default();
                    let goal = goals.get(&(u.unit_id, m));
                    let target_projects = goal.and_then(|g| g.projects);
                    let target_investment = goal.and_then(|g| g.investment);
                    MilestoneShare {
                        milestone: m,
                        count,
                        project_share: (total.projects > 0)
                            .then(|| f64::from(count.projects) / f64::from(total.projects)),
                        investment_share: count.investment.ratio(total.investment),
                        target_projects,
                        target_investment,
                        project_completion: target_projects
                            .filter(|t| *t > 0)
                            .map(|t| f64::from(count.projects) / f64::from(t)),
                        investment_completion: target_investment.and_then(|t| count.investment.ratio(t)),
                        investment_rank: 1
                            + (0..units.len())
                                .filter(|&j| count_of(j, m).investment > count.investment)
                                .count() as u32,
                    }
                })
                .collect(),
        })
        .collect();
    let listed = |map: &BTreeMap<Milestone, Count>| {
        Milestone::ALL
            .iter()
            .map(|&m| MilestoneTotal {
                milestone: m,
                count: map.get(&m).copied().unwrap_or_default(),
            })
            .collect()
    };
    ShareBoard {
        period,
        attribution,
        totals: listed(&totals),
        outside_board: listed(&outside),
        rows,
        rejected,
    }
}
