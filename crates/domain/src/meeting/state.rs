//! A meeting's life: planned (已计划) → held (已召开) → minutes issued (纪要已印发).
//!
//! While planned, its details can change and its agenda is rebuilt from live data each time it is
//! read. Holding it freezes the agenda as it stood. Decisions are recorded once it is held (they
//! are what the meeting decided), and issuing the minutes freezes them: the minutes that went out
//! are the record.

use crate::labelled_enum;
use crate::validation::{FieldError, Lang, Rule};

labelled_enum! {
    pub enum MeetingState {
        Planned = ("planned", "已计划", "Planned"),
        Held = ("held", "已召开", "Held"),
        MinutesIssued = ("minutes_issued", "纪要已印发", "Minutes issued"),
    }
}

/// What can be done to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingStep {
    /// Change the date, chair, attending units …
    Edit,
    /// Record that it took place; the agenda freezes.
    Hold,
    /// Record a decision (议定事项).
    Decide,
    /// Issue the minutes (印发纪要); decisions freeze.
    IssueMinutes,
}

impl MeetingState {
    /// The state after `step`, or the rule that forbids it in this state.
    pub fn after(self, step: MeetingStep) -> Result<MeetingState, FieldError> {
        use MeetingState::*;
        use MeetingStep::*;
        match (self, step) {
            (Planned | Held, Edit) => Ok(self),
            (Planned, Hold) => Ok(Held),
            (Held, Decide) => Ok(Held),
            (Held, IssueMinutes) => Ok(MinutesIssued),
            (from, step) => Err(FieldError::new(
                "state",
                Rule::Other {
                    zh: format!("会议当前为“{}”，{}", from.label(Lang::Zh), step.refusal(Lang::Zh)),
                    en: format!("the meeting is '{}': {}", from.label(Lang::En), step.refusal(Lang::En)),
                },
            )),
        }
    }

    /// The agenda is live (rebuilt on every read) only before the meeting is held.
    pub fn agenda_is_live(self) -> bool {
        self == MeetingState::Planned
    }
}

impl MeetingStep {
    fn refusal(self, lang: Lang) -> &'static str {
        match self {
            MeetingStep::Edit => lang.pick(
                "纪要印发后不能再修改会议信息",
                "its details cannot change after the minutes are issued",
            ),
            MeetingStep::Hold => lang.pick(
                "只有已计划的会议才能标记为已召开",
                "only a planned meeting can be marked held",
            ),
            MeetingStep::Decide => lang.pick(
                "议定事项只能在会议召开后、纪要印发前记录",
                "decisions are recorded after the meeting is held and before its minutes are issued",
            ),
            MeetingStep::IssueMinutes => {
                lang.pick("只有已召开的会议才能印发纪要", "only a held meeting can issue minutes")
            }
        }
    }
}

/// Minutes with no decision would record a meeting that decided nothing: refused, naming the rule.
pub fn check_can_issue(decisions: usize) -> Result<(), FieldError> {
    if decisions == 0 {
        return Err(FieldError::new(
            "decisions",
            Rule::Other {
                zh: "会议纪要至少要有一项议定事项".into(),
                en: "minutes need at least one decision".into(),
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeetingState::*;
    use MeetingStep::*;

    #[test]
    fn a_meeting_is_planned_then_held_then_its_minutes_are_issued() {
        let s = Planned.after(Edit).unwrap();
        let s = s.after(Hold).unwrap();
        assert_eq!(s, Held);
        assert_eq!(s.after(Decide).unwrap(), Held);
        assert_eq!(s.after(IssueMinutes).unwrap(), MinutesIssued);
    }

    #[test]
    fn steps_out_of_order_are_refused_with_the_reason() {
        assert!(Planned.after(Decide).is_err());
        assert!(Planned.after(IssueMinutes).is_err());
        assert!(Held.after(Hold).is_err());
        let e = MinutesIssued.after(Decide).unwrap_err();
        assert_eq!(e.field, "state");
        assert!(
            e.rule.message(Lang::Zh).contains("纪要已印发"),
            "{}",
            e.rule.message(Lang::Zh)
        );
        assert!(MinutesIssued.after(Edit).is_err());
    }

    #[test]
    fn only_a_planned_meeting_has_a_live_agenda() {
        assert!(Planned.agenda_is_live());
        assert!(!Held.agenda_is_live() && !MinutesIssued.agenda_is_live());
    }

    #[test]
    fn minutes_without_decisions_are_refused() {
        assert_eq!(check_can_issue(0).unwrap_err().field, "decisions");
        assert!(check_can_issue(1).is_ok());
    }
}
