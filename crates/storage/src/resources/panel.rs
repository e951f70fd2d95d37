//! 专家组: the experts asked to review a round, their sheets and opinions, and their conflict
//! declarations; the panel score is the domain's trimmed mean. The sheets of a project's
//! technical-plan review (`plan_reviews.rs`) are kept and read by the same code, in their own
//! table ([`SheetTable`]).

use super::rounds::{RoundDetail, round_in};
use super::{decode, json};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::Rule;
use chainforce_domain::allocation::{
    ConflictDeclaration, PanelCriterion, PanelInput, PanelResult, RoundState, ScoreSheet, panel_scores,
};
use chainforce_domain::org::Role;
use serde::Serialize;
use std::collections::BTreeMap;

/// A round an expert was asked to review.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExpertAssignment {
    pub round_id: i64,
    pub round_name: String,
    pub state: RoundState,
    pub assigned_at: String,
}

/// One expert's sheet (or conflict declaration) on one application or plan review.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredSheet {
    /// What the sheet is on: a round's application, or a plan review.
    pub subject_id: i64,
    pub expert_id: i64,
    pub expert_name: String,
    /// Points by criterion; `None` when only a conflict was declared.
    pub points: Option<BTreeMap<String, Amount>>,
    pub opinion: String,
    pub conflict: bool,
    pub conflict_reason: String,
    pub updated_at: String,
}

