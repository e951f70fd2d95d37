//! Keeping each project's task schedule (倒排工期) up to date: every action that changes a
//! duration, a dependency, an actual date, a deadline or the target date reschedules the project
//! in the same transaction, so what the battle map shows is never older than the last change.

use crate::row::date_text;
use crate::tasks::TaskDependency;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::calendar::Calendar;
use chainforce_domain::schedule::{self, Anchor, Constraints, Dependency, DependencyKind, NetworkError, TaskInput};
use chainforce_domain::validation::{Lang, Rule};
use chrono::NaiveDate;
use std::fmt;

/// A task as schedule messages name it: "环评批复 (#12)".
#[derive(Debug, Clone)]
pub struct TaskRef {
    pub id: i64,
    pub name: String,
}

impl PartialEq for TaskRef {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for TaskRef {}
impl std::hash::Hash for TaskRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}
impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (#{})", self.name, self.id)
    }
}

/// How a project's tasks are anchored: backward from the target 开工 date when the project has
/// one (倒排工期), early dates from `today`; otherwise forward from `today`.
pub fn anchor_for(target_start: Option<NaiveDate>, today: NaiveDate) -> Anchor {
    match target_start {
        Some(target) => Anchor::Backward {
            target,
            start: Some(today),
        },
        None => Anchor::Forward {
            start: today,
            target: None,
        },
    }
}

/// A project's target start and its tasks as the scheduler reads them (in sort order).
pub(crate) async fn schedule_inputs(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
) -> Result<(Option<NaiveDate>, Vec<TaskInput<TaskRef>>)> {
    let (target,): (Option<String>,) = sqlx::query_as("SELECT target_start FROM projects WHERE id = $1")
        .bind(project_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "project",
            id: project_id,
        })?;
    let target = target.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok());
    let rows: Vec<TaskRowTuple> = sqlx::query_as(
        "SELECT id, name, duration_days, deadline, start_no_earlier, actual_start, actual_finish FROM tasks WHERE project_id = $1 ORDER BY sort_order, id",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    let deps: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT d.task_id, d.predecessor_id, d.kind, d.lag_days FROM task_dependencies d JOIN tasks t ON t.id = d.task_id WHERE t.project_id = $1",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((target, build_inputs(&rows, &deps)))
}

