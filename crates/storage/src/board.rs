//! The county's task board (任务总表) held in memory: every task of a region with its project's
//! state, read from the database once per change of the board and shared by the pages that list
//! many tasks — the battle map, the dashboard, a unit's desk, exports and digests.
//!
//! Why: at county scale (300 projects, 15,000 tasks) reading the task rows through sqlx's `Any`
//! driver takes hundreds of milliseconds, and these pages are read far more often than tasks
//! change. The board is keyed by `audit_head.board_seq`, a counter that every committed write
//! that can change a task list advances in the same transaction: one that audits an entity not
//! known to be off the board ([`touches_board`]) or that recomputed a schedule
//! (`WriteTx::mark_board_changed`), checked by `WriteTx::commit`. A request reads that one number first; if it equals the cached board's,
//! the board is current — as new as the last such commit, on any number of server processes
//! sharing the database. A write that touches only problems, meetings, reports or the like leaves
//! the board valid.

use crate::tasks::{Task, TaskSchedule};
use crate::{Result, Store, StoreError};
use chainforce_domain::task::TaskProgress;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Audit entities whose changes cannot alter a task list or the battle map: the task rows, their
/// project (name, state, stage, chain node, leader), the responsible unit's name, the chain's
/// node names or the schedule. Anything not named here — including an
/// entity added later — advances the board, so a forgotten entry costs a re-read, never a stale
/// page.
const OFF_BOARD: &[&str] = &[
    "allocation_round",
    "attachment",
    "commitment",
    "deposit",
    "enterprise",
    "enterprise_violation",
    "enterprise_year",
    "evaluation",
    "investment_target",
    "meeting",
    "method",
    "monthly_report",
    "outbox",
    "plan_review",
    "problem",
    "robot",
    "round_application",
    "share_target",
    "user",
];

/// Whether a transaction that audits these entities can change what task lists show.
pub(crate) fn touches_board<'a>(mut entities: impl Iterator<Item = &'a str>) -> bool {
    entities.any(|e| !OFF_BOARD.contains(&e))
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

/// A region's tasks in project, sort-order and id order, as of `seq`.
#[derive(Debug)]
pub(crate) struct Board {
    seq: i64,
    pub tasks: Vec<BoardTask>,
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
    fn current(&self, region_id: i64, seq: i64) -> Option<Arc<Board>> {
        let boards = self.boards.lock().unwrap_or_else(|p| p.into_inner());
        boards.get(&region_id).filter(|b| b.seq == seq).cloned()
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

    /// The current board of `region_id`, read from the database only if it changed since.
    pub(crate) async fn board(&self, region_id: i64) -> Result<Arc<Board>> {
        let seq = self.board_version().await?;
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
        // The version is read before the rows, so the rows are at least as new as it: a write
        // committing in between makes the next request read again, never serve older rows.
        let sql = format!(
            "SELECT {} FROM tasks t JOIN projects p ON p.id = t.project_id \
             LEFT JOIN units u ON u.id = t.responsible_unit_id WHERE p.region_id = $1",
            self.json_rows(BoardRow::COLUMNS)
        );
        let (json,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(region_id)
            .fetch_one(&self.read)
            .await?;
        let rows: Vec<BoardRow> =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("task board: {e}")))?;
        let mut tasks = rows.into_iter().map(BoardRow::into_task).collect::<Result<Vec<_>>>()?;
        tasks.sort_by_key(|b| (b.task.project_id, b.task.sort_order, b.task.id));
        let board = Arc::new(Board { seq, tasks });
        self.boards.keep(region_id, board.clone());
        Ok(board)
    }
}

#[cfg(test)]
mod tests {
    use super::touches_board;

    #[test]
    fn a_problem_or_a_meeting_leaves_the_board_but_a_task_or_an_unknown_entity_moves_it() {
        assert!(!touches_board(["problem"].into_iter()));
        assert!(!touches_board(
            ["meeting", "outbox", "robot", "plan_review"].into_iter()
        ));
        assert!(touches_board(["problem", "task"].into_iter()));
        assert!(touches_board(["project"].into_iter()));
        assert!(touches_board(["calendar_notice"].into_iter()));
        assert!(touches_board(["something_added_next_year"].into_iter()));
        assert!(!touches_board(std::iter::empty()));
    }
}
