//! The working-day calendar of a region: the built-in notices, the notices an administrator has
//! added since (a new year, a correction) and the region's own days. Built once and kept with the
//! reference data ([`crate::reference`]): a notice added by another process (the CLI) moves its
//! version and is picked up on the next request.

use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::calendar::{Calendar, CalendarBuilder, HolidayNotice, RegionOverrides};
use chainforce_domain::validation::Rule;
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::Arc;

/// A notice an administrator added.
#[derive(Debug, Clone, Serialize)]
pub struct StoredNotice {
    pub id: i64,
    pub region_id: Option<i64>,
    pub year: i64,
    pub days: usize,
    pub created_at: String,
}

/// A region's own day.
#[derive(Debug, Clone, Serialize)]
pub struct RegionDay {
    pub day: NaiveDate,
    pub is_off_day: bool,
    pub name: String,
}

impl Store {
    /// The calendar of `region_id`.
    pub async fn calendar(&self, region_id: i64) -> Result<Arc<Calendar>> {
        self.kept(&self.references.calendars, region_id, || self.read_calendar(region_id))
            .await
    }

    async fn read_calendar(&self, region_id: i64) -> Result<Calendar> {
        let notices: Vec<(String,)> = sqlx::query_as(
            "SELECT notice_json FROM calendar_notices WHERE region_id IS NULL OR region_id = $1 ORDER BY id",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut builder = CalendarBuilder::with_built_in();
        for (json,) in notices {
            let notice =
                HolidayNotice::parse(&json).map_err(|e| StoreError::Corrupt(format!("stored holiday notice: {e}")))?;
            builder = builder.notice(notice);
        }
        let days = self.region_days(region_id).await?;
        let overrides = RegionOverrides {
            extra_days_off: days.iter().filter(|d| d.is_off_day).map(|d| d.day).collect(),
            extra_working_days: days.iter().filter(|d| !d.is_off_day).map(|d| d.day).collect(),
        };
        builder
            .region(&overrides)
            .build()
            .map_err(|e| StoreError::Corrupt(format!("calendar: {e}")))
    }

    pub async fn calendar_notices(&self) -> Result<Vec<StoredNotice>> {
        let rows = sqlx::query("SELECT * FROM calendar_notices ORDER BY year, id")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let json = r.text("notice_json")?;
                let days = HolidayNotice::parse(&json).map(|n| n.days.len()).unwrap_or(0);
                Ok(StoredNotice {
                    id: r.i64("id")?,
                    region_id: r.opt_i64("region_id")?,
                    year: r.i64("year")?,
                    days,
                    created_at: r.text("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn region_days(&self, region_id: i64) -> Result<Vec<RegionDay>> {
        let rows = sqlx::query("SELECT * FROM calendar_region_days WHERE region_id = $1 ORDER BY day")
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RegionDay {
                    day: r.date("day")?.unwrap_or_default(),
                    is_off_day: r.flag("is_off_day")?,
                    name: r.text("name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

impl WriteTx {
    /// Marks schedules as computed on no day, so `refresh_stale_schedules` recomputes them on
    /// the new calendar (`None`: every region, for a national notice).
    async fn invalidate_schedules(&mut self, region_id: Option<i64>) -> Result<()> {
        sqlx::query("UPDATE projects SET scheduled_on = NULL WHERE $1 IS NULL OR region_id = $1")
            .bind(region_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Adds (or, for a year already added, replaces) a national holiday notice. The notice is
    /// checked by the domain first; the whole calendar must still build with it.
    pub async fn add_calendar_notice(&mut self, notice: &HolidayNotice) -> Result<()> {
        CalendarBuilder::with_built_in()
            .notice(notice.clone())
            .build()
            .map_err(|e| {
                StoreError::invalid(
                    "notice",
                    Rule::Other {
                        zh: e.to_string(),
                        en: e.to_string(),
                    },
                )
            })?;
        let json = serde_json::json!({
            "year": notice.year,
            "days": notice.days.iter().map(|d| serde_json::json!({"name": d.name, "date": d.date, "isOffDay": d.is_off_day})).collect::<Vec<_>>(),
        })
        .to_string();
        let now = self.now().to_string();
        sqlx::query("DELETE FROM calendar_notices WHERE region_id IS NULL AND year = $1")
            .bind(notice.year as i64)
            .execute(self.conn())
            .await?;
        let (id,): (i64,) = sqlx::query_as("INSERT INTO calendar_notices (region_id, year, notice_json, created_at) VALUES (NULL, $1, $2, $3) RETURNING id")
            .bind(notice.year as i64)
            .bind(&json)
            .bind(&now)
            .fetch_one(self.conn())
            .await?;
        self.invalidate_schedules(None).await?;
        self.audit(
            "create",
            "calendar_notice",
            Some(id),
            None::<&()>,
            Some(&serde_json::json!({"year": notice.year, "days": notice.days.len()})),
        );
        Ok(())
    }

    /// Sets a region's own day off or working day (replacing what the region had for that day).
    pub async fn set_region_day(&mut self, region_id: i64, day: NaiveDate, is_off_day: bool, name: &str) -> Result<()> {
        let now = self.now().to_string();
        sqlx::query("DELETE FROM calendar_region_days WHERE region_id = $1 AND day = $2")
            .bind(region_id)
            .bind(day.to_string())
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO calendar_region_days (region_id, day, is_off_day, name, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(region_id)
            .bind(day.to_string())
            .bind(is_off_day as i64)
            .bind(name)
            .bind(&now)
            .execute(self.conn())
            .await?;
        self.invalidate_schedules(Some(region_id)).await?;
        self.audit(
            "set",
            "calendar_region_day",
            Some(region_id),
            None::<&()>,
            Some(&serde_json::json!({"day": day, "off": is_off_day, "name": name})),
        );
        Ok(())
    }
}
