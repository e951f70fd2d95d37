//! 好资源配给好东家 (issue 9) as the county's users meet it: the office records the deposits and
//! reads the ledger with Li2O and LCE derived, opens a round, enters three applications — one of
//! them ineligible, with the reason shown rule by rule — asks four experts to review (one declares
//! a conflict), publishes the decision with why, and the published round refuses every change;
//! experts see only the round they were asked to review; a commitment falling behind raises an
//! alert on the page and in the API; every export opens.

mod support;

use chainforce_domain::allocation::{ApplicationForm, RoundRules, default_panel_criteria};
use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::UserForm;
use chainforce_storage::resources::allocation_chain;
use chainforce_storage::{AuditActor, StoreError};
use reqwest::StatusCode;
use support::{Client, PASSWORD, TestApp, xlsx_text};

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn post(c: &Client, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let res = c.post_form(path, fields).await;
    let status = res.status();
    let loc = location(&res);
    (status, loc, res.text().await.unwrap())
}

/// Points for a total of `total` out of 100, spread over the shipped criteria.
fn sheet_fields(total: i64) -> Vec<(String, String)> {
    default_panel_criteria()
        .into_iter()
        .map(|c| {
            let p = chainforce_domain::Amount::from_raw(c.max_points.raw() * total / 100);
            (format!("points.{}", c.code), p.to_string())
        })
        .collect()
}

async fn score(c: &Client, round: i64, app: i64, total: i64, opinion: &str) -> StatusCode {
    let mut fields = sheet_fields(total);
    fields.push(("opinion".into(), opinion.into()));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(&format!("/resources/reviews/{round}/applications/{app}/sheet"), &refs)
        .await
        .status()
}

