//! The shapes of the API: what goes out and what comes in, with their OpenAPI schemas. Amounts
//! are decimal strings in 万元 (never floats), dates `YYYY-MM-DD`, coded values their codes.

use crate::pages::projects::{ListQuery, TaskRow};
use chainforce_domain::project::ProjectForm;
use chainforce_storage::dashboard::Overview;
use chainforce_storage::enterprises::Enterprise;
use chainforce_storage::problems::Problem;
use chainforce_storage::projects::Project;
use chainforce_storage::units::Unit;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn amount(a: Option<chainforce_domain::Amount>) -> Option<String> {
    a.map(|a| a.to_string())
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// admin | leader | unit | enterprise | viewer
    pub role: String,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    /// Send as `X-CSRF-Token` with every POST and PUT.
    pub csrf_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct StageCountOut {
    pub stage: String,
    pub projects: i64,
    /// 万元
    pub investment: String,
}

#[derive(Serialize, ToSchema)]
pub struct OverviewOut {
    pub per_stage: Vec<StageCountOut>,
    pub active_projects: i64,
    pub paused_or_terminated: i64,
    pub signed_investment: String,
    pub landed_investment: String,
    pub started_investment: String,
    pub open_problems: i64,
}

impl From<Overview> for OverviewOut {
    fn from(o: Overview) -> Self {
        OverviewOut {
            per_stage: o
                .per_stage
                .into_iter()
                .map(|s| StageCountOut {
                    stage: s.stage.map(|s| s.code().to_string()).unwrap_or_default(),
                    projects: s.projects,
                    investment: s.investment.to_string(),
                })
                .collect(),
            active_projects: o.active_projects,
            paused_or_terminated: o.paused_or_terminated,
            signed_investment: o.signed_investment.to_string(),
            landed_investment: o.landed_investment.to_string(),
            started_investment: o.started_investment.to_string(),
            open_problems: o.open_problems,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub code: Option<String>,
    pub stage: String,
    pub state: String,
    pub state_reason: Option<String>,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub chain_node_id: Option<i64>,
    pub township_id: Option<i64>,
    pub township_name: Option<String>,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: Option<String>,
    pub leader: Option<String>,
    pub nature: Option<String>,
    pub location: Option<String>,
    pub content: Option<String>,
    pub capacity: Option<String>,
    /// 万元
    pub total_investment: Option<String>,
    pub fixed_investment: Option<String>,
    pub agreed_investment: Option<String>,
    pub annual_plan_investment: Option<String>,
    /// 亩
    pub land_area: Option<String>,
    pub target_start: Option<NaiveDate>,
    pub updated_at: String,
}

impl From<Project> for ProjectOut {
    fn from(p: Project) -> Self {
        let d = p.draft;
        ProjectOut {
            id: p.id,
            version: p.version,
            name: d.name,
            code: d.code,
            stage: d.stage.code().into(),
            state: p.state.code().into(),
            state_reason: p.state_reason,
            enterprise_id: d.enterprise_id,
            enterprise_name: p.enterprise_name,
            chain_node_id: d.chain_node_id,
            township_id: d.township_id,
            township_name: p.township_name,
            lead_unit_id: d.lead_unit_id,
            lead_unit_name: p.lead_unit_name,
            leader: d.leader,
            nature: d.nature.map(|n| n.code().to_string()),
            location: d.location,
            content: d.content,
            capacity: d.capacity,
            total_investment: amount(d.total_investment),
            fixed_investment: amount(d.fixed_investment),
            agreed_investment: amount(d.agreed_investment),
            annual_plan_investment: amount(d.annual_plan_investment),
            land_area: amount(d.land_area),
            target_start: d.target_start,
            updated_at: p.updated_at,
        }
    }
}

/// A project as sent by a client. Everything is text so that every mistake comes back as a field
/// error (422) naming the field and the rule, not as a parse failure.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ProjectIn {
    /// Required on update: the version that was read.
    pub version: Option<i64>,
    pub name: String,
    pub code: String,
    pub enterprise_id: String,
    pub chain_node_id: String,
    pub township_id: String,
    pub lead_unit_id: String,
    pub leader: String,
    /// new | expansion | renovation
    pub nature: String,
    pub location: String,
    pub content: String,
    pub capacity: String,
    /// 万元, or with a unit: "1.5亿元"
    pub total_investment: String,
    pub fixed_investment: String,
    pub agreed_investment: String,
    pub annual_plan_investment: String,
    /// 亩
    pub land_area: String,
    /// lead | signed | registered | filed | land_supplied | permitted | started | completed | in_production | full_production.
    /// On create: the stage the new project is moved to today, by the stage rules (no 开工 before 供地).
    /// On update: absent or the project's stage — stages change through `POST /api/v1/projects/{id}/stage`.
    pub stage: String,
    /// YYYY-MM-DD
    pub target_start: String,
}

impl From<ProjectIn> for ProjectForm {
    fn from(p: ProjectIn) -> Self {
        ProjectForm {
            name: p.name,
            code: p.code,
            enterprise_id: p.enterprise_id,
            chain_node_id: p.chain_node_id,
            township_id: p.township_id,
            lead_unit_id: p.lead_unit_id,
            leader: p.leader,
            nature: p.nature,
            location: p.location,
            content: p.content,
            capacity: p.capacity,
            total_investment: p.total_investment,
            fixed_investment: p.fixed_investment,
            agreed_investment: p.agreed_investment,
            land_area: p.land_area,
            stage: p.stage,
            target_start: p.target_start,
            annual_plan_investment: p.annual_plan_investment,
        }
    }
}

/// Filters of the project list.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    pub stage: Option<String>,
    pub state: Option<String>,
    pub township_id: Option<String>,
    pub lead_unit_id: Option<String>,
    pub chain_node_id: Option<String>,
    pub leader: Option<String>,
    /// Part of the name or the code.
    pub q: Option<String>,
    /// name | stage | investment | updated
    pub sort: Option<String>,
    /// Which page, from 1 (default 1). A page past the end is an empty array; `X-Total-Count`
    /// and the `Link` header say how many there are and where the other pages are.
    pub page: Option<String>,
    /// Projects per page, 1–200 (default 50).
    pub per_page: Option<String>,
}

impl ProjectQuery {
    /// The list's filters (the page is read apart: [`crate::paging::page_of_api`]).
    pub fn into_list_query(self) -> ListQuery {
        ListQuery {
            stage: self.stage.unwrap_or_default(),
            state: self.state.unwrap_or_default(),
            township_id: self.township_id.unwrap_or_default(),
            lead_unit_id: self.lead_unit_id.unwrap_or_default(),
            chain_node_id: self.chain_node_id.unwrap_or_default(),
            leader: self.leader.unwrap_or_default(),
            q: self.q.unwrap_or_default(),
            sort: self.sort.unwrap_or_default(),
            page: String::new(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub version: i64,
    pub project_id: i64,
    pub name: String,
    pub responsible_unit_id: Option<i64>,
    pub responsible_unit_name: Option<String>,
    pub responsible_person: Option<String>,
    pub duration_days: i64,
    /// As the task form takes them: `12; 14SS+2`.
    pub predecessors: String,
    pub deadline: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    /// not_started | in_progress | done
    pub progress: String,
    pub early_start: Option<NaiveDate>,
    pub early_finish: Option<NaiveDate>,
    pub late_start: Option<NaiveDate>,
    pub late_finish: Option<NaiveDate>,
    pub total_float: Option<i64>,
    pub free_float: Option<i64>,
    pub critical: bool,
    /// done | red | yellow | green
    pub status: String,
    pub days_overdue: i64,
}

impl From<TaskRow> for TaskOut {
    fn from(r: TaskRow) -> Self {
        let t = r.task;
        TaskOut {
            id: t.id,
            version: t.version,
            project_id: t.project_id,
            name: t.name,
            responsible_unit_id: t.responsible_unit_id,
            responsible_unit_name: t.responsible_unit_name,
            responsible_person: t.responsible_person,
            duration_days: t.duration_days,
            predecessors: r.predecessors,
            deadline: t.deadline,
            actual_start: t.actual_start,
            actual_finish: t.actual_finish,
            progress: t.progress.code().into(),
            early_start: t.schedule.early_start,
            early_finish: t.schedule.early_finish,
            late_start: t.schedule.late_start,
            late_finish: t.schedule.late_finish,
            total_float: t.schedule.total_float,
            free_float: t.schedule.free_float,
            critical: t.schedule.critical,
            status: r.status.code().into(),
            days_overdue: r.days_overdue,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ProgressIn {
    pub version: i64,
    /// not_started | in_progress | done
    #[serde(default)]
    pub progress: String,
    pub actual_start: Option<String>,
    pub actual_finish: Option<String>,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    pub id: i64,
    pub name: String,
    /// department | township | park | utility | other
    pub kind: String,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i64,
}

impl From<Unit> for UnitOut {
    fn from(u: Unit) -> Self {
        UnitOut {
            id: u.id,
            name: u.name,
            kind: u.kind.code().into(),
            contact_person: u.contact_person,
            phone: u.phone,
            active: u.active,
            version: u.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseOut {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: Option<String>,
    pub legal_person: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub above_scale: bool,
    pub version: i64,
}

impl From<Enterprise> for EnterpriseOut {
    fn from(e: Enterprise) -> Self {
        EnterpriseOut {
            id: e.id,
            name: e.name,
            credit_code: e.credit_code,
            legal_person: e.legal_person,
            contact_person: e.contact_person,
            phone: e.phone,
            address: e.address,
            above_scale: e.above_scale,
            version: e.version,
        }
    }
}

/// Which page of a list (problems).
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Which page, from 1 (default 1). A page past the end is an empty array; `X-Total-Count`
    /// and the `Link` header say how many there are and where the other pages are.
    pub page: Option<String>,
    /// Rows per page, 1–200 (default 50).
    pub per_page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemOut {
    pub id: i64,
    pub version: i64,
    pub project_id: i64,
    pub project_name: String,
    pub title: String,
    pub description: Option<String>,
    /// raised | assigned | answered | solved
    pub status: String,
    pub assigned_unit_id: Option<i64>,
    pub assigned_unit_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub answer: Option<String>,
    pub rating: Option<i64>,
    pub created_at: String,
}

impl From<Problem> for ProblemOut {
    fn from(p: Problem) -> Self {
        ProblemOut {
            id: p.id,
            version: p.version,
            project_id: p.project_id,
            project_name: p.project_name,
            title: p.title,
            description: p.description,
            status: p.status.code().into(),
            assigned_unit_id: p.assigned_unit_id,
            assigned_unit_name: p.assigned_unit_name,
            deadline: p.deadline,
            answer: p.answer,
            rating: p.rating,
            created_at: p.created_at,
        }
    }
}

/// Every API error.
#[derive(Serialize, ToSchema)]
pub struct ErrorOut {
    /// invalid | not_found | conflict | forbidden | not_signed_in | bad_request | too_large | busy | internal
    pub error: String,
    /// In the user's language (Accept-Language or the language cookie).
    pub message: String,
    pub fields: Option<Vec<FieldErrorOut>>,
    /// On a 409: the record as it is now.
    pub current: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorOut {
    pub field: String,
    pub rule: String,
    pub message: String,
}
