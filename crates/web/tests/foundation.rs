//! Issue 2's promises, as a county's users would meet them through the pages and the API.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::TestApp;

#[tokio::test]
async fn a_unit_reports_progress_on_its_own_task_but_not_on_another_units() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let fgw = app.login("fgw").await;
    let version = app.store.task(c.fgw_task).await.unwrap().version.to_string();
    let res = fgw
        .post_form(
            &format!("/tasks/{}/progress", c.fgw_task),
            &[
                ("version", &version),
                ("progress", "in_progress"),
                ("actual_start", "2026-11-02"),
                ("note", "材料已受理"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.task(c.fgw_task).await.unwrap().progress.code(), "in_progress");

    // The same clerk on 自然资源局's task: refused through the page …
    let other = app.store.task(c.zrzy_task).await.unwrap();
    let res = fgw
        .post_form(
            &format!("/tasks/{}/progress", c.zrzy_task),
            &[("version", &other.version.to_string()), ("progress", "done")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // … and through the API.
    let res = fgw
        .post_json(
            &format!("/api/v1/tasks/{}/progress", c.zrzy_task),
            &json!({"version": other.version, "progress": "in_progress", "actual_start": "2026-11-02"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");
    assert_eq!(
        app.store.task(c.zrzy_task).await.unwrap().version,
        other.version,
        "nothing changed"
    );
}

#[tokio::test]
async fn leaders_and_viewers_read_everything_and_change_nothing() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    for who in ["leader", "viewer"] {
        let user = app.login(who).await;
        assert_eq!(
            user.get(&format!("/projects/{}", c.project)).await.status(),
            StatusCode::OK
        );
        assert_eq!(user.get("/projects/new").await.status(), StatusCode::FORBIDDEN);
        let p = app.store.project(c.project).await.unwrap();
        let res = user
            .post_form(
                &format!("/projects/{}", c.project),
                &[("version", &p.version.to_string()), ("name", "改名")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
        let res = user
            .put_json(
                &format!("/api/v1/projects/{}", c.project),
                &json!({"version": p.version, "name": "改名"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(
        app.store.project(c.project).await.unwrap().draft.name,
        "年产2万吨碳酸锂项目"
    );
}

#[tokio::test]
async fn an_enterprise_sees_only_its_own_projects() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let company = app.login("company").await;
    assert_eq!(
        company.get(&format!("/projects/{}", c.project)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        company.get(&format!("/projects/{}", c.other_project)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        company
            .get(&format!("/api/v1/projects/{}", c.other_project))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (_, list) = company.get_text("/projects").await;
    assert!(list.contains("年产2万吨碳酸锂项目") && !list.contains("别家电芯项目"));
    let listed: Vec<serde_json::Value> = company.get("/api/v1/projects").await.json().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(company.get("/units").await.status(), StatusCode::FORBIDDEN);
    // The enterprise raises a problem on its own project, not on another's.
    let res = company
        .post_form(
            &format!("/projects/{}/problems", c.project),
            &[("title", "供电方案未答复")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = company
        .post_form(&format!("/projects/{}/problems", c.other_project), &[("title", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_forged_cross_site_form_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let office = app.login("office").await;
    let p = app.store.project(c.project).await.unwrap();
    let res = office
        .post_form_without_csrf(
            &format!("/projects/{}", c.project),
            &[("version", &p.version.to_string()), ("name", "被篡改")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("CSRF"));
    let res = office
        .http
        .post(office.url("/api/v1/projects"))
        .json(&json!({"name": "无令牌"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = office.http.post(office.url("/logout")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "even signing out needs the token"
    );
    assert_eq!(
        app.store.project(c.project).await.unwrap().draft.name,
        "年产2万吨碳酸锂项目"
    );
}

#[tokio::test]
async fn a_stale_edit_shows_both_versions_with_409() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let first = app.login("office").await;
    let loaded = app.store.project(c.project).await.unwrap();
    let v = loaded.version.to_string();
    let res = first
        .post_form(
            &format!("/projects/{}", c.project),
            &[("version", &v), ("name", "碳酸锂项目（一期）"), ("stage", "signed")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A second clerk submits the form loaded before the first save.
    let second = app.login("office").await;
    let res = second
        .post_form(
            &format!("/projects/{}", c.project),
            &[("version", &v), ("name", "碳酸锂项目（改）"), ("stage", "signed")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(html.contains("他人已先修改"), "{html}");
    assert!(
        html.contains("碳酸锂项目（改）") && html.contains("碳酸锂项目（一期）"),
        "both versions are shown"
    );
    // The API says the same with the current record.
    let res = second
        .put_json(
            &format!("/api/v1/projects/{}", c.project),
            &json!({"version": loaded.version, "name": "API 改名", "stage": "signed"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["current"]["name"], "碳酸锂项目（一期）");
}

#[tokio::test]
async fn bad_input_names_the_field_and_the_rule_in_the_users_language() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let res = office
        .post_form(
            "/projects",
            &[("name", ""), ("total_investment", "很多"), ("stage", "lead")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("名称：必填"), "{html}");
    assert!(html.contains("总投资：必须是数字"), "{html}");
    let res = office
        .post_json(
            "/api/v1/projects",
            &json!({"name": "x", "land_area": "-5", "target_start": "2026-02-30"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["land_area", "target_start"]);
    // Malformed JSON is a 400 in the same format, never a 500.
    let res = office
        .http
        .post(office.url("/api/v1/projects"))
        .header("x-csrf-token", &office.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"], "bad_request");
    // English, when asked.
    office.get("/lang/en").await;
    let res = office.post_form("/projects", &[("name", "")]).await;
    assert!(res.text().await.unwrap().contains("Name: is required"));
}

#[tokio::test]
async fn unknown_routes_are_404_and_oversized_bodies_413() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    assert_eq!(office.get("/no/such/page").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(office.get("/projects/999999").await.status(), StatusCode::NOT_FOUND);
    let big = "x".repeat(600 * 1024);
    let res = office.post_form("/projects", &[("name", &big)]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn signing_in_is_required_and_guessing_passwords_is_stopped() {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    let res = anon.get("/projects").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?next=%2Fprojects");
    assert_eq!(anon.get("/api/v1/projects").await.status(), StatusCode::UNAUTHORIZED);
    let page = anon.get("/login").await.text().await.unwrap();
    let token = support::hidden_value(&page, "_csrf").unwrap();
    for _ in 0..5 {
        let res = anon
            .http
            .post(anon.url("/login"))
            .form(&[("_csrf", token.as_str()), ("username", "office"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = anon
        .http
        .post(anon.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "office"),
            ("password", support::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits after five failures"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    let page = anon.get("/login").await.text().await.unwrap();
    let token = support::hidden_value(&page, "_csrf").unwrap();
    let res = anon
        .http
        .post(anon.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "office"),
            ("password", support::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("cf_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn every_change_shows_in_the_entitys_history_with_who_made_it() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let fgw = app.login("fgw").await;
    let v = app.store.task(c.fgw_task).await.unwrap().version.to_string();
    fgw.post_form(
        &format!("/tasks/{}/progress", c.fgw_task),
        &[
            ("version", &v),
            ("progress", "in_progress"),
            ("actual_start", "2026-11-02"),
        ],
    )
    .await;
    let leader = app.login("leader").await;
    let (status, html) = leader.get_text(&format!("/history/task/{}", c.fgw_task)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("fgw（测试）") && html.contains("progress"), "{html}");
    assert_eq!(
        fgw.get(&format!("/history/task/{}", c.fgw_task)).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn pages_are_chinese_first_and_english_on_request() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let (_, zh) = office.get_text("/").await;
    assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("总览"));
    let res = office.get("/lang/en?next=/projects").await;
    assert_eq!(res.headers()["location"], "/projects");
    let (_, en) = office.get_text("/projects").await;
    assert!(en.contains("lang=\"en\"") && en.contains("Projects"));
    assert_eq!(
        office.get("/lang/en?next=//evil.example").await.headers()["location"],
        "/"
    );
}

/// The links of a page's navigation bar, split into those in the bar itself and those folded
/// under its 管理 entry (None when the page has no such entry).
fn nav_links(html: &str) -> (Vec<String>, Option<(String, Vec<String>)>) {
    let nav = &html[html.find("<nav class=\"main-nav\">").expect("a navigation bar")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    let hrefs = |s: &str| -> Vec<String> {
        s.split("<a href=\"")
            .skip(1)
            .map(|a| a[..a.find('"').unwrap()].to_string())
            .collect()
    };
    match nav.find("<details class=\"nav-group nav-admin\">") {
        None => (hrefs(nav), None),
        Some(at) => {
            let group = &nav[at..nav.find("</details>").unwrap()];
            let summary = &group[group.find("<summary").unwrap()..group.find("</summary>").unwrap()];
            let label = summary[summary.find('>').unwrap() + 1..].to_string();
            let bar = format!("{}{}", &nav[..at], &nav[at + group.len()..]);
            (hrefs(&bar), Some((label, hrefs(group))))
        }
    }
}

/// The office's bar keeps the day's work in sight and folds the administration under one 管理
/// entry; a unit's bar has no administration at all, a leader's only the audit trail it may read.
#[tokio::test]
async fn the_navigation_keeps_the_days_work_in_the_bar_and_administration_under_one_entry() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let (_, html) = office.get_text("/").await;
    let (bar, admin) = nav_links(&html);
    for daily in [
        "/",
        "/projects",
        "/map",
        "/leader",
        "/desk",
        "/problems",
        "/meetings",
        "/heroes/rankings",
        "/chains",
        "/resources",
    ] {
        assert!(bar.iter().any(|h| h == daily), "{daily} in the bar: {bar:?}");
    }
    let (label, links) = admin.expect("the office has the 管理 entry");
    assert_eq!(label, "管理");
    assert_eq!(
        links,
        [
            "/units",
            "/enterprises",
            "/users",
            "/import",
            "/templates",
            "/calendar",
            "/reminders",
            "/feeds",
            "/audit"
        ]
    );
    assert!(links.iter().all(|l| !bar.contains(l)), "each admin page once: {bar:?}");
    assert!(bar.len() <= 13, "the bar is short enough for the office: {bar:?}");
    // On an admin page the entry is marked as the active one; every link still opens its page.
    let (_, users) = office.get_text("/users").await;
    assert!(
        users.contains("<summary class=\"active\">管理</summary>"),
        "users page marks 管理"
    );
    for link in &links {
        assert_eq!(office.get(link).await.status(), StatusCode::OK, "{link}");
    }
    // In English.
    office.get("/lang/en").await;
    let (_, en) = office.get_text("/").await;
    assert_eq!(nav_links(&en).1.unwrap().0, "Admin");

    // A unit: its desk and the day's work, units and enterprises as directories, no 管理.
    let fgw = app.login("fgw").await;
    let (_, html) = fgw.get_text("/desk").await;
    let (bar, admin) = nav_links(&html);
    assert!(admin.is_none() && !html.contains("nav-admin"), "{bar:?}");
    for admin_page in [
        "/users",
        "/import",
        "/templates",
        "/calendar",
        "/reminders",
        "/feeds",
        "/audit",
    ] {
        assert!(
            !bar.iter().any(|h| h == admin_page),
            "{admin_page} not for a unit: {bar:?}"
        );
        assert_eq!(
            fgw.get(admin_page).await.status(),
            StatusCode::FORBIDDEN,
            "{admin_page}"
        );
    }
    for daily in ["/desk", "/problems", "/map", "/units", "/enterprises"] {
        assert!(bar.iter().any(|h| h == daily), "{daily} for a unit: {bar:?}");
    }

    // A leader reads the audit trail, and nothing else of the office's administration.
    let leader = app.login("leader").await;
    let (_, html) = leader.get_text("/").await;
    let (_, admin) = nav_links(&html);
    assert_eq!(admin.map(|a| a.1), Some(vec!["/audit".to_string()]));
}

#[tokio::test]
async fn no_page_loads_anything_from_another_host() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    for path in [
        "/",
        "/projects",
        &format!("/projects/{}", app.county.project),
        "/login",
        "/static/app.css",
    ] {
        let res = office.get(path).await;
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path} refers to another host"
        );
    }
}

#[tokio::test]
async fn health_metrics_and_the_openapi_document_are_served() {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    assert_eq!(anon.get("/healthz").await.text().await.unwrap(), "ok");
    let spec: serde_json::Value = anon.get("/api/openapi.json").await.json().await.unwrap();
    assert!(spec["paths"]["/api/v1/projects/{id}"]["put"].is_object());
    let metrics = anon.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("chainforce_http_requests_total"), "{metrics}");
}

#[tokio::test]
async fn the_project_page_shows_the_backward_schedule_and_its_colours() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let leader = app.login("leader").await;
    let tasks: Vec<serde_json::Value> = leader
        .get(&format!("/api/v1/projects/{}/tasks", c.project))
        .await
        .json()
        .await
        .unwrap();
    // Target 2027-03-31 (Wednesday): 用地预审 (5 days) ends on it, 项目备案 (5 days) ends the
    // working day before 用地预审 starts.
    let zrzy = tasks.iter().find(|t| t["id"] == c.zrzy_task).unwrap();
    assert_eq!(
        (zrzy["late_start"].as_str(), zrzy["late_finish"].as_str()),
        (Some("2027-03-25"), Some("2027-03-31"))
    );
    let fgw = tasks.iter().find(|t| t["id"] == c.fgw_task).unwrap();
    assert_eq!(fgw["late_finish"], "2027-03-24");
    assert_eq!(zrzy["predecessors"], c.fgw_task.to_string());
    let (_, html) = leader.get_text(&format!("/projects/{}", c.project)).await;
    assert!(html.contains("2027-03-25") && html.contains("用地预审"));
}

#[tokio::test]
async fn the_project_list_exports_to_excel_with_its_filters() {
    let app = TestApp::spawn().await;
    let leader = app.login("leader").await;
    let res = leader
        .get("/projects/export.xlsx?stage=signed&q=%E7%A2%B3%E9%85%B8%E9%94%82")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip");
    let xml = support::xlsx_text(&bytes);
    assert!(
        xml.contains("年产2万吨碳酸锂项目") && !xml.contains("别家电芯项目"),
        "only the filtered project"
    );
    assert!(xml.contains("阶段＝签约"), "the title row names the filters");
}

/// The dashboard's two task lists, as the office reads them on a Monday morning: what is
/// already late, and what must be finished by Sunday — nothing that is due later.
#[tokio::test]
async fn the_dashboard_lists_overdue_and_this_weeks_tasks_but_not_later_ones() {
    use chainforce_domain::project::ProjectForm;
    use chainforce_domain::task::TaskForm;
    use chainforce_storage::{AuditActor, clock};
    use chrono::Duration;

    let app = TestApp::spawn().await;
    let c = &app.county;
    // No clock is pinned in these tests: the dates are taken from today and this week's
    // working days, as the scheduler counts them (a late finish is always a working day).
    let today = clock::today();
    let week_end = clock::end_of_week(today);
    let cal = app.store.calendar(c.region).await.unwrap();
    let last_working_day = cal.working_days(today, week_end).last();

    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let project = ProjectForm {
        name: "正极材料项目".into(),
        township_id: c.township.to_string(),
        lead_unit_id: c.fgw.to_string(),
        stage: "signed".into(),
        target_start: (today + Duration::days(200)).to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let project = tx.create_project(c.region, &project).await.unwrap();
    let task = |name: &str, deadline: Option<chrono::NaiveDate>| {
        TaskForm {
            name: name.into(),
            responsible_unit_id: c.zrzy.to_string(),
            duration_days: "1".into(),
            deadline: deadline.map(|d| d.to_string()).unwrap_or_default(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let overdue = tx
        .create_task(
            project,
            &task("环评批复（已逾期）", Some(today - Duration::days(10))),
            None,
        )
        .await
        .unwrap();
    let this_week = tx
        .create_task(
            project,
            &task("能评审查（本周完成）", Some(last_working_day.unwrap_or(week_end))),
            None,
        )
        .await
        .unwrap();
    let later = tx
        .create_task(project, &task("施工许可（开工前完成）", None), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // What the schedule made of them: late before today, late this week, late months ahead.
    let late_finish = |id| {
        let store = app.store.clone();
        async move { store.task(id).await.unwrap().schedule.late_finish.unwrap() }
    };
    assert!(late_finish(overdue).await < today);
    assert!(late_finish(later).await > week_end + Duration::days(30));

    let office = app.login("office").await;
    let (status, html) = office.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    let overdue_list = &html[html.find("<h2 class=\"red-text\"").unwrap()..html.find("本周到期（").unwrap()];
    let week_list = &html[html.find("本周到期（").unwrap()..];
    assert!(overdue_list.contains("环评批复（已逾期）"), "{overdue_list}");
    match last_working_day {
        Some(day) => {
            assert_eq!(late_finish(this_week).await, day);
            assert!(week_list.contains("能评审查（本周完成）"), "{week_list}");
            assert!(!overdue_list.contains("能评审查（本周完成）"), "{overdue_list}");
        }
        // On a weekend with no working day left, a task due "this week" is already late (its
        // late finish was Friday): the office sees it among the overdue ones instead.
        None => assert!(overdue_list.contains("能评审查（本周完成）"), "{overdue_list}"),
    }
    assert!(!week_list.contains("环评批复（已逾期）"), "{week_list}");
    assert!(
        !html.contains("施工许可（开工前完成）"),
        "a task due later is not on the dashboard"
    );
}

/// At county scale the overdue list runs to hundreds of rows: the dashboard shows the most
/// overdue first, at most 30, says how many there are, and links to the whole list.
#[tokio::test]
async fn the_dashboard_shows_the_30_most_overdue_tasks_and_links_to_all() {
    use chainforce_domain::project::ProjectForm;
    use chainforce_domain::task::TaskForm;
    use chainforce_storage::{AuditActor, clock};
    use chrono::Duration;

    let app = TestApp::spawn().await;
    let c = &app.county;
    let today = clock::today();
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let project = ProjectForm {
        name: "电池回收项目".into(),
        township_id: c.township.to_string(),
        lead_unit_id: c.fgw.to_string(),
        stage: "signed".into(),
        target_start: (today + Duration::days(200)).to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let project = tx.create_project(c.region, &project).await.unwrap();
    // 35 tasks, task N due N+5 days ago: 逾期任务01 is the least late, 逾期任务35 the most.
    for n in 1..=35 {
        let form = TaskForm {
            name: format!("逾期任务{n:02}"),
            responsible_unit_id: c.zrzy.to_string(),
            duration_days: "1".into(),
            deadline: (today - Duration::days(n + 5)).to_string(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        tx.create_task(project, &form, None).await.unwrap();
    }
    tx.commit().await.unwrap();

    let office = app.login("office").await;
    let (status, html) = office.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("逾期任务（35）"), "the heading counts all 35");
    let shown = (1..=35)
        .filter(|n| html.contains(&format!("逾期任务{n:02}<")))
        .collect::<Vec<_>>();
    assert_eq!(
        shown,
        (6..=35).collect::<Vec<_>>(),
        "the 30 most overdue, not the 5 least"
    );
    assert!(html.contains("href=\"/?all=1#overdue\""), "a link to the whole list");

    let (status, all) = office.get_text("/?all=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        (1..=35).all(|n| all.contains(&format!("逾期任务{n:02}<"))),
        "every overdue task"
    );
    assert!(!all.contains("href=\"/?all=1#overdue\""));
}
