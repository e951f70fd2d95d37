//! Long lists a page at a time (issue 10, "Trust" — load): the project list, the problem list,
//! their API, and a unit's desk cost about what one screen shows, while the counts, the totals
//! and the exports still speak for everything.

mod support;

use chainforce_domain::problem::ProblemForm;
use chainforce_domain::project::ProjectForm;
use chainforce_domain::task::{ProgressReport, TaskForm, TaskProgress};
use chainforce_storage::problems::RaisedBy;
use chainforce_storage::{AuditActor, clock};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use support::{Client, TestApp, xlsx_text};

/// Projects added to the test county's two (2亿元 each): 118 more, 10 万元 × their number, every
/// fourth still a lead (在谈), the rest signed — 120 projects, three pages of 50.
const MORE_PROJECTS: i64 = 118;

async fn a_county_of_120_projects(app: &TestApp) {
    let c = &app.county;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    for i in 1..=MORE_PROJECTS {
        let form = ProjectForm {
            name: format!("测试项目{i:03}"),
            township_id: c.township.to_string(),
            lead_unit_id: c.fgw.to_string(),
            total_investment: (i * 10).to_string(),
            stage: if i % 4 == 0 { "lead" } else { "signed" }.into(),
            ..Default::default()
        };
        tx.create_project(c.region, &form.validate().unwrap()).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// 万元 as the list shows them: `110,210`.
fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The ids a page links to under `prefix` (`/projects/`, `/problems/`), in the order shown.
fn linked_ids(html: &str, prefix: &str) -> Vec<i64> {
    let marker = format!("href=\"{prefix}");
    html.split(&marker)
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find('"')?;
            rest[..end].parse().ok()
        })
        .collect()
}

/// An attribute's value as the browser reads it (templates write `&` as `&#38;`).
fn unescape(attr: &str) -> String {
    attr.replace("&#38;", "&").replace("&amp;", "&")
}

/// The href of the pager's link `rel` (`next`, `prev`), as the browser would follow it.
fn pager_link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    Some(unescape(&html[start..start + html[start..].find('"')?]))
}

/// Every link of a page, as the browser would follow it.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.find('"').map(|end| unescape(&rest[..end])))
        .collect()
}

/// The ids of an API array.
fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

/// An API page: its status, the ids, `X-Total-Count` and the `Link` header.
async fn api_page(c: &Client, path: &str) -> (StatusCode, Value, Option<String>, Option<String>) {
    let res = c.get(path).await;
    let status = res.status();
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string());
    let (total, link) = (header("x-total-count"), header("link"));
    (status, res.json().await.unwrap(), total, link)
}

/// The `rel` target of a `Link` header.
fn link_rel(link: &str, rel: &str) -> Option<String> {
    link.split(", ")
        .find(|l| l.ends_with(&format!("rel=\"{rel}\"")))
        .map(|l| l[1..l.find('>').unwrap()].to_string())
}

#[tokio::test]
async fn the_office_reads_the_project_list_a_page_at_a_time_with_the_countys_total() {
    let app = TestApp::spawn().await;
    a_county_of_120_projects(&app).await;
    let office = app.login("office").await;
    let everything = office.get_json("/api/v1/projects?per_page=200").await;
    let everything = ids(&everything);
    assert_eq!(everything.len(), 120);

    // The first page: 50 projects, the pager, and the county's count and investment.
    let (status, page1) = office.get_text("/projects").await;
    assert_eq!(status, StatusCode::OK);
    let shown = linked_ids(&page1, "/projects/");
    assert_eq!(shown, everything[..50]);
    assert!(
        page1.contains("第 1 / 3 页，共 120 个项目"),
        "the pager says where we are"
    );
    assert!(page1.contains("下一页") && !page1.contains("上一页"));
    let county_total = 2 * 20_000 + (1..=MORE_PROJECTS).map(|i| i * 10).sum::<i64>();
    assert!(
        page1.contains(&format!("120 · {} 万元", thousands(county_total))),
        "the investment is the county's total, not the page's"
    );

    // The next page holds the next 50 in the same order; the last the remaining 20.
    let next = pager_link(&page1, "next").unwrap();
    assert_eq!(next, "/projects?page=2");
    let (_, page2) = office.get_text(&next).await;
    assert_eq!(linked_ids(&page2, "/projects/"), everything[50..100]);
    assert!(page2.contains("第 2 / 3 页") && page2.contains("上一页") && page2.contains("下一页"));
    assert_eq!(pager_link(&page2, "prev").as_deref(), Some("/projects?page=1"));
    let (_, page3) = office.get_text(&pager_link(&page2, "next").unwrap()).await;
    assert_eq!(linked_ids(&page3, "/projects/"), everything[100..]);
    assert!(pager_link(&page3, "next").is_none());

    // A page past the end shows the last page; a page that is not a number is refused, named.
    let (status, far) = office.get_text("/projects?page=99").await;
    assert_eq!(status, StatusCode::OK);
    assert!(far.contains("第 3 / 3 页"));
    assert_eq!(linked_ids(&far, "/projects/"), everything[100..]);
    let (status, html) = office.get_text("/projects?page=二").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("页码") && html.contains("必须是数字"), "{html}");
    let (status, _) = office.get_text("/projects?page=1%3BDROP%20TABLE%20projects").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // In English too.
    office.get("/lang/en").await;
    let (_, en) = office.get_text("/projects?page=2").await;
    assert!(en.contains("Page 2 of 3, 120 projects") && en.contains("Previous") && en.contains("Next"));
}

