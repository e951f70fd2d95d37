//! The project pipeline in the database, told once and run on both backends: a project moves
//! along its road with dated, attributed stage changes (and the 供地-before-开工 rule holds unless
//! the office overrides it), its enterprise reports every month, and the KPIs are computed from
//! what was recorded.

use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::{RegionLevel, UnitForm};
use chainforce_domain::pipeline::monthly::MonthlyReportForm;
use chainforce_domain::pipeline::{StageChangeForm, pipeline_report};
use chainforce_domain::project::{ProjectForm, ProjectState, Stage};
use chainforce_domain::ranking::{Period, PeriodKind};
use chainforce_domain::validation::Lang;
use chainforce_domain::{Amount, Rule};
use chainforce_storage::imports::{LedgerBatch, LedgerProject};
use chainforce_storage::pipeline::{AttachTo, FileStore};
use chainforce_storage::{AuditActor, Store, StoreError};
use chrono::NaiveDate;

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

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn wan(s: &str) -> Amount {
    Amount::parse_plain(s).unwrap()
}

struct County {
    region: i64,
    project: i64,
}

async fn county(store: &Store) -> County {
    let mut tx = store.begin(&AuditActor::system("pipeline-test")).await.unwrap();
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
    let township = tx.create_unit(region, &unit("岑阳镇", "township")).await.unwrap();
    let firm = EnterpriseForm {
        name: "甲锂业有限公司".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let firm = tx.create_enterprise(region, &firm).await.unwrap();
    let p = ProjectForm {
        name: "年产2万吨碳酸锂项目".into(),
        enterprise_id: firm.to_string(),
        township_id: township.to_string(),
        lead_unit_id: fgw.to_string(),
        total_investment: "50000".into(),
        agreed_investment: "40000".into(),
        annual_plan_investment: "12000".into(),
        target_start: "2026-03-31".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let project = tx.create_project(region, &p).await.unwrap();
    tx.commit().await.unwrap();
    County { region, project }
}

/// The office, as the history names it.
fn office() -> AuditActor {
    AuditActor::system("专班办公室")
}

async fn change(
    store: &Store,
    project: i64,
    to: &str,
    date: &str,
    reason: &str,
    override_rule: bool,
) -> Result<(), String> {
    let p = store.project(project).await.unwrap();
    let form = StageChangeForm {
        to: to.into(),
        date: date.into(),
        reason: reason.into(),
        override_rule: if override_rule { "1".into() } else { String::new() },
    };
    let mut tx = store.begin(&office()).await.unwrap();
    match tx.change_stage(project, p.version, &form, true, d("2026-06-30")).await {
        Ok(_) => {
            tx.commit().await.unwrap();
            Ok(())
        }
        Err(StoreError::Invalid(e)) => Err(e.0.iter().map(|f| f.field.clone()).collect::<Vec<_>>().join(",")),
        Err(e) => panic!("{e:?}"),
    }
}

async fn the_road_is_recorded_with_dates_and_names(store: &Store) {
    let c = county(store).await;
    change(store, c.project, "signed", "2026-01-05", "", false)
        .await
        .unwrap();
    change(store, c.project, "filed", "2026-01-20", "", false)
        .await
        .unwrap();
    // 开工 before 供地 is refused, and so is a date before the last one.
    assert_eq!(
        change(store, c.project, "started", "2026-02-02", "", false).await,
        Err("to".into())
    );
    assert_eq!(
        change(store, c.project, "land_supplied", "2026-01-19", "", false).await,
        Err("date".into())
    );
    change(store, c.project, "land_supplied", "2026-02-02", "", false)
        .await
        .unwrap();
    change(store, c.project, "started", "2026-03-02", "", false)
        .await
        .unwrap();
    change(store, c.project, "paused", "2026-03-10", "环评整改", false)
        .await
        .unwrap();
    // A paused project only resumes or ends.
    assert_eq!(
        change(store, c.project, "in_production", "2026-03-11", "", false).await,
        Err("to".into())
    );
    change(store, c.project, "active", "2026-03-20", "", false)
        .await
        .unwrap();

    let p = store.project(c.project).await.unwrap();
    assert_eq!((p.draft.stage, p.state), (Stage::Started, ProjectState::Active));
    let history = store.stage_history(c.project).await.unwrap();
    let road: Vec<(Stage, ProjectState, String)> = history
        .iter()
        .map(|h| (h.to_stage, h.to_state, h.changed_on.to_string()))
        .collect();
    assert_eq!(
        road,
        [
            (Stage::Signed, ProjectState::Active, "2026-01-05".to_string()),
            (Stage::Filed, ProjectState::Active, "2026-01-20".into()),
            (Stage::LandSupplied, ProjectState::Active, "2026-02-02".into()),
            (Stage::Started, ProjectState::Active, "2026-03-02".into()),
            (Stage::Started, ProjectState::Paused, "2026-03-10".into()),
            (Stage::Started, ProjectState::Active, "2026-03-20".into()),
        ]
    );
    assert!(history.iter().all(|h| h.by_name == "system:专班办公室"));
    assert_eq!(history[4].reason.as_deref(), Some("环评整改"));
    // The actual stage dates follow.
    let dates = store.stage_dates(c.project).await.unwrap();
    let started = dates.iter().find(|s| s.stage == Stage::Started).unwrap();
    assert_eq!(started.actual, Some(d("2026-03-02")));
    // Each change is in the audit trail.
    let audited = store.history("project", c.project).await.unwrap();
    assert_eq!(audited.iter().filter(|e| e.action == "stage").count(), 6);
}
on_both_backends!(the_road, the_road_is_recorded_with_dates_and_names);

async fn the_office_may_start_before_land_with_a_reason(store: &Store) {
    let c = county(store).await;
    change(store, c.project, "signed", "2026-01-05", "", false)
        .await
        .unwrap();
    change(store, c.project, "started", "2026-02-02", "先行用地已获批", true)
        .await
        .unwrap();
    let h = store.stage_history(c.project).await.unwrap();
    assert!(h[1].overridden);
    assert_eq!(h[1].reason.as_deref(), Some("先行用地已获批"));
    // A stale version is a conflict, not a silent overwrite.
    let p = store.project(c.project).await.unwrap();
    let ch = StageChangeForm {
        to: "in_production".into(),
        date: "2026-05-06".into(),
        ..Default::default()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    let err = tx
        .change_stage(c.project, p.version - 1, &ch, true, d("2026-06-30"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    drop(tx);
    // A pause through the project's state form shows in the same history.
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_project_state(c.project, p.version, ProjectState::Paused, Some("资金未到位"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let h = store.stage_history(c.project).await.unwrap();
    let last = h.last().unwrap();
    assert_eq!((last.to_stage, last.to_state), (Stage::Started, ProjectState::Paused));
    assert_eq!(last.reason.as_deref(), Some("资金未到位"));
}
on_both_backends!(override_rule, the_office_may_start_before_land_with_a_reason);

async fn monthly_reports_are_one_per_month_and_feed_the_kpis(store: &Store) {
    let c = county(store).await;
    change(store, c.project, "signed", "2026-01-05", "", false)
        .await
        .unwrap();
    change(store, c.project, "land_supplied", "2026-02-02", "", false)
        .await
        .unwrap();
    change(store, c.project, "started", "2026-03-02", "", false)
        .await
        .unwrap();
    let report = |month: &str, amount: &str| {
        MonthlyReportForm {
            month: month.into(),
            completed_investment: amount.into(),
            image_progress: "桩基施工".into(),
        }
        .validate(d("2026-06-30"))
        .unwrap()
    };
    let firm = AuditActor::user(42, "甲锂业 张三");
    for (m, a) in [("2026-03", "5000"), ("2026-04", "7500.5")] {
        let mut tx = store.begin(&firm).await.unwrap();
        tx.submit_monthly_report(c.project, 0, &report(m, a)).await.unwrap();
        tx.commit().await.unwrap();
    }
    // Resubmitting April edits it, at the version read; a stale version is a conflict.
    let april = store.monthly_reports(c.project).await.unwrap()[0].clone();
    assert_eq!(
        (april.month, april.completed_investment),
        (d("2026-04-01"), wan("7500.5"))
    );
    let mut tx = store.begin(&firm).await.unwrap();
    tx.submit_monthly_report(c.project, april.version, &report("2026-04", "7000"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin(&firm).await.unwrap();
    let stale = tx
        .submit_monthly_report(c.project, april.version, &report("2026-04", "1"))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })), "{stale:?}");
    drop(tx);
    let reports = store.monthly_reports(c.project).await.unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].completed_investment, wan("7000"));
    assert_eq!(reports[0].reported_by_name, "甲锂业 张三");

    // Who has reported for May: nobody; for April: our project.
    let may = store.monthly_status(c.region, d("2026-05-01")).await.unwrap();
    assert_eq!(may.len(), 1);
    assert!(may[0].report.is_none());
    let apr = store.monthly_status(c.region, d("2026-04-01")).await.unwrap();
    assert!(apr[0].report.is_some());

    // The KPIs of Q1 2026 from what was recorded.
    let facts = store.pipeline_facts(c.region).await.unwrap();
    let cal = store.calendar(c.region).await.unwrap();
    let q1 = Period::containing(PeriodKind::Quarter, d("2026-01-01"));
    let r = pipeline_report(&facts, q1, &cal, "全县", "未指定");
    assert_eq!(r.county.signed, 1);
    assert_eq!(r.county.start_rate.to_string(), "100.0%");
    // Kept its 计划开工 of 2026-03-31.
    assert_eq!(r.county.fulfilment_rate.to_string(), "100.0%");
    // 5000 of 40000 agreed by the end of March.
    assert_eq!(r.county.funds_in_place, wan("5000"));
    assert_eq!(r.county.funds_rate.to_string(), "12.5%");
    assert_eq!(r.by_township[0].group.name, "岑阳镇");
    assert_eq!(r.lead_times[0].sign_to_land, Some(20));
    assert_eq!(r.lead_times[0].land_to_start, Some(16));

    // A photo of the April report, kept under a generated key.
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::new(dir.path());
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
    let checked = chainforce_domain::pipeline::AttachmentPolicy::built_in()
        .check("photos", "../工地.png", &png)
        .unwrap();
    let stored = files.put(&png).unwrap();
    let mut tx = store.begin(&firm).await.unwrap();
    let id = tx
        .add_attachment(c.project, AttachTo::MonthlyReport(reports[0].id), &stored, &checked)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let a = store.attachment(id).await.unwrap();
    assert_eq!(a.original_name, "工地.png");
    assert_ne!(a.storage_key, "工地.png");
    assert_eq!(files.read(&a.storage_key).unwrap(), png);
    assert_eq!(store.report_attachments(c.project).await.unwrap().len(), 1);
}
on_both_backends!(monthly, monthly_reports_are_one_per_month_and_feed_the_kpis);

/// A 台账 row with its 当前阶段 and stage dates, as the importer hands it to storage.
fn ledger_row(row: u32, name: &str, stage: Stage, investment: &str, dates: &[(Stage, &str, &str)]) -> LedgerProject {
    LedgerProject {
        row,
        draft: ProjectForm {
            name: name.into(),
            stage: stage.code().into(),
            total_investment: investment.into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
        enterprise: None,
        chain_node: None,
        township: None,
        lead_unit: None,
        stage_dates: dates.iter().map(|(s, day, f)| (*s, d(day), f.to_string())).collect(),
    }
}

fn ledger(projects: Vec<LedgerProject>) -> LedgerBatch {
    LedgerBatch {
        projects,
        tasks: vec![],
        columns: [
            "name",
            "stage",
            "total_investment",
            "signed_on",
            "registered_on",
            "land_supplied_on",
            "started_on",
        ]
        .map(String::from)
        .into(),
    }
}

async fn a_ledger_moves_projects_only_by_the_stage_rules(store: &Store) {
    let c = county(store).await;
    change(store, c.project, "signed", "2026-01-05", "", false)
        .await
        .unwrap();
    change(store, c.project, "filed", "2026-01-20", "", false)
        .await
        .unwrap();
    let clerk = AuditActor::system("台账导入");

    // The ledger says the filed project has started — no 供地 — and has a new figure for it; a
    // new project was signed and registered. The first row is refused whole, the second goes
    // along the road with each stage in the history.
    let batch = ledger(vec![
        ledger_row(2, "年产2万吨碳酸锂项目", Stage::Started, "60000", &[]),
        ledger_row(
            3,
            "锂云母提锂项目",
            Stage::Registered,
            "30000",
            &[
                (Stage::Signed, "2026-02-01", "signed_on"),
                (Stage::Registered, "2026-03-01", "registered_on"),
            ],
        ),
    ]);
    let mut tx = store.begin(&clerk).await.unwrap();
    let out = tx.import_ledger(c.region, &batch, d("2026-06-30")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(out.refused.len(), 1, "{:?}", out.refused);
    let r = &out.refused[0];
    assert_eq!((r.row, r.field.as_str(), r.value.as_str()), (2, "stage", "开工"));
    assert!(r.rule.message(Lang::Zh).contains("未供地不能开工"), "{:?}", r.rule);
    let p = store.project(c.project).await.unwrap();
    assert_eq!(
        (p.draft.stage, p.draft.total_investment),
        (Stage::Filed, Some(wan("50000"))),
        "nothing of the refused row is written"
    );
    assert_eq!(out.created.len(), 1);
    let new = out.created[0].id;
    assert_eq!(store.project(new).await.unwrap().draft.stage, Stage::Registered);
    let road: Vec<(Stage, String, String)> = store
        .stage_history(new)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.to_stage, h.changed_on.to_string(), h.by_name))
        .collect();
    let by = "system:台账导入".to_string();
    assert_eq!(
        road,
        [
            (Stage::Signed, "2026-02-01".into(), by.clone()),
            (Stage::Registered, "2026-03-01".into(), by.clone()),
        ]
    );

    // With 供地时间 the same start is allowed: 供地 then 开工, as the ledger dates them.
    let batch = ledger(vec![ledger_row(
        2,
        "年产2万吨碳酸锂项目",
        Stage::Started,
        "60000",
        &[
            (Stage::LandSupplied, "2026-04-01", "land_supplied_on"),
            (Stage::Started, "2026-05-06", "started_on"),
        ],
    )]);
    let mut tx = store.begin(&clerk).await.unwrap();
    let out = tx.import_ledger(c.region, &batch, d("2026-06-30")).await.unwrap();
    tx.commit().await.unwrap();
    assert!(out.refused.is_empty(), "{:?}", out.refused);
    let p = store.project(c.project).await.unwrap();
    assert_eq!(
        (p.draft.stage, p.draft.total_investment),
        (Stage::Started, Some(wan("60000")))
    );
    let last: Vec<(Stage, String, String)> = store.stage_history(c.project).await.unwrap()[2..]
        .iter()
        .map(|h| (h.to_stage, h.changed_on.to_string(), h.by_name.clone()))
        .collect();
    assert_eq!(
        last,
        [
            (Stage::LandSupplied, "2026-04-01".into(), by.clone()),
            (Stage::Started, "2026-05-06".into(), by),
        ]
    );
    // A ledger behind the project would move it back: refused.
    let batch = ledger(vec![ledger_row(2, "年产2万吨碳酸锂项目", Stage::Filed, "60000", &[])]);
    let mut tx = store.begin(&clerk).await.unwrap();
    let out = tx.import_ledger(c.region, &batch, d("2026-06-30")).await.unwrap();
    assert_eq!(out.refused[0].field, "stage");
    assert!(out.refused[0].rule.message(Lang::Zh).contains("只能向后推进"));
}
on_both_backends!(ledger_stages, a_ledger_moves_projects_only_by_the_stage_rules);

#[tokio::test]
async fn a_negative_amount_never_reaches_the_database() {
    let e = MonthlyReportForm {
        month: "2026-04".into(),
        completed_investment: "-1".into(),
        image_progress: "x".into(),
    }
    .validate(d("2026-06-30"))
    .unwrap_err();
    assert_eq!(e.0[0].rule, Rule::Negative);
}
