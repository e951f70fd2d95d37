//! Tasks (任务/节点) of a project: what must be done, by which unit, by when.

use crate::labelled_enum;
use crate::validation::{self, FieldError, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// What the responsible unit reports about a task.
    pub enum TaskProgress {
        NotStarted = ("not_started", "未开始", "Not started"),
        InProgress = ("in_progress", "进行中", "In progress"),
        Done = ("done", "已完成", "Done"),
    }
}

/// The longest duration a single task may have, in working days (about four years). Longer
/// figures in a ledger are typing errors, and refusing them keeps schedules on the calendar.
pub const MAX_DURATION_DAYS: i64 = 1000;

/// A task form as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    pub name: String,
    pub responsible_unit_id: String,
    /// 责任人.
    pub responsible_person: String,
    /// Working days; 0 makes a milestone.
    pub duration_days: String,
    /// Predecessors as `12`, `12FS+2`, `7SS-1`, separated by `;`, `,` or spaces (ids of tasks in
    /// the same project).
    pub predecessors: String,
    /// 完成时限: the task must finish no later than this date.
    pub deadline: String,
    /// The task may not start before this date.
    pub start_no_earlier: String,
    pub actual_start: String,
    pub actual_finish: String,
    pub progress: String,
    pub note: String,
}

/// A checked task (references checked by storage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDraft {
    pub name: String,
    pub responsible_unit_id: Option<i64>,
    pub responsible_person: Option<String>,
    pub duration_days: i64,
    pub predecessors: String,
    pub deadline: Option<NaiveDate>,
    pub start_no_earlier: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    pub progress: TaskProgress,
    pub note: Option<String>,
}

impl TaskForm {
    pub fn validate(&self) -> Result<TaskDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check(validation::required_text("name", &self.name, 100));
        let responsible_unit_id = if self.responsible_unit_id.trim().is_empty() {
            None
        } else {
            errs.check(
                self.responsible_unit_id
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| FieldError::new("responsible_unit_id", Rule::NotANumber)),
            )
        };
        let responsible_person = errs
            .check(validation::text(
                "responsible_person",
                &self.responsible_person,
                false,
                40,
            ))
            .flatten();
        let duration_days = errs.check(duration_field("duration_days", &self.duration_days));
        let predecessors = errs
            .check(validation::text("predecessors", &self.predecessors, false, 500))
            .flatten();
        let deadline = errs
            .check(validation::optional_date("deadline", &self.deadline))
            .flatten();
        let start_no_earlier = errs
            .check(validation::optional_date("start_no_earlier", &self.start_no_earlier))
            .flatten();
        let actual_start = errs
            .check(validation::optional_date("actual_start", &self.actual_start))
            .flatten();
        let actual_finish = errs
            .check(validation::optional_date("actual_finish", &self.actual_finish))
            .flatten();
        let mut progress = if self.progress.trim().is_empty() {
            Some(TaskProgress::NotStarted)
        } else {
            errs.check(TaskProgress::field("progress", &self.progress))
        };
        let note = errs.check(validation::text("note", &self.note, false, 2000)).flatten();
        if let (Some(s), Some(f)) = (actual_start, actual_finish)
            && f < s
        {
            errs.push(
                "actual_finish",
                Rule::EndBeforeStart {
                    start_field: "actual_start".into(),
                },
            );
        }
        // An actual finish means the work is done whatever the dropdown said; an actual start
        // moves a task out of "not started". This keeps the two inputs from contradicting.
        if actual_finish.is_some() {
            progress = Some(TaskProgress::Done);
        } else if actual_start.is_some() && progress == Some(TaskProgress::NotStarted) {
            progress = Some(TaskProgress::InProgress);
        }
        errs.into_result(|| TaskDraft {
            name: name.unwrap_or_default(),
            responsible_unit_id,
            responsible_person,
            duration_days: duration_days.unwrap_or(0),
            predecessors: predecessors.unwrap_or_default(),
            deadline,
            start_no_earlier,
            actual_start,
            actual_finish,
            progress: progress.unwrap_or(TaskProgress::NotStarted),
            note,
        })
    }
}

