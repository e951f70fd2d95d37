//! Issue 3 in the product: the office keeps the calendar and the templates; every schedule
//! follows them.

mod support;

use reqwest::StatusCode;
use support::TestApp;

async fn task_dates(app: &TestApp, who: &support::Client, task: i64) -> (String, String) {
    let t: serde_json::Value = who.get(&format!("/api/v1/tasks/{task}")).await.json().await.unwrap();
    let _ = app;
    (
        t["late_start"].as_str().unwrap().to_string(),
        t["late_finish"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_new_years_holiday_notice_moves_every_schedule_that_crosses_it() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let c = &app.county;
    // The project aims at 2027-03-31; 用地预审 (5 days) fills 03-25 … 03-31 on weekends alone.
    assert_eq!(
        task_dates(&app, &office, c.zrzy_task).await,
        ("2027-03-25".into(), "2027-03-31".into())
    );
    // The office adds the 2027 notice with a (made-up) day off on Monday 2027-03-29.
    let notice = r#"{"year": 2027, "days": [{"name": "测试假日", "date": "2027-03-29", "isOffDay": true}]}"#;
    let res = office.post_form("/calendar/notices", &[("notice_json", notice)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        task_dates(&app, &office, c.zrzy_task).await,
        ("2027-03-24".into(), "2027-03-31".into())
    );
    // The county's own working day on Saturday 2027-03-27 moves it back again.
    let res = office
        .post_form(
            "/calendar/days",
            &[("day", "2027-03-27"), ("kind", "work"), ("name", "县庆调休")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        task_dates(&app, &office, c.zrzy_task).await,
        ("2027-03-25".into(), "2027-03-31".into())
    );
}

#[tokio::test]
async fn a_malformed_notice_is_refused_naming_the_entry() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let bad = r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, {"name": "春节", "date": "2027-02-30", "isOffDay": true}]}"#;
    let res = office.post_form("/calendar/notices", &[("notice_json", bad)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("春节") && html.contains("day 2"),
        "the error names the entry: {html}"
    );
    assert!(
        app.store.calendar_notices().await.unwrap().is_empty(),
        "nothing was saved"
    );
}

#[tokio::test]
async fn only_the_office_keeps_the_calendar_and_the_templates() {
    let app = TestApp::spawn().await;
    for who in ["fgw", "leader", "company"] {
        let c = app.login(who).await;
        assert_eq!(c.get("/calendar").await.status(), StatusCode::FORBIDDEN, "{who}");
        assert_eq!(
            c.post_form(
                "/calendar/days",
                &[("day", "2027-01-04"), ("kind", "off"), ("name", "x")]
            )
            .await
            .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(c.get("/templates").await.status(), StatusCode::FORBIDDEN, "{who}");
    }
}

#[tokio::test]
async fn applying_the_approval_template_lays_out_the_chain_back_from_the_target_start() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let c = &app.county;
    let template = app.store.templates().await.unwrap().remove(0);
    let res = office
        .post_form(
            &format!("/projects/{}/template", c.other_project),
            &[("template_id", &template.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let tasks: Vec<serde_json::Value> = office
        .get(&format!("/api/v1/projects/{}/tasks", c.other_project))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tasks.len(), template.parse().unwrap().steps.len());
    // The last step (开工) is a milestone on the target day; 项目备案 goes to 县发改委 by name.
    let last = tasks
        .iter()
        .max_by_key(|t| t["late_finish"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(last["late_finish"], "2027-03-31");
    let filing = tasks
        .iter()
        .find(|t| t["name"].as_str().unwrap().contains("备案"))
        .unwrap();
    assert_eq!(filing["responsible_unit_name"], "县发改委");
    // Every dependency of the template holds in the stored schedule.
    assert!(
        tasks
            .iter()
            .all(|t| t["late_start"].as_str() <= t["late_finish"].as_str() || t["duration_days"] == 0)
    );
}

#[tokio::test]
async fn a_template_with_a_loop_is_refused_and_the_old_one_kept() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let t = app.store.templates().await.unwrap().remove(0);
    let mut json: serde_json::Value = serde_json::from_str(&t.json).unwrap();
    let first = json["steps"][0]["code"].as_str().unwrap().to_string();
    let last_code = json["steps"].as_array().unwrap().last().unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    json["steps"][0]["predecessors"] = serde_json::Value::String(last_code.clone());
    let res = office
        .post_form(
            &format!("/templates/{}", t.id),
            &[
                ("template_json", &json.to_string()),
                ("version", &t.version.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(&first), "the error names the step: {html}");
    assert_eq!(app.store.template(t.id).await.unwrap().version, t.version);
}
