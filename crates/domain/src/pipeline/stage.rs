//! Stage transitions (阶段变更): the road 线索/在谈 → 签约 → 注册 → 备案 → 供地 → 开工 → 投产 → 达产,
//! and the two side roads 暂停 (paused) and 终止 (terminated), each with a date, who did it and,
//! where the rule asks for one, a reason.
//!
//! The rules, in order of checking:
//! - a terminated project moves no more; a paused project may only resume (恢复) or terminate;
//! - an active project moves forward only (skipping stages is allowed — a ledger often records
//!   注册 and 备案 on the same day — but never back, and never to the stage it is at);
//! - 暂停 and 终止 need a reason;
//! - 开工 (or any stage after it) needs 供地 first, unless the office overrides the rule with a
//!   reason (an override by anyone else is refused);
//! - the date is required, not in the future and not before the last recorded date of the
//!   project's road (dates never run backwards).

use crate::project::{ProjectState, Stage};
use crate::validation::{self, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a stage change asks for: a stage ahead on the road, or a change of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "stage", rename_all = "snake_case")]
pub enum StageMove {
    /// Move on to this stage.
    To(Stage),
    /// 暂停.
    Pause,
    /// 终止.
    Terminate,
    /// 恢复 — a paused project becomes active again at the stage it had reached.
    Resume,
}

impl StageMove {
    /// The code the form and the API use: a stage code, or `paused`, `terminated`, `active`.
    pub fn parse(code: &str) -> Option<StageMove> {
        match code.trim() {
            "paused" | "暂停" => Some(StageMove::Pause),
            "terminated" | "终止" => Some(StageMove::Terminate),
            "active" | "resume" | "恢复" => Some(StageMove::Resume),
            other => Stage::parse(other)
                .or_else(|| Stage::parse_loose(other))
                .map(StageMove::To),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StageMove::To(s) => s.code(),
            StageMove::Pause => "paused",
            StageMove::Terminate => "terminated",
            StageMove::Resume => "active",
        }
    }

    /// Every code a form may offer, in road order.
    pub fn all_codes() -> Vec<&'static str> {
        let mut v: Vec<&'static str> = Stage::ALL.iter().map(|s| s.code()).collect();
        v.extend(["paused", "terminated", "active"]);
        v
    }
}

/// Where the project stands now, as far as the rule needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFacts {
    pub stage: Stage,
    pub state: ProjectState,
    /// Whether 供地 has an actual date (land supplied), whatever the current stage says.
    pub land_supplied: bool,
    /// The latest date on the project's road: the latest actual stage date or change date.
    pub last_date: Option<NaiveDate>,
}

impl StageFacts {
    /// A project about to be created: a 线索 with no road behind it.
    pub fn new_project() -> StageFacts {
        StageFacts {
            stage: Stage::Lead,
            state: ProjectState::Active,
            land_supplied: false,
            last_date: None,
        }
    }

    /// Where the project stands once `change` is recorded — what storage will read back — so a
    /// road of several changes can be checked as a whole before any of it is written.
    pub fn after(&self, change: &StageChange) -> StageFacts {
        let (stage, state) = change.outcome(self);
        StageFacts {
            stage,
            state,
            land_supplied: self.land_supplied || change.movement == StageMove::To(Stage::LandSupplied),
            last_date: Some(self.last_date.map_or(change.date, |d| d.max(change.date))),
        }
    }
}

/// What the user typed, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StageChangeForm {
    /// A stage code (`land_supplied` …) or `paused`, `terminated`, `active`.
    pub to: String,
    /// The day it happened (`YYYY-MM-DD`).
    pub date: String,
    pub reason: String,
    /// `1`/`true`/`on`: the office overrides the 供地-before-开工 rule (needs a reason).
    #[serde(rename = "override")]
    pub override_rule: String,
}

/// A checked stage change, ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageChange {
    #[serde(rename = "move")]
    pub movement: StageMove,
    pub date: NaiveDate,
    pub reason: Option<String>,
    /// The 供地-before-开工 rule was overridden by the office.
    pub overridden: bool,
}

impl StageChange {
    /// The stage and state the project has after this change.
    pub fn outcome(&self, facts: &StageFacts) -> (Stage, ProjectState) {
        match self.movement {
            StageMove::To(s) => (s, ProjectState::Active),
            StageMove::Pause => (facts.stage, ProjectState::Paused),
            StageMove::Terminate => (facts.stage, ProjectState::Terminated),
            StageMove::Resume => (facts.stage, ProjectState::Active),
        }
    }
}

