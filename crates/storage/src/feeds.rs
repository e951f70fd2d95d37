//! A unit's secret calendar feed (日历订阅): issued, revoked, and what it holds.
//!
//! Only the SHA-256 of the feed's token is kept (the web layer makes and hashes the token, as it
//! does for sessions), so a copy of the database gives nobody a working URL. Re-issuing revokes
//! the old URL.

use crate::meetings::Meeting;
use crate::problems::ProblemFilter;
use crate::tasks::TaskFilter;
use crate::{Result, Store, StoreError, WriteTx};
use chrono::NaiveDate;
use serde::Serialize;

/// A unit and its feed, for the office's list.
#[derive(Debug, Clone, Serialize)]
pub struct FeedStatus {
    pub unit_id: i64,
    pub unit_name: String,
    /// When the current URL was issued; `None` when the unit has none.
    pub issued_at: Option<String>,
}

/// A deadline in a unit's feed: a task's latest finish or a problem's deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedDeadline {
    /// `task-12`, `problem-7`: stable, so a calendar updates instead of duplicating.
    pub key: String,
    pub title: String,
    pub project_name: String,
    pub due: NaiveDate,
}

/// What a unit's feed shows.
#[derive(Debug, Clone)]
pub struct UnitCalendar {
    pub unit_name: String,
    pub deadlines: Vec<FeedDeadline>,
    /// Meetings the unit attends, from `since` on.
    pub meetings: Vec<Meeting>,
}

impl Store {
    pub async fn feeds(&self, region_id: i64) -> Result<Vec<FeedStatus>> {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT u.id, u.name, f.created_at FROM units u LEFT JOIN calendar_feeds f ON f.unit_id = u.id AND f.revoked_at IS NULL \
             WHERE u.region_id = $1 AND u.active = 1 ORDER BY u.kind, u.name",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(unit_id, unit_name, issued_at)| FeedStatus {
                unit_id,
                unit_name,
                issued_at,
            })
            .collect())
    }

    /// The unit whose live feed has this token hash.
    pub async fn feed_unit(&self, token_hash: &str) -> Result<Option<i64>> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT unit_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL")
                .bind(token_hash)
                .fetch_optional(&self.read)
                .await?;
        Ok(found.map(|(u,)| u))
    }

    /// The unit's open deadlines and its meetings from `since` on.
    pub async fn unit_calendar(&self, unit_id: i64, since: NaiveDate) -> Result<UnitCalendar> {
        let unit = self.unit(unit_id).await?;
        let tasks = self
            .tasks(
                unit.region_id,
                &TaskFilter {
                    unit_id: Some(unit_id),
                    open_only: true,
                    active_projects_only: true,
                    ..Default::default()
                },
            )
            .await?;
        let mut deadlines: Vec<FeedDeadline> = tasks
            .into_iter()
            .filter_map(|t| {
                Some(FeedDeadline {
                    key: format!("task-{}", t.id),
                    due: t.schedule.late_finish.or(t.deadline)?,
                    title: t.name,
                    project_name: t.project_name,
                })
            })
            .collect();
        let problems = self
            .problems(
                unit.region_id,
                &ProblemFilter {
                    unit_id: Some(unit_id),
                    open_only: true,
                    ..Default::default()
                },
            )
            .await?;
        deadlines.extend(problems.into_iter().filter_map(|p| {
            Some(FeedDeadline {
                key: format!("problem-{}", p.id),
                due: p.deadline?,
                title: p.title,
                project_name: p.project_name,
            })
        }));
        deadlines.sort_by(|a, b| a.due.cmp(&b.due).then(a.key.cmp(&b.key)));
        let meetings = self
            .meetings(unit.region_id)
            .await?
            .into_iter()
            .filter(|m| m.draft.date >= since && m.draft.unit_ids.contains(&unit_id))
            .collect();
        Ok(UnitCalendar {
            unit_name: unit.name,
            deadlines,
            meetings,
        })
    }
}

impl WriteTx {
    /// Issues a new feed token (given as its hash) for the unit, revoking the one it had.
    pub async fn issue_feed(&mut self, region_id: i64, unit_id: i64, token_hash: &str) -> Result<()> {
        self.check_unit("unit_id", Some(unit_id), region_id, None).await?;
        let revoked = self.revoke_feed_rows(unit_id).await?;
        let now = self.now().to_string();
        sqlx::query("INSERT INTO calendar_feeds (unit_id, token_hash, created_at) VALUES ($1, $2, $3)")
            .bind(unit_id)
            .bind(token_hash)
            .bind(&now)
            .execute(self.conn())
            .await?;
        self.audit(
            "issue_feed",
            "unit",
            Some(unit_id),
            None::<&()>,
            Some(&serde_json::json!({"revoked_previous": revoked > 0})),
        );
        Ok(())
    }

    /// Revokes the unit's feed: its URL stops working at once.
    pub async fn revoke_feed(&mut self, region_id: i64, unit_id: i64) -> Result<()> {
        self.check_unit("unit_id", Some(unit_id), region_id, None).await?;
        if self.revoke_feed_rows(unit_id).await? == 0 {
            return Err(StoreError::NotFound {
                entity: "calendar feed",
                id: unit_id,
            });
        }
        self.audit("revoke_feed", "unit", Some(unit_id), None::<&()>, None::<&()>);
        Ok(())
    }

    async fn revoke_feed_rows(&mut self, unit_id: i64) -> Result<u64> {
        let now = self.now().to_string();
        Ok(
            sqlx::query("UPDATE calendar_feeds SET revoked_at = $1 WHERE unit_id = $2 AND revoked_at IS NULL")
                .bind(&now)
                .bind(unit_id)
                .execute(self.conn())
                .await?
                .rows_affected(),
        )
    }
}
