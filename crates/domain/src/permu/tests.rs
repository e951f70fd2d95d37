//! The evaluation as a county office sees it: shipped methods on hand-computed enterprises.

use super::*;
use crate::amount::Amount;
use crate::validation::Lang;

fn amt(s: &str) -> Option<Amount> {
    Some(Amount::parse_plain(s).unwrap())
}

/// A 规上 firm with every figure given.
#[allow(clippy::too_many_arguments)]
fn above(
    id: i64,
    land: &str,
    tax: &str,
    value_added: &str,
    energy: &str,
    emissions: Option<&str>,
    employees: i64,
    rd: &str,
    revenue: &str,
) -> EnterpriseYear {
    let mut e = EnterpriseYear::new(id, format!("企业{id}"), SizeGroup::AboveScale);
    e.land_mu = amt(land);
    e.tax = amt(tax);
    e.value_added = amt(value_added);
    e.energy_tce = amt(energy);
    e.emissions_t = emissions.and_then(amt);
    e.employees = Some(employees);
    e.rd_spending = amt(rd);
    e.revenue = amt(revenue);
    e
}

fn below(id: i64, land: &str, tax: &str, kwh: &str) -> EnterpriseYear {
    let mut e = EnterpriseYear::new(id, format!("小微{id}"), SizeGroup::BelowScale);
    e.land_mu = amt(land);
    e.tax = amt(tax);
    e.electricity_kwh = amt(kwh);
    e
}

fn run(method: &str, enterprises: Vec<EnterpriseYear>) -> Evaluation {
    run_with_prior(method, enterprises, vec![])
}

fn run_with_prior(method: &str, enterprises: Vec<EnterpriseYear>, prior_year: Vec<EnterpriseYear>) -> Evaluation {
    let config = built_in_method(method).unwrap();
    let data = EvaluationData {
        year: 2022,
        enterprises,
        prior_year,
    };
    evaluate(&config, &data).unwrap()
}

fn scores(card: &EnterpriseResult) -> Vec<f64> {
    card.items.iter().map(|i| i.score).collect()
}

/// Exactly at every 黄岩 benchmark: 907 亩 (chosen so that 136.16 × 907 ÷ 18.14 is a whole
/// headcount), tax 24.097 × 907 = 21855.979, value added 136.16 × 907 = 123497.12, energy
/// 123497.12 ÷ 2.694 and emissions 123497.12 ÷ 4929.81 to four places, 6808 employees, R&D 3.02% of
/// revenue. Each item scores its weight.
fn at_benchmark(id: i64) -> EnterpriseYear {
    above(
        id,
        "907",
        "21855.979",
        "123497.12",
        "45841.5442",
        Some("25.0511"),
        6808,
        "30200",
        "1000000",
    )
}

/// 100 亩, tax 3000, value added 10000, energy 5000 tce, emissions 2.5 t, 500 employees, R&D 150
/// on revenue 5000.
fn worked(id: i64, emissions: Option<&str>) -> EnterpriseYear {
    above(id, "100", "3000", "10000", "5000", emissions, 500, "150", "5000")
}

#[test]
fn huangyan_2022_a_firm_exactly_at_every_benchmark_scores_100() {
    let ev = run("huangyan-2022", vec![at_benchmark(1)]);
    let card = ev.card(1).unwrap();
    assert_eq!(scores(card), [30.0, 20.0, 20.0, 10.0, 10.0, 10.0]);
    assert_eq!(card.total_score, Some(100.0));
}