#[tokio::test]
async fn paging_keeps_the_filters_and_the_sort_and_the_export_takes_every_page() {
    let app = TestApp::spawn().await;
    a_county_of_120_projects(&app).await;
    let office = app.login("office").await;
    // 91 signed projects (the county's two and three in four of the others), largest first.
    let signed = office
        .get_json("/api/v1/projects?stage=signed&sort=investment&per_page=200")
        .await;
    let signed_ids = ids(&signed);
    assert_eq!(signed_ids.len(), 91);
    let signed_total = 2 * 20_000 + (1..=MORE_PROJECTS).filter(|i| i % 4 != 0).map(|i| i * 10).sum::<i64>();

    // The filter form sends every field, empty ones too; the pager keeps those that say something.
    let (_, page1) = office
        .get_text("/projects?q=&stage=signed&state=&township_id=&sort=investment")
        .await;
    assert_eq!(linked_ids(&page1, "/projects/"), signed_ids[..50]);
    assert!(page1.contains("第 1 / 2 页，共 91 个项目"));
    assert!(page1.contains(&format!("91 · {} 万元", thousands(signed_total))));
    let next = pager_link(&page1, "next").unwrap();
    assert_eq!(next, "/projects?stage=signed&sort=investment&page=2");
    let (_, page2) = office.get_text(&next).await;
    assert_eq!(linked_ids(&page2, "/projects/"), signed_ids[50..]);
    assert!(page2.contains(&format!("91 · {} 万元", thousands(signed_total))));
    assert_eq!(
        pager_link(&page2, "prev").as_deref(),
        Some("/projects?stage=signed&sort=investment&page=1")
    );

    // The export link of page 2 exports all 91, not the page.
    let res = office
        .get("/projects/export.xlsx?stage=signed&sort=investment&page=2")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = xlsx_text(&res.bytes().await.unwrap());
    let names: Vec<&str> = signed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| text.contains(n)),
        "every signed project is exported"
    );
    assert!(!text.contains("测试项目004"), "a lead is not");
}

