//! The rules of an allocation round as data (`data/allocation/default-rules.json`): eligibility,
//! score weights, the allocation method, the tie-break order and the expert panel's trimming. A
//! round keeps its own copy, so a published decision can always be replayed with the rules it was
//! made under.

use super::eligibility::ViolationKind;
use crate::amount::Amount;
use crate::chain::Chain;
use crate::labelled_enum;
use crate::validation::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRules {
    /// Where the figures come from, shown with the round.
    #[serde(default)]
    pub note: Option<String>,
    pub eligibility: EligibilityRules,
    pub scoring: Vec<Weight>,
    pub method: AllocationMethod,
    /// Applied in order after the score; the lower application id decides last, so a ranking
    /// never depends on the order applications were loaded in.
    pub tie_break: Vec<TieBreak>,
    pub panel: PanelRules,
}

/// Each rule is checked only when present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityRules {
    #[serde(default)]
    pub head_enterprise: Option<HeadEnterpriseRule>,
    /// 万元.
    #[serde(default)]
    pub min_investment_wan: Option<Amount>,
    #[serde(default)]
    pub chain_reach: Option<ChainReachRule>,
    #[serde(default)]
    pub permu_class: Option<PermuClassRule>,
    #[serde(default)]
    pub no_open_violations: Option<ViolationRule>,
}

labelled_enum! {
    /// How the criteria of the head-enterprise rule combine.
    pub enum Combine {
        Any = ("any", "满足任一条件", "any criterion"),
        All = ("all", "满足全部条件", "every criterion"),
    }
}

/// 头部企业: the criteria set here, combined by `combine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadEnterpriseRule {
    pub combine: Combine,
    /// 上年营业收入 at least this, 万元.
    #[serde(default)]
    pub min_annual_revenue_wan: Option<Amount>,
    /// Being listed (上市) is a criterion.
    #[serde(default)]
    pub listed: bool,
    /// An industry ranking (行业排名) at or above this place.
    #[serde(default)]
    pub max_industry_rank: Option<u32>,
}

/// 产品至少要做到某环节: some product node is the target node or downstream of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReachRule {
    pub target_node: String,
}

/// 亩均 class not in `excluded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermuClassRule {
    pub excluded: Vec<String>,
    /// Whether an enterprise not yet rated (new, still building) passes.
    pub unrated_passes: bool,
}

/// No open violation of these kinds on the decision date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationRule {
    pub kinds: Vec<ViolationKind>,
}

labelled_enum! {
    /// What an eligible applicant is scored on. Investment, chain span and capacity are scored
    /// relative to the best eligible applicant (the best gets 100); the local-processing share is
    /// its percentage; the panel score is already out of 100.
    pub enum ScoreCriterion {
        Investment = ("investment", "投资额", "Investment"),
        ChainSpan = ("chain_span", "产业链跨度", "Chain span"),
        Capacity = ("capacity", "产能", "Capacity"),
        LocalProcessing = ("local_processing", "本地加工比例", "Local processing"),
        Panel = ("panel", "专家组评分", "Expert panel"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    pub criterion: ScoreCriterion,
    pub weight: Amount,
}

labelled_enum! {
    /// What a pro-rata share is proportional to.
    pub enum ProRataBasis {
        Requested = ("requested", "申请量", "requested amount"),
        Score = ("score", "综合得分", "total score"),
    }
}

/// How the quota is shared among eligible applicants (the exact rules are in
/// [`super::allocate`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AllocationMethod {
    /// 按排名依次配置: best score first, each gets its request until the quota runs out; the one
    /// the quota runs out on gets what is left.
    RankOrder,
    /// 按比例配置: shares proportional to `basis`, never above a request; a share below `minimum`
    /// (in the quota's unit) becomes 0 and is shared among the others.
    ProRata { basis: ProRataBasis, minimum: Amount },
}

labelled_enum! {
    /// Tie-break criteria for equal scores.
    pub enum TieBreak {
        EarlierApplication = ("earlier_application", "申请时间较早者优先", "earlier application first"),
        LargerInvestment = ("larger_investment", "承诺投资额较大者优先", "larger investment first"),
        LargerCapacity = ("larger_capacity", "承诺产能较大者优先", "larger capacity first"),
        LargerLocalProcessing = ("larger_local_processing", "本地加工比例较高者优先", "larger local processing share first"),
    }
}

/// 专家组: the panel score is the mean of the experts' scores after dropping the highest and the
/// lowest; at least `min_counted` scores must remain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelRules {
    pub drop_highest: u32,
    pub drop_lowest: u32,
    pub min_counted: u32,
}

static BUILT_IN: LazyLock<RoundRules> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../../data/allocation/default-rules.json"))
        .expect("data/allocation/default-rules.json is checked by the tests")
});

impl RoundRules {
    /// The defaults in `data/allocation/default-rules.json`.
    pub fn builtin() -> RoundRules {
        BUILT_IN.clone()
    }

    /// Reads an office's rules file; [`RoundRules::validate`] checks it against a chain.
    pub fn from_json(text: &str) -> Result<RoundRules, ValidationErrors> {
        serde_json::from_str(text).map_err(|e| {
            ValidationErrors::single(
                "rules",
                Rule::Other {
                    zh: format!("配置规则文件格式错误：{e}"),
                    en: format!("the rules file is not valid: {e}"),
                },
            )
        })
    }

