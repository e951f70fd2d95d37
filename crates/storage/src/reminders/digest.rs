//! 每日提醒: every unit's digest of the day, enqueued once.

use crate::problems::ProblemFilter;
use crate::tasks::TaskFilter;
use crate::{AuditActor, Result, Store};
use chainforce_domain::reminder::Audience;
use chainforce_domain::reminder::ReminderSettings;
use chainforce_domain::reminder::digest::{DigestProblem, DigestTask, unit_digest};
use chrono::NaiveDate;

impl Store {
    /// Enqueues `today`'s digest of every active unit that has something overdue or due soon.
    /// Safe to run again: a unit's digest of a day is queued once per robot. On a day off (when
    /// so configured) it sends nothing. Returns how many messages it queued.
    pub async fn enqueue_daily_digests(&self, region_id: i64, today: NaiveDate) -> Result<usize> {
        let settings = ReminderSettings::built_in();
        let calendar = self.calendar(region_id).await?;
        if settings.digest_on_working_days_only && !calendar.is_working_day(today) {
            return Ok(0);
        }
        let region = self.region(region_id).await?;
        let open_tasks = TaskFilter {
            open_only: true,
            active_projects_only: true,
            ..Default::default()
        };
        let tasks = self.tasks(region_id, &open_tasks).await?;
        let open_problems = ProblemFilter {
            open_only: true,
            ..Default::default()
        };
        let problems = self.problems(region_id, &open_problems).await?;
        let mut tx = self.begin(&AuditActor::system("daily-digest")).await?;
        let mut queued = 0;
        for unit in self.units(region_id).await?.into_iter().filter(|u| u.active) {
            let unit_tasks: Vec<DigestTask> = tasks
                .iter()
                .filter(|t| t.responsible_unit_id == Some(unit.id))
                .map(|t| DigestTask {
                    name: t.name.clone(),
                    project_name: t.project_name.clone(),
                    due: t.schedule.late_finish.or(t.deadline),
                    status: t.status(today, region.yellow_float_days, &calendar),
                })
                .collect();
            let unit_problems: Vec<DigestProblem> = problems
                .iter()
                .filter(|p| p.assigned_unit_id == Some(unit.id))
                .map(|p| DigestProblem {
                    title: p.title.clone(),
                    project_name: p.project_name.clone(),
                    deadline: p.deadline,
                    status: p.status,
                })
                .collect();
            let within = settings.digest_due_within_working_days;
            if let Some(notice) = unit_digest(&unit.name, today, &calendar, within, &unit_tasks, &unit_problems) {
                let key = format!("digest:{}:{today}", unit.id);
                queued += tx
                    .enqueue_notice(region_id, &Audience::Unit(unit.id), &notice, Some(&key))
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }
}
