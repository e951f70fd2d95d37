//! 挂图作战 and the 包挂领导 view: what the battle map and a leader's page read.
//!
//! The map reads in two queries whatever the county's size — the projects and all their stage
//! dates, filtered the same way, never one query per project — and takes the tasks from the board
//! held in memory.

use crate::projects::{Project, StageDate};
use crate::sql::Sql;
use crate::tasks::Task;
use crate::{Result, Store, StoreError};
use chainforce_domain::battlemap::MapFilter;
use chainforce_domain::problem::ProblemStatus;
use chainforce_domain::project::Stage;
use chrono::NaiveDate;

/// Everything the battle map draws: active projects matching the filter, their tasks (only the
/// filtered unit's when a unit is chosen) in project and sort order, and their stage dates.
#[derive(Debug, Clone, Default)]
pub struct MapData {
    pub projects: Vec<Project>,
    pub tasks: Vec<Task>,
    /// (project id, stage date).
    pub stage_dates: Vec<(i64, StageDate)>,
}

/// A stage date as the map's JSON read carries it: project, stage code, planned, actual, by, at.
#[derive(serde::Deserialize)]
struct StageDateRow(i64, String, Option<NaiveDate>, Option<NaiveDate>, Option<i64>, String);

/// The filter's conditions on `p` (the projects table), shared by the three queries.
fn push_filter(sql: &mut Sql, region_id: i64, f: &MapFilter) {
    sql.push(" WHERE p.region_id = ").bind(region_id);
    sql.push(" AND p.state = 'active'");
    if let Some(id) = f.township_id {
        sql.push(" AND p.township_id = ").bind(id);
    }
    if let Some(id) = f.chain_node_id {
        sql.push(" AND p.chain_node_id = ").bind(id);
    }
    if let Some(s) = f.stage {
        sql.push(" AND p.stage = ").bind(s.code());
    }
    if let Some(l) = f.leader.as_deref() {
        sql.push(" AND p.leader = ").bind(l);
    }
    if let Some(u) = f.unit_id {
        sql.push(" AND EXISTS (SELECT 1 FROM tasks mt WHERE mt.project_id = p.id AND mt.responsible_unit_id = ")
            .bind(u)
            .push(")");
    }
}

impl Store {
    /// The battle map's data for `f`.
    pub async fn battle_map(&self, region_id: i64, f: &MapFilter) -> Result<MapData> {
        let mut sql = Sql::new(crate::projects::SELECT);
        push_filter(&mut sql, region_id, f);
        sql.push(" ORDER BY p.name, p.id");
        let rows = sql.query().fetch_all(&self.read).await?;
        let projects: Vec<Project> = rows.iter().map(crate::projects::from_row).collect::<Result<_, _>>()?;

        // The tasks come from the board held in memory (see `board`): the projects chosen above,
        // only the filtered unit's tasks when a unit is chosen.
        let chosen: std::collections::HashSet<i64> = projects.iter().map(|p| p.id).collect();
        let board = self.board(region_id).await?;
        let tasks: Vec<Task> = board
            .tasks()
            .filter(|b| chosen.contains(&b.task.project_id))
            .filter(|b| f.unit_id.is_none_or(|u| b.task.responsible_unit_id == Some(u)))
            .map(|b| b.task.clone())
            .collect();

        // Eight stage dates a project: thousands of rows in a county, read as one JSON value.
        let mut sql = Sql::select_json(
            self,
            "d.project_id, d.stage, d.planned_date, d.actual_date, d.recorded_by, d.recorded_at",
            "FROM project_stage_dates d JOIN projects p ON p.id = d.project_id",
        );
        push_filter(&mut sql, region_id, f);
        let rows: Vec<StageDateRow> = sql.json_rows(&self.read).await?;
        let stage_dates = rows
            .into_iter()
            .map(
                |StageDateRow(project_id, stage, planned, actual, recorded_by, recorded_at)| {
                    let stage = Stage::parse(&stage)
                        .ok_or_else(|| StoreError::Corrupt(format!("project {project_id}: unknown stage '{stage}'")))?;
                    Ok((
                        project_id,
                        StageDate {
                            stage,
                            planned,
                            actual,
                            recorded_by,
                            recorded_at,
                        },
                    ))
                },
            )
            .collect::<Result<_>>()?;
        Ok(MapData {
            projects,
            tasks,
            stage_dates,
        })
    }

    /// The 包挂领导 named on the county's active projects, in name order.
    pub async fn project_leaders(&self, region_id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT leader FROM projects WHERE region_id = $1 AND state = 'active' AND leader IS NOT NULL \
             AND leader <> '' ORDER BY leader",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|(l,)| l).collect())
    }

    /// The open problems on the active projects `leader` is in charge of (包挂), oldest first:
    /// each waits on someone else — the office to assign it, a unit to answer, the enterprise to
    /// confirm.
    pub async fn leader_problems(&self, region_id: i64, leader: &str) -> Result<Vec<crate::problems::Problem>> {
        let mut sql = Sql::new(crate::problems::SELECT);
        sql.push(" WHERE p.region_id = ")
            .bind(region_id)
            .push(" AND p.state = 'active' AND p.leader = ")
            .bind(leader)
            .push(" AND pr.status <> ")
            .bind(ProblemStatus::Solved.code())
            .push(" ORDER BY pr.created_at, pr.id");
        let rows = sql.query().fetch_all(&self.read).await?;
        Ok(rows.iter().map(crate::problems::from_row).collect::<Result<_, _>>()?)
    }
}
