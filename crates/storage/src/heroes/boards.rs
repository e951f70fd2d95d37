//! What the ranking and share boards are counted from, read live: tasks with their deadlines
//! and finishes, problems with their assignment, solution and rating, projects with their
//! milestone dates.
//!
//! **A task's deadline** is the one the 红黄绿 status uses: its latest finish in the backward
//! schedule (倒排工期, which already honours its 完成时限), else its 完成时限. Recording an actual
//! finish pins a task's stored dates to what happened, so for a finished task the latest finish
//! is taken from the plan — the project's schedule computed as if nothing had been done yet —
//! and a task finished late is judged late however long ago it finished.
//!
//! **Meeting assignments (会议交办事项)**: the meetings module is being built in parallel. Until
//! it records assignments, the problems the office assigns (交办) to a unit with a deadline
//! stand in for them ([`RankingRows::assignments`] is the one place to change when it does).

use super::china_date;
use crate::row::RowExt;
use crate::schedule::{TaskRowTuple, build_inputs};
use crate::{Result, Store};
use chainforce_domain::Amount;
use chainforce_domain::calendar::Calendar;
use chainforce_domain::org::UnitKind;
use chainforce_domain::project::Stage;
use chainforce_domain::ranking::{
    AssignmentOutcome, Outcomes, Period, ProblemOutcome, ProjectMilestones, RankedUnit, RatingOutcome, TaskOutcome,
    working_days_after, working_days_late,
};
use chainforce_domain::schedule::{self, Anchor};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Which units a board ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardUnits {
    /// Departments, parks, utilities and other units (单位).
    Units,
    /// Townships (乡镇), ranked among themselves.
    Townships,
}

impl BoardUnits {
    pub fn includes(self, kind: UnitKind) -> bool {
        (kind == UnitKind::Township) == (self == BoardUnits::Townships)
    }
}

/// A task of an active project as the boards read it.
struct ActiveTask {
    id: i64,
    project_id: i64,
    unit_id: Option<i64>,
    name: String,
    project_name: String,
    target_start: Option<NaiveDate>,
    duration: i64,
    deadline: Option<NaiveDate>,
    start_no_earlier: Option<String>,
    late_finish: Option<NaiveDate>,
    actual_finish: Option<NaiveDate>,
}

struct TaskRow {
    unit_id: i64,
    task_id: i64,
    title: String,
    deadline: NaiveDate,
    finished_on: Option<NaiveDate>,
}

struct ProblemRow {
    unit_id: i64,
    problem_id: i64,
    title: String,
    assigned_on: NaiveDate,
    deadline: Option<NaiveDate>,
    solved_on: Option<NaiveDate>,
    rating: Option<i64>,
    rating_comment: Option<String>,
    enterprise_id: Option<i64>,
}

/// The live rows of a region, loaded once and counted for as many periods as a page needs.
pub struct RankingRows {
    tasks: Vec<TaskRow>,
    problems: Vec<ProblemRow>,
}

impl Store {
    /// The active units a board ranks, by name.
    pub async fn board_units(&self, region_id: i64, which: BoardUnits) -> Result<Vec<RankedUnit>> {
        let mut units: Vec<RankedUnit> = self
            .units(region_id)
            .await?
            .into_iter()
            .filter(|u| u.active && which.includes(u.kind))
            .map(|u| RankedUnit {
                unit_id: u.id,
                name: u.name,
            })
            .collect();
        units.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(units)
    }

