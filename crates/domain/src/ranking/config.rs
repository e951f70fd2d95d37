//! Which measures a board counts, with what weight and how a raw value becomes points.

use crate::labelled_enum;
use crate::validation::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

labelled_enum! {
    /// A measure of a unit's work in a period.
    pub enum Measure {
        /// 任务按时完成率 — tasks due in the period finished by their deadline, as a fraction.
        TaskOnTimeRate = ("task_on_time_rate", "任务按时完成率", "Tasks finished on time"),
        /// 逾期工作日 — working days overdue, summed over the tasks due in the period.
        OverdueWorkingDays = ("overdue_working_days", "逾期工作日", "Working days overdue"),
        /// 问题办结时长 — average working days from assignment to solution.
        ProblemResolutionDays = ("problem_resolution_days", "问题办结时长", "Days to solve a problem"),
        /// 企业服务评价 — average stars (1–5) enterprises gave.
        ServiceRating = ("service_rating", "企业服务评价", "Service rating"),
        /// 交办事项按时办结率 — meeting assignments closed by their deadline, as a fraction.
        AssignmentOnTimeRate = ("assignment_on_time_rate", "交办事项按时办结率", "Assignments closed on time"),
    }
}

/// What a raw value means, which decides the scorings that fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// A fraction between 0 and 1, higher is better.
    Rate,
    /// A count of days, lower is better.
    Days,
    /// Stars from 1 to 5, higher is better.
    Stars,
}

impl Measure {
    pub fn nature(self) -> Nature {
        match self {
            Measure::TaskOnTimeRate | Measure::AssignmentOnTimeRate => Nature::Rate,
            Measure::OverdueWorkingDays | Measure::ProblemResolutionDays => Nature::Days,
            Measure::ServiceRating => Nature::Stars,
        }
    }

    pub fn higher_is_better(self) -> bool {
        self.nature() != Nature::Days
    }
}

/// How a raw value becomes points, out of the measure's weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scoring {
    /// weight × rate.
    Rate,
    /// weight × (value − low) ÷ (high − low), within 0 and the weight: stars on a 1–5 scale.
    Scale { low: f64, high: f64 },
    /// weight − points × value, at least 0: each overdue working day costs points.
    Deduction { points_per_unit: f64 },
    /// Against the other units with data: the best gets the weight, the worst 0, the rest in
    /// proportion. All equal: everyone gets the weight.
    Relative,
}

/// The score of a unit with nothing to measure (no task due, no rating received).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoData {
    /// Nothing went wrong: the full weight.
    Full,
    /// The average of the units with data (the full weight when none has any).
    Average,
    Zero,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureMethod {
    pub measure: Measure,
    pub weight: f64,
    pub scoring: Scoring,
    pub no_data: NoData,
}

/// A board's method, read from JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingConfig {
    pub id: String,
    pub name: String,
    /// Where the method comes from.
    #[serde(default)]
    pub source: String,
    /// What is confirmed and what is a default, in the words of whoever wrote the file.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Decimal places of measure scores and totals.
    pub decimals: u32,
    /// Ratings at or below this many stars are listed as costing points.
    pub low_rating_at_most: i64,
    pub measures: Vec<MeasureMethod>,
}

fn other(zh: String, en: String) -> Rule {
    Rule::Other { zh, en }
}

fn positive() -> Rule {
    other(
        "必须是大于 0 的有限数".into(),
        "must be a finite number above zero".into(),
    )
}

impl RankingConfig {
    pub fn from_json(text: &str) -> Result<RankingConfig, ValidationErrors> {
        let config: RankingConfig = serde_json::from_str(text).map_err(|e| {
            ValidationErrors::single(
                "config",
                other(
                    format!("排名办法不是有效的 JSON：{e}"),
                    format!("the ranking method is not valid JSON: {e}"),
                ),
            )
        })?;
        config.validate()?;
        Ok(config)
    }

    /// SHA-256 of the method's canonical JSON, as [`crate::permu::EvaluationConfig::content_hash`]:
    /// stored with every version so a board can say exactly which method ranked it.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::to_vec(self).expect("a method always serialises");
        hex::encode(Sha256::digest(&canonical))
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if self.id.trim().is_empty() {
            errs.push("id", Rule::Required);
        }
        if self.name.trim().is_empty() {
            errs.push("name", Rule::Required);
        }
        if self.decimals > 6 {
            errs.push(
                "decimals",
                Rule::OutOfRange {
                    min: "0".into(),
                    max: "6".into(),
                },
            );
        }
        if !(1..=5).contains(&self.low_rating_at_most) {
            errs.push(
                "low_rating_at_most",
                Rule::OutOfRange {
                    min: "1".into(),
                    max: "5".into(),
                },
            );
        }
        if self.measures.is_empty() {
            errs.push("measures", Rule::Required);
        }
        let mut seen = BTreeSet::new();
        for (i, m) in self.measures.iter().enumerate() {
            let at = format!("measures[{i}]");
            if !seen.insert(m.measure) {
                errs.push(format!("{at}.measure"), Rule::Duplicate);
            }
            if !(m.weight.is_finite() && m.weight > 0.0) {
                errs.push(format!("{at}.weight"), positive());
            }
            let fits = matches!(
                (m.measure.nature(), m.scoring),
                (_, Scoring::Relative)
                    | (Nature::Rate, Scoring::Rate)
                    | (Nature::Days, Scoring::Deduction { .. })
                    | (Nature::Stars, Scoring::Scale { .. })
            );
            if !fits {
                errs.push(
                    format!("{at}.scoring"),
                    other(
                        format!("“{}”不能用这种计分方式", m.measure.label(crate::validation::Lang::Zh)),
                        format!("does not fit '{}'", m.measure.label(crate::validation::Lang::En)),
                    ),
                );
            }
            match m.scoring {
                Scoring::Scale { low, high } if !(low.is_finite() && high.is_finite() && high > low) => {
                    errs.push(
                        format!("{at}.scoring.high"),
                        other("必须大于 low".into(), "must be above low".into()),
                    );
                }
                Scoring::Deduction { points_per_unit } if !(points_per_unit.is_finite() && points_per_unit > 0.0) => {
                    errs.push(format!("{at}.scoring.points_per_unit"), positive());
                }
                _ => {}
            }
        }
        errs.into_result(|| ())
    }
}
