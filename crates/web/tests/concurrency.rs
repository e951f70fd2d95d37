//! Many clerks of 发改委 report on the same task at the same moment through the web (issue 10):
//! the first save wins, everyone else is told that someone saved first (409, with both
//! versions), nothing is lost, nobody sees a 5xx or a "database is locked", on both backends.

mod support;

use reqwest::StatusCode;
use std::sync::Arc;
use support::TestApp;

const CLERKS: usize = 8;
const ROUNDS: usize = 3;

async fn clerks_race_on_one_task(app: &TestApp) {
    let task = app.county.fgw_task;
    let mut clerks = Vec::new();
    for _ in 0..CLERKS {
        clerks.push(Arc::new(app.login("fgw").await));
    }
    let mut accepted = Vec::new();
    for round in 0..ROUNDS {
        let version = app.store.task(task).await.unwrap().version.to_string();
        let mut set = tokio::task::JoinSet::new();
        for (i, clerk) in clerks.iter().enumerate() {
            let clerk = Arc::clone(clerk);
            let version = version.clone();
            set.spawn(async move {
                let note = format!("第{round}轮 科员{i} 已上报");
                let res = clerk
                    .post_form(
                        &format!("/tasks/{task}/progress"),
                        &[
                            ("version", &version),
                            ("progress", "in_progress"),
                            ("actual_start", "2026-11-02"),
                            ("note", &note),
                        ],
                    )
                    .await;
                let status = res.status();
                (status, note, res.text().await.unwrap_or_default())
            });
        }
        let mut winners = 0;
        while let Some(joined) = set.join_next().await {
            let (status, note, body) = joined.unwrap();
            match status {
                StatusCode::SEE_OTHER => {
                    winners += 1;
                    accepted.push(note);
                }
                StatusCode::CONFLICT => assert!(body.contains("他人已先修改"), "the loser is told why: {body}"),
                other => panic!("round {round}: a clerk got {other}: {body}"),
            }
            assert!(!body.contains("locked") && !body.contains("BUSY"), "{body}");
        }
        assert_eq!(winners, 1, "round {round}: exactly one save per version");
    }
    let mut kept: Vec<String> = app
        .store
        .task_updates(task)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|u| u.note)
        .collect();
    kept.sort();
    accepted.sort();
    assert_eq!(kept, accepted, "every accepted report is on the task, and no other");
}

#[tokio::test]
async fn clerks_racing_on_one_task_on_sqlite_lose_nothing() {
    let app = TestApp::spawn().await;
    clerks_race_on_one_task(&app).await;
}

#[tokio::test]
async fn clerks_racing_on_one_task_on_postgres_lose_nothing() {
    if let Some(app) = TestApp::spawn_postgres().await {
        clerks_race_on_one_task(&app).await;
    }
}