#[test]
fn huangyan_2022_reproduces_a_hand_computed_enterprise() {
    // 亩均税收        3000 ÷ 100 = 30       → 30 ÷ 24.097 × 30     = 37.3490… → 37.35
    // 亩均增加值      10000 ÷ 100 = 100     → 100 ÷ 136.16 × 20    = 14.6886… → 14.69
    // 单位能耗增加值  10000 ÷ 5000 = 2      → 2 ÷ 2.694 × 20       = 14.8478… → 14.85
    // 单位排放增加值  10000 ÷ 2.5 = 4000    → 4000 ÷ 4929.81 × 10  =  8.1139… →  8.11
    // 全员劳动生产率  10000 ÷ 500 = 20      → 20 ÷ 18.14 × 10      = 11.0253… → 11.03
    // R&D 占比        150 ÷ 5000 = 0.03     → 0.03 ÷ 0.0302 × 10   =  9.9337… →  9.93
    // total 37.35 + 14.69 + 14.85 + 8.11 + 11.03 + 9.93 = 95.96
    let ev = run("huangyan-2022", vec![at_benchmark(1), worked(2, Some("2.5"))]);
    let card = ev.card(2).unwrap();
    assert_eq!(scores(card), [37.35, 14.69, 14.85, 8.11, 11.03, 9.93]);
    assert_eq!(card.total_score, Some(95.96));
    let tax = &card.items[0];
    assert_eq!(
        (tax.indicator, tax.value, tax.benchmark, tax.weight),
        (Indicator::TaxPerMu, Some(30.0), Some(24.097), 30.0)
    );
    assert_eq!(card.rank, Some(2));
}

#[test]
fn a_firm_with_no_emission_data_gets_the_average_emission_score_of_the_firms_that_have_it() {
    // Firms 1 and 2 score 10.00 and 8.11 on emissions: average 9.055 → 9.06. Firm 3 is firm 2
    // without an emission figure: 95.96 − 8.11 + 9.06 = 96.91.
    let ev = run(
        "huangyan-2022",
        vec![at_benchmark(1), worked(2, Some("2.5")), worked(3, None)],
    );
    let card = ev.card(3).unwrap();
    let emission = &card.items[3];
    assert_eq!(emission.indicator, Indicator::ValueAddedPerEmission);
    assert_eq!(emission.value, None);
    assert_eq!(emission.missing, Some(Figure::Emissions));
    assert_eq!(emission.missing_rule, Some(MissingRule::AverageScore));
    assert_eq!(emission.score, 9.06);
    assert_eq!(card.total_score, Some(96.91));
    // Other missing figures score zero under this method: no R&D figure, no R&D points.
    let mut no_rd = worked(4, Some("2.5"));
    no_rd.rd_spending = None;
    let ev = run("huangyan-2022", vec![no_rd]);
    let rd = &ev.card(4).unwrap().items[5];
    assert_eq!((rd.score, rd.missing_rule), (0.0, Some(MissingRule::Zero)));
}

#[test]
fn below_scale_firms_are_measured_against_the_county_aggregate_of_rated_firms_only() {
    // 规下 benchmarks are this year's aggregates: 亩均税收 (50 + 50) ÷ (10 + 30) = 2.5 万元/亩,
    // 单位用电税收 1 000 000 元 ÷ 1 250 000 kWh = 0.8 元/kWh. Firm 12's tax on zero land is
    // impossible: it is T and its 900 万元 do not enter the benchmark.
    // Firm 10: 5 ÷ 2.5 × 50 = 100, 0.5 ÷ 0.8 × 50 = 31.25 → 131.25
    // Firm 11: 1.6667 ÷ 2.5 × 50 = 33.33, 2 ÷ 0.8 × 50 = 125 → 158.33
    let ev = run(
        "huangyan-2022",
        vec![
            below(10, "10", "50", "1000000"),
            below(11, "30", "50", "250000"),
            below(12, "0", "900", "100000"),
        ],
    );
    let used: Vec<Option<f64>> = ev
        .benchmarks
        .iter()
        .filter(|b| b.group == SizeGroup::BelowScale)
        .map(|b| b.benchmark)
        .collect();
    assert_eq!(used, [Some(2.5), Some(0.8)]);
    assert_eq!(ev.card(10).unwrap().total_score, Some(131.25));
    assert_eq!(scores(ev.card(11).unwrap()), [33.33, 125.0]);
    assert_eq!(ev.card(11).unwrap().total_score, Some(158.33));
    assert_eq!(ev.card(12).unwrap().class, Class::T);
}

