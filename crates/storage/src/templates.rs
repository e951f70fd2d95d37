//! Task templates (审批链模板): stored as the JSON the domain parses, applied to projects.

use crate::row::RowExt;
use crate::tasks::TaskDependency;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::schedule::template::Template;
use chainforce_domain::task::{TaskDraft, TaskProgress};
use chainforce_domain::validation::Rule;
use serde::Serialize;

/// The approval chain shipped with chainforce, copied into the database on first start so that
/// the office can edit it.
const BUILT_IN_TEMPLATE: &str = include_str!("../../../data/templates/industrial-approval.json");

#[derive(Debug, Clone, Serialize)]
pub struct StoredTemplate {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub json: String,
    pub version: i64,
}

impl StoredTemplate {
    pub fn parse(&self) -> Result<Template> {
        Template::parse(&self.json).map_err(|e| StoreError::Corrupt(format!("template {}: {e}", self.code)))
    }
}

/// What applying a template did: the tasks created and the steps whose owner has no unit of that
/// name in the county (left without a responsible unit, for the office to assign).
#[derive(Debug, Clone, Serialize, Default)]
pub struct AppliedToProject {
    pub created: Vec<i64>,
    pub unassigned_steps: Vec<String>,
}

/// The county unit that owns a template step: the unit of exactly that name, else the one whose
/// name contains it (a template's 发改委 is the county's 县发改委), else for a township step the
/// project's own township (属地).
fn owner_unit(
    owner: &str,
    kind: chainforce_domain::org::UnitKind,
    units: &[(i64, String)],
    township_id: Option<i64>,
) -> Option<i64> {
    if let Some((id, _)) = units.iter().find(|(_, n)| n == owner) {
        return Some(*id);
    }
    let containing: Vec<i64> = units
        .iter()
        .filter(|(_, n)| n.contains(owner))
        .map(|(id, _)| *id)
        .collect();
    if containing.len() == 1 {
        return Some(containing[0]);
    }
    if kind == chainforce_domain::org::UnitKind::Township {
        return township_id;
    }
    None
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<StoredTemplate, sqlx::Error> {
    Ok(StoredTemplate {
        id: r.i64("id")?,
        code: r.text("code")?,
        name: r.text("name")?,
        json: r.text("template_json")?,
        version: r.i64("version")?,
    })
}

fn invalid_template(e: impl std::fmt::Display) -> StoreError {
    let msg = e.to_string();
    StoreError::invalid(
        "template_json",
        Rule::Other {
            zh: msg.clone(),
            en: msg,
        },
    )
}

impl Store {
    /// The schedule templates, by name (kept with the reference data).
    pub async fn templates(&self) -> Result<Vec<StoredTemplate>> {
        let kept = self.kept(&self.references.templates, 0, || self.read_templates());
        Ok(kept.await?.as_ref().clone())
    }

    async fn read_templates(&self) -> Result<Vec<StoredTemplate>> {
        let rows = sqlx::query("SELECT * FROM schedule_templates ORDER BY name")
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn template(&self, id: i64) -> Result<StoredTemplate> {
        let row = sqlx::query("SELECT * FROM schedule_templates WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "template", id })
    }
}

impl WriteTx {
    /// Saves a template (new when `id` is `None`), after the domain has checked it fully.
    pub async fn save_template(&mut self, id: Option<i64>, expected_version: i64, json: &str) -> Result<i64> {
        let t = Template::parse(json).map_err(invalid_template)?;
        let now = self.now().to_string();
        match id {
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO schedule_templates (code, name, template_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                )
                .bind(&t.code)
                .bind(&t.name)
                .bind(json)
                .bind(&now)
                .fetch_one(self.conn())
                .await
                .map_err(|e| StoreError::from(e).duplicate_as("template_json"))?;
                self.audit("create", "template", Some(id), None::<&()>, Some(&t));
                Ok(id)
            }
            Some(id) => {
                let row = sqlx::query("SELECT * FROM schedule_templates WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.conn())
                    .await?;
                let before = row
                    .as_ref()
                    .map(from_row)
                    .transpose()?
                    .ok_or(StoreError::NotFound { entity: "template", id })?;
                let n = sqlx::query(
                    "UPDATE schedule_templates SET code = $1, name = $2, template_json = $3, updated_at = $4, version = version + 1 \
                     WHERE id = $5 AND version = $6",
                )
                .bind(&t.code)
                .bind(&t.name)
                .bind(json)
                .bind(&now)
                .bind(id)
                .bind(expected_version)
                .execute(self.conn())
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(conflict("template", id, before.version, &before));
                }
                self.audit("update", "template", Some(id), Some(&before.json), Some(&json));
                Ok(id)
            }
        }
    }

    /// Creates the template's steps as tasks of the project, each owned by the county unit of the
    /// step's owner name, linked as the template links them. The project's target 开工 date
    /// anchors the backward schedule computed at commit.
    pub async fn apply_template(&mut self, project_id: i64, template: &Template) -> Result<AppliedToProject> {
        let project = self.project_in_tx(project_id).await?;
        if project.draft.target_start.is_none() {
            return Err(StoreError::invalid("target_start", Rule::Required));
        }
        let units: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM units WHERE region_id = $1 AND active = 1")
                .bind(project.region_id)
                .fetch_all(self.conn())
                .await?;
        let mut out = AppliedToProject::default();
        let mut ids = std::collections::HashMap::new();
        for step in &template.steps {
            let unit = owner_unit(&step.owner, step.owner_kind, &units, project.draft.township_id);
            if unit.is_none() {
                out.unassigned_steps.push(format!("{}（{}）", step.name, step.owner));
            }
            let draft = TaskDraft {
                name: step.name.clone(),
                responsible_unit_id: unit,
                responsible_person: None,
                duration_days: step.duration,
                predecessors: String::new(),
                deadline: None,
                start_no_earlier: None,
                actual_start: None,
                actual_finish: None,
                progress: TaskProgress::NotStarted,
                note: step.note.clone(),
            };
            let id = self.create_task(project_id, &draft, Some(&step.code)).await?;
            ids.insert(step.code.clone(), id);
            out.created.push(id);
        }
        for step in &template.steps {
            let task_id = ids[&step.code];
            let deps: Vec<TaskDependency> = step
                .predecessors
                .iter()
                .filter_map(|d| {
                    ids.get(&d.predecessor).map(|p| TaskDependency {
                        task_id,
                        predecessor_id: *p,
                        kind: d.kind.code().to_string(),
                        lag_days: d.lag,
                    })
                })
                .collect();
            if !deps.is_empty() {
                self.set_task_dependencies(task_id, &deps).await?;
            }
        }
        self.audit(
            "apply_template",
            "project",
            Some(project_id),
            None::<&()>,
            Some(&serde_json::json!({"template": template.code, "tasks": out.created.len()})),
        );
        Ok(out)
    }

    /// Puts the built-in templates in an empty table (first start).
    pub async fn seed_templates(&mut self) -> Result<()> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM schedule_templates")
            .fetch_one(self.conn())
            .await?;
        if n == 0 {
            self.save_template(None, 0, BUILT_IN_TEMPLATE).await?;
        }
        Ok(())
    }
}
