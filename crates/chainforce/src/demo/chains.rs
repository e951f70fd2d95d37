//! The demo's 产业链图谱 (示例数据): demo enterprises placed on the lithium chain's nodes so the
//! map shows strong, weak and missing nodes (the projects of `county.json` already sit on their
//! nodes), and a few investment targets (招商目标) on the missing nodes with their contacts.

use anyhow::{Context, Result};
use chainforce_domain::chain::{ContactForm, PlacementForm, TargetForm};
use chainforce_storage::{AuditActor, Store};
use chrono::{Duration, NaiveDate};

/// (enterprise index in `county.json`, node code, capacity in the node's unit or "").
const PLACEMENTS: &[(usize, &str, &str)] = &[
    // 锂云母: four miners and a concentrator — strong by count.
    (0, "lepidolite", "300000"),
    (29, "lepidolite", "200000"),
    (2, "lepidolite", ""),
    (1, "lepidolite", ""),
    // 碳酸锂: three makers — strong.
    (1, "lithium_carbonate", "20000"),
    (2, "lithium_carbonate", "15000"),
    (15, "lithium_carbonate", "5000"),
    // One or two on a node: weak.
    (28, "lithium_hydroxide", "10000"),
    (22, "cell", "10"),
    (3, "cell", "5"),
    (4, "energy_storage", ""),
    (26, "energy_storage", ""),
    (6, "anode", "20000"),
    (7, "electrolyte", "50000"),
    (19, "lipf6", "3000"),
    (8, "separator", ""),
    (9, "copper_foil", "20000"),
    (11, "structural_parts", ""),
    (12, "recycling", "30000"),
    (16, "feldspar_quartz", "100000"),
    (18, "lithium_slag", ""),
    (23, "module", ""),
];

/// (node code, name, headquarters, status, notes, contacts as (days ago, channel, summary)).
type TargetSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(i64, &'static str, &'static str)],
);

const TARGETS: &[TargetSpec] = &[
    (
        "ncm_cathode",
        "湖南某三元正极材料股份有限公司（示例）",
        "湖南长沙",
        "negotiating",
        "三元正极龙头，正在华东、华中选址新基地；可利用本地氢氧化锂和三元前驱体项目。",
        &[
            (60, "电话", "初步联系，对方对本地氢氧化锂供应感兴趣"),
            (35, "上门拜访", "专班赴长沙拜访，介绍园区和要素保障"),
            (10, "来访", "对方来县考察，商谈年产 5 万吨三元正极项目"),
        ],
    ),
    (
        "nev",
        "某新能源整车企业（示例）",
        "安徽合肥",
        "contacting",
        "整车企业，有意布局零部件和电池包配套基地。",
        &[(20, "展会", "在新能源汽车展会上接洽，交换了联系方式")],
    ),
    (
        "lithium_chloride",
        "青海某盐湖提锂科技有限公司（示例）",
        "青海西宁",
        "candidate",
        "氯化锂和金属锂工艺，可补齐本地氯化锂环节。",
        &[],
    ),
    (
        "retired_battery",
        "某动力电池回收网络有限公司（示例）",
        "广东深圳",
        "candidate",
        "退役电池回收网点运营商，可为本地回收项目供料。",
        &[],
    ),
];

pub async fn load(store: &Store, region: i64, enterprises: &[i64], today: NaiveDate) -> Result<()> {
    let system = AuditActor::system("demo");
    let chain = store
        .chains(region)
        .await?
        .into_iter()
        .next()
        .context("the demo county has the lithium chain")?;
    let stored = store.chain(chain.id).await?;
    let node = |code: &str| {
        stored
            .node_by_code(code)
            .map(|n| n.id)
            .with_context(|| format!("the lithium chain has no node {code}"))
    };
    let mut tx = store.begin(&system).await?;
    for (firm, code, capacity) in PLACEMENTS {
        let Some(enterprise) = enterprises.get(*firm) else {
            continue;
        };
        let p = PlacementForm {
            enterprise_id: enterprise.to_string(),
            capacity: capacity.to_string(),
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("demo placement: {e}"))?;
        tx.place_enterprise(region, node(code)?, &p).await?;
    }
    for (code, name, hq, status, notes, contacts) in TARGETS {
        let d = TargetForm {
            node_id: node(code)?.to_string(),
            name: name.to_string(),
            headquarters: hq.to_string(),
            contact_person: "（示例）".into(),
            notes: notes.to_string(),
            status: status.to_string(),
            ..Default::default()
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("demo target {name}: {e}"))?;
        let id = tx.create_target(region, &d).await?;
        for (days_ago, channel, summary) in *contacts {
            let k = ContactForm {
                contact_date: (today - Duration::days(*days_ago)).to_string(),
                channel: channel.to_string(),
                summary: summary.to_string(),
            }
            .validate()
            .map_err(|e| anyhow::anyhow!("demo contact: {e}"))?;
            tx.add_target_contact(region, id, &k).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