fn truthy(s: &str) -> bool {
    matches!(s.trim(), "1" | "true" | "on" | "yes")
}

fn other(zh: &str, en: &str) -> Rule {
    Rule::Other {
        zh: zh.into(),
        en: en.into(),
    }
}

impl StageChangeForm {
    /// Checks the change against the project's facts. `may_override` says whether the user is
    /// the office (the only one who may override the 供地-before-开工 rule); `today` is the date in
    /// China. Reports every broken rule at once.
    pub fn validate(
        &self,
        facts: &StageFacts,
        may_override: bool,
        today: NaiveDate,
    ) -> Result<StageChange, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let movement = if self.to.trim().is_empty() {
            errs.push("to", Rule::Required);
            None
        } else {
            match StageMove::parse(&self.to) {
                Some(m) => Some(m),
                None => {
                    errs.push(
                        "to",
                        Rule::NotOneOf {
                            allowed: StageMove::all_codes().into_iter().map(String::from).collect(),
                        },
                    );
                    None
                }
            }
        };
        let date = if self.date.trim().is_empty() {
            errs.push("date", Rule::Required);
            None
        } else {
            errs.check(validation::optional_date("date", &self.date)).flatten()
        };
        let reason = errs
            .check(validation::text("reason", &self.reason, false, 500))
            .flatten();
        let overriding = truthy(&self.override_rule);

        if let Some(m) = movement {
            match (facts.state, m) {
                (ProjectState::Terminated, _) => errs.push(
                    "to",
                    other(
                        "项目已终止，不能再变更阶段",
                        "the project is terminated and moves no more",
                    ),
                ),
                (ProjectState::Paused, StageMove::To(_) | StageMove::Pause) => errs.push(
                    "to",
                    other(
                        "项目已暂停：只能恢复或终止",
                        "the project is paused: it can only resume or terminate",
                    ),
                ),
                (ProjectState::Active, StageMove::Resume) => {
                    errs.push("to", other("项目正在推进，无需恢复", "the project is active already"))
                }
                (ProjectState::Active, StageMove::To(s)) if s <= facts.stage => errs.push(
                    "to",
                    Rule::Other {
                        zh: format!(
                            "只能向后推进：当前阶段为{}",
                            facts.stage.label(crate::validation::Lang::Zh)
                        ),
                        en: format!(
                            "stages only move forward: the project is at {}",
                            facts.stage.label(crate::validation::Lang::En)
                        ),
                    },
                ),
                _ => {}
            }
            if matches!(m, StageMove::Pause | StageMove::Terminate) && reason.is_none() {
                errs.push("reason", Rule::Required);
            }
            let needs_land = matches!(m, StageMove::To(s) if s >= Stage::Started)
                && !facts.land_supplied
                && facts.stage < Stage::LandSupplied;
            if needs_land && !(overriding && may_override) {
                errs.push(
                    "to",
                    other(
                        "未供地不能开工（专班办公室可注明理由后越过此规则）",
                        "construction cannot start before land is supplied (the office may override with a reason)",
                    ),
                );
            }
        }
        if overriding {
            if !may_override {
                errs.push(
                    "override",
                    other(
                        "只有专班办公室可以越过阶段规则",
                        "only the task-force office may override the stage rule",
                    ),
                );
            } else if reason.is_none() {
                errs.push("reason", Rule::Required);
            }
        }
        if let Some(d) = date {
            if d > today {
                errs.push(
                    "date",
                    Rule::Other {
                        zh: format!("不能晚于今天（{today}）"),
                        en: format!("must not be in the future (today is {today})"),
                    },
                );
            }
            if let Some(last) = facts.last_date
                && d < last
            {
                errs.push(
                    "date",
                    Rule::Other {
                        zh: format!("不能早于上一阶段的日期（{last}）"),
                        en: format!("must not be before the previous stage's date ({last})"),
                    },
                );
            }
        }
        let overridden = overriding
            && matches!(movement, Some(StageMove::To(s)) if s >= Stage::Started)
            && !facts.land_supplied
            && facts.stage < Stage::LandSupplied;
        errs.into_result(|| StageChange {
            movement: movement.unwrap_or(StageMove::Resume),
            date: date.unwrap_or(today),
            reason,
            overridden,
        })
    }
}

