//! The outbox: every message for every robot, from the moment it is decided until it is sent —
//! or has failed, with its error, for the office to see and send again.

use super::{Robot, robot_from_row, robots_where};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::labelled_enum;
use chainforce_domain::reminder::delivery::{AfterFailure, DeliveryPolicy};
use chainforce_domain::reminder::notice::{Audience, Notice, RobotTarget, recipients};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;

labelled_enum! {
    pub enum OutboxStatus {
        Pending = ("pending", "待发送", "Pending"),
        Sent = ("sent", "已发送", "Sent"),
        /// Every retry failed: kept with its error until the office sends it again.
        Failed = ("failed", "发送失败", "Failed"),
    }
}

/// Timestamps as stored: RFC 3339 UTC to the second, so that text order is time order.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// One message in the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub robot_id: i64,
    pub robot_name: String,
    pub kind: String,
    pub notice: Notice,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

fn entry_from_row(r: &AnyRow) -> Result<OutboxEntry, sqlx::Error> {
    let json = r.text("notice_json")?;
    Ok(OutboxEntry {
        id: r.i64("id")?,
        robot_id: r.i64("robot_id")?,
        robot_name: r.text("robot_name")?,
        kind: r.text("kind")?,
        notice: serde_json::from_str(&json).map_err(|e| sqlx::Error::ColumnDecode {
            index: "notice_json".into(),
            source: e.into(),
        })?,
        status: r.coded("status", OutboxStatus::parse)?,
        attempts: r.i64("attempts")?,
        next_attempt_at: r.text("next_attempt_at")?,
        last_error: r.opt_text("last_error")?,
        created_at: r.text("created_at")?,
        sent_at: r.opt_text("sent_at")?,
    })
}

/// What became of one attempt to send a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Refused or unreachable, with what the robot (or the network) said.
    Failed(String),
}

/// What [`Store::record_attempt`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptRecorded {
    pub status: OutboxStatus,
    /// The robot has now failed often enough in a row to be reported.
    pub robot_now_failing: bool,
}

impl Store {
    /// The county's outbox, newest first; `status` narrows it.
    pub async fn outbox(&self, region_id: i64, status: Option<OutboxStatus>, limit: i64) -> Result<Vec<OutboxEntry>> {
        let rows = sqlx::query(
            "SELECT o.*, r.name AS robot_name FROM outbox o JOIN robots r ON r.id = o.robot_id \
             WHERE r.region_id = $1 AND ($2 = '' OR o.status = $2) ORDER BY o.id DESC LIMIT $3",
        )
        .bind(region_id)
        .bind(status.map(|s| s.code()).unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }

    /// Messages due at `now` for robots that are enabled and not reported failing, oldest first,
    /// with their robots.
    pub async fn due_messages(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<(OutboxEntry, Robot)>> {
        let rows = sqlx::query(
            "SELECT o.*, r.name AS robot_name FROM outbox o JOIN robots r ON r.id = o.robot_id \
             WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND r.enabled = 1 AND r.failing_since IS NULL \
             ORDER BY o.id LIMIT $2",
        )
        .bind(stamp(now))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let entries: Vec<OutboxEntry> = rows.iter().map(entry_from_row).collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(entries.len());
        let mut robots: std::collections::HashMap<i64, Robot> = Default::default();
        for e in entries {
            let robot = match robots.get(&e.robot_id) {
                Some(r) => r.clone(),
                None => {
                    let r = self.robot(e.robot_id).await?;
                    robots.insert(r.id, r.clone());
                    r
                }
            };
            out.push((e, robot));
        }
        Ok(out)
    }

    /// The county a message's robot belongs to.
    pub async fn outbox_message_region(&self, id: i64) -> Result<i64> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT r.region_id FROM outbox o JOIN robots r ON r.id = o.robot_id WHERE o.id = $1")
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        found
            .map(|(r,)| r)
            .ok_or(StoreError::NotFound { entity: "message", id })
    }

    /// When the robot was tried since `since` (for its rate window).
    pub async fn attempt_times(&self, robot_id: i64, since: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT at FROM outbox_attempts WHERE robot_id = $1 AND at > $2")
            .bind(robot_id)
            .bind(stamp(since))
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().filter_map(|(t,)| parse_stamp(t)).collect())
    }

