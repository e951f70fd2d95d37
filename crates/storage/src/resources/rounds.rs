//! Allocation rounds (配置轮次): the quota and its sources, the rules, the applications with their
//! commitments, the violations the eligibility rule reads, the decision preview and the
//! publication that freezes it all.

use super::{decode, json};
use crate::row::{RowExt, amount_raw, date_text};
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Rule;
use chainforce_domain::allocation::{
    ApplicantProfile, Application, ApplicationDraft, Commitment, Decision, PanelCriterion, Quota, QuotaSource,
    QuotaUnit, RoundDraft, RoundInput, RoundOutcome, RoundRules, RoundState, Violation, ViolationKind, decide_round,
};
use chainforce_domain::{Amount, chain::Quantity};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

/// A round in lists.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoundSummary {
    pub id: i64,
    pub region_id: i64,
    pub name: String,
    pub quota_unit: QuotaUnit,
    pub capacity_unit: String,
    pub state: RoundState,
    pub quota: Quantity,
    pub applications: i64,
    pub decided_on: Option<NaiveDate>,
    pub published_at: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// Part of a round's quota, with the deposit's name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoundSource {
    pub deposit_id: i64,
    pub deposit_name: String,
    pub amount: Amount,
}

/// A round with its rules, criteria and sources.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoundDetail {
    pub summary: RoundSummary,
    pub rules: RoundRules,
    pub criteria: Vec<PanelCriterion>,
    pub sources: Vec<RoundSource>,
}

impl RoundDetail {
    pub fn quota(&self) -> Quota {
        Quota {
            unit: self.summary.quota_unit,
            sources: self
                .sources
                .iter()
                .map(|s| QuotaSource {
                    deposit_id: s.deposit_id,
                    amount: s.amount,
                })
                .collect(),
        }
    }
}

/// An application as stored, with the applicant's profile as it is now (亩均 class from the
/// latest published evaluation, violations on record).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredApplication {
    pub round_id: i64,
    pub application: Application,
    pub version: i64,
}

/// A violation on record.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredViolation {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub violation: Violation,
    pub version: i64,
}

const SELECT: &str = "SELECT r.*, CAST((SELECT COALESCE(SUM(s.amount_raw), 0) FROM round_sources s WHERE s.round_id = r.id) AS BIGINT) AS quota_raw, \
     (SELECT COUNT(*) FROM round_applications a WHERE a.round_id = r.id) AS applications FROM allocation_rounds r";

