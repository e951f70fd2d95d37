//! 台账 import into the database: rows already read and checked by the importer, matched to
//! existing records (项目代码 first, then the project name; a task by its name within its
//! project), their references resolved by name, and written — or, for a dry run, written and
//! rolled back, so the preview shows exactly what the real import will do.
//!
//! A re-import updates instead of duplicating. On update only the columns the sheet has are
//! changed: a ledger without a 用地面积 column does not blank the land area already recorded.

use crate::{Result, StoreError, WriteTx};
use chainforce_domain::org::UnitKind;
use chainforce_domain::pipeline::{RecordedRoad, StageFacts};
use chainforce_domain::project::{ProjectDraft, Stage};
use chainforce_domain::task::TaskDraft;
use chainforce_domain::validation::{Lang, Rule};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// A checked project row of a ledger; references are still names.
#[derive(Debug, Clone)]
pub struct LedgerProject {
    pub row: u32,
    pub draft: ProjectDraft,
    pub enterprise: Option<String>,
    pub chain_node: Option<String>,
    pub township: Option<String>,
    pub lead_unit: Option<String>,
    /// Dates the ledger records for stages reached (签约时间, 供地时间 …), each with the ledger
    /// field it came from (`signed_on` …), so a refusal names the cell.
    pub stage_dates: Vec<(Stage, NaiveDate, String)>,
}

/// A checked task row of a task-list sheet.
#[derive(Debug, Clone)]
pub struct LedgerTask {
    pub row: u32,
    pub project_code: Option<String>,
    pub project_name: Option<String>,
    pub draft: TaskDraft,
    pub responsible_unit: Option<String>,
}

/// What one import brings: its rows and which fields the sheet has columns for (by the
/// `ProjectForm`/`TaskForm` field names).
#[derive(Debug, Clone, Default)]
pub struct LedgerBatch {
    pub projects: Vec<LedgerProject>,
    pub tasks: Vec<LedgerTask>,
    pub columns: HashSet<String>,
}

/// A row storage could not take: a reference to something the county does not have, or a stage
/// change the stage rules refuse.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ImportRefusal {
    pub row: u32,
    pub field: String,
    pub value: String,
    pub rule: Rule,
}

/// One written row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportedRow {
    pub row: u32,
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportOutcome {
    pub created: Vec<ImportedRow>,
    pub updated: Vec<ImportedRow>,
    /// Enterprises the ledger named that the county did not have yet: created with the name.
    pub created_enterprises: Vec<String>,
    pub refused: Vec<ImportRefusal>,
}

/// Names to ids in one county, looked up once per import.
struct Names {
    units: Vec<(i64, String, UnitKind)>,
    enterprises: HashMap<String, i64>,
    nodes: HashMap<String, i64>,
}

impl Names {
    /// A unit by its exact name, else the one unit whose name contains it (县发改委 for 发改委).
    fn unit(&self, name: &str, township: bool) -> Option<i64> {
        let candidates = || {
            self.units
                .iter()
                .filter(|(_, _, k)| !township || *k == UnitKind::Township)
        };
        if let Some((id, _, _)) = candidates().find(|(_, n, _)| n == name) {
            return Some(*id);
        }
        let containing: Vec<i64> = candidates()
            .filter(|(_, n, _)| n.contains(name))
            .map(|(id, _, _)| *id)
            .collect();
        (containing.len() == 1).then(|| containing[0])
    }
}

fn unknown(row: u32, field: &str, value: &str, what: &str) -> ImportRefusal {
    ImportRefusal {
        row,
        field: field.into(),
        value: value.into(),
        rule: Rule::Unknown { what: what.into() },
    }
}

