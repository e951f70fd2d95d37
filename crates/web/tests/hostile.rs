//! Hostile input (issue 10): script in every free-text field stays text wherever it is shown,
//! filters and sorts never become SQL, and paths never leave their place.

mod support;

use reqwest::StatusCode;
use support::TestApp;

const SCRIPT: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";

/// The page never renders injected text as markup; where it shows the text, it shows it escaped.
fn assert_inert(page: &str, html: &str, shows_it: bool) {
    assert!(!html.contains("<script>alert"), "{page} executes injected script");
    assert!(!html.contains("<img src=x"), "{page} renders an injected element");
    if shows_it {
        let escaped = html.contains("&lt;script&gt;alert") || html.contains("&#60;script&#62;alert");
        assert!(escaped, "{page} should show the text escaped");
    }
}

#[tokio::test]
async fn script_typed_into_any_field_is_shown_as_text_everywhere() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let office = app.login("office").await;
    let p = app.store.project(c.project).await.unwrap();
    // The project form as loaded, with script in its free-text fields.
    let mut form = p.draft.to_form();
    form.name = SCRIPT.into();
    form.leader = "<script>alert(2)</script>".into();
    form.content = SCRIPT.into();
    let json = serde_json::to_value(&form).unwrap();
    let mut fields: Vec<(String, String)> = json
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    fields.push(("version".into(), p.version.to_string()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = office.post_form(&format!("/projects/{}", c.project), &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let u = app.store.unit(c.fgw).await.unwrap();
    let version = u.version.to_string();
    let unit_form = [
        ("version", version.as_str()),
        ("name", "县发改委<script>alert(3)</script>"),
        ("kind", "department"),
    ];
    let res = office.post_form(&format!("/units/{}", c.fgw), &unit_form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let company = app.login("company").await;
    let res = company
        .post_form(
            &format!("/projects/{}/problems", c.project),
            &[("title", SCRIPT), ("description", SCRIPT)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let fgw = app.login("fgw").await;
    let t = app.store.task(c.fgw_task).await.unwrap();
    let version = t.version.to_string();
    let report = [
        ("version", version.as_str()),
        ("progress", "in_progress"),
        ("actual_start", "2026-11-02"),
        ("note", SCRIPT),
    ];
    let res = fgw.post_form(&format!("/tasks/{}/progress", c.fgw_task), &report).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let problem = app
        .store
        .problems(c.region, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("the problem raised above");
    for (page, shows_it) in [
        ("/".to_string(), false),
        ("/projects".into(), true),
        (format!("/projects/{}", c.project), true),
        (format!("/tasks/{}", c.fgw_task), true),
        ("/desk".into(), false),
        ("/problems".into(), true),
        (format!("/problems/{}", problem.id), true),
        ("/units".into(), true),
        (format!("/history/project/{}", c.project), true),
        ("/audit".into(), true),
    ] {
        let (status, html) = office.get_text(&page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_inert(&page, &html, shows_it);
    }
    // The JSON API returns the text as data, and says it is JSON.
    let res = office.get(&format!("/api/v1/projects/{}", c.project)).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["name"], SCRIPT);
}

#[tokio::test]
async fn filters_and_sorts_never_become_sql() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    for query in [
        "q=%27%20OR%201%3D1%20--",
        "q=%25",
        "sort=name%3BDROP%20TABLE%20projects",
        "stage=signed%27%20OR%20%271%27%3D%271",
        "township_id=1%20OR%201%3D1",
        "leader=%27%29%3B%20DELETE%20FROM%20projects%3B%20--",
    ] {
        let res = office.get(&format!("/projects?{query}")).await;
        assert_eq!(res.status(), StatusCode::OK, "{query}");
        let api = office.get(&format!("/api/v1/projects?{query}")).await;
        assert_eq!(api.status(), StatusCode::OK, "{query}");
    }
    // A quote in the search finds nothing rather than everything.
    let found: Vec<serde_json::Value> = office
        .get("/api/v1/projects?q=%27%20OR%201%3D1%20--")
        .await
        .json()
        .await
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(
        app.store
            .projects(app.county.region, &Default::default())
            .await
            .unwrap()
            .len(),
        2,
        "no project was lost"
    );
}

#[tokio::test]
async fn paths_cannot_reach_outside_their_place() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/history/..%2F..%2Fetc%2Fpasswd/1",
        "/history/sessions/1",
        "/projects/1%27%20OR%201=1",
    ] {
        let res = office.get(path).await;
        assert!(
            matches!(res.status(), StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
            "{path}: {}",
            res.status()
        );
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("[workspace]") && !body.contains("root:"),
            "{path} leaked a file"
        );
    }
}