#[tokio::test]
async fn api_clients_page_through_projects_and_problems_with_the_link_header() {
    let app = TestApp::spawn().await;
    a_county_of_120_projects(&app).await;
    let office = app.login("office").await;

    // Without asking: the first 50, the count, and where the next page is.
    let (status, first, total, link) = api_page(&office, "/api/v1/projects").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first.as_array().unwrap().len(), 50);
    assert_eq!(total.as_deref(), Some("120"));
    let link = link.unwrap();
    assert_eq!(
        link_rel(&link, "next").as_deref(),
        Some("/api/v1/projects?page=2&per_page=50")
    );
    assert!(link_rel(&link, "prev").is_none());
    assert_eq!(
        link_rel(&link, "last").as_deref(),
        Some("/api/v1/projects?page=3&per_page=50")
    );

    // Following rel="next" with a filter and a page size reads every match once.
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/projects?stage=signed&per_page=40".to_string());
    while let Some(path) = next {
        let (status, page, total, link) = api_page(&office, &path).await;
        assert_eq!((status, total.as_deref()), (StatusCode::OK, Some("91")), "{path}");
        seen.extend(ids(&page));
        next = link.and_then(|l| link_rel(&l, "next"));
    }
    let signed = office.get_json("/api/v1/projects?stage=signed&per_page=200").await;
    assert_eq!(seen, ids(&signed), "three pages of 40, 40 and 11, in order, each once");

    // Past the end: an empty array with the count and the way back.
    let (status, far, total, link) = api_page(&office, "/api/v1/projects?page=9").await;
    assert_eq!(
        (status, far, total.as_deref()),
        (StatusCode::OK, Value::Array(vec![]), Some("120"))
    );
    assert_eq!(
        link_rel(&link.unwrap(), "prev").as_deref(),
        Some("/api/v1/projects?page=3&per_page=50")
    );

    // Bad paging values are refused naming the field, in the API's error format.
    for (query, field) in [
        ("page=x", "page"),
        ("page=0", "page"),
        ("per_page=500", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=lots", "per_page"),
    ] {
        for list in ["/api/v1/projects", "/api/v1/problems"] {
            let res = office.get(&format!("{list}?{query}")).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{list}?{query}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["fields"][0]["field"], field, "{list}?{query}");
        }
    }

    // Problems page the same way, newest first.
    raise_problems(&app, 55).await;
    let (_, first, total, link) = api_page(&office, "/api/v1/problems?per_page=20").await;
    assert_eq!((first.as_array().unwrap().len(), total.as_deref()), (20, Some("55")));
    let (_, last, _, link3) = api_page(&office, &link_rel(&link.unwrap(), "last").unwrap()).await;
    assert_eq!(last.as_array().unwrap().len(), 15);
    let link3 = link3.unwrap();
    assert!(link_rel(&link3, "next").is_none());
    assert_eq!(
        link_rel(&link3, "prev").as_deref(),
        Some("/api/v1/problems?page=2&per_page=20")
    );
    let newest = ids(&first)[0];
    assert!(ids(&last).iter().all(|id| *id < newest));
}

#[tokio::test]
async fn the_paging_parameters_and_headers_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc = app.anonymous().get_json("/api/openapi.json").await;
    for path in ["/api/v1/projects", "/api/v1/problems"] {
        let get = &doc["paths"][path]["get"];
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            params.contains(&"page") && params.contains(&"per_page"),
            "{path}: {params:?}"
        );
        let headers = &get["responses"]["200"]["headers"];
        assert!(
            headers["X-Total-Count"].is_object() && headers["Link"].is_object(),
            "{path}"
        );
        assert!(get["responses"]["400"].is_object(), "{path}");
    }
}

