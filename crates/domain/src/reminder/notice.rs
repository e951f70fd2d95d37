//! What the robots are told, and which robots are told it.
//!
//! A [`Notice`] is stored in the outbox as it was when the event happened (a snapshot, so a
//! retried message says what it said the first time) and turned into each vendor's payload only
//! when it is sent.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One line of a list in a notice: a task or a problem with its project and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeLine {
    pub title: String,
    pub project_name: String,
    pub unit_name: Option<String>,
    pub due: Option<NaiveDate>,
    /// Working days late (tasks) or days past the deadline (problems); 0 when not late.
    pub days_overdue: i64,
}

/// Something to tell a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// 交办: a problem was assigned to a unit (by the office or a meeting's decision).
    ProblemAssigned {
        problem_id: i64,
        title: String,
        project_name: String,
        unit_name: String,
        deadline: NaiveDate,
    },
    /// 会议纪要印发: the minutes of a meeting went out, with its assignments.
    MinutesIssued {
        meeting_id: i64,
        number: i64,
        title: String,
        date: NaiveDate,
        decisions: usize,
        assignments: Vec<NoticeLine>,
    },
    /// 每日提醒: a unit's overdue work and what falls due within a few working days.
    Digest {
        unit_name: String,
        date: NaiveDate,
        within_working_days: i64,
        overdue: Vec<NoticeLine>,
        due_soon: Vec<NoticeLine>,
    },
    /// A message the office sends to check a robot's set-up.
    Test { robot_name: String },
}

impl Notice {
    /// A stable code of the kind, for lists and filters.
    pub fn kind_code(&self) -> &'static str {
        match self {
            Notice::ProblemAssigned { .. } => "problem_assigned",
            Notice::MinutesIssued { .. } => "minutes_issued",
            Notice::Digest { .. } => "digest",
            Notice::Test { .. } => "test",
        }
    }
}

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// One unit's group; the county's group when the unit has no robot of its own.
    Unit(i64),
    /// The county's group and the groups of these units (a meeting's attendees and assignees).
    CountyAnd(Vec<i64>),
    /// Exactly this robot (a test message).
    Robot(i64),
}

/// A robot as the routing rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RobotTarget {
    pub id: i64,
    /// `None`: the county's robot.
    pub unit_id: Option<i64>,
    pub enabled: bool,
}

/// The robots that get a notice meant for `audience`: enabled ones only, each once, in id order.
/// A unit without a robot of its own is reached through the county's group, so nothing meant
/// for it goes unsaid while a county robot exists.
pub fn recipients(audience: &Audience, robots: &[RobotTarget]) -> Vec<i64> {
    let enabled = || robots.iter().filter(|r| r.enabled);
    let county = || enabled().filter(|r| r.unit_id.is_none()).map(|r| r.id);
    let of_unit = |u: i64| enabled().filter(move |r| r.unit_id == Some(u)).map(|r| r.id);
    let mut ids: Vec<i64> = match audience {
        Audience::Unit(u) => {
            let own: Vec<i64> = of_unit(*u).collect();
            if own.is_empty() { county().collect() } else { own }
        }
        Audience::CountyAnd(units) => county().chain(units.iter().flat_map(|u| of_unit(*u))).collect(),
        Audience::Robot(id) => robots.iter().filter(|r| r.id == *id).map(|r| r.id).collect(),
    };
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn robot(id: i64, unit_id: Option<i64>, enabled: bool) -> RobotTarget {
        RobotTarget { id, unit_id, enabled }
    }

    #[test]
    fn a_units_notice_goes_to_its_own_robot_or_else_to_the_countys() {
        let robots = [robot(1, None, true), robot(2, Some(5), true), robot(3, Some(6), false)];
        assert_eq!(recipients(&Audience::Unit(5), &robots), [2]);
        // 6's only robot is switched off, 7 has none: both reach the county group.
        assert_eq!(recipients(&Audience::Unit(6), &robots), [1]);
        assert_eq!(recipients(&Audience::Unit(7), &robots), [1]);
    }

    #[test]
    fn minutes_go_to_the_county_and_every_attending_units_group_once() {
        let robots = [robot(1, None, true), robot(2, Some(5), true), robot(4, Some(8), true)];
        assert_eq!(recipients(&Audience::CountyAnd(vec![5, 5, 9]), &robots), [1, 2]);
        assert_eq!(recipients(&Audience::Robot(4), &robots), [4]);
        assert!(recipients(&Audience::Unit(5), &[]).is_empty());
    }

    #[test]
    fn a_notice_round_trips_through_its_stored_json() {
        let n = Notice::ProblemAssigned {
            problem_id: 3,
            title: "10kV 专线".into(),
            project_name: "碳酸锂项目".into(),
            unit_name: "县供电公司".into(),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
        };
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"kind\":\"problem_assigned\""), "{json}");
        assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), n);
        assert_eq!(n.kind_code(), "problem_assigned");
    }
}
