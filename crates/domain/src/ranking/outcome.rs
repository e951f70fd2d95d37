//! What a ranking reads: the outcomes of tasks, problems, service ratings and meeting assignments,
//! one row each, as storage fills them.
//!
//! Working-day figures are counted by the caller with the region's calendar, as of the earlier of
//! the period's last day and today: the domain's calendar is the one authority on working days,
//! and the ranking only adds them up.

use crate::calendar::Calendar;
use crate::validation::{FieldError, Rule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Working days in (`from`, `to`]: the days spent after `from` up to and including `to`, 0 when
/// `to` is not after `from`. The same count as the 红黄绿 status's days overdue, so a task that
/// the desk shows "3 working days overdue" costs 3 days on the board.
pub fn working_days_after(from: NaiveDate, to: NaiveDate, calendar: &Calendar) -> i64 {
    if to <= from {
        return 0;
    }
    let next = |d: NaiveDate| d.succ_opt().unwrap_or(d);
    calendar.working_days_between(next(from), next(to))
}

/// A task's or an assignment's working days past its deadline: to its finish, or for unfinished
/// work to `count_date` (the earlier of the period's last day and today).
pub fn working_days_late(
    deadline: NaiveDate,
    finished_on: Option<NaiveDate>,
    count_date: NaiveDate,
    calendar: &Calendar,
) -> i64 {
    working_days_after(deadline, finished_on.unwrap_or(count_date), calendar)
}

/// A unit on a board: a department, a park, a utility or a township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedUnit {
    pub unit_id: i64,
    pub name: String,
}

/// A task (任务/节点) with a deadline, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskOutcome {
    pub unit_id: i64,
    pub task_id: i64,
    #[serde(default)]
    pub title: String,
    /// 完成时限.
    pub deadline: NaiveDate,
    pub finished_on: Option<NaiveDate>,
    /// Working days past the deadline: to the finish, or for an unfinished task to the count date.
    pub overdue_working_days: i64,
}

/// A problem (问题) assigned to a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemOutcome {
    pub unit_id: i64,
    pub problem_id: i64,
    #[serde(default)]
    pub title: String,
    /// 交办 date.
    pub assigned_on: NaiveDate,
    /// 解决时限, when one was set.
    pub deadline: Option<NaiveDate>,
    pub solved_on: Option<NaiveDate>,
    /// Working days from assignment to solution, or for an open problem to the count date.
    pub working_days: i64,
}

/// An enterprise's rating (1–5 stars) of a unit's service (企业服务评价).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingOutcome {
    pub unit_id: i64,
    pub rating_id: i64,
    pub rated_on: NaiveDate,
    pub stars: i64,
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    #[serde(default)]
    pub comment: String,
}

/// A matter a dispatch meeting assigned to a unit (会议交办事项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentOutcome {
    pub unit_id: i64,
    pub assignment_id: i64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub meeting_id: Option<i64>,
    pub deadline: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// Every outcome a board may count; rows outside the period or of units not on the board are
/// skipped, so storage may hand over a whole year for a weekly board.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Outcomes {
    pub tasks: Vec<TaskOutcome>,
    pub problems: Vec<ProblemOutcome>,
    pub ratings: Vec<RatingOutcome>,
    pub assignments: Vec<AssignmentOutcome>,
}

/// A row that could not be counted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// `task`, `problem`, `rating` or `assignment`.
    pub kind: &'static str,
    pub id: i64,
    #[serde(flatten)]
    pub error: FieldError,
}

fn in_future(field: &str, date: NaiveDate, today: NaiveDate) -> Option<FieldError> {
    (date > today).then(|| {
        FieldError::new(
            field,
            Rule::Other {
                zh: format!("{date} 晚于今天（{today}）"),
                en: format!("{date} is after today ({today})"),
            },
        )
    })
}

impl TaskOutcome {
    pub fn check(&self, today: NaiveDate) -> Option<FieldError> {
        if self.overdue_working_days < 0 {
            return Some(FieldError::new("overdue_working_days", Rule::Negative));
        }
        in_future("finished_on", self.finished_on?, today)
    }

    /// Finished on or before the deadline.
    pub fn on_time(&self) -> bool {
        self.finished_on.is_some_and(|f| f <= self.deadline)
    }
}

impl ProblemOutcome {
    pub fn check(&self, today: NaiveDate) -> Option<FieldError> {
        if self.working_days < 0 {
            return Some(FieldError::new("working_days", Rule::Negative));
        }
        let solved = self.solved_on?;
        if solved < self.assigned_on {
            return Some(FieldError::new(
                "solved_on",
                Rule::EndBeforeStart {
                    start_field: "assigned_on".into(),
                },
            ));
        }
        in_future("solved_on", solved, today)
    }

    /// Solved after its deadline, or still open past it on `today`.
    pub fn late(&self, today: NaiveDate) -> bool {
        match (self.deadline, self.solved_on) {
            (Some(d), Some(s)) => s > d,
            (Some(d), None) => today > d,
            (None, _) => false,
        }
    }
}

impl RatingOutcome {
    pub fn check(&self, today: NaiveDate) -> Option<FieldError> {
        if !(1..=5).contains(&self.stars) {
            return Some(FieldError::new(
                "stars",
                Rule::OutOfRange {
                    min: "1".into(),
                    max: "5".into(),
                },
            ));
        }
        in_future("rated_on", self.rated_on, today)
    }
}

impl AssignmentOutcome {
    pub fn check(&self, today: NaiveDate) -> Option<FieldError> {
        in_future("closed_on", self.closed_on?, today)
    }

    pub fn on_time(&self) -> bool {
        self.closed_on.is_some_and(|c| c <= self.deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn days_late_skip_the_national_day_break_and_count_the_make_up_saturday() {
        let cal = Calendar::built_in();
        // Due Friday 2022-09-30; 国庆 2022-10-01…07 off, Saturday 10-08 and Sunday 10-09 worked.
        assert_eq!(
            working_days_late(d("2022-09-30"), Some(d("2022-10-07")), d("2022-12-31"), cal),
            0
        );
        assert_eq!(
            working_days_late(d("2022-09-30"), Some(d("2022-10-09")), d("2022-12-31"), cal),
            2
        );
        // Unfinished: counted to the count date.
        assert_eq!(working_days_late(d("2022-09-30"), None, d("2022-10-10"), cal), 3);
        // Finished early is not late.
        assert_eq!(
            working_days_late(d("2022-09-30"), Some(d("2022-09-01")), d("2022-12-31"), cal),
            0
        );
    }
}
