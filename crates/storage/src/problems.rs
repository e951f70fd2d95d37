//! 问题清单: problems raised on projects.

use crate::row::{RowExt, date_text};
use crate::sql::Sql;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::paging::{PageRequest, Paged};
use chainforce_domain::problem::{ProblemDraft, ProblemStatus, ProblemStep};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub project_enterprise_id: Option<i64>,
    pub title: String,
    pub description: Option<String>,
    pub raised_by_user_id: Option<i64>,
    pub raised_by_name: Option<String>,
    pub assigned_unit_id: Option<i64>,
    pub assigned_unit_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub status: ProblemStatus,
    pub answer: Option<String>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub created_at: String,
    pub assigned_at: Option<String>,
    pub answered_at: Option<String>,
    pub solved_at: Option<String>,
    pub version: i64,
}

pub(crate) const SELECT: &str = "SELECT pr.*, p.name AS project_name, p.enterprise_id AS project_enterprise_id, u.name AS unit_name, \
     us.display_name AS raised_by_name FROM problems pr JOIN projects p ON p.id = pr.project_id \
     LEFT JOIN units u ON u.id = pr.assigned_unit_id LEFT JOIN users us ON us.id = pr.raised_by_user_id";

pub(crate) fn from_row(r: &AnyRow) -> Result<Problem, sqlx::Error> {
    Ok(Problem {
        id: r.i64("id")?,
        project_id: r.i64("project_id")?,
        project_name: r.text("project_name")?,
        project_enterprise_id: r.opt_i64("project_enterprise_id")?,
        title: r.text("title")?,
        description: r.opt_text("description")?,
        raised_by_user_id: r.opt_i64("raised_by_user_id")?,
        raised_by_name: r.opt_text("raised_by_name")?,
        assigned_unit_id: r.opt_i64("assigned_unit_id")?,
        assigned_unit_name: r.opt_text("unit_name")?,
        deadline: r.date("deadline")?,
        status: r.coded("status", ProblemStatus::parse)?,
        answer: r.opt_text("answer")?,
        rating: r.opt_i64("rating")?,
        rating_comment: r.opt_text("rating_comment")?,
        created_at: r.text("created_at")?,
        assigned_at: r.opt_text("assigned_at")?,
        answered_at: r.opt_text("answered_at")?,
        solved_at: r.opt_text("solved_at")?,
        version: r.i64("version")?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub project_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub open_only: bool,
}

/// Who raised a problem (a unit user, an enterprise user or the office).
#[derive(Debug, Clone, Copy, Default)]
pub struct RaisedBy {
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

/// The filter's conditions, after `FROM problems pr JOIN projects p …`.
fn push_filter(sql: &mut Sql, region_id: i64, f: &ProblemFilter) {
    sql.push(" WHERE p.region_id = ").bind(region_id);
    if let Some(id) = f.project_id {
        sql.push(" AND pr.project_id = ").bind(id);
    }
    if let Some(id) = f.unit_id {
        sql.push(" AND pr.assigned_unit_id = ").bind(id);
    }
    if let Some(id) = f.enterprise_id {
        sql.push(" AND p.enterprise_id = ").bind(id);
    }
    if f.open_only {
        sql.push(" AND pr.status <> 'solved'");
    }
}

impl Store {
    /// Every problem the filter matches, newest first (exports, digests, the meeting agenda). A
    /// list shown to a user reads [`Store::problems_page`].
    pub async fn problems(&self, region_id: i64, f: &ProblemFilter) -> Result<Vec<Problem>> {
        let mut sql = Sql::new(SELECT);
        push_filter(&mut sql, region_id, f);
        sql.push(" ORDER BY pr.id DESC");
        let rows = sql.query().fetch_all(&self.read).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// One page of the problems the filter matches, newest first like [`Store::problems`], with
    /// how many match in all. A page past the end holds no rows.
    pub async fn problems_page(&self, region_id: i64, f: &ProblemFilter, page: PageRequest) -> Result<Paged<Problem>> {
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM problems pr JOIN projects p ON p.id = pr.project_id");
        push_filter(&mut count, region_id, f);
        let total = u64::try_from(count.query().fetch_one(&self.read).await?.i64("n")?).unwrap_or(0);
        if u64::try_from(page.offset()).unwrap_or(u64::MAX) >= total {
            return Ok(Paged {
                rows: Vec::new(),
                page,
                total,
            });
        }
        let mut sql = Sql::new(SELECT);
        push_filter(&mut sql, region_id, f);
        sql.push(" ORDER BY pr.id DESC LIMIT ")
            .bind(page.limit())
            .push(" OFFSET ")
            .bind(page.offset());
        let rows = sql.query().fetch_all(&self.read).await?;
        Ok(Paged {
            rows: rows.iter().map(from_row).collect::<Result<_, _>>()?,
            page,
            total,
        })
    }

    pub async fn problem(&self, id: i64) -> Result<Problem> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE pr.id = ").bind(id);
        let row = sql.query().fetch_optional(&self.read).await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "problem", id })
    }
}

impl WriteTx {
    pub(crate) async fn problem_in_tx(&mut self, id: i64) -> Result<Problem> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE pr.id = ").bind(id);
        let row = sql.query().fetch_optional(self.conn()).await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "problem", id })
    }

    pub async fn raise_problem(&mut self, project_id: i64, d: &ProblemDraft, by: RaisedBy) -> Result<i64> {
        self.project_in_tx(project_id).await?;
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problems (project_id, title, description, raised_by_user_id, raised_by_unit_id, raised_by_enterprise_id, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(project_id)
        .bind(&d.title)
        .bind(&d.description)
        .bind(user)
        .bind(by.unit_id)
        .bind(by.enterprise_id)
        .bind(ProblemStatus::Raised.code())
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit("create", "problem", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    /// The office assigns (交办) a problem to a unit with a deadline (re-assigning is allowed
    /// until it is answered).
    pub async fn assign_problem(
        &mut self,
        id: i64,
        expected_version: i64,
        unit_id: i64,
        deadline: NaiveDate,
    ) -> Result<()> {
        let before = self.problem_in_tx(id).await?;
        let status = before.status.after(ProblemStep::Assign)?;
        let (region_id,): (i64,) = sqlx::query_as("SELECT region_id FROM projects WHERE id = $1")
            .bind(before.project_id)
            .fetch_one(self.conn())
            .await?;
        self.check_unit("unit_id", Some(unit_id), region_id, None).await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE problems SET assigned_unit_id = $1, deadline = $2, assigned_at = $3, status = $4, updated_at = $3, version = version + 1 \
             WHERE id = $5 AND version = $6",
        )
        .bind(unit_id)
        .bind(date_text(Some(deadline)))
        .bind(&now)
        .bind(status.code())
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        self.after_step(
            n,
            "assign",
            &before,
            serde_json::json!({"assigned_unit_id": unit_id, "deadline": deadline}),
        )?;
        // The unit's group robot hears of it in the same transaction (issue 6).
        self.notify_problem_assigned(id).await
    }

    /// The assigned unit answers (答复).
    pub async fn answer_problem(&mut self, id: i64, expected_version: i64, answer: &str) -> Result<()> {
        let before = self.problem_in_tx(id).await?;
        let status = before.status.after(ProblemStep::Answer)?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE problems SET answer = $1, answered_at = $2, status = $3, updated_at = $2, version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(answer)
        .bind(&now)
        .bind(status.code())
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        self.after_step(n, "answer", &before, serde_json::json!({"answer": answer}))
    }

    /// The enterprise (or the office) confirms the problem solved and rates the service 1–5.
    pub async fn confirm_problem(
        &mut self,
        id: i64,
        expected_version: i64,
        rating: i64,
        comment: Option<&str>,
    ) -> Result<()> {
        let before = self.problem_in_tx(id).await?;
        let status = before.status.after(ProblemStep::Confirm)?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE problems SET rating = $1, rating_comment = $2, solved_at = $3, status = $4, updated_at = $3, version = version + 1 \
             WHERE id = $5 AND version = $6",
        )
        .bind(rating)
        .bind(comment)
        .bind(&now)
        .bind(status.code())
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        self.after_step(
            n,
            "confirm",
            &before,
            serde_json::json!({"rating": rating, "comment": comment}),
        )
    }

    /// The enterprise is not satisfied with the answer: back to the unit.
    pub async fn reject_problem_answer(&mut self, id: i64, expected_version: i64, comment: Option<&str>) -> Result<()> {
        let before = self.problem_in_tx(id).await?;
        let status = before.status.after(ProblemStep::Reject)?;
        let now = self.now().to_string();
        let n = sqlx::query("UPDATE problems SET status = $1, rating_comment = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(status.code())
            .bind(comment)
            .bind(&now)
            .bind(id)
            .bind(expected_version)
            .execute(self.conn())
            .await?
            .rows_affected();
        self.after_step(n, "reject", &before, serde_json::json!({"comment": comment}))
    }

    fn after_step(&mut self, rows: u64, action: &str, before: &Problem, after: serde_json::Value) -> Result<()> {
        if rows == 0 {
            return Err(conflict("problem", before.id, before.version, before));
        }
        self.audit(action, "problem", Some(before.id), Some(before), Some(&after));
        Ok(())
    }
}
