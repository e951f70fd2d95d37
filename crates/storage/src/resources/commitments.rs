//! 用好资源换好产业: each granted application's promises against the progress reported, with the
//! domain's verdict on each item — the alerts for the office, the meeting agenda and the ranking.

use super::decode;
use crate::row::{RowExt, amount_raw, date_text};
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Rule;
use chainforce_domain::allocation::{Actuals, Commitment, CommitmentReport, TrackStatus, track_commitment};
use chainforce_domain::chain::Quantity;
use chainforce_domain::{Amount, chain::Unit};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// A granted application's commitment and how it stands.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TrackedCommitment {
    pub application_id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub granted: Quantity,
    pub capacity_unit: String,
    pub commitment: Commitment,
    /// The newest reported figure of each kind (all zero / empty before any report).
    pub actuals: Actuals,
    pub reports: i64,
    pub report: CommitmentReport,
}

impl TrackedCommitment {
    /// Something has fallen behind: an alert.
    pub fn is_behind(&self) -> bool {
        self.report.status == TrackStatus::Behind
    }
}

impl Store {
    /// Every commitment given for ore in the region's published rounds, judged on `as_of`;
    /// those behind first.
    pub async fn commitments(&self, region_id: i64, as_of: NaiveDate) -> Result<Vec<TrackedCommitment>> {
        let rows = sqlx::query(
            "SELECT d.application_id, d.round_id, r.name AS round_name, r.quota_unit, r.capacity_unit, d.enterprise_id, \
             e.name AS enterprise_name, d.granted_raw, a.commitment_json FROM round_decisions d \
             JOIN allocation_rounds r ON r.id = d.round_id JOIN round_applications a ON a.id = d.application_id \
             JOIN enterprises e ON e.id = d.enterprise_id \
             WHERE r.region_id = $1 AND r.state = 'published' AND d.granted_raw > 0 ORDER BY d.round_id DESC, d.rank_no",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut actuals = self.actuals(region_id).await?;
        let mut out = Vec::new();
        for r in &rows {
            let application_id = r.i64("application_id")?;
            let commitment: Commitment =
                decode("commitment of application", application_id, &r.text("commitment_json")?)?;
            let (actuals, reports) = actuals.remove(&application_id).unwrap_or_default();
            let capacity_unit = r.text("capacity_unit")?;
            let unit = match r.text("quota_unit")?.as_str() {
                "t_ore_per_year" => Unit::TonnesOrePerYear,
                _ => Unit::TonnesLcePerYear,
            };
            let report = track_commitment(&commitment, &actuals, &capacity_unit, as_of);
            out.push(TrackedCommitment {
                application_id,
                round_id: r.i64("round_id")?,
                round_name: r.text("round_name")?,
                enterprise_id: r.i64("enterprise_id")?,
                enterprise_name: r.text("enterprise_name")?,
                granted: Quantity::new(Amount::from_raw(r.i64("granted_raw")?), unit),
                capacity_unit,
                commitment,
                actuals,
                reports,
                report,
            });
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.report.status));
        Ok(out)
    }

    /// The commitments behind schedule on `as_of`: the alerts.
    pub async fn commitment_alerts(&self, region_id: i64, as_of: NaiveDate) -> Result<Vec<TrackedCommitment>> {
        Ok(self
            .commitments(region_id, as_of)
            .await?
            .into_iter()
            .filter(TrackedCommitment::is_behind)
            .collect())
    }

    /// For each granted application of the region's published rounds, the newest reported value
    /// of each figure and how many reports there were: one query for the dashboard's alerts, not
    /// one per application.
    async fn actuals(&self, region_id: i64) -> Result<HashMap<i64, (Actuals, i64)>> {
        let rows = sqlx::query(
            "SELECT cp.* FROM commitment_progress cp JOIN round_decisions d ON d.application_id = cp.application_id \
             JOIN allocation_rounds r ON r.id = d.round_id \
             WHERE r.region_id = $1 AND r.state = 'published' AND d.granted_raw > 0 ORDER BY cp.created_at, cp.id",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut by_application: HashMap<i64, (Actuals, i64)> = HashMap::new();
        for r in &rows {
            let (a, reports) = by_application.entry(r.i64("application_id")?).or_default();
            a.investment_to_date_wan = Amount::from_raw(r.i64("investment_to_date_raw")?);
            a.started_on = r.date("started_on")?.or(a.started_on);
            a.production_on = r.date("production_on")?.or(a.production_on);
            a.capacity_reached = r.amount("capacity_reached_raw")?.or(a.capacity_reached);
            a.local_processing_pct = r.amount("local_processing_raw")?.or(a.local_processing_pct);
            *reports += 1;
        }
        Ok(by_application)
    }
}

impl WriteTx {
    /// Records what has happened on a granted application (the round is published; progress is
    /// not part of the frozen decision).
    pub async fn record_progress(&mut self, application_id: i64, a: &Actuals) -> Result<i64> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT d.granted_raw FROM round_decisions d JOIN allocation_rounds r ON r.id = d.round_id \
             WHERE d.application_id = $1 AND r.state = 'published'",
        )
        .bind(application_id)
        .fetch_optional(self.conn())
        .await?;
        match row {
            None => {
                return Err(StoreError::NotFound {
                    entity: "commitment",
                    id: application_id,
                });
            }
            Some((granted,)) if granted <= 0 => {
                return Err(StoreError::invalid(
                    "application_id",
                    Rule::Other {
                        zh: "该申请未获配置，没有需要跟踪的承诺".into(),
                        en: "this application was granted nothing; there is no commitment to track".into(),
                    },
                ));
            }
            Some(_) => {}
        }
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO commitment_progress (application_id, investment_to_date_raw, started_on, production_on, capacity_reached_raw, \
             local_processing_raw, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(application_id)
        .bind(a.investment_to_date_wan.raw())
        .bind(date_text(a.started_on))
        .bind(date_text(a.production_on))
        .bind(amount_raw(a.capacity_reached))
        .bind(amount_raw(a.local_processing_pct))
        .bind(user)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit("progress", "commitment", Some(application_id), None::<&()>, Some(a));
        Ok(id)
    }
}
