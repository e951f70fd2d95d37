//! Tasks (任务/节点) and their dependencies.

use crate::row::{RowExt, date_text};
use crate::sql::Sql;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::task::{ProgressReport, TaskDraft, TaskProgress};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

/// A task with its computed schedule and the names lists show.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Task {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub name: String,
    pub responsible_unit_id: Option<i64>,
    pub responsible_unit_name: Option<String>,
    pub responsible_person: Option<String>,
    pub duration_days: i64,
    pub deadline: Option<NaiveDate>,
    pub start_no_earlier: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    pub progress: TaskProgress,
    pub note: Option<String>,
    pub template_step: Option<String>,
    pub sort_order: i64,
    pub schedule: TaskSchedule,
    pub version: i64,
    pub updated_at: String,
}

/// What the scheduler last computed for a task (stored with it, rewritten on every change).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TaskSchedule {
    pub early_start: Option<NaiveDate>,
    pub early_finish: Option<NaiveDate>,
    pub late_start: Option<NaiveDate>,
    pub late_finish: Option<NaiveDate>,
    pub total_float: Option<i64>,
    pub free_float: Option<i64>,
    pub critical: bool,
    pub warning: Option<String>,
}

/// One dependency edge: `task_id` depends on `predecessor_id`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TaskDependency {
    pub task_id: i64,
    pub predecessor_id: i64,
    /// `FS`, `SS`, `FF` or `SF`.
    pub kind: String,
    pub lag_days: i64,
}

pub(crate) const SELECT: &str = "SELECT t.*, p.name AS project_name, u.name AS unit_name FROM tasks t \
     JOIN projects p ON p.id = t.project_id LEFT JOIN units u ON u.id = t.responsible_unit_id";