#[test]
fn impossible_figures_make_a_firm_t_with_every_reason_while_the_others_are_still_ranked() {
    let mut negative_land = worked(2, Some("2.5"));
    negative_land.land_mu = amt("-100");
    negative_land.energy_tce = amt("-1");
    let mut tax_without_land = worked(3, Some("2.5"));
    tax_without_land.land_mu = amt("0");
    let ev = run(
        "huangyan-2022",
        vec![at_benchmark(1), negative_land, tax_without_land, worked(4, Some("2.5"))],
    );
    let two = ev.card(2).unwrap();
    assert_eq!(two.class, Class::T);
    let fields: Vec<&str> = two.not_rated.iter().map(|r| r.field.as_str()).collect();
    assert_eq!(fields, ["land_mu", "energy_tce"]);
    assert_eq!(two.not_rated[0].text(Lang::Zh), "不能为负数");
    assert!(two.items.is_empty() && two.total_score.is_none());
    let three = ev.card(3).unwrap();
    assert_eq!(three.class, Class::T);
    assert_eq!(three.not_rated[0].field, "tax");
    assert_eq!(
        three.not_rated[0].text(Lang::En),
        "tax of 3000 (10k yuan) reported on zero land"
    );
    // The sound firms are ranked among themselves only.
    let four = ev.card(4).unwrap();
    assert_eq!(
        (four.total_score, four.rank, four.ranked_among),
        (Some(95.96), Some(2), Some(2))
    );
    assert_eq!(ev.distribution[&Class::T], 2);
}

#[test]
fn a_start_up_is_not_rated_and_is_managed_as_b() {
    let mut start_up = worked(5, Some("2.5"));
    start_up.exemption = Some(Exemption::StartUp);
    let ev = run("huangyan-2022", vec![start_up]);
    let card = ev.card(5).unwrap();
    assert_eq!(card.class, Class::T);
    assert_eq!(card.not_rated[0].text(Lang::Zh), "新办企业，暂不评价");
    let policy = card.policy.as_ref().unwrap();
    assert_eq!((policy.row, policy.land), (Class::B, LandPolicy::Normal));
}

#[test]
fn twenty_firms_fill_the_quotas_and_the_d_firms_pay_the_surcharge_for_their_year_in_d() {
    // Tax per mu 20, 19, …, 1 with everything else at the benchmark: strictly falling totals.
    // Quotas over 20 firms: A ⌊20% × 20⌋ = 4, B to 14, C to 19, D the last one.
    let firms: Vec<EnterpriseYear> = (1..=20)
        .map(|id| {
            let mut e = at_benchmark(id);
            e.tax = amt(&(907 * (21 - id)).to_string());
            if id == 20 {
                e.previous_classes = vec![Class::D, Class::D, Class::C];
            }
            e
        })
        .collect();
    let ev = run("huangyan-2022", firms);
    let classes: Vec<Class> = ev.enterprises.iter().map(|r| r.class).collect();
    let expected: Vec<Class> = [(Class::A, 4), (Class::B, 10), (Class::C, 5), (Class::D, 1)]
        .into_iter()
        .flat_map(|(c, n)| std::iter::repeat_n(c, n))
        .collect();
    assert_eq!(classes, expected);
    let d = ev.card(20).unwrap().policy.as_ref().unwrap();
    assert_eq!(d.years_in_class, 3);
    assert_eq!(d.electricity_surcharge_yuan_per_kwh, amt("0.15"));
    assert_eq!(d.land, LandPolicy::BarredFromAuctions);
    let a = ev.card(1).unwrap().policy.as_ref().unwrap();
    assert_eq!((a.land, a.energy), (LandPolicy::Priority, EnergyPolicy::Priority));
    assert_eq!(
        ev.card(15).unwrap().policy.as_ref().unwrap().land,
        LandPolicy::NoNewLand
    );
}

