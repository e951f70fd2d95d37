//! The demo's project pipeline (示例数据): an annual plan for the started projects (their road is
//! recorded as stage changes when the demo creates them) and a few months of 月度填报 — the
//! current month reported by only every other started project, so the office's "not reported"
//! list has names on it. Figures come from `data/demo/monthly.json`.

use anyhow::{Context, Result};
use chainforce_domain::Amount;
use chainforce_domain::pipeline::monthly::{MonthlyReportForm, month_of, month_text};
use chainforce_domain::project::Stage;
use chainforce_storage::{AuditActor, Store};
use chrono::{Months, NaiveDate};
use serde::Deserialize;

const MONTHLY: &str = include_str!("../../../../data/demo/monthly.json");

#[derive(Deserialize)]
struct MonthlyFile {
    months_back: u32,
    share_of_total_per_month_percent: Vec<i64>,
    progress: Vec<String>,
    annual_plan_percent_of_total: i64,
}

/// Loads the pipeline demo for the demo county's projects (id and stage reached).
pub async fn load(store: &Store, projects: &[(i64, Stage)], today: NaiveDate) -> Result<()> {
    let spec: MonthlyFile = serde_json::from_str(MONTHLY).context("data/demo/monthly.json")?;
    let system = AuditActor::system("demo");
    let this_month = month_of(today);
    let mut tx = store.begin(&system).await?;
    for (i, (id, stage)) in projects.iter().enumerate() {
        if *stage < Stage::Started {
            continue;
        }
        let p = store.project(*id).await?;
        let Some(total) = p.draft.total_investment else {
            continue;
        };
        let percent = |n: i64| Amount::from_raw(total.raw() / 100 * n);
        let mut draft = p.draft.clone();
        draft.annual_plan_investment = Some(percent(spec.annual_plan_percent_of_total));
        tx.update_project(*id, p.version, &draft).await?;
        let current = i % 2 == 0;
        for k in (if current { 0 } else { 1 })..=spec.months_back {
            let month = this_month
                .checked_sub_months(Months::new(k))
                .context("a recent month")?;
            let n = (k as usize) % spec.progress.len();
            let share = spec.share_of_total_per_month_percent[n % spec.share_of_total_per_month_percent.len()];
            let d = MonthlyReportForm {
                month: month_text(month),
                completed_investment: percent(share).to_string(),
                image_progress: spec.progress[spec.progress.len() - 1 - n].clone(),
            }
            .validate(today)
            .map_err(|e| anyhow::anyhow!("demo monthly report: {e}"))?;
            tx.submit_monthly_report(*id, 0, &d).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monthly_demo_file_parses_and_is_complete() {
        let spec: MonthlyFile = serde_json::from_str(MONTHLY).unwrap();
        assert!(spec.months_back >= 1 && !spec.progress.is_empty());
        assert!(!spec.share_of_total_per_month_percent.is_empty());
        assert!((1..=100).contains(&spec.annual_plan_percent_of_total));
    }
}
