//! The battle map's demo data (示例数据).
//!
//! * At county scale (`serve --demo --scale N` with N above the base county's projects), each
//!   project with an approval chain also gets the 开工准备 work of `data/demo/site-preparation.json`
//!   (four strands of hook-ups, land clearing and tendering, 37 tasks), so that 300 projects carry
//!   about 15,000 tasks as a real county's wall map does; progress on them is reported the way the
//!   base demo reports it (mostly done once past, about one in ten left overdue).
//! * One more problem, raised and not yet assigned, on a project of the demo leader, so the
//!   包挂领导 view shows a problem waiting on the office next to one waiting on a unit.

use anyhow::{Context, Result};
use chainforce_domain::problem::ProblemForm;
use chainforce_domain::project::Stage;
use chainforce_domain::task::{ProgressReport, TaskForm, TaskProgress};
use chainforce_storage::problems::RaisedBy;
use chainforce_storage::projects::ProjectFilter;
use chainforce_storage::tasks::TaskFilter;
use chainforce_storage::{AuditActor, Store};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

const SITE_PREPARATION: &str = include_str!("../../../../data/demo/site-preparation.json");

/// The template step the added tasks carry, so they can be told from the approval chain.
const STEP: &str = "site-preparation";

#[derive(Deserialize)]
struct PreparationFile {
    strands: Vec<Vec<StepSpec>>,
}

#[derive(Deserialize)]
struct StepSpec {
    name: String,
    owner: String,
    duration: i64,
}

/// Adds the map's demo data; `county_scale` when the demo was asked for more projects than the
/// base county has. `leader` is the demo leader account's display name.
pub async fn load(store: &Store, region: i64, county_scale: bool, leader: &str, today: NaiveDate) -> Result<()> {
    let system = AuditActor::system("demo");
    let projects = store.projects(region, &ProjectFilter::default()).await?;
    if county_scale {
        let file: PreparationFile =
            serde_json::from_str(SITE_PREPARATION).context("data/demo/site-preparation.json")?;
        let units: HashMap<String, i64> = store.units(region).await?.into_iter().map(|u| (u.name, u.id)).collect();
        let with_tasks: HashSet<i64> = store
            .tasks(region, &TaskFilter::default())
            .await?
            .into_iter()
            .map(|t| t.project_id)
            .collect();
        let mut n: u64 = 0;
        for p in projects.iter().filter(|p| with_tasks.contains(&p.id)) {
            let mut tx = store.begin(&system).await?;
            for strand in &file.strands {
                let mut previous: Option<i64> = None;
                for step in strand {
                    let unit = if step.owner == "township" {
                        p.draft.township_id
                    } else {
                        units.get(&step.owner).copied()
                    };
                    let d = TaskForm {
                        name: format!("{}（示例）", step.name),
                        responsible_unit_id: unit.map(|u| u.to_string()).unwrap_or_default(),
                        duration_days: step.duration.to_string(),
                        ..Default::default()
                    }
                    .validate()
                    .map_err(|e| anyhow::anyhow!("demo task {}: {e}", step.name))?;
                    let id = tx.create_task(p.id, &d, Some(STEP)).await?;
                    if let Some(prev) = previous {
                        let deps = tx.parse_dependencies(id, &prev.to_string())?;
                        tx.set_task_dependencies(id, &deps).await?;
                    }
                    previous = Some(id);
                }
            }
            tx.commit().await?;

            // Progress as the units would have reported it.
            let tasks = store
                .tasks(
                    region,
                    &TaskFilter {
                        project_id: Some(p.id),
                        ..Default::default()
                    },
                )
                .await?;
            let mut tx = store.begin(&system).await?;
            for t in tasks.iter().filter(|t| t.template_step.as_deref() == Some(STEP)) {
                let (Some(ls), Some(lf)) = (t.schedule.late_start, t.schedule.late_finish) else {
                    continue;
                };
                n += 1;
                let report = if lf < today && (p.draft.stage >= Stage::Started || !n.is_multiple_of(10)) {
                    Some(ProgressReport {
                        progress: TaskProgress::Done,
                        actual_start: Some(ls.min(today)),
                        actual_finish: Some(lf),
                        note: Some("已完成（示例）".into()),
                    })
                } else if ls <= today && lf >= today && n.is_multiple_of(2) {
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
    }

    if let Some(p) = projects.iter().find(|p| p.draft.leader.as_deref() == Some(leader)) {
        let d = ProblemForm {
            title: "供电线路迁改方案未定（示例）".into(),
            description: "项目用地内有一条 10kV 线路需迁改，迁改方案和费用分担尚未明确。".into(),
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tx = store.begin(&system).await?;
        tx.raise_problem(p.id, &d, RaisedBy::default()).await?;
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_preparation_file_parses_and_adds_37_tasks_a_project() {
        let f: PreparationFile = serde_json::from_str(SITE_PREPARATION).unwrap();
        assert_eq!(f.strands.iter().map(Vec::len).sum::<usize>(), 37);
        assert!(f.strands.iter().flatten().all(|s| s.duration > 0));
    }

    #[test]
    fn the_demo_leader_is_one_of_the_countys_leaders() {
        let c: super::super::County = serde_json::from_str(super::super::COUNTY).unwrap();
        assert!(c.leaders.iter().any(|l| l == super::super::DEMO_LEADER));
    }
}
