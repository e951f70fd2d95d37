//! 议定事项 — what a meeting decided, and the assignments (交办) among them.
//!
//! # Why an assignment becomes a problem (问题), not a task
//!
//! An assignment — "县供电公司 to settle 示例锂电's 10kV connection by 12-15" — is tracked as a
//! problem assigned to the unit, for three reasons:
//!
//! * **Its loop is the problem's loop.** The office assigns (交办) with a deadline, the unit
//!   reports back (答复), and it is closed only when someone confirms it done (确认销号) — the
//!   office, or the project's enterprise when it is their obstacle. A task is closed by its own
//!   unit ticking it done, which is not how a 督办 item is closed.
//! * **It must not bend the schedule.** Tasks are nodes of the project's 倒排工期 network: every
//!   task must finish by the project's target 开工 date, so an assignment on a project that has
//!   already started would be red the moment it was created, and a new node would shift the
//!   floats and the critical path of the approval chain. A problem has only its own deadline.
//! * **It speaks to the right people.** A problem is raised on a project and red when overdue
//!   ([`crate::problem::is_overdue`]); assigning one already notifies the unit's group robot.
//!
//! The assignment therefore needs a project, a unit and a deadline that is not in the past. Its
//! problem stays on the unit's desk and on every later agenda (carried over, counted) until solved.

use crate::problem::ProblemDraft;
use crate::validation::{self, FieldError, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A decision as typed; the three assignment fields are all empty for a plain decision.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub text: String,
    pub unit_id: String,
    pub deadline: String,
    pub project_id: String,
}

/// 交办: who must do it, by when, on which project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub unit_id: i64,
    pub deadline: NaiveDate,
    pub project_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionDraft {
    pub text: String,
    pub assignment: Option<Assignment>,
}

fn id_field(field: &str, value: &str) -> Result<Option<i64>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or_else(|| FieldError::new(field, Rule::NotANumber))
}

impl DecisionForm {
    /// Checks the decision against `today`: the text is required, and an assignment needs all of
    /// unit, deadline and project, with a deadline not before today. Whether the unit and the
    /// project exist in the county, storage checks.
    pub fn validate(&self, today: NaiveDate) -> Result<DecisionDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let text = errs.check(validation::required_text("text", &self.text, 2000));
        let unit_id = errs.check(id_field("unit_id", &self.unit_id)).flatten();
        let project_id = errs.check(id_field("project_id", &self.project_id)).flatten();
        let deadline = errs
            .check(validation::optional_date("deadline", &self.deadline))
            .flatten();
        if let Some(d) = deadline
            && d < today
        {
            errs.push(
                "deadline",
                Rule::Other {
                    zh: format!("完成时限不能早于今天（{today}）"),
                    en: format!("must not be before today ({today})"),
                },
            );
        }
        let typed = |v: &str| !v.trim().is_empty();
        let any = typed(&self.unit_id) || typed(&self.deadline) || typed(&self.project_id);
        if any {
            for (field, value) in [
                ("unit_id", &self.unit_id),
                ("deadline", &self.deadline),
                ("project_id", &self.project_id),
            ] {
                if !typed(value) {
                    errs.push(
                        field,
                        Rule::Other {
                            zh: "交办事项须同时填写责任单位、完成时限和项目".into(),
                            en: "an assignment needs a responsible unit, a deadline and a project".into(),
                        },
                    );
                }
            }
        }
        errs.into_result(|| DecisionDraft {
            text: text.unwrap_or_default(),
            assignment: match (unit_id, deadline, project_id) {
                (Some(unit_id), Some(deadline), Some(project_id)) => Some(Assignment {
                    unit_id,
                    deadline,
                    project_id,
                }),
                _ => None,
            },
        })
    }
}

impl DecisionDraft {
    /// The problem an assignment becomes: "第6次调度会交办：…" with the decision quoted up to
    /// `title_chars` characters, and the whole decision as its description.
    pub fn assignment_problem(&self, meeting_number: i64, title_chars: usize) -> ProblemDraft {
        let quoted: String = self.text.chars().take(title_chars).collect();
        let first_line = quoted.lines().next().unwrap_or_default();
        let ellipsis = if first_line.chars().count() < self.text.chars().count() {
            "…"
        } else {
            ""
        };
        ProblemDraft {
            title: format!("第{meeting_number}次调度会交办：{first_line}{ellipsis}"),
            description: Some(self.text.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn a_plain_decision_has_no_assignment() {
        let f = DecisionForm {
            text: "  加快推进锂电新材料产业园建设  ".into(),
            ..Default::default()
        };
        let d = f.validate(today()).unwrap();
        assert_eq!(d.text, "加快推进锂电新材料产业园建设");
        assert_eq!(d.assignment, None);
    }

    #[test]
    fn an_assignment_needs_unit_deadline_and_project() {
        let f = DecisionForm {
            text: "协调10kV专线接入".into(),
            unit_id: "5".into(),
            ..Default::default()
        };
        let fields: Vec<String> = f
            .validate(today())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["deadline", "project_id"]);
        let f = DecisionForm {
            deadline: "2026-12-15".into(),
            project_id: "9".into(),
            ..f
        };
        assert_eq!(
            f.validate(today()).unwrap().assignment,
            Some(Assignment {
                unit_id: 5,
                deadline: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
                project_id: 9
            })
        );
    }

    #[test]
    fn an_empty_decision_and_a_deadline_in_the_past_are_refused() {
        let f = DecisionForm {
            text: "   ".into(),
            unit_id: "5".into(),
            deadline: "2026-11-29".into(),
            project_id: "9".into(),
        };
        let e = f.validate(today()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["text", "deadline"]);
        assert_eq!(e.0[0].rule, Rule::Required);
        assert!(
            e.0[1]
                .rule
                .message(crate::validation::Lang::En)
                .contains("before today")
        );
    }

    #[test]
    fn the_assignment_problem_quotes_the_decision_and_names_the_meeting() {
        let d = DecisionDraft {
            text: "请县供电公司于12月15日前完成10kV专线接入方案批复\n并报专班办公室".into(),
            assignment: None,
        };
        let p = d.assignment_problem(6, 10);
        assert_eq!(p.title, "第6次调度会交办：请县供电公司于12月…");
        assert_eq!(
            d.assignment_problem(6, 40).title,
            "第6次调度会交办：请县供电公司于12月15日前完成10kV专线接入方案批复…"
        );
        assert_eq!(p.description.as_deref(), Some(d.text.as_str()));
        let short = DecisionDraft {
            text: "办结".into(),
            assignment: None,
        };
        assert_eq!(short.assignment_problem(7, 10).title, "第7次调度会交办：办结");
    }
}
