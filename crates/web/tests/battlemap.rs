//! Issue 4 in the product: 挂图作战 — the battle map — and the 包挂领导 view. The office, a unit
//! and a leader open the map and see every active project's tasks coloured by the one status
//! function, the critical path marked, filtered and grouped as they ask; a bad filter is refused
//! naming the field; an enterprise cannot reach the map; a leader sees their own projects only.

mod support;

use chainforce_domain::org::UnitForm;
use chainforce_domain::problem::ProblemForm;
use chainforce_domain::project::ProjectForm;
use chainforce_domain::task::{ProgressReport, TaskForm, TaskProgress};
use chainforce_storage::chains::NewNode;
use chainforce_storage::problems::RaisedBy;
use chainforce_storage::{AuditActor, clock};
use chrono::Duration;
use reqwest::StatusCode;
use support::TestApp;

const EVIL_PROJECT: &str = "碳酸锂扩建<script>alert('p')</script>";
const EVIL_TASK: &str = "环评批复<img src=x onerror=alert(1)>";

/// A second township (西溪镇) with a project on the chain node 电池级碳酸锂 whose 包挂领导 is the
/// test leader, holding a red task (60 working days that should have started weeks ago, on the
/// critical path), a green one (2 days with plenty of float) and a done one.
struct Fixture {
    xixi: i64,
    node: i64,
    project: i64,
    red: i64,
    green: i64,
    done: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let c = &app.county;
    let today = clock::today();
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let xixi = tx
        .create_unit(
            c.region,
            &UnitForm {
                name: "西溪镇".into(),
                kind: "township".into(),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    let node = |code: &str, name: &str| NewNode {
        code: code.into(),
        name: name.into(),
        stage: "材料".into(),
    };
    tx.create_chain(
        c.region,
        "锂电池产业链",
        &[node("li2co3", "电池级碳酸锂"), node("lfp", "磷酸铁锂正极")],
        &[("li2co3".into(), "lfp".into(), false)],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let node = app
        .store
        .chain_nodes(c.region)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.code == "li2co3")
        .unwrap()
        .id;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let project = tx
        .create_project(
            c.region,
            &ProjectForm {
                name: EVIL_PROJECT.into(),
                enterprise_id: c.enterprise.to_string(),
                chain_node_id: node.to_string(),
                township_id: xixi.to_string(),
                lead_unit_id: c.fgw.to_string(),
                leader: "leader（测试）".into(),
                stage: "filed".into(),
                target_start: (today + Duration::days(40)).to_string(),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    let task = |name: &str, unit: i64, days: i64| {
        TaskForm {
            name: name.into(),
            responsible_unit_id: unit.to_string(),
            duration_days: days.to_string(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let red = tx
        .create_task(project, &task(EVIL_TASK, c.fgw, 60), None)
        .await
        .unwrap();
    let green = tx
        .create_task(project, &task("供电接入", c.zrzy, 2), None)
        .await
        .unwrap();
    let done = tx
        .create_task(project, &task("项目备案", c.fgw, 1), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let version = app.store.task(done).await.unwrap().version;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    tx.report_task_progress(
        done,
        version,
        &ProgressReport {
            progress: TaskProgress::Done,
            actual_start: Some(today - Duration::days(10)),
            actual_finish: Some(today - Duration::days(3)),
            note: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Fixture {
        xixi,
        node,
        project,
        red,
        green,
        done,
    }
}

/// The `class` of the bar drawn for `task`, if the page draws one.
fn bar_class(html: &str, task: i64) -> Option<String> {
    let marker = format!("id=\"bar-{task}\" class=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find('"')?].to_string())
}

#[tokio::test]
async fn the_office_sees_every_active_project_coloured_with_the_critical_path_marked() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let c = &app.county;
    let office = app.login("office").await;
    let (status, html) = office.get_text("/map").await;
    assert_eq!(status, StatusCode::OK);
    // Red and on the critical path; green with float, not critical; done.
    assert_eq!(bar_class(&html, f.red).as_deref(), Some("bar s-red crit"));
    assert_eq!(bar_class(&html, f.green).as_deref(), Some("bar s-green"));
    assert!(bar_class(&html, f.done).unwrap().starts_with("bar s-done"));
    // The county's other project is there too, its tasks clickable through to the task.
    assert!(bar_class(&html, c.fgw_task).is_some() && bar_class(&html, c.zrzy_task).is_some());
    assert!(html.contains(&format!("<a href=\"/tasks/{}\"><rect id=\"bar-{}\"", f.red, f.red)));
    // A today line, month ticks, the target 开工 date as a planned milestone on the project row.
    assert!(html.contains("class=\"today\""));
    assert!(html.contains("class=\"tick-label\" x="));
    assert!(html.contains("<path class=\"ms\""), "a planned 开工 milestone");
    // Grouped by township: 东岭镇 before 西溪镇, each with its project count.
    let dongling = html.find("东岭镇 · 2 ").expect("东岭镇 holds the two test projects");
    let xixi = html.find("西溪镇 · 1 ").expect("西溪镇 holds the fixture's project");
    assert!(dongling < xixi);
    // The phone list holds the same tasks with their colours.
    assert!(html.contains(&format!(
        "<p class=\"map-item\" id=\"item-{}\"><span class=\"rag rag-red\">",
        f.red
    )));
    // Printable on A3 landscape: the stylesheet names the page size for the map.
    let css = office.get("/static/app.css").await.text().await.unwrap();
    assert!(css.contains("@page battlemap { size: A3 landscape"));
}

#[tokio::test]
async fn names_with_markup_stay_text_inside_the_svg_and_the_list() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let office = app.login("office").await;
    for path in ["/map", "/map?rows=projects", "/leader?leader=leader（测试）"] {
        let (status, html) = office.get_text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            !html.contains("<script>alert"),
            "{path}: a project name became a script"
        );
        assert!(!html.contains("<img src=x"), "{path}: a task name became an element");
        // askama writes `<` as `&#60;`: the name is shown, as text.
        assert!(html.contains("&#60;script&#62;") || html.contains("&#60;img"), "{path}");
    }
    let (_, html) = office.get_text("/map").await;
    assert!(html.contains("环评批复&#60;img src=x onerror=alert(1)&#62;"));
    let _ = f;
}

#[tokio::test]
async fn filters_narrow_the_map_and_grouping_follows_the_chain() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let c = &app.county;
    let fgw = app.login("fgw").await;
    let shown = |html: &str, task: i64| bar_class(html, task).is_some();

    let (_, html) = fgw.get_text(&format!("/map?township_id={}", f.xixi)).await;
    assert!(shown(&html, f.red) && !shown(&html, c.fgw_task));

    // A unit: only its own tasks, in the projects where it has some.
    let (_, html) = fgw.get_text(&format!("/map?unit_id={}", c.zrzy)).await;
    assert!(shown(&html, f.green) && shown(&html, c.zrzy_task));
    assert!(!shown(&html, f.red) && !shown(&html, c.fgw_task));

    let (_, html) = fgw.get_text(&format!("/map?chain_node_id={}", f.node)).await;
    assert!(shown(&html, f.red) && !shown(&html, c.zrzy_task));

    let (_, html) = fgw.get_text("/map?stage=filed").await;
    assert!(
        shown(&html, f.red) && !shown(&html, c.fgw_task),
        "the test county's project is only signed"
    );

    let (_, html) = fgw.get_text("/map?leader=leader（测试）").await;
    assert!(shown(&html, f.green) && !shown(&html, c.zrzy_task));

    let (_, html) = fgw.get_text("/map?stage=full_production").await;
    assert!(html.contains("没有符合条件的在推项目"));

    // By chain node: the node's group first, projects without a node last as 未指定.
    let (_, html) = fgw.get_text("/map?group=chain_node").await;
    let node = html.find("电池级碳酸锂 · 1 ").expect("a group for the chain node");
    let none = html.find("未指定 · 2 ").expect("the projects without a node");
    assert!(node < none);

    // One lane per project: every task bar still there and still a link to its task.
    let (_, html) = fgw.get_text("/map?rows=projects").await;
    assert!(shown(&html, f.red) && shown(&html, f.done) && shown(&html, c.fgw_task));
    assert!(html.contains(&format!("<a href=\"/tasks/{}\"><rect id=\"bar-{}\"", f.green, f.green)));

    // The API answers the same question the same way.
    let v: serde_json::Value = fgw
        .get(&format!("/api/v1/map?unit_id={}", c.zrzy))
        .await
        .json()
        .await
        .unwrap();
    let tasks: Vec<i64> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(tasks.len(), 2);
    assert!(tasks.contains(&f.green) && tasks.contains(&c.zrzy_task));
    let v: serde_json::Value = fgw.get("/api/v1/map").await.json().await.unwrap();
    let ours = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == f.project)
        .unwrap();
    let red = ours["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == f.red)
        .unwrap();
    assert_eq!(
        (red["status"].as_str(), red["critical"].as_bool()),
        (Some("red"), Some(true))
    );
    assert!(red["days_overdue"].as_i64().unwrap() > 0);
    assert_eq!(ours["group"], "西溪镇");
}

#[tokio::test]
async fn a_bad_filter_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let office = app.login("office").await;
    let (status, html) = office.get_text("/map?township_id=东岭").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("属地乡镇") && html.contains("必须是数字"), "{html}");
    // An id that is not one of the county's units.
    let (status, html) = office.get_text("/map?unit_id=99999").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("责任单位"), "{html}");
    let res = office.get("/api/v1/map?stage=done&group=colour").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["stage", "group"]);
    // A township id that is a department is not a township.
    let (status, _) = office.get_text(&format!("/map?township_id={}", app.county.fgw)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_enterprise_cannot_reach_the_map_or_a_leaders_view() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let company = app.login("company").await;
    for path in ["/map", "/api/v1/map", "/leader", "/api/v1/leader"] {
        assert_eq!(company.get(path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // It still sees its own projects, and only those.
    let v: serde_json::Value = company.get("/api/v1/projects").await.json().await.unwrap();
    let ids: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&app.county.project) && !ids.contains(&app.county.other_project));
    for who in ["fgw", "viewer"] {
        let c = app.login(who).await;
        assert_eq!(c.get("/leader").await.status(), StatusCode::FORBIDDEN, "{who}");
        assert_eq!(c.get("/map").await.status(), StatusCode::OK, "{who}");
    }
}

#[tokio::test]
async fn a_unit_cannot_mark_another_units_task_done() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let zrzy = app.login("zrzy").await;
    let today = clock::today().to_string();
    let res = zrzy
        .post_form(
            &format!("/tasks/{}/progress", f.red),
            &[
                ("version", "1"),
                ("progress", "done"),
                ("actual_start", &today),
                ("actual_finish", &today),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let office = app.login("office").await;
    let (_, html) = office.get_text("/map").await;
    assert_eq!(bar_class(&html, f.red).as_deref(), Some("bar s-red crit"), "still red");
}

#[tokio::test]
async fn a_leader_sees_their_own_projects_red_items_and_problems_waiting_on_others() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let c = &app.county;
    // A problem on the leader's project waits on a unit; one on another project is not theirs.
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let problem = |t: &str| {
        ProblemForm {
            title: t.into(),
            description: String::new(),
        }
        .validate()
        .unwrap()
    };
    let mine = tx
        .raise_problem(f.project, &problem("环评专家评审排期"), RaisedBy::default())
        .await
        .unwrap();
    tx.assign_problem(mine, 1, c.zrzy, clock::today() + Duration::days(5))
        .await
        .unwrap();
    tx.raise_problem(c.project, &problem("别人的问题"), RaisedBy::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let leader = app.login("leader").await;
    let (status, html) = leader.get_text("/leader").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/projects/{}", f.project)));
    assert!(
        !html.contains(&format!("/projects/{}\"", c.project)),
        "not the leader's project"
    );
    assert!(html.contains(&format!("/tasks/{}", f.red)), "the red task is listed");
    assert!(
        !html.contains(&format!("/tasks/{}\"", f.green)),
        "a green task is not a red item"
    );
    assert!(html.contains("环评专家评审排期") && html.contains("待责任单位答复"));
    assert!(!html.contains("别人的问题"));
    // Asking for someone else's view still gives one's own.
    let v: serde_json::Value = leader.get("/api/v1/leader?leader=张县长").await.json().await.unwrap();
    assert_eq!(v["leader"], "leader（测试）");
    let projects: Vec<i64> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(projects, [f.project]);
    assert_eq!(v["red_items"][0]["task_id"], f.red);
    assert_eq!(v["waiting_problems"][0]["waiting_on"], "unit");
    assert_eq!(v["waiting_problems"].as_array().unwrap().len(), 1);

    // The office picks a leader; one the projects do not name is refused, naming the field.
    let office = app.login("office").await;
    let v: serde_json::Value = office
        .get("/api/v1/leader?leader=leader（测试）")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["projects"][0]["id"], f.project);
    let res = office.get("/api/v1/leader?leader=无此人").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "leader");
}

#[tokio::test]
async fn the_map_and_the_leaders_view_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.anonymous().get("/api/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/api/v1/map"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/leader"]["get"].is_object());
    assert!(doc["components"]["schemas"]["MapTaskOut"].is_object());
}

/// The map is kept drawn between changes; a task reported done after someone looked at the map
/// is drawn done on the next look, in the page and in the JSON, while a problem raised in between
/// leaves the map as it was.
#[tokio::test]
async fn a_map_looked_at_before_a_change_shows_the_change_on_the_next_look() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let office = app.login("office").await;
    let (_, before) = office.get_text("/map").await;
    assert_eq!(bar_class(&before, f.red).as_deref(), Some("bar s-red crit"));
    let json: serde_json::Value = office.get("/api/v1/map").await.json().await.unwrap();
    let status_of = |v: &serde_json::Value, id: i64| {
        v["projects"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["tasks"].as_array().unwrap().iter())
            .find(|t| t["id"] == id)
            .map(|t| t["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status_of(&json, f.red).as_deref(), Some("red"));

    // A problem raised on the project changes no bar: the same map comes back.
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let problem = ProblemForm {
        title: "用地指标未下达".into(),
        description: String::new(),
    }
    .validate()
    .unwrap();
    let by = RaisedBy {
        enterprise_id: None,
        unit_id: Some(app.county.fgw),
    };
    tx.raise_problem(f.project, &problem, by).await.unwrap();
    tx.commit().await.unwrap();
    let (_, again) = office.get_text("/map").await;
    assert_eq!(bar_class(&again, f.red).as_deref(), Some("bar s-red crit"));

    // The red task is reported done: the next look draws it done.
    let today = clock::today();
    let version = app.store.task(f.red).await.unwrap().version;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let done = ProgressReport {
        progress: TaskProgress::Done,
        actual_start: Some(today - Duration::days(5)),
        actual_finish: Some(today),
        note: None,
    };
    tx.report_task_progress(f.red, version, &done).await.unwrap();
    tx.commit().await.unwrap();
    let (_, after) = office.get_text("/map").await;
    assert!(bar_class(&after, f.red).unwrap().starts_with("bar s-done"));
    let json: serde_json::Value = office.get("/api/v1/map").await.json().await.unwrap();
    assert_eq!(status_of(&json, f.red).as_deref(), Some("done"));
    // The county's other projects are drawn as before, each on its own row below the last.
    let other = app.county.fgw_task;
    assert_eq!(bar_class(&after, other), bar_class(&before, other));
    let rows: Vec<i64> = after
        .split("<g transform=\"translate(0 ")
        .skip(1)
        .map(|s| s[..s.find(')').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "one row of pieces per project");
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}");

    // The other project is renamed and given one more task: the next look names it anew, in the
    // chart and in the phone list, and its new task is drawn.
    let project = app.store.task(other).await.unwrap().project_id;
    let p = app.store.project(project).await.unwrap();
    let mut draft = p.draft.clone();
    draft.name = "改名后的项目".into();
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    tx.update_project(project, p.version, &draft).await.unwrap();
    let added = TaskForm {
        name: "新增任务".into(),
        responsible_unit_id: app.county.fgw.to_string(),
        duration_days: "3".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let added = tx.create_task(project, &added, None).await.unwrap();
    tx.commit().await.unwrap();
    let (_, renamed) = office.get_text("/map").await;
    assert_eq!(
        renamed.matches("改名后的项目").count(),
        3,
        "the chart's label, its tooltip and the list"
    );
    assert!(!renamed.contains(&p.draft.name));
    assert!(bar_class(&renamed, added).is_some());
}
