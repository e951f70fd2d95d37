//! Projects (项目) and their stage dates.

use crate::row::{RowExt, amount_raw, date_text};
use crate::sql::Sql;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::org::UnitKind;
use chainforce_domain::paging::{PageRequest, Paged};
use chainforce_domain::pipeline::{RecordedRoad, StageChangeForm, StageFacts, check_stage_unchanged};
use chainforce_domain::project::{ConstructionNature, ProjectDraft, ProjectState, Stage};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

/// A project with the names of what it refers to, ready for lists and pages.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    pub region_id: i64,
    #[serde(flatten)]
    pub draft: ProjectDraft,
    pub state: ProjectState,
    pub state_reason: Option<String>,
    pub version: i64,
    pub updated_at: String,
    pub enterprise_name: Option<String>,
    pub township_name: Option<String>,
    pub lead_unit_name: Option<String>,
    pub chain_node_name: Option<String>,
}

pub(crate) const SELECT: &str = "SELECT p.*, e.name AS enterprise_name, t.name AS township_name, l.name AS lead_unit_name, n.name AS chain_node_name \
     FROM projects p LEFT JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN units t ON t.id = p.township_id \
     LEFT JOIN units l ON l.id = p.lead_unit_id LEFT JOIN chain_nodes n ON n.id = p.chain_node_id";

pub(crate) fn from_row(r: &AnyRow) -> Result<Project, sqlx::Error> {
    let nature = match r.opt_text("nature")? {
        Some(n) => Some(ConstructionNature::parse(&n).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "nature".into(),
            source: format!("unknown code '{n}'").into(),
        })?),
        None => None,
    };
    Ok(Project {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        draft: ProjectDraft {
            name: r.text("name")?,
            code: r.opt_text("code")?,
            enterprise_id: r.opt_i64("enterprise_id")?,
            chain_node_id: r.opt_i64("chain_node_id")?,
            township_id: r.opt_i64("township_id")?,
            lead_unit_id: r.opt_i64("lead_unit_id")?,
            leader: r.opt_text("leader")?,
            nature,
            location: r.opt_text("location")?,
            content: r.opt_text("content")?,
            capacity: r.opt_text("capacity")?,
            total_investment: r.amount("total_investment_yuan")?,
            fixed_investment: r.amount("fixed_investment_yuan")?,
            agreed_investment: r.amount("agreed_investment_yuan")?,
            land_area: r.amount("land_area_raw")?,
            stage: r.coded("stage", Stage::parse)?,
            target_start: r.date("target_start")?,
            annual_plan_investment: r.amount("annual_plan_investment_yuan")?,
        },
        state: r.coded("state", ProjectState::parse)?,
        state_reason: r.opt_text("state_reason")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
        enterprise_name: r.opt_text("enterprise_name")?,
        township_name: r.opt_text("township_name")?,
        lead_unit_name: r.opt_text("lead_unit_name")?,
        chain_node_name: r.opt_text("chain_node_name")?,
    })
}

/// The filters of the project list (all optional; empty means all).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectFilter {
    pub stage: Option<Stage>,
    pub state: Option<ProjectState>,
    pub township_id: Option<i64>,
    pub lead_unit_id: Option<i64>,
    pub chain_node_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub leader: Option<String>,
    /// Part of the name or code.
    pub q: Option<String>,
    pub sort: ProjectSort,
}

/// How the project list is ordered. A closed set: a sort key from the URL never becomes SQL.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProjectSort {
    #[default]
    Name,
    Stage,
    InvestmentDesc,
    Updated,
}

/// A planned or actual date of one stage.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StageDate {
    pub stage: Stage,
    pub planned: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
    pub recorded_by: Option<i64>,
    pub recorded_at: String,
}

