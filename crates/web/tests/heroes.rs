//! 三论英雄 (issue 7) as the county's users meet it: the office imports a year's figures and
//! publishes the 亩均 evaluation, an enterprise reads its own card, units read the ranking boards
//! and find what cost them points, the office sets share targets and methods.

mod support;

use chainforce_domain::Amount;
use chainforce_domain::task::TaskForm;
use chainforce_exchange::xlsx_out::{ColumnType, ExportColumn, ExportValue, TableExport, write_table};
use chainforce_storage::AuditActor;
use reqwest::StatusCode;
use support::{Client, TestApp};

fn amount(s: &str) -> ExportValue {
    ExportValue::Money(Amount::parse_plain(s).unwrap())
}

/// The sheet a county statistics office would send: a title row, then the header, figures in
/// the units the header names. 测试锂业 is the 黄岩 worked firm (DOMAIN.md §2); 别家电池 sits
/// exactly at every 黄岩 benchmark.
fn huangyan_sheet() -> Vec<u8> {
    let col = |h: &str, kind| ExportColumn::new(h, kind);
    let money = ColumnType::Money { decimals: 4 };
    let table = TableExport {
        sheet_name: "亩均数据".into(),
        title: Some("2022年度规上工业企业亩均效益数据".into()),
        filters: vec![],
        columns: vec![
            col("企业名称", ColumnType::Text),
            col("规模", ColumnType::Text),
            col("用地面积（亩）", money),
            col("实缴税金（万元）", money),
            col("工业增加值（万元）", money),
            col("营业收入（万元）", money),
            col("综合能耗（吨标准煤）", money),
            col("主要污染物排放量（吨）", money),
            col("年平均职工人数", ColumnType::Integer),
            col("研发经费（万元）", money),
        ],
        rows: vec![
            vec![
                "测试锂业有限公司".into(),
                "规上".into(),
                amount("100"),
                amount("3000"),
                amount("10000"),
                amount("5000"),
                amount("5000"),
                amount("2.5"),
                ExportValue::Integer(500),
                amount("150"),
            ],
            vec![
                "别家电池有限公司".into(),
                "规上".into(),
                amount("907"),
                amount("21855.979"),
                amount("123497.12"),
                amount("1000000"),
                amount("45841.5442"),
                amount("25.0511"),
                ExportValue::Integer(6808),
                amount("30200"),
            ],
        ],
    };
    write_table(&table).unwrap()
}