/// The stage a project form submitted must be the one the project has: a stage changes only
/// through a [`StageChangeForm`], so that its rules apply and the history records it.
pub fn check_stage_unchanged(current: Stage, submitted: Stage) -> Result<(), ValidationErrors> {
    if current == submitted {
        return Ok(());
    }
    Err(ValidationErrors::single(
        "stage",
        Rule::Other {
            zh: format!(
                "阶段只能通过“阶段变更”改变（项目页），当前为{}",
                current.label(crate::validation::Lang::Zh)
            ),
            en: format!(
                "the stage changes only through a stage change on the project's page; it is {}",
                current.label(crate::validation::Lang::En)
            ),
        },
    ))
}

/// What a record kept outside the system — an office's 台账 row — says of a project's road.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedRoad {
    /// The stage the record says the project is at (当前阶段), when it has that column.
    pub stage: Option<Stage>,
    /// The days it gives for stages reached (签约时间, 供地时间 …), each with the name of the field
    /// it came from, so a refusal can point at the cell.
    pub dates: Vec<(Stage, NaiveDate, String)>,
}

/// A step of a [`RecordedRoad`] that the stage rules refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadRefused {
    /// The record's field the refused step came from (`stage`, or a date field such as
    /// `started_on`).
    pub field: String,
    pub stage: Stage,
    pub date: Option<NaiveDate>,
    pub errors: ValidationErrors,
}

impl RoadRefused {
    /// The refusal as errors on the record's own field (`stage`, `started_on` …): the step broke
    /// the rule, but the user filled that field, so that is where the message belongs.
    pub fn on_record_field(self) -> ValidationErrors {
        let field = self.field;
        ValidationErrors(
            self.errors
                .0
                .into_iter()
                .map(|e| validation::FieldError::new(field.clone(), e.rule))
                .collect(),
        )
    }
}