/// Raises `n` problems on the county's first project, as its enterprise would.
async fn raise_problems(app: &TestApp, n: usize) {
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    for i in 0..n {
        let d = ProblemForm {
            title: format!("第{i}个问题"),
            description: String::new(),
        }
        .validate()
        .unwrap();
        let by = RaisedBy {
            enterprise_id: Some(app.county.enterprise),
            unit_id: None,
        };
        tx.raise_problem(app.county.project, &d, by).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_problem_list_shows_fifty_at_a_time_and_keeps_show_all() {
    let app = TestApp::spawn().await;
    raise_problems(&app, 55).await;
    let office = app.login("office").await;
    let (status, page1) = office.get_text("/problems").await;
    assert_eq!(status, StatusCode::OK);
    let first = linked_ids(&page1, "/problems/");
    assert_eq!(first.len(), 50);
    assert!(first.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(page1.contains("第 1 / 2 页，共 55 个问题"));
    let (_, page2) = office.get_text(&pager_link(&page1, "next").unwrap()).await;
    let second = linked_ids(&page2, "/problems/");
    assert_eq!(second.len(), 5);
    assert!(second[0] < first[49], "page 2 goes on where page 1 stopped");

    // 显示全部 keeps its meaning on every page.
    let (_, all) = office.get_text("/problems?all=1").await;
    assert_eq!(pager_link(&all, "next").as_deref(), Some("/problems?all=1&page=2"));
    let (status, far) = office.get_text("/problems?all=1&page=7").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(linked_ids(&far, "/problems/"), second);
    let (status, _) = office.get_text("/problems?page=-1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The enterprise pages through its own; a list of one page (the county's two projects) shows
    // no pager.
    let company = app.login("company").await;
    let (_, own) = company.get_text("/problems?page=1").await;
    assert!(own.contains("第 1 / 2 页"), "the enterprise raised them all");
    let (_, short) = office.get_text("/projects").await;
    assert!(!short.contains("class=\"pager\""));
}

#[tokio::test]
async fn a_units_desk_shows_later_and_done_tasks_as_a_count_with_a_link_that_shows_them() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let today = clock::today();
    // 发改委 leads a project starting in a year (its tasks are due later) and one that should have
    // started last month (its task is overdue).
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let project = |name: &str, start: chrono::NaiveDate| ProjectForm {
        name: name.into(),
        lead_unit_id: c.fgw.to_string(),
        stage: "signed".into(),
        target_start: start.to_string(),
        ..Default::default()
    };
    let next_year = tx
        .create_project(
            c.region,
            &project("明年开工项目", today + Duration::days(365)).validate().unwrap(),
        )
        .await
        .unwrap();
    let late = tx
        .create_project(
            c.region,
            &project("逾期项目", today - Duration::days(30)).validate().unwrap(),
        )
        .await
        .unwrap();
    let task = |name: String| {
        TaskForm {
            name,
            responsible_unit_id: c.fgw.to_string(),
            duration_days: "5".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let mut later = Vec::new();
    for i in 0..6 {
        later.push(
            tx.create_task(next_year, &task(format!("以后事项{i}")), None)
                .await
                .unwrap(),
        );
    }
    tx.create_task(late, &task("逾期事项".into()), None).await.unwrap();
    tx.commit().await.unwrap();
    // Four of the later ones are done.
    for id in &later[..4] {
        let version = app.store.task(*id).await.unwrap().version;
        let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
        let done = ProgressReport {
            progress: TaskProgress::Done,
            actual_start: Some(today - Duration::days(5)),
            actual_finish: Some(today),
            note: None,
        };
        tx.report_task_progress(*id, version, &done).await.unwrap();
        tx.commit().await.unwrap();
    }
    // Later: two of ours and the county's 项目备案 (due before the county project's start).
    let fgw = app.login("fgw").await;
    let (status, desk) = fgw.get_text("/desk").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        desk.contains("已逾期（1）") && desk.contains("逾期事项"),
        "overdue in full"
    );
    assert!(
        desk.contains("以后到期（3）") && desk.contains("已完成（4）"),
        "the counts"
    );
    for i in 0..6 {
        assert!(
            !desk.contains(&format!("以后事项{i}")),
            "later and done tasks fold to a count"
        );
    }
    let links = hrefs(&desk);
    assert!(links.iter().any(|h| h == "/desk?show=later#desk-later"), "{links:?}");
    assert!(links.iter().any(|h| h == "/desk?show=done#desk-done"), "{links:?}");

    // The link shows the done tasks (and the way back to the count); the rest stays as it was.
    let (status, done) = fgw.get_text("/desk?show=done#desk-done").await;
    assert_eq!(status, StatusCode::OK);
    for i in 0..4 {
        assert!(done.contains(&format!("以后事项{i}")), "done task {i} shown");
    }
    assert!(
        !done.contains("以后事项4") && !done.contains("以后事项5"),
        "later still folded"
    );
    assert!(done.contains("已完成（4）") && done.contains("以后到期（3）") && done.contains("逾期事项"));
    assert!(
        hrefs(&done).iter().any(|h| h == "/desk#desk-done"),
        "the way back to the count"
    );
    let (_, shown) = fgw.get_text("/desk?show=later").await;
    assert!(shown.contains("以后事项4") && shown.contains("以后事项5") && !shown.contains("以后事项0"));

    // The office looks at 发改委's desk: the links keep the unit.
    let office = app.login("office").await;
    let (_, desk) = office.get_text(&format!("/desk?unit_id={}", c.fgw)).await;
    let done_link = format!("/desk?unit_id={}&show=done#desk-done", c.fgw);
    assert!(hrefs(&desk).contains(&done_link), "{desk}");
    let (_, done) = office.get_text(&done_link).await;
    assert!(done.contains("以后事项0") && done.contains("已完成（4）"));

    // A group that does not exist is refused, named.
    let (status, html) = fgw.get_text("/desk?show=everything").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("展开"), "{html}");
}
