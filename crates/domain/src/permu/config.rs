//! A versioned evaluation method (评价办法), read from JSON and checked before use.
//!
//! A county publishes its method each year: which indicators count for 规上 and 规下 firms, their
//! weights and benchmarks, how a value becomes a score, what happens to missing data, the bonus and
//! deduction items, the class quotas and the policy table. All of it is data here. A published
//! evaluation names its method by [`EvaluationConfig::content_hash`], so any later change to the
//! method is visible and the old evaluation can be reproduced from the old method.

use super::class::{Class, ClassRules};
use super::indicator::Indicator;
use super::input::SizeGroup;
use super::policy::ClassPolicy;
use crate::validation::{FieldError, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The most decimal places a score or benchmark may be rounded to.
const MAX_DECIMALS: u32 = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationConfig {
    /// A stable identifier such as `huangyan-2022`.
    pub id: String,
    pub name: String,
    /// Where the method comes from (the published document).
    #[serde(default)]
    pub source: String,
    /// What is confirmed and what is a default, in the words of whoever wrote the file.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Decimal places of item and total scores, for display and for ties.
    #[serde(default = "two")]
    pub decimals: u32,
    pub groups: Vec<GroupMethod>,
    #[serde(default)]
    pub adjustments: Vec<AdjustmentItem>,
    pub classes: ClassRules,
    #[serde(default)]
    pub policies: Vec<ClassPolicy>,
}

fn two() -> u32 {
    2
}

/// The indicators of one enterprise group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupMethod {
    pub group: SizeGroup,
    pub indicators: Vec<IndicatorMethod>,
}

/// One indicator with its weight (its full score, in points), benchmark, normalisation and
/// missing-data rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorMethod {
    pub indicator: Indicator,
    pub weight: f64,
    /// Required by the ratio normalisation; min-max needs none.
    #[serde(default)]
    pub benchmark: Option<Benchmark>,
    #[serde(default)]
    pub normalisation: Normalisation,
    #[serde(default)]
    pub missing: MissingRule,
}

/// The value a firm is measured against (基准值).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Benchmark {
    /// A published figure (黄岩 2022: 亩均税收 24.097).
    Fixed { value: f64 },
    /// `multiplier` × the county's average among the group's rated firms (淮安: about 2 × the
    /// prior-year average), optionally rounded as a published benchmark would be.
    CountyAverage {
        of: BenchmarkYear,
        average: AverageKind,
        multiplier: f64,
        #[serde(default)]
        decimals: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkYear {
    ThisYear,
    PriorYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AverageKind {
    /// The county's own ratio: Σ numerators ÷ Σ denominators (Σ tax ÷ Σ land).
    Aggregate,
    /// The arithmetic mean of the firms' values.
    Mean,
}

/// How a value becomes an item score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Normalisation {
    /// value ÷ benchmark × weight, at most `max_score` points when a cap is set.
    Ratio {
        #[serde(default)]
        max_score: Option<f64>,
    },
    /// weight × [floor + span × (x − min) ÷ (max − min)] ÷ 100 over the group's firms with data
    /// (旌德: floor 20, span 80). When every firm has the same value, each gets floor + span.
    MinMax { floor: f64, span: f64 },
}

impl Default for Normalisation {
    fn default() -> Self {
        Normalisation::Ratio { max_score: None }
    }
}

/// The item score of a firm whose value is missing (no figure, or a zero denominator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingRule {
    /// The average item score of the group's firms that have the value (黄岩: emissions).
    AverageScore,
    #[default]
    Zero,
}

/// The code of the deduction item for commitments given for ore that are behind schedule
/// (资源配置承诺滞后, issue 9): a method that lists an item with this code deducts its points for
/// each such commitment, counted from the tracked commitments rather than imported.
pub const COMMITMENT_BEHIND: &str = "commitment_behind";

/// A bonus (加分, positive points) or deduction (减分, negative points) item, counted per
/// occurrence. `forces_class` makes it a veto (一票否决): a firm with it takes that class whatever
/// its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentItem {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub points: f64,
    /// The most points (in absolute value) the item adds or takes in total.
    #[serde(default)]
    pub max_points: Option<f64>,
    #[serde(default)]
    pub forces_class: Option<Class>,
}