/// The office imports the sheet for 2022 and runs the shipped 黄岩 method; the draft's id.
async fn import_and_run(app: &TestApp, office: &Client, sheet: &[u8], name: &str) -> i64 {
    let res = office
        .post_multipart("/heroes/figures/import", &[("year", "2022")], "file", name, sheet)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = office
        .post_form(
            "/heroes/evaluations",
            &[("year", "2022"), ("method", "b:huangyan-2022")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    assert!(app.store.evaluation(id).await.is_ok());
    id
}

async fn publish(app: &TestApp, who: &Client, id: i64) -> reqwest::Response {
    let version = app.store.evaluation(id).await.unwrap().version.to_string();
    who.post_form(
        &format!("/heroes/evaluations/{id}/publish"),
        &[("version", version.as_str())],
    )
    .await
}

#[tokio::test]
async fn the_huangyan_worked_example_imported_from_an_xlsx_gives_the_published_scores_on_the_card() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let office = app.login("office").await;
    let res = office
        .post_multipart(
            "/heroes/figures/import",
            &[("year", "2022")],
            "file",
            "2022年度亩均数据.xlsx",
            &huangyan_sheet(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("2 家企业的年度数据已保存"), "{html}");
    let res = office
        .post_form(
            "/heroes/evaluations",
            &[("year", "2022"), ("method", "b:huangyan-2022")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let draft = res.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = draft.rsplit('/').next().unwrap().parse().unwrap();

    // The office checks the draft: the distribution, and the worked firm's card with each
    // indicator against its benchmark — the published 黄岩 figures.
    let (status, page) = office.get_text(&draft).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("分类分布"), "{page}");
    assert!(page.contains("已复核"), "the draft reproduces from what it recorded");
    let card_path = format!("/heroes/evaluations/{id}/enterprises/{}", c.enterprise);
    let (_, card) = office.get_text(&card_path).await;
    for expected in [
        "37.35", "14.69", "14.85", "8.11", "11.03", "9.93", "95.96", "24.097", "136.16",
    ] {
        assert!(card.contains(expected), "the card shows {expected}: {card}");
    }
    // Only published evaluations reach the enterprise.
    let company = app.login("company").await;
    assert_eq!(company.get(&card_path).await.status(), StatusCode::NOT_FOUND);

    assert_eq!(publish(&app, &office, id).await.status(), StatusCode::SEE_OTHER);
    let res = company.get("/heroes/my-card").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], card_path.as_str());
    let (status, mine) = company.get_text(&card_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(mine.contains("95.96") && mine.contains("37.35") && mine.contains("测试锂业有限公司"));
    assert!(mine.contains("差别化政策"), "the class's policy is on the card");

    // The evaluation as a workbook, with the method's hash.
    let res = office.get(&format!("/heroes/evaluations/{id}/export.xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = support::xlsx_text(&res.bytes().await.unwrap());
    let hash = app.store.evaluation(id).await.unwrap().method_hash;
    assert!(text.contains("测试锂业有限公司") && text.contains(&hash));
}

#[tokio::test]
async fn an_enterprise_sees_its_own_card_only_and_none_of_the_county_boards() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let office = app.login("office").await;
    let id = import_and_run(&app, &office, &huangyan_sheet(), "亩均.xlsx").await;
    publish(&app, &office, id).await;
    let company = app.login("company").await;
    let own = format!("/heroes/evaluations/{id}/enterprises/{}", c.enterprise);
    let other = format!("/heroes/evaluations/{id}/enterprises/{}", c.other_enterprise);
    assert_eq!(company.get(&own).await.status(), StatusCode::OK);
    let (status, html) = company.get_text(&other).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("别家电池有限公司"));
    for path in [
        format!("/heroes/evaluations/{id}"),
        format!("/heroes/evaluations/{id}/export.xlsx"),
        "/heroes/evaluations".into(),
        "/heroes/figures".into(),
        "/heroes/rankings".into(),
        "/heroes/shares".into(),
    ] {
        assert_eq!(company.get(&path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // A unit reads the boards, not the enterprises' figures or cards.
    let fgw = app.login("fgw").await;
    assert_eq!(fgw.get("/heroes/rankings").await.status(), StatusCode::OK);
    assert_eq!(fgw.get("/heroes/shares").await.status(), StatusCode::OK);
    assert_eq!(fgw.get(&own).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(fgw.get("/heroes/figures").await.status(), StatusCode::FORBIDDEN);
    // Leaders read everything.
    let leader = app.login("leader").await;
    assert_eq!(leader.get(&other).await.status(), StatusCode::OK);
    assert_eq!(
        leader.get(&format!("/heroes/evaluations/{id}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn only_the_office_publishes_and_a_published_evaluation_stays_as_it_was() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let id = import_and_run(&app, &office, &huangyan_sheet(), "亩均.xlsx").await;
    for who in ["leader", "fgw", "company", "viewer"] {
        let user = app.login(who).await;
        assert_eq!(publish(&app, &user, id).await.status(), StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(
        app.store.evaluation(id).await.unwrap().status.code(),
        "draft",
        "nobody but the office published it"
    );
    assert_eq!(publish(&app, &office, id).await.status(), StatusCode::SEE_OTHER);
    let before = app.store.evaluation_result(id).await.unwrap();
    let version = app.store.evaluation(id).await.unwrap().version.to_string();
    // Not even the office changes it now: publishing again, re-running, discarding.
    for step in ["publish", "rerun", "discard"] {
        let res = office
            .post_form(
                &format!("/heroes/evaluations/{id}/{step}"),
                &[("version", version.as_str())],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{step}");
    }
    assert_eq!(app.store.evaluation_result(id).await.unwrap(), before);
    let (_, page) = office.get_text(&format!("/heroes/evaluations/{id}")).await;
    assert!(
        page.contains("已发布") && !page.contains("/publish\""),
        "no publish button on a frozen one"
    );
}

#[tokio::test]
async fn impossible_figures_are_listed_on_import_and_shown_as_t_with_the_reason() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let csv = "企业名称,用地面积（亩）,实缴税金（万元）,工业增加值（万元）\n\
               测试锂业有限公司,0,120,800\n\
               别家电池有限公司,很多,10,20\n\
               未登记的公司,10,10,20\n";
    let res = office
        .post_multipart(
            "/heroes/figures/import",
            &[("year", "2022")],
            "file",
            "数据.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("B 列（用地面积（亩））：必须是数字"), "{html}");
    assert!(html.contains("不存在的企业（请先在企业名录中登记）"), "{html}");
    assert!(html.contains("用地面积为 0 亩，却有税收 120 万元"), "{html}");
    let res = office
        .post_form(
            "/heroes/evaluations",
            &[("year", "2022"), ("method", "b:huangyan-2022")],
        )
        .await;
    // The only firm saved is T: nothing to rate, but the evaluation runs and says why.
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let (_, page) = office.get_text(res.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("暂不评价（T 类）") && page.contains("用地面积为 0 亩，却有税收 120 万元"));
    // A file that is no annual sheet at all is a 422 that says what is missing.
    let res = office
        .post_multipart(
            "/heroes/figures/import",
            &[("year", "2022")],
            "file",
            "x.csv",
            "项目名称,总投资\nx,1\n".as_bytes(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("企业名称"));
}

/// A task of `unit` with a 完成时限 and an actual finish, added to the county's project.
async fn finished_task(app: &TestApp, unit: i64, name: &str, deadline: &str, finished: &str) -> i64 {
    let d = TaskForm {
        name: name.into(),
        responsible_unit_id: unit.to_string(),
        duration_days: "2".into(),
        deadline: deadline.into(),
        actual_start: "2025-03-03".into(),
        actual_finish: finished.into(),
        progress: "done".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let id = tx.create_task(app.county.project, &d, None).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn a_unit_ranks_lower_for_an_overdue_task_and_the_drill_down_names_it() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    // Both due Friday 2025-03-07: 发改委 finished the day before, 自然资源局 the Thursday after.
    finished_task(&app, c.fgw, "项目核准", "2025-03-07", "2025-03-06").await;
    let late = finished_task(&app, c.zrzy, "规划条件出具", "2025-03-07", "2025-03-13").await;
    let fgw = app.login("fgw").await;
    let query = "board=units&kind=month&date=2025-03-01";
    let (status, board) = fgw.get_text(&format!("/heroes/rankings?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("2025年3月"), "{board}");
    let first = board.find("县发改委</a>").expect("发改委 on the board");
    let second = board.find("县自然资源局</a>").expect("自然资源局 on the board");
    assert!(first < second, "the unit that finished on time ranks first");
    assert!(
        board.contains("<svg") && !board.contains("style="),
        "an SVG chart without inline styles"
    );

    let (status, drill) = fgw
        .get_text(&format!("/heroes/rankings/units/{}?{query}", c.zrzy))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(drill.contains("规划条件出具"), "{drill}");
    assert!(drill.contains(&format!("/tasks/{late}")));
    assert!(drill.contains("逾期：4 个工作日"), "{drill}");
    let (_, on_time) = fgw.get_text(&format!("/heroes/rankings/units/{}?{query}", c.fgw)).await;
    assert!(!on_time.contains("项目核准"), "a task finished on time costs nothing");

    // The same board as a workbook, and in English.
    let res = fgw.get(&format!("/heroes/rankings/export.xlsx?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = support::xlsx_text(&res.bytes().await.unwrap());
    assert!(text.contains("县自然资源局") && text.contains("4 个工作日"), "{text}");
    fgw.get("/lang/en").await;
    let (_, en) = fgw.get_text(&format!("/heroes/rankings?{query}")).await;
    assert!(en.contains("2025-03") && en.contains("Unit ranking"));
}

#[tokio::test]
async fn the_office_sets_share_targets_and_the_board_shows_how_far_each_township_got() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    // Both projects of the test county, in 东岭镇, were signed on 2026-01-05, 2亿元 each.
    let office = app.login("office").await;
    let stem = format!("{}_signed", c.township);
    let (p, i, v) = (format!("p_{stem}"), format!("i_{stem}"), format!("v_{stem}"));
    // A negative target is refused on its own input.
    let res = office
        .post_form(
            "/heroes/shares/targets",
            &[("year", "2026"), (&p, "-2"), (&i, "3亿元"), (&v, "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("不能为负数"));
    let res = office
        .post_form(
            "/heroes/shares/targets",
            &[("year", "2026"), (&p, "4"), (&i, "6亿元"), (&v, "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Signed 4亿元 of a 6亿元 target, two projects of four.
    let leader = app.login("leader").await;
    let (status, html) = leader
        .get_text("/heroes/shares?attribution=township&kind=year&date=2026-01-01")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("东岭镇") && html.contains("40,000"), "{html}");
    assert!(html.contains("50.0% / 66.7%"), "{html}");
    // A second clerk's stale form is a conflict, not a silent overwrite.
    let res = office
        .post_form(
            "/heroes/shares/targets",
            &[("year", "2026"), (&p, "3"), (&i, ""), (&v, "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Units read the board; only the office sets targets.
    let fgw = app.login("fgw").await;
    assert_eq!(fgw.get("/heroes/shares/targets").await.status(), StatusCode::FORBIDDEN);
    let res = fgw
        .post_form("/heroes/shares/targets", &[("year", "2026"), (&p, "9"), (&v, "1")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_method_that_does_not_hold_is_refused_naming_the_json_path_and_a_good_one_is_a_new_version() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let mut method: serde_json::Value =
        serde_json::to_value(chainforce_domain::permu::built_in_method("huangyan-2022").unwrap()).unwrap();
    method["groups"][0]["indicators"][0]["weight"] = serde_json::json!(-30);
    let res = office
        .post_form(
            "/heroes/methods",
            &[("kind", "evaluation"), ("json", &method.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("groups[0].indicators[0].weight"), "{html}");
    method["groups"][0]["indicators"][0]["weight"] = serde_json::json!(35);
    let res = office
        .post_form(
            "/heroes/methods",
            &[("kind", "evaluation"), ("json", &method.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = office.get_text(&location).await;
    let region = app.county.region;
    let stored = app.store.hero_methods(region, None).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(page.contains(&stored[0].content_hash));
    let (_, list) = office.get_text("/heroes/methods").await;
    assert!(list.contains("huangyan-2022") && list.contains("v1"));
    // Leaders read methods; they do not write them.
    let leader = app.login("leader").await;
    assert_eq!(leader.get(&location).await.status(), StatusCode::OK);
    let res = leader
        .post_form(
            "/heroes/methods",
            &[
                ("kind", "ranking"),
                ("json", chainforce_domain::ranking::default_method_json()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
