//! Deciding a round: eligibility rule by rule, scores, ranking with the stated tie-break, and the
//! quota shared by the round's method — every step written into the decision it led to.

use super::allocate::{self, Claim};
use super::eligibility::{Application, RuleCheck, check_eligibility};
use super::panel::{Opinion, PanelResult};
use super::round::Quota;
use super::rules::{AllocationMethod, ProRataBasis, RoundRules, TieBreak};
use super::scoring::{ScoreLine, score};
use crate::amount::Amount;
use crate::chain::decimal;
use crate::chain::{Chain, Explanation, Quantity};
use crate::validation::{Lang, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};
use std::collections::{HashMap, HashSet};

/// Everything a round's decision depends on, as storage loads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundInput {
    pub quota: Quota,
    /// The unit applicants state capacity in (GWh/年 …).
    pub capacity_unit: String,
    pub rules: RoundRules,
    pub applications: Vec<Application>,
}

/// The decision on one application and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub application_id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub eligible: bool,
    pub checks: Vec<RuleCheck>,
    /// Empty when not eligible.
    pub scores: Vec<ScoreLine>,
    pub total_score: Option<Amount>,
    /// 1 for the best; `None` when not eligible.
    pub rank: Option<usize>,
    pub requested: Quantity,
    pub granted: Quantity,
    /// Ranking and allocation, in the order they happened.
    pub reasons: Vec<Explanation>,
    /// The panel's opinions on this application.
    pub opinions: Vec<Opinion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundOutcome {
    /// The date eligibility was judged on (open violations).
    pub as_of: NaiveDate,
    pub quota: Quantity,
    pub granted: Quantity,
    pub unallocated: Quantity,
    /// The allocation method and the tie-break, as rules in words.
    pub method: Explanation,
    pub tie_break: Explanation,
    /// Eligible applications in rank order, then the others in the order they came.
    pub decisions: Vec<Decision>,
}

impl RoundOutcome {
    /// Says, in every chain-reach check, that the products were judged on the built-in lithium
    /// chain because the region has no chain map of its own — the chain a county stores (产业链图谱)
    /// is the one its rounds are judged on whenever there is one.
    pub fn note_built_in_chain(&mut self) {
        for c in self
            .decisions
            .iter_mut()
            .flat_map(|d| d.checks.iter_mut())
            .filter(|c| c.rule == super::eligibility::EligibilityRule::ChainReach)
        {
            c.reason
                .zh
                .push_str("（本地区尚未建立产业链图谱，按内置锂电池产业链判断）");
            c.reason
                .en
                .push_str(" (the region has no chain map of its own: judged on the built-in lithium chain)");
        }
    }
}