/// A one-indicator method for tie stories: 亩均税收 ÷ 10 × 50 and 亩均增加值 ÷ 10 × 50.
fn tie_method(break_by: &str, then: &str) -> EvaluationConfig {
    EvaluationConfig::from_json(&format!(
        r#"{{"id": "ties", "name": "并列规则",
            "groups": [{{"group": "above_scale", "indicators": [
              {{"indicator": "tax_per_mu", "weight": 50, "benchmark": {{"kind": "fixed", "value": 10}}}},
              {{"indicator": "value_added_per_mu", "weight": 50, "benchmark": {{"kind": "fixed", "value": 10}}}}]}}],
            "classes": {{"scope": "pooled",
              "quotas": [{{"class": "A", "up_to_percent": 20}}, {{"class": "B", "up_to_percent": 70}},
                         {{"class": "C", "up_to_percent": 95}}, {{"class": "D", "up_to_percent": 100}}],
              "ties": {{"break_by": [{break_by}], "then": "{then}"}}}}}}"#
    ))
    .unwrap()
}

fn per_mu(id: i64, tax: i64, value_added: i64) -> EnterpriseYear {
    let mut e = EnterpriseYear::new(id, format!("企业{id}"), SizeGroup::AboveScale);
    e.land_mu = amt("1");
    e.tax = Some(Amount::from_int(tax));
    e.value_added = Some(Amount::from_int(value_added));
    e
}

#[test]
fn firms_tied_on_the_a_boundary_share_a_rank_and_the_class_the_method_states() {
    // Ten firms; A reaches position ⌊20% × 10⌋ = 2. Firms 2 and 3 both score 90 (12×5 + 6×5 and
    // 6×5 + 12×5), tied for position 2.
    let firms = || {
        let mut v = vec![per_mu(1, 10, 10), per_mu(2, 12, 6), per_mu(3, 6, 12)];
        v.extend((4..=10).map(|id| per_mu(id, 10 - id, 10 - id)));
        v
    };
    let data = EvaluationData {
        year: 2022,
        enterprises: firms(),
        prior_year: vec![],
    };
    let class_of = |ev: &Evaluation, id| {
        let c = ev.card(id).unwrap();
        (c.rank.unwrap(), c.class)
    };
    let higher = evaluate(&tie_method("", "higher_class"), &data).unwrap();
    assert_eq!(higher.card(2).unwrap().total_score, Some(90.0));
    assert_eq!(class_of(&higher, 2), (2, Class::A));
    assert_eq!(class_of(&higher, 3), (2, Class::A));
    assert_eq!(class_of(&higher, 4), (4, Class::B));
    let lower = evaluate(&tie_method("", "lower_class"), &data).unwrap();
    assert_eq!(class_of(&lower, 2), (2, Class::B));
    assert_eq!(class_of(&lower, 3), (2, Class::B));
    // Broken by 亩均税收, firm 2 (12) is ahead of firm 3 (6) and takes the last A place.
    let broken = evaluate(&tie_method("\"tax_per_mu\"", "lower_class"), &data).unwrap();
    assert_eq!(class_of(&broken, 2), (2, Class::A));
    assert_eq!(class_of(&broken, 3), (3, Class::B));
}

