//! 调度例会: meetings, their attending units, their agendas and their decisions.
//!
//! * this module: reading meetings and decisions;
//! * [`write`]: planning, editing, holding (the agenda freezes), deciding (an assignment becomes a
//!   problem assigned to the unit, which notifies its robot) and issuing the minutes;
//! * [`agenda`]: gathering the live data the domain builds an agenda from, and the frozen one.

mod agenda;
mod write;

use crate::row::RowExt;
use crate::{Result, Store, StoreError};
use chainforce_domain::meeting::{MeetingDraft, MeetingState};
use chainforce_domain::problem::ProblemStatus;
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A unit at a meeting, with its name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MeetingUnit {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub region_id: i64,
    #[serde(flatten)]
    pub draft: MeetingDraft,
    pub state: MeetingState,
    pub units: Vec<MeetingUnit>,
    pub held_at: Option<String>,
    pub minutes_issued_at: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// A decision (议定事项), with what its assignment became.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Decision {
    pub id: i64,
    pub meeting_id: i64,
    /// 1, 2, 3 … in the order recorded (the minutes number them so).
    pub position: i64,
    pub text: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub problem_id: Option<i64>,
    pub problem_status: Option<ProblemStatus>,
}

impl Decision {
    pub fn is_assignment(&self) -> bool {
        self.problem_id.is_some()
    }
}

fn meeting_from_row(r: &AnyRow) -> Result<Meeting, sqlx::Error> {
    let start_time = match r.opt_text("start_time")? {
        Some(t) => Some(
            NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| sqlx::Error::ColumnDecode {
                index: "start_time".into(),
                source: format!("'{t}' is not a time").into(),
            })?,
        ),
        None => None,
    };
    Ok(Meeting {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        draft: MeetingDraft {
            number: r.i64("number")?,
            title: r.text("title")?,
            date: r.date("meeting_date")?.ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "meeting_date".into(),
                source: "missing".into(),
            })?,
            start_time,
            location: r.opt_text("location")?,
            chair: r.text("chair")?,
            other_attendees: r.opt_text("other_attendees")?,
            unit_ids: Vec::new(),
        },
        state: r.coded("state", MeetingState::parse)?,
        units: Vec::new(),
        held_at: r.opt_text("held_at")?,
        minutes_issued_at: r.opt_text("minutes_issued_at")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

const DECISIONS: &str = "SELECT d.*, u.name AS unit_name, p.name AS project_name, pr.status AS problem_status \
     FROM meeting_decisions d LEFT JOIN units u ON u.id = d.unit_id LEFT JOIN projects p ON p.id = d.project_id \
     LEFT JOIN problems pr ON pr.id = d.problem_id WHERE d.meeting_id = $1 ORDER BY d.position";

fn decision_from_row(r: &AnyRow) -> Result<Decision, sqlx::Error> {
    Ok(Decision {
        id: r.i64("id")?,
        meeting_id: r.i64("meeting_id")?,
        position: r.i64("position")?,
        text: r.text("text")?,
        unit_id: r.opt_i64("unit_id")?,
        unit_name: r.opt_text("unit_name")?,
        deadline: r.date("deadline")?,
        project_id: r.opt_i64("project_id")?,
        project_name: r.opt_text("project_name")?,
        problem_id: r.opt_i64("problem_id")?,
        problem_status: r.opt_text("problem_status")?.and_then(|s| ProblemStatus::parse(&s)),
    })
}

impl Store {
    /// The county's meetings, latest number first.
    pub async fn meetings(&self, region_id: i64) -> Result<Vec<Meeting>> {
        let rows = sqlx::query("SELECT * FROM meetings WHERE region_id = $1 ORDER BY number DESC")
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        let mut meetings: Vec<Meeting> = rows.iter().map(meeting_from_row).collect::<Result<_, _>>()?;
        let units: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT mu.meeting_id, u.id, u.name FROM meeting_units mu JOIN units u ON u.id = mu.unit_id \
             JOIN meetings m ON m.id = mu.meeting_id WHERE m.region_id = $1 ORDER BY mu.meeting_id, mu.position",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        for m in &mut meetings {
            for (_, id, name) in units.iter().filter(|u| u.0 == m.id) {
                m.draft.unit_ids.push(*id);
                m.units.push(MeetingUnit {
                    id: *id,
                    name: name.clone(),
                });
            }
        }
        Ok(meetings)
    }

    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        let row = sqlx::query("SELECT * FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        let mut m = row
            .as_ref()
            .map(meeting_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "meeting", id })?;
        let units: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, u.name FROM meeting_units mu JOIN units u ON u.id = mu.unit_id WHERE mu.meeting_id = $1 ORDER BY mu.position",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        m.draft.unit_ids = units.iter().map(|(id, _)| *id).collect();
        m.units = units.into_iter().map(|(id, name)| MeetingUnit { id, name }).collect();
        Ok(m)
    }

    /// The number a new meeting gets by default: one more than the highest so far.
    pub async fn next_meeting_number(&self, region_id: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(number), 0) + 1 FROM meetings WHERE region_id = $1")
            .bind(region_id)
            .fetch_one(&self.read)
            .await?;
        Ok(n)
    }

    pub async fn decisions(&self, meeting_id: i64) -> Result<Vec<Decision>> {
        let rows = sqlx::query(DECISIONS).bind(meeting_id).fetch_all(&self.read).await?;
        Ok(rows.iter().map(decision_from_row).collect::<Result<_, _>>()?)
    }

    /// The meeting that decided the assignment `problem_id`, if one did: (meeting id, 第N次).
    pub async fn assignment_origin(&self, problem_id: i64) -> Result<Option<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.number FROM meeting_decisions d JOIN meetings m ON m.id = d.meeting_id WHERE d.problem_id = $1",
        )
        .bind(problem_id)
        .fetch_optional(&self.read)
        .await?)
    }
}