/// Decides a round: checks the input, then eligibility, scores, ranking and allocation.
pub fn decide_round(
    input: &RoundInput,
    chain: &Chain,
    panel: &[PanelResult],
    as_of: NaiveDate,
) -> Result<RoundOutcome, ValidationErrors> {
    validate(input, chain)?;
    let rules = &input.rules;
    let unit = input.quota.unit;
    let q = |v: Amount| Quantity::new(v, unit.unit());
    let labels = (unit.label(Lang::Zh), unit.label(Lang::En));
    let panel: HashMap<i64, &PanelResult> = panel.iter().map(|p| (p.application_id, p)).collect();

    let checks: Vec<Vec<RuleCheck>> = input
        .applications
        .iter()
        .map(|a| check_eligibility(a, &rules.eligibility, chain, as_of))
        .collect();
    let eligible: Vec<usize> = (0..input.applications.len())
        .filter(|&i| checks[i].iter().all(|c| c.passed))
        .collect();
    let apps: Vec<&Application> = eligible.iter().map(|&i| &input.applications[i]).collect();
    let scores = score(&apps, chain, rules, &panel, &input.capacity_unit);

    // Rank: total score, then the tie-break rules, then the lower application id.
    let mut order: Vec<usize> = (0..apps.len()).collect();
    order.sort_by(|&x, &y| {
        scores[y]
            .1
            .cmp(&scores[x].1)
            .then_with(|| tie(apps[x], apps[y], &rules.tie_break))
    });
    let mut reasons: Vec<Vec<Explanation>> = vec![Vec::new(); apps.len()];
    for w in order.windows(2) {
        let (x, y) = (w[0], w[1]);
        if scores[x].1 != scores[y].1 {
            continue;
        }
        let (rz, re) = decided_by(apps[x], apps[y], &rules.tie_break);
        let s = scores[x].1;
        let (ax, ay) = (apps[x], apps[y]);
        reasons[x].push(Explanation::new(
            format!(
                "与申请 #{}（{}）综合得分同为 {s}，按“{rz}”排在其前",
                ay.id, ay.enterprise_name
            ),
            format!(
                "same total score ({s}) as application #{} ({}); ranked before it: {re}",
                ay.id, ay.enterprise_name
            ),
        ));
        reasons[y].push(Explanation::new(
            format!(
                "与申请 #{}（{}）综合得分同为 {s}，按“{rz}”排在其后",
                ax.id, ax.enterprise_name
            ),
            format!(
                "same total score ({s}) as application #{} ({}); ranked after it: {re}",
                ax.id, ax.enterprise_name
            ),
        ));
    }

    let quota = input.quota.total();
    let claims: Vec<Claim> = order
        .iter()
        .map(|&i| Claim {
            requested: apps[i].requested,
            weight: match rules.method {
                AllocationMethod::ProRata {
                    basis: ProRataBasis::Score,
                    ..
                } => scores[i].1,
                _ => apps[i].requested,
            },
        })
        .collect();
    let grants = match rules.method {
        AllocationMethod::RankOrder => allocate::rank_order(&claims, quota, labels),
        AllocationMethod::ProRata { basis, minimum } => allocate::pro_rata(&claims, quota, minimum, basis, labels),
    };

    let opinions = |id: i64| panel.get(&id).map(|p| p.opinions.clone()).unwrap_or_default();
    let mut decisions = Vec::new();
    let mut granted_total = Amount::ZERO;
    for (rank, (&i, grant)) in order.iter().zip(grants).enumerate() {
        let a = apps[i];
        granted_total = granted_total.saturating_add(grant.granted);
        let mut why = std::mem::take(&mut reasons[i]);
        why.push(grant.reason);
        decisions.push(Decision {
            application_id: a.id,
            enterprise_id: a.enterprise_id,
            enterprise_name: a.enterprise_name.clone(),
            eligible: true,
            checks: checks[eligible[i]].clone(),
            scores: scores[i].0.clone(),
            total_score: Some(scores[i].1),
            rank: Some(rank + 1),
            requested: q(a.requested),
            granted: q(grant.granted),
            reasons: why,
            opinions: opinions(a.id),
        });
    }
    for (i, a) in input.applications.iter().enumerate() {
        if checks[i].iter().all(|c| c.passed) {
            continue;
        }
        let failed: Vec<&RuleCheck> = checks[i].iter().filter(|c| !c.passed).collect();
        let names = |lang: Lang| {
            failed
                .iter()
                .map(|c| c.rule.label(lang))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "))
        };
        decisions.push(Decision {
            application_id: a.id,
            enterprise_id: a.enterprise_id,
            enterprise_name: a.enterprise_name.clone(),
            eligible: false,
            checks: checks[i].clone(),
            scores: vec![],
            total_score: None,
            rank: None,
            requested: q(a.requested),
            granted: q(Amount::ZERO),
            reasons: vec![Explanation::new(
                format!("未通过“{}”，不符合配置条件，不参与评分和配置", names(Lang::Zh)),
                format!("fails {}: not eligible, so neither scored nor granted", names(Lang::En)),
            )],
            opinions: opinions(a.id),
        });
    }
    Ok(RoundOutcome {
        as_of,
        quota: q(quota),
        granted: q(granted_total),
        unallocated: q(decimal::sub(quota, granted_total)),
        method: method_text(&rules.method, labels),
        tie_break: tie_break_text(&rules.tie_break),
        decisions,
    })
}