#[test]
fn huaian_style_benchmarks_are_twice_last_years_county_average_with_caps_bonuses_and_a_veto() {
    // Last year: land 100 + 100, tax 1000 + 500, revenue 20000 + 10000, energy 2000 + 500.
    // Benchmarks = 2 × aggregate: 亩均税收 2 × 7.5 = 15, 亩均销售 2 × 150 = 300,
    // 单位能耗税收 2 × 0.6 = 1.2.
    let firm = |id, land: &str, tax: &str, revenue: &str, energy: &str| {
        let mut e = EnterpriseYear::new(id, format!("企业{id}"), SizeGroup::AboveScale);
        e.land_mu = amt(land);
        e.tax = amt(tax);
        e.revenue = amt(revenue);
        e.energy_tce = amt(energy);
        e
    };
    let prior = vec![
        firm(1, "100", "1000", "20000", "2000"),
        firm(2, "100", "500", "10000", "500"),
    ];
    // X: 18 ÷ 15 × 45 = 54; 240 ÷ 300 × 35 = 28; 1.5 ÷ 1.2 × 20 = 25 → 107;
    //    high-tech +3, four environmental penalties −12 capped at −9 → 101.
    let mut x = firm(1, "50", "900", "12000", "600");
    x.adjustments.insert("high_tech".into(), 1);
    x.adjustments.insert("environmental_penalty".into(), 4);
    // Y: 50 ÷ 15 × 45 = 150 capped at 67.5; 200 ÷ 300 × 35 = 23.33; 5 ÷ 1.2 × 20 = 83.33 capped
    //    at 30 → 120.83, but a major accident forces D.
    let mut y = firm(2, "10", "500", "2000", "100");
    y.adjustments.insert("major_accident".into(), 1);
    // Z: 7.5 ÷ 15 × 45 = 22.5; 150 ÷ 300 × 35 = 17.5; 1 ÷ 1.2 × 20 = 16.67 → 56.67.
    let z = firm(3, "100", "750", "15000", "750");
    let ev = run_with_prior("huaian-style", vec![x, y, z], prior);
    let above: Vec<Option<f64>> = ev
        .benchmarks
        .iter()
        .filter(|b| b.group == SizeGroup::AboveScale)
        .map(|b| b.benchmark)
        .collect();
    assert_eq!(above, [Some(15.0), Some(300.0), Some(1.2)]);

    let x = ev.card(1).unwrap();
    assert_eq!(scores(x), [54.0, 28.0, 25.0]);
    assert_eq!(x.base_score, Some(107.0));
    let adj: Vec<(&str, f64, bool)> = x
        .adjustments
        .iter()
        .map(|a| (a.code.as_str(), a.points, a.capped))
        .collect();
    assert_eq!(adj, [("high_tech", 3.0, false), ("environmental_penalty", -9.0, true)]);
    assert_eq!(x.total_score, Some(101.0));

    let y = ev.card(2).unwrap();
    assert_eq!(scores(y), [67.5, 23.33, 30.0]);
    assert!(y.items[0].capped && !y.items[1].capped && y.items[2].capped);
    assert_eq!(y.total_score, Some(120.83));
    assert_eq!(
        (y.class, y.forced_by.as_deref(), y.rank),
        (Class::D, Some("major_accident"), None)
    );

    // X and Z compete for the quotas alone: B reaches ⌊70% × 2⌋ = 1, so X is B and Z is D.
    assert_eq!((x.rank, x.class), (Some(1), Class::B));
    assert_eq!(ev.card(3).unwrap().total_score, Some(56.67));
    assert_eq!(ev.card(3).unwrap().class, Class::D);
}

#[test]
fn commitments_behind_are_deducted_by_the_methods_own_item_and_only_when_it_lists_one() {
    // Same figures as above: Z scores 56.67 before adjustments. Two of its commitments for ore
    // are behind: −3 each by huaian-style's item, within its cap of 6.
    let firm = |id, land: &str, tax: &str, revenue: &str, energy: &str| {
        let mut e = EnterpriseYear::new(id, format!("企业{id}"), SizeGroup::AboveScale);
        e.land_mu = amt(land);
        e.tax = amt(tax);
        e.revenue = amt(revenue);
        e.energy_tce = amt(energy);
        e
    };
    let config = built_in_method("huaian-style").unwrap();
    let mut data = EvaluationData {
        year: 2026,
        enterprises: vec![
            firm(1, "50", "900", "12000", "600"),
            firm(3, "100", "750", "15000", "750"),
        ],
        prior_year: vec![
            firm(1, "100", "1000", "20000", "2000"),
            firm(2, "100", "500", "10000", "500"),
        ],
    };
    let behind = std::collections::BTreeMap::from([(3, 2), (9, 1)]);
    data.count_commitments_behind(&config, &behind);
    let ev = evaluate(&config, &data).unwrap();
    let z = ev.card(3).unwrap();
    let adj: Vec<(&str, &str, u32, f64)> = z
        .adjustments
        .iter()
        .map(|a| (a.code.as_str(), a.zh.as_str(), a.count, a.points))
        .collect();
    assert_eq!(adj, [(COMMITMENT_BEHIND, "资源配置承诺滞后", 2, -6.0)]);
    assert_eq!(z.total_score, Some(50.67));
    assert!(ev.card(1).unwrap().adjustments.is_empty());

    // A method without the item deducts nothing and is not broken by the count.
    let huangyan = built_in_method("huangyan-2022").unwrap();
    let mut other = EvaluationData {
        year: 2026,
        enterprises: vec![worked(3, None)],
        prior_year: vec![],
    };
    other.count_commitments_behind(&huangyan, &behind);
    assert!(other.enterprises[0].adjustments.is_empty());
    assert!(
        evaluate(&huangyan, &other)
            .unwrap()
            .card(3)
            .unwrap()
            .adjustments
            .is_empty()
    );
}

