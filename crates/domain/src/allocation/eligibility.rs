//! Who may receive ore: the eligibility rules of a round, checked one by one, each with a reason.

use super::commitment::Commitment;
use super::rules::{Combine, EligibilityRules};
use crate::amount::Amount;
use crate::chain::{Chain, Explanation};
use crate::labelled_enum;
use crate::validation::Lang;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

labelled_enum! {
    pub enum ViolationKind {
        /// 安全生产.
        Safety = ("safety", "安全生产", "safety"),
        /// 生态环境.
        Environment = ("environment", "生态环境", "environmental"),
    }
}

/// A safety or environmental violation on record (行政处罚, 挂牌督办 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub kind: ViolationKind,
    pub summary: String,
    pub opened_on: NaiveDate,
    /// 整改销号 date; `None` while open.
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
}

impl Violation {
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.opened_on <= date && self.closed_on.is_none_or(|c| c > date)
    }
}

/// What the office knows about the applicant itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantProfile {
    /// 上年营业收入, 万元.
    #[serde(default)]
    pub annual_revenue_wan: Option<Amount>,
    #[serde(default)]
    pub listed: bool,
    /// 行业排名 (1 = first).
    #[serde(default)]
    pub industry_rank: Option<u32>,
    /// 亩均 class code; `None` when not rated.
    #[serde(default)]
    pub permu_class: Option<String>,
    #[serde(default)]
    pub violations: Vec<Violation>,
}

/// An enterprise's application for ore in a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// When the application was received (a tie-break).
    pub applied_at: NaiveDateTime,
    /// Yearly amount asked for, in the quota's unit.
    pub requested: Amount,
    pub profile: ApplicantProfile,
    pub commitment: Commitment,
}

labelled_enum! {
    pub enum EligibilityRule {
        HeadEnterprise = ("head_enterprise", "头部企业", "Head enterprise"),
        MinInvestment = ("min_investment", "投资规模", "Minimum investment"),
        ChainReach = ("chain_reach", "产品延伸环节", "Chain reach"),
        PermuClass = ("permu_class", "亩均评价", "Per-mu class"),
        NoOpenViolation = ("no_open_violation", "安全环保", "No open violation"),
    }
}

/// One rule's verdict on one applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    pub rule: EligibilityRule,
    pub passed: bool,
    pub reason: Explanation,
}