fn tie(x: &Application, y: &Application, rules: &[TieBreak]) -> Ordering {
    rules
        .iter()
        .map(|t| compare(*t, x, y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| x.id.cmp(&y.id))
}

/// `Less` when `x` goes first under this criterion.
fn compare(t: TieBreak, x: &Application, y: &Application) -> Ordering {
    let (cx, cy) = (&x.commitment, &y.commitment);
    match t {
        TieBreak::EarlierApplication => x.applied_at.cmp(&y.applied_at),
        TieBreak::LargerInvestment => Reverse(cx.investment_wan).cmp(&Reverse(cy.investment_wan)),
        TieBreak::LargerCapacity => Reverse(cx.capacity).cmp(&Reverse(cy.capacity)),
        TieBreak::LargerLocalProcessing => Reverse(cx.local_processing_pct).cmp(&Reverse(cy.local_processing_pct)),
    }
}

/// The rule that separated two applications with equal scores, in words.
fn decided_by(x: &Application, y: &Application, rules: &[TieBreak]) -> (String, String) {
    match rules.iter().find(|t| compare(**t, x, y).is_ne()) {
        Some(t) => (t.label(Lang::Zh).to_string(), t.label(Lang::En).to_string()),
        None => ("申请编号较小者优先".into(), "lower application number first".into()),
    }
}

fn method_text(method: &AllocationMethod, (uz, ue): (&str, &str)) -> Explanation {
    match method {
        AllocationMethod::RankOrder => Explanation::new(
            "按综合得分从高到低依次足额配置；配额不足时，用完配额的那一位获得剩余配额，其后不再配置",
            "in order of total score, each request granted in full while the quota lasts; the applicant on whom it runs out gets what is left, those after get nothing",
        ),
        AllocationMethod::ProRata { basis, minimum } => Explanation::new(
            format!(
                "按{}比例配置，所得不超过申请量（超出部分由其他申请人按比例分享）；所得低于最低配置量 {minimum} {uz} 的申请人不予配置，从所得最少者起逐一剔除并重新计算；尾差 0.0001 按排名依次分配",
                basis.label(Lang::Zh)
            ),
            format!(
                "shares proportional to {}, never above a request (the excess is shared among the others); a share below the minimum of {minimum} {ue} becomes 0, dropping the smallest first and sharing again; leftover 0.0001 units go in rank order",
                basis.label(Lang::En)
            ),
        ),
    }
}

fn tie_break_text(rules: &[TieBreak]) -> Explanation {
    let zh: Vec<&str> = rules
        .iter()
        .map(|t| t.label(Lang::Zh))
        .chain(["申请编号较小者优先"])
        .collect();
    let en: Vec<&str> = rules
        .iter()
        .map(|t| t.label(Lang::En))
        .chain(["lower application number first"])
        .collect();
    Explanation::new(
        format!("综合得分相同时：{}", zh.join("，其次")),
        format!("on equal total scores: {}", en.join(", then ")),
    )
}

fn validate(input: &RoundInput, chain: &Chain) -> Result<(), ValidationErrors> {
    let mut errs = match input.rules.validate(chain) {
        Ok(()) => ValidationErrors::new(),
        Err(e) => ValidationErrors(
            e.0.into_iter()
                .map(|mut f| {
                    f.field = format!("rules.{}", f.field);
                    f
                })
                .collect(),
        ),
    };
    input.quota.check(&mut errs);
    if input.capacity_unit.trim().is_empty() {
        errs.push("capacity_unit", Rule::Required);
    }
    let mut ids = HashSet::new();
    for (i, a) in input.applications.iter().enumerate() {
        let f = |name: &str| format!("applications[{i}].{name}");
        if !ids.insert(a.id) {
            errs.push(f("id"), Rule::Duplicate);
        }
        if a.requested.raw() <= 0 {
            errs.push(
                f("requested"),
                Rule::Other {
                    zh: "申请量必须大于 0".into(),
                    en: "must be greater than 0".into(),
                },
            );
        }
        if a.profile.annual_revenue_wan.is_some_and(Amount::is_negative) {
            errs.push(f("profile.annual_revenue_wan"), Rule::Negative);
        }
        if a.commitment.products.is_empty() {
            errs.push(f("commitment.products"), Rule::Required);
        }
        for (j, p) in a.commitment.products.iter().enumerate() {
            if !chain.contains(p) {
                errs.push(
                    f(&format!("commitment.products[{j}]")),
                    Rule::Other {
                        zh: format!("产业链中没有环节 {p}"),
                        en: format!("the chain has no node {p}"),
                    },
                );
            }
        }
        a.commitment.check(&f("commitment"), &mut errs);
    }
    errs.into_result(|| ())
}