impl WriteTx {
    async fn names(&mut self, region_id: i64) -> Result<Names> {
        let units: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, kind FROM units WHERE region_id = $1 AND active = 1")
                .bind(region_id)
                .fetch_all(self.conn())
                .await?;
        let enterprises: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM enterprises WHERE region_id = $1")
            .bind(region_id)
            .fetch_all(self.conn())
            .await?;
        let nodes: Vec<(i64, String)> = sqlx::query_as(
            "SELECT n.id, n.name FROM chain_nodes n JOIN chains c ON c.id = n.chain_id WHERE c.region_id = $1",
        )
        .bind(region_id)
        .fetch_all(self.conn())
        .await?;
        Ok(Names {
            units: units
                .into_iter()
                .filter_map(|(id, n, k)| UnitKind::parse(&k).map(|k| (id, n, k)))
                .collect(),
            enterprises: enterprises.into_iter().map(|(id, n)| (n, id)).collect(),
            nodes: nodes.into_iter().map(|(id, n)| (n, id)).collect(),
        })
    }

    /// The project a ledger row means: by 项目代码, else by name.
    async fn find_project(&mut self, region_id: i64, code: Option<&str>, name: Option<&str>) -> Result<Option<i64>> {
        if let Some(code) = code.filter(|c| !c.is_empty()) {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM projects WHERE region_id = $1 AND code = $2")
                .bind(region_id)
                .bind(code)
                .fetch_optional(self.conn())
                .await?;
            if found.is_some() {
                return Ok(found.map(|f| f.0));
            }
        }
        match name.filter(|n| !n.is_empty()) {
            Some(name) => Ok(sqlx::query_as::<_, (i64,)>(
                "SELECT id FROM projects WHERE region_id = $1 AND name = $2 ORDER BY id LIMIT 1",
            )
            .bind(region_id)
            .bind(name)
            .fetch_optional(self.conn())
            .await?
            .map(|f| f.0)),
            None => Ok(None),
        }
    }

