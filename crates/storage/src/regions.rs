//! Regions (行政区划). A deployment holds one county at least; cities and provinces group them.

use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::org::RegionLevel;
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: RegionLevel,
    pub code: Option<String>,
    pub name: String,
    pub yellow_float_days: i64,
    pub version: i64,
}

fn from_row(r: &AnyRow) -> Result<Region, sqlx::Error> {
    Ok(Region {
        id: r.i64("id")?,
        parent_id: r.opt_i64("parent_id")?,
        level: r.coded("level", RegionLevel::parse)?,
        code: r.opt_text("code")?,
        name: r.text("name")?,
        yellow_float_days: r.i64("yellow_float_days")?,
        version: r.i64("version")?,
    })
}

impl Store {
    pub async fn regions(&self) -> Result<Vec<Region>> {
        let rows = sqlx::query("SELECT * FROM regions ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// The region `id` (kept with the reference data).
    pub async fn region(&self, id: i64) -> Result<Region> {
        let kept = self.kept(&self.references.regions, id, || self.read_region(id));
        Ok(kept.await?.as_ref().clone())
    }

    async fn read_region(&self, id: i64) -> Result<Region> {
        let row = sqlx::query("SELECT * FROM regions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "region", id })
    }

    /// The first county, which a single-county deployment serves.
    pub async fn default_region(&self) -> Result<Option<Region>> {
        let row = sqlx::query("SELECT * FROM regions WHERE level = 'county' ORDER BY id LIMIT 1")
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }
}

impl WriteTx {
    pub async fn create_region(
        &mut self,
        parent_id: Option<i64>,
        level: RegionLevel,
        code: Option<&str>,
        name: &str,
    ) -> Result<i64> {
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO regions (parent_id, level, code, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(parent_id)
        .bind(level.code())
        .bind(code)
        .bind(name)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit(
            "create",
            "region",
            Some(id),
            None::<&()>,
            Some(&serde_json::json!({"name": name, "level": level})),
        );
        Ok(id)
    }
}

impl WriteTx {
    /// Sets how many working days of float still count as yellow (黄灯) in this region.
    pub async fn set_yellow_threshold(&mut self, region_id: i64, expected_version: i64, days: i64) -> Result<()> {
        let row = sqlx::query("SELECT * FROM regions WHERE id = $1")
            .bind(region_id)
            .fetch_optional(self.conn())
            .await?;
        let before = row.as_ref().map(from_row).transpose()?.ok_or(StoreError::NotFound {
            entity: "region",
            id: region_id,
        })?;
        let now = self.now().to_string();
        let n = sqlx::query("UPDATE regions SET yellow_float_days = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(days)
            .bind(&now)
            .bind(region_id)
            .bind(expected_version)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(crate::units::conflict("region", region_id, before.version, &before));
        }
        self.audit(
            "yellow_threshold",
            "region",
            Some(region_id),
            Some(&before.yellow_float_days),
            Some(&days),
        );
        Ok(())
    }
}
