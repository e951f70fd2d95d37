//! 专家组: the experts asked to review a round, their sheets and opinions, and their conflict
//! declarations; the panel score is the domain's trimmed mean.

use super::rounds::{RoundDetail, round_in};
use super::{decode, json};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::Rule;
use chainforce_domain::allocation::{
    ConflictDeclaration, PanelInput, PanelResult, RoundState, ScoreSheet, panel_scores,
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

/// One expert's sheet (or conflict declaration) on one application.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredSheet {
    pub application_id: i64,
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

async fn sheets_in(conn: &mut sqlx::AnyConnection, round_id: i64) -> Result<Vec<StoredSheet>> {
    let rows = sqlx::query(
        "SELECT s.*, u.display_name FROM panel_sheets s JOIN round_applications a ON a.id = s.application_id \
         JOIN users u ON u.id = s.expert_id WHERE a.round_id = $1 ORDER BY s.application_id, s.expert_id",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let application_id = r.i64("application_id")?;
        let points = match r.opt_text("points_json")? {
            Some(t) => Some(decode("points of application", application_id, &t)?),
            None => None,
        };
        out.push(StoredSheet {
            application_id,
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

pub(super) async fn panel_results_in(conn: &mut sqlx::AnyConnection, round: &RoundDetail) -> Result<Vec<PanelResult>> {
    let sheets = sheets_in(conn, round.summary.id).await?;
    let input = PanelInput {
        criteria: round.criteria.clone(),
        sheets: sheets
            .iter()
            .filter_map(|s| {
                s.points.as_ref().map(|p| ScoreSheet {
                    expert_id: s.expert_id,
                    application_id: s.application_id,
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
                application_id: s.application_id,
                reason: s.conflict_reason.clone(),
            })
            .collect(),
    };
    Ok(panel_scores(&input, &round.rules.panel)?)
}

impl WriteTx {
    /// Asks these experts (users with the expert role) to review the round; replaces the panel.
    /// Sheets already given stay.
    pub async fn set_panel(&mut self, round_id: i64, expert_ids: &[i64]) -> Result<()> {
        let round = self.unfrozen_round(round_id).await?;
        for (i, e) in expert_ids.iter().enumerate() {
            let row: Option<(String, i64)> =
                sqlx::query_as("SELECT role, region_id FROM users WHERE id = $1 AND active = 1")
                    .bind(e)
                    .fetch_optional(self.conn())
                    .await?;
            match row {
                Some((role, region)) if role == Role::Expert.code() && region == round.summary.region_id => {}
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
        for c in &round.criteria {
            if !points.contains_key(&c.code) {
                return Err(StoreError::invalid(&format!("points.{}", c.code), Rule::Required));
            }
        }
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE panel_sheets SET points_json = $1, opinion = $2, updated_at = $3 WHERE application_id = $4 AND expert_id = $5",
        )
        .bind(json(points))
        .bind(opinion)
        .bind(&now)
        .bind(application_id)
        .bind(expert_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            sqlx::query(
                "INSERT INTO panel_sheets (application_id, expert_id, points_json, opinion, updated_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(application_id)
            .bind(expert_id)
            .bind(json(points))
            .bind(opinion)
            .bind(&now)
            .execute(self.conn())
            .await?;
        }
        self.audit(
            "score",
            "round_application",
            Some(application_id),
            None::<&()>,
            Some(&serde_json::json!({"expert_id": expert_id, "points": points, "opinion": opinion})),
        );
        Ok(())
    }

    /// 利益冲突声明: the expert stays out of this application; a sheet they gave is kept but not
    /// counted.
    pub async fn declare_conflict(&mut self, application_id: i64, expert_id: i64, reason: &str) -> Result<()> {
        self.reviewable(application_id, expert_id).await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE panel_sheets SET conflict = 1, conflict_reason = $1, updated_at = $2 WHERE application_id = $3 AND expert_id = $4",
        )
        .bind(reason)
        .bind(&now)
        .bind(application_id)
        .bind(expert_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            sqlx::query(
                "INSERT INTO panel_sheets (application_id, expert_id, conflict, conflict_reason, updated_at) VALUES ($1, $2, 1, $3, $4)",
            )
            .bind(application_id)
            .bind(expert_id)
            .bind(reason)
            .bind(&now)
            .execute(self.conn())
            .await?;
        }
        self.audit(
            "conflict",
            "round_application",
            Some(application_id),
            None::<&()>,
            Some(&serde_json::json!({"expert_id": expert_id, "reason": reason})),
        );
        Ok(())
    }
}
