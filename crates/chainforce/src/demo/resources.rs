//! The demo's 好资源配给好东家 (示例数据, fictional): four deposits in the ledger, a published
//! allocation round — three applications, a five-expert panel with one conflict declared, the
//! decision with its reasons — whose commitments are one on track and one behind (an alert), and
//! a second round open for applications that the demo `expert` account is asked to review.

use super::DemoUser;
use anyhow::{Result, anyhow};
use chainforce_domain::allocation::{
    ApplicationForm, DepositForm, ProgressForm, RoundForm, RoundState, ViolationForm, default_panel_criteria,
};
use chainforce_domain::org::UserForm;
use chainforce_storage::resources::allocation_chain;
use chainforce_storage::{AuditActor, Store};
use chrono::{Duration, NaiveDate};

fn err(what: &str) -> impl Fn(chainforce_domain::ValidationErrors) -> anyhow::Error + '_ {
    move |e| anyhow!("demo {what}: {e}")
}

/// Loads the resource demo; returns the printed `expert` account.
pub async fn load(store: &Store, region: i64, enterprises: &[i64], today: NaiveDate) -> Result<Vec<DemoUser>> {
    if enterprises.len() < 3 {
        return Ok(Vec::new());
    }
    let system = AuditActor::system("demo");
    let chain = allocation_chain();
    let mut tx = store.begin(&system).await?;

    let deposit =
        |name: &str, place: &str, ore: &str, ore_t: &str, grade: &str, stated: &str, annual: &str| DepositForm {
            name: name.into(),
            place: place.into(),
            ore_type: ore.into(),
            category: "indicated".into(),
            ore_t: ore_t.into(),
            li2o_grade_pct: grade.into(),
            stated_li2o_t: stated.into(),
            annual_output_t_ore: annual.into(),
            ..Default::default()
        };
    let mut deposits = Vec::new();
    for f in [
        deposit(
            "示范瓷土矿（示例）",
            "岑阳镇",
            "porcelain_clay",
            "100000000",
            "0.35",
            "",
            "3000000",
        ),
        deposit(
            "东岭锂云母矿（示例）",
            "东岭镇",
            "lepidolite",
            "20000000",
            "0.45",
            "",
            "1000000",
        ),
        deposit("松岗钽铌矿伴生锂（示例）", "松岗乡", "lepidolite", "", "", "60380", ""),
        deposit("示例锂辉石探矿权", "岑阳镇", "spodumene", "2000000", "1.2", "", ""),
    ] {
        let d = f.validate().map_err(err("deposit"))?;
        deposits.push(tx.create_deposit(region, &d).await?);
    }

    // Five experts: `expert` (printed) and four colleagues.
    let fixed = std::env::var("CHAINFORCE_DEMO_PASSWORD").ok().filter(|p| !p.is_empty());
    let mut experts = Vec::new();
    let mut printed = Vec::new();
    for (i, username) in ["expert", "expert2", "expert3", "expert4", "expert5"]
        .into_iter()
        .enumerate()
    {
        let password = fixed.clone().unwrap_or_else(chainforce_web::auth::random_password);
        let f = UserForm {
            username: username.into(),
            display_name: format!("评审专家{}（示例）", i + 1),
            role: "expert".into(),
            password: password.clone(),
            ..Default::default()
        };
        let d = f.validate(true).map_err(err("expert"))?;
        let hash = chainforce_web::auth::hash_password_async(password.clone()).await;
        experts.push(tx.create_user(region, &d, &hash).await?);
        if i == 0 {
            printed.push(DemoUser {
                username,
                role: "expert",
                password,
            });
        }
    }

    // The published round: 8 000 t LCE a year from the clay and lepidolite mines.
    let round_form = |name: &str| RoundForm {
        name: name.into(),
        deposit_1: deposits[0].to_string(),
        amount_1: "5000".into(),
        deposit_2: deposits[1].to_string(),
        amount_2: "3000".into(),
        ..RoundForm::defaults()
    };
    let round = tx
        .create_round(
            region,
            &round_form("2026 年第一批锂资源配置（示例）")
                .validate(&chain)
                .map_err(err("round"))?,
        )
        .await?;
    tx.set_round_state(round, RoundState::Open, 1).await?;
    let start_past = (today - Duration::days(60)).to_string();
    let production = (today + Duration::days(400)).to_string();
    let application =
        |enterprise: i64, requested: &str, investment: &str, products: &str, capacity: &str, local: &str| {
            ApplicationForm {
                enterprise_id: enterprise.to_string(),
                requested: requested.into(),
                annual_revenue_wan: "1500000".into(),
                listed: "on".into(),
                industry_rank: "6".into(),
                investment_wan: investment.into(),
                products: products.into(),
                capacity: capacity.into(),
                local_processing_pct: local.into(),
                start_by: start_past.clone(),
                production_by: production.clone(),
            }
        };
    let mut apps = Vec::new();
    for f in [
        application(
            enterprises[0],
            "5000",
            "80亿元",
            "lithium_carbonate, lfp_cathode, cell, pack",
            "30",
            "85",
        ),
        application(enterprises[1], "4000", "60亿元", "cell, pack", "20", "70"),
        application(
            enterprises[2],
            "2000",
            "52亿元",
            "lithium_carbonate, lfp_cathode",
            "10",
            "90",
        ),
    ] {
        let d = f.validate(&chain).map_err(err("application"))?;
        apps.push(tx.create_application(round, &d).await?);
    }
    tx.set_panel(round, &experts).await?;
    let sheet = |total: i64| {
        default_panel_criteria()
            .into_iter()
            .map(|c| {
                (
                    c.code,
                    chainforce_domain::Amount::from_raw(c.max_points.raw() * total / 100),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let opinions = [
        "一体化程度高，建议优先配置",
        "投资强度大，需关注环评进度",
        "技术路线成熟",
        "本地加工承诺可信",
        "建议分期配置",
    ];
    for (i, x) in experts.iter().enumerate() {
        let i = i as i64;
        tx.save_sheet(apps[0], *x, &sheet(92 - 4 * i), opinions[i as usize])
            .await?;
        tx.save_sheet(apps[1], *x, &sheet(70 + 3 * i), "").await?;
        tx.save_sheet(apps[2], *x, &sheet(65 + 2 * i), "").await?;
    }
    tx.declare_conflict(apps[1], experts[4], "曾为该企业提供技术咨询")
        .await?;
    let (ent, v) = ViolationForm {
        enterprise_id: enterprises[2].to_string(),
        kind: "environment".into(),
        summary: "锂渣临时堆场未完成防渗整改（示例）".into(),
        opened_on: (today - Duration::days(90)).to_string(),
        closed_on: String::new(),
    }
    .validate()
    .map_err(err("violation"))?;
    tx.record_violation(region, ent, &v).await?;
    tx.commit().await?;

    let mut tx = store.begin(&system).await?;
    let version = store.round(round).await?.summary.version;
    tx.set_round_state(round, RoundState::Closed, version).await?;
    tx.commit().await?;
    let mut tx = store.begin(&system).await?;
    let version = store.round(round).await?.summary.version;
    let outcome = tx.publish_round(round, today, version).await?;
    // The first granted applicant started in time; the second has not started: an alert.
    if let Some(first) = outcome.decisions.iter().find(|d| d.granted.value.raw() > 0) {
        let p = ProgressForm {
            investment_to_date_wan: "150000".into(),
            started_on: (today - Duration::days(75)).to_string(),
            ..Default::default()
        }
        .validate()
        .map_err(err("progress"))?;
        tx.record_progress(first.application_id, &p).await?;
    }
    tx.commit().await?;

    // The second round, open, for the demo expert to review.
    let mut tx = store.begin(&system).await?;
    let open = tx
        .create_round(
            region,
            &round_form("2026 年第二批锂资源配置（示例）")
                .validate(&chain)
                .map_err(err("round"))?,
        )
        .await?;
    tx.set_round_state(open, RoundState::Open, 1).await?;
    let d = application(enterprises[1], "2000", "55亿元", "cell", "12", "75")
        .validate(&chain)
        .map_err(err("application"))?;
    tx.create_application(open, &d).await?;
    tx.set_panel(open, &experts[..3]).await?;
    tx.commit().await?;
    Ok(printed)
}
