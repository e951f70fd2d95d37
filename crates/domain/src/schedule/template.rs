//! 模板 — approval-chain templates: the standard steps of a project with default durations,
//! owning units and predecessors, applied backward from a target 开工 date.
//!
//! Templates are data an administrator edits (`data/templates/*.json`), so [`Template::parse`]
//! checks everything the scheduler would refuse later and names the step at fault: a missing
//! field, a bad duration or unit kind, an unknown predecessor, a duplicate code, a cycle.
//!
//! ```json
//! {"code": "industrial-approval", "name": "工业项目开工前审批链", "steps": [
//!   {"code": "filing", "name": "项目备案", "duration": 1, "owner": "发改委",
//!    "owner_kind": "department", "predecessors": ""}, …]}
//! ```
//! `predecessors` uses the same syntax as everywhere else (`eia; energy-review SS+2`, see
//! [`super::parse_predecessors`]); `owner_kind` is a [`UnitKind`] code or label.

use super::{Anchor, Constraints, Dependency, Network, NetworkError, ScheduleWarning, TaskInput, parse_predecessors};
use crate::calendar::Calendar;
use crate::org::UnitKind;
use crate::task::MAX_DURATION_DAYS;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

const INDUSTRIAL_APPROVAL: &str = include_str!("../../../../data/templates/industrial-approval.json");

/// One step of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateStep {
    /// Stable code, unique in the template; predecessors refer to it.
    pub code: String,
    pub name: String,
    /// Working days; 0 = milestone.
    pub duration: i64,
    /// The name of the owning unit (责任单位) as counties usually call it; the caller maps it to a
    /// unit of its region.
    pub owner: String,
    pub owner_kind: UnitKind,
    pub predecessors: Vec<Dependency<String>>,
    pub note: Option<String>,
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub steps: Vec<TemplateStep>,
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    NotJson(String),
    /// A top-level field is missing or of the wrong kind.
    BadField {
        field: String,
        problem: String,
    },
    /// `step` counts from 1; `code` is the step's code when it has one.
    BadStep {
        step: usize,
        code: String,
        problem: String,
    },
    /// Problems between steps (unknown predecessor, duplicate code, cycle), by step code.
    Network(Vec<NetworkError<String>>),
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::NotJson(e) => write!(f, "template is not valid JSON: {e}"),
            TemplateError::BadField { field, problem } => {
                write!(f, "template field \"{field}\" {problem}")
            }
            TemplateError::BadStep { step, code, problem } => write!(f, "template step {step} ({code}): {problem}"),
            TemplateError::Network(errors) => {
                let parts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                write!(f, "template steps: {}", parts.join("; "))
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// A step with its backward-scheduled dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStep {
    pub step: TemplateStep,
    /// The latest start and finish that still meet the target (倒排工期).
    pub planned_start: NaiveDate,
    pub planned_finish: NaiveDate,
    pub total_float: i64,
    pub critical: bool,
}

/// The result of applying a template to a target date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedTemplate {
    /// In the template's order.
    pub steps: Vec<PlannedStep>,
    /// The day the first step must start for the target to hold.
    pub start_by: NaiveDate,
    pub warnings: Vec<ScheduleWarning>,
}

impl Template {
    /// The standard approval chain of an industrial project (DOMAIN.md §1), as shipped.
    pub fn industrial_approval() -> Template {
        Template::parse(INDUSTRIAL_APPROVAL).expect("the shipped template is valid")
    }

    pub fn parse(json: &str) -> Result<Template, TemplateError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| TemplateError::NotJson(e.to_string()))?;
        let text = |field: &str, required: bool| -> Result<Option<String>, TemplateError> {
            match value.get(field) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
                None | Some(serde_json::Value::Null) if !required => Ok(None),
                _ => Err(TemplateError::BadField {
                    field: field.into(),
                    problem: "must be non-empty text".into(),
                }),
            }
        };
        let code = text("code", true)?.unwrap_or_default();
        let name = text("name", true)?.unwrap_or_default();
        let description = text("description", false)?;
        let raw_steps = value
            .get("steps")
            .and_then(|s| s.as_array())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| TemplateError::BadField {
                field: "steps".into(),
                problem: "must be a non-empty list".into(),
            })?;
        let steps = raw_steps
            .iter()
            .enumerate()
            .map(|(i, s)| parse_step(i + 1, s))
            .collect::<Result<Vec<_>, _>>()?;
        let template = Template {
            code,
            name,
            description,
            steps,
        };
        Network::build(&template.task_inputs()).map_err(TemplateError::Network)?;
        Ok(template)
    }

    fn task_inputs(&self) -> Vec<TaskInput<String>> {
        self.steps
            .iter()
            .map(|s| TaskInput {
                id: s.code.clone(),
                duration: s.duration,
                predecessors: s.predecessors.clone(),
                constraints: Constraints::default(),
            })
            .collect()
    }

    /// Schedules every step backward so that the whole chain (its last step is usually the 开工
    /// milestone) finishes by `target`.
    pub fn apply(&self, target: NaiveDate, calendar: &Calendar) -> Result<AppliedTemplate, TemplateError> {
        let network = Network::build(&self.task_inputs()).map_err(TemplateError::Network)?;
        let schedule = network
            .schedule(calendar, Anchor::Backward { target, start: None })
            .map_err(|e| TemplateError::Network(vec![e]))?;
        let steps = self
            .steps
            .iter()
            .zip(schedule.tasks())
            .map(|(step, t)| PlannedStep {
                step: step.clone(),
                planned_start: t.late_start,
                planned_finish: t.late_finish,
                total_float: t.total_float,
                critical: t.critical,
            })
            .collect();
        Ok(AppliedTemplate {
            steps,
            start_by: schedule.project_start(),
            warnings: schedule.warnings.clone(),
        })
    }
}

