//! 好资源配给好东家 in the database, told once and run on both backends: the office records the
//! county's deposits and reads the ledger, opens a round, enters three applications, asks four
//! experts to review, publishes — and from then on the round refuses every change — and tracks
//! the commitments given for the ore.

use chainforce_domain::Amount;
use chainforce_domain::allocation::{
    ApplicationForm, DepositForm, RoundForm, RoundState, TrackStatus, ViolationForm, default_panel_criteria,
};
use chainforce_domain::chain::Unit;
use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::{RegionLevel, UserForm};
use chainforce_domain::validation::Lang;
use chainforce_storage::resources::allocation_chain;
use chainforce_storage::{AuditActor, Store, StoreError};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Runs one story on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both_backends {
    ($name:ident, $story:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = chainforce_storage::testing::TestDb::sqlite().await;
                super::$story(&db.store).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(db) = chainforce_storage::testing::TestDb::postgres().await {
                    super::$story(&db.store).await;
                }
            }
        }
    };
}

fn office() -> AuditActor {
    AuditActor::system("resources-test")
}

fn a(s: &str) -> Amount {
    Amount::parse_plain(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct County {
    region: i64,
    /// 甲 (a listed cell maker), 乙 (a cell maker ranked 8th), 丙 (a cathode plant with an open
    /// environmental case).
    firms: Vec<i64>,
    experts: Vec<i64>,
    deposits: Vec<i64>,
}

async fn county(store: &Store) -> County {
    let mut tx = store.begin(&office()).await.unwrap();
    let region = tx
        .create_region(None, RegionLevel::County, None, "示例县")
        .await
        .unwrap();
    let mut firms = Vec::new();
    for name in ["甲锂电有限公司", "乙电池有限公司", "丙材料有限公司"] {
        let d = EnterpriseForm {
            name: name.into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        firms.push(tx.create_enterprise(region, &d).await.unwrap());
    }
    let mut experts = Vec::new();
    for i in 1..=4 {
        let f = UserForm {
            username: format!("expert{i}"),
            display_name: format!("专家{i}"),
            role: "expert".into(),
            password: "correct horse battery".into(),
            ..Default::default()
        };
        experts.push(tx.create_user(region, &f.validate(true).unwrap(), "x").await.unwrap());
    }
    let deposit = |name: &str, place: &str, ore: &str, ore_t: &str, grade: &str, annual: &str| DepositForm {
        name: name.into(),
        place: place.into(),
        ore_type: ore.into(),
        category: "indicated".into(),
        ore_t: ore_t.into(),
        li2o_grade_pct: grade.into(),
        annual_output_t_ore: annual.into(),
        ..Default::default()
    };
    let mut deposits = Vec::new();
    for f in [
        deposit("示范瓷土矿", "甲镇", "porcelain_clay", "100000000", "0.35", "3000000"),
        deposit("示范锂辉石矿", "甲镇", "spodumene", "2000000", "1.2", ""),
        deposit("乙乡锂云母矿", "乙乡", "lepidolite", "5000000", "0.5", "200000"),
    ] {
        deposits.push(tx.create_deposit(region, &f.validate().unwrap()).await.unwrap());
    }
    tx.commit().await.unwrap();
    County {
        region,
        firms,
        experts,
        deposits,
    }
}

async fn ledger_story(store: &Store) {
    let c = county(store).await;
    let l = store.resource_ledger(c.region).await.unwrap();
    // 1e8 t × 0.35% = 350 000 t Li2O, × 2.473 = 865 550 t LCE contained.
    assert_eq!(l.deposits[0].li2o.value, a("350000"));
    assert_eq!(l.deposits[0].li2o.unit, Unit::TonnesLi2o);
    assert_eq!(l.deposits[0].contained_lce.value, a("865550"));
    let jia = l.by_place.iter().find(|p| p.key == "甲镇").unwrap();
    assert_eq!(jia.deposits, 2);
    // 350 000 + 2e6 × 1.2% = 374 000 t Li2O in 甲镇; + 25 000 in 乙乡.
    assert_eq!(jia.li2o.value, a("374000"));
    assert_eq!(l.total.li2o.value, a("399000"));
    let types: Vec<&str> = l.by_ore_type.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(types, ["lepidolite", "porcelain_clay", "spodumene"]);
    // The chain's material balance reads the yearly LCE of the licensed outputs.
    let supply = store.local_lithium_supply(c.region).await.unwrap();
    assert_eq!(supply.annual, l.total.annual_lce);
    assert_eq!(supply.annual.unit, Unit::TonnesLcePerYear);
    assert!(supply.annual.value > a("16826"));

    // An edit with a stale version is refused as a conflict; the figures are derived again.
    let d = store.deposit(c.deposits[1]).await.unwrap();
    let mut f = DepositForm::from_deposit(&d.deposit);
    f.li2o_grade_pct = "1.5".into();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.update_deposit(d.deposit.id, &f.validate().unwrap(), d.version)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let e = tx
        .update_deposit(d.deposit.id, &f.validate().unwrap(), d.version)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
    drop(tx);
    let l = store.resource_ledger(c.region).await.unwrap();
    assert_eq!(l.deposits[1].li2o.value, a("30000"));
}
on_both_backends!(
    the_ledger_derives_li2o_and_lce_and_totals_by_type_and_place,
    ledger_story
);

fn application(
    enterprise: i64,
    requested: &str,
    investment: &str,
    products: &str,
    capacity: &str,
    local: &str,
) -> ApplicationForm {
    ApplicationForm {
        enterprise_id: enterprise.to_string(),
        requested: requested.into(),
        investment_wan: investment.into(),
        products: products.into(),
        capacity: capacity.into(),
        local_processing_pct: local.into(),
        start_by: "2026-09-30".into(),
        production_by: "2027-06-30".into(),
        ..Default::default()
    }
}

/// A sheet giving `total` out of 100, spread over the shipped criteria in proportion.
fn sheet(total: i64) -> BTreeMap<String, Amount> {
    default_panel_criteria()
        .into_iter()
        .map(|c| (c.code, Amount::from_raw(c.max_points.raw() * total / 100)))
        .collect()
}

async fn round_story(store: &Store) {
    let c = county(store).await;
    let chain = allocation_chain();
    // The round: 5 000 t LCE a year from two deposits, the shipped rules, but a panel score
    // counted from a single remaining sheet.
    let mut rules = chainforce_domain::allocation::RoundRules::builtin();
    rules.panel.min_counted = 1;
    let form = RoundForm {
        name: "2026 年第一批锂资源配置".into(),
        deposit_1: c.deposits[0].to_string(),
        amount_1: "3000".into(),
        deposit_2: c.deposits[2].to_string(),
        amount_2: "2000".into(),
        rules_json: serde_json::to_string(&rules).unwrap(),
        ..RoundForm::defaults()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    let round = tx
        .create_round(c.region, &form.validate(&chain).unwrap())
        .await
        .unwrap();
    // Applications wait for the round to open.
    let early = application(c.firms[0], "4000", "600000", "cell", "20", "80")
        .validate(&chain)
        .unwrap();
    let e = tx.create_application(round, &early).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    tx.commit().await.unwrap();
    let r = store.round(round).await.unwrap();
    assert_eq!(r.summary.quota.value, a("5000"));
    assert_eq!(r.summary.state, RoundState::Draft);

    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_round_state(round, RoundState::Open, r.summary.version)
        .await
        .unwrap();
    let mut jia = application(
        c.firms[0],
        "4000",
        "600000",
        "lithium_carbonate, lfp_cathode, cell, pack",
        "20",
        "80",
    );
    jia.annual_revenue_wan = "1200000".into();
    jia.listed = "on".into();
    let mut yi = application(c.firms[1], "3000", "550000", "cell", "10", "60");
    yi.industry_rank = "8".into();
    let mut bing = application(c.firms[2], "1000", "520000", "lfp_cathode", "5", "90");
    bing.listed = "on".into();
    let mut apps = Vec::new();
    for f in [&jia, &yi, &bing] {
        apps.push(
            tx.create_application(round, &f.validate(&chain).unwrap())
                .await
                .unwrap(),
        );
    }
    // One application per enterprise and round.
    let e = tx
        .create_application(round, &jia.validate(&chain).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let (ent, v) = ViolationForm {
        enterprise_id: c.firms[2].to_string(),
        kind: "environment".into(),
        summary: "锂渣违规堆存".into(),
        opened_on: "2026-03-01".into(),
        closed_on: String::new(),
    }
    .validate()
    .unwrap();
    tx.record_violation(c.region, ent, &v).await.unwrap();
    tx.set_panel(round, &c.experts).await.unwrap();
    tx.commit().await.unwrap();

    // Only experts sit on a panel.
    let mut tx = store.begin(&office()).await.unwrap();
    let e = tx
        .set_panel(round, &[c.experts[0], c.firms[0] + 1000])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    drop(tx);

    // The panel: four experts on 甲 (90, 80, 70, 60); on 乙 three (70, 50, 60) and the fourth
    // gives 100 but declares a conflict of interest.
    let mut tx = store.begin(&office()).await.unwrap();
    for (x, total) in c.experts.iter().zip([90, 80, 70, 60]) {
        tx.save_sheet(apps[0], *x, &sheet(total), &format!("专家意见 {total}"))
            .await
            .unwrap();
    }
    for (x, total) in c.experts.iter().zip([70, 50, 60, 100]) {
        tx.save_sheet(apps[1], *x, &sheet(total), "").await.unwrap();
    }
    tx.declare_conflict(apps[1], c.experts[3], "曾任该企业顾问")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.expert_assignments(c.experts[0]).await.unwrap().len(), 1);
    assert!(store.is_panel_member(round, c.experts[2]).await.unwrap());

    let panel = store.panel_results(round).await.unwrap();
    let p = |app: i64| panel.iter().find(|p| p.application_id == app).unwrap();
    // 甲: drop 90 and 60, mean of 80 and 70.
    assert_eq!(p(apps[0]).score, Some(a("75")));
    // 乙: the conflicted expert's 100 is left out; of 50, 60, 70 the 60 remains.
    assert_eq!(p(apps[1]).score, Some(a("60")));
    assert_eq!(p(apps[1]).excluded_for_conflict, [c.experts[3]]);

    let r = store.round(round).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    // Publishing needs a closed round.
    let e = tx
        .publish_round(round, day("2026-06-01"), r.summary.version)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    drop(tx);
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_round_state(round, RoundState::Closed, r.summary.version)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The preview and the published decision agree.
    let preview = store.round_outcome(round, day("2026-06-01")).await.unwrap();
    let r = store.round(round).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let outcome = tx
        .publish_round(round, day("2026-06-01"), r.summary.version)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outcome, preview);
    let d = |app: i64| outcome.decisions.iter().find(|d| d.application_id == app).unwrap();
    // 甲 ranks first and gets its 4 000 in full; 乙 gets the 1 000 left; 丙 is not eligible.
    assert_eq!((d(apps[0]).rank, d(apps[0]).granted.value), (Some(1), a("4000")));
    assert_eq!((d(apps[1]).rank, d(apps[1]).granted.value), (Some(2), a("1000")));
    let bing = d(apps[2]);
    assert!(!bing.eligible);
    let failed: Vec<String> = bing
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.reason.zh.clone())
        .collect();
    // This county has no chain map of its own: the built-in chain stands in, and the reason
    // says so.
    assert_eq!(
        failed,
        [
            "产品「磷酸铁锂正极」均未做到「电芯」环节（本地区尚未建立产业链图谱，按内置锂电池产业链判断）",
            "截至 2026-06-01 有未整改问题：生态环境：锂渣违规堆存（2026-03-01 起）"
        ]
    );
    // The opinions are kept with the decision.
    assert_eq!(d(apps[0]).opinions.len(), 4);
    assert_eq!(store.round_outcome(round, day("2030-01-01")).await.unwrap(), outcome);

    // Frozen: every change to the round, its applications, its panel and sheets is refused.
    let r = store.round(round).await.unwrap();
    assert_eq!(r.summary.state, RoundState::Published);
    let frozen = |e: StoreError| assert!(matches!(e, StoreError::Frozen { .. }), "{e:?}");
    let mut tx = store.begin(&office()).await.unwrap();
    frozen(
        tx.update_round(round, &form.validate(&chain).unwrap(), r.summary.version)
            .await
            .unwrap_err(),
    );
    frozen(
        tx.set_round_state(round, RoundState::Open, r.summary.version)
            .await
            .unwrap_err(),
    );
    frozen(
        tx.publish_round(round, day("2026-07-01"), r.summary.version)
            .await
            .unwrap_err(),
    );
    frozen(
        tx.create_application(
            round,
            &application(c.firms[2], "1", "1", "cell", "1", "1")
                .validate(&chain)
                .unwrap(),
        )
        .await
        .unwrap_err(),
    );
    let apps_now = store.round_applications(round).await.unwrap();
    frozen(
        tx.update_application(apps[0], &jia.validate(&chain).unwrap(), apps_now[0].version)
            .await
            .unwrap_err(),
    );
    frozen(tx.set_panel(round, &c.experts[..3]).await.unwrap_err());
    frozen(tx.save_sheet(apps[0], c.experts[0], &sheet(10), "").await.unwrap_err());
    frozen(tx.declare_conflict(apps[0], c.experts[0], "").await.unwrap_err());
    drop(tx);
    assert_eq!(store.round_outcome(round, day("2026-06-01")).await.unwrap(), outcome);
    // The refusal says which round, that it is published, and since when (China time).
    let mut tx = store.begin(&office()).await.unwrap();
    let e = tx.set_panel(round, &c.experts[..3]).await.unwrap_err();
    drop(tx);
    assert!(e.is_user_error());
    let StoreError::Frozen {
        reason: Some(reason), ..
    } = e
    else {
        panic!("{e:?}")
    };
    assert!(
        reason.zh.starts_with("配置轮次「2026 年第一批锂资源配置」已于 20")
            && reason.zh.ends_with("公布；公布后即冻结，不能再修改。"),
        "{}",
        reason.zh
    );

    // Commitments: 甲 and 乙 promised to start by 2026-09-30. By 2026-10-15 乙 has not started.
    let mut tx = store.begin(&office()).await.unwrap();
    let progress = |inv: &str, started: &str| {
        chainforce_domain::allocation::ProgressForm {
            investment_to_date_wan: inv.into(),
            started_on: started.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    tx.record_progress(apps[0], &progress("100000", "2026-09-20"))
        .await
        .unwrap();
    tx.record_progress(apps[1], &progress("20000", "")).await.unwrap();
    // 丙 got nothing: there is nothing to track.
    let e = tx.record_progress(apps[2], &progress("1", "")).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    tx.commit().await.unwrap();
    let all = store.commitments(c.region, day("2026-10-15")).await.unwrap();
    assert_eq!(all.len(), 2);
    let alerts = store.commitment_alerts(c.region, day("2026-10-15")).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].application_id, apps[1]);
    let behind: Vec<&str> = alerts[0].report.behind().map(|i| i.item.label(Lang::Zh)).collect();
    assert_eq!(behind, ["开工"]);
    let jia_c = all.iter().find(|c| c.application_id == apps[0]).unwrap();
    assert_eq!(jia_c.report.status, TrackStatus::OnTrack);
    assert_eq!(jia_c.granted.value, a("4000"));
}
on_both_backends!(a_round_is_decided_explained_and_frozen_once_published, round_story);

async fn plan_review_story(store: &Store) {
    use chainforce_domain::allocation::{PlanReviewForm, plan_review_criteria};
    let c = county(store).await;
    let mut tx = store.begin(&office()).await.unwrap();
    let project = chainforce_domain::project::ProjectForm {
        name: "年产 5 万吨碳酸锂项目".into(),
        total_investment: "30亿元".into(),
        stage: "signed".into(),
        ..Default::default()
    };
    let project = tx.create_project(c.region, &project.validate().unwrap()).await.unwrap();
    // 技术方案评审 by the first three experts; this review drops no high or low score.
    let mut form = PlanReviewForm {
        project_id: project.to_string(),
        review_title: "技术方案评审".into(),
        plan: "焙烧—浸出—沉锂".into(),
        experts: c.experts[..3].iter().map(|x| x.to_string()).collect(),
    }
    .validate()
    .unwrap();
    form.panel = chainforce_domain::allocation::PanelRules {
        drop_highest: 0,
        drop_lowest: 0,
        min_counted: 1,
    };
    let review = tx.create_plan_review(c.region, &form).await.unwrap();
    // A user who is not an expert cannot sit on it.
    let mut bad = form.clone();
    bad.expert_ids.push(c.firms[0] + 1000);
    let e = tx.create_plan_review(c.region, &bad).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    tx.commit().await.unwrap();

    let sheet = |total: i64| -> BTreeMap<String, Amount> {
        plan_review_criteria()
            .into_iter()
            .map(|c| (c.code, Amount::from_raw(c.max_points.raw() * total / 100)))
            .collect()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    for (x, total) in c.experts[..3].iter().zip([90, 70, 60]) {
        tx.save_plan_sheet(review, *x, &sheet(total), &format!("意见 {total}"))
            .await
            .unwrap();
    }
    tx.declare_plan_conflict(review, c.experts[0], "曾任顾问")
        .await
        .unwrap();
    // The fourth expert was not asked: for them the review does not exist.
    let e = tx
        .save_plan_sheet(review, c.experts[3], &sheet(80), "")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    tx.commit().await.unwrap();

    let r = store.plan_review(review).await.unwrap();
    assert_eq!(r.project_name, "年产 5 万吨碳酸锂项目");
    assert_eq!(r.experts.len(), 3);
    let result = store.plan_review_result(&r).await.unwrap().unwrap();
    // 90 is left out for the conflict: (70 + 60) ÷ 2.
    assert_eq!(result.excluded_for_conflict, [c.experts[0]]);
    assert_eq!(result.score, Some(a("65")));
    assert_eq!(result.opinions.len(), 2);
    assert_eq!(store.expert_plan_reviews(c.experts[1]).await.unwrap().len(), 1);
    assert!(store.expert_plan_reviews(c.experts[3]).await.unwrap().is_empty());
    assert_eq!(
        store
            .plan_review_sheets(review, Some(c.experts[2]))
            .await
            .unwrap()
            .len(),
        1
    );
}
on_both_backends!(
    a_panel_reviews_a_projects_technical_plan_with_a_conflicted_expert_left_out,
    plan_review_story
);

/// The county's own chain map adds 储能电站 after 储能系统; an application making it reaches 电芯
/// on that chain — which the built-in chain does not even know — and the reason cites no
/// fallback.
async fn stored_chain_story(store: &Store) {
    use chainforce_domain::chain::{Chain, ChainStage, EdgeSpec, NodeSpec};
    let c = county(store).await;
    let mut spec = Chain::lithium().spec().clone();
    spec.nodes.push(NodeSpec {
        code: "energy_storage_station".into(),
        name: "储能电站".into(),
        name_en: Some("Energy storage station".into()),
        stage: ChainStage::Application,
        by_product: false,
        capacity_unit: None,
        strong_capacity: None,
    });
    spec.edges.push(EdgeSpec {
        from: "energy_storage".into(),
        to: "energy_storage_station".into(),
        recycling: false,
    });
    let mut tx = store.begin(&office()).await.unwrap();
    tx.create_chain_from_spec(c.region, &spec).await.unwrap();
    tx.commit().await.unwrap();
    let chain = store.allocation_chain(c.region).await.unwrap();
    assert!(!chain.built_in);
    // The built-in chain refuses the product as unknown; the county's accepts it.
    let station = application(c.firms[0], "1000", "600000", "energy_storage_station", "2", "80");
    assert!(station.validate(&allocation_chain()).is_err());
    let station = station.validate(&chain.chain).unwrap();
    let cathode = application(c.firms[1], "1000", "600000", "lfp_cathode", "2", "80")
        .validate(&chain.chain)
        .unwrap();

    let mut rules = chainforce_domain::allocation::RoundRules::builtin();
    rules.eligibility.head_enterprise = None;
    let form = RoundForm {
        name: "储能专项配置".into(),
        deposit_1: c.deposits[0].to_string(),
        amount_1: "3000".into(),
        rules_json: serde_json::to_string(&rules).unwrap(),
        ..RoundForm::defaults()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    let round = tx
        .create_round(c.region, &form.validate(&chain.chain).unwrap())
        .await
        .unwrap();
    tx.set_round_state(round, RoundState::Open, 1).await.unwrap();
    let station = tx.create_application(round, &station).await.unwrap();
    let cathode = tx.create_application(round, &cathode).await.unwrap();
    tx.commit().await.unwrap();
    let outcome = store.round_outcome(round, day("2026-06-01")).await.unwrap();
    let reach = |app: i64| {
        let d = outcome.decisions.iter().find(|d| d.application_id == app).unwrap();
        let check = d
            .checks
            .iter()
            .find(|c| c.rule == chainforce_domain::allocation::EligibilityRule::ChainReach)
            .unwrap();
        (check.passed, check.reason.zh.clone())
    };
    assert_eq!(
        reach(station),
        (true, "产品「储能电站」达到或延伸至「电芯」之后".to_string())
    );
    assert_eq!(
        reach(cathode),
        (false, "产品「磷酸铁锂正极」均未做到「电芯」环节".to_string())
    );
}
on_both_backends!(a_round_is_judged_on_the_regions_own_chain_map, stored_chain_story);