impl EvaluationConfig {
    /// Reads and checks a method. Errors name the offending entry (`groups[0].indicators[2].weight`).
    pub fn from_json(text: &str) -> Result<EvaluationConfig, ValidationErrors> {
        let config: EvaluationConfig = serde_json::from_str(text).map_err(|e| {
            ValidationErrors::single(
                "config",
                Rule::Other {
                    zh: format!("评价办法不是有效的 JSON：{e}"),
                    en: format!("the evaluation method is not valid JSON: {e}"),
                },
            )
        })?;
        config.validate()?;
        Ok(config)
    }

    /// SHA-256 of the method's canonical JSON: the same for the same method however the file was
    /// laid out, different as soon as any number, rule or text changes.
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("a method always serialises");
        hex::encode(Sha256::digest(&canonical))
    }

    pub fn group(&self, group: SizeGroup) -> Option<&GroupMethod> {
        self.groups.iter().find(|g| g.group == group)
    }

    /// Checks everything an evaluation relies on, reporting every problem at once.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if self.id.trim().is_empty() || !self.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            errs.push(
                "id",
                other(
                    "只能包含字母、数字、点、下划线和连字符",
                    "may contain letters, digits, '.', '_' and '-' only",
                ),
            );
        }
        if self.name.trim().is_empty() {
            errs.push("name", Rule::Required);
        }
        if self.decimals > MAX_DECIMALS {
            errs.push("decimals", range(0.0, MAX_DECIMALS as f64));
        }
        if self.groups.is_empty() {
            errs.push("groups", Rule::Required);
        }
        let mut seen_groups = BTreeSet::new();
        for (g, method) in self.groups.iter().enumerate() {
            let at = format!("groups[{g}]");
            if !seen_groups.insert(method.group) {
                errs.push(format!("{at}.group"), Rule::Duplicate);
            }
            if method.indicators.is_empty() {
                errs.push(format!("{at}.indicators"), Rule::Required);
            }
            let mut seen = BTreeSet::new();
            for (i, m) in method.indicators.iter().enumerate() {
                let at = format!("{at}.indicators[{i}]");
                if !seen.insert(m.indicator) {
                    errs.push(format!("{at}.indicator"), Rule::Duplicate);
                }
                check_indicator(&mut errs, &at, m);
            }
        }
        let mut codes = BTreeSet::new();
        for (i, a) in self.adjustments.iter().enumerate() {
            let at = format!("adjustments[{i}]");
            if a.code.trim().is_empty() {
                errs.push(format!("{at}.code"), Rule::Required);
            } else if !codes.insert(a.code.as_str()) {
                errs.push(format!("{at}.code"), Rule::Duplicate);
            }
            if !a.points.is_finite() || (a.points == 0.0 && a.forces_class.is_none()) {
                errs.push(
                    format!("{at}.points"),
                    other(
                        "必须是非零的有限数（或者设置 forces_class）",
                        "must be a finite non-zero number (or set forces_class)",
                    ),
                );
            }
            if let Some(m) = a.max_points
                && !(m.is_finite() && m > 0.0)
            {
                errs.push(format!("{at}.max_points"), positive());
            }
            if a.forces_class == Some(Class::T) {
                errs.push(
                    format!("{at}.forces_class"),
                    Rule::NotOneOf {
                        allowed: ["A", "B", "C", "D"].map(String::from).to_vec(),
                    },
                );
            }
        }
        self.check_quotas(&mut errs);
        self.check_policies(&mut errs);
        errs.into_result(|| ())
    }

    fn check_quotas(&self, errs: &mut ValidationErrors) {
        let quotas = &self.classes.quotas;
        if quotas.is_empty() {
            errs.push("classes.quotas", Rule::Required);
            return;
        }
        for (i, pair) in quotas.windows(2).enumerate() {
            if pair[1].class <= pair[0].class {
                errs.push(
                    format!("classes.quotas[{}].class", i + 1),
                    other(
                        "等级必须按 A、B、C、D 的顺序排列且不重复",
                        "classes must follow the order A, B, C, D without repeats",
                    ),
                );
            }
            if pair[1].up_to_percent <= pair[0].up_to_percent {
                errs.push(
                    format!("classes.quotas[{}].up_to_percent", i + 1),
                    other("累计比例必须逐级增大", "cumulative shares must increase class by class"),
                );
            }
        }
        for (i, q) in quotas.iter().enumerate() {
            if q.class == Class::T {
                errs.push(
                    format!("classes.quotas[{i}].class"),
                    other("T 类不参与排名分档", "class T takes no quota"),
                );
            }
        }
        let last = quotas.len() - 1;
        if quotas[last].up_to_percent != 100 {
            errs.push(
                format!("classes.quotas[{last}].up_to_percent"),
                other("最后一档必须累计到 100%", "the last class must reach 100%"),
            );
        }
    }

    fn check_policies(&self, errs: &mut ValidationErrors) {
        let mut seen = BTreeSet::new();
        for (i, p) in self.policies.iter().enumerate() {
            let at = format!("policies[{i}]");
            if !seen.insert(p.class) {
                errs.push(format!("{at}.class"), Rule::Duplicate);
            }
            if let Some(target) = p.managed_as {
                let target_row = self.policies.iter().find(|r| r.class == target);
                if target == p.class || target_row.is_none_or(|r| r.managed_as.is_some()) {
                    errs.push(
                        format!("{at}.managed_as"),
                        other(
                            "必须指向另一个有自己政策的等级",
                            "must name another class that has its own row",
                        ),
                    );
                }
            }
            let mut previous = 0;
            for (s, step) in p.electricity_surcharge.iter().enumerate() {
                let at = format!("{at}.electricity_surcharge[{s}]");
                if step.from_year <= previous {
                    errs.push(
                        format!("{at}.from_year"),
                        other(
                            "必须从 1 开始逐级增大",
                            "must start at 1 or more and increase step by step",
                        ),
                    );
                }
                previous = step.from_year;
                if step.yuan_per_kwh.is_negative() {
                    errs.push(format!("{at}.yuan_per_kwh"), Rule::Negative);
                }
            }
        }
    }
}