#[test]
fn a_derived_benchmark_without_last_years_figures_stops_the_evaluation_and_says_where() {
    let config = built_in_method("huaian-style").unwrap();
    let data = EvaluationData {
        year: 2023,
        enterprises: vec![worked(1, None)],
        prior_year: vec![],
    };
    let errs = evaluate(&config, &data).unwrap_err();
    assert_eq!(errs.0[0].field, "groups[0].indicators[0].benchmark");
    assert!(errs.0[0].rule.message(Lang::Zh).contains("上年度没有可用数据"));
}

#[test]
fn jingde_min_max_gives_the_lowest_firm_20_percent_and_the_highest_the_full_weight() {
    // Per mu: tax 10/20/30, value added 50/100/150; value added per tce 5/10/15; per employee
    // 10/20/30; R&D share 0.01/0.02/0.04.
    // Firm 1 is lowest everywhere: 20% of 100 = 20. Firm 3 highest everywhere: 100.
    // Firm 2: tax 40 × (20 + 80 × ½) ÷ 100 = 24; value added 20 × 0.6 = 12; energy 15 × 0.6 = 9;
    //   labour 10 × 0.6 = 6; R&D (0.02 − 0.01) ÷ 0.03 = ⅓ → 15 × (20 + 26.67) ÷ 100 = 7.00 → 58.
    let f = |id, k: i64, rd: &str| {
        let (tax, value_added) = ((100 * k).to_string(), (500 * k).to_string());
        above(id, "10", &tax, &value_added, "100", None, 50, rd, "1000")
    };
    let ev = run("jingde-minmax", vec![f(1, 1, "10"), f(2, 2, "20"), f(3, 3, "40")]);
    assert_eq!(ev.card(1).unwrap().total_score, Some(20.0));
    assert_eq!(ev.card(3).unwrap().total_score, Some(100.0));
    assert_eq!(scores(ev.card(2).unwrap()), [24.0, 12.0, 9.0, 6.0, 7.0]);
    assert_eq!(ev.card(2).unwrap().total_score, Some(58.0));
    let tax = &ev.benchmarks[0];
    assert_eq!((tax.min, tax.max, tax.benchmark), (Some(10.0), Some(30.0), None));
}

#[test]
fn jingde_min_max_when_every_firm_has_the_same_value_each_gets_the_full_weight() {
    let ev = run(
        "jingde-minmax",
        vec![below(1, "10", "50", "1"), below(2, "20", "100", "1")],
    );
    assert_eq!(ev.card(1).unwrap().total_score, Some(100.0));
    assert_eq!(ev.card(2).unwrap().total_score, Some(100.0));
}