    /// Checks the rules on their own and against the chain the round uses.
    pub fn validate(&self, chain: &Chain) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let e = &self.eligibility;
        if let Some(h) = &e.head_enterprise {
            if h.min_annual_revenue_wan.is_none() && !h.listed && h.max_industry_rank.is_none() {
                errs.push(
                    "eligibility.head_enterprise",
                    Rule::Other {
                        zh: "头部企业规则至少需要一个条件".into(),
                        en: "the head-enterprise rule needs at least one criterion".into(),
                    },
                );
            }
            if h.min_annual_revenue_wan.is_some_and(Amount::is_negative) {
                errs.push("eligibility.head_enterprise.min_annual_revenue_wan", Rule::Negative);
            }
            if h.max_industry_rank == Some(0) {
                errs.push(
                    "eligibility.head_enterprise.max_industry_rank",
                    Rule::OutOfRange {
                        min: "1".into(),
                        max: u32::MAX.to_string(),
                    },
                );
            }
        }
        if e.min_investment_wan.is_some_and(Amount::is_negative) {
            errs.push("eligibility.min_investment_wan", Rule::Negative);
        }
        if let Some(r) = &e.chain_reach
            && !chain.contains(&r.target_node)
        {
            errs.push(
                "eligibility.chain_reach.target_node",
                Rule::Other {
                    zh: format!("产业链中没有环节 {}", r.target_node),
                    en: format!("the chain has no node {}", r.target_node),
                },
            );
        }
        let mut total = Amount::ZERO;
        for (i, w) in self.scoring.iter().enumerate() {
            if w.weight.is_negative() {
                errs.push(format!("scoring[{i}].weight"), Rule::Negative);
            }
            if self.scoring[..i].iter().any(|o| o.criterion == w.criterion) {
                errs.push(format!("scoring[{i}].criterion"), Rule::Duplicate);
            }
            total = total.saturating_add(w.weight);
        }
        if total.raw() <= 0 {
            errs.push(
                "scoring",
                Rule::Other {
                    zh: "评分权重之和必须大于 0".into(),
                    en: "the score weights must add up to more than 0".into(),
                },
            );
        }
        if let AllocationMethod::ProRata { minimum, .. } = self.method
            && minimum.is_negative()
        {
            errs.push("method.minimum", Rule::Negative);
        }
        for (i, t) in self.tie_break.iter().enumerate() {
            if self.tie_break[..i].contains(t) {
                errs.push(format!("tie_break[{i}]"), Rule::Duplicate);
            }
        }
        if self.panel.min_counted == 0 {
            errs.push(
                "panel.min_counted",
                Rule::OutOfRange {
                    min: "1".into(),
                    max: u32::MAX.to_string(),
                },
            );
        }
        errs.into_result(|| ())
    }

    pub(crate) fn weight_total(&self) -> Amount {
        self.scoring.iter().map(|w| w.weight).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_check_out_against_the_lithium_chain() {
        let r = RoundRules::builtin();
        r.validate(&Chain::lithium()).unwrap();
        assert_eq!(r.eligibility.chain_reach.as_ref().unwrap().target_node, "cell");
        assert_eq!(r.method, AllocationMethod::RankOrder);
        assert_eq!((r.panel.drop_highest, r.panel.drop_lowest), (1, 1));
        assert_eq!(r.weight_total(), Amount::from_int(100));
    }

    #[test]
    fn rules_naming_an_unknown_target_node_or_with_no_weight_are_refused_by_field() {
        let mut r = RoundRules::builtin();
        r.eligibility.chain_reach = Some(ChainReachRule {
            target_node: "battery".into(),
        });
        for w in &mut r.scoring {
            w.weight = Amount::ZERO;
        }
        r.scoring.push(Weight {
            criterion: ScoreCriterion::Panel,
            weight: Amount::ZERO,
        });
        r.method = AllocationMethod::ProRata {
            basis: ProRataBasis::Score,
            minimum: Amount::from_int(-1),
        };
        r.tie_break.push(TieBreak::EarlierApplication);
        r.eligibility.head_enterprise = Some(HeadEnterpriseRule {
            combine: Combine::Any,
            min_annual_revenue_wan: None,
            listed: false,
            max_industry_rank: None,
        });
        let fields: Vec<String> = r
            .validate(&Chain::lithium())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "eligibility.head_enterprise",
                "eligibility.chain_reach.target_node",
                "scoring[5].criterion",
                "scoring",
                "method.minimum",
                "tie_break[2]"
            ]
        );
    }

    #[test]
    fn a_pro_rata_method_reads_from_json() {
        let m: AllocationMethod =
            serde_json::from_str(r#"{"kind":"pro_rata","basis":"requested","minimum":"500"}"#).unwrap();
        assert_eq!(
            m,
            AllocationMethod::ProRata {
                basis: ProRataBasis::Requested,
                minimum: Amount::from_int(500)
            }
        );
        assert!(RoundRules::from_json("{}").is_err());
    }
}