/// The road's order of the stages, for `ORDER BY` (the codes sort alphabetically). Written out
/// as fixed SQL; a test checks it against [`Stage::ALL`].
const STAGE_ORDER: &str = "CASE p.stage WHEN 'lead' THEN 0 WHEN 'signed' THEN 1 WHEN 'registered' THEN 2 \
     WHEN 'filed' THEN 3 WHEN 'land_supplied' THEN 4 WHEN 'permitted' THEN 5 WHEN 'started' THEN 6 \
     WHEN 'completed' THEN 7 WHEN 'in_production' THEN 8 WHEN 'full_production' THEN 9 ELSE 10 END";

/// The filter's conditions, after `FROM projects p …`.
fn push_filter(sql: &mut Sql, region_id: i64, f: &ProjectFilter) {
    sql.push(" WHERE p.region_id = ").bind(region_id);
    if let Some(s) = f.stage {
        sql.push(" AND p.stage = ").bind(s.code());
    }
    if let Some(s) = f.state {
        sql.push(" AND p.state = ").bind(s.code());
    }
    if let Some(id) = f.township_id {
        sql.push(" AND p.township_id = ").bind(id);
    }
    if let Some(id) = f.lead_unit_id {
        sql.push(" AND p.lead_unit_id = ").bind(id);
    }
    if let Some(id) = f.chain_node_id {
        sql.push(" AND p.chain_node_id = ").bind(id);
    }
    if let Some(id) = f.enterprise_id {
        sql.push(" AND p.enterprise_id = ").bind(id);
    }
    if let Some(l) = f.leader.as_deref().filter(|s| !s.trim().is_empty()) {
        sql.push(" AND p.leader = ").bind(l.trim());
    }
    if let Some(q) = f.q.as_deref().filter(|s| !s.trim().is_empty()) {
        let pattern = format!("%{}%", q.trim().to_lowercase());
        sql.push(" AND (LOWER(p.name) LIKE ")
            .bind(pattern.clone())
            .push(" OR LOWER(p.code) LIKE ")
            .bind(pattern)
            .push(")");
    }
}

/// The list's order; every order ends with the id, so pages never overlap or skip a row.
fn push_order(sql: &mut Sql, sort: ProjectSort) {
    match sort {
        ProjectSort::Name => sql.push(" ORDER BY p.name, p.id"),
        ProjectSort::Stage => sql.push(" ORDER BY ").push(STAGE_ORDER).push(", p.name, p.id"),
        ProjectSort::InvestmentDesc => sql.push(" ORDER BY COALESCE(p.total_investment_yuan, 0) DESC, p.id"),
        ProjectSort::Updated => sql.push(" ORDER BY p.updated_at DESC, p.id"),
    };
}

/// One page of the project list, and what the whole filtered list adds up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectPage {
    /// The page's projects and how many match the filter in all.
    pub projects: Paged<Project>,
    /// 总投资 of every project the filter matches, not only the page's.
    pub total_investment: Amount,
}

