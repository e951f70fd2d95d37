//! The county's task board (任务总表) held in memory: every task of a region with its project's
//! state, and the dependencies between each project's tasks, read from the database once per
//! change of the board and shared by the pages that list many tasks — the battle map, the
//! dashboard, a unit's desk, a project's page, exports and digests.
//!
//! Why: at county scale (300 projects, 15,000 tasks) reading the task rows through sqlx's `Any`
//! driver takes hundreds of milliseconds, and these pages are read far more often than tasks
//! change. The board is keyed by `audit_head.board_seq`, a counter that every committed write
//! that can change a task list advances in the same transaction: one that audits an entity not
//! known to be off the board ([`reach`]) or that recomputed a schedule
//! (`WriteTx::mark_board_project`), checked by `WriteTx::commit`. A request reads that one number
//! first; if it equals the cached board's, the board is current — as new as the last such commit,
//! on any number of server processes sharing the database. A write that touches only problems,
//! meetings, reports or the like leaves the board valid.
//!
//! The same commit records in `board_changes` which projects it touched (or that it touched the
//! whole board), so a board one report behind is brought up to date by reading that one
//! project's fifty tasks, not the county's 15,000.

use crate::tasks::{Task, TaskDependency, TaskSchedule};
use crate::{Result, Store, StoreError};
use chainforce_domain::task::TaskProgress;
use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Audit entities whose changes cannot alter a task list or the battle map: the day-to-day
/// records ([`crate::reference::RECORDS`]) and enterprises, which no task row names. Anything
/// else — the task rows, their project (name, state, stage, chain node, leader), the responsible
/// unit's name, the chain's node names, the schedule, an entity added later — advances the
/// board, so a forgotten entry costs a re-read, never a stale page.
fn off_board(entity: &str) -> bool {
    crate::reference::RECORDS.contains(&entity) || entity == "enterprise"
}

/// How far one audited change reaches on the board.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Nothing a task list shows.
    Off,
    /// The tasks of this project (its name, state or stage, or the tasks themselves).
    Project(i64),
    /// This task's project, whichever it is.
    Task(i64),
    /// Anything: a unit's name, the calendar, a template, an import of many projects.
    Whole,
}

/// Where an audit entry of `entity` (numbered `id`) reaches on the board.
pub(crate) fn reach(entity: &str, id: Option<i64>) -> Reach {
    match (entity, id) {
        _ if off_board(entity) => Reach::Off,
        ("project", Some(id)) => Reach::Project(id),
        ("task", Some(id)) => Reach::Task(id),
        _ => Reach::Whole,
    }
}

/// At most this many projects are recorded for one commit; one that touches more (the daily
/// refresh of a county, an import) is recorded as touching the whole board.
const MAX_PROJECTS_PER_CHANGE: usize = 64;

/// How many versions of changes are kept: a board further behind than this is read whole.
const KEPT_CHANGES: i64 = 4096;

/// What one write transaction did to the board, gathered as it goes and recorded at commit.
#[derive(Debug, Default)]
pub(crate) struct BoardTouch {
    whole: bool,
    projects: BTreeSet<i64>,
    tasks: BTreeSet<i64>,
}

impl BoardTouch {
    pub fn whole(&mut self) {
        self.whole = true;
    }

    pub fn project(&mut self, project_id: i64) {
        self.projects.insert(project_id);
    }

    pub fn add(&mut self, reach: Reach) {
        match reach {
            Reach::Off => {}
            Reach::Project(id) => self.project(id),
            Reach::Task(id) => {
                self.tasks.insert(id);
            }
            Reach::Whole => self.whole(),
        }
    }

    /// Whether the board's version must move.
    pub fn moves(&self) -> bool {
        self.whole || !self.projects.is_empty() || !self.tasks.is_empty()
    }