#[tokio::test]
async fn the_office_allocates_ore_with_reasons_experts_review_and_commitments_are_tracked() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let office = app.login("office").await;

    // 摸清家底: a deposit without a grade is refused naming the field; two good ones are kept.
    let (status, _, body) = post(
        &office,
        "/resources/deposits",
        &[
            ("name", "示范瓷土矿"),
            ("place", "甲镇"),
            ("ore_type", "porcelain_clay"),
            ("category", "indicated"),
            ("ore_t", "100000000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("aria-invalid"), "{body}");
    for (name, place, ore, ore_t, grade, annual) in [
        ("示范瓷土矿", "甲镇", "porcelain_clay", "100000000", "0.35", "3000000"),
        ("乙乡锂云母矿", "乙乡", "lepidolite", "5000000", "0.5", "200000"),
    ] {
        let (status, loc, _) = post(
            &office,
            "/resources/deposits",
            &[
                ("name", name),
                ("place", place),
                ("ore_type", ore),
                ("category", "indicated"),
                ("ore_t", ore_t),
                ("li2o_grade_pct", grade),
                ("annual_output_t_ore", annual),
            ],
        )
        .await;
        assert_eq!((status, loc.as_str()), (StatusCode::SEE_OTHER, "/resources"));
    }
    let (status, ledger) = office.get_text("/resources").await;
    assert_eq!(status, StatusCode::OK);
    // 1e8 t × 0.35% = 350 000 t Li2O; × 2.473 = 865 550 t LCE — with their units.
    assert!(ledger.contains("350,000 吨氧化锂(Li2O)"), "{ledger}");
    assert!(ledger.contains("865,550 吨碳酸锂当量(LCE)"), "{ledger}");
    // Totals: 350 000 + 25 000 t Li2O.
    assert!(ledger.contains("375,000 吨氧化锂(Li2O)"), "{ledger}");
    let api: serde_json::Value = office.get("/api/v1/resources/ledger").await.json().await.unwrap();
    assert_eq!(api["total"]["li2o"]["value"], "375000");
    assert_eq!(api["total"]["li2o"]["unit"], "t_li2o");
    assert_eq!(api["by_place"].as_array().unwrap().len(), 2);
    let deposits = app.store.deposits(c.region).await.unwrap();

    // A third applicant with an open environmental case, and four more experts.
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let bing = tx
        .create_enterprise(
            c.region,
            &EnterpriseForm {
                name: "丙材料有限公司".into(),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    let hash = chainforce_web::auth::hash_password(PASSWORD);
    let mut experts = vec![app.store.user_by_username("expert").await.unwrap().unwrap().id];
    for name in ["expert2", "expert3", "expert4", "outsider"] {
        let f = UserForm {
            username: name.into(),
            display_name: format!("{name}（专家）"),
            role: "expert".into(),
            password: PASSWORD.into(),
            ..Default::default()
        };
        experts.push(
            tx.create_user(c.region, &f.validate(true).unwrap(), &hash)
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    let (status, _, _) = post(
        &office,
        "/resources/violations",
        &[
            ("enterprise_id", &bing.to_string()),
            ("kind", "environment"),
            ("summary", "锂渣违规堆存"),
            ("opened_on", "2026-03-01"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The round: 5 000 t LCE a year from both deposits, the shipped rules with a panel score
    // counted from what remains after dropping the highest and lowest.
    let mut rules = RoundRules::builtin();
    rules.panel.min_counted = 1;
    let rules_json = serde_json::to_string_pretty(&rules).unwrap();
    let (d1, d2) = (deposits[0].deposit.id.to_string(), deposits[1].deposit.id.to_string());
    let (status, loc, _) = post(
        &office,
        "/resources/rounds",
        &[
            ("name", "2026 年第一批锂资源配置"),
            ("quota_unit", "t_lce_per_year"),
            ("capacity_unit", "GWh/年"),
            ("deposit_1", &d1),
            ("amount_1", "3000"),
            ("deposit_2", &d2),
            ("amount_2", "2000"),
            ("method", "rank_order"),
            ("rules_json", &rules_json),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let round: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
    let version = |round| {
        let store = app.store.clone();
        async move { store.round(round).await.unwrap().summary.version.to_string() }
    };
    let (status, _, _) = post(
        &office,
        &format!("/resources/rounds/{round}/state"),
        &[("to", "open"), ("version", &version(round).await)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The office enters each enterprise's signed application.
    let apply = |enterprise: i64, requested: &str, investment: &str, products: &str, capacity: &str, local: &str| {
        vec![
            ("enterprise_id".to_string(), enterprise.to_string()),
            ("requested".into(), requested.into()),
            ("investment_wan".into(), investment.into()),
            ("products".into(), products.into()),
            ("capacity".into(), capacity.into()),
            ("local_processing_pct".into(), local.into()),
            ("start_by".into(), "2025-12-31".into()),
            ("production_by".into(), "2030-12-31".into()),
            ("listed".into(), "on".into()),
        ]
    };
    for fields in [
        apply(
            c.enterprise,
            "4000",
            "60亿元",
            "lithium_carbonate, lfp_cathode, cell, pack",
            "20",
            "80",
        ),
        apply(c.other_enterprise, "3000", "550000", "cell", "10", "60"),
        apply(bing, "1000", "520000", "lfp_cathode", "5", "90"),
    ] {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, _, body) = post(&office, &format!("/resources/rounds/{round}/applications"), &refs).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    // An unknown product is refused, naming the field.
    let mut bad = apply(c.enterprise, "1", "1", "battery", "1", "1");
    bad[0].1 = bing.to_string();
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, body) = post(&office, &format!("/resources/rounds/{round}/applications"), &refs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("产业链中没有环节 battery"), "{body}");
    let apps: Vec<i64> = app
        .store
        .round_applications(round)
        .await
        .unwrap()
        .iter()
        .map(|a| a.application.id)
        .collect();
    assert_eq!(apps.len(), 3);

    // The panel: four experts; the outsider is not on it.
    let mut panel: Vec<(&str, String)> = experts[..4].iter().map(|e| ("expert", e.to_string())).collect();
    panel.push(("expert", experts[0].to_string()));
    let refs: Vec<(&str, &str)> = panel.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, _) = post(&office, &format!("/resources/rounds/{round}/panel"), &refs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Experts see only their assignment, and nothing of the county.
    let outsider = app.login("outsider").await;
    let (_, list) = outsider.get_text("/resources/reviews").await;
    assert!(!list.contains("2026 年第一批"), "{list}");
    assert_eq!(
        outsider.get(&format!("/resources/reviews/{round}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(score(&outsider, round, apps[0], 90, "").await, StatusCode::NOT_FOUND);
    let mut reviewers = Vec::new();
    for name in ["expert", "expert2", "expert3", "expert4"] {
        reviewers.push(app.login(name).await);
    }
    let x = &reviewers[0];
    let home = x.get("/").await;
    assert_eq!(location(&home), "/resources/reviews");
    let (_, list) = x.get_text("/resources/reviews").await;
    assert!(list.contains("2026 年第一批锂资源配置"), "{list}");
    for path in [
        "/resources",
        "/resources/rounds",
        "/projects",
        "/problems",
        "/api/v1/resources/ledger",
    ] {
        assert_eq!(x.get(path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        x.get(&format!("/resources/rounds/{round}")).await.status(),
        StatusCode::FORBIDDEN
    );
    // A score above a criterion's maximum is refused on that criterion.
    let first = &default_panel_criteria()[0];
    let (status, _, body) = post(
        x,
        &format!("/resources/reviews/{round}/applications/{}/sheet", apps[0]),
        &[(format!("points.{}", first.code).as_str(), "999")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains(&format!("0 到 {}", first.max_points)) || body.contains("field-error"),
        "{body}"
    );
    // 测试锂业: 90, 80, 70, 60 → 75 after dropping 90 and 60. 别家电池: 70, 50, 60, and 100
    // from an expert who then declares a conflict → 60.
    for (r, (a, b)) in reviewers.iter().zip([(90, 70), (80, 50), (70, 60), (60, 100)]) {
        assert_eq!(
            score(r, round, apps[0], a, &format!("意见{a}")).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(score(r, round, apps[1], b, "").await, StatusCode::SEE_OTHER);
    }
    let (status, _, _) = post(
        &reviewers[3],
        &format!("/resources/reviews/{round}/applications/{}/conflict", apps[1]),
        &[("reason", "曾任该企业技术顾问")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let results = app.store.panel_results(round).await.unwrap();
    let p = |id: i64| results.iter().find(|p| p.application_id == id).unwrap().score;
    assert_eq!(p(apps[0]), Some("75".parse().unwrap()));
    assert_eq!(p(apps[1]), Some("60".parse().unwrap()));

    // Close and preview: 丙 is shown ineligible with the reason of each rule.
    let (status, _, _) = post(
        &office,
        &format!("/resources/rounds/{round}/state"),
        &[("to", "closed"), ("version", &version(round).await)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = office.get_text(&format!("/resources/rounds/{round}")).await;
    assert!(page.contains("配置预览"), "{page}");
    assert!(page.contains("产品「磷酸铁锂正极」均未做到「电芯」环节"), "{page}");
    assert!(
        page.contains("有未整改问题：生态环境：锂渣违规堆存（2026-03-01 起）"),
        "{page}"
    );
    assert!(
        page.contains("承诺投资 520000 万元，达到最低要求 500000 万元"),
        "{page}"
    );

    // Publish: the decision with why.
    let (status, _, _) = post(
        &office,
        &format!("/resources/rounds/{round}/publish"),
        &[("version", &version(round).await)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let leader = app.login("leader").await;
    let (status, page) = leader.get_text(&format!("/resources/rounds/{round}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("本轮已公布并冻结"), "{page}");
    assert!(page.contains("4,000 吨碳酸锂当量/年"), "{page}");
    assert!(page.contains("意见90"), "{page}");
    let api: serde_json::Value = leader
        .get(&format!("/api/v1/resources/rounds/{round}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["published"], true);
    let decisions = api["outcome"]["decisions"].as_array().unwrap();
    let granted: Vec<(&str, &str)> = decisions
        .iter()
        .map(|d| {
            (
                d["enterprise_name"].as_str().unwrap(),
                d["granted"]["value"].as_str().unwrap(),
            )
        })
        .collect();
    // Rank order: 测试锂业 first gets its 4 000 in full; 别家电池 gets the 1 000 left of 5 000.
    assert_eq!(
        granted,
        [
            ("测试锂业有限公司", "4000"),
            ("别家电池有限公司", "1000"),
            ("丙材料有限公司", "0")
        ]
    );
    assert_eq!(decisions[2]["checks"][2]["passed"], false);

    // Frozen: the pages refuse (409) and so does the store itself.
    let frozen = [
        (
            format!("/resources/rounds/{round}/state"),
            vec![("to", "open"), ("version", "99")],
        ),
        (format!("/resources/rounds/{round}/publish"), vec![("version", "99")]),
        (format!("/resources/rounds/{round}/panel"), vec![("expert", "1")]),
        (format!("/resources/rounds/{round}/applications"), {
            vec![("enterprise_id", "1")]
        }),
    ];
    for (path, fields) in &frozen {
        let (status, _, _) = post(&office, path, fields).await;
        assert!(
            status == StatusCode::CONFLICT || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {status}"
        );
    }
    // A complete, valid application is refused because the round is frozen, not for its form.
    let good = apply(bing, "10", "520000", "cell", "1", "1");
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = post(&office, &format!("/resources/rounds/{round}/applications"), &refs).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(score(x, round, apps[0], 10, "").await, StatusCode::CONFLICT);
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let draft = ApplicationForm {
        enterprise_id: bing.to_string(),
        requested: "1".into(),
        investment_wan: "1".into(),
        products: "cell".into(),
        capacity: "1".into(),
        local_processing_pct: "1".into(),
        start_by: "2026-01-01".into(),
        production_by: "2026-02-01".into(),
        ..Default::default()
    }
    .validate(&allocation_chain())
    .unwrap();
    let e = tx.create_application(round, &draft).await.unwrap_err();
    assert!(matches!(e, StoreError::Frozen { .. }), "{e:?}");
    drop(tx);
    let (status, _) = office.get_text(&format!("/resources/rounds/{round}/edit")).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Commitments: 测试锂业 started in time; 别家电池 promised to start by 2025-12-31 and has not.
    let (status, _, _) = post(
        &office,
        &format!("/resources/commitments/{}/progress", apps[0]),
        &[("investment_to_date_wan", "100000"), ("started_on", "2025-12-01")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = post(
        &office,
        &format!("/resources/commitments/{}/progress", apps[2]),
        &[("investment_to_date_wan", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "丙 got nothing: nothing to track");
    let (_, page) = leader.get_text("/resources/commitments").await;
    let behind = page
        .find("commitment behind")
        .expect("a commitment behind schedule is marked");
    assert!(page[behind..].contains("别家电池有限公司"), "{page}");
    assert!(page.contains("承诺滞后预警：1"), "{page}");
    let api: serde_json::Value = leader.get("/api/v1/resources/commitments").await.json().await.unwrap();
    assert_eq!(api["alerts"], 1);
    assert_eq!(api["commitments"][0]["enterprise_name"], "别家电池有限公司");
    assert_eq!(api["commitments"][0]["report"]["status"], "behind");
    // The alert is on the office's and the leaders' overview too.
    let (_, home) = leader.get_text("/").await;
    assert!(home.contains("承诺滞后预警：1"), "{home}");

    // Every export opens and says what the page says.
    for (path, expect) in [
        ("/resources/ledger.xlsx".to_string(), "示范瓷土矿"),
        (format!("/resources/rounds/{round}/decisions.xlsx"), "锂渣违规堆存"),
        (format!("/resources/rounds/{round}/reviews.xlsx"), "曾任该企业技术顾问"),
        ("/resources/commitments.xlsx".to_string(), "别家电池有限公司"),
    ] {
        let res = leader.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let bytes = res.bytes().await.unwrap();
        let text = xlsx_text(&bytes);
        assert!(text.contains(expect), "{path}");
    }
    // An enterprise has none of it.
    let company = app.login("company").await;
    assert_eq!(company.get("/resources").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        company.get("/resources/ledger.xlsx").await.status(),
        StatusCode::FORBIDDEN
    );
}

fn today() -> chrono::NaiveDate {
    chainforce_storage::clock::today()
}

/// An open round of 5 000 t LCE a year with two applications promising to start building 15
/// days ago: 测试锂业 (`county.enterprise`) and 别家电池 (`county.other_enterprise`).
async fn open_round(app: &TestApp) -> (i64, Vec<i64>) {
    use chainforce_domain::allocation::{DepositForm, RoundForm, RoundState};
    let c = &app.county;
    let chain = allocation_chain();
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let deposit = DepositForm {
        name: "示范瓷土矿".into(),
        place: "甲镇".into(),
        ore_type: "porcelain_clay".into(),
        category: "indicated".into(),
        ore_t: "100000000".into(),
        li2o_grade_pct: "0.35".into(),
        annual_output_t_ore: "3000000".into(),
        ..Default::default()
    };
    let deposit = tx.create_deposit(c.region, &deposit.validate().unwrap()).await.unwrap();
    let round = RoundForm {
        name: "2026 年第一批锂资源配置".into(),
        deposit_1: deposit.to_string(),
        amount_1: "5000".into(),
        ..RoundForm::defaults()
    };
    let round = tx
        .create_round(c.region, &round.validate(&chain).unwrap())
        .await
        .unwrap();
    tx.set_round_state(round, RoundState::Open, 1).await.unwrap();
    let mut apps = Vec::new();
    for enterprise in [c.enterprise, c.other_enterprise] {
        let f = ApplicationForm {
            enterprise_id: enterprise.to_string(),
            requested: "2000".into(),
            investment_wan: "600000".into(),
            products: "cell".into(),
            capacity: "10".into(),
            local_processing_pct: "60".into(),
            listed: "on".into(),
            start_by: (today() - chrono::Duration::days(15)).to_string(),
            production_by: (today() + chrono::Duration::days(365)).to_string(),
            ..Default::default()
        };
        apps.push(
            tx.create_application(round, &f.validate(&chain).unwrap())
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    (round, apps)
}

/// Closes and publishes `round` as it stands.
async fn publish_round(app: &TestApp, round: i64) {
    use chainforce_domain::allocation::RoundState;
    let v = app.store.round(round).await.unwrap().summary.version;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    tx.set_round_state(round, RoundState::Closed, v).await.unwrap();
    tx.publish_round(round, today(), v + 1).await.unwrap();
    tx.commit().await.unwrap();
}

/// A published round of [`open_round`] where 测试锂业 reported its start in time and 别家电池 has
/// not started. Returns the round and the two applications (on track, behind).
async fn granted_round(app: &TestApp) -> (i64, i64, i64) {
    use chainforce_domain::allocation::ProgressForm;
    let (round, apps) = open_round(app).await;
    publish_round(app, round).await;
    let started = ProgressForm {
        investment_to_date_wan: "100000".into(),
        started_on: (today() - chrono::Duration::days(20)).to_string(),
        ..Default::default()
    };
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    tx.record_progress(apps[0], &started.validate().unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    (round, apps[0], apps[1])
}

/// The part of a page after `marker` and before the next `<h3` (one agenda section).
fn section<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &html[start..];
    let end = rest[1..].find("<h3").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[tokio::test]
async fn a_commitment_behind_is_on_the_next_meetings_agenda_and_one_on_track_is_not() {
    let app = TestApp::spawn().await;
    let (_, on_track, behind) = granted_round(&app).await;
    let office = app.login("office").await;
    let (c, date) = (&app.county, today().to_string());
    let (fgw, zrzy) = (c.fgw.to_string(), c.zrzy.to_string());
    let (status, meeting, body) = post(
        &office,
        "/meetings",
        &[
            ("number", "7"),
            ("name", "锂产业专班调度会"),
            ("date", &date),
            ("chair", "县委书记"),
            ("unit_ids", &fgw),
            ("unit_ids", &zrzy),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The leader opens the planned meeting: 别家电池 is under 承诺滞后, 15 days late, and links
    // to its commitment; 测试锂业, which started in time, is nowhere on the agenda.
    let leader = app.login("leader").await;
    let (_, html) = leader.get_text(&meeting).await;
    let lagging = section(&html, "agenda-commitment_behind");
    assert!(lagging.contains("承诺滞后（1）"), "{lagging}");
    assert!(
        lagging.contains("别家电池有限公司（2026 年第一批锂资源配置）"),
        "{lagging}"
    );
    assert!(
        lagging.contains(&format!("/resources/commitments#c-{behind}")),
        "{lagging}"
    );
    assert!(lagging.contains("滞后 15天"), "{lagging}");
    assert!(!html.contains("测试锂业有限公司（"), "{html}");
    assert!(!html.contains(&format!("#c-{on_track}")), "{html}");

    // The JSON agenda says the same, and holding the meeting freezes the item as it was.
    let id = meeting.rsplit('/').next().unwrap();
    let api: serde_json::Value = leader
        .get(&format!("/api/v1/meetings/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let items: Vec<&serde_json::Value> = api["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "commitment")
        .collect();
    assert_eq!(items.len(), 1, "{api}");
    assert_eq!(items[0]["ref_id"], behind);
    assert_eq!(items[0]["section"], "commitment_behind");
    assert_eq!(items[0]["project_id"], serde_json::Value::Null);
    let (_, page) = office.get_text(&meeting).await;
    let version = support::hidden_value(&page, "version").unwrap();
    let (status, _, _) = post(&office, &format!("{meeting}/hold"), &[("version", &version)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, held) = leader.get_text(&meeting).await;
    assert!(
        section(&held, "agenda-commitment_behind").contains("别家电池有限公司（2026 年第一批锂资源配置）"),
        "{held}"
    );
}

#[tokio::test]
async fn the_enterprise_behind_on_its_ore_commitment_is_marked_and_deducted_in_the_permu_ranking() {
    use chainforce_domain::permu::{AdjustmentItem, COMMITMENT_BEHIND, EnterpriseYear, SizeGroup, built_in_method};
    let app = TestApp::spawn().await;
    granted_round(&app).await;
    let c = &app.county;
    let year = chrono::Datelike::year(&today());
    // The office's own method: the 黄岩 indicators, plus a deduction of 4 points for each
    // commitment for ore behind schedule — the figure is the method's, set by the office.
    let mut method = built_in_method("huangyan-2022").unwrap();
    method.id = "county-2026".into();
    method.adjustments.push(AdjustmentItem {
        code: COMMITMENT_BEHIND.into(),
        zh: "资源配置承诺滞后".into(),
        en: "Ore commitment behind schedule".into(),
        points: -4.0,
        max_points: Some(8.0),
        forces_class: None,
    });
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let method = tx
        .save_evaluation_method(c.region, &serde_json::to_string(&method).unwrap())
        .await
        .unwrap();
    // The same figures for both firms: only the commitment tells them apart.
    for (id, name) in [
        (c.enterprise, "测试锂业有限公司"),
        (c.other_enterprise, "别家电池有限公司"),
    ] {
        let mut e = EnterpriseYear::new(id, name, SizeGroup::AboveScale);
        e.land_mu = Some("100".parse().unwrap());
        e.tax = Some("3000".parse().unwrap());
        e.value_added = Some("10000".parse().unwrap());
        e.revenue = Some("50000".parse().unwrap());
        e.energy_tce = Some("5000".parse().unwrap());
        e.emissions_t = Some("2".parse().unwrap());
        e.employees = Some(500);
        e.rd_spending = Some("150".parse().unwrap());
        tx.save_enterprise_year(c.region, year, &e, None).await.unwrap();
    }
    tx.commit().await.unwrap();
    let office = app.login("office").await;
    let (status, evaluation, body) = post(
        &office,
        "/heroes/evaluations",
        &[("year", &year.to_string()), ("method", &format!("v:{}", method.id))],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The leader's board: 别家电池 carries the mark, the 4 points it lost and why; 测试锂业 none.
    let leader = app.login("leader").await;
    let (_, board) = leader.get_text(&evaluation).await;
    let row = |name: &str| {
        let at = board
            .find(name)
            .unwrap_or_else(|| panic!("{name} on the board: {board}"));
        let rest = &board[at..];
        rest[..rest.find("</tr>").unwrap()].to_string()
    };
    let lagging = row("别家电池有限公司");
    assert!(lagging.contains("资源配置承诺滞后 -4.00"), "{lagging}");
    assert!(
        lagging.contains("2026 年第一批锂资源配置：开工：承诺") && lagging.contains("前开工，已逾期 15 天"),
        "{lagging}"
    );
    assert!(!row("测试锂业有限公司").contains("commitment-mark"), "{board}");

    // Its card: the deduction next to the indicators, and the commitment behind with the reason,
    // in either language.
    let id: i64 = evaluation.rsplit('/').next().unwrap().parse().unwrap();
    let card = format!("/heroes/evaluations/{id}/enterprises/{}", c.other_enterprise);
    let (status, page) = leader.get_text(&card).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("资源配置承诺滞后 ×1"), "{page}");
    assert!(page.contains("资源配置承诺滞后（截至今日）"), "{page}");
    assert!(page.contains("已逾期 15 天"), "{page}");
    assert!(page.contains("/resources/commitments"), "{page}");
    leader.get("/lang/en?next=/").await;
    let (_, en) = leader.get_text(&card).await;
    assert!(en.contains("Ore commitment behind schedule ×1"), "{en}");
    assert!(en.contains("construction start promised by"), "{en}");
    let result = app.store.evaluation_result(id).await.unwrap();
    let total = |e: i64| result.card(e).unwrap().total_score.unwrap();
    assert_eq!(total(c.enterprise) - total(c.other_enterprise), 4.0);
}

/// Experts with these user names (password `PASSWORD`), by id.
async fn experts(app: &TestApp, names: &[&str]) -> Vec<i64> {
    let hash = chainforce_web::auth::hash_password(PASSWORD);
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let mut ids = Vec::new();
    for name in names {
        let f = UserForm {
            username: name.to_string(),
            display_name: format!("{name}（专家）"),
            role: "expert".into(),
            password: PASSWORD.into(),
            ..Default::default()
        };
        ids.push(
            tx.create_user(app.county.region, &f.validate(true).unwrap(), &hash)
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    ids
}

/// An expert's sheet on plan review `id` giving `total` out of 100, spread over its criteria.
async fn plan_score(c: &Client, id: i64, total: i64, opinion: &str) -> StatusCode {
    let mut f: Vec<(String, String)> = chainforce_domain::allocation::plan_review_criteria()
        .into_iter()
        .map(|c| {
            let p = chainforce_domain::Amount::from_raw(c.max_points.raw() * total / 100);
            (format!("points.{}", c.code), p.to_string())
        })
        .collect();
    f.push(("opinion".into(), opinion.into()));
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(&format!("/resources/reviews/plans/{id}/sheet"), &refs)
        .await
        .status()
}

#[tokio::test]
async fn experts_review_a_projects_technical_plan_and_only_those_asked_see_it() {
    let app = TestApp::spawn().await;
    let names = ["p1", "p2", "p3", "p4", "p5", "p6", "outsider"];
    let ids = experts(&app, &names).await;
    let office = app.login("office").await;

    // The office asks six experts to review the project's plan; not the outsider.
    let project = app.county.project.to_string();
    let mut fields: Vec<(&str, String)> = vec![
        ("project_id", project),
        ("review_title", "碳酸锂项目技术方案评审".into()),
        ("plan", "焙烧—浸出—沉锂工艺，锂渣综合利用制建材".into()),
    ];
    fields.extend(ids[..6].iter().map(|x| ("expert", x.to_string())));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, review, body) = post(&office, "/resources/plan-reviews", &refs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id: i64 = review.rsplit('/').next().unwrap().parse().unwrap();
    // Without an expert it is refused, naming the field.
    let (status, _, body) = post(
        &office,
        "/resources/plan-reviews",
        &[("project_id", "1"), ("review_title", "x"), ("plan", "y")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("专家组"), "{body}");

    // The outsider sees nothing of it and cannot score it; nor can an expert open the office page.
    let outsider = app.login("outsider").await;
    let (_, list) = outsider.get_text("/resources/reviews").await;
    assert!(!list.contains("碳酸锂项目技术方案评审"), "{list}");
    assert_eq!(
        outsider.get(&format!("/resources/reviews/plans/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(plan_score(&outsider, id, 90, "").await, StatusCode::NOT_FOUND);
    assert_eq!(
        outsider.get(&format!("/resources/plan-reviews/{id}")).await.status(),
        StatusCode::FORBIDDEN
    );

    // An expert asked sees the plan — and no allocation round — and scores it.
    let mut panel = Vec::new();
    for name in &names[..6] {
        panel.push(app.login(name).await);
    }
    let (_, list) = panel[0].get_text("/resources/reviews").await;
    assert!(list.contains("碳酸锂项目技术方案评审"), "{list}");
    let (status, page) = panel[0].get_text(&format!("/resources/reviews/plans/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("锂渣综合利用制建材"), "{page}");
    assert!(page.contains("工艺先进性与成熟度"), "{page}");
    for (x, total) in panel.iter().zip([90, 80, 75, 70, 50, 100]) {
        assert_eq!(
            plan_score(x, id, total, &format!("意见{total}")).await,
            StatusCode::SEE_OTHER
        );
    }
    // The sixth declares a conflict: its 100 no longer counts.
    let (status, _, _) = post(
        &panel[5],
        &format!("/resources/reviews/plans/{id}/conflict"),
        &[("reason", "曾参与该项目可研编制")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = panel[5].get_text(&format!("/resources/reviews/plans/{id}")).await;
    assert!(page.contains("您已声明利益冲突"), "{page}");

    // The office reads the panel score: 90 and 50 dropped, (80 + 75 + 70) ÷ 3 = 75.
    let (status, page) = office.get_text(&review).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<strong>75</strong>"), "{page}");
    assert!(page.contains("利益冲突回避：曾参与该项目可研编制"), "{page}");
    assert!(page.contains("意见80") && page.contains("去掉最高或最低分"), "{page}");
    let r = app.store.plan_review(id).await.unwrap();
    let result = app.store.plan_review_result(&r).await.unwrap().unwrap();
    assert_eq!(result.score, Some("75".parse().unwrap()));
    assert_eq!(result.excluded_for_conflict, [ids[5]]);
    // Leaders and units do not run reviews.
    let leader = app.login("leader").await;
    assert_eq!(leader.get(&review).await.status(), StatusCode::FORBIDDEN);
}

/// The value of the form's input `name` (empty when it has none).
fn input_value(html: &str, name: &str) -> String {
    let Some(at) = html.find(&format!("name=\"{name}\"")) else {
        return String::new();
    };
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    match tag.find("value=\"") {
        Some(v) => tag[v + 7..v + 7 + tag[v + 7..].find('"').unwrap()].to_string(),
        None => String::new(),
    }
}

/// The application form's fields as the edit page fills them, with `changes` applied.
async fn edit_fields(c: &Client, page: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let (status, html) = c.get_text(page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let mut fields: Vec<(String, String)> = [
        "version",
        "enterprise_id",
        "requested",
        "annual_revenue_wan",
        "industry_rank",
        "investment_wan",
        "products",
        "capacity",
        "local_processing_pct",
        "start_by",
        "production_by",
    ]
    .iter()
    .map(|k| (k.to_string(), input_value(&html, k)))
    .collect();
    fields.push(("listed".into(), "on".into()));
    for (k, v) in changes {
        fields.retain(|(f, _)| f != k);
        fields.push((k.to_string(), v.to_string()));
    }
    fields
}

async fn post_owned(c: &Client, path: &str, fields: &[(String, String)]) -> (StatusCode, String, String) {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(c, path, &refs).await
}

#[tokio::test]
async fn the_office_corrects_an_application_until_the_round_is_published() {
    let app = TestApp::spawn().await;
    let (round, apps) = open_round(&app).await;
    let office = app.login("office").await;
    let edit = format!("/resources/rounds/{round}/applications/{}/edit", apps[1]);
    let save = format!("/resources/rounds/{round}/applications/{}", apps[1]);

    // The round page links to the edit form, which shows the application as entered.
    let (_, page) = office.get_text(&format!("/resources/rounds/{round}")).await;
    assert!(page.contains(&edit), "{page}");
    let (_, form) = office.get_text(&edit).await;
    assert!(
        form.contains("别家电池有限公司") && form.contains("value=\"600000\""),
        "{form}"
    );

    // The signed promise said 12 GWh/年, not 10: corrected and audited.
    let loaded = edit_fields(&office, &edit, &[("capacity", "12")]).await;
    let (status, loc, body) = post_owned(&office, &save, &loaded).await;
    assert_eq!(
        (status, loc.as_str()),
        (StatusCode::SEE_OTHER, format!("/resources/rounds/{round}").as_str()),
        "{body}"
    );
    let stored = app.store.round_applications(round).await.unwrap();
    let yi = stored.iter().find(|a| a.application.id == apps[1]).unwrap();
    assert_eq!(yi.application.commitment.capacity, "12".parse().unwrap());
    assert_eq!(yi.application.enterprise_id, app.county.other_enterprise);
    let history = app.store.history("round_application", apps[1]).await.unwrap();
    assert_eq!(history[0].action, "update");
    assert!(
        history[0]
            .after
            .as_deref()
            .unwrap_or("")
            .contains("\"capacity\":\"12\""),
        "{history:?}"
    );

    // The same form sent again is stale: 409, nothing lost.
    let (status, _, body) = post_owned(&office, &save, &loaded).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A bad figure is named.
    let bad = edit_fields(&office, &edit, &[("local_processing_pct", "120")]).await;
    let (status, _, body) = post_owned(&office, &save, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("0 到 100"), "{body}");

    // Published: the form and the save are refused, saying which round and since when.
    let fresh = edit_fields(&office, &edit, &[("capacity", "15")]).await;
    publish_round(&app, round).await;
    let (status, page) = office.get_text(&edit).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let published = app.store.round(round).await.unwrap().summary.published_at.unwrap();
    let since = (chrono::DateTime::parse_from_rfc3339(&published)
        .unwrap()
        .with_timezone(&chrono::Utc)
        + chrono::Duration::hours(8))
    .format("%Y-%m-%d %H:%M")
    .to_string();
    let message = format!("配置轮次「2026 年第一批锂资源配置」已于 {since} 公布；公布后即冻结，不能再修改。");
    assert!(page.contains(&message), "{page}");
    let (status, _, body) = post_owned(&office, &save, &fresh).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains(&message), "{body}");
    assert_eq!(
        app.store.round_applications(round).await.unwrap()[1]
            .application
            .commitment
            .capacity,
        "12".parse().unwrap()
    );
}

#[tokio::test]
async fn changing_a_published_round_says_which_round_is_published_and_since_when() {
    let app = TestApp::spawn().await;
    let (round, _) = open_round(&app).await;
    publish_round(&app, round).await;
    let office = app.login("office").await;
    let published = app.store.round(round).await.unwrap().summary.published_at.unwrap();
    let since = (chrono::DateTime::parse_from_rfc3339(&published)
        .unwrap()
        .with_timezone(&chrono::Utc)
        + chrono::Duration::hours(8))
    .format("%Y-%m-%d %H:%M")
    .to_string();
    // Whatever the office tries — reopen it, change its panel, edit it — the answer is the same.
    for (path, fields) in [
        (
            format!("/resources/rounds/{round}/state"),
            vec![("to", "open"), ("version", "4")],
        ),
        (format!("/resources/rounds/{round}/panel"), vec![("expert", "1")]),
    ] {
        let (status, _, body) = post(&office, &path, &fields).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}");
        assert!(
            body.contains(&format!(
                "配置轮次「2026 年第一批锂资源配置」已于 {since} 公布；公布后即冻结，不能再修改。"
            )),
            "{path}: {body}"
        );
        assert!(!body.contains("该记录已发布冻结"), "{body}");
    }
    let (status, body) = office.get_text(&format!("/resources/rounds/{round}/edit")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("配置轮次「2026 年第一批锂资源配置」已于"), "{body}");
    // In English too.
    office.get("/lang/en?next=/").await;
    let (_, _, body) = post(&office, &format!("/resources/rounds/{round}/panel"), &[("expert", "1")]).await;
    assert!(
        body.contains(&format!(
            "The round “2026 年第一批锂资源配置” was published on {since}; a published round is frozen and can no longer change."
        )),
        "{body}"
    );
}

#[tokio::test]
async fn an_application_is_checked_against_the_countys_own_chain_map() {
    use chainforce_domain::chain::{Chain, ChainStage, EdgeSpec, NodeSpec};
    let app = TestApp::spawn().await;
    let (round, _) = open_round(&app).await;
    let office = app.login("office").await;
    // Without a chain map of its own, the county's rounds say they use the built-in chain.
    let (_, page) = office.get_text(&format!("/resources/rounds/{round}")).await;
    assert!(page.contains("按内置锂电池产业链判断"), "{page}");

    // The county maps its chain, with 储能电站 after 储能系统.
    let mut spec = Chain::lithium().spec().clone();
    spec.nodes.push(NodeSpec {
        code: "energy_storage_station".into(),
        name: "储能电站".into(),
        name_en: Some("Energy storage station".into()),
        stage: ChainStage::Application,
        by_product: false,
        capacity_unit: None,
        strong_capacity: None,
    });
    spec.edges.push(EdgeSpec {
        from: "energy_storage".into(),
        to: "energy_storage_station".into(),
        recycling: false,
    });
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    tx.create_chain_from_spec(app.county.region, &spec).await.unwrap();
    let bing = tx
        .create_enterprise(
            app.county.region,
            &EnterpriseForm {
                name: "丙储能有限公司".into(),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (status, _, body) = post(
        &office,
        &format!("/resources/rounds/{round}/applications"),
        &[
            ("enterprise_id", &bing.to_string()),
            ("requested", "500"),
            ("investment_wan", "600000"),
            ("products", "energy_storage_station"),
            ("capacity", "2"),
            ("local_processing_pct", "80"),
            ("start_by", "2027-01-01"),
            ("production_by", "2028-01-01"),
            ("listed", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = office.get_text(&format!("/resources/rounds/{round}")).await;
    assert!(page.contains("产品「储能电站」达到或延伸至「电芯」之后"), "{page}");
    assert!(!page.contains("按内置锂电池产业链判断"), "{page}");
}

#[tokio::test]
async fn a_refused_score_sheet_names_each_criterion_not_its_key() {
    let app = TestApp::spawn().await;
    let (round, apps) = open_round(&app).await;
    let expert = app.store.user_by_username("expert").await.unwrap().unwrap().id;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    tx.set_panel(round, &[expert]).await.unwrap();
    tx.commit().await.unwrap();
    let x = app.login("expert").await;
    let path = format!("/resources/reviews/{round}/applications/{}/sheet", apps[0]);
    // 技术先进性 over its 30 points, the other criteria left empty.
    let (status, _, body) = post(&x, &path, &[("points.technology", "45")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = &body[body.find("error-summary").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    assert!(
        summary.contains("技术先进性：") && summary.contains("0 到 30"),
        "{summary}"
    );
    assert!(summary.contains("产业带动："), "{summary}");
    assert!(!body.contains("field.points"), "{body}");
    // The sheet's own inputs are labelled the same way.
    assert!(
        body.contains("技术先进性（≤ 30）") && !body.contains("技术先进性 / Technology"),
        "{body}"
    );

    x.get("/lang/en?next=/").await;
    let (_, _, body) = post(&x, &path, &[("points.technology", "45")]).await;
    let summary = &body[body.find("error-summary").unwrap()..];
    assert!(summary.contains("Technology: "), "{summary}");
    assert!(!body.contains("field.points"), "{body}");
}