impl RecordedRoad {
    /// The stage changes that bring a project standing at `facts` to what the record says, in
    /// road order: one per stage beyond the project's, dated as recorded (a stage without a date
    /// takes the next recorded date after it, else `today`). Each is checked by
    /// [`StageChangeForm::validate`] against the facts the previous ones leave, as someone who may
    /// not override — a record carries no reason. A date for a stage the project has already
    /// passed is no change; a 当前阶段 behind the project's is a move backwards, and refused.
    pub fn changes(&self, facts: &StageFacts, today: NaiveDate) -> Result<Vec<StageChangeForm>, RoadRefused> {
        let mut steps: Vec<(Stage, Option<NaiveDate>, String)> = self
            .dates
            .iter()
            .filter(|(s, _, _)| *s > facts.stage)
            .map(|(s, d, field)| (*s, Some(*d), field.clone()))
            .collect();
        if let Some(s) = self.stage
            && s != facts.stage
            && !steps.iter().any(|(x, _, _)| *x == s)
        {
            steps.push((s, None, "stage".into()));
        }
        steps.sort_by_key(|(s, _, _)| *s);
        let mut now = facts.clone();
        let mut forms = Vec::with_capacity(steps.len());
        for (i, (stage, date, field)) in steps.iter().enumerate() {
            let day = date
                .or_else(|| steps[i + 1..].iter().find_map(|(_, d, _)| *d))
                .unwrap_or(today);
            let form = StageChangeForm {
                to: stage.code().into(),
                date: day.to_string(),
                ..Default::default()
            };
            let change = form.validate(&now, false, today).map_err(|errors| RoadRefused {
                field: field.clone(),
                stage: *stage,
                date: *date,
                errors,
            })?;
            now = now.after(&change);
            forms.push(form);
        }
        Ok(forms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Lang;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(stage: Stage, state: ProjectState, land: bool, last: Option<&str>) -> StageFacts {
        StageFacts {
            stage,
            state,
            land_supplied: land,
            last_date: last.map(d),
        }
    }

    fn form(to: &str, date: &str, reason: &str, ov: bool) -> StageChangeForm {
        StageChangeForm {
            to: to.into(),
            date: date.into(),
            reason: reason.into(),
            override_rule: if ov { "1".into() } else { String::new() },
        }
    }

    const TODAY: &str = "2026-06-30";

    /// (case, facts, form, office?, the fields that fail — empty when allowed)
    #[test]
    fn the_road_rules_as_a_table() {
        use ProjectState::*;
        use Stage::*;
        let cases: Vec<(&str, StageFacts, StageChangeForm, bool, Vec<&str>)> = vec![
            (
                "sign a lead",
                facts(Lead, Active, false, None),
                form("signed", "2026-03-02", "", false),
                false,
                vec![],
            ),
            (
                "skip ahead to 备案",
                facts(Signed, Active, false, Some("2026-03-02")),
                form("filed", "2026-03-10", "", false),
                false,
                vec![],
            ),
            (
                "land then start",
                facts(LandSupplied, Active, true, Some("2026-04-01")),
                form("started", "2026-05-06", "", false),
                false,
                vec![],
            ),
            (
                "start without land",
                facts(Filed, Active, false, Some("2026-03-10")),
                form("started", "2026-05-06", "", false),
                false,
                vec!["to"],
            ),
            (
                "office overrides with reason",
                facts(Filed, Active, false, Some("2026-03-10")),
                form("started", "2026-05-06", "先行用地已批", true),
                true,
                vec![],
            ),
            (
                "office overrides without reason",
                facts(Filed, Active, false, Some("2026-03-10")),
                form("started", "2026-05-06", "", true),
                true,
                vec!["reason"],
            ),
            (
                "a unit cannot override",
                facts(Filed, Active, false, Some("2026-03-10")),
                form("started", "2026-05-06", "急", true),
                false,
                vec!["to", "override"],
            ),
            (
                "投产 without land is 开工 without land",
                facts(Filed, Active, false, None),
                form("in_production", "2026-05-06", "", false),
                false,
                vec!["to"],
            ),
            (
                "backwards",
                facts(Started, Active, true, Some("2026-05-06")),
                form("filed", "2026-05-07", "", false),
                false,
                vec!["to"],
            ),
            (
                "same stage",
                facts(Started, Active, true, Some("2026-05-06")),
                form("started", "2026-05-07", "", false),
                false,
                vec!["to"],
            ),
            (
                "date before the previous stage",
                facts(Signed, Active, false, Some("2026-03-02")),
                form("registered", "2026-03-01", "", false),
                false,
                vec!["date"],
            ),
            (
                "same day as the previous stage",
                facts(Signed, Active, false, Some("2026-03-02")),
                form("registered", "2026-03-02", "", false),
                false,
                vec![],
            ),
            (
                "future date",
                facts(Signed, Active, false, None),
                form("registered", "2026-07-01", "", false),
                false,
                vec!["date"],
            ),
            (
                "no date",
                facts(Signed, Active, false, None),
                form("registered", "", "", false),
                false,
                vec!["date"],
            ),
            (
                "not a date",
                facts(Signed, Active, false, None),
                form("registered", "2026-02-30", "", false),
                false,
                vec!["date"],
            ),
            (
                "unknown stage",
                facts(Signed, Active, false, None),
                form("done", "2026-03-02", "", false),
                false,
                vec!["to"],
            ),
            (
                "pause needs a reason",
                facts(Signed, Active, false, None),
                form("paused", "2026-03-02", "", false),
                false,
                vec!["reason"],
            ),
            (
                "pause with a reason",
                facts(Signed, Active, false, None),
                form("paused", "2026-03-02", "企业资金链紧张", false),
                false,
                vec![],
            ),
            (
                "terminate needs a reason",
                facts(Signed, Paused, false, None),
                form("terminated", "2026-03-02", " ", false),
                false,
                vec!["reason"],
            ),
            (
                "terminate a paused project",
                facts(Signed, Paused, false, None),
                form("terminated", "2026-03-02", "企业撤资", false),
                false,
                vec![],
            ),
            (
                "a paused project only resumes",
                facts(Signed, Paused, false, None),
                form("registered", "2026-03-02", "", false),
                false,
                vec!["to"],
            ),
            (
                "resume",
                facts(Signed, Paused, false, Some("2026-03-01")),
                form("active", "2026-03-02", "", false),
                false,
                vec![],
            ),
            (
                "resume an active project",
                facts(Signed, Active, false, None),
                form("active", "2026-03-02", "", false),
                false,
                vec!["to"],
            ),
            (
                "a terminated project is over",
                facts(Signed, Terminated, false, None),
                form("active", "2026-03-02", "", false),
                false,
                vec!["to"],
            ),
            (
                "everything wrong at once",
                facts(Filed, Active, false, Some("2026-03-10")),
                form("started", "2026-03-01", "", true),
                false,
                vec!["to", "override", "date"],
            ),
        ];
        for (case, f, fm, office, expected) in cases {
            let got = fm.validate(&f, office, d(TODAY));
            let fields: Vec<String> = match &got {
                Ok(_) => vec![],
                Err(e) => e.0.iter().map(|e| e.field.clone()).collect(),
            };
            assert_eq!(fields, expected, "{case}: {got:?}");
        }
    }

    #[test]
    fn an_override_is_recorded_only_when_it_was_needed() {
        let f = facts(Stage::Filed, ProjectState::Active, false, None);
        let c = form("started", "2026-05-06", "先行用地", true)
            .validate(&f, true, d(TODAY))
            .unwrap();
        assert!(c.overridden);
        assert_eq!(c.outcome(&f), (Stage::Started, ProjectState::Active));
        let landed = facts(Stage::LandSupplied, ProjectState::Active, true, None);
        let c = form("started", "2026-05-06", "无需", true)
            .validate(&landed, true, d(TODAY))
            .unwrap();
        assert!(!c.overridden);
    }

    #[test]
    fn pausing_keeps_the_stage_and_messages_speak_both_languages() {
        let f = facts(Stage::Registered, ProjectState::Active, false, None);
        let c = form("暂停", "2026-05-06", "环评未过", false)
            .validate(&f, false, d(TODAY))
            .unwrap();
        assert_eq!(c.outcome(&f), (Stage::Registered, ProjectState::Paused));
        let e = form("started", "2026-05-06", "", false)
            .validate(&f, false, d(TODAY))
            .unwrap_err();
        assert!(
            e.0[0]
                .rule
                .message(crate::validation::Lang::Zh)
                .contains("未供地不能开工")
        );
        assert!(
            e.0[0]
                .rule
                .message(crate::validation::Lang::En)
                .contains("before land is supplied")
        );
    }

    fn road(stage: Option<Stage>, dates: &[(Stage, &str, &str)]) -> RecordedRoad {
        RecordedRoad {
            stage,
            dates: dates.iter().map(|(s, day, f)| (*s, d(day), f.to_string())).collect(),
        }
    }

    #[test]
    fn a_ledger_row_moves_a_project_along_the_road_by_the_same_rules() {
        use Stage::*;
        let filed = facts(Filed, ProjectState::Active, false, Some("2026-03-10"));
        // Land, then start: two changes in road order, each dated as the ledger says.
        let forms = road(
            Some(Started),
            &[
                (Started, "2026-05-06", "started_on"),
                (LandSupplied, "2026-04-01", "land_supplied_on"),
                (Signed, "2026-01-05", "signed_on"),
            ],
        )
        .changes(&filed, d(TODAY))
        .unwrap();
        let steps: Vec<(&str, &str)> = forms.iter().map(|f| (f.to.as_str(), f.date.as_str())).collect();
        assert_eq!(steps, [("land_supplied", "2026-04-01"), ("started", "2026-05-06")]);
        // 开工 without 供地 is refused, naming the ledger's field and the rule.
        let refused = road(Some(Started), &[]).changes(&filed, d(TODAY)).unwrap_err();
        assert_eq!((refused.field.as_str(), refused.stage), ("stage", Started));
        assert!(refused.errors.0[0].rule.message(Lang::Zh).contains("未供地不能开工"));
        let refused = road(None, &[(Started, "2026-05-06", "started_on")])
            .changes(&filed, d(TODAY))
            .unwrap_err();
        assert_eq!(refused.field, "started_on");
        let errors = refused.on_record_field();
        assert_eq!(errors.0[0].field, "started_on");
        assert!(errors.0[0].rule.message(Lang::En).contains("before land is supplied"));
        // A stage behind the project's is a move backwards; the same stage is no change.
        let back = road(Some(Signed), &[]).changes(&filed, d(TODAY)).unwrap_err();
        assert_eq!(back.errors.0[0].field, "to");
        assert_eq!(road(Some(Filed), &[]).changes(&filed, d(TODAY)), Ok(vec![]));
        // Dates never run backwards, whoever records them.
        let early = road(None, &[(LandSupplied, "2026-03-01", "land_supplied_on")])
            .changes(&filed, d(TODAY))
            .unwrap_err();
        assert_eq!(
            (early.field.as_str(), early.errors.0[0].field.as_str()),
            ("land_supplied_on", "date")
        );
        // A stage without a date takes the next recorded one, else today.
        let forms = road(Some(LandSupplied), &[(Started, "2026-05-06", "started_on")])
            .changes(&filed, d(TODAY))
            .unwrap();
        assert_eq!(forms[0].date, "2026-05-06");
        let forms = road(Some(Registered), &[])
            .changes(&StageFacts::new_project(), d(TODAY))
            .unwrap();
        assert_eq!(forms[0].date, TODAY);
    }

    #[test]
    fn a_project_form_keeps_the_stage_it_has() {
        assert!(check_stage_unchanged(Stage::Filed, Stage::Filed).is_ok());
        let e = check_stage_unchanged(Stage::Filed, Stage::Started).unwrap_err();
        assert_eq!(e.0[0].field, "stage");
        assert!(e.0[0].rule.message(Lang::Zh).contains("阶段变更"));
    }
}