    /// Records, in the committing transaction that moved the board to `board_seq`, which
    /// projects it touched, and now and then forgets changes too old to be asked for.
    pub async fn record(mut self, conn: &mut sqlx::AnyConnection, board_seq: i64) -> Result<()> {
        if !self.whole && !self.tasks.is_empty() {
            let mut sql = crate::sql::Sql::new("SELECT project_id FROM tasks WHERE id IN (");
            bind_list(&mut sql, &self.tasks);
            let rows = sql.query().fetch_all(&mut *conn).await?;
            // A task deleted in this transaction no longer names its project.
            if rows.len() < self.tasks.len() {
                self.whole = true;
            }
            for row in &rows {
                self.projects.insert(row.try_get::<i64, _>(0)?);
            }
        }
        let projects: Vec<Option<i64>> = if self.whole || self.projects.len() > MAX_PROJECTS_PER_CHANGE {
            vec![None]
        } else {
            self.projects.into_iter().map(Some).collect()
        };
        for project_id in projects {
            sqlx::query("INSERT INTO board_changes (board_seq, project_id) VALUES ($1, $2)")
                .bind(board_seq)
                .bind(project_id)
                .execute(&mut *conn)
                .await?;
        }
        if board_seq % 256 == 0 {
            sqlx::query("DELETE FROM board_changes WHERE board_seq <= $1")
                .bind(board_seq - KEPT_CHANGES)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// How many regions' boards one process keeps; a province-wide server serves many counties, and
/// a board of 15,000 tasks takes a few megabytes.
const MAX_BOARDS: usize = 32;

/// One task on the board with what filters need of its project.
#[derive(Debug)]
pub(crate) struct BoardTask {
    pub task: Task,
    pub project_active: bool,
}

/// One task as the board's read carries it: the values of [`BoardRow::COLUMNS`] in order.
#[derive(Deserialize)]
struct BoardRow(
    i64,
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
    i64,
    String,
);

impl BoardRow {
    const COLUMNS: &str = "t.id, t.project_id, p.name, p.state, t.name, t.responsible_unit_id, u.name, \
        t.responsible_person, t.duration_days, t.deadline, t.start_no_earlier, t.actual_start, t.actual_finish, \
        t.progress, t.note, t.template_step, t.sort_order, t.early_start, t.early_finish, t.late_start, \
        t.late_finish, t.total_float, t.free_float, t.critical, t.schedule_warning, t.version, t.updated_at";

    fn into_task(self) -> Result<BoardTask> {
        let progress = TaskProgress::parse(&self.13)
            .ok_or_else(|| StoreError::Corrupt(format!("task {}: unknown progress '{}'", self.0, self.13)))?;
        Ok(BoardTask {
            project_active: self.3 == "active",
            task: Task {
                id: self.0,
                project_id: self.1,
                project_name: self.2,
                name: self.4,
                responsible_unit_id: self.5,
                responsible_unit_name: self.6,
                responsible_person: self.7,
                duration_days: self.8,
                deadline: self.9,
                start_no_earlier: self.10,
                actual_start: self.11,
                actual_finish: self.12,
                progress,
                note: self.14,
                template_step: self.15,
                sort_order: self.16,
                schedule: TaskSchedule {
                    early_start: self.17,
                    early_finish: self.18,
                    late_start: self.19,
                    late_finish: self.20,
                    total_float: self.21,
                    free_float: self.22,
                    critical: self.23 != 0,
                    warning: self.24,
                },
                version: self.25,
                updated_at: self.26,
            },
        })
    }
}

/// A region's tasks by project, each project's in sort-order and id order, as of `seq`. A
/// project's tasks are shared between successive boards until they change.
#[derive(Debug)]
pub(crate) struct Board {
    seq: i64,
    projects: BTreeMap<i64, Arc<ProjectPlan>>,
}

/// One project's part of the board: its tasks and the dependencies between them.
#[derive(Debug, Default)]
pub(crate) struct ProjectPlan {
    /// In sort-order and id order.
    tasks: Vec<BoardTask>,
    /// By task and predecessor.
    dependencies: Vec<TaskDependency>,
}

impl Board {
    /// Every task, in project, sort-order and id order.
    pub fn tasks(&self) -> impl Iterator<Item = &BoardTask> {
        self.projects.values().flat_map(|plan| plan.tasks.iter())
    }

    /// One project's tasks in sort-order and id order (none for a project of another region).
    pub fn project_tasks(&self, project_id: i64) -> &[BoardTask] {
        self.projects.get(&project_id).map_or(&[], |plan| &plan.tasks)
    }

    /// The dependencies between one project's tasks, by task and predecessor.
    pub fn project_dependencies(&self, project_id: i64) -> &[TaskDependency] {
        self.projects.get(&project_id).map_or(&[], |plan| &plan.dependencies)
    }
}

/// Binds `ids` as the list of an `IN (` the query has opened, and closes it.
fn bind_list<'a>(sql: &mut crate::sql::Sql, ids: impl IntoIterator<Item = &'a i64>) {
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(")");
}

/// The boards of the regions this process has served.
#[derive(Default)]
pub(crate) struct BoardCache {
    boards: Mutex<HashMap<i64, Arc<Board>>>,
    /// Held while a board is read from the database, so that the requests arriving after a write
    /// wait for one read instead of each starting its own.
    reading: tokio::sync::Mutex<()>,
}

impl BoardCache {
    /// The newest board of the region this process holds, of whatever version.
    fn latest(&self, region_id: i64) -> Option<Arc<Board>> {
        let boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards.get(&region_id).cloned()
    }

    fn current(&self, region_id: i64, seq: i64) -> Option<Arc<Board>> {
        self.latest(region_id).filter(|b| b.seq == seq)
    }

    fn keep(&self, region_id: i64, board: Arc<Board>) {
        let mut boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        if boards.len() >= MAX_BOARDS && !boards.contains_key(&region_id) {
            boards.clear();
        }
        boards.insert(region_id, board);
    }

    /// Forgets every board (after a change made outside the audited write path).
    pub(crate) fn clear(&self) {
        self.boards.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

impl Store {
    /// The board's version: how many commits so far could change a task list or the battle map. Pages rendered from the board can be kept until it moves.
    pub async fn board_version(&self) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as("SELECT board_seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok(seq)
    }

    /// The current board of `region_id`, read from the database only as far as it changed since.
    pub(crate) async fn board(&self, region_id: i64) -> Result<Arc<Board>> {
        let seq = self.versions().await?.board;
        if let Some(b) = self.boards.current(region_id, seq) {
            return Ok(b);
        }
        let _reading = self.boards.reading.lock().await;
        // Another request may have read it while this one waited; the version is read again
        // because a write may also have committed meanwhile.
        let seq = self.board_version().await?;
        if let Some(b) = self.boards.current(region_id, seq) {
            return Ok(b);
        }
        // The version is read before the changes and the rows, so they are at least as new as
        // it: a write committing in between makes the next request look again, never serve
        // older rows under a newer version.
        let projects = match self.boards.latest(region_id) {
            Some(old) if old.seq < seq && seq - old.seq < KEPT_CHANGES => self.refreshed(region_id, &old).await?,
            _ => None,
        };
        let projects = match projects {
            Some(p) => p,
            None => self.board_rows(region_id, None).await?,
        };
        let board = Arc::new(Board { seq, projects });
        self.boards.keep(region_id, board.clone());
        Ok(board)
    }

    /// `old` with the projects changed since it re-read, or `None` when the changes reach the
    /// whole board (or too many projects to be worth it).
    async fn refreshed(&self, region_id: i64, old: &Board) -> Result<Option<BTreeMap<i64, Arc<ProjectPlan>>>> {
        let changed: Vec<(Option<i64>,)> =
            sqlx::query_as("SELECT DISTINCT project_id FROM board_changes WHERE board_seq > $1")
                .bind(old.seq)
                .fetch_all(&self.read)
                .await?;
        let mut ids = Vec::with_capacity(changed.len());
        for (project_id,) in changed {
            match project_id {
                Some(id) => ids.push(id),
                None => return Ok(None),
            }
        }
        if ids.len() > MAX_PROJECTS_PER_CHANGE {
            return Ok(None);
        }
        let mut projects = old.projects.clone();
        for id in &ids {
            projects.remove(id);
        }
        if !ids.is_empty() {
            projects.extend(self.board_rows(region_id, Some(&ids)).await?);
        }
        Ok(Some(projects))
    }

    /// The tasks of the region (or only of `projects`) and their dependencies, grouped by
    /// project.
    async fn board_rows(&self, region_id: i64, projects: Option<&[i64]>) -> Result<BTreeMap<i64, Arc<ProjectPlan>>> {
        let mut sql = crate::sql::Sql::select_json(
            self,
            BoardRow::COLUMNS,
            "FROM tasks t JOIN projects p ON p.id = t.project_id LEFT JOIN units u ON u.id = t.responsible_unit_id",
        );
        sql.push(" WHERE p.region_id = ").bind(region_id);
        if let Some(ids) = projects {
            sql.push(" AND t.project_id IN (");
            bind_list(&mut sql, ids);
        }
        let rows: Vec<BoardRow> = sql.json_rows(&self.read).await?;
        let mut sql = crate::sql::Sql::select_json(
            self,
            "t.project_id, d.task_id, d.predecessor_id, d.kind, d.lag_days",
            "FROM task_dependencies d JOIN tasks t ON t.id = d.task_id JOIN projects p ON p.id = t.project_id",
        );
        sql.push(" WHERE p.region_id = ").bind(region_id);
        if let Some(ids) = projects {
            sql.push(" AND t.project_id IN (");
            bind_list(&mut sql, ids);
        }
        let edges: Vec<(i64, i64, i64, String, i64)> = sql.json_rows(&self.read).await?;
        let mut by_project: BTreeMap<i64, ProjectPlan> = BTreeMap::new();
        for row in rows {
            let task = row.into_task()?;
            by_project.entry(task.task.project_id).or_default().tasks.push(task);
        }
        for (project_id, task_id, predecessor_id, kind, lag_days) in edges {
            by_project
                .entry(project_id)
                .or_default()
                .dependencies
                .push(TaskDependency {
                    task_id,
                    predecessor_id,
                    kind,
                    lag_days,
                });
        }
        Ok(by_project
            .into_iter()
            .map(|(id, mut plan)| {
                plan.tasks.sort_by_key(|b| (b.task.sort_order, b.task.id));
                plan.dependencies
                    .sort_by_key(|d| (d.task_id, d.predecessor_id, d.kind.clone(), d.lag_days));
                (id, Arc::new(plan))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{BoardTouch, Reach, reach};

    #[test]
    fn a_problem_or_a_meeting_leaves_the_board_a_task_moves_its_project_and_an_unknown_entity_all() {
        for off in ["problem", "meeting", "outbox", "robot", "plan_review"] {
            assert_eq!(reach(off, Some(1)), Reach::Off, "{off}");
        }
        assert_eq!(reach("task", Some(7)), Reach::Task(7));
        assert_eq!(reach("project", Some(3)), Reach::Project(3));
        assert_eq!(reach("project", None), Reach::Whole);
        assert_eq!(reach("unit", Some(2)), Reach::Whole);
        assert_eq!(reach("calendar_notice", None), Reach::Whole);
        assert_eq!(reach("something_added_next_year", Some(1)), Reach::Whole);

        let mut touch = BoardTouch::default();
        assert!(!touch.moves());
        touch.add(reach("problem", Some(1)));
        assert!(!touch.moves());
        touch.add(reach("task", Some(9)));
        assert!(touch.moves());
    }
}