    /// Writes a ledger's rows. Rows whose references the county does not know are refused and
    /// the rest written; the caller commits (real import) or drops the transaction (dry run, or
    /// "all or nothing" with refusals).
    pub async fn import_ledger(
        &mut self,
        region_id: i64,
        batch: &LedgerBatch,
        today: NaiveDate,
    ) -> Result<ImportOutcome> {
        let mut names = self.names(region_id).await?;
        let mut out = ImportOutcome::default();
        let has = |field: &str| batch.columns.contains(field);
        for p in &batch.projects {
            let mut refusals = Vec::new();
            let mut draft = p.draft.clone();
            if let Some(n) = p.township.as_deref().filter(|n| !n.is_empty()) {
                match names.unit(n, true) {
                    Some(id) => draft.township_id = Some(id),
                    None => refusals.push(unknown(p.row, "township", n, "乡镇 / township")),
                }
            }
            if let Some(n) = p.lead_unit.as_deref().filter(|n| !n.is_empty()) {
                match names.unit(n, false) {
                    Some(id) => draft.lead_unit_id = Some(id),
                    None => refusals.push(unknown(p.row, "lead_unit", n, "单位 / unit")),
                }
            }
            if let Some(n) = p.chain_node.as_deref().filter(|n| !n.is_empty()) {
                match names.nodes.get(n) {
                    Some(id) => draft.chain_node_id = Some(*id),
                    None => refusals.push(unknown(p.row, "chain_node", n, "产业链环节 / chain node")),
                }
            }
            if !refusals.is_empty() {
                out.refused.extend(refusals);
                continue;
            }
            // The row's stage and dates move the project along its road only through the stage
            // rules; the whole road is checked before anything of the row is written, so a refused
            // row leaves nothing behind.
            let existing = self
                .find_project(region_id, draft.code.as_deref(), Some(&draft.name))
                .await?;
            let facts = match existing {
                Some(id) => self.stage_facts(id).await?.1,
                None => StageFacts::new_project(),
            };
            let road = RecordedRoad {
                stage: has("stage").then_some(p.draft.stage),
                dates: p.stage_dates.clone(),
            };
            let changes = match road.changes(&facts, today) {
                Ok(c) => c,
                Err(refused) => {
                    let value = match refused.date {
                        Some(d) => d.to_string(),
                        None => refused.stage.label(Lang::Zh).to_string(),
                    };
                    out.refused.extend(refused.errors.0.into_iter().map(|e| ImportRefusal {
                        row: p.row,
                        field: refused.field.clone(),
                        value: value.clone(),
                        rule: e.rule,
                    }));
                    continue;
                }
            };
            if let Some(n) = p.enterprise.as_deref().filter(|n| !n.is_empty()) {
                let id = match names.enterprises.get(n) {
                    Some(id) => *id,
                    None => {
                        let d = chainforce_domain::enterprise::EnterpriseForm {
                            name: n.to_string(),
                            ..Default::default()
                        }
                        .validate()
                        .map_err(StoreError::Invalid)?;
                        let id = self.create_enterprise(region_id, &d).await?;
                        names.enterprises.insert(n.to_string(), id);
                        out.created_enterprises.push(n.to_string());
                        id
                    }
                };
                draft.enterprise_id = Some(id);
            }
            let id = match existing {
                None => {
                    // A new project starts as a 线索 and walks the same road, as every new one does.
                    draft.stage = road.stage.unwrap_or(facts.stage);
                    let id = self
                        .create_project_along(region_id, &draft, &p.stage_dates, today)
                        .await
                        .map_err(|e| row_error(e, p.row))?;
                    out.created.push(ImportedRow {
                        row: p.row,
                        id,
                        name: draft.name.clone(),
                    });
                    id
                }
                Some(id) => {
                    let current = self.project_in_tx(id).await?;
                    let merged = merge_project(&current.draft, &draft, &has);
                    self.update_project(id, current.version, &merged)
                        .await
                        .map_err(|e| row_error(e, p.row))?;
                    self.walk_road(id, &changes, today)
                        .await
                        .map_err(|e| row_error(e, p.row))?;
                    out.updated.push(ImportedRow {
                        row: p.row,
                        id,
                        name: merged.name.clone(),
                    });
                    id
                }
            };
            // The dates of stages the project had already passed are its history, not a change:
            // they fill a date not yet known and never overwrite one recorded.
            let known: Vec<(String,)> = sqlx::query_as(
                "SELECT stage FROM project_stage_dates WHERE project_id = $1 AND actual_date IS NOT NULL",
            )
            .bind(id)
            .fetch_all(self.conn())
            .await?;
            for (stage, date, _) in p.stage_dates.iter().filter(|(s, _, _)| *s <= facts.stage) {
                if !known.iter().any(|(code,)| code == stage.code()) {
                    self.record_stage_date(id, *stage, None, Some(*date)).await?;
                }
            }
        }
        for t in &batch.tasks {
            let Some(project_id) = self
                .find_project(region_id, t.project_code.as_deref(), t.project_name.as_deref())
                .await?
            else {
                let value = t.project_code.clone().or(t.project_name.clone()).unwrap_or_default();
                out.refused.push(unknown(t.row, "project", &value, "项目 / project"));
                continue;
            };
            let mut draft = t.draft.clone();
            if let Some(n) = t.responsible_unit.as_deref().filter(|n| !n.is_empty()) {
                match names.unit(n, false) {
                    Some(id) => draft.responsible_unit_id = Some(id),
                    None => {
                        out.refused.push(unknown(t.row, "responsible_unit", n, "单位 / unit"));
                        continue;
                    }
                }
            }
            let existing: Option<(i64, i64)> =
                sqlx::query_as("SELECT id, version FROM tasks WHERE project_id = $1 AND name = $2 ORDER BY id LIMIT 1")
                    .bind(project_id)
                    .bind(&draft.name)
                    .fetch_optional(self.conn())
                    .await?;
            match existing {
                None => {
                    let id = self
                        .create_task(project_id, &draft, None)
                        .await
                        .map_err(|e| row_error(e, t.row))?;
                    out.created.push(ImportedRow {
                        row: t.row,
                        id,
                        name: draft.name.clone(),
                    });
                }
                Some((id, version)) => {
                    let current = self.task_in_tx(id).await?;
                    let merged = merge_task(&current, &draft, &has);
                    self.update_task(id, version, &merged)
                        .await
                        .map_err(|e| row_error(e, t.row))?;
                    out.updated.push(ImportedRow {
                        row: t.row,
                        id,
                        name: merged.name.clone(),
                    });
                }
            }
        }
        self.audit(
            "import",
            "ledger",
            None,
            None::<&()>,
            Some(&serde_json::json!({
                "created": out.created.len(),
                "updated": out.updated.len(),
                "created_enterprises": out.created_enterprises,
                "refused_by_storage": out.refused.len(),
            })),
        );
        Ok(out)
    }
}