    /// Records one attempt at `now` in one transaction: the attempt itself, the message's new
    /// state (sent, retried later by the policy's backoff, or failed), and the robot's health —
    /// a robot that has failed `policy.failing_after` times in a row is reported failing.
    pub async fn record_attempt(
        &self,
        message: &OutboxEntry,
        now: DateTime<Utc>,
        outcome: &Attempt,
        policy: &DeliveryPolicy,
    ) -> Result<AttemptRecorded> {
        let mut tx = self.begin(&crate::AuditActor::system("reminders")).await?;
        let at = stamp(now);
        let (ok, error) = match outcome {
            Attempt::Delivered => (1i64, None),
            Attempt::Failed(e) => (0, Some(e.as_str())),
        };
        sqlx::query("INSERT INTO outbox_attempts (outbox_id, robot_id, at, ok, error) VALUES ($1, $2, $3, $4, $5)")
            .bind(message.id)
            .bind(message.robot_id)
            .bind(&at)
            .bind(ok)
            .bind(error)
            .execute(tx.conn())
            .await?;
        let attempts = message.attempts + 1;
        let (status, next) = match outcome {
            Attempt::Delivered => (OutboxStatus::Sent, at.clone()),
            Attempt::Failed(_) => match policy.after_failure(attempts as usize, now) {
                AfterFailure::RetryAt(t) => (OutboxStatus::Pending, stamp(t)),
                AfterFailure::GiveUp => (OutboxStatus::Failed, at.clone()),
            },
        };
        sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = COALESCE($4, last_error), \
             sent_at = CASE WHEN $1 = 'sent' THEN $5 ELSE sent_at END WHERE id = $6",
        )
        .bind(status.code())
        .bind(attempts)
        .bind(&next)
        .bind(error)
        .bind(&at)
        .bind(message.id)
        .execute(tx.conn())
        .await?;
        let robot_now_failing = match outcome {
            Attempt::Delivered => {
                sqlx::query("UPDATE robots SET consecutive_failures = 0, last_success_at = $1 WHERE id = $2")
                    .bind(&at)
                    .bind(message.robot_id)
                    .execute(tx.conn())
                    .await?;
                false
            }
            Attempt::Failed(e) => {
                let (failures, failing): (i64, Option<String>) = sqlx::query_as(
                    "UPDATE robots SET consecutive_failures = consecutive_failures + 1, last_error = $1 WHERE id = $2 \
                     RETURNING consecutive_failures, failing_since",
                )
                .bind(e)
                .bind(message.robot_id)
                .fetch_one(tx.conn())
                .await?;
                let now_failing = failing.is_none() && policy.is_failing(failures.try_into().unwrap_or(u32::MAX));
                if now_failing {
                    sqlx::query("UPDATE robots SET failing_since = $1 WHERE id = $2")
                        .bind(&at)
                        .bind(message.robot_id)
                        .execute(tx.conn())
                        .await?;
                    tx.audit(
                        "failing",
                        "robot",
                        Some(message.robot_id),
                        None::<&()>,
                        Some(&serde_json::json!({"consecutive_failures": failures, "last_error": e})),
                    );
                }
                now_failing
            }
        };
        tx.commit().await?;
        Ok(AttemptRecorded {
            status,
            robot_now_failing,
        })
    }
}

impl WriteTx {
    /// Puts `notice` in the outbox of every robot the routing rule picks for `audience` in the
    /// county. With a `dedupe` key, a robot that already has that message is skipped (the daily
    /// digest is enqueued once however often the job runs). Returns how many messages it queued.
    pub async fn enqueue_notice(
        &mut self,
        region_id: i64,
        audience: &Audience,
        notice: &Notice,
        dedupe: Option<&str>,
    ) -> Result<usize> {
        let rows = sqlx::query(robots_where!("WHERE r.region_id = $1"))
            .bind(region_id)
            .fetch_all(self.conn())
            .await?;
        let robots: Vec<Robot> = rows.iter().map(robot_from_row).collect::<Result<_, _>>()?;
        let targets: Vec<RobotTarget> = robots
            .iter()
            .map(|r| RobotTarget {
                id: r.id,
                unit_id: r.unit_id,
                enabled: r.enabled,
            })
            .collect();
        let json = serde_json::to_string(notice).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = self.now().to_string();
        let mut queued = 0;
        for robot_id in recipients(audience, &targets) {
            queued += sqlx::query(
                "INSERT INTO outbox (robot_id, kind, dedupe_key, notice_json, status, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (robot_id, dedupe_key) DO NOTHING",
            )
            .bind(robot_id)
            .bind(notice.kind_code())
            .bind(dedupe)
            .bind(&json)
            .bind(&now)
            .execute(self.conn())
            .await?
            .rows_affected() as usize;
        }
        Ok(queued)
    }

    /// Tells the unit a problem was assigned to it (交办), in the assignment's transaction.
    pub(crate) async fn notify_problem_assigned(&mut self, problem_id: i64) -> Result<()> {
        let p = self.problem_in_tx(problem_id).await?;
        let (Some(unit_id), Some(unit_name), Some(deadline)) = (p.assigned_unit_id, p.assigned_unit_name, p.deadline)
        else {
            return Ok(());
        };
        let (region_id,): (i64,) = sqlx::query_as("SELECT region_id FROM projects WHERE id = $1")
            .bind(p.project_id)
            .fetch_one(self.conn())
            .await?;
        let notice = Notice::ProblemAssigned {
            problem_id,
            title: p.title,
            project_name: p.project_name,
            unit_name,
            deadline,
        };
        self.enqueue_notice(region_id, &Audience::Unit(unit_id), &notice, None)
            .await?;
        Ok(())
    }

    /// Sends a failed message again from the start of the retry schedule.
    pub async fn retry_message(&mut self, id: i64) -> Result<()> {
        let now = self.now().to_string();
        let n = sqlx::query("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1 WHERE id = $2 AND status = 'failed'")
            .bind(&now)
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "failed message",
                id,
            });
        }
        self.audit("retry", "outbox", Some(id), None::<&()>, None::<&()>);
        Ok(())
    }
}
