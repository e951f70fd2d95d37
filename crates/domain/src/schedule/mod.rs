//! 倒排工期 — critical-path scheduling on the working-day calendar.
//!
//! A project's tasks (durations in working days, 0 = milestone 里程碑) and their dependencies
//! (finish-to-start and the three others, with lags in working days) are compiled once into a
//! [`Network`]: ids resolved, problems collected, tasks put in topological order (Kahn) and the
//! edges laid out in flat arrays. [`Network::schedule`] then runs a backward pass (as late as
//! possible from a target date: 倒排工期) and a forward pass (as soon as possible from a start
//! date) over those arrays and gives, for every task, its early and late start and finish, total
//! and free float (总时差 / 自由时差), and whether it is critical (关键路径).
//!
//! # Date conventions
//!
//! * A task of `n ≥ 1` working days occupies `n` whole working days: a 1-day task starts and
//!   finishes on the same day, and its finish-to-start successor starts on the next working day.
//! * A target date or a finish-no-later-than date (完成时限) is the last day on which work may
//!   finish. A start date is the first day on which work may start. Either may be a day off: the
//!   target then means the last working day before it, the start the first working day after it.
//! * A lag of `L` working days shifts the constrained end by `L` whole working days: `t1FS+2`
//!   leaves two working days free between `t1`'s finish and the successor's start; `SS+2` starts
//!   the successor two working days after `t1` starts; `FF-1` finishes it a working day before `t1`
//!   finishes. Negative lags (leads) are allowed for every type.
//! * A milestone (duration 0) is a point in time, not a day. It is shown on the day in which that
//!   point lies: a milestone reached when `t1` finishes on Monday is shown on Monday; one placed
//!   at the project start or before a task starting on Tuesday is shown on Tuesday. When several
//!   constraints meet, the latest instant wins in the forward pass and the earliest in the backward
//!   pass, so "start of Tuesday" beats "end of Monday" going forward, and the reverse going
//!   backward. This is TaskJuggler's day-level behaviour (`bench/vs-taskjuggler.sh` checks it).
//!   One difference: a milestone linked start-to-start to a task that a finish-to-start link
//!   pushed past a weekend is shown here on the morning that task starts (Monday), while
//!   TaskJuggler shows it at the instant the start was computed from (17:00 on Friday).
//!
//! Internally a date is one of two *points* of a working day: its morning `2k` or its evening
//! `2k + 1`, where `k` is the working-day ordinal of [`Calendar`]. Tasks start in a morning and
//! finish in an evening; for them "evening of day `k`" and "morning of day `k + 1`" are the same
//! instant, and all float figures are counted on instants, so the arithmetic is the classical
//! critical-path method and only a milestone's displayed day depends on the morning/evening choice.
//!
//! # Constraints and actuals
//!
//! * finish no later than (完成时限): bounds the late finish; missing it gives negative float.
//! * start no earlier than: bounds the early start.
//! * actual start / actual finish (work already done): pin the task in both passes. A task with an
//!   actual start but no finish keeps its late finish from its successors, and its float is counted
//!   on the finish.
//!
//! Problems are values: a [`Network`] refuses cycles (naming the tasks in one), unknown
//! predecessors, duplicate ids, negative or oversized durations; a [`Schedule`] carries warnings
//! for a target that cannot be met and for dates computed beyond the known calendar years.

mod network;
mod pass;
mod predecessors;
pub mod template;

#[cfg(test)]
mod tests;

pub use network::{Network, NetworkBuilder, NetworkError};
pub use pass::{Schedule, ScheduleWarning, TaskSchedule};
pub use predecessors::{PredecessorError, PredecessorProblem, parse_predecessors};

use crate::calendar::Calendar;
use crate::labelled_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// The type of a dependency (前置关系类型) between a predecessor and a successor.
    pub enum DependencyKind {
        /// 完成-开始: the successor starts after the predecessor finishes.
        FinishToStart = ("FS", "完成-开始", "Finish to start"),
        /// 开始-开始: the successor starts once the predecessor has started.
        StartToStart = ("SS", "开始-开始", "Start to start"),
        /// 完成-完成: the successor finishes once the predecessor has finished.
        FinishToFinish = ("FF", "完成-完成", "Finish to finish"),
        /// 开始-完成: the successor finishes once the predecessor has started.
        StartToFinish = ("SF", "开始-完成", "Start to finish"),
    }
}

/// One predecessor of a task (前置任务).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency<Id> {
    pub predecessor: Id,
    pub kind: DependencyKind,
    /// Working days; negative is a lead.
    pub lag: i64,
}

impl<Id> Dependency<Id> {
    /// The same dependency with its id converted (text from a form to a database id, say).
    pub fn try_map_id<J, E>(self, f: impl FnOnce(Id) -> Result<J, E>) -> Result<Dependency<J>, E> {
        Ok(Dependency {
            predecessor: f(self.predecessor)?,
            kind: self.kind,
            lag: self.lag,
        })
    }
}

/// Per-task dates that bound or pin the schedule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraints {
    /// 完成时限: the task must finish on or before this day.
    pub finish_no_later_than: Option<NaiveDate>,
    /// The task may not start before this day.
    pub start_no_earlier_than: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

/// A task as the scheduler needs it. `Id` is whatever the caller uses: a database id (`i64`) or
/// a plan's text id (`String`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput<Id> {
    pub id: Id,
    /// Working days; 0 makes a milestone.
    pub duration: i64,
    pub predecessors: Vec<Dependency<Id>>,
    #[serde(default)]
    pub constraints: Constraints,
}

/// Where a schedule is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Anchor {
    /// 顺排: as soon as possible from `start`. Late dates come from `target` when given, else from
    /// the early finish of the whole project (so the critical path has zero float).
    Forward {
        start: NaiveDate,
        target: Option<NaiveDate>,
    },
    /// 倒排工期: as late as possible so that all work finishes by `target`. Early dates come from
    /// `start` when given, else from the latest start of the whole project.
    Backward {
        target: NaiveDate,
        start: Option<NaiveDate>,
    },
}

/// Compiles and schedules in one call, for callers that schedule a network once.
pub fn schedule<Id>(
    tasks: &[TaskInput<Id>],
    calendar: &Calendar,
    anchor: Anchor,
) -> Result<(Network<Id>, Schedule), Vec<NetworkError<Id>>>
where
    Id: Clone + Eq + std::hash::Hash + std::fmt::Display,
{
    let network = Network::build(tasks)?;
    let schedule = network.schedule(calendar, anchor).map_err(|e| vec![e])?;
    Ok((network, schedule))
}