#[test]
fn the_same_method_and_figures_give_the_same_evaluation_whatever_their_order() {
    let firms: Vec<EnterpriseYear> = (1..=30)
        .map(|id| {
            let mut e = worked(id, if id % 4 == 0 { None } else { Some("2.5") });
            e.tax = amt(&format!("{}.{}", 1000 + id * 37 % 500, id % 10));
            e.employees = Some(300 + id * 13 % 200);
            e
        })
        .chain((31..=40).map(|id| below(id, "10", &(id * 3).to_string(), "100000")))
        .collect();
    let mut reversed = firms.clone();
    reversed.reverse();
    let a = run("huangyan-2022", firms);
    let b = run("huangyan-2022", reversed);
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    assert_eq!(a.config_hash, built_in_method("huangyan-2022").unwrap().content_hash());
    // A frozen evaluation reads back as it was written.
    let frozen: Evaluation = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(frozen, a);
}

#[test]
fn the_method_hash_ignores_layout_but_not_a_changed_weight() {
    let text = include_str!("../../../../data/permu/huangyan-2022.json");
    let pretty = EvaluationConfig::from_json(text).unwrap();
    let compact: serde_json::Value = serde_json::from_str(text).unwrap();
    let compact = EvaluationConfig::from_json(&compact.to_string()).unwrap();
    assert_eq!(pretty.content_hash(), compact.content_hash());
    assert_eq!(pretty.content_hash().len(), 64);
    let changed = EvaluationConfig::from_json(&text.replacen("\"weight\": 30", "\"weight\": 31", 1)).unwrap();
    assert_ne!(pretty.content_hash(), changed.content_hash());
}

#[test]
fn a_broken_method_is_refused_with_every_mistake_named() {
    let text = r#"{"id": "bad one", "name": "",
        "groups": [{"group": "above_scale", "indicators": [
          {"indicator": "tax_per_mu", "weight": 0},
          {"indicator": "tax_per_mu", "weight": 10, "benchmark": {"kind": "fixed", "value": 1},
           "normalisation": {"kind": "ratio", "max_score": -1}}]}],
        "classes": {"scope": "per_group", "quotas": [
          {"class": "A", "up_to_percent": 30}, {"class": "B", "up_to_percent": 20}],
          "ties": {"then": "higher_class"}}}"#;
    let errs = EvaluationConfig::from_json(text).unwrap_err();
    let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "id",
            "name",
            "groups[0].indicators[0].weight",
            "groups[0].indicators[0].benchmark",
            "groups[0].indicators[1].indicator",
            "groups[0].indicators[1].normalisation.max_score",
            "classes.quotas[1].up_to_percent",
            "classes.quotas[1].up_to_percent",
        ]
    );
    let typo = EvaluationConfig::from_json(r#"{"id": "x", "name": "x", "wieght": 1}"#).unwrap_err();
    assert_eq!(typo.0[0].field, "config");
    assert!(typo.0[0].rule.message(Lang::En).contains("wieght"));
}

#[test]
fn every_shipped_method_is_valid_and_names_its_source() {
    let methods = built_in_methods();
    let ids: Vec<&str> = methods.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["huangyan-2022", "huaian-style", "jingde-minmax"]);
    assert!(methods.iter().all(|m| !m.source.is_empty() && !m.notes.is_empty()));
}

#[test]
fn an_unknown_bonus_item_or_a_duplicated_firm_is_listed_as_bad_input() {
    let mut odd = worked(1, Some("2.5"));
    odd.adjustments.insert("moon_landing".into(), 1);
    let ev = run(
        "huangyan-2022",
        vec![odd, worked(2, Some("2.5")), worked(2, Some("2.5"))],
    );
    assert_eq!(ev.card(1).unwrap().not_rated[0].field, "adjustments.moon_landing");
    assert!(
        ev.enterprises
            .iter()
            .filter(|r| r.enterprise_id == 2)
            .all(|r| r.class == Class::T && r.not_rated[0].field == "enterprise_id")
    );
}

#[test]
fn scores_round_half_away_from_zero_as_by_hand() {
    assert_eq!(round_score(2.675, 2), 2.68);
    assert_eq!(round_score(9.055, 2), 9.06);
    assert_eq!(round_score(-2.675, 2), -2.68);
    assert_eq!(round_score(95.95849, 2), 95.96);
    assert_eq!(round_score(-0.001, 2).to_string(), "0");
}