pub(crate) fn from_row(r: &AnyRow) -> Result<Task, sqlx::Error> {
    Ok(Task {
        id: r.i64("id")?,
        project_id: r.i64("project_id")?,
        project_name: r.text("project_name")?,
        name: r.text("name")?,
        responsible_unit_id: r.opt_i64("responsible_unit_id")?,
        responsible_unit_name: r.opt_text("unit_name")?,
        responsible_person: r.opt_text("responsible_person")?,
        duration_days: r.i64("duration_days")?,
        deadline: r.date("deadline")?,
        start_no_earlier: r.date("start_no_earlier")?,
        actual_start: r.date("actual_start")?,
        actual_finish: r.date("actual_finish")?,
        progress: r.coded("progress", TaskProgress::parse)?,
        note: r.opt_text("note")?,
        template_step: r.opt_text("template_step")?,
        sort_order: r.i64("sort_order")?,
        schedule: TaskSchedule {
            early_start: r.date("early_start")?,
            early_finish: r.date("early_finish")?,
            late_start: r.date("late_start")?,
            late_finish: r.date("late_finish")?,
            total_float: r.opt_i64("total_float")?,
            free_float: r.opt_i64("free_float")?,
            critical: r.flag("critical")?,
            warning: r.opt_text("schedule_warning")?,
        },
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub project_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub open_only: bool,
    /// Only tasks of active projects (paused and terminated projects leave the boards).
    pub active_projects_only: bool,
    /// Only tasks that can be red or due by this date: latest start, latest finish or deadline on
    /// or before it (the dashboard asks for the end of the week, so it reads the few hundred
    /// tasks it can show instead of every open task of the county).
    pub due_by: Option<NaiveDate>,
}

impl TaskFilter {
    /// Whether a task on the board is in the list (dates compared as dates).
    fn selects(&self, b: &crate::board::BoardTask) -> bool {
        let t = &b.task;
        let due_by_ok = self.due_by.is_none_or(|d| {
            let start_or_finish = t.schedule.late_start.or(t.schedule.late_finish).or(t.deadline);
            let finish = t.schedule.late_finish.or(t.deadline);
            start_or_finish.is_some_and(|s| s <= d) || finish.is_some_and(|f| f <= d)
        });
        self.project_id.is_none_or(|id| t.project_id == id)
            && self.unit_id.is_none_or(|id| t.responsible_unit_id == Some(id))
            && (!self.open_only || t.progress != TaskProgress::Done)
            && (!self.active_projects_only || b.project_active)
            && due_by_ok
    }
}

impl Store {
    /// The tasks of `region_id` that `f` selects, in project, sort-order and id order, from the
    /// board held in memory (see [`crate::board`]): a project's page and a county's lists alike
    /// cost one look at the board's version while nothing changes.
    pub async fn tasks(&self, region_id: i64, f: &TaskFilter) -> Result<Vec<Task>> {
        self.with_tasks(region_id, f, |tasks| tasks.cloned().collect()).await
    }

    /// What `read` makes of the tasks `f` selects, in the order of [`Store::tasks`], lent from
    /// the board: for a page that keeps a few of thousands (the dashboard's first thirty overdue)
    /// without copying the rest.
    pub async fn with_tasks<R>(
        &self,
        region_id: i64,
        f: &TaskFilter,
        read: impl FnOnce(&mut dyn Iterator<Item = &Task>) -> R,
    ) -> Result<R> {
        let board = self.board(region_id).await?;
        let selected = |b: &&crate::board::BoardTask| f.selects(b);
        Ok(match f.project_id {
            Some(id) => read(&mut board.project_tasks(id).iter().filter(selected).map(|b| &b.task)),
            None => read(&mut board.tasks().filter(selected).map(|b| &b.task)),
        })
    }

    pub async fn task(&self, id: i64) -> Result<Task> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE t.id = ").bind(id);
        let row = sql.query().fetch_optional(&self.read).await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "task", id })
    }

    /// A project's dependency edges, by task and predecessor, from the board (see
    /// [`crate::board`]); none for a project not of `region_id`.
    pub async fn task_dependencies(&self, region_id: i64, project_id: i64) -> Result<Vec<TaskDependency>> {
        Ok(self.board(region_id).await?.project_dependencies(project_id).to_vec())
    }

    /// The progress notes of a task, oldest first: (when, who, progress, note).
    pub async fn task_updates(&self, task_id: i64) -> Result<Vec<TaskUpdate>> {
        let rows = sqlx::query(
            "SELECT tu.created_at, u.display_name, tu.progress, tu.note FROM task_updates tu LEFT JOIN users u ON u.id = tu.user_id \
             WHERE tu.task_id = $1 ORDER BY tu.id",
        )
        .bind(task_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(TaskUpdate {
                    at: r.text("created_at")?,
                    by: r.opt_text("display_name")?,
                    progress: r.coded("progress", TaskProgress::parse)?,
                    note: r.opt_text("note")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskUpdate {
    pub at: String,
    pub by: Option<String>,
    pub progress: TaskProgress,
    pub note: Option<String>,
}

impl WriteTx {
    pub(crate) async fn task_in_tx(&mut self, id: i64) -> Result<Task> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE t.id = ").bind(id);
        let row = sql.query().fetch_optional(self.conn()).await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "task", id })
    }

    /// Creates a task in a project (dependencies are set separately, then the project is
    /// rescheduled by the caller's action).
    pub async fn create_task(&mut self, project_id: i64, d: &TaskDraft, template_step: Option<&str>) -> Result<i64> {
        let project = self.project_in_tx(project_id).await?;
        self.check_unit("responsible_unit_id", d.responsible_unit_id, project.region_id, None)
            .await?;
        let now = self.now().to_string();
        let (next_order,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(sort_order), 0) + 1 FROM tasks WHERE project_id = $1")
                .bind(project_id)
                .fetch_one(self.conn())
                .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO tasks (project_id, name, responsible_unit_id, responsible_person, duration_days, deadline, start_no_earlier, \
             actual_start, actual_finish, progress, note, template_step, sort_order, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(project_id)
        .bind(&d.name)
        .bind(d.responsible_unit_id)
        .bind(&d.responsible_person)
        .bind(d.duration_days)
        .bind(date_text(d.deadline))
        .bind(date_text(d.start_no_earlier))
        .bind(date_text(d.actual_start))
        .bind(date_text(d.actual_finish))
        .bind(d.progress.code())
        .bind(&d.note)
        .bind(template_step)
        .bind(next_order)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit("create", "task", Some(id), None::<&()>, Some(d));
        self.mark_dirty(project_id);
        Ok(id)
    }

    /// The office edits a task as a whole.
    pub async fn update_task(&mut self, id: i64, expected_version: i64, d: &TaskDraft) -> Result<Task> {
        let before = self.task_in_tx(id).await?;
        let project = self.project_in_tx(before.project_id).await?;
        self.check_unit("responsible_unit_id", d.responsible_unit_id, project.region_id, None)
            .await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE tasks SET name = $1, responsible_unit_id = $2, responsible_person = $3, duration_days = $4, deadline = $5, \
             start_no_earlier = $6, actual_start = $7, actual_finish = $8, progress = $9, note = $10, updated_at = $11, version = version + 1 \
             WHERE id = $12 AND version = $13",
        )
        .bind(&d.name)
        .bind(d.responsible_unit_id)
        .bind(&d.responsible_person)
        .bind(d.duration_days)
        .bind(date_text(d.deadline))
        .bind(date_text(d.start_no_earlier))
        .bind(date_text(d.actual_start))
        .bind(date_text(d.actual_finish))
        .bind(d.progress.code())
        .bind(&d.note)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("task", id, before.version, &before));
        }
        if d.note.is_some() && d.note != before.note {
            self.add_task_update(id, d.progress, d.note.as_deref()).await?;
        }
        self.audit("update", "task", Some(id), Some(&before), Some(d));
        self.mark_dirty(before.project_id);
        Ok(before)
    }

    /// A responsible unit reports progress on its task.
    pub async fn report_task_progress(&mut self, id: i64, expected_version: i64, r: &ProgressReport) -> Result<Task> {
        let before = self.task_in_tx(id).await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE tasks SET progress = $1, actual_start = $2, actual_finish = $3, note = COALESCE($4, note), updated_at = $5, \
             version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(r.progress.code())
        .bind(date_text(r.actual_start))
        .bind(date_text(r.actual_finish))
        .bind(&r.note)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("task", id, before.version, &before));
        }
        self.add_task_update(id, r.progress, r.note.as_deref()).await?;
        self.audit("progress", "task", Some(id), Some(&before), Some(r));
        self.mark_dirty(before.project_id);
        Ok(before)
    }

    async fn add_task_update(&mut self, task_id: i64, progress: TaskProgress, note: Option<&str>) -> Result<()> {
        let now = self.now().to_string();
        let user = self.actor().user_id;
        sqlx::query(
            "INSERT INTO task_updates (task_id, user_id, progress, note, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(task_id)
        .bind(user)
        .bind(progress.code())
        .bind(note)
        .bind(&now)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn delete_task(&mut self, id: i64, expected_version: i64) -> Result<i64> {
        let before = self.task_in_tx(id).await?;
        let n = sqlx::query("DELETE FROM tasks WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(expected_version)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(conflict("task", id, before.version, &before));
        }
        self.audit("delete", "task", Some(id), Some(&before), None::<&()>);
        self.mark_dirty(before.project_id);
        Ok(before.project_id)
    }

    /// Replaces a task's dependencies. Every predecessor must be a task of the same project.
    pub async fn set_task_dependencies(&mut self, task_id: i64, deps: &[TaskDependency]) -> Result<()> {
        let task = self.task_in_tx(task_id).await?;
        for d in deps {
            let same: Option<(i64,)> = sqlx::query_as("SELECT id FROM tasks WHERE id = $1 AND project_id = $2")
                .bind(d.predecessor_id)
                .bind(task.project_id)
                .fetch_optional(self.conn())
                .await?;
            if same.is_none() || d.predecessor_id == task_id {
                return Err(StoreError::unknown(
                    "predecessors",
                    &format!("前置任务 / predecessor task {}", d.predecessor_id),
                ));
            }
        }
        let before: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT predecessor_id, kind, lag_days FROM task_dependencies WHERE task_id = $1 ORDER BY predecessor_id",
        )
        .bind(task_id)
        .fetch_all(self.conn())
        .await?;
        sqlx::query("DELETE FROM task_dependencies WHERE task_id = $1")
            .bind(task_id)
            .execute(self.conn())
            .await?;
        for d in deps {
            sqlx::query(
                "INSERT INTO task_dependencies (task_id, predecessor_id, kind, lag_days) VALUES ($1, $2, $3, $4)",
            )
            .bind(task_id)
            .bind(d.predecessor_id)
            .bind(&d.kind)
            .bind(d.lag_days)
            .execute(self.conn())
            .await
            .map_err(|e| StoreError::from(e).duplicate_as("predecessors"))?;
        }
        let after: Vec<(i64, &str, i64)> = deps
            .iter()
            .map(|d| (d.predecessor_id, d.kind.as_str(), d.lag_days))
            .collect();
        if before.iter().map(|(a, b, c)| (*a, b.as_str(), *c)).collect::<Vec<_>>() != after {
            self.audit("dependencies", "task", Some(task_id), Some(&before), Some(&after));
        }
        self.mark_dirty(task.project_id);
        Ok(())
    }
}

impl Task {
    /// 红黄绿 of this task on `today` (one rule for every view: `chainforce_domain::status`).
    /// A task not yet scheduled falls back to its deadline.
    pub fn status(
        &self,
        today: NaiveDate,
        yellow_within: i64,
        calendar: &chainforce_domain::calendar::Calendar,
    ) -> chainforce_domain::status::TaskStatus {
        use chainforce_domain::status::{StatusInput, TaskStatus, task_status};
        let late_finish = self.schedule.late_finish.or(self.deadline);
        let Some(late_finish) = late_finish else {
            let done = self.actual_finish.is_some() || self.progress == TaskProgress::Done;
            return TaskStatus {
                status: if done {
                    chainforce_domain::status::Status::Done
                } else {
                    chainforce_domain::status::Status::Green
                },
                days_overdue: 0,
            };
        };
        let input = StatusInput {
            progress: self.progress,
            actual_start: self.actual_start,
            actual_finish: self.actual_finish,
            late_start: self.schedule.late_start.unwrap_or(late_finish),
            late_finish,
            total_float: self.schedule.total_float.unwrap_or(i64::MAX / 4),
        };
        task_status(&input, today, yellow_within, calendar)
    }
}
