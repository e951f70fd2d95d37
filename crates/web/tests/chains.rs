//! 产业链图谱 (issue 8) as the county's users meet it: a leader opens the lithium chain's map,
//! sees which nodes are strong, weak and missing and clicks through to what sits on a node; the
//! gap page ranks what to go and find, with the reason; the office edits the chain (a cycle that
//! is not the recycling loop is refused, naming it, and nothing changes), keeps investment
//! targets with their contacts and turns one into a 线索 project — once.

mod support;

use chainforce_domain::chain::{Chain, PlacementForm};
use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::project::ProjectForm;
use chainforce_storage::AuditActor;
use reqwest::StatusCode;
use support::{Client, TestApp};

/// The county's lithium chain with: 锂云母 strong (three enterprises), 碳酸锂 weak (one), 电芯
/// weak (a signed project), everything else missing. Returns the chain id.
async fn lithium(app: &TestApp) -> i64 {
    let c = &app.county;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let chain = tx
        .create_chain_from_spec(c.region, Chain::lithium().spec())
        .await
        .unwrap();
    let third = tx
        .create_enterprise(
            c.region,
            &EnterpriseForm {
                name: "第三矿业有限公司".into(),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = app.store.chain(chain).await.unwrap();
    let node = |code: &str| stored.node_by_code(code).unwrap().id;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    for (firm, code) in [
        (c.enterprise, "lepidolite"),
        (c.other_enterprise, "lepidolite"),
        (third, "lepidolite"),
        (c.enterprise, "lithium_carbonate"),
    ] {
        let p = PlacementForm {
            enterprise_id: firm.to_string(),
            capacity: String::new(),
        }
        .validate()
        .unwrap();
        tx.place_enterprise(c.region, node(code), &p).await.unwrap();
    }
    let d = ProjectForm {
        name: "年产10GWh电芯项目".into(),
        chain_node_id: node("cell").to_string(),
        stage: "signed".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    tx.create_project(c.region, &d).await.unwrap();
    tx.commit().await.unwrap();
    chain
}

async fn node_id(app: &TestApp, chain: i64, code: &str) -> i64 {
    app.store.chain(chain).await.unwrap().node_by_code(code).unwrap().id
}

/// The `<a>` element of a node on the drawing.
fn svg_node<'a>(html: &'a str, href: &str) -> &'a str {
    let start = html
        .find(&format!("<a href=\"{href}\" class=\"chain-node\">"))
        .unwrap_or_else(|| panic!("no node {href} on the map"));
    let end = start + html[start..].find("</a>").unwrap();
    &html[start..end]
}

async fn ok_text(client: &Client, path: &str) -> String {
    let (status, body) = client.get_text(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

#[tokio::test]
async fn a_leader_sees_strong_weak_and_missing_nodes_and_clicks_through_to_a_node() {
    let app = TestApp::spawn().await;
    let chain = lithium(&app).await;
    let leader = app.login("leader").await;

    let list = ok_text(&leader, "/chains").await;
    assert!(
        list.contains(&format!("<a href=\"/chains/{chain}\">锂电产业链</a>")),
        "{list}"
    );

    let map = ok_text(&leader, &format!("/chains/{chain}")).await;
    assert!(map.contains("<svg class=\"chain-map\""));
    assert!(
        !map.contains("http://") && !map.contains("https://"),
        "the drawing needs no other host"
    );
    let lepidolite = node_id(&app, chain, "lepidolite").await;
    let carbonate = node_id(&app, chain, "lithium_carbonate").await;
    let cell = node_id(&app, chain, "cell").await;
    let cathode = node_id(&app, chain, "lfp_cathode").await;
    let href = |n: i64| format!("/chains/{chain}/nodes/{n}");
    let lep = svg_node(&map, &href(lepidolite));
    assert!(lep.contains("class=\"node-strong\""), "{lep}");
    assert!(lep.contains("企 3 · 项 0 · 招 0"), "the counts are on the node: {lep}");
    assert!(svg_node(&map, &href(carbonate)).contains("class=\"node-weak\""));
    assert!(svg_node(&map, &href(cell)).contains("class=\"node-weak\""));
    assert!(svg_node(&map, &href(cathode)).contains("class=\"node-missing\""));
    // The recycling loop is drawn, dashed by its class, and the legend explains it.
    assert_eq!(map.matches("class=\"edge edge-recycling\"").count(), 3);
    assert!(map.contains("回收循环"));
    // The reason for a status is in the node's title and in the table under the map.
    assert!(map.contains("本地 1 家企业，未达到强链标准（3 家）"));

    // Clicking 锂云母 lists its enterprises; 电芯 its project.
    let page = ok_text(&leader, &href(lepidolite)).await;
    for name in ["测试锂业有限公司", "别家电池有限公司", "第三矿业有限公司"] {
        assert!(page.contains(name), "{name} on the node page");
    }
    assert!(page.contains("本地 3 家企业，达到强链标准（3 家）"));
    assert!(!page.contains("挂到此环节"), "a leader does not place enterprises");
    let page = ok_text(&leader, &href(cell)).await;
    assert!(page.contains("年产10GWh电芯项目"));

    // In English too.
    let en = ok_text(&leader, &format!("/chains/{chain}?lang=en")).await;
    let _ = en;

    // The office makes the rule looser (one enterprise is enough): 碳酸锂 turns strong.
    let office = app.login("office").await;
    let version = app.store.chain(chain).await.unwrap().summary.version;
    let res = office
        .post_form(
            &format!("/chains/{chain}/rules"),
            &[
                ("version", &version.to_string()),
                ("strong_min_enterprises", "1"),
                ("weak_min_enterprises", "1"),
                ("excluded_classes", "D"),
                ("projects_count_from", "signed"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let map = ok_text(&leader, &format!("/chains/{chain}")).await;
    assert!(svg_node(&map, &href(carbonate)).contains("class=\"node-strong\""));
    // A rule that does not hold is refused, naming the field.
    let version = app.store.chain(chain).await.unwrap().summary.version;
    let res = office
        .post_form(
            &format!("/chains/{chain}/rules"),
            &[
                ("version", &version.to_string()),
                ("strong_min_enterprises", "1"),
                ("weak_min_enterprises", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("强链所需企业数") && body.contains("强链所需企业数不能少于弱链所需企业数"),
        "{body}"
    );
}

#[tokio::test]
async fn the_gap_page_ranks_bridges_first_with_the_reason_stated() {
    let app = TestApp::spawn().await;
    let chain = lithium(&app).await;
    let viewer = app.login("viewer").await;
    let page = ok_text(&viewer, &format!("/chains/{chain}/gaps")).await;
    // 锂云母 → 碳酸锂 is the longest covered run (two links).
    assert!(page.contains("锂云母/含锂瓷土矿</a> → <a"), "{page}");
    // Rank 1: 磷酸铁锂正极 joins local 碳酸锂 and the local 电芯 project — a bridge.
    let first = &page[page.find("<tr class=\"gap-").unwrap()..];
    let first = &first[..first.find("</tr>").unwrap()];
    assert!(first.contains(">1</td>"), "{first}");
    assert!(first.contains("磷酸铁锂正极") && first.contains("补链"), "{first}");
    assert!(
        first.contains("补链：本地已有上游「碳酸锂」和下游「电芯」，补上「磷酸铁锂正极」可连成"),
        "{first}"
    );
    // Bridges come before strengthening, and strengthening before new footholds.
    let bridge = page.find("gap-bridge").unwrap();
    let strengthen = page.find("gap-strengthen").unwrap();
    let foothold = page.find("gap-foothold").unwrap();
    assert!(bridge < strengthen && strengthen < foothold);

    // The same analysis in the API.
    let res = viewer.get(&format!("/api/v1/chains/{chain}/gaps")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        json["longest_covered_path"],
        serde_json::json!(["lepidolite", "lithium_carbonate"])
    );
    assert_eq!(json["gaps"][0]["node"], "lfp_cathode");
    assert_eq!(json["gaps"][0]["kind"], "bridge");
    assert!(json["gaps"][0]["reason_en"].as_str().unwrap().starts_with("Bridge:"));
    let res = viewer.get(&format!("/api/v1/chains/{chain}")).await;
    let json: serde_json::Value = res.json().await.unwrap();
    let status_of = |code: &str| {
        json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["code"] == code)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status_of("lepidolite"), "strong");
    assert_eq!(status_of("cell"), "weak");
    assert_eq!(status_of("spodumene"), "missing");
    assert_eq!(
        json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["recycling"] == true)
            .count(),
        3
    );
}

#[tokio::test]
async fn a_cycle_that_is_not_the_recycling_loop_is_refused_naming_it_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let chain = lithium(&app).await;
    let office = app.login("office").await;
    let before = app.store.chain(chain).await.unwrap();
    let v = before.summary.version.to_string();
    let res = office
        .post_form(
            &format!("/chains/{chain}/edges"),
            &[("version", &v), ("from", "cell"), ("to", "lithium_carbonate")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("连线 (edges)"), "the field is named: {body}");
    assert!(
        body.contains("产业链出现环路：") && body.contains("（只有声明为回收的连线可以成环）"),
        "the rule is named: {body}"
    );
    assert!(body.contains("lithium_carbonate") && body.contains("cell"));
    assert_eq!(app.store.chain(chain).await.unwrap(), before, "nothing changed");

    // The same edge declared as recycling from a 回收 node is the allowed loop.
    let res = office
        .post_form(
            &format!("/chains/{chain}/edges"),
            &[
                ("version", &v),
                ("from", "recycling"),
                ("to", "lithium_hydroxide"),
                ("recycling", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = app.store.chain(chain).await.unwrap();
    assert_eq!(after.edges.len(), before.edges.len() + 1);
    assert_eq!(after.summary.version, before.summary.version + 1);
    // A form loaded before that change is now stale: a conflict, not a silent overwrite.
    let res = office
        .post_form(
            &format!("/chains/{chain}/nodes"),
            &[
                ("version", &v),
                ("code", "sodium"),
                ("name", "钠电池"),
                ("stage", "battery"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // The editor shows the new edge; the history has the change.
    let page = ok_text(&office, &format!("/chains/{chain}/edit")).await;
    assert!(page.contains("lithium_hydroxide"));
    let history = ok_text(&office, &format!("/history/chain/{chain}")).await;
    assert!(history.contains("edit"));
}

#[tokio::test]
async fn names_with_markup_are_escaped_on_the_map_and_the_target_pages() {
    let app = TestApp::spawn().await;
    let chain = lithium(&app).await;
    let office = app.login("office").await;
    let v = app.store.chain(chain).await.unwrap().summary.version.to_string();
    let res = office
        .post_form(
            &format!("/chains/{chain}/nodes"),
            &[
                ("version", &v),
                ("code", "evil"),
                ("name", "<script>alert(1)</script>"),
                ("stage", "battery"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let evil = node_id(&app, chain, "evil").await;
    let res = office
        .post_form(
            "/targets",
            &[("node_id", &evil.to_string()), ("name", "\"><svg onload=alert(2)>")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for path in [
        format!("/chains/{chain}"),
        format!("/chains/{chain}/nodes/{evil}"),
        format!("/chains/{chain}/gaps"),
        "/targets".to_string(),
    ] {
        let body = ok_text(&office, &path).await;
        assert!(!body.contains("<script>alert(1)"), "{path}");
        assert!(!body.contains("<svg onload"), "{path}");
        // askama writes markup characters as numeric entities.
        assert!(
            body.contains("&#60;script&#62;") || body.contains("&#34;&#62;&#60;svg onload"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_office_keeps_targets_with_contacts_and_turns_one_into_a_lead_project_once() {
    let app = TestApp::spawn().await;
    let chain = lithium(&app).await;
    let cathode = node_id(&app, chain, "lfp_cathode").await;
    let office = app.login("office").await;

    // A target with a bad credit code and no name is refused, naming both fields.
    let res = office
        .post_form(
            "/targets",
            &[("node_id", &cathode.to_string()), ("name", ""), ("credit_code", "123")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("目标企业") && body.contains("统一社会信用代码"), "{body}");

    let res = office
        .post_form(
            "/targets",
            &[
                ("node_id", &cathode.to_string()),
                ("name", "湖南某正极材料股份有限公司"),
                ("headquarters", "湖南长沙"),
                ("notes", "年产5万吨磷酸铁锂"),
                ("status", "contacting"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let target: i64 = location.trim_start_matches("/targets/").parse().unwrap();
    let res = office
        .post_form(
            &format!("/targets/{target}/contacts"),
            &[
                ("contact_date", "2026-10-12"),
                ("channel", "来访"),
                ("summary", "来县考察园区"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = office
        .post_form(
            &format!("/targets/{target}/contacts"),
            &[("contact_date", ""), ("summary", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The node page and the filtered list show the target; its page shows the contact.
    let node_page = ok_text(&office, &format!("/chains/{chain}/nodes/{cathode}")).await;
    assert!(node_page.contains("湖南某正极材料股份有限公司"));
    let listed = ok_text(&office, &format!("/targets?node_id={cathode}")).await;
    assert!(listed.contains("湖南某正极材料股份有限公司"));
    let other = ok_text(
        &office,
        &format!("/targets?node_id={}", node_id(&app, chain, "cell").await),
    )
    .await;
    assert!(!other.contains("湖南某正极材料股份有限公司"));
    let page = ok_text(&office, &format!("/targets/{target}")).await;
    assert!(page.contains("来县考察园区") && page.contains("2026-10-12"));

    // 转为线索项目: a project at stage 在谈 (线索) on the target's node, linked to the target.
    let version = app.store.investment_target(target).await.unwrap().version.to_string();
    let res = office
        .post_form(
            &format!("/targets/{target}/convert"),
            &[("version", &version), ("project_name", "年产5万吨磷酸铁锂正极材料项目")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let project: i64 = location.trim_start_matches("/projects/").parse().unwrap();
    let leads = ok_text(&office, "/projects?stage=lead").await;
    assert!(leads.contains("年产5万吨磷酸铁锂正极材料项目"), "{leads}");
    let p = app.store.project(project).await.unwrap();
    assert_eq!(p.draft.chain_node_id, Some(cathode));
    let page = ok_text(&office, &format!("/targets/{target}")).await;
    assert!(page.contains(&format!(
        "<a href=\"/projects/{project}\">年产5万吨磷酸铁锂正极材料项目</a>"
    )));
    assert!(page.contains("已转线索"));

    // A second conversion is refused, naming the project it already became.
    let version = app.store.investment_target(target).await.unwrap().version.to_string();
    let res = office
        .post_form(
            &format!("/targets/{target}/convert"),
            &[("version", &version), ("project_name", "再来一次")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("不能重复转换") && body.contains("年产5万吨磷酸铁锂正极材料项目"),
        "{body}"
    );
    let leads = ok_text(&office, "/projects?stage=lead").await;
    assert!(!leads.contains("再来一次"));

    // The API lists it and the office adds another.
    let res = office.get("/api/v1/targets").await;
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json[0]["status"], "converted");
    assert_eq!(json[0]["project_id"], project);
    let res = office
        .post_json(
            "/api/v1/targets",
            &serde_json::json!({"node_id": cathode, "name": "另一家正极企业"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = office
        .post_json("/api/v1/targets", &serde_json::json!({"node_id": cathode, "name": ""}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn only_the_office_changes_chains_and_targets() {
    let app = TestApp::spawn().await;
    let chain = lithium(&app).await;
    let before = app.store.chain(chain).await.unwrap();
    let v = before.summary.version.to_string();
    let cathode = node_id(&app, chain, "lfp_cathode").await.to_string();
    for role in ["leader", "fgw", "viewer", "company"] {
        let client = app.login(role).await;
        let res = client
            .post_form(
                &format!("/chains/{chain}/edges"),
                &[("version", &v), ("from", "spodumene"), ("to", "lithium_chloride")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
        let res = client
            .post_form("/targets", &[("node_id", &cathode), ("name", "某企业")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
        let res = client.get(&format!("/chains/{chain}/edit")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
        let res = client
            .post_json("/api/v1/targets", &serde_json::json!({"node_id": 1, "name": "x"}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
    }
    // An enterprise user does not read the county's chain map.
    let company = app.login("company").await;
    assert_eq!(
        company.get(&format!("/chains/{chain}")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.store.chain(chain).await.unwrap(), before);
    assert!(
        app.store
            .investment_targets(app.county.region, &Default::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_office_adds_a_chain_by_copying_the_default_or_from_scratch() {
    let app = TestApp::spawn().await;
    let office = app.login("office").await;
    let res = office
        .post_form(
            "/chains",
            &[("name", "钠电产业链"), ("code", "sodium"), ("copy_of", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = office
        .post_form(
            "/chains",
            &[
                ("name", "锂电产业链（二）"),
                ("code", "lithium2"),
                ("copy_of", "lithium"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let copy: i64 = location.trim_start_matches("/chains/").parse().unwrap();
    assert_eq!(
        app.store.chain(copy).await.unwrap().nodes.len(),
        Chain::lithium().nodes().len()
    );
    // The same code twice is refused on the code field.
    let res = office
        .post_form("/chains", &[("name", "又一条"), ("code", "sodium"), ("copy_of", "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list = ok_text(&office, "/chains").await;
    assert!(list.contains("钠电产业链") && list.contains("锂电产业链（二）"));
    let empty = ok_text(&office, "/chains").await;
    let _ = empty;
}

/// 物料平衡 (issue 8 item 4): a 10 GWh LFP cell plant and a 3,000 t carbonate plant on the chain,
/// one lepidolite mine in the resource ledger giving 1,000,000 t ore a year at 0.5 % Li2O. The
/// leader sees the cell plant needs 6,000 t LCE a year (10 GWh × 0.6 kt/GWh), that this is the
/// county's demand (the largest stage, not the sum), and that local ore gives 8,012.52 t LCE a
/// year (5,000 t Li2O × 2.473 × 64.8 % recovery) — enough for the county, while the county's
/// own carbonate covers only half of what its cells need.
#[tokio::test]
async fn the_material_balance_sets_the_chains_lithium_demand_against_local_ore() {
    use chainforce_domain::allocation::DepositForm;
    let app = TestApp::spawn().await;
    let chain = lithium(&app).await;
    let c = &app.county;
    let leader = app.login("leader").await;
    // Before any capacity is recorded, the page says what to do.
    let (status, html) = leader.get_text(&format!("/chains/{chain}/balance")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("在环节页为企业填写产能"), "{html}");

    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    for (code, capacity) in [("cell", "10"), ("lithium_carbonate", "3000")] {
        let p = PlacementForm {
            enterprise_id: c.other_enterprise.to_string(),
            capacity: capacity.into(),
        }
        .validate()
        .unwrap();
        tx.place_enterprise(c.region, node_id(&app, chain, code).await, &p)
            .await
            .unwrap();
    }
    let mine = DepositForm {
        name: "示例锂云母矿".into(),
        place: "示例镇".into(),
        ore_type: "lepidolite".into(),
        category: "proved".into(),
        ore_t: "20000000".into(),
        li2o_grade_pct: "0.5".into(),
        annual_output_t_ore: "1000000".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    tx.create_deposit(c.region, &mine).await.unwrap();
    tx.commit().await.unwrap();

    let (status, html) = leader.get_text(&format!("/chains/{chain}/balance")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("6000 吨碳酸锂当量/年"), "cell demand: {html}");
    assert!(html.contains("3000"), "the carbonate plant is listed: {html}");
    assert!(html.contains("8012.52"), "local ore from the ledger: {html}");
    // Local ore covers the county's demand; the county's own carbonate (3,000 t) does not cover
    // its cells (6,000 t): exactly that comparison is marked as a shortfall.
    assert_eq!(html.matches("class=\"rule-fail\"").count(), 1, "{html}");
    let short = html.split("class=\"rule-fail\"").nth(1).unwrap();
    let short = &short[..short.find("</tr>").unwrap()];
    assert!(short.contains("-3000") && short.contains("50 %"), "{short}");
    // An enterprise user has no county view.
    let company = app.login("company").await;
    let res = company.get(&format!("/chains/{chain}/balance")).await;
    assert!(
        matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        res.status()
    );
}
