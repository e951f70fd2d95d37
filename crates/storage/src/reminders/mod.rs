//! Group robots (群机器人) and their outbox.
//!
//! * this module: the county's and the units' robots;
//! * [`outbox`]: enqueueing notices for the robots the domain's routing rule picks, handing due
//!   messages to the sender, and recording each attempt (rate window, retries, failing robots);
//! * [`digest`]: the daily digest of every unit, enqueued once a day.

mod digest;
pub mod outbox;

use crate::row::RowExt;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::reminder::{RobotDraft, RobotKind};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A robot. The webhook key and the secret never leave in serialised form (audit entries, 409
/// bodies); pages show them masked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Robot {
    pub id: i64,
    pub region_id: i64,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub kind: RobotKind,
    pub name: String,
    #[serde(skip_serializing)]
    pub webhook_url: String,
    #[serde(skip_serializing)]
    pub secret: Option<String>,
    pub keyword: Option<String>,
    pub enabled: bool,
    pub consecutive_failures: i64,
    /// Set when the robot failed too often in a row: reported, and not tried until resumed.
    pub failing_since: Option<String>,
    pub last_error: Option<String>,
    pub last_success_at: Option<String>,
    pub version: i64,
}

/// A robot query: the select with its unit's name, then `$tail`.
macro_rules! robots_where {
    ($tail:literal) => {
        concat!(
            "SELECT r.*, u.name AS unit_name FROM robots r LEFT JOIN units u ON u.id = r.unit_id ",
            $tail
        )
    };
}
pub(crate) use robots_where;

pub(crate) fn robot_from_row(r: &AnyRow) -> Result<Robot, sqlx::Error> {
    Ok(Robot {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        unit_id: r.opt_i64("unit_id")?,
        unit_name: r.opt_text("unit_name")?,
        kind: r.coded("kind", RobotKind::parse)?,
        name: r.text("name")?,
        webhook_url: r.text("webhook_url")?,
        secret: r.opt_text("secret")?,
        keyword: r.opt_text("keyword")?,
        enabled: r.flag("enabled")?,
        consecutive_failures: r.i64("consecutive_failures")?,
        failing_since: r.opt_text("failing_since")?,
        last_error: r.opt_text("last_error")?,
        last_success_at: r.opt_text("last_success_at")?,
        version: r.i64("version")?,
    })
}

impl Store {
    pub async fn robots(&self, region_id: i64) -> Result<Vec<Robot>> {
        let rows = sqlx::query(robots_where!(
            "WHERE r.region_id = $1 ORDER BY r.unit_id IS NOT NULL, u.name, r.id"
        ))
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(robot_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn robot(&self, id: i64) -> Result<Robot> {
        let row = sqlx::query(robots_where!("WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(robot_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "robot", id })
    }
}

impl WriteTx {
    async fn robot_in_tx(&mut self, id: i64) -> Result<Robot> {
        let row = sqlx::query(robots_where!("WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref()
            .map(robot_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "robot", id })
    }

    pub async fn create_robot(&mut self, region_id: i64, d: &RobotDraft) -> Result<i64> {
        self.check_unit("unit_id", d.unit_id, region_id, None).await?;
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO robots (region_id, unit_id, kind, name, webhook_url, secret, keyword, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(region_id)
        .bind(d.unit_id)
        .bind(d.kind.code())
        .bind(&d.name)
        .bind(&d.webhook_url)
        .bind(&d.secret)
        .bind(&d.keyword)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit("create", "robot", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    /// Saves an edited robot; a draft without a secret keeps the stored one.
    pub async fn update_robot(&mut self, id: i64, expected_version: i64, d: &RobotDraft, enabled: bool) -> Result<()> {
        let before = self.robot_in_tx(id).await?;
        self.check_unit("unit_id", d.unit_id, before.region_id, None).await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE robots SET unit_id = $1, kind = $2, name = $3, webhook_url = $4, secret = COALESCE($5, secret), keyword = $6, \
             enabled = $7, updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(d.unit_id)
        .bind(d.kind.code())
        .bind(&d.name)
        .bind(&d.webhook_url)
        .bind(&d.secret)
        .bind(&d.keyword)
        .bind(enabled as i64)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("robot", id, before.version, &before));
        }
        self.audit("update", "robot", Some(id), Some(&before), Some(d));
        Ok(())
    }

    /// The office has looked at a failing robot (fixed its address, say): try it again.
    pub async fn resume_robot(&mut self, id: i64) -> Result<()> {
        let before = self.robot_in_tx(id).await?;
        sqlx::query(
            "UPDATE robots SET failing_since = NULL, consecutive_failures = 0, version = version + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(self.conn())
        .await?;
        self.audit(
            "resume",
            "robot",
            Some(id),
            Some(&serde_json::json!({"failing_since": before.failing_since})),
            None::<&()>,
        );
        Ok(())
    }
}