impl Store {
    /// Every project the filter matches, in its order (exports, the demo, the pipeline's
    /// figures). A list shown to a user reads [`Store::projects_page`].
    pub async fn projects(&self, region_id: i64, f: &ProjectFilter) -> Result<Vec<Project>> {
        let mut sql = Sql::new(SELECT);
        push_filter(&mut sql, region_id, f);
        push_order(&mut sql, f.sort);
        let rows = sql.query().fetch_all(&self.read).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// One page of the projects the filter matches, in the same order as [`Store::projects`]:
    /// `LIMIT`/`OFFSET` in SQL, with the count and the investment total of the whole filter from
    /// one aggregate query. A page past the end holds no rows (and its total).
    pub async fn projects_page(&self, region_id: i64, f: &ProjectFilter, page: PageRequest) -> Result<ProjectPage> {
        let mut count = Sql::new(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(p.total_investment_yuan), 0) AS BIGINT) AS investment FROM projects p",
        );
        push_filter(&mut count, region_id, f);
        let row = count.query().fetch_one(&self.read).await?;
        let total = u64::try_from(row.i64("n")?).unwrap_or(0);
        let total_investment = Amount::from_raw(row.i64("investment")?);
        let rows = if u64::try_from(page.offset()).unwrap_or(u64::MAX) >= total {
            Vec::new()
        } else {
            // The page's ids are chosen on the projects table alone, then only those fifty rows
            // are joined to their names: sorting every joined row of the county to keep fifty
            // was a quarter of the list's time.
            let mut sql = Sql::new(SELECT);
            sql.push(" WHERE p.id IN (SELECT p.id FROM projects p");
            push_filter(&mut sql, region_id, f);
            push_order(&mut sql, f.sort);
            sql.push(" LIMIT ")
                .bind(page.limit())
                .push(" OFFSET ")
                .bind(page.offset())
                .push(")");
            push_order(&mut sql, f.sort);
            let rows = sql.query().fetch_all(&self.read).await?;
            rows.iter().map(from_row).collect::<Result<_, _>>()?
        };
        Ok(ProjectPage {
            projects: Paged { rows, page, total },
            total_investment,
        })
    }

    pub async fn project(&self, id: i64) -> Result<Project> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE p.id = ").bind(id);
        let row = sql.query().fetch_optional(&self.read).await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "project", id })
    }

    pub async fn stage_dates(&self, project_id: i64) -> Result<Vec<StageDate>> {
        let rows = sqlx::query("SELECT * FROM project_stage_dates WHERE project_id = $1")
            .bind(project_id)
            .fetch_all(&self.read)
            .await?;
        let mut dates: Vec<StageDate> = rows
            .iter()
            .map(|r| {
                Ok(StageDate {
                    stage: r.coded("stage", Stage::parse)?,
                    planned: r.date("planned_date")?,
                    actual: r.date("actual_date")?,
                    recorded_by: r.opt_i64("recorded_by")?,
                    recorded_at: r.text("recorded_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        dates.sort_by_key(|d| d.stage);
        Ok(dates)
    }
}

impl WriteTx {
    /// A project as it stands in this transaction (what a chain of changes needs: its version).
    pub async fn project_in_tx(&mut self, id: i64) -> Result<Project> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE p.id = ").bind(id);
        let row = sql.query().fetch_optional(self.conn()).await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "project", id })
    }

    async fn check_project_refs(&mut self, region_id: i64, d: &ProjectDraft) -> Result<()> {
        self.check_enterprise("enterprise_id", d.enterprise_id, region_id)
            .await?;
        self.check_unit("township_id", d.township_id, region_id, Some(UnitKind::Township))
            .await?;
        self.check_unit("lead_unit_id", d.lead_unit_id, region_id, None).await?;
        if let Some(node) = d.chain_node_id {
            let found: Option<(i64,)> = sqlx::query_as(
                "SELECT n.id FROM chain_nodes n JOIN chains c ON c.id = n.chain_id WHERE n.id = $1 AND c.region_id = $2",
            )
            .bind(node)
            .bind(region_id)
            .fetch_optional(self.conn())
            .await?;
            if found.is_none() {
                return Err(StoreError::unknown("chain_node_id", "产业链环节 / chain node"));
            }
        }
        Ok(())
    }

    /// Creates a project at the stage its draft names, reached today by the stage rules (see
    /// [`WriteTx::create_project_along`]): the new-project form, its API and tests.
    pub async fn create_project(&mut self, region_id: i64, d: &ProjectDraft) -> Result<i64> {
        self.create_project_along(region_id, d, &[], crate::clock::today())
            .await
    }

    /// Creates a project. Every project is inserted as a 线索 and reaches the stage its draft
    /// names only along its road, one [`WriteTx::change_stage`] per stage, so its history says
    /// when and who and the stage rules hold from the first day: a project cannot be created at
    /// 开工 without 供地. `dates` are the days a record gives for stages reached, each with the
    /// record's field it came from; a stage without one takes the next recorded day, else `today`
    /// ([`RecordedRoad::changes`]). A road the rules refuse is checked before anything is written
    /// and refused naming the record's field (`stage` for the draft's own stage).
    pub async fn create_project_along(
        &mut self,
        region_id: i64,
        d: &ProjectDraft,
        dates: &[(Stage, NaiveDate, String)],
        today: NaiveDate,
    ) -> Result<i64> {
        let road = RecordedRoad {
            stage: Some(d.stage),
            dates: dates.to_vec(),
        };
        let changes = road
            .changes(&StageFacts::new_project(), today)
            .map_err(|refused| StoreError::Invalid(refused.on_record_field()))?;
        let id = self
            .insert_project(
                region_id,
                &ProjectDraft {
                    stage: Stage::Lead,
                    ..d.clone()
                },
            )
            .await?;
        self.walk_road(id, &changes, today).await?;
        Ok(id)
    }

    /// Moves a project along checked stage changes ([`RecordedRoad::changes`]) one after another,
    /// each through [`WriteTx::change_stage`], which checks it again against the project as it
    /// then stands.
    pub async fn walk_road(&mut self, id: i64, changes: &[StageChangeForm], today: NaiveDate) -> Result<()> {
        for form in changes {
            let version = self.project_in_tx(id).await?.version;
            self.change_stage(id, version, form, false, today).await?;
        }
        Ok(())
    }

    /// The row of a new 线索; only [`WriteTx::create_project_along`] calls it.
    async fn insert_project(&mut self, region_id: i64, d: &ProjectDraft) -> Result<i64> {
        self.check_project_refs(region_id, d).await?;
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO projects (region_id, code, name, enterprise_id, chain_node_id, township_id, lead_unit_id, leader, nature, location, content, \
             capacity, total_investment_yuan, fixed_investment_yuan, agreed_investment_yuan, annual_plan_investment_yuan, land_area_raw, stage, \
             target_start, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) RETURNING id",
        )
        .bind(region_id)
        .bind(&d.code)
        .bind(&d.name)
        .bind(d.enterprise_id)
        .bind(d.chain_node_id)
        .bind(d.township_id)
        .bind(d.lead_unit_id)
        .bind(&d.leader)
        .bind(d.nature.map(|n| n.code()))
        .bind(&d.location)
        .bind(&d.content)
        .bind(&d.capacity)
        .bind(amount_raw(d.total_investment))
        .bind(amount_raw(d.fixed_investment))
        .bind(amount_raw(d.agreed_investment))
        .bind(amount_raw(d.annual_plan_investment))
        .bind(amount_raw(d.land_area))
        .bind(d.stage.code())
        .bind(date_text(d.target_start))
        .bind(&now)
        .fetch_one(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("code"))?;
        self.audit("create", "project", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    /// Saves an edited project. The stage is not edited here: a draft must carry the stage the
    /// project has (a field error otherwise), since stages change only through
    /// [`WriteTx::change_stage`], where the stage rules apply and the history records who and when.
    pub async fn update_project(&mut self, id: i64, expected_version: i64, d: &ProjectDraft) -> Result<()> {
        let before = self.project_in_tx(id).await?;
        if before.version != expected_version {
            return Err(conflict("project", id, before.version, &before));
        }
        check_stage_unchanged(before.draft.stage, d.stage)?;
        self.check_project_refs(before.region_id, d).await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE projects SET code = $1, name = $2, enterprise_id = $3, chain_node_id = $4, township_id = $5, lead_unit_id = $6, leader = $7, \
             nature = $8, location = $9, content = $10, capacity = $11, total_investment_yuan = $12, fixed_investment_yuan = $13, \
             agreed_investment_yuan = $14, annual_plan_investment_yuan = $15, land_area_raw = $16, target_start = $17, \
             updated_at = $18, version = version + 1 WHERE id = $19 AND version = $20",
        )
        .bind(&d.code)
        .bind(&d.name)
        .bind(d.enterprise_id)
        .bind(d.chain_node_id)
        .bind(d.township_id)
        .bind(d.lead_unit_id)
        .bind(&d.leader)
        .bind(d.nature.map(|n| n.code()))
        .bind(&d.location)
        .bind(&d.content)
        .bind(&d.capacity)
        .bind(amount_raw(d.total_investment))
        .bind(amount_raw(d.fixed_investment))
        .bind(amount_raw(d.agreed_investment))
        .bind(amount_raw(d.annual_plan_investment))
        .bind(amount_raw(d.land_area))
        .bind(date_text(d.target_start))
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("code"))?
        .rows_affected();
        if n == 0 {
            return Err(conflict("project", id, before.version, &before));
        }
        if d.target_start != before.draft.target_start {
            self.mark_dirty(id);
        }
        self.audit("update", "project", Some(id), Some(&before.draft), Some(d));
        Ok(())
    }

    /// Pauses (暂停), terminates (终止) or resumes a project, today, through the same stage rules
    /// and history as every stage change (pausing and terminating need a reason; a terminated
    /// project moves no more). A refusal names the form's `state` field.
    pub async fn set_project_state(
        &mut self,
        id: i64,
        expected_version: i64,
        state: ProjectState,
        reason: Option<&str>,
    ) -> Result<()> {
        let form = StageChangeForm {
            to: state.code().into(),
            date: crate::clock::today().to_string(),
            reason: reason.unwrap_or_default().into(),
            override_rule: String::new(),
        };
        match self
            .change_stage(id, expected_version, &form, false, crate::clock::today())
            .await
        {
            Ok(_) => Ok(()),
            Err(StoreError::Invalid(mut e)) => {
                for f in &mut e.0 {
                    if f.field == "to" {
                        f.field = "state".into();
                    }
                }
                Err(StoreError::Invalid(e))
            }
            Err(e) => Err(e),
        }
    }

    /// Sets the planned and/or actual date of a stage (a `None` keeps what is there).
    pub async fn record_stage_date(
        &mut self,
        project_id: i64,
        stage: Stage,
        planned: Option<NaiveDate>,
        actual: Option<NaiveDate>,
    ) -> Result<()> {
        let now = self.now().to_string();
        let user = self.actor().user_id;
        sqlx::query(
            "INSERT INTO project_stage_dates (project_id, stage, planned_date, actual_date, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (project_id, stage) DO UPDATE SET planned_date = COALESCE(excluded.planned_date, project_stage_dates.planned_date), \
             actual_date = COALESCE(excluded.actual_date, project_stage_dates.actual_date), recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(project_id)
        .bind(stage.code())
        .bind(date_text(planned))
        .bind(date_text(actual))
        .bind(user)
        .bind(&now)
        .execute(self.conn())
        .await?;
        self.audit(
            "stage_date",
            "project",
            Some(project_id),
            None::<&()>,
            Some(&serde_json::json!({"stage": stage, "planned": planned, "actual": actual})),
        );
        Ok(())
    }
}

/// Sums of investment, for dashboards.
pub fn total_investment<'a>(projects: impl IntoIterator<Item = &'a Project>) -> Amount {
    projects.into_iter().filter_map(|p| p.draft.total_investment).sum()
}

#[cfg(test)]
mod tests {
    use super::STAGE_ORDER;
    use chainforce_domain::project::Stage;

    /// The SQL order of the stages is the road's.
    #[test]
    fn stage_order_follows_the_road() {
        for (i, s) in Stage::ALL.iter().enumerate() {
            assert!(
                STAGE_ORDER.contains(&format!("WHEN '{}' THEN {i} ", s.code())),
                "{} is not at {i}",
                s.code()
            );
        }
        assert_eq!(STAGE_ORDER.matches("WHEN").count(), Stage::ALL.len());
    }
}
