//! 问题清单 — problems raised on a project, assigned to a unit, answered and confirmed.

use crate::labelled_enum;
use crate::validation::{self, FieldError, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// The life of a problem: raised → assigned (交办) → answered (答复) → solved (确认解决).
    /// An enterprise that is not satisfied with the answer sends it back to assigned.
    pub enum ProblemStatus {
        Raised = ("raised", "待交办", "Raised"),
        Assigned = ("assigned", "办理中", "Assigned"),
        Answered = ("answered", "已答复", "Answered"),
        Solved = ("solved", "已解决", "Solved"),
    }
}

/// What can be done to a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemStep {
    Assign,
    Answer,
    Confirm,
    Reject,
}

impl ProblemStatus {
    /// The status after `step`, or the rule that forbids it here.
    pub fn after(self, step: ProblemStep) -> Result<ProblemStatus, FieldError> {
        use ProblemStatus::*;
        use ProblemStep::*;
        match (self, step) {
            (Raised | Assigned, Assign) => Ok(Assigned),
            (Assigned, Answer) => Ok(Answered),
            (Answered, Confirm) => Ok(Solved),
            (Answered, Reject) => Ok(Assigned),
            (from, _) => Err(FieldError::new(
                "status",
                Rule::Other {
                    zh: format!(
                        "问题当前为“{}”，不能进行此操作",
                        from.label(crate::validation::Lang::Zh)
                    ),
                    en: format!(
                        "the problem is '{}' and cannot take this step",
                        from.label(crate::validation::Lang::En)
                    ),
                },
            )),
        }
    }

    pub fn is_open(self) -> bool {
        self != ProblemStatus::Solved
    }
}

/// A problem is overdue (red, like a task) when it still waits on the assigned unit — raised or
/// assigned, not yet answered — and its deadline has passed.
pub fn is_overdue(status: ProblemStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
    matches!(status, ProblemStatus::Raised | ProblemStatus::Assigned) && deadline.is_some_and(|d| d < today)
}

/// Raising a problem.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProblemForm {
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemDraft {
    pub title: String,
    pub description: Option<String>,
}

impl ProblemForm {
    pub fn validate(&self) -> Result<ProblemDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let title = errs.check(validation::required_text("title", &self.title, 200));
        let description = errs
            .check(validation::text("description", &self.description, false, 4000))
            .flatten();
        errs.into_result(|| ProblemDraft {
            title: title.unwrap_or_default(),
            description,
        })
    }
}

/// Assigning (交办) a problem to a unit with a deadline that is not in the past.
pub fn validate_assignment(
    unit_id: &str,
    deadline: &str,
    today: NaiveDate,
) -> Result<(i64, NaiveDate), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let unit = if unit_id.trim().is_empty() {
        errs.push("unit_id", Rule::Required);
        None
    } else {
        errs.check(
            unit_id
                .trim()
                .parse::<i64>()
                .map_err(|_| FieldError::new("unit_id", Rule::NotANumber)),
        )
    };
    let deadline = match validation::optional_date("deadline", deadline) {
        Ok(None) => {
            errs.push("deadline", Rule::Required);
            None
        }
        Ok(Some(d)) if d < today => {
            errs.push(
                "deadline",
                Rule::Other {
                    zh: format!("不能早于今天（{today}）"),
                    en: format!("must not be before today ({today})"),
                },
            );
            None
        }
        Ok(Some(d)) => Some(d),
        Err(e) => {
            errs.0.push(e);
            None
        }
    };
    match (unit, deadline) {
        (Some(u), Some(d)) if errs.is_empty() => Ok((u, d)),
        _ => Err(errs),
    }
}

/// An answer (答复) from the assigned unit.
pub fn validate_answer(answer: &str) -> Result<String, ValidationErrors> {
    validation::required_text("answer", answer, 4000).map_err(Into::into)
}

/// The enterprise's confirmation: a 1–5 rating of the service and an optional comment.
pub fn validate_rating(rating: &str, comment: &str) -> Result<(i64, Option<String>), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let r = match rating.trim().parse::<i64>() {
        Ok(r) if (1..=5).contains(&r) => Some(r),
        Ok(_) => {
            errs.push(
                "rating",
                Rule::OutOfRange {
                    min: "1".into(),
                    max: "5".into(),
                },
            );
            None
        }
        Err(_) if rating.trim().is_empty() => {
            errs.push("rating", Rule::Required);
            None
        }
        Err(_) => {
            errs.push("rating", Rule::NotANumber);
            None
        }
    };
    let comment = errs.check(validation::text("comment", comment, false, 1000)).flatten();
    errs.into_result(|| (r.unwrap_or(0), comment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_goes_from_raised_to_solved() {
        let s = ProblemStatus::Raised.after(ProblemStep::Assign).unwrap();
        let s = s.after(ProblemStep::Answer).unwrap();
        assert_eq!(s.after(ProblemStep::Reject).unwrap(), ProblemStatus::Assigned);
        let s = s.after(ProblemStep::Confirm).unwrap();
        assert_eq!(s, ProblemStatus::Solved);
        assert!(!s.is_open());
        assert!(ProblemStatus::Solved.after(ProblemStep::Answer).is_err());
        assert!(ProblemStatus::Raised.after(ProblemStep::Confirm).is_err());
    }

    #[test]
    fn a_deadline_in_the_past_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let e = validate_assignment("3", "2026-11-01", today).unwrap_err();
        assert_eq!(e.0[0].field, "deadline");
        assert_eq!(validate_assignment("3", "2026-11-29", today).unwrap(), (3, today));
        let e = validate_assignment("", "", today).unwrap_err();
        assert_eq!(e.0.len(), 2);
    }

    #[test]
    fn a_problem_is_overdue_only_while_it_waits_on_the_unit() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let yesterday = today.pred_opt();
        assert!(is_overdue(ProblemStatus::Assigned, yesterday, today));
        assert!(!is_overdue(ProblemStatus::Assigned, Some(today), today));
        assert!(!is_overdue(ProblemStatus::Answered, yesterday, today));
        assert!(!is_overdue(ProblemStatus::Assigned, None, today));
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(validate_rating("5", "很及时").unwrap(), (5, Some("很及时".into())));
        assert_eq!(
            validate_rating("6", "").unwrap_err().0[0].rule,
            Rule::OutOfRange {
                min: "1".into(),
                max: "5".into()
            }
        );
        assert_eq!(validate_rating("", "").unwrap_err().0[0].rule, Rule::Required);
    }
}
