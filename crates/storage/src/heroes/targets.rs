//! 份额目标: what the office expects of each unit and township in a year, per milestone.

use crate::row::{RowExt, amount_raw};
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::ranking::{Milestone, ShareTarget};
use chainforce_domain::validation::Rule;
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredShareTarget {
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub milestone: Milestone,
    pub projects: Option<i64>,
    /// 万元.
    pub investment: Option<Amount>,
    pub version: i64,
}

impl StoredShareTarget {
    /// The target as the share board reads it.
    pub fn target(&self) -> ShareTarget {
        ShareTarget {
            unit_id: self.unit_id,
            milestone: self.milestone,
            projects: self.projects.and_then(|n| u32::try_from(n).ok()),
            investment: self.investment,
        }
    }
}

fn from_row(r: &AnyRow) -> Result<StoredShareTarget, sqlx::Error> {
    Ok(StoredShareTarget {
        id: r.i64("id")?,
        unit_id: r.i64("unit_id")?,
        year: r.i64("year")? as i32,
        milestone: r.coded("milestone", Milestone::parse)?,
        projects: r.opt_i64("projects")?,
        investment: r.amount("investment_yuan")?,
        version: r.i64("version")?,
    })
}

impl Store {
    pub async fn share_targets(&self, region_id: i64, year: i32) -> Result<Vec<StoredShareTarget>> {
        let rows =
            sqlx::query("SELECT * FROM share_targets WHERE region_id = $1 AND year = $2 ORDER BY unit_id, milestone")
                .bind(region_id)
                .bind(i64::from(year))
                .fetch_all(&self.read)
                .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }
}

impl WriteTx {
    /// Sets (or with neither figure, clears) a unit's target for a year and milestone.
    /// `expected_version` is the version the form was loaded with (0 when there was no target):
    /// a target someone else changed meanwhile is a conflict.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_share_target(
        &mut self,
        region_id: i64,
        unit_id: i64,
        year: i32,
        milestone: Milestone,
        projects: Option<i64>,
        investment: Option<Amount>,
        expected_version: i64,
    ) -> Result<()> {
        self.check_unit("unit_id", Some(unit_id), region_id, None).await?;
        if projects.is_some_and(|n| n < 0) {
            return Err(StoreError::invalid("projects", Rule::Negative));
        }
        if investment.is_some_and(Amount::is_negative) {
            return Err(StoreError::invalid("investment", Rule::Negative));
        }
        let row = sqlx::query("SELECT * FROM share_targets WHERE unit_id = $1 AND year = $2 AND milestone = $3")
            .bind(unit_id)
            .bind(i64::from(year))
            .bind(milestone.code())
            .fetch_optional(self.conn())
            .await?;
        let before = row.as_ref().map(from_row).transpose()?;
        let current_version = before.as_ref().map_or(0, |b| b.version);
        if current_version != expected_version {
            let current = before.clone();
            return Err(conflict(
                "share_target",
                before.map_or(0, |b| b.id),
                current_version,
                &current,
            ));
        }
        let now = self.now().to_string();
        let after = serde_json::json!({"unit_id": unit_id, "year": year, "milestone": milestone, "projects": projects, "investment": investment});
        match (&before, projects.is_none() && investment.is_none()) {
            (None, true) => {}
            (Some(b), true) => {
                sqlx::query("DELETE FROM share_targets WHERE id = $1")
                    .bind(b.id)
                    .execute(self.conn())
                    .await?;
                self.audit("delete", "share_target", Some(b.id), Some(b), None::<&()>);
            }
            (Some(b), false) => {
                if b.projects == projects && b.investment == investment {
                    return Ok(());
                }
                sqlx::query(
                    "UPDATE share_targets SET projects = $1, investment_yuan = $2, updated_at = $3, version = version + 1 WHERE id = $4",
                )
                .bind(projects)
                .bind(amount_raw(investment))
                .bind(&now)
                .bind(b.id)
                .execute(self.conn())
                .await?;
                self.audit("update", "share_target", Some(b.id), Some(b), Some(&after));
            }
            (None, false) => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO share_targets (region_id, unit_id, year, milestone, projects, investment_yuan, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                )
                .bind(region_id)
                .bind(unit_id)
                .bind(i64::from(year))
                .bind(milestone.code())
                .bind(projects)
                .bind(amount_raw(investment))
                .bind(&now)
                .fetch_one(self.conn())
                .await?;
                self.audit("create", "share_target", Some(id), None::<&()>, Some(&after));
            }
        }
        Ok(())
    }
}
