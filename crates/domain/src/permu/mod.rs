//! 亩均论英雄 — the per-mu comprehensive benefit evaluation of enterprises (DOMAIN.md §2).
//!
//! "投资质量以亩产论英雄": every year the county rates its industrial enterprises on what they yield
//! per mu of land and per unit of energy, emissions and labour, sorts them into classes A/B/C/D
//! (T for not rated), and ties land, energy and electricity prices to the class.
//!
//! * [`input`] — one enterprise's figures for the year, and the figures that cannot be true;
//! * [`indicator`] — the indicators and their formulas;
//! * [`config`] — a county's method as versioned data (`data/permu/*.json`);
//! * [`evaluate`](mod@evaluate) — scoring, bonus and deduction items, ranking;
//! * [`class`] — quotas and the tie rule; [`policy`] — the policy table per class.
//!
//! **Reproducible.** A published evaluation is frozen: the result is a deterministic function of
//! the method and the figures, and carries the method's content hash.

pub mod class;
pub mod config;
pub mod evaluate;
pub mod indicator;
pub mod input;
pub mod policy;

#[cfg(test)]
mod tests;

pub use class::{Class, ClassRules, Quota, Scope, TieClass, TieRule};
pub use config::{
    AdjustmentItem, AverageKind, Benchmark, BenchmarkYear, COMMITMENT_BEHIND, EvaluationConfig, GroupMethod,
    IndicatorMethod, MissingRule, Normalisation,
};
pub use evaluate::{
    AppliedAdjustment, BenchmarkUsed, EnterpriseResult, Evaluation, EvaluationData, ItemScore, evaluate, round_score,
};
pub use indicator::{Figure, Indicator};
pub use input::{EnterpriseYear, Exemption, Reason, SizeGroup};
pub use policy::{AppliedPolicy, ClassPolicy, EnergyPolicy, LandPolicy, Measure, SurchargeStep};

/// The methods shipped with chainforce, embedded so the binary needs no files. An administrator
/// adds a county's own method at run time through [`EvaluationConfig::from_json`].
const BUILT_IN: &[&str] = &[
    include_str!("../../../../data/permu/huangyan-2022.json"),
    include_str!("../../../../data/permu/huaian-style.json"),
    include_str!("../../../../data/permu/jingde-minmax.json"),
];

/// The shipped methods, checked.
pub fn built_in_methods() -> Vec<EvaluationConfig> {
    BUILT_IN
        .iter()
        .map(|text| EvaluationConfig::from_json(text).expect("shipped methods are valid"))
        .collect()
}

/// A shipped method by its id (`huangyan-2022`, `huaian-style`, `jingde-minmax`).
pub fn built_in_method(id: &str) -> Option<EvaluationConfig> {
    built_in_methods().into_iter().find(|c| c.id == id)
}
