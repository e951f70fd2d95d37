//! Changing meetings: each function is one step of a user's action inside its [`WriteTx`].

use super::{DECISIONS, Decision, Meeting, MeetingUnit, decision_from_row, meeting_from_row};
use crate::row::date_text;
use crate::units::conflict;
use crate::{Result, StoreError, WriteTx};
use chainforce_domain::meeting::state::check_can_issue;
use chainforce_domain::meeting::{DecisionDraft, MeetingDraft, MeetingSettings, MeetingState, MeetingStep};
use chainforce_domain::reminder::notice::NoticeLine;
use chainforce_domain::reminder::{Audience, Notice};
use chainforce_domain::validation::Rule;
use chrono::NaiveDate;

impl WriteTx {
    pub(crate) async fn meeting_in_tx(&mut self, id: i64) -> Result<Meeting> {
        let row = sqlx::query("SELECT * FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
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
        .fetch_all(self.conn())
        .await?;
        m.draft.unit_ids = units.iter().map(|(id, _)| *id).collect();
        m.units = units.into_iter().map(|(id, name)| MeetingUnit { id, name }).collect();
        Ok(m)
    }

    async fn decisions_in_tx(&mut self, meeting_id: i64) -> Result<Vec<Decision>> {
        let rows = sqlx::query(DECISIONS).bind(meeting_id).fetch_all(self.conn()).await?;
        Ok(rows.iter().map(decision_from_row).collect::<Result<_, _>>()?)
    }

    /// The attending units exist in the county, and the meeting's date lies between those of the
    /// meetings numbered just before and just after it (第7次 is not held before 第6次).
    async fn check_meeting(&mut self, region_id: i64, id: i64, d: &MeetingDraft) -> Result<()> {
        for unit in &d.unit_ids {
            self.check_unit("unit_ids", Some(*unit), region_id, None).await?;
        }
        let neighbour = |earlier: bool| {
            if earlier {
                "SELECT number, meeting_date FROM meetings WHERE region_id = $1 AND number < $2 AND id <> $3 ORDER BY number DESC LIMIT 1"
            } else {
                "SELECT number, meeting_date FROM meetings WHERE region_id = $1 AND number > $2 AND id <> $3 ORDER BY number LIMIT 1"
            }
        };
        for earlier in [true, false] {
            let found: Option<(i64, String)> = sqlx::query_as(neighbour(earlier))
                .bind(region_id)
                .bind(d.number)
                .bind(id)
                .fetch_optional(self.conn())
                .await?;
            let Some((n, date)) = found else { continue };
            let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let out_of_order = if earlier { date > d.date } else { date < d.date };
            if out_of_order {
                let (zh, en) = if earlier {
                    ("早于", "before")
                } else {
                    ("晚于", "after")
                };
                return Err(StoreError::invalid(
                    "date",
                    Rule::Other {
                        zh: format!("第{n}次会议于{date}召开，第{}次不能{zh}它", d.number),
                        en: format!("meeting no. {n} is on {date}; no. {} cannot be {en} it", d.number),
                    },
                ));
            }
        }
        Ok(())
    }

    async fn set_meeting_units(&mut self, meeting_id: i64, units: &[i64]) -> Result<()> {
        sqlx::query("DELETE FROM meeting_units WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(self.conn())
            .await?;
        for (position, unit) in units.iter().enumerate() {
            sqlx::query("INSERT INTO meeting_units (meeting_id, unit_id, position) VALUES ($1, $2, $3)")
                .bind(meeting_id)
                .bind(*unit)
                .bind(position as i64)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Plans a meeting (已计划); its agenda is live from now until it is held.
    pub async fn plan_meeting(&mut self, region_id: i64, d: &MeetingDraft) -> Result<i64> {
        self.check_meeting(region_id, 0, d).await?;
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meetings (region_id, number, title, meeting_date, start_time, location, chair, other_attendees, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(region_id)
        .bind(d.number)
        .bind(&d.title)
        .bind(d.date.to_string())
        .bind(d.start_time.map(|t| t.format("%H:%M").to_string()))
        .bind(&d.location)
        .bind(&d.chair)
        .bind(&d.other_attendees)
        .bind(MeetingState::Planned.code())
        .bind(&now)
        .fetch_one(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("number"))?;
        self.set_meeting_units(id, &d.unit_ids).await?;
        self.audit("create", "meeting", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    /// Changes a meeting's details (until its minutes are issued).
    pub async fn update_meeting(&mut self, id: i64, expected_version: i64, d: &MeetingDraft) -> Result<()> {
        let before = self.meeting_in_tx(id).await?;
        before.state.after(MeetingStep::Edit)?;
        self.check_meeting(before.region_id, id, d).await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE meetings SET number = $1, title = $2, meeting_date = $3, start_time = $4, location = $5, chair = $6, other_attendees = $7, \
             updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(d.number)
        .bind(&d.title)
        .bind(d.date.to_string())
        .bind(d.start_time.map(|t| t.format("%H:%M").to_string()))
        .bind(&d.location)
        .bind(&d.chair)
        .bind(&d.other_attendees)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("number"))?
        .rows_affected();
        if n == 0 {
            return Err(conflict("meeting", id, before.version, &before));
        }
        self.set_meeting_units(id, &d.unit_ids).await?;
        self.audit("update", "meeting", Some(id), Some(&before.draft), Some(d));
        Ok(())
    }

    /// Records that the meeting took place: its agenda, built from the data of `today`, is
    /// frozen as the record of what the meeting had before it.
    pub async fn hold_meeting(&mut self, id: i64, expected_version: i64, today: NaiveDate) -> Result<()> {
        let before = self.meeting_in_tx(id).await?;
        let state = before.state.after(MeetingStep::Hold)?;
        let agenda = self.store().clone().live_agenda(&before, today).await?;
        let now = self.now().to_string();
        let n = sqlx::query("UPDATE meetings SET state = $1, held_at = $2, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(state.code())
            .bind(&now)
            .bind(id)
            .bind(expected_version)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(conflict("meeting", id, before.version, &before));
        }
        self.freeze_agenda(id, &agenda).await?;
        self.audit(
            "hold",
            "meeting",
            Some(id),
            Some(&serde_json::json!({"state": before.state})),
            Some(&serde_json::json!({"state": state, "agenda_items": agenda.items.len()})),
        );
        Ok(())
    }

    /// Records a decision of a held meeting. An assignment becomes a problem on its project,
    /// assigned to its unit with its deadline (see `chainforce_domain::meeting::decision` for why
    /// a problem), which puts it on the unit's desk and notifies the unit's robot.
    pub async fn record_decision(&mut self, meeting_id: i64, d: &DecisionDraft) -> Result<i64> {
        let meeting = self.meeting_in_tx(meeting_id).await?;
        meeting.state.after(MeetingStep::Decide)?;
        let problem_id = match d.assignment {
            Some(a) => {
                let project = match self.project_in_tx(a.project_id).await {
                    Ok(p) if p.region_id == meeting.region_id => p,
                    Ok(_) | Err(StoreError::NotFound { .. }) => {
                        return Err(StoreError::unknown("project_id", "项目 / project"));
                    }
                    Err(e) => return Err(e),
                };
                self.check_unit("unit_id", Some(a.unit_id), meeting.region_id, None)
                    .await?;
                let settings = MeetingSettings::built_in();
                let draft = d.assignment_problem(meeting.draft.number, settings.assignment_title_max_chars);
                let id = self.raise_problem(project.id, &draft, Default::default()).await?;
                let (version,): (i64,) = sqlx::query_as("SELECT version FROM problems WHERE id = $1")
                    .bind(id)
                    .fetch_one(self.conn())
                    .await?;
                self.assign_problem(id, version, a.unit_id, a.deadline).await?;
                Some(id)
            }
            None => None,
        };
        let (position,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM meeting_decisions WHERE meeting_id = $1")
                .bind(meeting_id)
                .fetch_one(self.conn())
                .await?;
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meeting_decisions (meeting_id, position, text, unit_id, deadline, project_id, problem_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(meeting_id)
        .bind(position)
        .bind(&d.text)
        .bind(d.assignment.map(|a| a.unit_id))
        .bind(date_text(d.assignment.map(|a| a.deadline)))
        .bind(d.assignment.map(|a| a.project_id))
        .bind(problem_id)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit(
            "decision",
            "meeting",
            Some(meeting_id),
            None::<&()>,
            Some(&serde_json::json!({"decision": id, "position": position, "draft": d, "problem_id": problem_id})),
        );
        Ok(id)
    }

    /// The problem a decision's assignment became, if it is an assignment.
    pub async fn decision_problem(&mut self, decision_id: i64) -> Result<Option<i64>> {
        let found: Option<(Option<i64>,)> = sqlx::query_as("SELECT problem_id FROM meeting_decisions WHERE id = $1")
            .bind(decision_id)
            .fetch_optional(self.conn())
            .await?;
        found.map(|(p,)| p).ok_or(StoreError::NotFound {
            entity: "decision",
            id: decision_id,
        })
    }

    /// Issues the minutes (印发纪要): the decisions freeze, and the county's group and the groups
    /// of the attending and assigned units are told.
    pub async fn issue_minutes(&mut self, id: i64, expected_version: i64) -> Result<()> {
        let before = self.meeting_in_tx(id).await?;
        let state = before.state.after(MeetingStep::IssueMinutes)?;
        let decisions = self.decisions_in_tx(id).await?;
        check_can_issue(decisions.len())?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE meetings SET state = $1, minutes_issued_at = $2, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(state.code())
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("meeting", id, before.version, &before));
        }
        let assignments: Vec<&Decision> = decisions.iter().filter(|d| d.is_assignment()).collect();
        let mut units = before.draft.unit_ids.clone();
        units.extend(assignments.iter().filter_map(|d| d.unit_id));
        let notice = Notice::MinutesIssued {
            meeting_id: id,
            number: before.draft.number,
            title: before.draft.title.clone(),
            date: before.draft.date,
            decisions: decisions.len(),
            assignments: assignments
                .iter()
                .map(|d| NoticeLine {
                    title: d.text.clone(),
                    project_name: d.project_name.clone().unwrap_or_default(),
                    unit_name: d.unit_name.clone(),
                    due: d.deadline,
                    days_overdue: 0,
                })
                .collect(),
        };
        self.enqueue_notice(before.region_id, &Audience::CountyAnd(units), &notice, None)
            .await?;
        self.audit(
            "issue_minutes",
            "meeting",
            Some(id),
            Some(&serde_json::json!({"state": before.state})),
            Some(&serde_json::json!({"state": state, "decisions": decisions.len()})),
        );
        Ok(())
    }
}
