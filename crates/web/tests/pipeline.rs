//! The project pipeline as its users meet it (issue 4): the lead unit and the office record a
//! project's stages (and the rules say no, naming the field, when they must), the KPI page adds
//! it up, the enterprise reports its month with photos — for its own project only — the office
//! sees who has not reported, and attachments reach only those who may read them.

mod support;

use chainforce_domain::problem::ProblemForm;
use chainforce_storage::AuditActor;
use chainforce_storage::problems::RaisedBy;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Client, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";

async fn version(c: &Client, project: i64) -> i64 {
    let p: Value = c
        .get(&format!("/api/v1/projects/{project}"))
        .await
        .json()
        .await
        .unwrap();
    p["version"].as_i64().unwrap()
}

async fn stage(c: &Client, project: i64, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["version"] = json!(version(c, project).await);
    let r = c.post_json(&format!("/api/v1/projects/{project}/stage"), &body).await;
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn fields(v: &Value) -> Vec<String> {
    v["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn stages_move_by_the_rules_and_the_refusals_name_the_field() {
    let app = TestApp::spawn().await;
    let p = app.county.project;
    let fgw = app.login("fgw").await; // the project's lead unit
    let zrzy = app.login("zrzy").await;
    let company = app.login("company").await;
    let office = app.login("office").await;

    // The lead unit files the project, then tries to start it before land is supplied.
    let (s, _) = stage(&fgw, p, json!({"to": "filed", "date": "2026-01-20"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = stage(&fgw, p, json!({"to": "started", "date": "2026-02-02"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["to"]);
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("未供地不能开工"),
        "{body}"
    );
    // Only the office may override, and then with a reason.
    let (s, body) = stage(
        &fgw,
        p,
        json!({"to": "started", "date": "2026-02-02", "override": true, "reason": "急"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["to", "override"]);
    let (s, body) = stage(
        &office,
        p,
        json!({"to": "started", "date": "2026-02-02", "override": true}),
    )
    .await;
    assert_eq!(
        (s, fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()])
    );
    // Dates never run backwards, nor into the future.
    let (s, body) = stage(&fgw, p, json!({"to": "land_supplied", "date": "2026-01-19"})).await;
    assert_eq!(
        (s, fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["date".to_string()])
    );
    let (s, body) = stage(&fgw, p, json!({"to": "land_supplied", "date": "2999-01-01"})).await;
    assert_eq!(
        (s, fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["date".to_string()])
    );
    // Another unit and the enterprise may not move the project at all.
    let (s, _) = stage(&zrzy, p, json!({"to": "land_supplied", "date": "2026-02-02"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = stage(&company, p, json!({"to": "land_supplied", "date": "2026-02-02"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The office overrides with a reason; the history says who, when, and that it was overridden.
    let (s, history) = stage(
        &office,
        p,
        json!({"to": "started", "date": "2026-02-02", "override": true, "reason": "先行用地已获批"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(
        (last["to_stage"].as_str(), last["date"].as_str()),
        (Some("started"), Some("2026-02-02"))
    );
    assert_eq!(last["overridden"], json!(true));
    assert_eq!(last["by"], json!("office（测试）"));

    // The project page shows the history, and the form posts the same rule (a page error lists
    // the field in words).
    let (s, html) = fgw.get_text(&format!("/projects/{p}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("阶段变更记录") && html.contains("先行用地已获批") && html.contains("越过规则"));
    let v = version(&fgw, p).await.to_string();
    let r = fgw
        .post_form(
            &format!("/projects/{p}/stage"),
            &[("to", "filed"), ("date", "2026-03-01"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("只能向后推进"));
    let r = fgw
        .post_form(
            &format!("/projects/{p}/stage"),
            &[
                ("to", "paused"),
                ("date", "2026-03-01"),
                ("reason", "环评整改"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let p_now: Value = fgw.get(&format!("/api/v1/projects/{p}")).await.json().await.unwrap();
    assert_eq!(p_now["state"], json!("paused"), "{p_now}");
    // A stale version is a conflict.
    let r = fgw
        .post_form(
            &format!("/projects/{p}/stage"),
            &[("to", "active"), ("date", "2026-03-02"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

/// The edit form keeps the project's stage: it shows it with a link to the stage form, and a
/// stage slipped into the form or the API — 开工 before 供地 — is refused on the field.
#[tokio::test]
async fn the_edit_form_cannot_move_a_project_to_started_before_land() {
    let app = TestApp::spawn().await;
    let p = app.county.project;
    let office = app.login("office").await;
    let (s, html) = office.get_text(&format!("/projects/{p}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"/projects/{p}#stage\"")) && !html.contains("<select name=\"stage\""),
        "{html}"
    );

    let v = version(&office, p).await.to_string();
    let r = office
        .post_form(
            &format!("/projects/{p}"),
            &[("version", &v), ("name", "年产2万吨碳酸锂项目"), ("stage", "started")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("阶段只能通过“阶段变更”改变"));
    let r = office
        .put_json(
            &format!("/api/v1/projects/{p}"),
            &json!({"version": version(&office, p).await, "name": "年产2万吨碳酸锂项目", "stage": "started"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r.json().await.unwrap()), ["stage"]);
    let now: Value = office.get(&format!("/api/v1/projects/{p}")).await.json().await.unwrap();
    assert_eq!(now["stage"], json!("signed"));
    let history = app.store.stage_history(p).await.unwrap();
    assert_eq!(history.len(), 1, "only the signing it was created with: {history:?}");

    // An API edit without a stage keeps the project's.
    let r = office
        .put_json(
            &format!("/api/v1/projects/{p}"),
            &json!({"version": version(&office, p).await, "name": "年产2万吨碳酸锂项目（一期）"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let now: Value = r.json().await.unwrap();
    assert_eq!(
        (now["name"].as_str(), now["stage"].as_str()),
        (Some("年产2万吨碳酸锂项目（一期）"), Some("signed"))
    );
}

/// A new project starts where the stage rules let it: the office cannot create one at 开工
/// before 供地, neither with the form nor through the API — the refusal names the stage field
/// and the rule, and nothing is created — and one created at 签约 has that step in its stage
/// history, dated today, with who did it.
#[tokio::test]
async fn a_new_project_starts_only_where_the_stage_rules_allow() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    async fn names(c: &Client) -> Vec<String> {
        let list: Value = c.get("/api/v1/projects").await.json().await.unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    }
    let before = names(&office).await;

    let r = office
        .post_form("/projects", &[("name", "年产5万吨磷酸铁锂项目"), ("stage", "started")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    // The stage select is marked, with the rule under it, and the summary names the field.
    let select = html.find("<select name=\"stage\">").expect("the stage select");
    let label = html[..select].rfind("<label").unwrap();
    let end = select + html[select..].find("</label>").unwrap();
    assert!(html[label..select].contains("invalid"), "{}", &html[label..end]);
    assert!(html[select..end].contains("未供地不能开工"), "{}", &html[label..end]);
    assert!(html.contains("阶段：未供地不能开工"), "{html}");

    let r = office
        .post_json(
            "/api/v1/projects",
            &json!({"name": "年产5万吨磷酸铁锂项目", "stage": "started", "total_investment": "3亿元"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(fields(&body), ["stage"]);
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("未供地不能开工"),
        "{body}"
    );
    assert_eq!(names(&office).await, before, "nothing was created");

    // At 签约: through the API, and with the form, each signed today by the office.
    let today = chainforce_storage::clock::today().to_string();
    let r = office
        .post_json(
            "/api/v1/projects",
            &json!({"name": "年产5万吨磷酸铁锂项目", "stage": "signed"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["stage"], json!("signed"));
    let r = office
        .post_form("/projects", &[("name", "锂电池回收项目"), ("stage", "signed")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let from_form: i64 = location.trim_start_matches("/projects/").parse().unwrap();
    for id in [created["id"].as_i64().unwrap(), from_form] {
        let history: Value = office
            .get(&format!("/api/v1/projects/{id}/stages"))
            .await
            .json()
            .await
            .unwrap();
        let steps: Vec<(&str, &str, &str, &str)> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["from_stage"].as_str().unwrap(),
                    h["to_stage"].as_str().unwrap(),
                    h["date"].as_str().unwrap(),
                    h["by"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [("lead", "signed", today.as_str(), "office（测试）")],
            "{history}"
        );
    }
    // The project's page shows it in the history.
    let (s, html) = office.get_text(&location).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("阶段变更记录") && html.contains("office（测试）"),
        "{html}"
    );
}

#[tokio::test]
async fn the_kpis_add_up_what_was_recorded() {
    let app = TestApp::spawn().await;
    let p = app.county.project;
    let office = app.login("office").await;
    // The project was created signed on 2026-01-05 (see the test county).
    for (to, date) in [("land_supplied", "2026-02-02"), ("started", "2026-03-02")] {
        let (s, b) = stage(&office, p, json!({"to": to, "date": date})).await;
        assert_eq!(s, StatusCode::OK, "{to}: {b}");
    }
    let k: Value = office
        .get("/api/v1/pipeline?kind=year&date=2026-06-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (k["from"].as_str(), k["to"].as_str()),
        (Some("2026-01-01"), Some("2026-12-31"))
    );
    // Both projects of the county were signed on 2026-01-05, 2亿元 each; ours started before its
    // 计划开工 (2027-03-31), the other has not.
    assert_eq!(k["county"]["signed"], json!(2));
    assert_eq!(k["county"]["start_rate"]["percent"], json!("50.0"));
    assert_eq!(k["county"]["signed_investment"], json!("40000"));
    assert_eq!(k["by_township"][0]["group"], json!("东岭镇"));
    let lead = k["lead_times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["project_id"] == json!(p))
        .unwrap();
    // 01-05 → 02-02: 20 working days; 02-02 → 03-02 across 春节 2026: 16.
    assert_eq!(
        (lead["sign_to_land"].as_i64(), lead["land_to_start"].as_i64()),
        (Some(20), Some(16))
    );
    assert_eq!(k["county"]["median_sign_to_start"], json!("36"));
    // The printable page, with its definitions.
    let (s, html) = app
        .login("leader")
        .await
        .get_text("/pipeline?kind=quarter&date=2026-03-01")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("履约率") && html.contains("东岭镇") && html.contains("指标口径") && html.contains("data-print")
    );
    // Enterprises do not see the county's figures.
    let company = app.login("company").await;
    assert_eq!(company.get("/pipeline").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(company.get("/api/v1/pipeline").await.status(), StatusCode::FORBIDDEN);
}

fn this_month() -> String {
    chainforce_storage::clock::today().format("%Y-%m").to_string()
}

#[tokio::test]
async fn an_enterprise_reports_its_month_for_its_own_project_only() {
    let app = TestApp::spawn().await;
    let (own, other) = (app.county.project, app.county.other_project);
    let company = app.login("company").await;
    let month = this_month();

    // It sees its own projects only.
    let list: Value = company.get("/api/v1/projects").await.json().await.unwrap();
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [own]);
    assert_eq!(
        company.get(&format!("/projects/{other}/monthly")).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = company
        .post_multipart(
            &format!("/projects/{other}/monthly"),
            &[
                ("month", &month),
                ("completed_investment", "100"),
                ("image_progress", "x"),
                ("version", "0"),
            ],
            "photos",
            "a.pdf",
            PDF,
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = company
        .post_json(
            &format!("/api/v1/projects/{other}/monthly"),
            &json!({"month": month, "completed_investment": "1", "image_progress": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Bad figures are refused by name.
    let r = company
        .post_json(
            &format!("/api/v1/projects/{own}/monthly"),
            &json!({"month": "2999-01", "completed_investment": "-5", "image_progress": ""}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(fields(&body), ["month", "completed_investment", "image_progress"]);

    // Its month, with a photo, through the page's form.
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    let r = company
        .post_multipart(
            &format!("/projects/{own}/monthly"),
            &[
                ("month", &month),
                ("completed_investment", "1500.5"),
                ("image_progress", "厂房钢结构吊装"),
                ("version", "0"),
            ],
            "photos",
            "工地.png",
            &png,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let reports: Value = company
        .get(&format!("/api/v1/projects/{own}/monthly"))
        .await
        .json()
        .await
        .unwrap();
    let first = &reports[0];
    assert_eq!(first["completed_investment"], json!("1500.5"));
    assert_eq!(first["year_to_date"], json!("1500.5"));
    assert_eq!(first["photo_ids"].as_array().unwrap().len(), 1);
    let (s, html) = company.get_text(&format!("/projects/{own}/monthly")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("厂房钢结构吊装") && html.contains("工地.png") && html.contains("年初至今"));
    let photo = first["photo_ids"][0].as_i64().unwrap();
    let got = company.get(&format!("/attachments/{photo}")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), png);

    // Resubmitting corrects the month; a second submission at the old version is a conflict.
    let v = first["version"].as_i64().unwrap();
    let correct = json!({"month": month, "completed_investment": "1600", "image_progress": "厂房封顶", "version": v});
    assert_eq!(
        company
            .post_json(&format!("/api/v1/projects/{own}/monthly"), &correct)
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        company
            .post_json(&format!("/api/v1/projects/{own}/monthly"), &correct)
            .await
            .status(),
        StatusCode::CONFLICT
    );
    // A new report for the same month without its version is a conflict too (one per month).
    let again = json!({"month": month, "completed_investment": "1", "image_progress": "x"});
    assert_eq!(
        company
            .post_json(&format!("/api/v1/projects/{own}/monthly"), &again)
            .await
            .status(),
        StatusCode::CONFLICT
    );

    // The office sees who has not reported: the other project.
    let office = app.login("office").await;
    let (s, html) = office.get_text(&format!("/monthly?month={month}")).await;
    assert_eq!(s, StatusCode::OK);
    let missing = &html[html.find("未填报").unwrap()..html.find("已填报").unwrap()];
    assert!(
        missing.contains("别家电芯项目") && !missing.contains("年产2万吨碳酸锂项目"),
        "{missing}"
    );
    let status: Value = office
        .get(&format!("/api/v1/monthly?month={month}"))
        .await
        .json()
        .await
        .unwrap();
    let reported: Vec<bool> = status
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reported"].as_bool().unwrap())
        .collect();
    assert_eq!(reported.iter().filter(|r| **r).count(), 1);
    // Units do not get the office's list.
    assert_eq!(
        app.login("fgw").await.get("/monthly").await.status(),
        StatusCode::FORBIDDEN
    );
}

/// 形象进度 photos from the lead unit (县发改委 leads the project): it reports the month with a
/// photo for its own project; another unit may read the project but not report on it.
#[tokio::test]
async fn the_lead_unit_reports_the_month_with_photos_for_its_own_projects_only() {
    let app = TestApp::spawn().await;
    let p = app.county.project;
    let fgw = app.login("fgw").await;
    let zrzy = app.login("zrzy").await;
    let month = this_month();
    let jpg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    let fields = [
        ("month", month.as_str()),
        ("completed_investment", "800"),
        ("image_progress", "场地平整完成，围墙砌筑中"),
        ("version", "0"),
    ];

    // Another unit sees the monthly page without the form, and its report is refused.
    let (s, html) = zrzy.get_text(&format!("/projects/{p}/monthly")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("name=\"photos\""), "no upload form for another unit");
    let r = zrzy
        .post_multipart(&format!("/projects/{p}/monthly"), &fields, "photos", "场地.jpg", &jpg)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = zrzy
        .post_json(
            &format!("/api/v1/projects/{p}/monthly"),
            &json!({"month": month, "completed_investment": "800", "image_progress": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        app.store.monthly_reports(p).await.unwrap().is_empty(),
        "nothing recorded"
    );

    // The lead unit has the form, with its photo field, and reports.
    let (_, html) = fgw.get_text(&format!("/projects/{p}/monthly")).await;
    assert!(html.contains("name=\"photos\""), "{html}");
    let r = fgw
        .post_multipart(&format!("/projects/{p}/monthly"), &fields, "photos", "场地.jpg", &jpg)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let reports: Value = fgw
        .get(&format!("/api/v1/projects/{p}/monthly"))
        .await
        .json()
        .await
        .unwrap();
    let first = &reports[0];
    assert_eq!(
        (first["completed_investment"].as_str(), first["reported_by"].as_str()),
        (Some("800"), Some("fgw（测试）"))
    );
    let photo = first["photo_ids"][0].as_i64().expect("the photo is attached");
    let (_, html) = fgw.get_text(&format!("/projects/{p}/monthly")).await;
    assert!(html.contains("场地.jpg") && html.contains("围墙砌筑中"));
    // The photo is the lead unit's to download, and not another unit's.
    let got = fgw.get(&format!("/attachments/{photo}")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), jpg);
    assert_eq!(
        zrzy.get(&format!("/attachments/{photo}")).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_unit_cannot_update_another_units_task_or_problem() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let d = ProblemForm {
        title: "供电方案未批".into(),
        description: String::new(),
    }
    .validate()
    .unwrap();
    let problem = tx.raise_problem(c.project, &d, RaisedBy::default()).await.unwrap();
    tx.assign_problem(problem, 1, c.fgw, "2026-12-31".parse().unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let zrzy = app.login("zrzy").await;
    let fgw = app.login("fgw").await;

    let task: Value = fgw
        .get(&format!("/api/v1/tasks/{}", c.fgw_task))
        .await
        .json()
        .await
        .unwrap();
    let v = task["version"].as_i64().unwrap().to_string();
    let r = zrzy
        .post_form(
            &format!("/tasks/{}/progress", c.fgw_task),
            &[("progress", "in_progress"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = zrzy
        .post_multipart(
            &format!("/tasks/{}/progress", c.fgw_task),
            &[("progress", "in_progress"), ("version", &v)],
            "file",
            "a.pdf",
            PDF,
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let pv = app.store.problem(problem).await.unwrap().version.to_string();
    let r = zrzy
        .post_form(
            &format!("/problems/{problem}/answer"),
            &[("answer", "已办"), ("version", &pv)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Its own unit may.
    let r = fgw
        .post_form(
            &format!("/problems/{problem}/answer"),
            &[("answer", "已协调供电公司"), ("version", &pv)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.store.problem(problem).await.unwrap().answer.is_some());
}

#[tokio::test]
async fn attachments_are_checked_kept_apart_and_downloaded_only_by_those_allowed() {
    let app = TestApp::spawn_with(|c| c.attachments.max_bytes = 1024).await;
    let c = &app.county;
    let fgw = app.login("fgw").await;
    let path = format!("/tasks/{}/progress", c.fgw_task);
    let version = || async {
        let t: Value = fgw
            .get(&format!("/api/v1/tasks/{}", c.fgw_task))
            .await
            .json()
            .await
            .unwrap();
        t["version"].as_i64().unwrap().to_string()
    };

    // Too big, and not what it claims to be: refused, naming the field, nothing recorded.
    let big = [PDF, &vec![b' '; 2048]].concat();
    let v = version().await;
    let r = fgw
        .post_multipart(
            &path,
            &[("progress", "in_progress"), ("version", &v)],
            "file",
            "big.pdf",
            &big,
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("文件不能超过 1 KB"));
    let exe = b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode";
    let r = fgw
        .post_multipart(
            &path,
            &[("progress", "in_progress"), ("version", &v)],
            "file",
            "report.pdf",
            exe,
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("必须是以下之一"));
    assert!(app.store.task_attachments(c.fgw_task).await.unwrap().is_empty());
    assert_eq!(version().await, v, "a refused report changes nothing");

    // A PDF whose name tries to climb out of the upload directory.
    let r = fgw
        .post_multipart(
            &path,
            &[
                ("progress", "in_progress"),
                ("note", "用地预审材料已报送"),
                ("version", &v),
            ],
            "file",
            "../../../etc/备案 通知.pdf",
            PDF,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored = app.store.task_attachments(c.fgw_task).await.unwrap();
    assert_eq!(stored.len(), 1);
    let a = &stored[0];
    assert_eq!(a.original_name, "备案 通知.pdf");
    assert!(a.storage_key.len() == 32 && a.storage_key.chars().all(|ch| ch.is_ascii_hexdigit()));
    let (_, html) = fgw.get_text(&format!("/tasks/{}", c.fgw_task)).await;
    assert!(html.contains("备案 通知.pdf") && html.contains("用地预审材料已报送"));

    // Its unit, the project's enterprise, leaders and the office download it; another unit and
    // the viewer do not.
    let url = format!("/attachments/{}", a.id);
    let got = fgw.get(&url).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.headers()["content-type"], "application/pdf");
    let cd = got.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''%E5%A4%87%E6%A1%88%20"),
        "{cd}"
    );
    assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);
    for (who, expected) in [
        ("company", StatusCode::OK),
        ("leader", StatusCode::OK),
        ("office", StatusCode::OK),
        ("zrzy", StatusCode::FORBIDDEN),
        ("viewer", StatusCode::FORBIDDEN),
    ] {
        assert_eq!(app.login(who).await.get(&url).await.status(), expected, "{who}");
    }
    // No attachment is reachable by a made-up id or path.
    assert_eq!(fgw.get("/attachments/9999").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        fgw.get("/attachments/..%2F..%2Fetc%2Fpasswd").await.status(),
        StatusCode::BAD_REQUEST
    );
}