fn check_indicator(errs: &mut ValidationErrors, at: &str, m: &IndicatorMethod) {
    if !(m.weight.is_finite() && m.weight > 0.0) {
        errs.push(format!("{at}.weight"), positive());
    }
    match (m.normalisation, m.benchmark) {
        (Normalisation::Ratio { max_score }, benchmark) => {
            if let Some(cap) = max_score
                && !(cap.is_finite() && cap > 0.0)
            {
                errs.push(format!("{at}.normalisation.max_score"), positive());
            }
            match benchmark {
                None => errs.push(format!("{at}.benchmark"), Rule::Required),
                Some(Benchmark::Fixed { value }) if !(value.is_finite() && value > 0.0) => {
                    errs.push(format!("{at}.benchmark.value"), positive());
                }
                Some(Benchmark::CountyAverage {
                    multiplier, decimals, ..
                }) => {
                    if !(multiplier.is_finite() && multiplier > 0.0) {
                        errs.push(format!("{at}.benchmark.multiplier"), positive());
                    }
                    if decimals.is_some_and(|d| d > MAX_DECIMALS) {
                        errs.push(format!("{at}.benchmark.decimals"), range(0.0, MAX_DECIMALS as f64));
                    }
                }
                Some(Benchmark::Fixed { .. }) => {}
            }
        }
        (Normalisation::MinMax { floor, span }, benchmark) => {
            if !(floor.is_finite() && floor >= 0.0) {
                errs.push(format!("{at}.normalisation.floor"), Rule::Negative);
            }
            if !(span.is_finite() && span > 0.0) {
                errs.push(format!("{at}.normalisation.span"), positive());
            }
            if benchmark.is_some() {
                errs.push(
                    format!("{at}.benchmark"),
                    other(
                        "最小-最大值法不使用基准值，请删除",
                        "min-max scoring uses no benchmark; remove it",
                    ),
                );
            }
        }
    }
}

fn other(zh: &str, en: &str) -> Rule {
    Rule::Other {
        zh: zh.into(),
        en: en.into(),
    }
}

fn positive() -> Rule {
    other("必须是大于 0 的有限数", "must be a finite number above zero")
}

fn range(min: f64, max: f64) -> Rule {
    Rule::OutOfRange {
        min: min.to_string(),
        max: max.to_string(),
    }
}

/// A config error that names one entry (used by the evaluation when data cannot meet the method).
pub(super) fn entry_error(field: String, zh: String, en: String) -> FieldError {
    FieldError::new(field, Rule::Other { zh, en })
}