fn summary(r: &AnyRow) -> Result<RoundSummary, sqlx::Error> {
    let unit = r.coded("quota_unit", QuotaUnit::parse)?;
    Ok(RoundSummary {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        name: r.text("name")?,
        quota_unit: unit,
        capacity_unit: r.text("capacity_unit")?,
        state: r.coded("state", RoundState::parse)?,
        quota: Quantity::new(Amount::from_raw(r.i64("quota_raw")?), unit.unit()),
        applications: r.i64("applications")?,
        decided_on: r.date("decided_on")?,
        published_at: r.opt_text("published_at")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

impl RoundSummary {
    /// Why the round refuses changes, if it is published: its name and when it was published,
    /// in China's time (UTC+8).
    pub fn frozen_reason(&self) -> Option<chainforce_domain::chain::Explanation> {
        if !self.state.is_frozen() {
            return None;
        }
        let since = self
            .published_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8))
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .or_else(|| self.decided_on.map(|d| d.to_string()))
            .unwrap_or_default();
        Some(RoundState::frozen_reason(&self.name, &since))
    }
}

/// The frozen-round refusal every write goes through.
fn frozen(r: &RoundSummary) -> StoreError {
    StoreError::Frozen {
        entity: "allocation_round",
        id: r.id,
        reason: r.frozen_reason(),
    }
}

fn state_error(e: chainforce_domain::validation::FieldError) -> StoreError {
    StoreError::Invalid(e.into())
}

impl Store {
    pub async fn rounds(&self, region_id: i64) -> Result<Vec<RoundSummary>> {
        let rows = sqlx::query(AssertSql(SELECT, " WHERE r.region_id = $1 ORDER BY r.id DESC").text())
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(summary).collect::<Result<_, _>>()?)
    }

    pub async fn round(&self, id: i64) -> Result<RoundDetail> {
        let mut conn = self.read.acquire().await?;
        round_in(&mut conn, id).await
    }

    /// The round's applications, each with the applicant's profile as it stands now.
    pub async fn round_applications(&self, round_id: i64) -> Result<Vec<StoredApplication>> {
        let mut conn = self.read.acquire().await?;
        applications_in(&mut conn, round_id).await
    }

    /// The region's violations on record, newest first.
    pub async fn violations(&self, region_id: i64) -> Result<Vec<StoredViolation>> {
        let rows = sqlx::query(
            "SELECT v.*, e.name AS enterprise_name FROM enterprise_violations v JOIN enterprises e ON e.id = v.enterprise_id \
             WHERE v.region_id = $1 ORDER BY v.opened_on DESC, v.id DESC",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredViolation {
                    id: r.i64("id")?,
                    enterprise_id: r.i64("enterprise_id")?,
                    enterprise_name: r.text("enterprise_name")?,
                    violation: violation(r)?,
                    version: r.i64("version")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// The decision: the stored one of a published round, otherwise a preview on the current
    /// applications, profiles and panel sheets as of `as_of`.
    pub async fn round_outcome(&self, round_id: i64, as_of: NaiveDate) -> Result<RoundOutcome> {
        let mut conn = self.read.acquire().await?;
        outcome_in(&mut conn, round_id, as_of).await
    }
}

/// `format!` for fixed SQL fragments.
struct AssertSql(&'static str, &'static str);

impl AssertSql {
    fn text(&self) -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(format!("{}{}", self.0, self.1))
    }
}

pub(super) async fn round_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<RoundDetail> {
    let row = sqlx::query(AssertSql(SELECT, " WHERE r.id = $1").text())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "allocation_round",
            id,
        })?;
    let s = summary(&row)?;
    let rules: RoundRules = decode("rules of round", id, &row.text("rules_json")?)?;
    let criteria: Vec<PanelCriterion> = decode("criteria of round", id, &row.text("criteria_json")?)?;
    let sources: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT s.deposit_id, d.name, s.amount_raw FROM round_sources s JOIN deposits d ON d.id = s.deposit_id \
         WHERE s.round_id = $1 ORDER BY s.deposit_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(RoundDetail {
        summary: s,
        rules,
        criteria,
        sources: sources
            .into_iter()
            .map(|(deposit_id, deposit_name, raw)| RoundSource {
                deposit_id,
                deposit_name,
                amount: Amount::from_raw(raw),
            })
            .collect(),
    })
}

fn violation(r: &AnyRow) -> Result<Violation, sqlx::Error> {
    Ok(Violation {
        kind: r.coded("kind", ViolationKind::parse)?,
        summary: r.text("summary")?,
        opened_on: r.date("opened_on")?.unwrap_or_default(),
        closed_on: r.date("closed_on")?,
    })
}

pub(super) async fn applications_in(conn: &mut sqlx::AnyConnection, round_id: i64) -> Result<Vec<StoredApplication>> {
    let rows = sqlx::query(
        "SELECT a.*, e.name AS enterprise_name FROM round_applications a JOIN enterprises e ON e.id = a.enterprise_id \
         WHERE a.round_id = $1 ORDER BY a.id",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id = r.i64("id")?;
        let enterprise_id = r.i64("enterprise_id")?;
        let commitment: Commitment = decode("commitment of application", id, &r.text("commitment_json")?)?;
        let applied_at = chrono::DateTime::parse_from_rfc3339(&r.text("applied_at")?)
            .map(|t| t.naive_utc())
            .map_err(|e| StoreError::Corrupt(format!("applied_at of application {id}: {e}")))?;
        let profile = profile_in(conn, enterprise_id, r).await?;
        out.push(StoredApplication {
            round_id,
            application: Application {
                id,
                enterprise_id,
                enterprise_name: r.text("enterprise_name")?,
                applied_at,
                requested: Amount::from_raw(r.i64("requested_raw")?),
                profile,
                commitment,
            },
            version: r.i64("version")?,
        });
    }
    Ok(out)
}

