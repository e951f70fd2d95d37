//! Runs a method over a year's enterprises: screening, benchmarks, item scores, bonus and
//! deduction items, classes and policies.
//!
//! The result is a deterministic function of (method, data): enterprises are taken in order of
//! their id whatever order they arrive in, sums run in that order, and every score is rounded in
//! one stated way ([`round_score`]) before it is added, compared or shown.

use super::class::{self, Class, Contender, Scope};
use super::config::{
    AverageKind, Benchmark, BenchmarkYear, EvaluationConfig, IndicatorMethod, MissingRule, Normalisation, entry_error,
};
use super::indicator::{Figure, Indicator};
use super::input::{EnterpriseYear, Reason, SizeGroup, impossible_values};
use super::policy::{self, AppliedPolicy};
use crate::validation::{FieldError, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What an evaluation runs on: the year's figures, and the prior year's when a benchmark is
/// derived from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvaluationData {
    pub year: i32,
    pub enterprises: Vec<EnterpriseYear>,
    #[serde(default)]
    pub prior_year: Vec<EnterpriseYear>,
}

impl EvaluationData {
    /// SHA-256 of the figures' canonical JSON: a published evaluation records it next to the
    /// method's hash, so anyone can check that the same method on the same figures gives it back.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::to_vec(self).expect("figures always serialise");
        hex::encode(Sha256::digest(&canonical))
    }

    /// 用好资源换好产业 in 亩均论英雄: each enterprise's commitments given for ore that are behind
    /// (`behind`, by enterprise id) become occurrences of the method's
    /// [`COMMITMENT_BEHIND`](super::config::COMMITMENT_BEHIND) deduction item — when the method
    /// lists one; its points and cap are the method's, never a number here. A method without the
    /// item deducts nothing (the ranking still marks the enterprise), and a count given by an
    /// import is replaced by the tracked one.
    pub fn count_commitments_behind(&mut self, config: &EvaluationConfig, behind: &BTreeMap<i64, u32>) {
        let code = super::config::COMMITMENT_BEHIND;
        if !config.adjustments.iter().any(|a| a.code == code) {
            return;
        }
        for e in &mut self.enterprises {
            match behind.get(&e.enterprise_id).copied().filter(|n| *n > 0) {
                Some(n) => e.adjustments.insert(code.to_string(), n),
                None => e.adjustments.remove(code),
            };
        }
    }
}

/// A finished evaluation: everything the class board and each enterprise's card show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub config_id: String,
    /// [`EvaluationConfig::content_hash`] of the method used.
    pub config_hash: String,
    pub year: i32,
    /// Per group and indicator, the benchmark (or min and max) actually used.
    pub benchmarks: Vec<BenchmarkUsed>,
    /// Every enterprise given, rated or not, in order of enterprise id.
    pub enterprises: Vec<EnterpriseResult>,
    /// How many enterprises fell in each class (T included).
    pub distribution: BTreeMap<Class, u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkUsed {
    pub group: SizeGroup,
    pub indicator: Indicator,
    pub weight: f64,
    /// For value ÷ benchmark scoring.
    pub benchmark: Option<f64>,
    /// For min-max scoring.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Rated firms of the group that have the value.
    pub firms_with_data: u32,
    /// The average item score of those firms, given to firms without the value when the
    /// missing-data rule says so.
    pub average_score: Option<f64>,
}

/// One enterprise's result: its evaluation card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseResult {
    pub enterprise_id: i64,
    pub name: String,
    pub group: SizeGroup,
    pub class: Class,
    /// Why the enterprise is T; empty for a rated one.
    pub not_rated: Vec<Reason>,
    pub items: Vec<ItemScore>,
    pub adjustments: Vec<AppliedAdjustment>,
    /// Σ item scores.
    pub base_score: Option<f64>,
    /// Base score plus bonuses and deductions: what ranks.
    pub total_score: Option<f64>,
    /// 1 is best; tied firms share a rank. `None` for T and for a class forced by a veto item.
    pub rank: Option<u32>,
    /// How many firms the rank is out of.
    pub ranked_among: Option<u32>,
    /// The veto item (一票否决) that decided the class, when one did.
    pub forced_by: Option<String>,
    pub policy: Option<AppliedPolicy>,
}

/// One line of the card: an indicator's value against its benchmark, and the points it earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub indicator: Indicator,
    pub weight: f64,
    /// `None` when the firm lacks a figure; `missing` then names it.
    pub value: Option<f64>,
    pub missing: Option<Figure>,
    /// The rule that scored a missing value.
    pub missing_rule: Option<MissingRule>,
    pub benchmark: Option<f64>,
    pub score: f64,
    /// The cap cut the score.
    pub capped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedAdjustment {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub count: u32,
    pub points: f64,
    /// The item's maximum cut the points.
    pub capped: bool,
}

