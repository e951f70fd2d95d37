//! Issue 5 in the product: the office imports the ledger it already keeps, previews what would
//! happen, imports the good rows, downloads the refused ones, and a second import updates.

mod support;

use chainforce_domain::project::Stage;
use reqwest::StatusCode;
use support::TestApp;

/// A ledger as a county clerk would export it from Excel: amounts in 亿元 in the header, a
/// written-out amount, an unknown township, a number that is not one, and a 合计 row.
const LEDGER: &str = "项目名称,项目代码,建设单位,所属乡镇,总投资（亿元）,用地面积（亩）,当前阶段,签约时间,责任单位\n\
年产2万吨碳酸锂项目,,测试锂业有限公司,东岭镇,2.5,150,签约,2022年8月22日,县发改委\n\
新锂电池项目,,新来的企业,东岭镇,1.5亿元,80,在谈,,县发改委\n\
不知何处的项目,,测试锂业有限公司,不存在镇,3,,签约,,县发改委\n\
坏数字项目,,测试锂业有限公司,东岭镇,很多,,签约,,县发改委\n\
合计,,,,7,,,,\n";

async fn upload(app: &TestApp, client: &support::Client) -> String {
    let _ = app;
    upload_ledger(client, LEDGER).await
}

/// Uploads a ledger as the import page does; returns the preview's address.
async fn upload_ledger(client: &support::Client, csv: &str) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("台账.csv"),
    );
    let res = client
        .http
        .post(client.url(&format!("/import?_csrf={}", client.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_office_previews_a_ledger_imports_the_good_rows_and_gets_the_refused_ones_back() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let preview_url = upload(&app, &office).await;
    let (status, html) = office.get_text(&preview_url).await;
    assert_eq!(status, StatusCode::OK);
    // The dry run: one update (same name), one creation, two refusals naming row, cell and rule.
    assert!(
        html.contains("新建 <b>1</b>")
            && html.contains("更新 <b>1</b>")
            && html.contains("<b class=\"red-text\">2</b>"),
        "{html}"
    );
    assert!(
        html.contains("不存在镇") && html.contains("不存在的乡镇"),
        "unknown township named"
    );
    assert!(html.contains("很多") && html.contains("必须是数字"), "bad number named");
    assert_eq!(
        app.store
            .projects(app.county.region, &Default::default())
            .await
            .unwrap()
            .len(),
        2,
        "a preview writes nothing"
    );

    // Everything or nothing: with refused rows, nothing.
    let res = office.post_form(&preview_url, &[("mode", "all")]).await;
    assert!(res.text().await.unwrap().contains("没有导入任何内容"));
    assert_eq!(
        app.store
            .projects(app.county.region, &Default::default())
            .await
            .unwrap()
            .len(),
        2
    );

    // The good rows only.
    let res = office.post_form(&preview_url, &[("mode", "good")]).await;
    assert!(res.text().await.unwrap().contains("导入完成"));
    let projects = app
        .store
        .projects(app.county.region, &Default::default())
        .await
        .unwrap();
    assert_eq!(projects.len(), 3);
    let updated = projects.iter().find(|p| p.draft.name == "年产2万吨碳酸锂项目").unwrap();
    assert_eq!(
        updated.draft.total_investment.unwrap().to_string(),
        "25000",
        "2.5 亿元 is 25000 万元"
    );
    assert_eq!(updated.draft.land_area.unwrap().to_string(), "150");
    let created = projects.iter().find(|p| p.draft.name == "新锂电池项目").unwrap();
    assert_eq!(
        created.enterprise_name.as_deref(),
        Some("新来的企业"),
        "an enterprise the county did not have is created"
    );
    assert_eq!(created.draft.total_investment.unwrap().to_string(), "15000");
    // The project was signed on 2026-01-05 in the county's records; a ledger saying otherwise
    // fills only a date not yet known, it never rewrites the recorded one.
    let dates = app.store.stage_dates(updated.id).await.unwrap();
    let signed = dates.iter().find(|d| d.stage == Stage::Signed).unwrap();
    assert_eq!(signed.actual.map(|a| a.to_string()), Some("2026-01-05".into()));

    // The refused rows come back as a workbook with the reasons.
    let res = office.get(&format!("{preview_url}/refused.xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = support::xlsx_text(&res.bytes().await.unwrap());
    assert!(
        text.contains("不知何处的项目") && text.contains("坏数字项目") && text.contains("原因"),
        "{text}"
    );
    assert!(!text.contains("新锂电池项目"), "only refused rows");

    // Importing the same ledger again updates; nothing is duplicated.
    let again = upload(&app, &office).await;
    let res = office.post_form(&again, &[("mode", "good")]).await;
    assert!(res.text().await.unwrap().contains("更新 <b>2</b>"));
    assert_eq!(
        app.store
            .projects(app.county.region, &Default::default())
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_spreadsheet_is_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 not a ledger".to_vec()).file_name("x.xlsx"),
    );
    let res = office
        .http
        .post(office.url(&format!("/import?_csrf={}", office.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("class=\"error\""), "{html}");
}

#[tokio::test]
async fn only_the_office_imports_and_an_upload_belongs_to_its_uploader() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let url = upload(&app, &office).await;
    for who in ["leader", "fgw", "company"] {
        let c = app.login(who).await;
        assert_eq!(c.get("/import").await.status(), StatusCode::FORBIDDEN, "{who}");
        assert_eq!(c.get(&url).await.status(), StatusCode::FORBIDDEN, "{who}");
    }
    // The clerk who uploaded finds it again from a new session.
    let again = app.login("office").await;
    assert_eq!(again.get(&url).await.status(), StatusCode::OK);
    assert_eq!(
        office.get("/import/..%2F..%2Fetc%2Fpasswd").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// A ledger moves a project only by the stage rules, like the stage form: the row saying the
/// signed project has started without land is refused, naming the column and the rule, and
/// nothing of it is written; the row that dates 供地 and then 开工 moves the project, each stage in
/// its history with the clerk who imported it.
#[tokio::test]
async fn a_ledger_moves_a_project_only_by_the_stage_rules() {
    let app = TestApp::spawn().await;
    let p = app.county.project;
    let office = app.login("office").await;

    let started_without_land = "项目名称,总投资（亿元）,当前阶段,实际开工\n年产2万吨碳酸锂项目,3,开工,2026年5月6日\n";
    let preview = upload_ledger(&office, started_without_land).await;
    let (_, html) = office.get_text(&preview).await;
    assert!(html.contains("实际开工") && html.contains("未供地不能开工"), "{html}");
    let res = office.post_form(&preview, &[("mode", "good")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let project = app.store.project(p).await.unwrap();
    assert_eq!(
        (
            project.draft.stage.code(),
            project.draft.total_investment.unwrap().to_string()
        ),
        ("signed", "20000".into()),
        "the refused row changed nothing, not even its investment"
    );
    assert_eq!(
        app.store.stage_history(p).await.unwrap().len(),
        1,
        "the history still holds only the signing"
    );

    let landed_then_started =
        "项目名称,当前阶段,供地时间,实际开工\n年产2万吨碳酸锂项目,开工,2026年4月1日,2026年5月6日\n";
    let preview = upload_ledger(&office, landed_then_started).await;
    let res = office.post_form(&preview, &[("mode", "good")]).await;
    assert!(res.text().await.unwrap().contains("导入完成"));
    let history: serde_json::Value = office
        .get(&format!("/api/v1/projects/{p}/stages"))
        .await
        .json()
        .await
        .unwrap();
    let road: Vec<(&str, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["to_stage"].as_str().unwrap(),
                h["date"].as_str().unwrap(),
                h["by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        road,
        [
            ("signed", "2026-01-05", "system:test"),
            ("land_supplied", "2026-04-01", "office（测试）"),
            ("started", "2026-05-06", "office（测试）"),
        ]
    );
    let (_, html) = office.get_text(&format!("/projects/{p}")).await;
    assert!(html.contains("阶段变更记录") && html.contains("2026-05-06"));
}
