//! The data an agenda is built from, and the agenda a held meeting froze.

use super::Meeting;
use crate::problems::ProblemFilter;
use crate::row::{RowExt, amount_raw, date_text};
use crate::tasks::TaskFilter;
use crate::{Result, Store, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::meeting::agenda::{
    AgendaCommitment, AgendaProblem, AgendaTask, PastItem, StageChange, build_agenda, period_since_last,
};
use chainforce_domain::meeting::{Agenda, AgendaItem, ItemKind, MeetingSettings, Section};
use chainforce_domain::project::Stage;
use chrono::NaiveDate;
use sqlx::any::AnyRow;

fn item_from_row(r: &AnyRow) -> Result<AgendaItem, sqlx::Error> {
    Ok(AgendaItem {
        section: r.coded("section", Section::parse)?,
        kind: r.coded("kind", ItemKind::parse)?,
        ref_id: r.i64("ref_id")?,
        title: r.text("title")?,
        project_id: r.opt_i64("project_id")?,
        project_name: r.opt_text("project_name")?,
        unit_id: r.opt_i64("unit_id")?,
        unit_name: r.opt_text("unit_name")?,
        due: r.date("due")?,
        state: r.text("state")?,
        days_overdue: r.i64("days_overdue")?,
        carried: r.i64("carried")?,
        investment: r.amount("investment_raw")?,
    })
}

impl Store {
    /// The agenda of `m`: built now from live data while it is planned, as frozen once held.
    pub async fn agenda(&self, m: &Meeting, today: NaiveDate) -> Result<Agenda> {
        if m.state.agenda_is_live() {
            return self.live_agenda(m, today).await;
        }
        let rows = sqlx::query("SELECT * FROM meeting_agenda_items WHERE meeting_id = $1 ORDER BY position")
            .bind(m.id)
            .fetch_all(&self.read)
            .await?;
        Ok(Agenda {
            items: rows.iter().map(item_from_row).collect::<Result<_, _>>()?,
        })
    }

    /// The agenda of `m` from the county's data on `today`.
    pub async fn live_agenda(&self, m: &Meeting, today: NaiveDate) -> Result<Agenda> {
        let region = self.region(m.region_id).await?;
        let calendar = self.calendar(m.region_id).await?;
        let open_tasks = TaskFilter {
            open_only: true,
            active_projects_only: true,
            ..Default::default()
        };
        let tasks: Vec<AgendaTask> = self
            .tasks(m.region_id, &open_tasks)
            .await?
            .into_iter()
            .map(|t| AgendaTask {
                status: t.status(today, region.yellow_float_days, &calendar),
                due: t.schedule.late_finish.or(t.deadline),
                id: t.id,
                name: t.name,
                project_id: t.project_id,
                project_name: t.project_name,
                unit_id: t.responsible_unit_id,
                unit_name: t.responsible_unit_name,
            })
            .collect();
        let open_problems = ProblemFilter {
            open_only: true,
            ..Default::default()
        };
        let problems: Vec<AgendaProblem> = self
            .problems(m.region_id, &open_problems)
            .await?
            .into_iter()
            .map(|p| AgendaProblem {
                id: p.id,
                title: p.title,
                project_id: p.project_id,
                project_name: p.project_name,
                unit_id: p.assigned_unit_id,
                unit_name: p.assigned_unit_name,
                deadline: p.deadline,
                status: p.status,
            })
            .collect();
        let previous: Option<(String,)> = sqlx::query_as(
            "SELECT meeting_date FROM meetings WHERE region_id = $1 AND number < $2 ORDER BY number DESC LIMIT 1",
        )
        .bind(m.region_id)
        .bind(m.draft.number)
        .fetch_optional(&self.read)
        .await?;
        let previous = previous.and_then(|(d,)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        let lookback = MeetingSettings::built_in().first_agenda_lookback_days;
        let (after, until) = period_since_last(previous, m.draft.date, today, lookback);
        let stage_changes = self.stage_changes(m.region_id, after, until).await?;
        let history = self.meeting_history(m.region_id, m.draft.number).await?;
        let commitments: Vec<AgendaCommitment> = self
            .commitments(m.region_id, today)
            .await?
            .into_iter()
            .map(|c| AgendaCommitment {
                application_id: c.application_id,
                enterprise_name: c.enterprise_name,
                round_name: c.round_name,
                report: c.report,
            })
            .collect();
        Ok(build_agenda(&chainforce_domain::meeting::AgendaInput {
            meeting_number: m.draft.number,
            today,
            tasks: &tasks,
            problems: &problems,
            commitments: &commitments,
            stage_changes: &stage_changes,
            history: &history,
        }))
    }

    /// Stages reached (actual date) after `after` and up to `until`.
    async fn stage_changes(&self, region_id: i64, after: NaiveDate, until: NaiveDate) -> Result<Vec<StageChange>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.total_investment_yuan, sd.stage, sd.actual_date FROM project_stage_dates sd \
             JOIN projects p ON p.id = sd.project_id WHERE p.region_id = $1 AND sd.actual_date > $2 AND sd.actual_date <= $3",
        )
        .bind(region_id)
        .bind(after.to_string())
        .bind(until.to_string())
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(StageChange {
                    project_id: r.i64("id")?,
                    project_name: r.text("name")?,
                    stage: r.coded("stage", Stage::parse)?,
                    date: r.date("actual_date")?.unwrap_or(until),
                    investment: r.opt_i64("total_investment_yuan")?.map(Amount::from_raw),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// What the meetings before `number` put on record: items of their frozen agendas and the
    /// problems their assignments became.
    async fn meeting_history(&self, region_id: i64, number: i64) -> Result<Vec<PastItem>> {
        // Sections that put an item on record (`Section` codes); yellow ones are warnings only.
        let on_agenda: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT a.kind, a.ref_id, m.number FROM meeting_agenda_items a JOIN meetings m ON m.id = a.meeting_id \
             WHERE m.region_id = $1 AND m.number < $2 AND a.section IN ('carried', 'red_task', 'overdue_problem', 'commitment_behind')",
        )
        .bind(region_id)
        .bind(number)
        .fetch_all(&self.read)
        .await?;
        let decided: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT d.problem_id, m.number FROM meeting_decisions d JOIN meetings m ON m.id = d.meeting_id \
             WHERE m.region_id = $1 AND m.number < $2 AND d.problem_id IS NOT NULL",
        )
        .bind(region_id)
        .bind(number)
        .fetch_all(&self.read)
        .await?;
        let mut history: Vec<PastItem> = on_agenda
            .into_iter()
            .filter_map(|(kind, ref_id, meeting_number)| {
                ItemKind::parse(&kind).map(|kind| PastItem {
                    kind,
                    ref_id,
                    meeting_number,
                })
            })
            .collect();
        history.extend(decided.into_iter().map(|(ref_id, meeting_number)| PastItem {
            kind: ItemKind::Problem,
            ref_id,
            meeting_number,
        }));
        Ok(history)
    }
}

impl WriteTx {
    /// Stores `agenda` as meeting `meeting_id`'s frozen agenda.
    pub(super) async fn freeze_agenda(&mut self, meeting_id: i64, agenda: &Agenda) -> Result<()> {
        for (position, i) in agenda.items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO meeting_agenda_items (meeting_id, position, section, kind, ref_id, title, project_id, project_name, unit_id, \
                 unit_name, due, state, days_overdue, carried, investment_raw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(meeting_id)
            .bind(position as i64)
            .bind(i.section.code())
            .bind(i.kind.code())
            .bind(i.ref_id)
            .bind(&i.title)
            .bind(i.project_id)
            .bind(&i.project_name)
            .bind(i.unit_id)
            .bind(&i.unit_name)
            .bind(date_text(i.due))
            .bind(&i.state)
            .bind(i.days_overdue)
            .bind(i.carried)
            .bind(amount_raw(i.investment))
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}