/// A storage refusal of one row (a duplicate 项目代码, say) names the row.
fn row_error(e: StoreError, row: u32) -> StoreError {
    match e {
        StoreError::Invalid(mut v) => {
            for f in &mut v.0 {
                f.field = format!("row {row}: {}", f.field);
            }
            StoreError::Invalid(v)
        }
        other => other,
    }
}

/// The stored project with the sheet's columns laid over it.
fn merge_project(current: &ProjectDraft, sheet: &ProjectDraft, has: &dyn Fn(&str) -> bool) -> ProjectDraft {
    fn pick<T: Clone>(has: bool, sheet: &Option<T>, current: &Option<T>) -> Option<T> {
        if has && sheet.is_some() {
            sheet.clone()
        } else {
            current.clone()
        }
    }
    ProjectDraft {
        name: sheet.name.clone(),
        code: pick(has("code"), &sheet.code, &current.code),
        enterprise_id: pick(has("enterprise"), &sheet.enterprise_id, &current.enterprise_id),
        chain_node_id: pick(has("chain_node"), &sheet.chain_node_id, &current.chain_node_id),
        township_id: pick(has("township"), &sheet.township_id, &current.township_id),
        lead_unit_id: pick(has("lead_unit"), &sheet.lead_unit_id, &current.lead_unit_id),
        leader: pick(has("leader"), &sheet.leader, &current.leader),
        nature: pick(has("nature"), &sheet.nature, &current.nature),
        location: pick(has("location"), &sheet.location, &current.location),
        content: pick(has("content"), &sheet.content, &current.content),
        capacity: pick(has("capacity"), &sheet.capacity, &current.capacity),
        total_investment: pick(
            has("total_investment"),
            &sheet.total_investment,
            &current.total_investment,
        ),
        fixed_investment: pick(
            has("fixed_investment"),
            &sheet.fixed_investment,
            &current.fixed_investment,
        ),
        agreed_investment: pick(
            has("agreed_investment"),
            &sheet.agreed_investment,
            &current.agreed_investment,
        ),
        land_area: pick(has("land_area"), &sheet.land_area, &current.land_area),
        // The stage moves only through the stage rules (see `import_ledger`).
        stage: current.stage,
        target_start: pick(has("target_start"), &sheet.target_start, &current.target_start),
        annual_plan_investment: pick(
            has("annual_plan_investment"),
            &sheet.annual_plan_investment,
            &current.annual_plan_investment,
        ),
    }
}

fn merge_task(current: &crate::tasks::Task, sheet: &TaskDraft, has: &dyn Fn(&str) -> bool) -> TaskDraft {
    let pick = |field: &str, s: Option<NaiveDate>, c: Option<NaiveDate>| if has(field) && s.is_some() { s } else { c };
    TaskDraft {
        name: sheet.name.clone(),
        responsible_unit_id: if has("responsible_unit") && sheet.responsible_unit_id.is_some() {
            sheet.responsible_unit_id
        } else {
            current.responsible_unit_id
        },
        responsible_person: if has("responsible_person") && sheet.responsible_person.is_some() {
            sheet.responsible_person.clone()
        } else {
            current.responsible_person.clone()
        },
        duration_days: if has("duration_days") {
            sheet.duration_days
        } else {
            current.duration_days
        },
        predecessors: String::new(),
        deadline: pick("deadline", sheet.deadline, current.deadline),
        start_no_earlier: current.start_no_earlier,
        actual_start: current.actual_start.or(sheet.actual_start),
        actual_finish: current.actual_finish.or(sheet.actual_finish),
        progress: if has("progress") {
            sheet.progress
        } else {
            current.progress
        },
        note: sheet.note.clone().or(current.note.clone()),
    }
}
