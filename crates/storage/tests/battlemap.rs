//! What the battle map and the 包挂领导 view read, on both backends: active projects only, each
//! filter narrowing projects (and, for a unit, the tasks), stage dates alongside, the leaders the
//! projects name, and a leader's open problems.

use chainforce_domain::battlemap::MapFilter;
use chainforce_domain::org::{RegionLevel, UnitForm};
use chainforce_domain::problem::ProblemForm;
use chainforce_domain::project::{ProjectForm, ProjectState, Stage};
use chainforce_domain::task::TaskForm;
use chainforce_storage::problems::RaisedBy;
use chainforce_storage::{AuditActor, Store};
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

on_both_backends!(the_map_reads, the_map_reads_active_projects_narrowed_by_each_filter);

async fn the_map_reads_active_projects_narrowed_by_each_filter(store: &Store) {
    let mut tx = store.begin(&AuditActor::system("test")).await.unwrap();
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
    let east = tx.create_unit(region, &unit("东岭镇", "township")).await.unwrap();
    let west = tx.create_unit(region, &unit("西溪镇", "township")).await.unwrap();
    let project = |name: &str, township: i64, leader: &str, stage: &str| {
        ProjectForm {
            name: name.into(),
            township_id: township.to_string(),
            leader: leader.into(),
            stage: stage.into(),
            target_start: "2027-03-31".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let a = tx
        .create_project(region, &project("甲项目", east, "张县长", "signed"))
        .await
        .unwrap();
    let b = tx
        .create_project(region, &project("乙项目", west, "李副县长", "filed"))
        .await
        .unwrap();
    let paused = tx
        .create_project(region, &project("丙项目", east, "张县长", "signed"))
        .await
        .unwrap();
    let task = |name: &str, unit: i64| {
        TaskForm {
            name: name.into(),
            responsible_unit_id: unit.to_string(),
            duration_days: "5".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let a1 = tx.create_task(a, &task("备案", fgw), None).await.unwrap();
    let a2 = tx.create_task(a, &task("用地预审", zrzy), None).await.unwrap();
    let b1 = tx.create_task(b, &task("备案", fgw), None).await.unwrap();
    tx.create_task(paused, &task("备案", fgw), None).await.unwrap();
    tx.record_stage_date(
        a,
        Stage::Signed,
        None,
        Some(NaiveDate::from_ymd_opt(2026, 5, 6).unwrap()),
    )
    .await
    .unwrap();
    let d = ProblemForm {
        title: "供电".into(),
        description: String::new(),
    }
    .validate()
    .unwrap();
    let open = tx.raise_problem(a, &d, RaisedBy::default()).await.unwrap();
    tx.raise_problem(b, &d, RaisedBy::default()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin(&AuditActor::system("test")).await.unwrap();
    let version = store.project(paused).await.unwrap().version;
    tx.set_project_state(paused, version, ProjectState::Paused, Some("资金未到位"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let all = store.battle_map(region, &MapFilter::default()).await.unwrap();
    let mut ids: Vec<i64> = all.projects.iter().map(|p| p.id).collect();
    ids.sort();
    assert_eq!(ids, [a, b], "the paused project is off the map");
    let tasks: Vec<i64> = all.tasks.iter().map(|t| t.id).collect();
    assert_eq!(tasks, [a1, a2, b1], "in project and sort order");
    assert!(all.tasks.iter().all(|t| t.schedule.late_finish.is_some()), "scheduled");
    // Each project reached its stage on the day it was created, 甲 signed on the day recorded
    // after; the paused project's dates stay off the map with it.
    let mut milestones: Vec<(i64, Stage, Option<NaiveDate>)> =
        all.stage_dates.iter().map(|(p, d)| (*p, d.stage, d.actual)).collect();
    milestones.sort_by_key(|m| m.0);
    let today = chainforce_storage::clock::today();
    assert_eq!(
        milestones,
        [
            (a, Stage::Signed, NaiveDate::from_ymd_opt(2026, 5, 6)),
            (b, Stage::Filed, Some(today))
        ]
    );

    let by = |f: MapFilter| async move {
        let m = store.battle_map(region, &f).await.unwrap();
        (
            m.projects.iter().map(|p| p.id).collect::<Vec<_>>(),
            m.tasks.iter().map(|t| t.id).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        by(MapFilter {
            township_id: Some(west),
            ..Default::default()
        })
        .await,
        (vec![b], vec![b1])
    );
    assert_eq!(
        by(MapFilter {
            unit_id: Some(zrzy),
            ..Default::default()
        })
        .await,
        (vec![a], vec![a2]),
        "a unit's filter keeps its own tasks"
    );
    assert_eq!(
        by(MapFilter {
            stage: Some(Stage::Filed),
            ..Default::default()
        })
        .await,
        (vec![b], vec![b1])
    );
    assert_eq!(
        by(MapFilter {
            leader: Some("张县长".into()),
            ..Default::default()
        })
        .await,
        (vec![a], vec![a1, a2])
    );

    let mut leaders = store.project_leaders(region).await.unwrap();
    leaders.sort();
    assert_eq!(leaders, ["张县长", "李副县长"]);
    let problems = store.leader_problems(region, "张县长").await.unwrap();
    assert_eq!(problems.iter().map(|p| p.id).collect::<Vec<_>>(), [open]);
}
