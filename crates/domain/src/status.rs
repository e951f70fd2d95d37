//! 红黄绿 — a task's status from its schedule and today's date.
//!
//! One function, [`task_status`], decides the colour every view shows (the wall map 挂图作战, the
//! project page, the dispatch-meeting list, chat reminders), so they never disagree:
//!
//! * **done** (已完成): an actual finish is recorded, or the unit reported the task done;
//! * **red** (红, overdue 逾期): the latest finish has passed, or the latest start has passed and
//!   the task has not started;
//! * **yellow** (黄, at risk 预警): total float of at most `yellow_within` working days (the region's
//!   setting, [`DEFAULT_YELLOW_WITHIN`] unless configured), including negative float;
//! * **green** (绿): otherwise.
//!
//! The domain has no clock: callers pass `today`.

use crate::calendar::Calendar;
use crate::labelled_enum;
use crate::schedule::TaskSchedule;
use crate::task::TaskProgress;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The float, in working days, at or below which a task turns yellow when a region has not set its
/// own figure.
pub const DEFAULT_YELLOW_WITHIN: i64 = 5;

labelled_enum! {
    /// The colour of a task.
    pub enum Status {
        Done = ("done", "已完成", "Done"),
        Red = ("red", "逾期", "Overdue"),
        Yellow = ("yellow", "预警", "At risk"),
        Green = ("green", "正常", "On track"),
    }
}

/// What the status needs to know about a task: its progress and actuals as reported, and its late
/// dates and float from the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInput {
    pub progress: TaskProgress,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    pub late_start: NaiveDate,
    pub late_finish: NaiveDate,
    pub total_float: i64,
}

impl StatusInput {
    /// From a task's reported progress and actual dates and its computed schedule.
    pub fn from_schedule(
        progress: TaskProgress,
        actual_start: Option<NaiveDate>,
        actual_finish: Option<NaiveDate>,
        scheduled: &TaskSchedule,
    ) -> StatusInput {
        StatusInput {
            progress,
            actual_start,
            actual_finish,
            late_start: scheduled.late_start,
            late_finish: scheduled.late_finish,
            total_float: scheduled.total_float,
        }
    }
}

/// A task's colour, and for a red one how late it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStatus {
    pub status: Status,
    /// Working days after the missed latest date, up to and including `today` (0 unless red). On
    /// a day off right after the missed date it is still 0: no working day has been lost yet.
    pub days_overdue: i64,
}

/// 红黄绿 for one task on `today`.
pub fn task_status(task: &StatusInput, today: NaiveDate, yellow_within: i64, calendar: &Calendar) -> TaskStatus {
    let done = task.actual_finish.is_some() || task.progress == TaskProgress::Done;
    if done {
        return TaskStatus {
            status: Status::Done,
            days_overdue: 0,
        };
    }
    let started = task.actual_start.is_some() || task.progress != TaskProgress::NotStarted;
    // Working days in (date, today]: the days lost since the last day that was still in time.
    let lost = |date: NaiveDate| {
        let after = |d: NaiveDate| d.succ_opt().unwrap_or(d);
        calendar.working_days_between(after(date), after(today))
    };
    let finish_missed = today > task.late_finish;
    let start_missed = !started && today > task.late_start;
    if finish_missed || start_missed {
        let by_finish = if finish_missed { lost(task.late_finish) } else { 0 };
        let by_start = if start_missed { lost(task.late_start) } else { 0 };
        return TaskStatus {
            status: Status::Red,
            days_overdue: by_finish.max(by_start),
        };
    }
    TaskStatus {
        status: if task.total_float <= yellow_within {
            Status::Yellow
        } else {
            Status::Green
        },
        days_overdue: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(progress: TaskProgress, float: i64) -> StatusInput {
        StatusInput {
            progress,
            actual_start: None,
            actual_finish: None,
            late_start: d("2026-03-09"),
            late_finish: d("2026-03-13"),
            total_float: float,
        }
    }

    fn status(t: &StatusInput, today: &str) -> TaskStatus {
        task_status(t, d(today), DEFAULT_YELLOW_WITHIN, Calendar::built_in())
    }

    #[test]
    fn a_task_with_an_actual_finish_is_done_even_if_it_finished_late() {
        let mut t = task(TaskProgress::InProgress, -3);
        t.actual_finish = Some(d("2026-03-20"));
        assert_eq!(status(&t, "2026-04-01").status, Status::Done);
        assert_eq!(status(&task(TaskProgress::Done, 0), "2026-04-01").status, Status::Done);
    }

    #[test]
    fn a_task_not_started_after_its_latest_start_is_red_and_counts_the_lost_days() {
        let t = task(TaskProgress::NotStarted, 10);
        assert_eq!(status(&t, "2026-03-09").status, Status::Green);
        let s = status(&t, "2026-03-11");
        assert_eq!((s.status, s.days_overdue), (Status::Red, 2));
        // Once started, the late start no longer matters.
        let s = status(&task(TaskProgress::InProgress, 10), "2026-03-11");
        assert_eq!(s.status, Status::Green);
    }

    #[test]
    fn a_task_past_its_latest_finish_is_red_by_the_working_days_since() {
        let t = task(TaskProgress::InProgress, 0);
        assert_eq!(status(&t, "2026-03-13").status, Status::Yellow);
        // Saturday after a Friday deadline: late, but no working day lost yet.
        let s = status(&t, "2026-03-14");
        assert_eq!((s.status, s.days_overdue), (Status::Red, 0));
        let s = status(&t, "2026-03-17");
        assert_eq!((s.status, s.days_overdue), (Status::Red, 2));
    }

    #[test]
    fn the_status_of_a_scheduled_task_comes_from_its_late_dates_and_float() {
        use crate::schedule::{Anchor, TaskInput, schedule};
        let tasks = vec![TaskInput {
            id: "环评",
            duration: 15,
            predecessors: vec![],
            constraints: Default::default(),
        }];
        let anchor = Anchor::Backward {
            target: d("2026-06-30"),
            start: None,
        };
        let (_, s) = schedule(&tasks, Calendar::built_in(), anchor).unwrap();
        let input = StatusInput::from_schedule(TaskProgress::NotStarted, None, None, &s.task(0));
        assert_eq!(input.late_start, d("2026-06-09"));
        assert_eq!(status(&input, "2026-06-01").status, Status::Yellow);
        let late = status(&input, "2026-06-10");
        assert_eq!((late.status, late.days_overdue), (Status::Red, 1));
    }

    #[test]
    fn float_within_the_regions_threshold_is_yellow() {
        let cal = Calendar::built_in();
        let today = d("2026-03-02");
        let t = task(TaskProgress::NotStarted, 5);
        assert_eq!(task_status(&t, today, 5, cal).status, Status::Yellow);
        assert_eq!(task_status(&t, today, 3, cal).status, Status::Green);
        let late = task(TaskProgress::NotStarted, -2);
        assert_eq!(task_status(&late, today, 0, cal).status, Status::Yellow);
        assert_eq!(Status::Yellow.label(crate::validation::Lang::Zh), "预警");
    }
}