    /// The tasks of active projects that have a responsible unit and a deadline, and the
    /// problems assigned to a unit.
    pub async fn ranking_rows(&self, region_id: i64) -> Result<RankingRows> {
        // Every task of the active projects, in schedule order: the ones with a unit are ranked,
        // and all of them make up the plans the finished ones are judged against.
        let rows = sqlx::query(
            "SELECT t.id, t.project_id, t.responsible_unit_id, t.name, p.name AS project_name, p.target_start, t.duration_days, \
             t.deadline, t.start_no_earlier, t.late_finish, t.actual_finish FROM tasks t JOIN projects p ON p.id = t.project_id \
             WHERE p.region_id = $1 AND p.state = 'active' ORDER BY t.project_id, t.sort_order, t.id",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut all = Vec::with_capacity(rows.len());
        for r in &rows {
            all.push(ActiveTask {
                id: r.i64("id")?,
                project_id: r.i64("project_id")?,
                unit_id: r.opt_i64("responsible_unit_id")?,
                name: r.text("name")?,
                project_name: r.text("project_name")?,
                target_start: r.date("target_start")?,
                duration: r.i64("duration_days")?,
                deadline: r.date("deadline")?,
                start_no_earlier: r.opt_text("start_no_earlier")?,
                late_finish: r.date("late_finish")?,
                actual_finish: r.date("actual_finish")?,
            });
        }
        let planned = self.planned_finishes(region_id, &all).await?;
        let tasks = all
            .iter()
            .filter_map(|t| {
                let scheduled = match t.actual_finish {
                    Some(_) => planned.get(&t.id).copied(),
                    None => t.late_finish,
                };
                Some(TaskRow {
                    unit_id: t.unit_id?,
                    task_id: t.id,
                    title: format!("{} · {}", t.project_name, t.name),
                    deadline: scheduled.or(t.deadline)?,
                    finished_on: t.actual_finish,
                })
            })
            .collect();
        let rows = sqlx::query(
            "SELECT pr.id, pr.assigned_unit_id, pr.title, p.name AS project_name, pr.assigned_at, pr.deadline, pr.solved_at, \
             pr.rating, pr.rating_comment, COALESCE(pr.raised_by_enterprise_id, p.enterprise_id) AS enterprise_id \
             FROM problems pr JOIN projects p ON p.id = pr.project_id \
             WHERE p.region_id = $1 AND pr.assigned_unit_id IS NOT NULL AND pr.assigned_at IS NOT NULL ORDER BY pr.id",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut problems = Vec::with_capacity(rows.len());
        for r in &rows {
            let Some(assigned_on) = china_date(&r.text("assigned_at")?) else {
                continue;
            };
            problems.push(ProblemRow {
                unit_id: r.i64("assigned_unit_id")?,
                problem_id: r.i64("id")?,
                title: format!("{} · {}", r.text("project_name")?, r.text("title")?),
                assigned_on,
                deadline: r.date("deadline")?,
                solved_on: r.opt_text("solved_at")?.as_deref().and_then(china_date),
                rating: r.opt_i64("rating")?,
                rating_comment: r.opt_text("rating_comment")?,
                enterprise_id: r.opt_i64("enterprise_id")?,
            });
        }
        Ok(RankingRows { tasks, problems })
    }

    /// The latest finish of the tasks of projects with finished work, in the plan: the backward
    /// schedule from the project's target start with no actual dates pinned. Projects without a
    /// target have no plan to hold a finished task to (their tasks fall back on 完成时限).
    async fn planned_finishes(&self, region_id: i64, tasks: &[ActiveTask]) -> Result<HashMap<i64, NaiveDate>> {
        let calendar = self.calendar(region_id).await?;
        let deps: Vec<(i64, i64, i64, String, i64)> = sqlx::query_as(
            "SELECT t.project_id, d.task_id, d.predecessor_id, d.kind, d.lag_days FROM task_dependencies d \
             JOIN tasks t ON t.id = d.task_id JOIN projects p ON p.id = t.project_id WHERE p.region_id = $1 AND p.state = 'active'",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut deps_of: HashMap<i64, Vec<(i64, i64, String, i64)>> = HashMap::new();
        for (project, task, pred, kind, lag) in deps {
            deps_of.entry(project).or_default().push((task, pred, kind, lag));
        }
        let mut out = HashMap::new();
        // The tasks come ordered by project.
        for project in tasks.chunk_by(|a, b| a.project_id == b.project_id) {
            let Some(target) = project[0].target_start else {
                continue;
            };
            if project.iter().all(|t| t.actual_finish.is_none()) {
                continue;
            }
            let rows: Vec<TaskRowTuple> = project
                .iter()
                .map(|t| {
                    let deadline = t.deadline.map(|d| d.to_string());
                    (
                        t.id,
                        t.name.clone(),
                        t.duration,
                        deadline,
                        t.start_no_earlier.clone(),
                        None,
                        None,
                    )
                })
                .collect();
            let deps = deps_of.get(&project[0].project_id).map_or(&[][..], Vec::as_slice);
            let inputs = build_inputs(&rows, deps);
            // The stored schedule of the same network computed, so this cannot fail on a cycle;
            // if it ever does, the tasks fall back on 完成时限 rather than failing the board.
            let Ok((network, plan)) = schedule::schedule(&inputs, &calendar, Anchor::Backward { target, start: None })
            else {
                continue;
            };
            for (i, id) in network.ids().iter().enumerate() {
                out.insert(id.id, plan.task(i).late_finish);
            }
        }
        Ok(out)
    }

    /// Every project that is not terminated, with the first day it was known to be signed,
    /// landed (land supplied or later) and started. A project entered at a later stage has no
    /// date for the stages it skipped; the earliest later date stands for them.
    pub async fn project_milestones(&self, region_id: i64) -> Result<Vec<ProjectMilestones>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.township_id, p.lead_unit_id, p.total_investment_yuan, d.stage, d.actual_date \
             FROM projects p LEFT JOIN project_stage_dates d ON d.project_id = p.id AND d.actual_date IS NOT NULL \
             WHERE p.region_id = $1 AND p.state <> 'terminated' ORDER BY p.id",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut out: Vec<ProjectMilestones> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for r in &rows {
            let id = r.i64("id")?;
            let i = *index.entry(id).or_insert_with(|| out.len());
            if i == out.len() {
                out.push(ProjectMilestones {
                    project_id: id,
                    name: r.text("name")?,
                    township_id: r.opt_i64("township_id")?,
                    lead_unit_id: r.opt_i64("lead_unit_id")?,
                    investment: r.amount("total_investment_yuan")?.unwrap_or(Amount::ZERO),
                    signed_on: None,
                    landed_on: None,
                    started_on: None,
                });
            }
            let (Some(stage), Some(date)) = (r.opt_text("stage")?, r.date("actual_date")?) else {
                continue;
            };
            let Some(stage) = Stage::parse(&stage) else { continue };
            let p = &mut out[i];
            let earliest = |slot: &mut Option<NaiveDate>| *slot = Some(slot.map_or(date, |d| d.min(date)));
            if stage.is_signed() {
                earliest(&mut p.signed_on);
            }
            if stage.is_landed() {
                earliest(&mut p.landed_on);
            }
            if stage.is_started() {
                earliest(&mut p.started_on);
            }
        }
        Ok(out)
    }
}

impl RankingRows {
    /// The outcomes a board of `period` counts, as of the earlier of the period's last day and
    /// `today`, with working days on the region's calendar. Rows the board would skip (due in
    /// another period, solved in another period) are left out here already, so a page showing
    /// several periods does not count every row for each.
    pub fn outcomes(&self, period: Period, today: NaiveDate, calendar: &Calendar) -> Outcomes {
        let count_date = period.end().min(today);
        let tasks = self
            .tasks
            .iter()
            .filter(|t| period.contains(t.deadline))
            .map(|t| TaskOutcome {
                unit_id: t.unit_id,
                task_id: t.task_id,
                title: t.title.clone(),
                deadline: t.deadline,
                finished_on: t.finished_on,
                overdue_working_days: working_days_late(t.deadline, t.finished_on, count_date, calendar),
            })
            .collect();
        let problems = self
            .problems
            .iter()
            .filter(|p| match p.solved_on {
                Some(s) => period.contains(s),
                None => p.assigned_on <= count_date,
            })
            .map(|p| ProblemOutcome {
                unit_id: p.unit_id,
                problem_id: p.problem_id,
                title: p.title.clone(),
                assigned_on: p.assigned_on,
                deadline: p.deadline,
                solved_on: p.solved_on,
                working_days: working_days_after(p.assigned_on, p.solved_on.unwrap_or(count_date), calendar),
            })
            .collect();
        let ratings = self
            .problems
            .iter()
            .filter(|p| p.solved_on.is_some_and(|s| period.contains(s)))
            .filter_map(|p| {
                Some(RatingOutcome {
                    unit_id: p.unit_id,
                    rating_id: p.problem_id,
                    rated_on: p.solved_on?,
                    stars: p.rating?,
                    enterprise_id: p.enterprise_id,
                    comment: p.rating_comment.clone().unwrap_or_default(),
                })
            })
            .collect();
        Outcomes {
            tasks,
            problems,
            ratings,
            assignments: self.assignments(period),
        }
    }

    /// 会议交办事项: for now the problems assigned with a deadline (see the module note).
    fn assignments(&self, period: Period) -> Vec<AssignmentOutcome> {
        self.problems
            .iter()
            .filter(|p| p.deadline.is_some_and(|d| period.contains(d)))
            .filter_map(|p| {
                Some(AssignmentOutcome {
                    unit_id: p.unit_id,
                    assignment_id: p.problem_id,
                    title: p.title.clone(),
                    meeting_id: None,
                    deadline: p.deadline?,
                    closed_on: p.solved_on,
                })
            })
            .collect()
    }
}
