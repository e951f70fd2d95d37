//! A round from applications to published decisions, on hand-computed cases.

use super::*;
use crate::amount::Amount;
use crate::chain::{Chain, Quantity, Unit};
use crate::validation::Lang;
use chrono::NaiveDate;

fn a(s: &str) -> Amount {
    s.parse().unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn lce(s: &str) -> Quantity {
    Quantity::new(a(s), Unit::TonnesLcePerYear)
}

fn application(id: i64, name: &str, investment: &str, products: &[&str]) -> Application {
    Application {
        id,
        enterprise_id: 100 + id,
        enterprise_name: name.into(),
        applied_at: format!("2026-05-0{id}T09:00:00").parse().unwrap(),
        requested: a("1500"),
        profile: ApplicantProfile {
            annual_revenue_wan: Some(a("2000000")),
            listed: true,
            industry_rank: Some(3),
            permu_class: Some("B".into()),
            violations: vec![],
        },
        commitment: Commitment {
            investment_wan: a(investment),
            products: products.iter().map(|p| p.to_string()).collect(),
            capacity: a("10"),
            local_processing_pct: a("80"),
            start_by: d("2026-10-31"),
            production_by: d("2027-12-31"),
            investment_schedule: vec![],
        },
    }
}

/// The shipped eligibility rules with weights that are easy to follow by hand.
fn rules(scoring: &[(ScoreCriterion, &str)], method: AllocationMethod) -> RoundRules {
    RoundRules {
        scoring: scoring
            .iter()
            .map(|(c, w)| Weight {
                criterion: *c,
                weight: a(w),
            })
            .collect(),
        method,
        ..RoundRules::builtin()
    }
}

fn quota(sources: &[(i64, &str)]) -> Quota {
    Quota {
        unit: QuotaUnit::LcePerYear,
        sources: sources
            .iter()
            .map(|(id, v)| QuotaSource {
                deposit_id: *id,
                amount: a(v),
            })
            .collect(),
    }
}

fn summary(o: &RoundOutcome) -> Vec<(i64, Option<usize>, Option<Amount>, Amount)> {
    o.decisions
        .iter()
        .map(|d| (d.application_id, d.rank, d.total_score, d.granted.value))
        .collect()
}

#[test]
fn rank_order_grants_the_best_in_full_and_the_next_what_is_left_and_says_why_for_everyone() {
    use ScoreCriterion::*;
    let mut apps = vec![
        application(1, "甲锂电", "800000", &["lithium_carbonate", "cell"]),
        application(2, "乙新能源", "600000", &["cell", "pack"]),
        // Salts only: stops short of cells.
        application(3, "丙锂业", "900000", &["lithium_carbonate"]),
        application(4, "丁材料", "700000", &["cell"]),
    ];
    apps[0].requested = a("2000");
    apps[0].commitment.capacity = a("20");
    apps[1].commitment.local_processing_pct = a("90");
    apps[3].profile.permu_class = Some("D".into());
    let input = RoundInput {
        quota: quota(&[(1, "2000"), (2, "1000")]),
        capacity_unit: "GWh/年".into(),
        rules: rules(
            &[
                (Investment, "40"),
                (ChainSpan, "20"),
                (Capacity, "20"),
                (LocalProcessing, "20"),
            ],
            AllocationMethod::RankOrder,
        ),
        applications: apps,
    };
    let o = decide_round(&input, &Chain::lithium(), &[], d("2026-06-01")).unwrap();
    // 甲: investment 100 × 0.4 + span 4/4 → 100 × 0.2 + capacity 100 × 0.2 + local 80 × 0.2 = 96
    // 乙: 75 × 0.4 + span 3/4 → 75 × 0.2 + 50 × 0.2 + 90 × 0.2 = 73
    assert_eq!(
        summary(&o),
        [
            (1, Some(1), Some(a("96")), a("2000")),
            (2, Some(2), Some(a("73")), a("1000")),
            (3, None, None, a("0")),
            (4, None, None, a("0")),
        ]
    );
    assert_eq!(
        (o.quota, o.granted, o.unallocated),
        (lce("3000"), lce("3000"), lce("0"))
    );
    let yi = &o.decisions[1];
    let lines: Vec<(ScoreCriterion, Amount, Amount)> = yi
        .scores
        .iter()
        .map(|l| (l.criterion, l.normalised, l.points))
        .collect();
    assert_eq!(
        lines,
        [
            (Investment, a("75"), a("30")),
            (ChainSpan, a("75"), a("15")),
            (Capacity, a("50"), a("10")),
            (LocalProcessing, a("90"), a("18")),
        ]
    );
    assert_eq!(yi.scores[1].value.en, "3 links");
    assert_eq!(
        yi.reasons.last().unwrap().zh,
        "排名第 2 位，申请 1500 吨碳酸锂当量/年，配额仅余 1000 吨碳酸锂当量/年，全部配置给本申请"
    );
    let bing = &o.decisions[2];
    assert!(!bing.eligible);
    assert_eq!(bing.checks.len(), 5);
    assert_eq!(
        bing.reasons[0].zh,
        "未通过“产品延伸环节”，不符合配置条件，不参与评分和配置"
    );
    assert_eq!(
        o.decisions[3].reasons[0].en,
        "fails Per-mu class: not eligible, so neither scored nor granted"
    );
}

#[test]
fn equal_scores_go_to_the_earlier_application_and_a_small_quota_goes_wholly_to_it() {
    use ScoreCriterion::*;
    // Same promises; 戊 applied on 5 May, 己 on 3 May.
    let apps = vec![
        application(5, "戊电池", "600000", &["cell"]),
        application(3, "己电池", "600000", &["cell"]),
    ];
    let input = RoundInput {
        quota: quota(&[(1, "1000")]),
        capacity_unit: "GWh/年".into(),
        rules: rules(
            &[(Investment, "50"), (LocalProcessing, "50")],
            AllocationMethod::RankOrder,
        ),
        applications: apps,
    };
    let o = decide_round(&input, &Chain::lithium(), &[], d("2026-06-01")).unwrap();
    // Both: 100 × 0.5 + 80 × 0.5 = 90. The quota (1000) is below one request (1500).
    assert_eq!(
        summary(&o),
        [
            (3, Some(1), Some(a("90")), a("1000")),
            (5, Some(2), Some(a("90")), a("0"))
        ]
    );
    assert_eq!(
        o.decisions[0].reasons[0].zh,
        "与申请 #5（戊电池）综合得分同为 90，按“申请时间较早者优先”排在其前"
    );
    assert_eq!(
        o.decisions[1].reasons[0].en,
        "same total score (90) as application #3 (己电池); ranked after it: earlier application first"
    );
    assert_eq!(
        o.tie_break.zh,
        "综合得分相同时：申请时间较早者优先，其次承诺投资额较大者优先，其次申请编号较小者优先"
    );
}

#[test]
fn ties_on_time_fall_to_the_larger_investment_and_then_to_the_lower_number() {
    use ScoreCriterion::*;
    let mut apps = vec![
        application(7, "庚", "600000", &["cell"]),
        application(8, "辛", "700000", &["cell"]),
        application(9, "壬", "600000", &["cell"]),
    ];
    for app in &mut apps {
        app.applied_at = "2026-05-01T09:00:00".parse().unwrap();
    }
    let input = RoundInput {
        quota: quota(&[(1, "5000")]),
        capacity_unit: "GWh/年".into(),
        // Only local processing is scored, so all three tie.
        rules: rules(&[(LocalProcessing, "1")], AllocationMethod::RankOrder),
        applications: apps,
    };
    let o = decide_round(&input, &Chain::lithium(), &[], d("2026-06-01")).unwrap();
    let order: Vec<i64> = o.decisions.iter().map(|d| d.application_id).collect();
    assert_eq!(order, [8, 7, 9]);
    assert!(o.decisions[1].reasons[1].zh.ends_with("按“申请编号较小者优先”排在其前"));
}

#[test]
fn pro_rata_by_score_with_the_panel_drops_the_share_below_the_minimum_and_redistributes_it() {
    use ScoreCriterion::*;
    let mut apps = vec![
        application(1, "甲", "800000", &["cell"]),
        application(2, "乙", "400000", &["cell"]),
        application(3, "丙", "200000", &["cell"]),
    ];
    for app in &mut apps {
        app.requested = a("1000");
    }
    // Panel out of 100 (one criterion). 甲: 90 80 70 60 95 → 80. 乙: 75 70 65 → 70 (one high and
    // one low dropped leaves 1; the round asks for at least 1 here). 丙: 3 sheets, one expert in
    // conflict → 2 left → none after trimming → no panel score.
    let sheet = |expert: i64, app: i64, points: &str| ScoreSheet {
        expert_id: expert,
        application_id: app,
        points: [("overall".to_string(), a(points))].into(),
        opinion: format!("专家{expert}：同意"),
    };
    let panel_input = PanelInput {
        criteria: vec![PanelCriterion {
            code: "overall".into(),
            name: "综合".into(),
            max_points: a("100"),
        }],
        sheets: vec![
            sheet(1, 1, "90"),
            sheet(2, 1, "80"),
            sheet(3, 1, "70"),
            sheet(4, 1, "60"),
            sheet(5, 1, "95"),
            sheet(1, 2, "75"),
            sheet(2, 2, "70"),
            sheet(3, 2, "65"),
            sheet(1, 3, "99"),
            sheet(2, 3, "98"),
            sheet(3, 3, "97"),
        ],
        conflicts: vec![ConflictDeclaration {
            expert_id: 1,
            application_id: 3,
            reason: "亲属任职".into(),
        }],
    };
    let mut round_rules = rules(
        &[(Investment, "50"), (Panel, "50")],
        AllocationMethod::ProRata {
            basis: ProRataBasis::Score,
            minimum: a("300"),
        },
    );
    round_rules.panel.min_counted = 1;
    round_rules.eligibility.min_investment_wan = Some(a("100000"));
    let panel = panel_scores(&panel_input, &round_rules.panel).unwrap();
    assert_eq!(
        panel.iter().map(|p| p.score).collect::<Vec<_>>(),
        [Some(a("80")), Some(a("70")), None]
    );
    let input = RoundInput {
        quota: quota(&[(1, "1000"), (2, "600")]),
        capacity_unit: "GWh/年".into(),
        rules: round_rules,
        applications: apps,
    };
    let o = decide_round(&input, &Chain::lithium(), &panel, d("2026-06-01")).unwrap();
    // Scores: 甲 100 × 0.5 + 80 × 0.5 = 90; 乙 50 × 0.5 + 70 × 0.5 = 60; 丙 25 × 0.5 + 0 = 12.5.
    // Shares of 1600 by 90 : 60 : 12.5 → 886.15 / 590.77 / 123.08; 丙 is below 300 and drops;
    // 1600 by 90 : 60 → 960 / 640.
    assert_eq!(
        summary(&o),
        [
            (1, Some(1), Some(a("90")), a("960")),
            (2, Some(2), Some(a("60")), a("640")),
            (3, Some(3), Some(a("12.5")), a("0")),
        ]
    );
    let bing = &o.decisions[2];
    assert_eq!(bing.scores[1].normalised, Amount::ZERO);
    assert!(
        bing.scores[1]
            .note
            .as_ref()
            .unwrap()
            .zh
            .contains("1 位专家因利益冲突回避")
    );
    assert_eq!(
        bing.reasons[0].zh,
        "按综合得分比例应得 123.0769 吨碳酸锂当量/年，低于最低配置量 300 吨碳酸锂当量/年，不予配置，其份额由其他申请人按比例分享"
    );
    // Opinions travel with the decision; the conflicted expert's does not.
    assert_eq!(bing.opinions.iter().map(|o| o.expert_id).collect::<Vec<_>>(), [2, 3]);
    assert!(o.method.zh.starts_with("按综合得分比例配置"));
}

#[test]
fn the_whole_decision_serialises_so_a_published_round_can_be_stored_and_shown_as_it_was() {
    let input = RoundInput {
        quota: quota(&[(1, "1000")]),
        capacity_unit: "GWh/年".into(),
        rules: RoundRules::builtin(),
        applications: vec![application(1, "甲", "800000", &["cell"])],
    };
    let o = decide_round(&input, &Chain::lithium(), &[], d("2026-06-01")).unwrap();
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["decisions"][0]["checks"][2]["rule"], "chain_reach");
    assert_eq!(
        json["decisions"][0]["granted"],
        serde_json::json!({"value": "1000", "unit": "t_lce_per_year"})
    );
    let back: RoundOutcome = serde_json::from_value(json).unwrap();
    assert_eq!(back, o);
}

#[test]
fn a_round_with_unknown_products_a_bad_quota_or_rules_is_refused_naming_each_field() {
    let mut app = application(1, "甲", "800000", &["cells"]);
    app.requested = Amount::ZERO;
    let mut round_rules = RoundRules::builtin();
    round_rules.eligibility.chain_reach = Some(ChainReachRule {
        target_node: "battery".into(),
    });
    let input = RoundInput {
        quota: quota(&[]),
        capacity_unit: " ".into(),
        rules: round_rules,
        applications: vec![app.clone(), app],
    };
    let errs = decide_round(&input, &Chain::lithium(), &[], d("2026-06-01")).unwrap_err();
    let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "rules.eligibility.chain_reach.target_node",
            "quota.sources",
            "capacity_unit",
            "applications[0].requested",
            "applications[0].commitment.products[0]",
            "applications[1].id",
            "applications[1].requested",
            "applications[1].commitment.products[0]",
        ]
    );
    assert_eq!(errs.0[4].rule.message(Lang::Zh), "产业链中没有环节 cells");
}
