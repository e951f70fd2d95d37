//! The storage story, told once and run on both backends: SQLite always, PostgreSQL when
//! `CHAINFORCE_TEST_POSTGRES_URL` is set (a run without it says so loudly).

use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::{RegionLevel, UnitForm, UserForm};
use chainforce_domain::paging::PageRequest;
use chainforce_domain::pipeline::StageChangeForm;
use chainforce_domain::problem::ProblemForm;
use chainforce_domain::project::{ProjectForm, Stage};
use chainforce_domain::task::{ProgressForm, TaskDraft, TaskForm, TaskProgress};
use chainforce_domain::{Amount, Rule};
use chainforce_storage::audit::ChainReport;
use chainforce_storage::problems::{ProblemFilter, RaisedBy};
use chainforce_storage::projects::{ProjectFilter, ProjectSort};
use chainforce_storage::tasks::TaskFilter;
use chainforce_storage::testing::TestDb;
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

/// The office's account: every county made by [`county`] has it as user 1.
fn office() -> AuditActor {
    AuditActor::user(1, "专班办公室")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct County {
    region: i64,
    fgw: i64,
    township: i64,
    enterprise: i64,
    /// A clerk of 发改委 and a contact of the enterprise, as audit actors.
    fgw_clerk: AuditActor,
    enterprise_contact: AuditActor,
}

async fn county(store: &Store) -> County {
    let mut tx = store.begin(&AuditActor::system("test")).await.unwrap();
    let region = tx
        .create_region(None, RegionLevel::County, Some("361125"), "示例县")
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
    let ent = EnterpriseForm {
        name: "示例锂业有限公司".into(),
        credit_code: "914403001922038216".into(),
        ..Default::default()
    };
    let enterprise = tx.create_enterprise(region, &ent.validate().unwrap()).await.unwrap();
    let user = |username: &str, role: &str, unit: i64, ent: i64| {
        UserForm {
            username: username.into(),
            display_name: username.into(),
            role: role.into(),
            unit_id: unit.to_string(),
            enterprise_id: ent.to_string(),
            password: "not used here".into(),
        }
        .validate(true)
        .unwrap()
    };
    let admin = tx
        .create_user(region, &user("office", "admin", 0, 0), "h")
        .await
        .unwrap();
    assert_eq!(admin, 1);
    let clerk = tx.create_user(region, &user("fgw", "unit", fgw, 0), "h").await.unwrap();
    let contact = tx
        .create_user(region, &user("lithium", "enterprise", 0, enterprise), "h")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    County {
        region,
        fgw,
        township,
        enterprise,
        fgw_clerk: AuditActor::user(clerk, "fgw"),
        enterprise_contact: AuditActor::user(contact, "lithium"),
    }
}

/// A task of 发改委 as the office enters it.
fn fgw_task(c: &County, name: &str, working_days: i64) -> TaskDraft {
    TaskForm {
        name: name.into(),
        responsible_unit_id: c.fgw.to_string(),
        duration_days: working_days.to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

async fn project(store: &Store, c: &County, name: &str) -> i64 {
    let form = ProjectForm {
        name: name.into(),
        enterprise_id: c.enterprise.to_string(),
        township_id: c.township.to_string(),
        lead_unit_id: c.fgw.to_string(),
        total_investment: "1.5亿元".into(),
        land_area: "120.5".into(),
        stage: "signed".into(),
        ..Default::default()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    let id = tx.create_project(c.region, &form.validate().unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn a_county_office_records_its_projects_and_reads_them_back(store: &Store) {
    let c = county(store).await;
    let id = project(store, &c, "年产2万吨电池级碳酸锂项目").await;
    let p = store.project(id).await.unwrap();
    assert_eq!(p.draft.total_investment, Some(Amount::from_int(15000)));
    assert_eq!(p.draft.land_area.unwrap().to_string(), "120.5");
    assert_eq!(p.township_name.as_deref(), Some("岑阳镇"));
    assert_eq!(p.enterprise_name.as_deref(), Some("示例锂业有限公司"));
    let listed = store
        .projects(
            c.region,
            &ProjectFilter {
                q: Some("碳酸锂".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let none = store
        .projects(
            c.region,
            &ProjectFilter {
                stage: Some(Stage::Started),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty());
    let o = store.overview(c.region).await.unwrap();
    assert_eq!(o.active_projects, 1);
    assert_eq!(o.signed_investment, Amount::from_int(15000));
    assert_eq!(o.landed_investment, Amount::ZERO);
}
on_both_backends!(
    records_and_reads_projects,
    a_county_office_records_its_projects_and_reads_them_back
);

async fn a_stale_edit_is_refused_with_the_current_row(store: &Store) {
    let c = county(store).await;
    let id = project(store, &c, "锂电池正极材料项目").await;
    let p = store.project(id).await.unwrap();
    let mut first = p.draft.clone();
    first.name = "锂电池正极材料项目（一期）".into();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.update_project(id, p.version, &first).await.unwrap();
    tx.commit().await.unwrap();
    // A second clerk saves the page they loaded before the first save.
    let mut second = p.draft.clone();
    second.leader = Some("李县长".into());
    let mut tx = store.begin(&office()).await.unwrap();
    match tx.update_project(id, p.version, &second).await {
        Err(StoreError::Conflict {
            current_version,
            current,
            ..
        }) => {
            assert_eq!(current_version, p.version + 1);
            assert_eq!(current["name"], "锂电池正极材料项目（一期）");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    drop(tx);
    assert_eq!(store.project(id).await.unwrap().draft.leader, None);
}
on_both_backends!(stale_edit_conflicts, a_stale_edit_is_refused_with_the_current_row);

async fn a_failed_action_leaves_nothing_behind(store: &Store) {
    let c = county(store).await;
    let before = store.recent_audit(1000).await.unwrap().len();
    let mut tx = store.begin(&office()).await.unwrap();
    let ok = ProjectForm {
        name: "first half".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    tx.create_project(c.region, &ok).await.unwrap();
    let bad = ProjectForm {
        name: "second half".into(),
        township_id: c.fgw.to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    // 发改委 is a department, not a township: the whole action fails.
    match tx.create_project(c.region, &bad).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "township_id"),
        other => panic!("expected invalid township, got {other:?}"),
    }
    drop(tx);
    assert!(
        store
            .projects(c.region, &ProjectFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.recent_audit(1000).await.unwrap().len(), before);
}
on_both_backends!(failed_action_rolls_back, a_failed_action_leaves_nothing_behind);

async fn duplicates_are_refused_on_the_field_that_repeats(store: &Store) {
    let c = county(store).await;
    let mut tx = store.begin(&office()).await.unwrap();
    let same_code = EnterpriseForm {
        name: "另一家公司".into(),
        credit_code: "914403001922038216".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    match tx.create_enterprise(c.region, &same_code).await {
        Err(StoreError::Invalid(e)) => {
            assert_eq!((e.0[0].field.as_str(), &e.0[0].rule), ("credit_code", &Rule::Duplicate))
        }
        other => panic!("expected duplicate credit code, got {other:?}"),
    }
    drop(tx);
    let mut tx = store.begin(&office()).await.unwrap();
    let same_name = UnitForm {
        name: "发改委".into(),
        kind: "department".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    match tx.create_unit(c.region, &same_name).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "name"),
        other => panic!("expected duplicate unit name, got {other:?}"),
    }
}
on_both_backends!(
    duplicates_name_the_field,
    duplicates_are_refused_on_the_field_that_repeats
);

async fn every_change_is_in_a_verifiable_chain_and_tampering_is_named(store: &Store) {
    let c = county(store).await;
    let id = project(store, &c, "隔膜项目").await;
    let p = store.project(id).await.unwrap();
    let mut edited = p.draft.clone();
    edited.name = "隔膜项目（一期）".into();
    // The project was signed the day it was created; it registers the same day.
    let today = chainforce_storage::clock::today();
    let registered = StageChangeForm {
        to: Stage::Registered.code().into(),
        date: today.to_string(),
        ..Default::default()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    tx.update_project(id, p.version, &edited).await.unwrap();
    tx.change_stage(id, p.version + 1, &registered, false, today)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let history = store.history("project", id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    // Newest first: created as a 线索 and signed by the stage rules, edited, registered.
    assert_eq!(
        actions,
        ["stage", "stage_date", "update", "stage", "stage_date", "create"]
    );
    assert_eq!(history[0].actor_name, "专班办公室");
    assert!(history[0].before.as_deref().unwrap().contains("\"stage\":\"signed\""));
    let entries = match store.verify_audit_chain().await.unwrap() {
        ChainReport::Intact { entries } => entries,
        other => panic!("chain should verify: {other:?}"),
    };
    assert!(entries >= 7, "{entries}");
    // Someone edits a row behind the application's back.
    let victim = history[1].seq;
    store
        .execute_raw(&format!(
            "UPDATE audit_log SET actor_name = 'nobody' WHERE seq = {victim}"
        ))
        .await
        .unwrap();
    match store.verify_audit_chain().await.unwrap() {
        ChainReport::Broken(b) => assert_eq!(b.seq, victim),
        other => panic!("tampering must be detected: {other:?}"),
    }
}
on_both_backends!(
    audit_chain_detects_tampering,
    every_change_is_in_a_verifiable_chain_and_tampering_is_named
);

async fn deleting_the_newest_audit_entry_is_detected(store: &Store) {
    let c = county(store).await;
    project(store, &c, "铜箔项目").await;
    store
        .execute_raw("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
        .await
        .unwrap();
    assert!(matches!(
        store.verify_audit_chain().await.unwrap(),
        ChainReport::Broken(_)
    ));
}
on_both_backends!(
    audit_chain_detects_deleted_tail,
    deleting_the_newest_audit_entry_is_detected
);

async fn many_clerks_writing_at_once_lose_nothing_and_never_see_busy(store: &Store) {
    let c = county(store).await;
    let mut handles = Vec::new();
    for i in 0..24 {
        let store = store.clone();
        let region = c.region;
        handles.push(tokio::spawn(async move {
            let mut tx = store.begin(&AuditActor::user(1, &format!("clerk {i}"))).await?;
            let d = ProjectForm {
                name: format!("并发项目{i}"),
                ..Default::default()
            }
            .validate()
            .unwrap();
            tx.create_project(region, &d).await?;
            tx.commit().await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(
        store.projects(c.region, &ProjectFilter::default()).await.unwrap().len(),
        24
    );
    assert!(matches!(
        store.verify_audit_chain().await.unwrap(),
        ChainReport::Intact { .. }
    ));
}
on_both_backends!(
    concurrent_writers,
    many_clerks_writing_at_once_lose_nothing_and_never_see_busy
);

/// Twelve clerks report on the same task at once, each against the version it last read, for
/// several rounds (issue 10): per round exactly one report wins and the rest are told of the
/// conflict; every accepted report is kept, none is silently overwritten, and no writer ever sees
/// SQLITE_BUSY or a deadlock — only `Conflict`.
async fn many_clerks_updating_the_same_task_lose_no_update(store: &Store) {
    let c = county(store).await;
    let pid = project(store, &c, "隔膜项目").await;
    let mut tx = store.begin(&office()).await.unwrap();
    let tid = tx.create_task(pid, &fgw_task(&c, "环评批复", 5), None).await.unwrap();
    tx.commit().await.unwrap();
    let mut accepted = Vec::new();
    for round in 0..4 {
        let version = store.task(tid).await.unwrap().version;
        let mut handles = Vec::new();
        for clerk in 0..12 {
            let store = store.clone();
            let actor = c.fgw_clerk.clone();
            handles.push(tokio::spawn(async move {
                let note = format!("第{round}轮 科员{clerk}");
                let report = ProgressForm {
                    actual_start: "2026-11-20".into(),
                    note: note.clone(),
                    ..Default::default()
                }
                .validate(day("2026-11-29"))
                .unwrap();
                let mut tx = store.begin(&actor).await?;
                tx.report_task_progress(tid, version, &report).await?;
                tx.commit().await?;
                Ok::<String, StoreError>(note)
            }));
        }
        let mut winners = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(note) => {
                    winners += 1;
                    accepted.push(note);
                }
                Err(StoreError::Conflict { .. }) => {}
                Err(other) => panic!("a clerk saw {other:?} instead of a conflict"),
            }
        }
        assert_eq!(
            winners, 1,
            "round {round}: exactly one report on version {version} wins"
        );
    }
    let mut kept: Vec<String> = store
        .task_updates(tid)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|u| u.note)
        .collect();
    kept.sort();
    accepted.sort();
    assert_eq!(kept, accepted, "every accepted report is kept, and only those");
    assert!(matches!(
        store.verify_audit_chain().await.unwrap(),
        ChainReport::Intact { .. }
    ));
}
on_both_backends!(
    concurrent_updates_of_one_task,
    many_clerks_updating_the_same_task_lose_no_update
);

async fn a_unit_reports_progress_on_its_task(store: &Store) {
    let c = county(store).await;
    let pid = project(store, &c, "电解液项目").await;
    let mut tx = store.begin(&office()).await.unwrap();
    let tid = tx.create_task(pid, &fgw_task(&c, "项目备案", 1), None).await.unwrap();
    tx.commit().await.unwrap();
    let t = store.task(tid).await.unwrap();
    assert_eq!(t.responsible_unit_name.as_deref(), Some("发改委"));
    let report = ProgressForm {
        actual_start: "2026-11-20".into(),
        actual_finish: "2026-11-20".into(),
        note: "已赋码".into(),
        ..Default::default()
    }
    .validate(day("2026-11-29"))
    .unwrap();
    let mut tx = store.begin(&c.fgw_clerk).await.unwrap();
    tx.report_task_progress(tid, t.version, &report).await.unwrap();
    tx.commit().await.unwrap();
    let t = store.task(tid).await.unwrap();
    assert_eq!(t.progress, TaskProgress::Done);
    assert_eq!(t.actual_finish, Some(day("2026-11-20")));
    let notes = store.task_updates(tid).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].note.as_deref(), Some("已赋码"));
    let mine = store
        .tasks(
            c.region,
            &TaskFilter {
                unit_id: Some(c.fgw),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
}
on_both_backends!(unit_reports_progress, a_unit_reports_progress_on_its_task);

async fn a_problem_goes_round_the_loop(store: &Store) {
    let c = county(store).await;
    let pid = project(store, &c, "负极材料项目").await;
    let mut tx = store.begin(&c.enterprise_contact).await.unwrap();
    let d = ProblemForm {
        title: "用电报装迟迟未批".into(),
        description: "需要 10kV 专线".into(),
    }
    .validate()
    .unwrap();
    let id = tx
        .raise_problem(
            pid,
            &d,
            RaisedBy {
                enterprise_id: Some(c.enterprise),
                unit_id: None,
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let p = store.problem(id).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.assign_problem(id, p.version, c.fgw, day("2026-12-15"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let p = store.problem(id).await.unwrap();
    assert_eq!(p.assigned_unit_name.as_deref(), Some("发改委"));
    // Confirming before an answer is not a step a problem can take.
    let mut tx = store.begin(&office()).await.unwrap();
    assert!(matches!(
        tx.confirm_problem(id, p.version, 5, None).await,
        Err(StoreError::Invalid(_))
    ));
    drop(tx);
    let mut tx = store.begin(&office()).await.unwrap();
    tx.answer_problem(id, p.version, "已协调供电公司，12月10日前送电")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let p = store.problem(id).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.confirm_problem(id, p.version, 5, Some("很及时")).await.unwrap();
    tx.commit().await.unwrap();
    let p = store.problem(id).await.unwrap();
    assert_eq!((p.rating, p.status.code()), (Some(5), "solved"));
    let open = store
        .problems(
            c.region,
            &ProblemFilter {
                open_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(open.is_empty());
}
on_both_backends!(problem_loop, a_problem_goes_round_the_loop);

/// A list read a page at a time: each page holds the next rows of the whole list in the same
/// order, whatever the sort (names repeat, so only the id keeps pages from overlapping), the
/// count and the investment are those of everything the filter matches, and a page past the end
/// is empty with its total.
async fn the_office_reads_long_lists_a_page_at_a_time(store: &Store) {
    let c = county(store).await;
    let stages = ["lead", "signed", "registered", "filed"];
    let mut tx = store.begin(&office()).await.unwrap();
    for i in 0..23 {
        let form = ProjectForm {
            name: format!("锂电项目{}", i % 7),
            township_id: c.township.to_string(),
            total_investment: if i % 5 == 4 {
                String::new()
            } else {
                format!("{}", (i + 1) * 100)
            },
            stage: stages[i % stages.len()].into(),
            ..Default::default()
        };
        tx.create_project(c.region, &form.validate().unwrap()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let ten = PageRequest::first(10);
    for sort in [
        ProjectSort::Name,
        ProjectSort::Stage,
        ProjectSort::InvestmentDesc,
        ProjectSort::Updated,
    ] {
        let f = ProjectFilter {
            sort,
            ..Default::default()
        };
        let all = store.projects(c.region, &f).await.unwrap();
        assert_eq!(all.len(), 23);
        let mut paged = Vec::new();
        for number in 1..=3 {
            let page = store.projects_page(c.region, &f, ten.at(number)).await.unwrap();
            assert_eq!((page.projects.total, page.projects.pages()), (23, 3));
            assert_eq!(page.projects.rows.len(), if number < 3 { 10 } else { 3 });
            paged.extend(page.projects.rows);
        }
        let ids = |v: &[chainforce_storage::projects::Project]| v.iter().map(|p| p.id).collect::<Vec<_>>();
        assert_eq!(ids(&paged), ids(&all), "{sort:?}");
        if sort == ProjectSort::Stage {
            assert!(all.windows(2).all(|w| w[0].draft.stage <= w[1].draft.stage));
        }
    }
    // The investment shown is the whole filter's, not the page's.
    let everything: Amount = (0..23)
        .filter(|i| i % 5 != 4)
        .map(|i| Amount::from_int((i + 1) * 100))
        .sum();
    let first = store
        .projects_page(c.region, &ProjectFilter::default(), ten)
        .await
        .unwrap();
    assert_eq!(first.total_investment, everything);
    let signed = ProjectFilter {
        stage: Some(Stage::Signed),
        ..Default::default()
    };
    let signed_page = store.projects_page(c.region, &signed, ten).await.unwrap();
    let signed_all = store.projects(c.region, &signed).await.unwrap();
    assert_eq!(signed_page.projects.total, signed_all.len() as u64);
    assert_eq!(
        signed_page.total_investment,
        chainforce_storage::projects::total_investment(&signed_all)
    );
    // Past the end: no rows, the same totals.
    let far = store
        .projects_page(c.region, &ProjectFilter::default(), ten.at(9))
        .await
        .unwrap();
    assert!(far.projects.rows.is_empty() && far.projects.is_past_end());
    assert_eq!((far.projects.total, far.total_investment), (23, everything));
    // Nothing matches: page 1 of 1, nothing to add up.
    let none = ProjectFilter {
        q: Some("没有这个项目".into()),
        ..Default::default()
    };
    let empty = store.projects_page(c.region, &none, ten).await.unwrap();
    assert_eq!((empty.projects.total, empty.projects.pages()), (0, 1));
    assert_eq!(empty.total_investment, Amount::ZERO);

    // Problems: newest first, page by page; the open ones counted apart from the solved.
    let pid = store.projects(c.region, &ProjectFilter::default()).await.unwrap()[0].id;
    let mut tx = store.begin(&c.enterprise_contact).await.unwrap();
    for i in 0..12 {
        let d = ProblemForm {
            title: format!("问题{i}"),
            description: String::new(),
        }
        .validate()
        .unwrap();
        tx.raise_problem(pid, &d, RaisedBy::default()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let all = store.problems(c.region, &ProblemFilter::default()).await.unwrap();
    let five = PageRequest::first(5);
    let mut paged = Vec::new();
    for number in 1..=3 {
        let page = store
            .problems_page(c.region, &ProblemFilter::default(), five.at(number))
            .await
            .unwrap();
        assert_eq!((page.total, page.pages()), (12, 3));
        paged.extend(page.rows.into_iter().map(|p| p.id));
    }
    assert_eq!(paged, all.iter().map(|p| p.id).collect::<Vec<_>>());
    assert!(paged.windows(2).all(|w| w[0] > w[1]), "newest first");
    let open = ProblemFilter {
        open_only: true,
        project_id: Some(pid),
        ..Default::default()
    };
    assert_eq!(store.problems_page(c.region, &open, five).await.unwrap().total, 12);
    let far = store
        .problems_page(c.region, &ProblemFilter::default(), five.at(4))
        .await
        .unwrap();
    assert!(far.rows.is_empty());
    assert_eq!(far.total, 12);
}
on_both_backends!(paged_lists, the_office_reads_long_lists_a_page_at_a_time);

async fn users_log_in_and_a_new_password_ends_their_sessions(store: &Store) {
    let c = county(store).await;
    let mut tx = store.begin(&office()).await.unwrap();
    let form = UserForm {
        username: "FGW.Zhang".into(),
        display_name: "张三".into(),
        role: "unit".into(),
        unit_id: c.fgw.to_string(),
        password: "a long password".into(),
        ..Default::default()
    };
    let uid = tx
        .create_user(c.region, &form.validate(true).unwrap(), "hash-1")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let u = store.user_by_username("fgw.zhang").await.unwrap().unwrap();
    assert_eq!((u.id, u.unit_id), (uid, Some(c.fgw)));
    store
        .create_session(uid, "tokenhash", "csrf", "2099-01-01T00:00:00Z")
        .await
        .unwrap();
    assert!(store.session("tokenhash").await.unwrap().is_some());
    let mut tx = store.begin(&office()).await.unwrap();
    tx.update_user(uid, u.version, &form.validate(true).unwrap(), true, Some("hash-2"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(store.session("tokenhash").await.unwrap().is_none());
    assert_eq!(store.user(uid).await.unwrap().password_hash, "hash-2");
    let history = store.history("user", uid).await.unwrap();
    assert!(
        !history
            .iter()
            .any(|e| e.after.as_deref().unwrap_or("").contains("hash-")),
        "hashes never reach the audit trail"
    );
}
on_both_backends!(users_and_sessions, users_log_in_and_a_new_password_ends_their_sessions);

#[tokio::test]
async fn migrations_are_idempotent() {
    let db = TestDb::sqlite().await;
    assert_eq!(db.store.migrate().await.unwrap(), 0);
}

async fn a_project_is_scheduled_backward_from_its_target_and_a_cycle_is_refused(store: &Store) {
    let c = county(store).await;
    let pid = project(store, &c, "动力电池项目").await;
    let p = store.project(pid).await.unwrap();
    let mut d = p.draft.clone();
    // 2026-10-16 is a Friday; 10-01..07 are 国庆 days off and 10-10 (Saturday) is a 补班 day.
    d.target_start = Some(day("2026-10-16"));
    let mut tx = store.begin(&office()).await.unwrap();
    tx.update_project(pid, p.version, &d).await.unwrap();
    let task = |name: &str, days: &str| {
        TaskForm {
            name: name.into(),
            duration_days: days.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let a = tx.create_task(pid, &task("施工图审查", "5"), None).await.unwrap();
    let b = tx.create_task(pid, &task("施工许可", "3"), None).await.unwrap();
    let deps = tx.parse_dependencies(b, &format!("{a}")).unwrap();
    tx.set_task_dependencies(b, &deps).await.unwrap();
    tx.commit().await.unwrap();
    let tb = store.task(b).await.unwrap();
    let ta = store.task(a).await.unwrap();
    // b: the last 3 working days up to Fri 10-16 → 10-14..10-16.
    assert_eq!(
        (tb.schedule.late_start, tb.schedule.late_finish),
        (Some(day("2026-10-14")), Some(day("2026-10-16")))
    );
    // a: 5 working days ending Tue 10-13: 10-09 (Fri), 10-10 (补班 Sat), 10-12, 10-13 … and 10-08 (Thu).
    assert_eq!(
        (ta.schedule.late_start, ta.schedule.late_finish),
        (Some(day("2026-10-08")), Some(day("2026-10-13")))
    );
    assert!(tb.schedule.critical || tb.schedule.total_float.unwrap() > 0);
    // Making a depend on b closes a loop: refused, naming both tasks, nothing saved.
    let mut tx = store.begin(&office()).await.unwrap();
    let deps = tx.parse_dependencies(a, &format!("{b}")).unwrap();
    tx.set_task_dependencies(a, &deps).await.unwrap();
    match tx.commit().await {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.0[0].field, "predecessors");
            let msg = e.0[0].rule.message(chainforce_domain::validation::Lang::Zh);
            assert!(msg.contains("施工图审查") && msg.contains("施工许可"), "{msg}");
        }
        other => panic!("expected a cycle error, got {other:?}"),
    }
    assert!(
        store
            .task_dependencies(c.region, pid)
            .await
            .unwrap()
            .iter()
            .all(|d| d.task_id == b)
    );
}
on_both_backends!(
    backward_schedule_and_cycles,
    a_project_is_scheduled_backward_from_its_target_and_a_cycle_is_refused
);

/// Two server processes on one database (a PostgreSQL deployment runs several): each keeps the
/// county's task board in memory, and a change made through one is in the other's next list.
async fn a_second_server_sees_every_change_to_the_task_lists(store: &Store) {
    let c = county(store).await;
    let pid = project(store, &c, "碳酸锂项目").await;
    let task = |name: &str| fgw_task(&c, name, 2);
    let mut tx = store.begin(&office()).await.unwrap();
    let first = tx.create_task(pid, &task("环评批复"), None).await.unwrap();
    tx.commit().await.unwrap();

    let other = Store::open(store.url()).await.unwrap();
    let open_of_fgw = TaskFilter {
        unit_id: Some(c.fgw),
        open_only: true,
        ..Default::default()
    };
    let names = |ts: Vec<chainforce_storage::tasks::Task>| ts.into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(names(other.tasks(c.region, &open_of_fgw).await.unwrap()), ["环评批复"]);

    // 发改委 reports the task done through the first server: the second no longer lists it as open.
    let t = store.task(first).await.unwrap();
    let done = ProgressForm {
        actual_start: "2026-11-20".into(),
        actual_finish: "2026-11-23".into(),
        ..Default::default()
    }
    .validate(day("2026-11-29"))
    .unwrap();
    let mut tx = store.begin(&c.fgw_clerk).await.unwrap();
    tx.report_task_progress(first, t.version, &done).await.unwrap();
    tx.commit().await.unwrap();
    assert!(other.tasks(c.region, &open_of_fgw).await.unwrap().is_empty());
    let all = other.tasks(c.region, &TaskFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].progress, TaskProgress::Done);
    assert_eq!(all[0].actual_finish, Some(day("2026-11-23")));

    // A problem raised changes no task list; a task added does, on both servers.
    let mut tx = store.begin(&c.enterprise_contact).await.unwrap();
    let problem = ProblemForm {
        title: "施工用水未通".into(),
        description: String::new(),
    }
    .validate()
    .unwrap();
    let raised_by = RaisedBy {
        enterprise_id: Some(c.enterprise),
        unit_id: None,
    };
    tx.raise_problem(pid, &problem, raised_by).await.unwrap();
    tx.commit().await.unwrap();
    assert!(other.tasks(c.region, &open_of_fgw).await.unwrap().is_empty());
    let mut tx = store.begin(&office()).await.unwrap();
    tx.create_task(pid, &task("施工许可"), None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(names(other.tasks(c.region, &open_of_fgw).await.unwrap()), ["施工许可"]);
    assert_eq!(names(store.tasks(c.region, &open_of_fgw).await.unwrap()), ["施工许可"]);
    // The board holds the same rows, to the last field, as each task read directly.
    let of_project = TaskFilter {
        project_id: Some(pid),
        ..Default::default()
    };
    let read_directly = |ids: Vec<i64>| {
        let other = other.clone();
        async move {
            let mut tasks = Vec::new();
            for id in ids {
                tasks.push(other.task(id).await.unwrap());
            }
            tasks
        }
    };
    let listed = other.tasks(c.region, &of_project).await.unwrap();
    let direct = read_directly(listed.iter().map(|t| t.id).collect()).await;
    assert_eq!(listed, direct);
    assert_eq!(other.tasks(c.region, &TaskFilter::default()).await.unwrap(), direct);
    assert_eq!(direct[0].responsible_unit_name.as_deref(), Some("发改委"));
    assert_eq!(direct[0].project_name, "碳酸锂项目");
    assert!(direct[1].schedule.late_finish.is_some());

    // The nightly refresh recomputes schedules without auditing anything; the next list shows
    // the new dates all the same.
    let later = day("2031-03-03");
    store.refresh_stale_schedules(c.region, later).await.unwrap();
    let direct = read_directly(direct.iter().map(|t| t.id).collect()).await;
    assert!(direct[1].schedule.early_start.is_some_and(|d| d >= later));
    assert_eq!(other.tasks(c.region, &of_project).await.unwrap(), direct);
    assert_eq!(other.tasks(c.region, &TaskFilter::default()).await.unwrap(), direct);
    other.close().await;
}
on_both_backends!(
    second_server_sees_changes,
    a_second_server_sees_every_change_to_the_task_lists
);

/// The office gives 发改委 its full name.
async fn rename_fgw(store: &Store, c: &County, name: &str) {
    let unit = store.unit(c.fgw).await.unwrap();
    let renamed = UnitForm {
        name: name.into(),
        kind: "department".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.update_unit(c.fgw, unit.version, &renamed).await.unwrap();
    tx.commit().await.unwrap();
}

/// A server that keeps the board brings it up to date by re-reading only what a change touched.
/// Whatever the change — one task reported, a project renamed, a task deleted, a unit renamed —
/// its next list is the list a server starting afresh reads whole.
async fn a_board_kept_across_changes_is_the_board_read_afresh(store: &Store) {
    let c = county(store).await;
    let lithium = project(store, &c, "碳酸锂项目").await;
    let cathode = project(store, &c, "正极材料项目").await;
    let task = |name: &str| fgw_task(&c, name, 3);
    let mut tx = store.begin(&office()).await.unwrap();
    let eia = tx.create_task(lithium, &task("环评批复"), None).await.unwrap();
    tx.create_task(lithium, &task("能评批复"), None).await.unwrap();
    tx.create_task(cathode, &task("规划许可"), None).await.unwrap();
    tx.commit().await.unwrap();

    let kept = Store::open(store.url()).await.unwrap();
    let everything = TaskFilter::default();
    let same_as_afresh = |when: &'static str| {
        let kept = kept.clone();
        let url = store.url().to_string();
        let region = c.region;
        let everything = everything.clone();
        async move {
            let afresh = Store::open(&url).await.unwrap();
            let seen = kept.tasks(region, &everything).await.unwrap();
            assert_eq!(seen, afresh.tasks(region, &everything).await.unwrap(), "after {when}");
            afresh.close().await;
            seen
        }
    };
    assert_eq!(same_as_afresh("nothing").await.len(), 3);

    // 发改委 reports one task done: the kept board shows it done and the other project as it was.
    let done = ProgressForm {
        actual_start: "2026-11-20".into(),
        actual_finish: "2026-11-23".into(),
        ..Default::default()
    }
    .validate(day("2026-11-29"))
    .unwrap();
    let version = store.task(eia).await.unwrap().version;
    let mut tx = store.begin(&c.fgw_clerk).await.unwrap();
    tx.report_task_progress(eia, version, &done).await.unwrap();
    tx.commit().await.unwrap();
    let seen = same_as_afresh("a report").await;
    assert_eq!(seen.iter().find(|t| t.id == eia).unwrap().progress, TaskProgress::Done);
    assert!(seen.iter().any(|t| t.project_id == cathode));

    // The office renames a project: its tasks carry the new name.
    let p = store.project(cathode).await.unwrap();
    let mut draft = p.draft.clone();
    draft.name = "三元正极材料项目".into();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.update_project(cathode, p.version, &draft).await.unwrap();
    tx.commit().await.unwrap();
    let seen = same_as_afresh("a rename").await;
    assert!(
        seen.iter()
            .filter(|t| t.project_id == cathode)
            .all(|t| t.project_name == "三元正极材料项目")
    );

    // A deleted task leaves the kept board.
    let version = store.task(eia).await.unwrap().version;
    let mut tx = store.begin(&office()).await.unwrap();
    tx.delete_task(eia, version).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(same_as_afresh("a deletion").await.len(), 2);

    // A unit renamed reaches every project's tasks.
    rename_fgw(store, &c, "发展和改革委员会").await;
    let seen = same_as_afresh("a unit renamed").await;
    assert!(
        seen.iter()
            .all(|t| t.responsible_unit_name.as_deref() == Some("发展和改革委员会"))
    );

    // The nightly refresh reschedules every project without an audit entry.
    store
        .refresh_stale_schedules(c.region, day("2031-03-03"))
        .await
        .unwrap();
    same_as_afresh("the nightly refresh").await;
    kept.close().await;
}
on_both_backends!(
    kept_board_matches_afresh,
    a_board_kept_across_changes_is_the_board_read_afresh
);

/// What a server keeps of the reference data — the region's settings, its calendar, units,
/// enterprises and templates — is what a server starting afresh reads, after every kind of
/// change another server makes to it; and the day-to-day work (a problem raised) leaves its
/// version where it was, so the lists are not read again for it.
async fn reference_data_kept_across_changes_is_read_afresh(store: &Store) {
    let c = county(store).await;
    let kept = Store::open(store.url()).await.unwrap();
    let same_as_afresh = |when: &'static str| {
        let kept = kept.clone();
        let url = store.url().to_string();
        let region = c.region;
        async move {
            let afresh = Store::open(&url).await.unwrap();
            let lists = |s: Store| async move {
                format!(
                    "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
                    s.region(region).await.unwrap(),
                    s.units(region).await.unwrap(),
                    s.enterprises(region).await.unwrap(),
                    s.chain_nodes(region).await.unwrap(),
                    s.templates().await.unwrap(),
                    s.calendar(region).await.unwrap().is_working_day(day("2026-12-05")),
                )
            };
            let seen = lists(kept).await;
            assert_eq!(seen, lists(afresh.clone()).await, "after {when}");
            afresh.close().await;
            seen
        }
    };
    let before = same_as_afresh("nothing").await;

    // A problem raised is day-to-day work: the version stays, the lists are the same.
    let version = kept.reference_version().await.unwrap();
    let pid = project(store, &c, "碳酸锂项目").await;
    let problem = ProblemForm {
        title: "用地指标".into(),
        description: String::new(),
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&c.enterprise_contact).await.unwrap();
    tx.raise_problem(pid, &problem, RaisedBy::default()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        kept.reference_version().await.unwrap(),
        version,
        "a problem moved the version"
    );
    assert_eq!(same_as_afresh("a problem raised").await, before);

    // The office renames a unit: the kept units carry the new name.
    rename_fgw(store, &c, "发展和改革委员会").await;
    assert!(same_as_afresh("a unit renamed").await.contains("发展和改革委员会"));

    // A new enterprise appears in the kept list.
    let ent = EnterpriseForm {
        name: "新能源材料有限公司".into(),
        ..Default::default()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    tx.create_enterprise(c.region, &ent.validate().unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        same_as_afresh("an enterprise added")
            .await
            .contains("新能源材料有限公司")
    );

    // The yellow threshold changes.
    let region = store.region(c.region).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_yellow_threshold(c.region, region.version, region.yellow_float_days + 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    same_as_afresh("the yellow threshold changed").await;
    assert_eq!(
        kept.region(c.region).await.unwrap().yellow_float_days,
        region.yellow_float_days + 2
    );

    // The county makes Saturday 5 December a working day: the kept calendar knows.
    assert!(!kept.calendar(c.region).await.unwrap().is_working_day(day("2026-12-05")));
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_region_day(c.region, day("2026-12-05"), false, "县里补班")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    same_as_afresh("a region day set").await;
    assert!(kept.calendar(c.region).await.unwrap().is_working_day(day("2026-12-05")));
    kept.close().await;
}
on_both_backends!(
    kept_reference_data_matches_afresh,
    reference_data_kept_across_changes_is_read_afresh
);

/// Within one request the versions are read once; a change the request itself commits is seen by
/// its own later reads (a form that saves and then shows the list again).
async fn a_request_sees_its_own_change(store: &Store) {
    let c = county(store).await;
    chainforce_storage::request::scope(async {
        assert!(store.units(c.region).await.unwrap().iter().any(|u| u.name == "发改委"));
        rename_fgw(store, &c, "发展和改革委员会").await;
        let units = store.units(c.region).await.unwrap();
        assert!(units.iter().any(|u| u.name == "发展和改革委员会"), "{units:?}");
    })
    .await;
}
on_both_backends!(request_sees_own_change, a_request_sees_its_own_change);

/// The dashboard's figures: a paused project counts apart from the active ones and out of their
/// investment; an open problem counts until solved.
async fn the_overview_counts_paused_projects_and_open_problems(store: &Store) {
    let c = county(store).await;
    project(store, &c, "碳酸锂项目").await;
    let paused = project(store, &c, "正极材料项目").await;
    let p = store.project(paused).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_project_state(
        paused,
        p.version,
        chainforce_domain::project::ProjectState::Paused,
        Some("资金未到位"),
    )
    .await
    .unwrap();
    let problem = ProblemForm {
        title: "用地指标".into(),
        description: String::new(),
    }
    .validate()
    .unwrap();
    tx.raise_problem(paused, &problem, RaisedBy::default()).await.unwrap();
    tx.commit().await.unwrap();
    let o = store.overview(c.region).await.unwrap();
    assert_eq!(o.active_projects, 1);
    assert_eq!(o.paused_or_terminated, 1);
    assert_eq!(o.signed_investment, Amount::from_int(15000));
    assert_eq!(o.open_problems, 1);
}
on_both_backends!(overview_counts, the_overview_counts_paused_projects_and_open_problems);