/// A task as the scheduler's loaders read it: id, name, duration, deadline, start no earlier,
/// actual start, actual finish.
pub(crate) type TaskRowTuple = (
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The scheduler's input from a project's task rows and dependency rows (task, predecessor,
/// kind, lag).
pub(crate) fn build_inputs(rows: &[TaskRowTuple], deps: &[(i64, i64, String, i64)]) -> Vec<TaskInput<TaskRef>> {
    let date = |s: &Option<String>| s.as_deref().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let refs: std::collections::HashMap<i64, TaskRef> = rows
        .iter()
        .map(|r| {
            (
                r.0,
                TaskRef {
                    id: r.0,
                    name: r.1.clone(),
                },
            )
        })
        .collect();
    rows.iter()
        .map(|(id, name, duration, deadline, sne, astart, afinish)| TaskInput {
            id: TaskRef {
                id: *id,
                name: name.clone(),
            },
            duration: *duration,
            predecessors: deps
                .iter()
                .filter(|d| d.0 == *id)
                .map(|(_, pred, kind, lag)| Dependency {
                    predecessor: refs.get(pred).cloned().unwrap_or(TaskRef {
                        id: *pred,
                        name: String::new(),
                    }),
                    kind: DependencyKind::parse(kind).unwrap_or(DependencyKind::FinishToStart),
                    lag: *lag,
                })
                .collect(),
            constraints: Constraints {
                finish_no_later_than: date(deadline),
                start_no_earlier_than: date(sne),
                actual_start: date(astart),
                actual_finish: date(afinish),
            },
        })
        .collect()
}

/// The error a user sees when their change would make the schedule impossible to compute.
fn network_error(errors: Vec<NetworkError<TaskRef>>) -> StoreError {
    let zh: Vec<String> = errors.iter().map(|e| e.message(Lang::Zh)).collect();
    let en: Vec<String> = errors.iter().map(|e| e.message(Lang::En)).collect();
    StoreError::invalid(
        "predecessors",
        Rule::Other {
            zh: zh.join("；"),
            en: en.join("; "),
        },
    )
}

impl WriteTx {
    /// Recomputes and stores the schedule of every task of `project_id`.
    pub async fn reschedule_project(&mut self, project_id: i64, calendar: &Calendar, today: NaiveDate) -> Result<()> {
        // New dates change task lists even when nothing else in this action is audited (the
        // daily refresh), so the project's tasks on the board must be read again after it commits.
        self.mark_board_project(project_id);
        let (target, inputs) = schedule_inputs(self.conn(), project_id).await?;
        let today_text = today.to_string();
        if inputs.is_empty() {
            sqlx::query("UPDATE projects SET scheduled_on = $1 WHERE id = $2")
                .bind(&today_text)
                .bind(project_id)
                .execute(self.conn())
                .await?;
            return Ok(());
        }
        let (network, sched) =
            schedule::schedule(&inputs, calendar, anchor_for(target, today)).map_err(network_error)?;
        let warnings: Vec<String> = sched
            .warnings
            .iter()
            .map(|w| format!("{} / {}", w.message(Lang::Zh), w.message(Lang::En)))
            .collect();
        let warning = if warnings.is_empty() {
            None
        } else {
            Some(warnings.join("\n"))
        };
        for (i, id) in network.ids().iter().enumerate() {
            let s = sched.task(i);
            sqlx::query(
                "UPDATE tasks SET early_start = $1, early_finish = $2, late_start = $3, late_finish = $4, total_float = $5, free_float = $6, \
                 critical = $7, schedule_warning = $8 WHERE id = $9",
            )
            .bind(date_text(Some(s.early_start)))
            .bind(date_text(Some(s.early_finish)))
            .bind(date_text(Some(s.late_start)))
            .bind(date_text(Some(s.late_finish)))
            .bind(s.total_float)
            .bind(s.free_float)
            .bind(s.critical as i64)
            .bind(&warning)
            .bind(id.id)
            .execute(self.conn())
            .await?;
        }
        sqlx::query("UPDATE projects SET scheduled_on = $1 WHERE id = $2")
            .bind(&today_text)
            .bind(project_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Parses a task form's predecessor text (`12`, `12FS+2; 7SS-1`) into dependencies on tasks
    /// of the same project. Ids are database ids (as shown on the project page as #12).
    pub fn parse_dependencies(&self, task_id: i64, text: &str) -> Result<Vec<TaskDependency>> {
        let parsed = schedule::parse_predecessors(text)
            .map_err(|e| StoreError::Invalid(e.to_field_error("predecessors").into()))?;
        parsed
            .into_iter()
            .map(|d| {
                let pred = d.predecessor.trim_start_matches('#').parse::<i64>().map_err(|_| {
                    StoreError::unknown("predecessors", &format!("前置任务 / predecessor {}", d.predecessor))
                })?;
                Ok(TaskDependency {
                    task_id,
                    predecessor_id: pred,
                    kind: d.kind.code().to_string(),
                    lag_days: d.lag,
                })
            })
            .collect()
    }
}

impl Store {
    /// Recomputes the schedules not yet computed today (early dates run from "today", so they
    /// age overnight). Returns how many projects were rescheduled.
    pub async fn refresh_stale_schedules(&self, region_id: i64, today: NaiveDate) -> Result<usize> {
        let stale: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM projects WHERE region_id = $1 AND (scheduled_on IS NULL OR scheduled_on <> $2) \
             AND EXISTS (SELECT 1 FROM tasks t WHERE t.project_id = projects.id)",
        )
        .bind(region_id)
        .bind(today.to_string())
        .fetch_all(&self.read)
        .await?;
        if stale.is_empty() {
            return Ok(0);
        }
        let calendar = self.calendar(region_id).await?;
        let mut done = 0;
        for chunk in stale.chunks(50) {
            let mut tx = self.begin(&crate::AuditActor::system("daily-reschedule")).await?;
            for (id,) in chunk {
                match tx.reschedule_project(*id, &calendar, today).await {
                    Ok(()) => done += 1,
                    // A stored network that no longer schedules (it cannot be saved that way,
                    // but an old database might hold one) is left as it was and logged.
                    Err(StoreError::Invalid(e)) => {
                        tracing::warn!(project = id, error = %e, "project cannot be rescheduled")
                    }
                    Err(e) => return Err(e),
                }
            }
            tx.commit().await?;
        }
        Ok(done)
    }
}