fn parse_step(step: usize, value: &serde_json::Value) -> Result<TemplateStep, TemplateError> {
    let code = value
        .get("code")
        .and_then(|c| c.as_str())
        .map(|c| c.trim().to_string())
        .unwrap_or_default();
    let fail = |problem: String| TemplateError::BadStep {
        step,
        code: if code.is_empty() {
            "no code".into()
        } else {
            code.clone()
        },
        problem,
    };
    if code.is_empty() {
        return Err(fail("\"code\" is missing or empty".into()));
    }
    if code.chars().any(|c| c.is_whitespace() || c == ';' || c == ',') {
        return Err(fail(
            "\"code\" may not contain spaces, ';' or ',' (they separate predecessors)".into(),
        ));
    }
    let text = |field: &str| {
        value
            .get(field)
            .and_then(|v| v.as_str())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let name = text("name").ok_or_else(|| fail("\"name\" is missing or empty".into()))?;
    let owner = text("owner").ok_or_else(|| fail("\"owner\" is missing or empty".into()))?;
    let kind_text = text("owner_kind").unwrap_or_default();
    let owner_kind = UnitKind::parse_loose(&kind_text).ok_or_else(|| {
        let allowed: Vec<&str> = UnitKind::ALL.iter().map(|k| k.code()).collect();
        fail(format!(
            "\"owner_kind\" \"{kind_text}\" must be one of {}",
            allowed.join(", ")
        ))
    })?;
    let duration = value
        .get("duration")
        .and_then(|d| d.as_i64())
        .ok_or_else(|| fail("\"duration\" must be a whole number of working days".into()))?;
    if !(0..=MAX_DURATION_DAYS).contains(&duration) {
        return Err(fail(format!(
            "\"duration\" {duration} must be between 0 and {MAX_DURATION_DAYS} working days"
        )));
    }
    let predecessors = match value.get("predecessors") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::String(s)) => {
            parse_predecessors(s).map_err(|e| fail(format!("\"predecessors\": {e}")))?
        }
        Some(_) => {
            return Err(fail("\"predecessors\" must be text such as \"a; bSS+2\"".into()));
        }
    };
    Ok(TemplateStep {
        code: code.clone(),
        name,
        duration,
        owner,
        owner_kind,
        predecessors,
        note: text("note"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_industrial_chain_scheduled_back_from_groundbreaking_on_30_june_2026() {
        let t = Template::industrial_approval();
        let applied = t.apply(d("2026-06-30"), Calendar::built_in()).unwrap();
        let step = |code: &str| applied.steps.iter().find(|s| s.step.code == code).unwrap().clone();
        let ground = step("groundbreaking");
        assert_eq!(ground.planned_finish, d("2026-06-30"));
        assert!(ground.critical);
        // 施工许可 takes the last five working days: Wed 06-24 … Tue 06-30.
        let permit = step("construction-permit");
        assert_eq!(
            (permit.planned_start, permit.planned_finish),
            (d("2026-06-24"), d("2026-06-30"))
        );
        // 安评 is the longest of the three parallel reviews, so it is critical and 环评 is not.
        assert!(step("safety-review").critical);
        assert_eq!(step("eia").total_float, 17);
        assert_eq!(step("drawing-review").step.owner_kind, UnitKind::Other);
        assert_eq!(step("power").step.owner, "供电公司");
        assert!(applied.warnings.is_empty());
        assert_eq!(applied.start_by, step("filing").planned_start);
        // Every step has a unit to own it and finishes by the target.
        for s in &applied.steps {
            assert!(!s.step.owner.is_empty());
            assert!(s.planned_finish <= d("2026-06-30"));
        }
    }

    #[test]
    fn an_edited_template_with_mistakes_names_the_step_at_fault() {
        let e = Template::parse(
            r#"{"code": "x", "name": "x", "steps": [
                {"code": "a", "name": "A", "duration": 2, "owner": "发改委", "owner_kind": "department"},
                {"code": "b", "name": "B", "duration": -1, "owner": "发改委", "owner_kind": "department"}
            ]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "template step 2 (b): \"duration\" -1 must be between 0 and 1000 working days"
        );
        let e = Template::parse(
            r#"{"code": "x", "name": "x", "steps": [
                {"code": "a", "name": "A", "duration": 2, "owner": "发改委", "owner_kind": "ministry"}
            ]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("step 1 (a)"), "{e}");
        let e = Template::parse(
            r#"{"code": "x", "name": "x", "steps": [
                {"code": "a", "name": "A", "duration": 2, "owner": "发改委", "owner_kind": "部门", "predecessors": "b"},
                {"code": "b", "name": "B", "duration": 2, "owner": "发改委", "owner_kind": "部门", "predecessors": "a"},
                {"code": "c", "name": "C", "duration": 2, "owner": "发改委", "owner_kind": "部门", "predecessors": "zz"}
            ]}"#,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "template steps: task c: unknown predecessor zz");
        let e = Template::parse(
            r#"{"code": "x", "name": "x", "steps": [
                {"code": "a", "name": "A", "duration": 2, "owner": "发改委", "owner_kind": "部门", "predecessors": "b"},
                {"code": "b", "name": "B", "duration": 2, "owner": "发改委", "owner_kind": "部门", "predecessors": "a"}
            ]}"#,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "template steps: dependency cycle: a → b → a");
        assert!(matches!(
            Template::parse(r#"{"code": "x", "name": "x", "steps": []}"#).unwrap_err(),
            TemplateError::BadField { .. }
        ));
    }
}