/// Every configured rule checked on `app`, in the order of [`EligibilityRule`]. The applicant is
/// eligible when all pass. Product codes are assumed checked against the chain.
pub fn check_eligibility(
    app: &Application,
    rules: &EligibilityRules,
    chain: &Chain,
    as_of: NaiveDate,
) -> Vec<RuleCheck> {
    let mut checks = Vec::new();
    let p = &app.profile;
    if let Some(h) = &rules.head_enterprise {
        // (met, zh, en) for each configured criterion.
        let mut parts: Vec<(bool, String, String)> = Vec::new();
        if let Some(min) = h.min_annual_revenue_wan {
            parts.push(match p.annual_revenue_wan {
                Some(r) => (
                    r >= min,
                    format!(
                        "营业收入 {r} 万元{}标准 {min} 万元",
                        if r >= min { "达到" } else { "未达到" }
                    ),
                    format!(
                        "revenue {r} 万元 {} {min} 万元",
                        if r >= min { "reaches" } else { "is below" }
                    ),
                ),
                None => (false, "未提供营业收入".into(), "no revenue given".into()),
            });
        }
        if h.listed {
            parts.push(if p.listed {
                (true, "上市企业".into(), "listed".into())
            } else {
                (false, "非上市企业".into(), "not listed".into())
            });
        }
        if let Some(max) = h.max_industry_rank {
            parts.push(match p.industry_rank {
                Some(r) => (
                    r <= max,
                    format!(
                        "行业排名第 {r} 位{}前 {max} 位",
                        if r <= max { "，在" } else { "，不在" }
                    ),
                    format!(
                        "industry rank {r}, {} the top {max}",
                        if r <= max { "within" } else { "outside" }
                    ),
                ),
                None => (false, "未提供行业排名".into(), "no industry rank given".into()),
            });
        }
        let passed = match h.combine {
            Combine::Any => parts.iter().any(|x| x.0),
            Combine::All => parts.iter().all(|x| x.0),
        };
        let zh: Vec<&str> = parts.iter().map(|x| x.1.as_str()).collect();
        let en: Vec<&str> = parts.iter().map(|x| x.2.as_str()).collect();
        checks.push(RuleCheck {
            rule: EligibilityRule::HeadEnterprise,
            passed,
            reason: Explanation::new(
                format!("{}（须{}）", zh.join("；"), h.combine.label(Lang::Zh)),
                format!("{} ({} required)", en.join("; "), h.combine.label(Lang::En)),
            ),
        });
    }
    if let Some(min) = rules.min_investment_wan {
        let inv = app.commitment.investment_wan;
        let passed = inv >= min;
        checks.push(RuleCheck {
            rule: EligibilityRule::MinInvestment,
            passed,
            reason: Explanation::new(
                format!(
                    "承诺投资 {inv} 万元，{}最低要求 {min} 万元",
                    if passed { "达到" } else { "低于" }
                ),
                format!(
                    "promised investment {inv} 万元 {} the minimum {min} 万元",
                    if passed { "reaches" } else { "is below" }
                ),
            ),
        });
    }
    if let Some(r) = &rules.chain_reach {
        let target = chain.node(&r.target_node);
        let (t_zh, t_en) = target.map_or((r.target_node.as_str(), r.target_node.as_str()), |n| {
            (n.label(Lang::Zh), n.label(Lang::En))
        });
        let reaching: Vec<&String> = app
            .commitment
            .products
            .iter()
            .filter(|p| chain.reaches(&r.target_node, p))
            .collect();
        let names = |lang: Lang, list: &mut dyn Iterator<Item = &String>| -> String {
            list.map(|c| chain.node(c).map_or(c.as_str(), |n| n.label(lang)).to_string())
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "))
        };
        let passed = !reaching.is_empty();
        let reason = if passed {
            Explanation::new(
                format!(
                    "产品「{}」达到或延伸至「{t_zh}」之后",
                    names(Lang::Zh, &mut reaching.iter().copied())
                ),
                format!(
                    "{} is {t_en} or downstream of it",
                    names(Lang::En, &mut reaching.iter().copied())
                ),
            )
        } else {
            Explanation::new(
                format!(
                    "产品「{}」均未做到「{t_zh}」环节",
                    names(Lang::Zh, &mut app.commitment.products.iter())
                ),
                format!(
                    "none of {} is {t_en} or downstream of it",
                    names(Lang::En, &mut app.commitment.products.iter())
                ),
            )
        };
        checks.push(RuleCheck {
            rule: EligibilityRule::ChainReach,
            passed,
            reason,
        });
    }
    if let Some(r) = &rules.permu_class {
        let excluded = r.excluded.join("/");
        let (passed, reason) = match &p.permu_class {
            Some(c) if r.excluded.contains(c) => (
                false,
                Explanation::new(
                    format!("亩均评价为 {c} 类，属不予配置的类别（{excluded}）"),
                    format!("亩均 class {c} is excluded ({excluded})"),
                ),
            ),
            Some(c) => (
                true,
                Explanation::new(format!("亩均评价为 {c} 类"), format!("亩均 class {c}")),
            ),
            None if r.unrated_passes => (
                true,
                Explanation::new(
                    "尚未参加亩均评价，按规则视为通过",
                    "not rated yet, which the rules accept",
                ),
            ),
            None => (
                false,
                Explanation::new(
                    "尚未参加亩均评价，按规则不予配置",
                    "not rated yet, which the rules do not accept",
                ),
            ),
        };
        checks.push(RuleCheck {
            rule: EligibilityRule::PermuClass,
            passed,
            reason,
        });
    }
    if let Some(r) = &rules.no_open_violations {
        let open: Vec<&Violation> = p
            .violations
            .iter()
            .filter(|v| r.kinds.contains(&v.kind) && v.is_open_on(as_of))
            .collect();
        let reason = if open.is_empty() {
            Explanation::new(
                format!("截至 {as_of} 无未整改的安全、环保问题"),
                format!("no open safety or environmental violation on {as_of}"),
            )
        } else {
            let zh: Vec<String> = open
                .iter()
                .map(|v| format!("{}：{}（{} 起）", v.kind.label(Lang::Zh), v.summary, v.opened_on))
                .collect();
            let en: Vec<String> = open
                .iter()
                .map(|v| {
                    format!(
                        "{} violation: {} (since {})",
                        v.kind.label(Lang::En),
                        v.summary,
                        v.opened_on
                    )
                })
                .collect();
            Explanation::new(
                format!("截至 {as_of} 有未整改问题：{}", zh.join("；")),
                format!("open on {as_of}: {}", en.join("; ")),
            )
        };
        checks.push(RuleCheck {
            rule: EligibilityRule::NoOpenViolation,
            passed: open.is_empty(),
            reason,
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::rules::{ChainReachRule, HeadEnterpriseRule, PermuClassRule, RoundRules, ViolationRule};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    /// A listed cell maker with 120 亿元 revenue, ranked 5th, promising 60 亿元: passes everything
    /// in the shipped rules.
    fn good() -> Application {
        Application {
            id: 1,
            enterprise_id: 11,
            enterprise_name: "示范锂电有限公司".into(),
            applied_at: "2026-05-01T09:00:00".parse().unwrap(),
            requested: a("1000"),
            profile: ApplicantProfile {
                annual_revenue_wan: Some(a("1200000")),
                listed: true,
                industry_rank: Some(5),
                permu_class: Some("A".into()),
                violations: vec![],
            },
            commitment: Commitment {
                investment_wan: a("600000"),
                products: vec!["lithium_carbonate".into(), "cell".into()],
                capacity: a("20"),
                local_processing_pct: a("80"),
                start_by: d("2026-09-30"),
                production_by: d("2027-12-31"),
                investment_schedule: vec![],
            },
        }
    }

    fn nothing() -> EligibilityRules {
        EligibilityRules {
            head_enterprise: None,
            min_investment_wan: None,
            chain_reach: None,
            permu_class: None,
            no_open_violations: None,
        }
    }

    fn only(rules: EligibilityRules, app: &Application) -> RuleCheck {
        let mut checks = check_eligibility(app, &rules, &Chain::lithium(), d("2026-06-01"));
        assert_eq!(checks.len(), 1);
        checks.remove(0)
    }

    fn head(combine: Combine) -> EligibilityRules {
        EligibilityRules {
            head_enterprise: Some(HeadEnterpriseRule {
                combine,
                min_annual_revenue_wan: Some(a("1000000")),
                listed: true,
                max_industry_rank: Some(10),
            }),
            ..nothing()
        }
    }

    #[test]
    fn head_enterprise_with_any_criterion_passes_an_unlisted_firm_with_large_revenue() {
        let mut app = good();
        app.profile.listed = false;
        app.profile.industry_rank = Some(30);
        let c = only(head(Combine::Any), &app);
        assert!(c.passed);
        assert_eq!(
            c.reason.zh,
            "营业收入 1200000 万元达到标准 1000000 万元；非上市企业；行业排名第 30 位，不在前 10 位（须满足任一条件）"
        );
        let c = only(head(Combine::All), &app);
        assert!(!c.passed);
        assert_eq!(c.rule, EligibilityRule::HeadEnterprise);
    }

    #[test]
    fn head_enterprise_without_the_figures_fails_and_says_what_is_missing() {
        let mut app = good();
        app.profile = ApplicantProfile::default();
        let c = only(head(Combine::Any), &app);
        assert!(!c.passed);
        assert_eq!(
            c.reason.en,
            "no revenue given; not listed; no industry rank given (any criterion required)"
        );
    }

    #[test]
    fn an_investment_below_the_minimum_fails() {
        let rules = EligibilityRules {
            min_investment_wan: Some(a("500000")),
            ..nothing()
        };
        assert!(only(rules.clone(), &good()).passed);
        let mut app = good();
        app.commitment.investment_wan = a("499999.9999");
        let c = only(rules, &app);
        assert!(!c.passed);
        assert_eq!(c.reason.zh, "承诺投资 499999.9999 万元，低于最低要求 500000 万元");
    }

    #[test]
    fn products_must_reach_cells_or_beyond_along_the_chain() {
        let rules = EligibilityRules {
            chain_reach: Some(ChainReachRule {
                target_node: "cell".into(),
            }),
            ..nothing()
        };
        let c = only(rules.clone(), &good());
        assert!(c.passed);
        assert_eq!(c.reason.zh, "产品「电芯」达到或延伸至「电芯」之后");
        let mut app = good();
        // Salts and cathode material stop short of the cell stage.
        app.commitment.products = vec!["lithium_carbonate".into(), "lfp_cathode".into()];
        let c = only(rules.clone(), &app);
        assert!(!c.passed);
        assert_eq!(
            c.reason.en,
            "none of Lithium carbonate, LFP cathode is Cells or downstream of it"
        );
        // A pack maker is downstream of cells.
        app.commitment.products = vec!["pack".into()];
        assert!(only(rules.clone(), &app).passed);
        // BMS feeds packs but is not downstream of cells.
        app.commitment.products = vec!["bms".into()];
        assert!(!only(rules, &app).passed);
    }

    #[test]
    fn a_class_d_enterprise_fails_and_an_unrated_one_passes_only_if_the_rules_say_so() {
        let rules = |unrated_passes| EligibilityRules {
            permu_class: Some(PermuClassRule {
                excluded: vec!["D".into()],
                unrated_passes,
            }),
            ..nothing()
        };
        let mut app = good();
        app.profile.permu_class = Some("D".into());
        let c = only(rules(true), &app);
        assert!(!c.passed);
        assert_eq!(c.reason.zh, "亩均评价为 D 类，属不予配置的类别（D）");
        app.profile.permu_class = None;
        assert!(only(rules(true), &app).passed);
        assert!(!only(rules(false), &app).passed);
    }

    #[test]
    fn an_open_environmental_violation_fails_and_a_closed_one_does_not() {
        let rules = EligibilityRules {
            no_open_violations: Some(ViolationRule {
                kinds: vec![ViolationKind::Safety, ViolationKind::Environment],
            }),
            ..nothing()
        };
        let mut app = good();
        app.profile.violations = vec![Violation {
            kind: ViolationKind::Environment,
            summary: "锂渣违规堆存".into(),
            opened_on: d("2026-03-01"),
            closed_on: Some(d("2026-06-15")),
        }];
        let c = only(rules.clone(), &app);
        assert!(!c.passed);
        assert_eq!(
            c.reason.zh,
            "截至 2026-06-01 有未整改问题：生态环境：锂渣违规堆存（2026-03-01 起）"
        );
        app.profile.violations[0].closed_on = Some(d("2026-05-20"));
        assert!(only(rules, &app).passed);
    }

    #[test]
    fn with_the_shipped_rules_all_five_are_checked_in_order_and_one_failure_is_enough() {
        let rules = RoundRules::builtin().eligibility;
        let chain = Chain::lithium();
        let checks = check_eligibility(&good(), &rules, &chain, d("2026-06-01"));
        let names: Vec<(EligibilityRule, bool)> = checks.iter().map(|c| (c.rule, c.passed)).collect();
        use EligibilityRule::*;
        assert_eq!(
            names,
            [
                (HeadEnterprise, true),
                (MinInvestment, true),
                (ChainReach, true),
                (PermuClass, true),
                (NoOpenViolation, true)
            ]
        );
        let mut app = good();
        app.profile.permu_class = Some("D".into());
        app.commitment.products = vec!["lithium_hydroxide".into()];
        let failed: Vec<EligibilityRule> = check_eligibility(&app, &rules, &chain, d("2026-06-01"))
            .into_iter()
            .filter(|c| !c.passed)
            .map(|c| c.rule)
            .collect();
        assert_eq!(failed, [ChainReach, PermuClass]);
    }
}