/// What the rules read about an applicant: the figures it stated, its class in the newest
/// published 亩均 evaluation (T — not rated — counts as unrated), and its violations on record.
async fn profile_in(conn: &mut sqlx::AnyConnection, enterprise_id: i64, app: &AnyRow) -> Result<ApplicantProfile> {
    let class: Option<(String,)> = sqlx::query_as(
        "SELECT c.class FROM evaluation_cards c JOIN evaluations e ON e.id = c.evaluation_id \
         WHERE c.enterprise_id = $1 AND e.status = 'published' ORDER BY e.year DESC, e.published_at DESC, e.id DESC LIMIT 1",
    )
    .bind(enterprise_id)
    .fetch_optional(&mut *conn)
    .await?;
    let rows = sqlx::query("SELECT * FROM enterprise_violations WHERE enterprise_id = $1 ORDER BY opened_on, id")
        .bind(enterprise_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(ApplicantProfile {
        annual_revenue_wan: app.amount("revenue_raw")?,
        listed: app.flag("listed")?,
        industry_rank: app.opt_i64("industry_rank")?.map(|r| r as u32),
        permu_class: class.map(|(c,)| c).filter(|c| c != "T"),
        violations: rows.iter().map(violation).collect::<Result<_, _>>()?,
    })
}

pub(super) async fn outcome_in(
    conn: &mut sqlx::AnyConnection,
    round_id: i64,
    as_of: NaiveDate,
) -> Result<RoundOutcome> {
    let round = round_in(conn, round_id).await?;
    if round.summary.state == RoundState::Published {
        let (text,): (Option<String>,) = sqlx::query_as("SELECT outcome_json FROM allocation_rounds WHERE id = $1")
            .bind(round_id)
            .fetch_one(&mut *conn)
            .await?;
        return decode(
            "outcome of round",
            round_id,
            &text.ok_or_else(|| StoreError::Corrupt(format!("published round {round_id} has no outcome")))?,
        );
    }
    let applications = applications_in(conn, round_id).await?;
    let panel = super::panel::panel_results_in(conn, &round).await?;
    let input = RoundInput {
        quota: round.quota(),
        capacity_unit: round.summary.capacity_unit.clone(),
        rules: round.rules.clone(),
        applications: applications.into_iter().map(|a| a.application).collect(),
    };
    let chain = super::allocation_chain_in(conn, round.summary.region_id).await?;
    let mut outcome = decide_round(&input, &chain.chain, &panel, as_of)?;
    if chain.built_in {
        outcome.note_built_in_chain();
    }
    Ok(outcome)
}

impl WriteTx {
    /// The round, if it may still change: a published one is refused here, for every caller,
    /// before anything is written.
    pub(super) async fn unfrozen_round(&mut self, id: i64) -> Result<RoundDetail> {
        let r = round_in(self.conn(), id).await?;
        if r.summary.state.is_frozen() {
            return Err(frozen(&r.summary));
        }
        Ok(r)
    }

    /// Creates a draft round.
    pub async fn create_round(&mut self, region_id: i64, d: &RoundDraft) -> Result<i64> {
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO allocation_rounds (region_id, name, quota_unit, capacity_unit, rules_json, criteria_json, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(region_id)
        .bind(&d.name)
        .bind(d.quota.unit.code())
        .bind(&d.capacity_unit)
        .bind(json(&d.rules))
        .bind(json(&d.criteria))
        .bind(RoundState::Draft.code())
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.insert_sources(region_id, id, &d.quota).await?;
        self.audit("create", "allocation_round", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    async fn insert_sources(&mut self, region_id: i64, round_id: i64, quota: &Quota) -> Result<()> {
        for (i, s) in quota.sources.iter().enumerate() {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM deposits WHERE id = $1 AND region_id = $2")
                .bind(s.deposit_id)
                .bind(region_id)
                .fetch_optional(self.conn())
                .await?;
            if found.is_none() {
                return Err(StoreError::unknown(
                    &format!("deposit_{}", i + 1),
                    &format!("矿权 / deposit {}", s.deposit_id),
                ));
            }
            sqlx::query("INSERT INTO round_sources (round_id, deposit_id, amount_raw) VALUES ($1, $2, $3)")
                .bind(round_id)
                .bind(s.deposit_id)
                .bind(s.amount.raw())
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Changes a draft's quota, rules and criteria (only a draft's: applications are judged by
    /// the rules they were made under).
    pub async fn update_round(&mut self, id: i64, d: &RoundDraft, expected_version: i64) -> Result<()> {
        let before = self.unfrozen_round(id).await?;
        if !before.summary.state.rules_editable() {
            return Err(StoreError::invalid(
                "state",
                Rule::Other {
                    zh: "只有草稿状态的配置轮次可以修改配额和规则".into(),
                    en: "only a draft round's quota and rules can change".into(),
                },
            ));
        }
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE allocation_rounds SET name = $1, quota_unit = $2, capacity_unit = $3, rules_json = $4, criteria_json = $5, \
             updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8 AND state = 'draft'",
        )
        .bind(&d.name)
        .bind(d.quota.unit.code())
        .bind(&d.capacity_unit)
        .bind(json(&d.rules))
        .bind(json(&d.criteria))
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict(
                "allocation_round",
                id,
                before.summary.version,
                &before.summary,
            ));
        }
        sqlx::query("DELETE FROM round_sources WHERE round_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        self.insert_sources(before.summary.region_id, id, &d.quota).await?;
        self.audit("update", "allocation_round", Some(id), Some(&before), Some(d));
        Ok(())
    }

    /// Moves a round along draft → open → closed (or back to open). Publishing goes through
    /// [`WriteTx::publish_round`], which keeps the decision.
    pub async fn set_round_state(&mut self, id: i64, to: RoundState, expected_version: i64) -> Result<()> {
        let before = self.unfrozen_round(id).await?;
        if to == RoundState::Published {
            return Err(StoreError::invalid(
                "state",
                Rule::Other {
                    zh: "公布须通过“公布结果”完成，以保存配置决定".into(),
                    en: "publish with “publish the decision”, which keeps the decision".into(),
                },
            ));
        }
        let to = before.summary.state.transition(to).map_err(state_error)?;
        if to == RoundState::Open && before.sources.is_empty() {
            return Err(StoreError::invalid("deposit_1", Rule::Required));
        }
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE allocation_rounds SET state = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4 \
             AND state <> 'published'",
        )
        .bind(to.code())
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict(
                "allocation_round",
                id,
                before.summary.version,
                &before.summary,
            ));
        }
        self.audit(
            "state",
            "allocation_round",
            Some(id),
            Some(&serde_json::json!({"state": before.summary.state})),
            Some(&serde_json::json!({"state": to})),
        );
        Ok(())
    }

    /// Publishes a closed round: decides it as of `as_of` and keeps the decision, each
    /// application's decision with its reasons, and the panel's opinions. From now on the round
    /// is frozen.
    pub async fn publish_round(&mut self, id: i64, as_of: NaiveDate, expected_version: i64) -> Result<RoundOutcome> {
        let before = self.unfrozen_round(id).await?;
        before
            .summary
            .state
            .transition(RoundState::Published)
            .map_err(state_error)?;
        if before.summary.version != expected_version {
            return Err(conflict(
                "allocation_round",
                id,
                before.summary.version,
                &before.summary,
            ));
        }
        let outcome = outcome_in(self.conn(), id, as_of).await?;
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let n = sqlx::query(
            "UPDATE allocation_rounds SET state = 'published', outcome_json = $1, decided_on = $2, published_by = $3, \
             published_at = $4, updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6 AND state = 'closed'",
        )
        .bind(json(&outcome))
        .bind(date_text(Some(as_of)))
        .bind(user)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict(
                "allocation_round",
                id,
                before.summary.version,
                &before.summary,
            ));
        }
        for d in &outcome.decisions {
            self.insert_decision(id, d).await?;
        }
        self.audit(
            "publish",
            "allocation_round",
            Some(id),
            Some(&before.summary),
            Some(&serde_json::json!({
                "decided_on": as_of,
                "granted": outcome.granted,
                "decisions": outcome.decisions.iter().map(|d| (d.application_id, d.eligible, d.granted.value)).collect::<Vec<_>>(),
            })),
        );
        Ok(outcome)
    }

    async fn insert_decision(&mut self, round_id: i64, d: &Decision) -> Result<()> {
        sqlx::query(
            "INSERT INTO round_decisions (round_id, application_id, enterprise_id, eligible, rank_no, granted_raw, decision_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(round_id)
        .bind(d.application_id)
        .bind(d.enterprise_id)
        .bind(d.eligible as i64)
        .bind(d.rank.map(|r| r as i64))
        .bind(d.granted.value.raw())
        .bind(json(d))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// An application entered while the round is open; one per enterprise and round.
    pub async fn create_application(&mut self, round_id: i64, a: &ApplicationDraft) -> Result<i64> {
        let round = self.unfrozen_round(round_id).await?;
        if !round.summary.state.accepts_applications() {
            return Err(StoreError::invalid(
                "state",
                Rule::Other {
                    zh: format!(
                        "配置轮次“{}”不在受理中，不能申请",
                        round.summary.state.label(chainforce_domain::validation::Lang::Zh)
                    ),
                    en: format!(
                        "the round is {}, not open for applications",
                        round.summary.state.label(chainforce_domain::validation::Lang::En)
                    ),
                },
            ));
        }
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM enterprises WHERE id = $1 AND region_id = $2")
            .bind(a.enterprise_id)
            .bind(round.summary.region_id)
            .fetch_optional(self.conn())
            .await?;
        if found.is_none() {
            return Err(StoreError::unknown(
                "enterprise_id",
                &format!("企业 / enterprise {}", a.enterprise_id),
            ));
        }
        let existing: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM round_applications WHERE round_id = $1 AND enterprise_id = $2")
                .bind(round_id)
                .bind(a.enterprise_id)
                .fetch_optional(self.conn())
                .await?;
        if existing.is_some() {
            return Err(StoreError::invalid("enterprise_id", Rule::Duplicate));
        }
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO round_applications (round_id, enterprise_id, applied_at, requested_raw, revenue_raw, listed, industry_rank, \
             commitment_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $3, $3) RETURNING id",
        )
        .bind(round_id)
        .bind(a.enterprise_id)
        .bind(&now)
        .bind(a.requested.raw())
        .bind(amount_raw(a.annual_revenue_wan))
        .bind(a.listed as i64)
        .bind(a.industry_rank.map(i64::from))
        .bind(json(&a.commitment))
        .fetch_one(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("enterprise_id"))?;
        self.audit("create", "round_application", Some(id), None::<&()>, Some(a));
        Ok(id)
    }

    /// Changes an application while its round is not yet published.
    pub async fn update_application(&mut self, id: i64, a: &ApplicationDraft, expected_version: i64) -> Result<()> {
        let round_id = self.application_round(id).await?;
        let round = self.unfrozen_round(round_id).await?;
        if round.summary.state != RoundState::Open {
            return Err(StoreError::invalid(
                "state",
                Rule::Other {
                    zh: "只有受理中的配置轮次可以修改申请".into(),
                    en: "applications change only while the round is open".into(),
                },
            ));
        }
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE round_applications SET requested_raw = $1, revenue_raw = $2, listed = $3, industry_rank = $4, commitment_json = $5, \
             updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(a.requested.raw())
        .bind(amount_raw(a.annual_revenue_wan))
        .bind(a.listed as i64)
        .bind(a.industry_rank.map(i64::from))
        .bind(json(&a.commitment))
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            let (v,): (i64,) = sqlx::query_as("SELECT version FROM round_applications WHERE id = $1")
                .bind(id)
                .fetch_one(self.conn())
                .await?;
            return Err(conflict("round_application", id, v, a));
        }
        self.audit("update", "round_application", Some(id), None::<&()>, Some(a));
        Ok(())
    }

    /// The round an application belongs to.
    pub(super) async fn application_round(&mut self, application_id: i64) -> Result<i64> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT round_id FROM round_applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(self.conn())
            .await?;
        row.map(|(r,)| r).ok_or(StoreError::NotFound {
            entity: "round_application",
            id: application_id,
        })
    }

    /// Records a safety or environmental violation of an enterprise of the region.
    pub async fn record_violation(&mut self, region_id: i64, enterprise_id: i64, v: &Violation) -> Result<i64> {
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM enterprises WHERE id = $1 AND region_id = $2")
            .bind(enterprise_id)
            .bind(region_id)
            .fetch_optional(self.conn())
            .await?;
        if found.is_none() {
            return Err(StoreError::unknown(
                "enterprise_id",
                &format!("企业 / enterprise {enterprise_id}"),
            ));
        }
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO enterprise_violations (region_id, enterprise_id, kind, summary, opened_on, closed_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(region_id)
        .bind(enterprise_id)
        .bind(v.kind.code())
        .bind(&v.summary)
        .bind(date_text(Some(v.opened_on)))
        .bind(date_text(v.closed_on))
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit("create", "enterprise_violation", Some(id), None::<&()>, Some(v));
        Ok(id)
    }

    /// 整改销号: closes a violation on `closed_on`.
    pub async fn close_violation(&mut self, id: i64, closed_on: NaiveDate, expected_version: i64) -> Result<()> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT opened_on, version FROM enterprise_violations WHERE id = $1")
                .bind(id)
                .fetch_optional(self.conn())
                .await?;
        let (opened, version) = row.ok_or(StoreError::NotFound {
            entity: "enterprise_violation",
            id,
        })?;
        if date_text(Some(closed_on)).is_some_and(|c| c < opened) {
            return Err(StoreError::invalid(
                "closed_on",
                Rule::EndBeforeStart {
                    start_field: "opened_on".into(),
                },
            ));
        }
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE enterprise_violations SET closed_on = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(date_text(Some(closed_on)))
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict(
                "enterprise_violation",
                id,
                version,
                &serde_json::json!({"version": version}),
            ));
        }
        self.audit(
            "close",
            "enterprise_violation",
            Some(id),
            None::<&()>,
            Some(&serde_json::json!({"closed_on": closed_on})),
        );
        Ok(())
    }
}
