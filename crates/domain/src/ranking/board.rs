//! A ranking board for one period: every unit's measures, points, rank, and the items that cost
//! it points.

use super::config::{Measure, NoData, RankingConfig, Scoring};
use super::outcome::{
    AssignmentOutcome, Outcomes, ProblemOutcome, RankedUnit, RatingOutcome, RejectedRow, TaskOutcome,
};
use super::period::Period;
use crate::permu::round_score;
use crate::validation::{FieldError, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    pub config_id: String,
    pub period: Period,
    /// The day the board was counted: rows after it are refused, and deadlines not yet passed on
    /// it are not late.
    pub today: NaiveDate,
    /// Best first; tied units share a rank and are listed by unit id.
    pub standings: Vec<Standing>,
    pub rejected: Vec<RejectedRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub unit_id: i64,
    pub name: String,
    pub rank: u32,
    pub total: f64,
    pub measures: Vec<MeasureResult>,
}

/// One measure of one unit: the raw value, the points, and what cost points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureResult {
    pub measure: Measure,
    pub weight: f64,
    /// `None` when the unit had nothing to measure; `no_data` then says how it was scored.
    pub raw: Option<f64>,
    /// How many rows the raw value was computed from.
    pub counted: u32,
    pub score: f64,
    pub points_lost: f64,
    pub no_data: Option<NoData>,
    pub items: Vec<CostItem>,
}

/// An item that cost points, for the drill-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CostItem {
    /// A task not finished by its deadline.
    TaskLate {
        task_id: i64,
        title: String,
        deadline: NaiveDate,
        finished_on: Option<NaiveDate>,
        overdue_working_days: i64,
    },
    /// A problem solved after its deadline or still open past it.
    ProblemLate {
        problem_id: i64,
        title: String,
        deadline: Option<NaiveDate>,
        solved_on: Option<NaiveDate>,
        working_days: i64,
    },
    /// A rating at or below the method's low mark.
    LowRating {
        rating_id: i64,
        stars: i64,
        rated_on: NaiveDate,
        comment: String,
    },
    /// A meeting assignment not closed by its deadline.
    AssignmentLate {
        assignment_id: i64,
        title: String,
        deadline: NaiveDate,
        closed_on: Option<NaiveDate>,
    },
}

impl Board {
    pub fn standing(&self, unit_id: i64) -> Option<&Standing> {
        self.standings.iter().find(|s| s.unit_id == unit_id)
    }
}

impl Standing {
    pub fn measure(&self, m: Measure) -> Option<&MeasureResult> {
        self.measures.iter().find(|r| r.measure == m)
    }
}

/// What one unit did in the period.
#[derive(Default)]
struct Tally<'a> {
    tasks: Vec<&'a TaskOutcome>,
    problems: Vec<&'a ProblemOutcome>,
    ratings: Vec<&'a RatingOutcome>,
    assignments: Vec<&'a AssignmentOutcome>,
}

