//! 三论英雄 in the database, told once and run on both backends: the office imports a year's
//! figures, saves its method, runs and publishes the 亩均 evaluation — which then never changes —
//! and reads the ranking and share boards from live tasks, problems and projects.

use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::{RegionLevel, UnitForm};
use chainforce_domain::permu::{Class, EnterpriseYear, SizeGroup, built_in_method};
use chainforce_domain::project::{ProjectForm, Stage};
use chainforce_domain::ranking::{Milestone, Period, PeriodKind, rank};
use chainforce_domain::task::{ProgressReport, TaskForm, TaskProgress};
use chainforce_domain::{Amount, Rule};
use chainforce_storage::heroes::{BoardUnits, EvaluationStatus, MethodKind};
use chainforce_storage::{AuditActor, Store, StoreError};
use chrono::NaiveDate;

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
    AuditActor::system("heroes-test")
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn amt(s: &str) -> Option<Amount> {
    Some(Amount::parse_plain(s).unwrap())
}

struct County {
    region: i64,
    fgw: i64,
    zrzy: i64,
    township: i64,
    /// Three enterprises, by id.
    firms: Vec<i64>,
}

async fn county(store: &Store) -> County {
    let mut tx = store.begin(&office()).await.unwrap();
    let region = tx
        .create_region(None, RegionLevel::County, None, "示例县")
        .await
        .unwrap();
    let unit = |name: &str, kind: &str| {
        UnitForm {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let fgw = tx.create_unit(region, &unit("发改委", "department")).await.unwrap();
    let zrzy = tx.create_unit(region, &unit("自然资源局", "department")).await.unwrap();
    let township = tx.create_unit(region, &unit("岑阳镇", "township")).await.unwrap();
    let mut firms = Vec::new();
    for name in ["甲锂业有限公司", "乙电池有限公司", "丙材料有限公司"] {
        let d = EnterpriseForm {
            name: name.into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        firms.push(tx.create_enterprise(region, &d).await.unwrap());
    }
    tx.commit().await.unwrap();
    County {
        region,
        fgw,
        zrzy,
        township,
        firms,
    }
}

/// The worked firm of the domain's 黄岩 example: 100 亩, tax 3000, value added 10000, energy
/// 5000 tce, emissions 2.5 t, 500 employees, R&D 150 on revenue 5000 → 95.96 points.
fn worked(enterprise_id: i64, tax: &str) -> EnterpriseYear {
    let mut e = EnterpriseYear::new(enterprise_id, "", SizeGroup::AboveScale);
    e.land_mu = amt("100");
    e.tax = amt(tax);
    e.value_added = amt("10000");
    e.energy_tce = amt("5000");
    e.emissions_t = amt("2.5");
    e.employees = Some(500);
    e.rd_spending = amt("150");
    e.revenue = amt("5000");
    e
}

async fn import(store: &Store, c: &County, year: i32, firms: &[EnterpriseYear]) {
    let mut tx = store.begin(&office()).await.unwrap();
    for e in firms {
        tx.save_enterprise_year(c.region, year, e, Some("2022年度亩均数据.xlsx"))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn huangyan_json() -> String {
    serde_json::to_string(&built_in_method("huangyan-2022").unwrap()).unwrap()
}

async fn save_method(store: &Store, c: &County, json: &str) -> i64 {
    let mut tx = store.begin(&office()).await.unwrap();
    let saved = tx.save_evaluation_method(c.region, json).await.unwrap();
    tx.commit().await.unwrap();
    saved.id
}

async fn run(store: &Store, c: &County, year: i32, method: i64) -> i64 {
    let mut tx = store.begin(&office()).await.unwrap();
    let id = tx.run_evaluation(c.region, year, method).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn publish(store: &Store, id: i64) {
    let version = store.evaluation(id).await.unwrap().version;
    let mut tx = store.begin(&office()).await.unwrap();
    tx.publish_evaluation(id, version).await.unwrap();
    tx.commit().await.unwrap();
}

fn is_frozen(r: Result<(), StoreError>) -> bool {
    matches!(
        r,
        Err(StoreError::Frozen {
            entity: "evaluation",
            ..
        })
    )
}

async fn a_published_evaluation_cannot_be_changed_even_by_a_direct_storage_call(store: &Store) {
    let c = county(store).await;
    import(
        store,
        &c,
        2022,
        &[worked(c.firms[0], "3000"), worked(c.firms[1], "2000")],
    )
    .await;
    let method = save_method(store, &c, &huangyan_json()).await;
    let id = run(store, &c, 2022, method).await;
    let card = store.evaluation_card(id, c.firms[0]).await.unwrap().unwrap();
    assert_eq!(card.total_score, Some(95.96));
    assert_eq!(card.name, "甲锂业有限公司");
    publish(store, id).await;
    let published = store.evaluation(id).await.unwrap();
    assert_eq!(published.status, EvaluationStatus::Published);
    let result_before = store.evaluation_result(id).await.unwrap();

    // Every storage call that changes an evaluation refuses, whatever version it is given.
    let v = published.version;
    for attempt in 0..3 {
        let mut tx = store.begin(&office()).await.unwrap();
        let r = match attempt {
            0 => tx.rerun_evaluation(id, v).await,
            1 => tx.publish_evaluation(id, v).await,
            _ => tx.discard_evaluation(id, v).await,
        };
        assert!(is_frozen(r), "attempt {attempt} was not refused");
    }

    // New figures for the year change the next run, never the published one.
    import(store, &c, 2022, &[worked(c.firms[0], "100")]).await;
    assert_eq!(store.evaluation_result(id).await.unwrap(), result_before);
    let still = store.evaluation_card(id, c.firms[0]).await.unwrap().unwrap();
    assert_eq!(still.total_score, Some(95.96));
    let again = run(store, &c, 2022, method).await;
    let lower = store.evaluation_card(again, c.firms[0]).await.unwrap().unwrap();
    assert!(lower.total_score.unwrap() < 95.96);

    // And the published one still comes out the same from what it recorded.
    let check = store.verify_evaluation(id).await.unwrap();
    assert!(check.ok(), "{check:?}");
    assert_eq!(
        store
            .latest_published_for(c.region, c.firms[0])
            .await
            .unwrap()
            .map(|e| e.id),
        Some(id),
        "a draft is never what an enterprise is shown"
    );
}
on_both_backends!(
    published_evaluation_is_frozen,
    a_published_evaluation_cannot_be_changed_even_by_a_direct_storage_call
);

async fn an_edited_method_is_a_new_version_and_the_old_one_still_reproduces(store: &Store) {
    let c = county(store).await;
    import(store, &c, 2022, &[worked(c.firms[0], "3000")]).await;
    let mut tx = store.begin(&office()).await.unwrap();
    let v1 = tx.save_evaluation_method(c.region, &huangyan_json()).await.unwrap();
    let same = tx.save_evaluation_method(c.region, &huangyan_json()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(v1.created && !same.created);
    assert_eq!((same.id, same.version_no), (v1.id, 1));
    let first = run(store, &c, 2022, v1.id).await;
    publish(store, first).await;

    // The office doubles the tax weight: version 2, its own hash; version 1 is untouched.
    let mut edited = built_in_method("huangyan-2022").unwrap();
    edited.groups[0].indicators[0].weight = 60.0;
    let mut tx = store.begin(&office()).await.unwrap();
    let v2 = tx
        .save_evaluation_method(c.region, &serde_json::to_string(&edited).unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(v2.version_no, 2);
    let versions = store
        .hero_methods(c.region, Some(MethodKind::Evaluation))
        .await
        .unwrap();
    assert_eq!(versions.iter().map(|m| m.version_no).collect::<Vec<_>>(), [2, 1]);
    assert_ne!(versions[0].content_hash, versions[1].content_hash);
    assert_eq!(versions[1].used_by, 1);
    let (_, json_v1) = store.hero_method(v1.id).await.unwrap();
    assert_eq!(
        chainforce_domain::permu::EvaluationConfig::from_json(&json_v1)
            .unwrap()
            .content_hash(),
        versions[1].content_hash
    );
    let summary = store.evaluation(first).await.unwrap();
    assert_eq!(
        (summary.method_version_no, summary.method_hash.as_str()),
        (1, versions[1].content_hash.as_str())
    );
    assert!(store.verify_evaluation(first).await.unwrap().ok());
    let second = run(store, &c, 2022, v2.id).await;
    let card = store.evaluation_card(second, c.firms[0]).await.unwrap().unwrap();
    assert_eq!(card.items[0].score, 74.70, "30 ÷ 24.097 × 60");

    // A broken method is refused with the path of the entry at fault, and nothing is saved.
    edited.groups[0].indicators[2].weight = -1.0;
    let mut tx = store.begin(&office()).await.unwrap();
    let err = tx
        .save_evaluation_method(c.region, &serde_json::to_string(&edited).unwrap())
        .await
        .unwrap_err();
    drop(tx);
    let StoreError::Invalid(errs) = err else {
        panic!("{err:?}")
    };
    assert_eq!(errs.0[0].field, "groups[0].indicators[2].weight");
    assert_eq!(store.hero_methods(c.region, None).await.unwrap().len(), 2);
}
on_both_backends!(
    methods_are_versioned,
    an_edited_method_is_a_new_version_and_the_old_one_still_reproduces
);

async fn a_draft_is_rerun_on_corrected_figures_and_impossible_ones_stay_t_with_the_reason(store: &Store) {
    let c = county(store).await;
    let mut typo = worked(c.firms[1], "2000");
    typo.land_mu = amt("-100");
    import(store, &c, 2022, &[worked(c.firms[0], "3000"), typo]).await;
    let method = save_method(store, &c, &huangyan_json()).await;
    let id = run(store, &c, 2022, method).await;
    let t = store.evaluation_card(id, c.firms[1]).await.unwrap().unwrap();
    assert_eq!(t.class, Class::T);
    assert_eq!(t.not_rated[0].field, "land_mu");
    assert_eq!(store.evaluation(id).await.unwrap().rated, 1);

    // Corrected and re-run: the firm is rated; a stale re-run is a conflict.
    import(store, &c, 2022, &[worked(c.firms[1], "2000")]).await;
    let v = store.evaluation(id).await.unwrap().version;
    let mut tx = store.begin(&office()).await.unwrap();
    tx.rerun_evaluation(id, v).await.unwrap();
    tx.commit().await.unwrap();
    let rated = store.evaluation_card(id, c.firms[1]).await.unwrap().unwrap();
    assert_ne!(rated.class, Class::T);
    assert_eq!(store.evaluation(id).await.unwrap().rated, 2);
    let mut tx = store.begin(&office()).await.unwrap();
    assert!(matches!(
        tx.rerun_evaluation(id, v).await,
        Err(StoreError::Conflict { .. })
    ));
    drop(tx);

    // A year without figures cannot be evaluated.
    let mut tx = store.begin(&office()).await.unwrap();
    let StoreError::Invalid(errs) = tx.run_evaluation(c.region, 2019, method).await.unwrap_err() else {
        panic!()
    };
    assert_eq!(errs.0[0].field, "year");
    drop(tx);
    let mut tx = store.begin(&office()).await.unwrap();
    tx.discard_evaluation(id, v + 1).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.evaluations(c.region).await.unwrap().is_empty());
}
on_both_backends!(
    drafts_rerun_and_discard,
    a_draft_is_rerun_on_corrected_figures_and_impossible_ones_stay_t_with_the_reason
);

async fn a_firm_in_d_two_published_years_running_pays_the_second_years_surcharge(store: &Store) {
    let c = county(store).await;
    let method = save_method(store, &c, &huangyan_json()).await;
    // With three firms the 黄岩 quotas (A 20%, B to 70%, C to 95%) give B, B and D: C reaches
    // only 95% × 3 = 2.85 positions.
    for year in [2021, 2022] {
        import(
            store,
            &c,
            year,
            &[
                worked(c.firms[0], "3000"),
                worked(c.firms[1], "2500"),
                worked(c.firms[2], "500"),
            ],
        )
        .await;
        let id = run(store, &c, year, method).await;
        publish(store, id).await;
    }
    let latest = store.latest_published_for(c.region, c.firms[2]).await.unwrap().unwrap();
    assert_eq!(latest.year, 2022);
    let card = store.evaluation_card(latest.id, c.firms[2]).await.unwrap().unwrap();
    assert_eq!(card.class, Class::D);
    let policy = card.policy.unwrap();
    assert_eq!(policy.years_in_class, 2);
    assert_eq!(policy.electricity_surcharge_yuan_per_kwh, amt("0.10"));
}
on_both_backends!(
    surcharge_follows_published_years,
    a_firm_in_d_two_published_years_running_pays_the_second_years_surcharge
);

async fn a_unit_with_an_overdue_task_ranks_below_one_that_finished_on_time(store: &Store) {
    let c = county(store).await;
    let form = ProjectForm {
        name: "年产2万吨碳酸锂项目".into(),
        township_id: c.township.to_string(),
        lead_unit_id: c.fgw.to_string(),
        total_investment: "12亿元".into(),
        stage: "signed".into(),
        target_start: "2022-09-30".into(),
        ..Default::default()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    let project = tx.create_project(c.region, &form.validate().unwrap()).await.unwrap();
    let task = |name: &str, unit: i64, deadline: &str| {
        TaskForm {
            name: name.into(),
            responsible_unit_id: unit.to_string(),
            duration_days: "3".into(),
            deadline: deadline.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let filing = tx
        .create_task(project, &task("项目备案", c.fgw, "2022-08-05"), None)
        .await
        .unwrap();
    let land = tx
        .create_task(project, &task("用地预审", c.zrzy, "2022-08-05"), None)
        .await
        .unwrap();
    tx.record_stage_date(project, Stage::Signed, None, Some(day("2022-07-20")))
        .await
        .unwrap();
    tx.record_stage_date(project, Stage::Started, None, Some(day("2022-09-01")))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let filing_task = store.task(filing).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let done = |on: &str| ProgressReport {
        progress: TaskProgress::Done,
        actual_start: Some(day("2022-08-01")),
        actual_finish: Some(day(on)),
        note: None,
    };
    tx.report_task_progress(filing, filing_task.version, &done("2022-08-04"))
        .await
        .unwrap();
    let land_task = store.task(land).await.unwrap();
    // Finished on Thursday 2022-08-11: four working days after a Friday deadline.
    tx.report_task_progress(land, land_task.version, &done("2022-08-11"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Recording the finish pinned the task's stored dates to what happened …
    let stored = store.task(land).await.unwrap();
    assert_eq!(stored.schedule.late_finish, Some(day("2022-08-11")));

    let rows = store.ranking_rows(c.region).await.unwrap();
    let calendar = store.calendar(c.region).await.unwrap();
    let today = day("2022-10-10");
    let period = Period::containing(PeriodKind::Month, day("2022-08-01"));
    let outcomes = rows.outcomes(period, today, &calendar);
    // … but it is judged against the plan (backward from 2022-09-30, held to its 完成时限).
    let late = outcomes.tasks.iter().find(|t| t.task_id == land).unwrap();
    assert_eq!(late.deadline, day("2022-08-05"));
    assert_eq!(late.overdue_working_days, 4);
    assert_eq!(late.title, "年产2万吨碳酸锂项目 · 用地预审");
    let units = store.board_units(c.region, BoardUnits::Units).await.unwrap();
    assert_eq!(units.len(), 2, "the township has its own board");
    let (stored, method) = store.ranking_method(c.region).await.unwrap();
    assert!(stored.is_none(), "the shipped default until the office saves one");
    let board = rank(&method, period, today, &units, &outcomes).unwrap();
    assert_eq!(board.standings[0].unit_id, c.fgw);
    assert_eq!(board.standings[1].unit_id, c.zrzy);
    assert!(board.standings[1].total < board.standings[0].total);

    // Shares: the project signed in July and started in September counts in Q3 for the township.
    let milestones = store.project_milestones(c.region).await.unwrap();
    let p = milestones.iter().find(|m| m.project_id == project).unwrap();
    assert_eq!(p.signed_on, Some(day("2022-07-20")));
    assert_eq!(p.landed_on, Some(day("2022-09-01")), "started implies landed");
    assert_eq!(p.investment, Amount::from_int(120_000));
}
on_both_backends!(
    ranking_from_live_tasks,
    a_unit_with_an_overdue_task_ranks_below_one_that_finished_on_time
);

async fn the_office_sets_share_targets_and_a_stale_form_is_a_conflict(store: &Store) {
    let c = county(store).await;
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_share_target(c.region, c.township, 2022, Milestone::Signed, Some(5), amt("100000"), 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let targets = store.share_targets(c.region, 2022).await.unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].target().projects, Some(5));
    let v = targets[0].version;
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_share_target(c.region, c.township, 2022, Milestone::Signed, Some(6), amt("100000"), v)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let stale = tx
        .set_share_target(c.region, c.township, 2022, Milestone::Signed, Some(7), None, v)
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })));
    let negative = tx
        .set_share_target(c.region, c.fgw, 2022, Milestone::Started, Some(-1), None, 0)
        .await;
    let Err(StoreError::Invalid(errs)) = negative else {
        panic!()
    };
    assert_eq!(
        (errs.0[0].field.as_str(), &errs.0[0].rule),
        ("projects", &Rule::Negative)
    );
    drop(tx);
    // Clearing both figures removes the target.
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_share_target(c.region, c.township, 2022, Milestone::Signed, None, None, v + 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(store.share_targets(c.region, 2022).await.unwrap().is_empty());
}
on_both_backends!(
    share_targets,
    the_office_sets_share_targets_and_a_stale_form_is_a_conflict
);
