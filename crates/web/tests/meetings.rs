//! Issue 6's promises as the task force meets them: a meeting planned from live data, its
//! decisions and assignments, the minutes in Word, reminders to a group robot (a local receiver
//! stands in for DingTalk and WeCom), and a unit's calendar feed.

mod support;

use axum::extract::{RawQuery, State};
use base64::Engine as _;
use chainforce_domain::problem::ProblemForm;
use chainforce_domain::project::ProjectForm;
use chainforce_domain::task::TaskForm;
use chainforce_storage::AuditActor;
use chainforce_storage::problems::RaisedBy;
use chainforce_web::reminders::Dispatcher;
use chrono::{Duration, NaiveDate, Utc};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use std::io::Read;
use std::sync::{Arc, Mutex};
use support::{Client, TestApp};

/// A DingTalk secret as DingTalk issues them ("SEC" and 63 more characters).
fn secret() -> String {
    format!("SEC{}", "5".repeat(63))
}

fn today() -> NaiveDate {
    chainforce_storage::clock::today()
}

/// What the county has on the table before a meeting: a task that is red (its project was to
/// start ten days ago) and a problem whose deadline passed three days ago.
struct Late {
    red_task: String,
    late_problem: String,
    late_problem_id: i64,
}

async fn something_late(app: &TestApp) -> Late {
    let c = &app.county;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let p = ProjectForm {
        name: "锂电池隔膜项目".into(),
        township_id: c.township.to_string(),
        total_investment: "3亿元".into(),
        stage: "signed".into(),
        target_start: (today() - Duration::days(10)).to_string(),
        ..Default::default()
    };
    let project = tx.create_project(c.region, &p.validate().unwrap()).await.unwrap();
    let t = TaskForm {
        name: "环评批复（逾期）".into(),
        responsible_unit_id: c.zrzy.to_string(),
        duration_days: "3".into(),
        ..Default::default()
    };
    tx.create_task(project, &t.validate().unwrap(), None).await.unwrap();
    let d = ProblemForm {
        title: "施工用电迟迟未接入".into(),
        description: String::new(),
    };
    let problem = tx
        .raise_problem(project, &d.validate().unwrap(), RaisedBy::default())
        .await
        .unwrap();
    tx.assign_problem(problem, 1, c.fgw, today() - Duration::days(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Late {
        red_task: "环评批复（逾期）".into(),
        late_problem: "施工用电迟迟未接入".into(),
        late_problem_id: problem,
    }
}

/// Plans meeting `number` through the form and returns its page's path.
async fn plan(app: &TestApp, office: &Client, number: i64) -> String {
    let c = &app.county;
    let (fgw, zrzy) = (c.fgw.to_string(), c.zrzy.to_string());
    let n = number.to_string();
    let date = today().to_string();
    let res = office
        .post_form(
            "/meetings",
            &[
                ("number", &n),
                ("name", "锂产业专班调度会"),
                ("date", &date),
                ("start_time", "15:00"),
                ("venue", "县政府三楼会议室"),
                ("chair", "县委书记"),
                ("unit_ids", &fgw),
                ("unit_ids", &zrzy),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The page's hidden `version` of the first form that posts to `action`.
async fn version_on(c: &Client, page: &str) -> String {
    let (_, html) = c.get_text(page).await;
    support::hidden_value(&html, "version").expect("a form with a version")
}

async fn hold(office: &Client, meeting: &str) {
    let v = version_on(office, meeting).await;
    let res = office.post_form(&format!("{meeting}/hold"), &[("version", &v)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// The part of a page after `marker` and before the next `<h3` (one agenda section).
fn section<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &html[start..];
    let end = rest[1..].find("<h3").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[tokio::test]
async fn a_planned_meetings_agenda_lists_the_red_task_and_the_overdue_problem() {
    let app = TestApp::spawn().await;
    let late = something_late(&app).await;
    let office = app.login("office").await;
    let meeting = plan(&app, &office, 6).await;
    let leader = app.login("leader").await;
    let (status, html) = leader.get_text(&meeting).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("第6次") && html.contains("县委书记"));
    assert!(section(&html, "agenda-red_task").contains(&late.red_task), "{html}");
    assert!(section(&html, "agenda-overdue_problem").contains(&late.late_problem));
    assert!(html.contains("实时生成"), "a planned meeting's agenda is live");
    // Only the office runs meetings.
    for who in ["leader", "fgw", "viewer"] {
        let user = app.login(who).await;
        let res = user.post_form("/meetings", &[("number", "7")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let company = app.login("company").await;
    assert_eq!(company.get(&meeting).await.status(), StatusCode::FORBIDDEN);
    // The same agenda through the API.
    let id = meeting.rsplit('/').next().unwrap();
    let body: serde_json::Value = leader
        .get(&format!("/api/v1/meetings/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let refs: Vec<i64> = body["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["section"] == "overdue_problem")
        .map(|i| i["ref_id"].as_i64().unwrap())
        .collect();
    assert_eq!(refs, [late.late_problem_id]);
}

#[tokio::test]
async fn bad_meeting_input_names_the_field_and_the_rule() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let res = office
        .post_form(
            "/meetings",
            &[
                ("number", "6"),
                ("name", "调度会"),
                ("date", "2026-02-30"),
                ("chair", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    for message in ["日期：不是有效日期", "主持人：必填", "参会单位：请至少选择一个参会单位"]
    {
        assert!(html.contains(message), "{message} in {html}");
    }
    let res = office
        .post_form(
            "/meetings",
            &[
                ("number", "6"),
                ("name", "调度会"),
                ("date", "2026-12-01"),
                ("chair", "县长"),
                ("unit_ids", "99999"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("参会单位：不存在的单位"));

    let meeting = plan(&app, &office, 6).await;
    // Decisions wait until the meeting is held.
    let res = office
        .post_form(&format!("{meeting}/decisions"), &[("text", "先记一条")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("议定事项只能在会议召开后"));
    hold(&office, &meeting).await;
    let c = &app.county;
    let yesterday = (today() - Duration::days(1)).to_string();
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("text", "  ")], "议定事项：必填"),
        (
            &[
                ("text", "交办"),
                ("unit_id", &c.fgw.to_string()),
                ("deadline", &yesterday),
                ("project_id", &c.project.to_string()),
            ],
            "完成时限：完成时限不能早于今天",
        ),
        (
            &[
                ("text", "交办"),
                ("unit_id", "99999"),
                ("deadline", &today().to_string()),
                ("project_id", &c.project.to_string()),
            ],
            "责任单位：不存在的单位",
        ),
    ];
    for (fields, message) in cases {
        let res = office.post_form(&format!("{meeting}/decisions"), fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message} in {html}");
    }
    // Minutes without a decision are refused.
    let v = version_on(&office, &meeting).await;
    let res = office.post_form(&format!("{meeting}/issue"), &[("version", &v)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("会议纪要至少要有一项议定事项"));
}

/// word/document.xml of a .docx download.
fn document_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn an_assignment_lands_on_the_units_desk_is_carried_to_the_next_meeting_and_is_in_the_minutes() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let office = app.login("office").await;
    let first = plan(&app, &office, 5).await;
    hold(&office, &first).await;
    let deadline = today() + Duration::days(14);
    let text = "县自然资源局完成隔膜项目用地预审并报专班";
    let res = office
        .post_form(
            &format!("{first}/decisions"),
            &[
                ("text", text),
                ("unit_id", &c.zrzy.to_string()),
                ("deadline", &deadline.to_string()),
                ("project_id", &c.project.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = office
        .post_form(&format!("{first}/decisions"), &[("text", "围绕产业链招商，延链补链")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // On 自然资源局's desk, not on 发改委's.
    let zrzy = app.login("zrzy").await;
    let (_, desk) = zrzy.get_text("/desk").await;
    assert!(
        desk.contains("第5次调度会交办：县自然资源局完成隔膜项目用地预审"),
        "{desk}"
    );
    let fgw = app.login("fgw").await;
    let (_, desk) = fgw.get_text("/desk").await;
    assert!(!desk.contains("第5次调度会交办"));

    // The minutes: issued, then read back from the Word file.
    let v = version_on(&office, &first).await;
    let res = office.post_form(&format!("{first}/issue"), &[("version", &v)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = office.get(&format!("{first}/minutes.docx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let xml = document_xml(&res.bytes().await.unwrap());
    assert!(xml.contains("锂产业专班调度会会议纪要") && !xml.contains("讨论稿"));
    assert!(xml.contains("（第5次）") && xml.contains("县委书记"));
    assert!(xml.contains(&format!("1. {text}")) && xml.contains("2. 围绕产业链招商，延链补链"));
    assert!(xml.contains("<w:tbl>"), "the assignment table");
    let chinese_deadline = deadline.format("%Y年%-m月%-d日").to_string();
    for cell in ["县自然资源局", chinese_deadline.as_str(), "年产2万吨碳酸锂项目"] {
        assert!(xml.contains(cell), "{cell} in the assignment table");
    }
    assert!(
        xml.contains("w:eastAsia=\"宋体\""),
        "Chinese text has its East Asian font"
    );
    let (_, print) = office.get_text(&format!("{first}/minutes")).await;
    assert!(print.contains(text) && print.contains(&chinese_deadline));
    // Once issued, the decisions are the record.
    let res = office
        .post_form(&format!("{first}/decisions"), &[("text", "补记")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The next meeting has the open assignment carried over, once.
    let second = plan(&app, &office, 6).await;
    let (_, html) = office.get_text(&second).await;
    let carried = section(&html, "agenda-carried");
    assert!(
        carried.contains("第5次调度会交办") && carried.contains("第1次上会"),
        "{carried}"
    );
}

/// A stand-in for the robot hosts: records every request and answers with `reply`.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Received>>>,
    reply: Arc<Mutex<serde_json::Value>>,
}

#[derive(Clone, Debug)]
struct Received {
    path: String,
    query: Vec<(String, String)>,
    body: serde_json::Value,
}

impl Received {
    fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

async fn record(
    State(r): State<Receiver>,
    uri: axum::http::Uri,
    RawQuery(q): RawQuery,
    body: String,
) -> axum::Json<serde_json::Value> {
    r.seen.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        query: serde_urlencoded::from_str(q.as_deref().unwrap_or("")).unwrap(),
        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    });
    axum::Json(r.reply.lock().unwrap().clone())
}

impl Receiver {
    /// Starts on 127.0.0.1:0; returns the receiver and its base URL.
    async fn start() -> (Receiver, String) {
        let r = Receiver::default();
        *r.reply.lock().unwrap() = serde_json::json!({"errcode": 0, "errmsg": "ok"});
        let app = axum::Router::new()
            .route("/robot/send", axum::routing::post(record))
            .route("/cgi-bin/webhook/send", axum::routing::post(record))
            .with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (r, base)
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn answer(&self, reply: serde_json::Value) {
        *self.reply.lock().unwrap() = reply;
    }
}

/// The office adds a DingTalk robot (for `unit`, or the county's when empty) through the form.
async fn add_dingtalk_robot(app: &TestApp, office: &Client, unit: &str) -> i64 {
    let res = office
        .post_form(
            "/reminders/robots",
            &[
                ("name", "发改委工作群"),
                ("kind", "dingtalk"),
                ("unit_id", unit),
                (
                    "webhook_url",
                    "https://oapi.dingtalk.com/robot/send?access_token=f0e1d2c3b4a59687",
                ),
                ("secret", &secret()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    app.store.robots(app.county.region).await.unwrap().last().unwrap().id
}

/// The signature DingTalk expects, computed here independently of the code under test.
fn expected_sign(timestamp: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret().as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{}", secret()).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn assigning_a_problem_sends_a_signed_dingtalk_message_to_the_units_group() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let (receiver, base) = Receiver::start().await;
    let office = app.login("office").await;
    add_dingtalk_robot(&app, &office, &c.fgw.to_string()).await;
    let company = app.login("company").await;
    let res = company
        .post_form(
            &format!("/projects/{}/problems", c.project),
            &[("title", "用地红线图未出")],
        )
        .await;
    let problem = res.headers()["location"].to_str().unwrap().to_string();
    let v = version_on(&office, &problem).await;
    let deadline = (today() + Duration::days(7)).to_string();
    let res = office
        .post_form(
            &format!("{problem}/assign"),
            &[
                ("version", &v),
                ("unit_id", &c.fgw.to_string()),
                ("deadline", &deadline),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let dispatcher = Dispatcher::new(app.store.clone(), Some(base)).unwrap();
    let round = dispatcher.run_once(Utc::now()).await.unwrap();
    assert_eq!((round.delivered, round.failed), (1, 0));
    let got = receiver.seen.lock().unwrap()[0].clone();
    assert_eq!(got.path, "/robot/send");
    assert_eq!(got.param("access_token"), Some("f0e1d2c3b4a59687"));
    let timestamp = got.param("timestamp").expect("a signed request has a timestamp");
    assert!((timestamp.parse::<i64>().unwrap() - Utc::now().timestamp_millis()).abs() < 3_600_000);
    assert_eq!(
        got.param("sign"),
        Some(expected_sign(timestamp).as_str()),
        "the signature checks out"
    );
    assert_eq!(got.body["msgtype"], "markdown");
    let text = got.body["markdown"]["text"].as_str().unwrap();
    assert!(
        text.contains("用地红线图未出") && text.contains("县发改委") && text.contains(&deadline),
        "{text}"
    );

    let (_, outbox) = office.get_text("/reminders?status=sent").await;
    assert!(outbox.contains("交办提醒") && outbox.contains("发改委工作群"));
    assert!(
        !outbox.contains("f0e1d2c3b4a59687") && !outbox.contains(&secret()),
        "credentials are masked"
    );
}

#[tokio::test]
async fn a_robot_answering_errcode_310000_keeps_the_message_and_is_retried_with_backoff() {
    let app = TestApp::spawn().await;
    let (receiver, base) = Receiver::start().await;
    receiver.answer(serde_json::json!({"errcode": 310000, "errmsg": "keywords not in content"}));
    let office = app.login("office").await;
    let robot = add_dingtalk_robot(&app, &office, "").await;
    let res = office.post_form(&format!("/reminders/robots/{robot}/test"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let dispatcher = Dispatcher::new(app.store.clone(), Some(base)).unwrap();
    let now = Utc::now();
    let round = dispatcher.run_once(now).await.unwrap();
    assert_eq!(
        (round.delivered, round.failed),
        (0, 1),
        "HTTP 200 with a non-zero errcode is a failure"
    );
    let (_, html) = office.get_text("/reminders?status=pending").await;
    assert!(html.contains("errcode 310000: keywords not in content"), "{html}");
    let first_wait = dispatcher.policy().backoff[0];
    dispatcher.run_once(now + first_wait / 2).await.unwrap();
    assert_eq!(receiver.count(), 1, "not retried before the backoff");
    dispatcher
        .run_once(now + first_wait + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(receiver.count(), 2, "retried after it");
    // The robot is fixed: the next retry delivers.
    receiver.answer(serde_json::json!({"errcode": 0, "errmsg": "ok"}));
    let later = now + first_wait + dispatcher.policy().backoff[1] + Duration::seconds(2);
    assert_eq!(dispatcher.run_once(later).await.unwrap().delivered, 1);
    let (_, html) = office.get_text("/reminders?status=sent").await;
    assert!(html.contains("测试消息"));
}

#[tokio::test]
async fn no_robot_gets_more_than_twenty_messages_a_minute() {
    let app = TestApp::spawn().await;
    let (receiver, base) = Receiver::start().await;
    let office = app.login("office").await;
    let robot = add_dingtalk_robot(&app, &office, "").await;
    for _ in 0..25 {
        office.post_form(&format!("/reminders/robots/{robot}/test"), &[]).await;
    }
    let dispatcher = Dispatcher::new(app.store.clone(), Some(base)).unwrap();
    let now = Utc::now() + Duration::seconds(1);
    let round = dispatcher.run_once(now).await.unwrap();
    assert_eq!((round.delivered, round.deferred), (20, 5));
    assert_eq!(
        dispatcher
            .run_once(now + Duration::seconds(30))
            .await
            .unwrap()
            .delivered,
        0
    );
    assert_eq!(receiver.count(), 20, "the window is still full");
    assert_eq!(
        dispatcher
            .run_once(now + Duration::seconds(61))
            .await
            .unwrap()
            .delivered,
        5
    );
    assert_eq!(receiver.count(), 25);
}

#[tokio::test]
async fn webhook_addresses_are_checked_before_anything_is_sent() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    for (url, secret, field) in [
        (
            "http://oapi.dingtalk.com/robot/send?access_token=t",
            "",
            "机器人地址（Webhook）：机器人地址必须以 https:// 开头",
        ),
        (
            "https://oapi.dingtalk.com.evil.example/robot/send?access_token=t",
            "",
            "钉钉机器人地址应为",
        ),
        ("https://oapi.dingtalk.com/robot/send", "", "钉钉机器人地址应为"),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            "not-a-secret",
            "加签密钥：钉钉加签密钥以 SEC 开头",
        ),
    ] {
        let res = office
            .post_form(
                "/reminders/robots",
                &[
                    ("name", "群"),
                    ("kind", "dingtalk"),
                    ("webhook_url", url),
                    ("secret", secret),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        let html = res.text().await.unwrap();
        assert!(html.contains(field), "{field} in {html}");
    }
    assert!(app.store.robots(app.county.region).await.unwrap().is_empty());
    let fgw = app.login("fgw").await;
    assert_eq!(fgw.get("/reminders").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_units_calendar_feed_works_with_its_token_and_stops_when_revoked() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let office = app.login("office").await;
    plan(&app, &office, 3).await;
    let res = office.post_form(&format!("/feeds/{}/issue", c.fgw), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let start = html.find("/ical/").expect("the new address is shown once");
    let path = html[start..html[start..].find('<').unwrap() + start].to_string();
    assert!(path.len() > "/ical/".len() + 60, "a long random token: {path}");

    let anonymous = app.anonymous();
    let res = anonymous.get(&path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = res.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert!(ics.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets");
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:【时限】项目备案"),
        "发改委's task deadline: {unfolded}"
    );
    assert!(
        unfolded.contains("SUMMARY:第3次锂产业专班调度会"),
        "the meeting 发改委 attends"
    );
    assert!(!unfolded.contains("用地预审"), "another unit's task is not in it");
    assert!(
        !office.get_text("/feeds").await.1.contains(&path),
        "shown only when issued"
    );

    let fgw = app.login("fgw").await;
    let res = fgw.post_form(&format!("/feeds/{}/revoke", c.fgw), &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "only the office revokes");
    let res = office.post_form(&format!("/feeds/{}/revoke", c.fgw), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        anonymous.get("/ical/guessed-token.ics").await.status(),
        StatusCode::NOT_FOUND
    );
}
