//! 技术方案评审: the office asks a panel of experts to review a project's technical plan. Each
//! expert sees only the reviews they were asked to do, scores the plan against the review's
//! sheet, writes an opinion or declares a conflict of interest; the panel score is the domain's
//! trimmed mean, as for a round ([`super::panel`] keeps and reads the sheets).

use super::panel::{PLAN_SHEETS, StoredSheet, panel_input, read_sheets};
use super::{decode, json};
use crate::row::RowExt;
use crate::sql::Sql;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::allocation::{PanelCriterion, PanelResult, PanelRules, PlanReviewDraft, panel_scores};
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// A project's technical-plan review and the experts asked to do it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlanReview {
    pub id: i64,
    pub region_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub title: String,
    pub plan: String,
    pub criteria: Vec<PanelCriterion>,
    pub panel: PanelRules,
    /// (user id, display name).
    pub experts: Vec<(i64, String)>,
    pub created_at: String,
}

const SELECT: &str = "SELECT r.*, p.name AS project_name FROM plan_reviews r JOIN projects p ON p.id = r.project_id";

fn from_row(r: &AnyRow) -> Result<PlanReview> {
    let id = r.i64("id")?;
    Ok(PlanReview {
        id,
        region_id: r.i64("region_id")?,
        project_id: r.i64("project_id")?,
        project_name: r.text("project_name")?,
        title: r.text("title")?,
        plan: r.text("plan")?,
        criteria: decode("criteria of plan review", id, &r.text("criteria_json")?)?,
        panel: decode("panel rules of plan review", id, &r.text("panel_json")?)?,
        experts: Vec::new(),
        created_at: r.text("created_at")?,
    })
}

impl Store {
    /// The region's plan reviews, newest first (for the office).
    pub async fn plan_reviews(&self, region_id: i64) -> Result<Vec<PlanReview>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE r.region_id = ")
            .bind(region_id)
            .push(" ORDER BY r.id DESC");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(from_row).collect()
    }

    /// The plan reviews an expert was asked to do, newest first — and nothing else.
    pub async fn expert_plan_reviews(&self, expert_id: i64) -> Result<Vec<PlanReview>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" JOIN plan_review_members m ON m.review_id = r.id WHERE m.expert_id = ")
            .bind(expert_id)
            .push(" ORDER BY r.id DESC");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn plan_review(&self, id: i64) -> Result<PlanReview> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE r.id = ").bind(id);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "plan_review",
                id,
            })?;
        let mut review = from_row(&row)?;
        review.experts = sqlx::query_as(
            "SELECT u.id, u.display_name FROM plan_review_members m JOIN users u ON u.id = m.expert_id \
             WHERE m.review_id = $1 ORDER BY u.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        Ok(review)
    }

    /// The review's sheets, every expert's (for the office) or one expert's own.
    pub async fn plan_review_sheets(&self, review_id: i64, expert_id: Option<i64>) -> Result<Vec<StoredSheet>> {
        let mut conn = self.read.acquire().await?;
        let all = read_sheets(&mut conn, PLAN_SHEETS, "WHERE s.review_id = $1", review_id).await?;
        Ok(all
            .into_iter()
            .filter(|s| expert_id.is_none_or(|e| e == s.expert_id))
            .collect())
    }

    /// The panel's score of the plan: high and low dropped as the review's rules say, conflicted
    /// experts left out; `None` before anyone has scored or declared.
    pub async fn plan_review_result(&self, review: &PlanReview) -> Result<Option<PanelResult>> {
        let sheets = self.plan_review_sheets(review.id, None).await?;
        let results = panel_scores(&panel_input(&review.criteria, &sheets), &review.panel)?;
        Ok(results.into_iter().find(|r| r.application_id == review.id))
    }
}

impl WriteTx {
    /// Asks the draft's experts to review the project's technical plan.
    pub async fn create_plan_review(&mut self, region_id: i64, d: &PlanReviewDraft) -> Result<i64> {
        let project: Option<(i64,)> = sqlx::query_as("SELECT region_id FROM projects WHERE id = $1")
            .bind(d.project_id)
            .fetch_optional(self.conn())
            .await?;
        if project.is_none_or(|(r,)| r != region_id) {
            return Err(StoreError::invalid(
                "project_id",
                chainforce_domain::Rule::Unknown {
                    what: "项目 / project".into(),
                },
            ));
        }
        self.check_experts(region_id, &d.expert_ids).await?;
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO plan_reviews (region_id, project_id, title, plan, criteria_json, panel_json, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(region_id)
        .bind(d.project_id)
        .bind(&d.title)
        .bind(&d.plan)
        .bind(json(&d.criteria))
        .bind(json(&d.panel))
        .bind(user)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        for e in &d.expert_ids {
            sqlx::query("INSERT INTO plan_review_members (review_id, expert_id, assigned_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(e)
                .bind(&now)
                .execute(self.conn())
                .await?;
        }
        self.audit("create", "plan_review", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    /// The review, if `expert_id` was asked to do it; otherwise it does not exist for them.
    async fn assigned_plan_review(&mut self, review_id: i64, expert_id: i64) -> Result<PlanReview> {
        let mut sql = Sql::new(SELECT);
        sql.push(" JOIN plan_review_members m ON m.review_id = r.id WHERE r.id = ")
            .bind(review_id)
            .push(" AND m.expert_id = ")
            .bind(expert_id);
        let row = sql.query().fetch_optional(self.conn()).await?;
        match row {
            Some(r) => from_row(&r),
            None => Err(StoreError::NotFound {
                entity: "plan_review",
                id: review_id,
            }),
        }
    }

    /// An expert's sheet and opinion on the plan (replacing their earlier one).
    pub async fn save_plan_sheet(
        &mut self,
        review_id: i64,
        expert_id: i64,
        points: &BTreeMap<String, Amount>,
        opinion: &str,
    ) -> Result<()> {
        let review = self.assigned_plan_review(review_id, expert_id).await?;
        self.put_sheet(PLAN_SHEETS, &review.criteria, review_id, expert_id, points, opinion)
            .await
    }

    /// 利益冲突声明 on a plan review: the expert's sheet, if any, is kept but not counted.
    pub async fn declare_plan_conflict(&mut self, review_id: i64, expert_id: i64, reason: &str) -> Result<()> {
        self.assigned_plan_review(review_id, expert_id).await?;
        self.put_conflict(PLAN_SHEETS, review_id, expert_id, reason).await
    }
}
