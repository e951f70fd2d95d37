//! 总览: the figures of the dashboard, computed in the database.

use crate::{Result, Store};
use chainforce_domain::Amount;
use chainforce_domain::project::{ProjectState, Stage};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, Default)]
pub struct StageCount {
    pub stage: Option<Stage>,
    pub projects: i64,
    pub investment: Amount,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Overview {
    /// Active projects per stage, in the road's order.
    pub per_stage: Vec<StageCount>,
    pub active_projects: i64,
    pub paused_or_terminated: i64,
    /// 签约 / 落地 / 开工 investment totals (万元) of active projects at or past that stage.
    pub signed_investment: Amount,
    pub landed_investment: Amount,
    pub started_investment: Amount,
    pub open_problems: i64,
}

impl Store {
    pub async fn overview(&self, region_id: i64) -> Result<Overview> {
        // One query for every figure: the page is the county's front door. Problems belong to
        // projects, so a region without project rows has no open problem either.
        let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT stage, state, COUNT(*), CAST(COALESCE(SUM(total_investment_yuan), 0) AS BIGINT), \
             (SELECT COUNT(*) FROM problems pr JOIN projects p ON p.id = pr.project_id WHERE p.region_id = $1 AND pr.status <> 'solved') \
             FROM projects WHERE region_id = $1 GROUP BY stage, state",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let active = |state: &str| state == ProjectState::Active.code();
        let mut o = Overview::default();
        for stage in Stage::ALL {
            let (n, sum) = rows
                .iter()
                .find(|(code, state, ..)| code == stage.code() && active(state))
                .map(|(_, _, n, s, _)| (*n, Amount::from_raw(*s)))
                .unwrap_or((0, Amount::ZERO));
            o.per_stage.push(StageCount {
                stage: Some(*stage),
                projects: n,
                investment: sum,
            });
            o.active_projects += n;
            if stage.is_signed() {
                o.signed_investment = o.signed_investment.saturating_add(sum);
            }
            if stage.is_landed() {
                o.landed_investment = o.landed_investment.saturating_add(sum);
            }
            if stage.is_started() {
                o.started_investment = o.started_investment.saturating_add(sum);
            }
        }
        o.paused_or_terminated = rows.iter().filter(|(_, state, ..)| !active(state)).map(|r| r.2).sum();
        o.open_problems = rows.first().map(|r| r.4).unwrap_or(0);
        Ok(o)
    }
}