/// A duration in working days: a whole number from 0 to [`MAX_DURATION_DAYS`].
pub fn duration_field(field: &str, value: &str) -> Result<i64, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    let n: i64 = v.parse().map_err(|_| FieldError::new(field, Rule::NotANumber))?;
    if n < 0 {
        return Err(FieldError::new(field, Rule::Negative));
    }
    if n > MAX_DURATION_DAYS {
        return Err(FieldError::new(
            field,
            Rule::OutOfRange {
                min: "0".into(),
                max: MAX_DURATION_DAYS.to_string(),
            },
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actual_finish_marks_the_task_done() {
        let f = TaskForm {
            name: "环评批复".into(),
            duration_days: "15".into(),
            actual_start: "2026-03-02".into(),
            actual_finish: "2026-03-20".into(),
            ..Default::default()
        };
        assert_eq!(f.validate().unwrap().progress, TaskProgress::Done);
    }

    #[test]
    fn a_finish_before_the_start_is_refused_on_the_finish_field() {
        let f = TaskForm {
            name: "x".into(),
            duration_days: "1".into(),
            actual_start: "2026-03-20".into(),
            actual_finish: "2026-03-02".into(),
            ..Default::default()
        };
        let e = f.validate().unwrap_err();
        assert_eq!(e.0[0].field, "actual_finish");
    }

    #[test]
    fn durations_are_whole_non_negative_working_days() {
        assert_eq!(duration_field("d", "0").unwrap(), 0);
        assert_eq!(duration_field("d", "-1").unwrap_err().rule, Rule::Negative);
        assert_eq!(duration_field("d", "1.5").unwrap_err().rule, Rule::NotANumber);
        assert!(duration_field("d", "5000").is_err());
    }
}

/// What a responsible unit reports on its own task from its desk: progress, actual dates and a
/// note. (Durations, dependencies and deadlines are the office's to change.)
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgressForm {
    pub progress: String,
    pub actual_start: String,
    pub actual_finish: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReport {
    pub progress: TaskProgress,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    pub note: Option<String>,
}

impl ProgressForm {
    /// Checks the report; actual dates may not lie in the future (`today`).
    pub fn validate(&self, today: NaiveDate) -> Result<ProgressReport, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let mut progress = if self.progress.trim().is_empty() {
            None
        } else {
            errs.check(TaskProgress::field("progress", &self.progress))
        };
        let future = |field: &str, d: Option<NaiveDate>| -> Result<Option<NaiveDate>, FieldError> {
            match d {
                Some(d) if d > today => Err(FieldError::new(
                    field,
                    Rule::Other {
                        zh: format!("实际日期不能晚于今天（{today}）"),
                        en: format!("an actual date cannot be after today ({today})"),
                    },
                )),
                d => Ok(d),
            }
        };
        let actual_start = errs
            .check(
                validation::optional_date("actual_start", &self.actual_start).and_then(|d| future("actual_start", d)),
            )
            .flatten();
        let actual_finish = errs
            .check(
                validation::optional_date("actual_finish", &self.actual_finish)
                    .and_then(|d| future("actual_finish", d)),
            )
            .flatten();
        let note = errs.check(validation::text("note", &self.note, false, 2000)).flatten();
        if let (Some(s), Some(f)) = (actual_start, actual_finish)
            && f < s
        {
            errs.push(
                "actual_finish",
                Rule::EndBeforeStart {
                    start_field: "actual_start".into(),
                },
            );
        }
        if actual_finish.is_some() && actual_start.is_none() {
            errs.push("actual_start", Rule::Required);
        }
        if progress == Some(TaskProgress::Done) && actual_finish.is_none() {
            errs.push("actual_finish", Rule::Required);
        }
        if actual_finish.is_some() {
            progress = Some(TaskProgress::Done);
        } else if actual_start.is_some() && progress.is_none_or(|p| p == TaskProgress::NotStarted) {
            progress = Some(TaskProgress::InProgress);
        }
        errs.into_result(|| ProgressReport {
            progress: progress.unwrap_or(TaskProgress::NotStarted),
            actual_start,
            actual_finish,
            note,
        })
    }
}

#[cfg(test)]
mod progress_tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn a_unit_reports_a_task_done_with_its_dates() {
        let f = ProgressForm {
            progress: "done".into(),
            actual_start: "2026-11-02".into(),
            actual_finish: "2026-11-20".into(),
            note: "已取得批复".into(),
        };
        let r = f.validate(today()).unwrap();
        assert_eq!(r.progress, TaskProgress::Done);
        assert_eq!(r.note.as_deref(), Some("已取得批复"));
    }

    #[test]
    fn done_without_a_finish_date_or_a_date_in_the_future_is_refused() {
        let f = ProgressForm {
            progress: "done".into(),
            ..Default::default()
        };
        assert_eq!(f.validate(today()).unwrap_err().0[0].field, "actual_finish");
        let f = ProgressForm {
            actual_start: "2026-12-01".into(),
            ..Default::default()
        };
        assert_eq!(f.validate(today()).unwrap_err().0[0].field, "actual_start");
    }
}