/// Rounds half away from zero to `decimals` places. Float noise far below the last kept place is
/// dropped first, so 2.675 (held as 2.67499999…) becomes 2.68, as it does by hand.
pub fn round_score(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let scaled = x * scale;
    let cleaned = (scaled * 1e6).round() / 1e6;
    // `+ 0.0` turns a negative zero into zero, so JSON never shows "-0.0".
    cleaned.round() / scale + 0.0
}

/// Evaluates `data` with `config`. Enterprises with impossible figures, an exemption or a group
/// the method does not rate become T with their reasons; the rest are scored and classed.
///
/// Fails only when the method cannot be applied at all: an invalid method, or a benchmark to be
/// derived from firms none of which has the figures.
pub fn evaluate(config: &EvaluationConfig, data: &EvaluationData) -> Result<Evaluation, ValidationErrors> {
    config.validate()?;
    let firms = by_id(&data.enterprises);
    let reasons = screen(config, &firms);
    let prior = by_id(&data.prior_year);
    let prior_reasons = screen(config, &prior);

    let mut results: Vec<EnterpriseResult> = firms
        .iter()
        .zip(&reasons)
        .map(|(e, r)| EnterpriseResult {
            enterprise_id: e.enterprise_id,
            name: e.name.clone(),
            group: e.group,
            class: Class::T,
            not_rated: r.clone(),
            items: Vec::new(),
            adjustments: Vec::new(),
            base_score: None,
            total_score: None,
            rank: None,
            ranked_among: None,
            forced_by: None,
            policy: None,
        })
        .collect();

    let mut benchmarks = Vec::new();
    let mut errs = ValidationErrors::new();
    for (g, method) in config.groups.iter().enumerate() {
        let members: Vec<usize> = (0..firms.len())
            .filter(|&i| reasons[i].is_empty() && firms[i].group == method.group)
            .collect();
        if members.is_empty() {
            // Nothing to score, and nothing to derive a benchmark from.
            continue;
        }
        let member_firms: Vec<&EnterpriseYear> = members.iter().map(|&i| firms[i]).collect();
        let prior_firms: Vec<&EnterpriseYear> = (0..prior.len())
            .filter(|&i| prior_reasons[i].is_empty() && prior[i].group == method.group)
            .map(|i| prior[i])
            .collect();
        for (k, m) in method.indicators.iter().enumerate() {
            let at = format!("groups[{g}].indicators[{k}]");
            let scored = score_indicator(&at, m, method.group, &member_firms, &prior_firms, config.decimals);
            match scored {
                Ok((used, items)) => {
                    benchmarks.push(used);
                    for (&i, item) in members.iter().zip(items) {
                        results[i].items.push(item);
                    }
                }
                Err(e) => errs.0.push(e),
            }
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }

    let mut contenders: BTreeMap<Option<SizeGroup>, Vec<Contender>> = BTreeMap::new();
    for (i, r) in results.iter_mut().enumerate() {
        if !r.not_rated.is_empty() {
            continue;
        }
        let base = round_score(r.items.iter().map(|it| it.score).sum(), config.decimals);
        r.adjustments = adjustments_of(config, firms[i]);
        let extra: f64 = r.adjustments.iter().map(|a| a.points).sum();
        let total = round_score(base + extra, config.decimals);
        r.base_score = Some(base);
        r.total_score = Some(total);
        let veto = config
            .adjustments
            .iter()
            .filter(|a| a.forces_class.is_some() && r.adjustments.iter().any(|x| x.code == a.code))
            .max_by_key(|a| a.forces_class);
        if let Some(item) = veto {
            r.class = item.forces_class.unwrap_or(Class::D);
            r.forced_by = Some(item.code.clone());
            continue;
        }
        let scope = match config.classes.scope {
            Scope::PerGroup => Some(r.group),
            Scope::Pooled => None,
        };
        contenders.entry(scope).or_default().push(Contender {
            index: i,
            total,
            tie_values: config
                .classes
                .ties
                .break_by
                .iter()
                .map(|ind| ind.value(firms[i]).ok())
                .collect(),
        });
    }
    for (_, group) in contenders {
        let among = group.len() as u32;
        for p in class::place(group, &config.classes) {
            let r = &mut results[p.index];
            r.class = p.class;
            r.rank = Some(p.rank);
            r.ranked_among = Some(among);
        }
    }

    let mut distribution: BTreeMap<Class, u32> = BTreeMap::new();
    for (r, e) in results.iter_mut().zip(&firms) {
        let years = policy::years_in_class(r.class, &e.previous_classes);
        r.policy = policy::apply(&config.policies, r.class, years);
        *distribution.entry(r.class).or_default() += 1;
    }
    Ok(Evaluation {
        config_id: config.id.clone(),
        config_hash: config.content_hash(),
        year: data.year,
        benchmarks,
        enterprises: results,
        distribution,
    })
}

fn by_id(list: &[EnterpriseYear]) -> Vec<&EnterpriseYear> {
    let mut v: Vec<&EnterpriseYear> = list.iter().collect();
    v.sort_by_key(|e| e.enterprise_id);
    v
}

/// Why each firm (in the given order) cannot be rated; empty when it can.
fn screen(config: &EvaluationConfig, firms: &[&EnterpriseYear]) -> Vec<Vec<Reason>> {
    let mut ids: BTreeMap<i64, u32> = BTreeMap::new();
    for e in firms {
        *ids.entry(e.enterprise_id).or_default() += 1;
    }
    let codes: BTreeSet<&str> = config.adjustments.iter().map(|a| a.code.as_str()).collect();
    firms
        .iter()
        .map(|e| {
            let mut reasons: Vec<Reason> = Vec::new();
            if ids[&e.enterprise_id] > 1 {
                reasons.push(FieldError::new("enterprise_id", Rule::Duplicate).into());
            }
            let method = config.group(e.group);
            if method.is_none() {
                reasons.push(
                    entry_error(
                        "group".into(),
                        format!("本评价办法不评价{}", e.group.label(crate::validation::Lang::Zh)),
                        format!(
                            "this method does not rate firms {}",
                            e.group.label(crate::validation::Lang::En).to_lowercase()
                        ),
                    )
                    .into(),
                );
            }
            let needs_land = method.is_none_or(|m| m.indicators.iter().any(|i| i.indicator.uses_land()));
            reasons.extend(impossible_values(e, needs_land).into_iter().map(Reason::from));
            for code in e.adjustments.keys() {
                if !codes.contains(code.as_str()) {
                    reasons.push(
                        entry_error(
                            format!("adjustments.{code}"),
                            format!("评价办法中没有加减分项“{code}”"),
                            format!("the method has no bonus or deduction item '{code}'"),
                        )
                        .into(),
                    );
                }
            }
            if let Some(x) = e.exemption {
                reasons.push(Reason {
                    field: "exemption".into(),
                    zh: format!("{}，暂不评价", x.label(crate::validation::Lang::Zh)),
                    en: format!("{}: not rated", x.label(crate::validation::Lang::En)),
                });
            }
            reasons
        })
        .collect()
}

/// Scores one indicator for the group's rated firms (in order), with the benchmark used.
fn score_indicator(
    at: &str,
    m: &IndicatorMethod,
    group: SizeGroup,
    firms: &[&EnterpriseYear],
    prior: &[&EnterpriseYear],
    decimals: u32,
) -> Result<(BenchmarkUsed, Vec<ItemScore>), FieldError> {
    let values: Vec<Result<f64, Figure>> = firms.iter().map(|e| m.indicator.value(e)).collect();
    let present = || values.iter().filter_map(|v| v.as_ref().ok().copied());
    let mut used = BenchmarkUsed {
        group,
        indicator: m.indicator,
        weight: m.weight,
        benchmark: None,
        min: None,
        max: None,
        firms_with_data: present().count() as u32,
        average_score: None,
    };
    // (score, capped) for a present value.
    let scorer: Box<dyn Fn(f64) -> (f64, bool)> = match m.normalisation {
        Normalisation::Ratio { max_score } => {
            let b = benchmark(at, m, firms, prior)?;
            used.benchmark = Some(b);
            let weight = m.weight;
            Box::new(move |v| {
                let raw = v / b * weight;
                match max_score {
                    Some(cap) if raw > cap => (cap, true),
                    _ => (raw, false),
                }
            })
        }
        Normalisation::MinMax { floor, span } => {
            let min = present().fold(f64::INFINITY, f64::min);
            let max = present().fold(f64::NEG_INFINITY, f64::max);
            if min.is_finite() {
                used.min = Some(min);
                used.max = Some(max);
            }
            let weight = m.weight;
            Box::new(move |v| {
                let t = if max > min { (v - min) / (max - min) } else { 1.0 };
                (weight * (floor + span * t) / 100.0, false)
            })
        }
    };
    let scored: Vec<Option<(f64, bool)>> = values
        .iter()
        .map(|v| {
            v.as_ref().ok().map(|&x| {
                let (s, capped) = scorer(x);
                (round_score(s, decimals), capped)
            })
        })
        .collect();
    let with_data: Vec<f64> = scored.iter().flatten().map(|(s, _)| *s).collect();
    let average =
        (!with_data.is_empty()).then(|| round_score(with_data.iter().sum::<f64>() / with_data.len() as f64, decimals));
    used.average_score = average;
    let items = values
        .iter()
        .zip(scored)
        .map(|(v, s)| {
            let (score, capped, rule) = match s {
                Some((score, capped)) => (score, capped, None),
                None => match m.missing {
                    MissingRule::AverageScore => (average.unwrap_or(0.0), false, Some(MissingRule::AverageScore)),
                    MissingRule::Zero => (0.0, false, Some(MissingRule::Zero)),
                },
            };
            ItemScore {
                indicator: m.indicator,
                weight: m.weight,
                value: v.as_ref().ok().copied(),
                missing: v.as_ref().err().copied(),
                missing_rule: rule,
                benchmark: used.benchmark,
                score,
                capped,
            }
        })
        .collect();
    Ok((used, items))
}

/// The benchmark of a ratio-scored indicator: the published figure, or a multiple of the county's
/// average this year or last.
fn benchmark(
    at: &str,
    m: &IndicatorMethod,
    firms: &[&EnterpriseYear],
    prior: &[&EnterpriseYear],
) -> Result<f64, FieldError> {
    let Some(Benchmark::CountyAverage {
        of,
        average,
        multiplier,
        decimals,
    }) = m.benchmark
    else {
        return match m.benchmark {
            Some(Benchmark::Fixed { value }) => Ok(value),
            _ => Err(FieldError::new(format!("{at}.benchmark"), Rule::Required)),
        };
    };
    let (base, year_zh, year_en) = match of {
        BenchmarkYear::ThisYear => (firms, "本年度", "this year"),
        BenchmarkYear::PriorYear => (prior, "上年度", "the prior year"),
    };
    let avg = match average {
        AverageKind::Aggregate => {
            let (n, d) = base
                .iter()
                .filter_map(|e| m.indicator.parts(e))
                .fold((0.0, 0.0), |(n, d), (x, y)| (n + x, d + y));
            (d > 0.0).then(|| n / d)
        }
        AverageKind::Mean => {
            let vals: Vec<f64> = base.iter().filter_map(|e| m.indicator.value(e).ok()).collect();
            (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
        }
    };
    let value = avg.map(|a| a * multiplier);
    let value = match (value, decimals) {
        (Some(v), Some(d)) => Some(round_score(v, d)),
        (v, _) => v,
    };
    match value {
        Some(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(entry_error(
            format!("{at}.benchmark"),
            format!(
                "无法计算“{}”的基准值：{year_zh}没有可用数据或平均值为 0",
                m.indicator.label(crate::validation::Lang::Zh)
            ),
            format!(
                "cannot derive the benchmark of '{}': no usable figures for {year_en}, or their average is zero",
                m.indicator.label(crate::validation::Lang::En)
            ),
        )),
    }
}

fn adjustments_of(config: &EvaluationConfig, e: &EnterpriseYear) -> Vec<AppliedAdjustment> {
    config
        .adjustments
        .iter()
        .filter_map(|a| {
            let count = *e.adjustments.get(&a.code).filter(|n| **n > 0)?;
            let raw = a.points * f64::from(count);
            let (points, capped) = match a.max_points {
                Some(cap) if raw.abs() > cap => (cap.copysign(raw), true),
                _ => (raw, false),
            };
            Some(AppliedAdjustment {
                code: a.code.clone(),
                zh: a.zh.clone(),
                en: a.en.clone(),
                count,
                points: round_score(points, config.decimals),
                capped,
            })
        })
        .collect()
}

impl Evaluation {
    /// The card of one enterprise.
    pub fn card(&self, enterprise_id: i64) -> Option<&EnterpriseResult> {
        self.enterprises.iter().find(|r| r.enterprise_id == enterprise_id)
    }

    /// Rated enterprises best first (by rank within each scope, then id): the class board.
    pub fn board(&self) -> Vec<&EnterpriseResult> {
        let mut v: Vec<&EnterpriseResult> = self.enterprises.iter().filter(|r| r.class != Class::T).collect();
        v.sort_by_key(|r| (r.group, r.class, r.rank, r.enterprise_id));
        v
    }
}
