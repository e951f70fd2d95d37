//! `serve --demo`: a fictional county (示例数据) with units, enterprises, projects along the
//! lithium chain at every stage, their approval tasks scheduled backward from each project's
//! target start (some done, some due, some overdue), a few problems, and one user per role.
//!
//! The names come from `data/demo/county.json`; `--scale N` repeats them to N projects with the
//! same shape. Everything is generated from a fixed seed, so two runs on the same day agree.

use anyhow::{Context, Result};
use chainforce_domain::credit_code::check_character;
use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::{RegionLevel, UnitForm, UserForm};
use chainforce_domain::problem::ProblemForm;
use chainforce_domain::project::{ProjectForm, Stage};
use chainforce_domain::task::{ProgressReport, TaskProgress};
use chainforce_storage::problems::RaisedBy;
use chainforce_storage::tasks::TaskFilter;
use chainforce_storage::{AuditActor, Store};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

mod battlemap;
mod chains;
mod heroes;
mod pipeline;
mod resources;

const COUNTY: &str = include_str!("../../../data/demo/county.json");
#[cfg(test)]
const LITHIUM_CHAIN: &str = include_str!("../../../data/chains/lithium.json");
/// The demo leader account's display name: one of the county's 包挂领导, so that its 包挂领导 view
/// lists the projects that name it.
const DEMO_LEADER: &str = "张县长";

#[derive(Deserialize)]
struct County {
    county: String,
    units: Vec<UnitSpec>,
    enterprises: Vec<String>,
    leaders: Vec<String>,
    projects: Vec<ProjectSpec>,
    problems: Vec<ProblemSpec>,
}

#[derive(Deserialize)]
struct UnitSpec {
    name: String,
    kind: String,
}

#[derive(Deserialize)]
struct ProjectSpec {
    name: String,
    enterprise: usize,
    node: String,
    township: usize,
    stage: String,
    investment: String,
    land: String,
}

#[derive(Deserialize)]
struct ProblemSpec {
    project: usize,
    title: String,
    description: String,
}

#[cfg(test)]
#[allow(dead_code)] // the test reads what it checks
#[derive(Deserialize)]
struct ChainFile {
    name: String,
    nodes: Vec<ChainNodeSpec>,
    edges: Vec<ChainEdgeSpec>,
}

#[cfg(test)]
#[allow(dead_code)] // the test reads what it checks
#[derive(Deserialize)]
struct ChainNodeSpec {
    code: String,
    name: String,
    stage: String,
}

#[cfg(test)]
#[allow(dead_code)] // the test reads what it checks
#[derive(Deserialize)]
struct ChainEdgeSpec {
    from: String,
    to: String,
    #[serde(default)]
    recycling: bool,
}

/// A small deterministic generator (the demo must look the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A valid 统一社会信用代码 for the n-th fictional enterprise.
fn credit_code(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = String::from("91369999MA");
    let mut x = n + 1000;
    let mut digits = Vec::new();
    for _ in 0..7 {
        digits.push(ALPHABET[x % 31] as char);
        x /= 31;
    }
    body.extend(digits.iter().rev());
    let check = check_character(&body).expect("alphabet characters only");
    format!("{body}{check}")
}

/// The demo's sign-in accounts: (username, role, display name, password).
pub struct DemoUser {
    pub username: &'static str,
    pub role: &'static str,
    pub password: String,
}