/// Ranks `units` for `period` as counted on `today`.
///
/// A task or an assignment counts in the period of its deadline, once it is finished or its
/// deadline has passed; a problem counts in the period it was solved in, or in every period while
/// it stays open; a rating counts in the period it was given. Rows that cannot be true are
/// listed in [`Board::rejected`] and not counted; rows of other units are skipped.
pub fn rank(
    config: &RankingConfig,
    period: Period,
    today: NaiveDate,
    units: &[RankedUnit],
    outcomes: &Outcomes,
) -> Result<Board, ValidationErrors> {
    config.validate()?;
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(units.len());
    for (i, u) in units.iter().enumerate() {
        if index.insert(u.unit_id, i).is_some() {
            return Err(ValidationErrors::single(format!("units[{i}].unit_id"), Rule::Duplicate));
        }
    }
    let cutoff = period.end().min(today);
    let mut tallies: Vec<Tally> = units.iter().map(|_| Tally::default()).collect();
    let mut rejected = Vec::new();
    let mut admit = |unit_id: i64, kind, id, error: Option<FieldError>| -> Option<usize> {
        let i = *index.get(&unit_id)?;
        match error {
            Some(error) => {
                rejected.push(RejectedRow { kind, id, error });
                None
            }
            None => Some(i),
        }
    };
    for t in &outcomes.tasks {
        if period.contains(t.deadline)
            && (t.finished_on.is_some() || t.deadline < today)
            && let Some(i) = admit(t.unit_id, "task", t.task_id, t.check(today))
        {
            tallies[i].tasks.push(t);
        }
    }
    for p in &outcomes.problems {
        let counts = match p.solved_on {
            Some(s) => period.contains(s),
            None => p.assigned_on <= cutoff,
        };
        if counts && let Some(i) = admit(p.unit_id, "problem", p.problem_id, p.check(today)) {
            tallies[i].problems.push(p);
        }
    }
    for r in &outcomes.ratings {
        if period.start() <= r.rated_on
            && r.rated_on <= period.end()
            && let Some(i) = admit(r.unit_id, "rating", r.rating_id, r.check(today))
        {
            tallies[i].ratings.push(r);
        }
    }
    for a in &outcomes.assignments {
        if period.contains(a.deadline)
            && (a.closed_on.is_some() || a.deadline < today)
            && let Some(i) = admit(a.unit_id, "assignment", a.assignment_id, a.check(today))
        {
            tallies[i].assignments.push(a);
        }
    }
    rejected.sort_by_key(|r| (r.kind, r.id));

    let mut per_unit: Vec<Vec<MeasureResult>> = units.iter().map(|_| Vec::new()).collect();
    for method in &config.measures {
        let raws: Vec<(Option<f64>, u32)> = tallies.iter().map(|t| raw(method.measure, t)).collect();
        let scores = score(method.measure, method.weight, method.scoring, &raws, config.decimals);
        let with_data: Vec<f64> = scores.iter().flatten().copied().collect();
        let average = if with_data.is_empty() {
            method.weight
        } else {
            round_score(with_data.iter().sum::<f64>() / with_data.len() as f64, config.decimals)
        };
        for (i, tally) in tallies.iter().enumerate() {
            let (value, counted) = raws[i];
            let (score, no_data) = match scores[i] {
                Some(s) => (s, None),
                None => (
                    match method.no_data {
                        NoData::Full => method.weight,
                        NoData::Average => average,
                        NoData::Zero => 0.0,
                    },
                    Some(method.no_data),
                ),
            };
            per_unit[i].push(MeasureResult {
                measure: method.measure,
                weight: method.weight,
                raw: value,
                counted,
                score,
                points_lost: round_score(method.weight - score, config.decimals),
                no_data,
                items: cost_items(method.measure, tally, config.low_rating_at_most, today),
            });
        }
    }

    let mut standings: Vec<Standing> = units
        .iter()
        .zip(per_unit)
        .map(|(u, measures)| Standing {
            unit_id: u.unit_id,
            name: u.name.clone(),
            rank: 0,
            total: round_score(measures.iter().map(|m| m.score).sum(), config.decimals),
            measures,
        })
        .collect();
    standings.sort_by(|a, b| b.total.total_cmp(&a.total).then(a.unit_id.cmp(&b.unit_id)));
    for i in 0..standings.len() {
        standings[i].rank = if i > 0 && standings[i].total == standings[i - 1].total {
            standings[i - 1].rank
        } else {
            i as u32 + 1
        };
    }
    Ok(Board {
        config_id: config.id.clone(),
        period,
        today,
        standings,
        rejected,
    })
}

/// The raw value of a measure and how many rows it rests on.
fn raw(measure: Measure, t: &Tally) -> (Option<f64>, u32) {
    fn share(hits: usize, of: usize) -> Option<f64> {
        (of > 0).then(|| hits as f64 / of as f64)
    }
    fn mean(sum: i64, of: usize) -> Option<f64> {
        (of > 0).then(|| sum as f64 / of as f64)
    }
    let (value, n) = match measure {
        Measure::TaskOnTimeRate => (
            share(t.tasks.iter().filter(|x| x.on_time()).count(), t.tasks.len()),
            t.tasks.len(),
        ),
        Measure::OverdueWorkingDays => (
            (!t.tasks.is_empty()).then(|| t.tasks.iter().map(|x| x.overdue_working_days).sum::<i64>() as f64),
            t.tasks.len(),
        ),
        Measure::ProblemResolutionDays => (
            mean(t.problems.iter().map(|p| p.working_days).sum(), t.problems.len()),
            t.problems.len(),
        ),
        Measure::ServiceRating => (
            mean(t.ratings.iter().map(|r| r.stars).sum(), t.ratings.len()),
            t.ratings.len(),
        ),
        Measure::AssignmentOnTimeRate => (
            share(
                t.assignments.iter().filter(|x| x.on_time()).count(),
                t.assignments.len(),
            ),
            t.assignments.len(),
        ),
    };
    (value, n as u32)
}