impl Store {
    /// The experts on a round's panel: (user id, display name).
    pub async fn panel_members(&self, round_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.display_name FROM panel_members p JOIN users u ON u.id = p.expert_id WHERE p.round_id = $1 ORDER BY u.id",
        )
        .bind(round_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Whether `expert_id` was asked to review `round_id`.
    pub async fn is_panel_member(&self, round_id: i64, expert_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM panel_members WHERE round_id = $1 AND expert_id = $2")
            .bind(round_id)
            .bind(expert_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.is_some())
    }

    /// The rounds an expert was asked to review, newest first — and nothing else.
    pub async fn expert_assignments(&self, expert_id: i64) -> Result<Vec<ExpertAssignment>> {
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.state, p.assigned_at FROM panel_members p JOIN allocation_rounds r ON r.id = p.round_id \
             WHERE p.expert_id = $1 ORDER BY r.id DESC",
        )
        .bind(expert_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ExpertAssignment {
                    round_id: r.i64("id")?,
                    round_name: r.text("name")?,
                    state: r.coded("state", RoundState::parse)?,
                    assigned_at: r.text("assigned_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Every sheet of a round (for the office and the decision), or one expert's.
    pub async fn panel_sheets(&self, round_id: i64, expert_id: Option<i64>) -> Result<Vec<StoredSheet>> {
        let mut conn = self.read.acquire().await?;
        let all = sheets_in(&mut conn, round_id).await?;
        Ok(all
            .into_iter()
            .filter(|s| expert_id.is_none_or(|e| e == s.expert_id))
            .collect())
    }

    /// The panel score of each application of the round, under the round's panel rules.
    pub async fn panel_results(&self, round_id: i64) -> Result<Vec<PanelResult>> {
        let mut conn = self.read.acquire().await?;
        let round = round_in(&mut conn, round_id).await?;
        panel_results_in(&mut conn, &round).await
    }
}

/// Where a panel's sheets are kept: on a round's applications, or on a project's plan review.
#[derive(Debug, Clone, Copy)]
pub(super) struct SheetTable {
    table: &'static str,
    /// The column naming what a sheet is on.
    key: &'static str,
    /// The audit entity of that subject.
    entity: &'static str,
}

pub(super) const ROUND_SHEETS: SheetTable = SheetTable {
    table: "panel_sheets",
    key: "application_id",
    entity: "round_application",
};

pub(super) const PLAN_SHEETS: SheetTable = SheetTable {
    table: "plan_review_sheets",
    key: "review_id",
    entity: "plan_review",
};

impl SheetTable {
    /// SQL text from this crate's fixed table and column names only; values stay parameters.
    fn sql(&self, template: &str) -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(template.replace("{table}", self.table).replace("{key}", self.key))
    }
}

/// The sheets of `t` that `join_and_filter` (fixed SQL on `s` with `$1`) selects, with the experts'
/// names, by subject then expert.
pub(super) async fn read_sheets(
    conn: &mut sqlx::AnyConnection,
    t: SheetTable,
    join_and_filter: &str,
    id: i64,
) -> Result<Vec<StoredSheet>> {
    let rows = sqlx::query(t.sql(&format!(
        "SELECT s.*, s.{{key}} AS subject_id, u.display_name FROM {{table}} s JOIN users u ON u.id = s.expert_id \
         {join_and_filter} ORDER BY s.{{key}}, s.expert_id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let subject_id = r.i64("subject_id")?;
        let points = match r.opt_text("points_json")? {
            Some(text) => Some(decode(t.entity, subject_id, &text)?),
            None => None,
        };
        out.push(StoredSheet {
            subject_id,
            expert_id: r.i64("expert_id")?,
            expert_name: r.text("display_name")?,
            points,
            opinion: r.text("opinion")?,
            conflict: r.flag("conflict")?,
            conflict_reason: r.text("conflict_reason")?,
            updated_at: r.text("updated_at")?,
        });
    }
    Ok(out)
}

async fn sheets_in(conn: &mut sqlx::AnyConnection, round_id: i64) -> Result<Vec<StoredSheet>> {
    read_sheets(
        conn,
        ROUND_SHEETS,
        "JOIN round_applications a ON a.id = s.application_id WHERE a.round_id = $1",
        round_id,
    )
    .await
}

/// What the domain's panel score reads: the sheets given (a conflicted expert's included, for
/// the domain to leave out) and the conflicts declared.
pub(super) fn panel_input(criteria: &[PanelCriterion], sheets: &[StoredSheet]) -> PanelInput {
    PanelInput {
        criteria: criteria.to_vec(),
        sheets: sheets
            .iter()
            .filter_map(|s| {
                s.points.as_ref().map(|p| ScoreSheet {
                    expert_id: s.expert_id,
                    application_id: s.subject_id,
                    points: p.clone(),
                    opinion: s.opinion.clone(),
                })
            })
            .collect(),
        conflicts: sheets
            .iter()
            .filter(|s| s.conflict)
            .map(|s| ConflictDeclaration {
                expert_id: s.expert_id,
                application_id: s.subject_id,
                reason: s.conflict_reason.clone(),
            })
            .collect(),
    }
}

pub(super) async fn panel_results_in(conn: &mut sqlx::AnyConnection, round: &RoundDetail) -> Result<Vec<PanelResult>> {
    let sheets = sheets_in(conn, round.summary.id).await?;
    Ok(panel_scores(
        &panel_input(&round.criteria, &sheets),
        &round.rules.panel,
    )?)
}

impl WriteTx {
    /// Asks these experts (users with the expert role) to review the round; replaces the panel.
    /// Sheets already given stay.
    pub async fn set_panel(&mut self, round_id: i64, expert_ids: &[i64]) -> Result<()> {
        let round = self.unfrozen_round(round_id).await?;
        self.check_experts(round.summary.region_id, expert_ids).await?;
        sqlx::query("DELETE FROM panel_members WHERE round_id = $1")
            .bind(round_id)
            .execute(self.conn())
            .await?;
        let now = self.now().to_string();
        for e in expert_ids {
            sqlx::query("INSERT INTO panel_members (round_id, expert_id, assigned_at) VALUES ($1, $2, $3)")
                .bind(round_id)
                .bind(e)
                .bind(&now)
                .execute(self.conn())
                .await
                .map_err(|err| StoreError::from(err).duplicate_as("experts"))?;
        }
        self.audit(
            "panel",
            "allocation_round",
            Some(round_id),
            None::<&()>,
            Some(&expert_ids),
        );
        Ok(())
    }

    /// Each id is an active expert of the region, or the error names the first that is not.
    pub(super) async fn check_experts(&mut self, region_id: i64, expert_ids: &[i64]) -> Result<()> {
        for (i, e) in expert_ids.iter().enumerate() {
            let row: Option<(String, i64)> =
                sqlx::query_as("SELECT role, region_id FROM users WHERE id = $1 AND active = 1")
                    .bind(e)
                    .fetch_optional(self.conn())
                    .await?;
            match row {
                Some((role, region)) if role == Role::Expert.code() && region == region_id => {}
                _ => {
                    return Err(StoreError::invalid(
                        &format!("experts[{i}]"),
                        Rule::Other {
                            zh: format!("用户 {e} 不是本地区的专家"),
                            en: format!("user {e} is not an expert of this region"),
                        },
                    ));
                }
            }
        }
        Ok(())
    }

    /// The round of an application the acting expert may review: on its panel, round not frozen.
    async fn reviewable(&mut self, application_id: i64, expert_id: i64) -> Result<RoundDetail> {
        let round_id = self.application_round(application_id).await?;
        let round = self.unfrozen_round(round_id).await?;
        let member: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM panel_members WHERE round_id = $1 AND expert_id = $2")
                .bind(round_id)
                .bind(expert_id)
                .fetch_optional(self.conn())
                .await?;
        if member.is_none() {
            return Err(StoreError::NotFound {
                entity: "round_application",
                id: application_id,
            });
        }
        if !matches!(round.summary.state, RoundState::Open | RoundState::Closed) {
            return Err(StoreError::invalid(
                "state",
                Rule::Other {
                    zh: "配置轮次尚未受理申请，不能评分".into(),
                    en: "the round is not open yet; nothing to review".into(),
                },
            ));
        }
        Ok(round)
    }

    /// An expert's score sheet and opinion on an application (replacing their earlier one).
    /// Points are checked against the round's criteria by `SheetForm::validate`.
    pub async fn save_sheet(
        &mut self,
        application_id: i64,
        expert_id: i64,
        points: &BTreeMap<String, Amount>,
        opinion: &str,
    ) -> Result<()> {
        let round = self.reviewable(application_id, expert_id).await?;
        self.put_sheet(
            ROUND_SHEETS,
            &round.criteria,
            application_id,
            expert_id,
            points,
            opinion,
        )
        .await
    }

    /// 利益冲突声明: the expert stays out of this application; a sheet they gave is kept but not
    /// counted.
    pub async fn declare_conflict(&mut self, application_id: i64, expert_id: i64, reason: &str) -> Result<()> {
        self.reviewable(application_id, expert_id).await?;
        self.put_conflict(ROUND_SHEETS, application_id, expert_id, reason).await
    }

    /// Keeps an expert's sheet on `subject` in `t`, replacing their earlier one; every criterion
    /// must have points. The caller has checked that the expert may review it.
    pub(super) async fn put_sheet(
        &mut self,
        t: SheetTable,
        criteria: &[PanelCriterion],
        subject: i64,
        expert_id: i64,
        points: &BTreeMap<String, Amount>,
        opinion: &str,
    ) -> Result<()> {
        for c in criteria {
            if !points.contains_key(&c.code) {
                return Err(StoreError::invalid(&format!("points.{}", c.code), Rule::Required));
            }
        }
        let now = self.now().to_string();
        let n = sqlx::query(t.sql(
            "UPDATE {table} SET points_json = $1, opinion = $2, updated_at = $3 WHERE {key} = $4 AND expert_id = $5",
        ))
        .bind(json(points))
        .bind(opinion)
        .bind(&now)
        .bind(subject)
        .bind(expert_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            sqlx::query(t.sql(
                "INSERT INTO {table} ({key}, expert_id, points_json, opinion, updated_at) VALUES ($1, $2, $3, $4, $5)",
            ))
            .bind(subject)
            .bind(expert_id)
            .bind(json(points))
            .bind(opinion)
            .bind(&now)
            .execute(self.conn())
            .await?;
        }
        self.audit(
            "score",
            t.entity,
            Some(subject),
            None::<&()>,
            Some(&serde_json::json!({"expert_id": expert_id, "points": points, "opinion": opinion})),
        );
        Ok(())
    }

    /// Records an expert's conflict of interest on `subject` in `t`; a sheet they gave is kept
    /// but the domain leaves it out.
    pub(super) async fn put_conflict(
        &mut self,
        t: SheetTable,
        subject: i64,
        expert_id: i64,
        reason: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let n = sqlx::query(t.sql(
            "UPDATE {table} SET conflict = 1, conflict_reason = $1, updated_at = $2 WHERE {key} = $3 AND expert_id = $4",
        ))
        .bind(reason)
        .bind(&now)
        .bind(subject)
        .bind(expert_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            sqlx::query(t.sql(
                "INSERT INTO {table} ({key}, expert_id, conflict, conflict_reason, updated_at) VALUES ($1, $2, 1, $3, $4)",
            ))
            .bind(subject)
            .bind(expert_id)
            .bind(reason)
            .bind(&now)
            .execute(self.conn())
            .await?;
        }
        self.audit(
            "conflict",
            t.entity,
            Some(subject),
            None::<&()>,
            Some(&serde_json::json!({"expert_id": expert_id, "reason": reason})),
        );
        Ok(())
    }
}