/// Fills an empty database with the demo county and prints the accounts. Returns the county id.
pub async fn load(store: &Store, scale: usize) -> Result<i64> {
    let county: County = serde_json::from_str(COUNTY).context("data/demo/county.json")?;
    let today = chainforce_storage::clock::today();
    let system = AuditActor::system("demo");
    let mut rng = Lcg(20221);

    let mut tx = store.begin(&system).await?;
    let region = tx
        .create_region(None, RegionLevel::County, Some("369999"), &county.county)
        .await?;
    tx.seed_templates().await?;
    // The shipped lithium chain with every node's detail (English name, by-product, capacity).
    tx.create_chain_from_spec(region, chainforce_domain::chain::Chain::lithium().spec())
        .await?;
    let mut unit_ids = Vec::new();
    for u in &county.units {
        let d = UnitForm {
            name: u.name.clone(),
            kind: u.kind.clone(),
            contact_person: String::new(),
            phone: String::new(),
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("demo unit {}: {e}", u.name))?;
        unit_ids.push((tx.create_unit(region, &d).await?, u.kind.clone(), u.name.clone()));
    }
    let townships: Vec<i64> = unit_ids
        .iter()
        .filter(|(_, k, _)| k == "township")
        .map(|(id, _, _)| *id)
        .collect();
    let fgw = unit_ids
        .iter()
        .find(|(_, _, n)| n.contains("发改委"))
        .map(|(id, _, _)| *id)
        .context("demo has a 发改委")?;
    let enterprise_count = county.enterprises.len().max(scale * 6 / 5);
    let mut enterprise_ids = Vec::new();
    for i in 0..enterprise_count {
        let base = &county.enterprises[i % county.enterprises.len()];
        let name = if i < county.enterprises.len() {
            base.clone()
        } else {
            format!("{base}（{}）", i / county.enterprises.len() + 1)
        };
        let f = EnterpriseForm {
            name,
            credit_code: credit_code(i),
            legal_person: "（示例）".into(),
            above_scale: if i % 3 == 0 { "1".into() } else { String::new() },
            ..Default::default()
        };
        let d = f.validate().map_err(|e| anyhow::anyhow!("demo enterprise: {e}"))?;
        enterprise_ids.push(tx.create_enterprise(region, &d).await?);
    }
    tx.commit().await?;

    let node_ids: std::collections::HashMap<String, i64> = store
        .chain_nodes(region)
        .await?
        .into_iter()
        .map(|n| (n.code, n.id))
        .collect();
    let template = store
        .templates()
        .await?
        .into_iter()
        .next()
        .context("the built-in template")?
        .parse()?;
    let mut project_ids = Vec::new();
    for i in 0..scale {
        let spec = &county.projects[i % county.projects.len()];
        let round = i / county.projects.len();
        let name = if round == 0 {
            spec.name.clone()
        } else {
            format!("{}（{}期）", spec.name, round + 1)
        };
        let stage = Stage::parse(&spec.stage).context("demo stage")?;
        // Projects not yet started aim at a start date ahead; started ones started in the past.
        let target = if stage < Stage::Started {
            today + Duration::days(20 + rng.below(150) as i64)
        } else {
            today - Duration::days(30 + rng.below(400) as i64)
        };
        let enterprise = enterprise_ids[(spec.enterprise + round * county.projects.len()) % enterprise_ids.len()];
        let f = ProjectForm {
            name,
            code: if stage >= Stage::Filed {
                format!("2026-369999-{:02}-03-{:06}", 30 + i % 10, 100000 + i)
            } else {
                String::new()
            },
            enterprise_id: enterprise.to_string(),
            chain_node_id: node_ids.get(&spec.node).map(|n| n.to_string()).unwrap_or_default(),
            township_id: townships[spec.township % townships.len()].to_string(),
            lead_unit_id: fgw.to_string(),
            leader: county.leaders[i % county.leaders.len()].clone(),
            nature: "new".into(),
            total_investment: spec.investment.clone(),
            land_area: spec.land.clone(),
            stage: spec.stage.clone(),
            target_start: target.to_string(),
            ..Default::default()
        };
        let d = f
            .validate()
            .map_err(|e| anyhow::anyhow!("demo project {}: {e}", spec.name))?;
        // Created as a ledger import would create it: a 线索 moved along its road, one dated stage
        // change per stage reached, by the stage rules, each in the project's stage history.
        let mut at = today - Duration::days(200 + rng.below(200) as i64);
        let road: Vec<(Stage, NaiveDate, String)> = Stage::ALL
            .iter()
            .filter(|s| **s > Stage::Lead && **s <= stage)
            .map(|s| {
                at += Duration::days(10 + rng.below(40) as i64);
                (*s, at.min(today), format!("{}_on", s.code()))
            })
            .collect();
        let mut tx = store.begin(&system).await?;
        let id = tx.create_project_along(region, &d, &road, today).await?;
        if stage >= Stage::Signed {
            tx.apply_template(id, &template).await?;
        }
        tx.commit().await?;
        project_ids.push((id, stage));
    }

    // Report progress as the units would have: work whose latest finish has passed is mostly
    // done (about one in eight is not: those are the red ones), work under way has started.
    for (project_id, stage) in &project_ids {
        let tasks = store
            .tasks(
                region,
                &TaskFilter {
                    project_id: Some(*project_id),
                    ..Default::default()
                },
            )
            .await?;
        let mut tx = store.begin(&system).await?;
        for t in tasks {
            let (Some(ls), Some(lf)) = (t.schedule.late_start, t.schedule.late_finish) else {
                continue;
            };
            // A project that has started has all its approvals; one still in preparation has
            // most of the work whose latest finish has passed done (about one in ten is not:
            // those are the red ones), and some of the work under way started.
            let done = lf < today && (*stage >= Stage::Started || rng.below(10) != 0);
            let report = if done {
                Some(ProgressReport {
                    progress: TaskProgress::Done,
                    actual_start: Some(ls.min(today)),
                    actual_finish: Some(lf),
                    note: Some("已完成（示例）".into()),
                })
            } else if ls <= today && lf >= today && rng.below(2) == 0 {
                Some(ProgressReport {
                    progress: TaskProgress::InProgress,
                    actual_start: Some(ls),
                    actual_finish: None,
                    note: Some("正在办理（示例）".into()),
                })
            } else {
                None
            };
            if let Some(r) = report {
                tx.report_task_progress(t.id, t.version, &r).await?;
            }
        }
        tx.commit().await?;
    }

    let mut users = create_users(store, region, fgw, enterprise_ids[1]).await?;
    let mut tx = store.begin(&system).await?;
    for (i, p) in county.problems.iter().enumerate() {
        let Some((project_id, _)) = project_ids.get(p.project) else {
            continue;
        };
        let d = ProblemForm {
            title: p.title.clone(),
            description: p.description.clone(),
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let id = tx.raise_problem(*project_id, &d, RaisedBy::default()).await?;
        if i < 3 {
            let deadline = if i == 0 {
                today - Duration::days(3)
            } else {
                today + Duration::days(7 * i as i64)
            };
            tx.assign_problem(id, 1, fgw, deadline).await?;
        }
    }
    tx.commit().await?;
    heroes::load(store, region, &enterprise_ids, &townships, fgw, today).await?;
    battlemap::load(store, region, scale > county.projects.len(), DEMO_LEADER, today).await?;
    chains::load(store, region, &enterprise_ids, today).await?;
    pipeline::load(store, &project_ids, today).await?;
    users.extend(resources::load(store, region, &enterprise_ids, today).await?);

    println!(
        "\n  演示数据（示例县，虚构）/ demo county (fictional): {} 个项目 projects",
        project_ids.len()
    );
    println!("  账号 accounts (用户名 / 密码):");
    for u in &users {
        println!("    {:<10} {:<11} {}", u.role, u.username, u.password);
    }
    println!();
    Ok(region)
}

/// One account per role; passwords from CHAINFORCE_DEMO_PASSWORD or generated.
async fn create_users(store: &Store, region: i64, unit_id: i64, enterprise_id: i64) -> Result<Vec<DemoUser>> {
    let fixed = std::env::var("CHAINFORCE_DEMO_PASSWORD").ok().filter(|p| !p.is_empty());
    let specs: [(&str, &str, &str); 5] = [
        ("office", "admin", "专班办公室（示例）"),
        ("leader", "leader", DEMO_LEADER),
        ("fgw", "unit", "发改委经办人（示例）"),
        ("company", "enterprise", "企业联系人（示例）"),
        ("viewer", "viewer", "观察员（示例）"),
    ];
    let mut out = Vec::new();
    let mut tx = store.begin(&AuditActor::system("demo")).await?;
    for (username, role, name) in specs {
        let password = fixed.clone().unwrap_or_else(chainforce_web::auth::random_password);
        let f = UserForm {
            username: username.into(),
            display_name: name.into(),
            role: role.into(),
            unit_id: unit_id.to_string(),
            enterprise_id: enterprise_id.to_string(),
            password: password.clone(),
        };
        let d = f
            .validate(true)
            .map_err(|e| anyhow::anyhow!("demo user {username}: {e}"))?;
        let hash = chainforce_web::auth::hash_password_async(password.clone()).await;
        tx.create_user(region, &d, &hash).await?;
        out.push(DemoUser {
            username,
            role,
            password,
        });
    }
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_credit_codes_are_valid_and_distinct() {
        let codes: std::collections::HashSet<String> = (0..500).map(credit_code).collect();
        assert_eq!(codes.len(), 500);
        for c in &codes {
            chainforce_domain::CreditCode::parse(c).unwrap();
        }
    }

    #[test]
    fn the_demo_data_files_parse() {
        let c: County = serde_json::from_str(COUNTY).unwrap();
        assert!(c.units.len() >= 12 && c.enterprises.len() >= 30 && c.projects.len() >= 25);
        let chain: ChainFile = serde_json::from_str(LITHIUM_CHAIN).unwrap();
        for p in &c.projects {
            assert!(
                chain.nodes.iter().any(|n| n.code == p.node),
                "unknown chain node {}",
                p.node
            );
            assert!(Stage::parse(&p.stage).is_some(), "unknown stage {}", p.stage);
        }
    }
}