/// Points for every unit with a raw value; `None` for those without.
fn score(
    measure: Measure,
    weight: f64,
    scoring: Scoring,
    raws: &[(Option<f64>, u32)],
    decimals: u32,
) -> Vec<Option<f64>> {
    let present = || raws.iter().filter_map(|(v, _)| *v);
    let min = present().fold(f64::INFINITY, f64::min);
    let max = present().fold(f64::NEG_INFINITY, f64::max);
    raws.iter()
        .map(|(v, _)| {
            let x = (*v)?;
            let s = match scoring {
                Scoring::Rate => weight * x,
                Scoring::Scale { low, high } => weight * ((x - low) / (high - low)).clamp(0.0, 1.0),
                Scoring::Deduction { points_per_unit } => (weight - points_per_unit * x).max(0.0),
                Scoring::Relative if max > min => {
                    let t = if measure.higher_is_better() {
                        (x - min) / (max - min)
                    } else {
                        (max - x) / (max - min)
                    };
                    weight * t
                }
                Scoring::Relative => weight,
            };
            Some(round_score(s, decimals))
        })
        .collect()
}

fn cost_items(measure: Measure, t: &Tally, low_at_most: i64, today: NaiveDate) -> Vec<CostItem> {
    let task_item = |x: &&TaskOutcome| CostItem::TaskLate {
        task_id: x.task_id,
        title: x.title.clone(),
        deadline: x.deadline,
        finished_on: x.finished_on,
        overdue_working_days: x.overdue_working_days,
    };
    let by_days = |a: &&&TaskOutcome, b: &&&TaskOutcome| {
        b.overdue_working_days
            .cmp(&a.overdue_working_days)
            .then(a.task_id.cmp(&b.task_id))
    };
    match measure {
        Measure::TaskOnTimeRate => {
            let mut late: Vec<&&TaskOutcome> = t.tasks.iter().filter(|x| !x.on_time()).collect();
            late.sort_by(by_days);
            late.into_iter().map(task_item).collect()
        }
        Measure::OverdueWorkingDays => {
            let mut late: Vec<&&TaskOutcome> = t.tasks.iter().filter(|x| x.overdue_working_days > 0).collect();
            late.sort_by(by_days);
            late.into_iter().map(task_item).collect()
        }
        Measure::ProblemResolutionDays => {
            let mut late: Vec<&&ProblemOutcome> = t.problems.iter().filter(|p| p.late(today)).collect();
            late.sort_by(|a, b| {
                b.working_days
                    .cmp(&a.working_days)
                    .then(a.problem_id.cmp(&b.problem_id))
            });
            late.into_iter()
                .map(|p| CostItem::ProblemLate {
                    problem_id: p.problem_id,
                    title: p.title.clone(),
                    deadline: p.deadline,
                    solved_on: p.solved_on,
                    working_days: p.working_days,
                })
                .collect()
        }
        Measure::ServiceRating => {
            let mut low: Vec<&&RatingOutcome> = t.ratings.iter().filter(|r| r.stars <= low_at_most).collect();
            low.sort_by_key(|r| (r.stars, r.rated_on, r.rating_id));
            low.into_iter()
                .map(|r| CostItem::LowRating {
                    rating_id: r.rating_id,
                    stars: r.stars,
                    rated_on: r.rated_on,
                    comment: r.comment.clone(),
                })
                .collect()
        }
        Measure::AssignmentOnTimeRate => {
            let mut late: Vec<&&AssignmentOutcome> = t.assignments.iter().filter(|a| !a.on_time()).collect();
            late.sort_by_key(|a| (a.deadline, a.assignment_id));
            late.into_iter()
                .map(|a| CostItem::AssignmentLate {
                    assignment_id: a.assignment_id,
                    title: a.title.clone(),
                    deadline: a.deadline,
                    closed_on: a.closed_on,
                })
                .collect()
        }
    }
}
