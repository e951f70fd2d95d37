//! The project pipeline in the database: stage changes with their history, the facts the KPIs
//! are computed from, monthly progress reports (月度填报) and attachments (附件).
//!
//! The rules live in `chainforce_domain::pipeline`; this module reads the facts they need and
//! records what they allowed, each change with its audit entry.

use crate::projects::Project;
use crate::row::{RowExt, date_text};
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::pipeline::attachment::FileKind;
use chainforce_domain::pipeline::monthly::{MonthlyReportDraft, must_report};
use chainforce_domain::pipeline::{CheckedFile, GroupKey, ProjectFacts, StageChangeForm, StageFacts, StageMove};
use chainforce_domain::project::{ProjectState, Stage};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One recorded stage change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StageChangeRecord {
    pub id: i64,
    pub project_id: i64,
    pub from_stage: Stage,
    pub to_stage: Stage,
    pub from_state: ProjectState,
    pub to_state: ProjectState,
    pub changed_on: NaiveDate,
    pub reason: Option<String>,
    pub overridden: bool,
    pub by_user_id: Option<i64>,
    pub by_name: String,
    pub created_at: String,
}

fn change_from_row(r: &AnyRow) -> Result<StageChangeRecord, sqlx::Error> {
    Ok(StageChangeRecord {
        id: r.i64("id")?,
        project_id: r.i64("project_id")?,
        from_stage: r.coded("from_stage", Stage::parse)?,
        to_stage: r.coded("to_stage", Stage::parse)?,
        from_state: r.coded("from_state", ProjectState::parse)?,
        to_state: r.coded("to_state", ProjectState::parse)?,
        changed_on: r.date("changed_on")?.unwrap_or_default(),
        reason: r.opt_text("reason")?,
        overridden: r.flag("overridden")?,
        by_user_id: r.opt_i64("by_user_id")?,
        by_name: r.text("by_name")?,
        created_at: r.text("created_at")?,
    })
}

/// A monthly report (月度填报).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MonthlyReport {
    pub id: i64,
    pub project_id: i64,
    /// The first day of the month.
    pub month: NaiveDate,
    /// 本月完成投资, 万元.
    pub completed_investment: Amount,
    /// 形象进度.
    pub progress: String,
    pub reported_by_name: String,
    pub version: i64,
    pub updated_at: String,
}

fn report_from_row(r: &AnyRow) -> Result<MonthlyReport, sqlx::Error> {
    Ok(MonthlyReport {
        id: r.i64("id")?,
        project_id: r.i64("project_id")?,
        month: r.date("month")?.unwrap_or_default(),
        completed_investment: r.amount("completed_yuan")?.unwrap_or(Amount::ZERO),
        progress: r.text("progress")?,
        reported_by_name: r.text("reported_by_name")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

/// A project that must report for a month, with its report if there is one.
#[derive(Debug, Clone, Serialize)]
pub struct MonthlyStatus {
    pub project: Project,
    pub report: Option<MonthlyReport>,
}

/// A stored attachment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    #[serde(skip)]
    pub storage_key: String,
    pub original_name: String,
    pub kind: FileKind,
    pub size_bytes: i64,
    pub sha256: String,
    pub project_id: i64,
    pub task_id: Option<i64>,
    pub task_update_id: Option<i64>,
    pub monthly_report_id: Option<i64>,
    pub uploaded_by_name: String,
    pub created_at: String,
}

fn attachment_from_row(r: &AnyRow) -> Result<Attachment, sqlx::Error> {
    Ok(Attachment {
        id: r.i64("id")?,
        storage_key: r.text("storage_key")?,
        original_name: r.text("original_name")?,
        kind: r.coded("kind", FileKind::parse)?,
        size_bytes: r.i64("size_bytes")?,
        sha256: r.text("sha256")?,
        project_id: r.i64("project_id")?,
        task_id: r.opt_i64("task_id")?,
        task_update_id: r.opt_i64("task_update_id")?,
        monthly_report_id: r.opt_i64("monthly_report_id")?,
        uploaded_by_name: r.text("uploaded_by_name")?,
        created_at: r.text("created_at")?,
    })
}

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachTo {
    /// The latest progress note of a task.
    TaskUpdate {
        task_id: i64,
        update_id: i64,
    },
    MonthlyReport(i64),
}

/// What the stage rule needs to know of a project, read on `conn` (inside the transaction that
/// records the change, so the rule is checked against what the change will be written over).
async fn stage_facts(conn: &mut sqlx::AnyConnection, p: &Project) -> Result<StageFacts> {
    let land: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT actual_date FROM project_stage_dates WHERE project_id = $1 AND stage = $2 AND actual_date IS NOT NULL",
    )
    .bind(p.id)
    .bind(Stage::LandSupplied.code())
    .fetch_optional(&mut *conn)
    .await?;
    let (last_stage,): (Option<String>,) =
        sqlx::query_as("SELECT MAX(actual_date) FROM project_stage_dates WHERE project_id = $1")
            .bind(p.id)
            .fetch_one(&mut *conn)
            .await?;
    let (last_change,): (Option<String>,) =
        sqlx::query_as("SELECT MAX(changed_on) FROM project_stage_changes WHERE project_id = $1")
            .bind(p.id)
            .fetch_one(&mut *conn)
            .await?;
    let parse = |s: Option<String>| s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    Ok(StageFacts {
        stage: p.draft.stage,
        state: p.state,
        land_supplied: land.is_some(),
        last_date: parse(last_stage).max(parse(last_change)),
    })
}

impl Store {
    /// A project's stage changes, oldest first.
    pub async fn stage_history(&self, project_id: i64) -> Result<Vec<StageChangeRecord>> {
        let rows = sqlx::query("SELECT * FROM project_stage_changes WHERE project_id = $1 ORDER BY id")
            .bind(project_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(change_from_row).collect::<Result<_, _>>()?)
    }

    /// What the KPIs are computed from: every project of the region with its actual stage dates
    /// and its monthly reports.
    pub async fn pipeline_facts(&self, region_id: i64) -> Result<Vec<ProjectFacts>> {
        let projects = self.projects(region_id, &Default::default()).await?;
        let rows = sqlx::query(
            "SELECT d.project_id, d.stage, d.actual_date FROM project_stage_dates d JOIN projects p ON p.id = d.project_id \
             WHERE p.region_id = $1 AND d.actual_date IS NOT NULL",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut dates: HashMap<(i64, Stage), NaiveDate> = HashMap::new();
        for r in &rows {
            if let Some(d) = r.date("actual_date")? {
                dates.insert((r.i64("project_id")?, r.coded("stage", Stage::parse)?), d);
            }
        }
        let rows = sqlx::query(
            "SELECT m.project_id, m.month, m.completed_yuan FROM monthly_reports m JOIN projects p ON p.id = m.project_id \
             WHERE p.region_id = $1 ORDER BY m.month",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let mut monthly: HashMap<i64, Vec<(NaiveDate, Amount)>> = HashMap::new();
        for r in &rows {
            let m = r.date("month")?.unwrap_or_default();
            let a = r.amount("completed_yuan")?.unwrap_or(Amount::ZERO);
            monthly.entry(r.i64("project_id")?).or_default().push((m, a));
        }
        let key = |id: Option<i64>, name: &Option<String>| {
            id.map(|id| GroupKey {
                id: Some(id),
                name: name.clone().unwrap_or_default(),
            })
        };
        Ok(projects
            .into_iter()
            .map(|p| {
                let at = |s: Stage| dates.get(&(p.id, s)).copied();
                ProjectFacts {
                    id: p.id,
                    township: key(p.draft.township_id, &p.township_name),
                    lead_unit: key(p.draft.lead_unit_id, &p.lead_unit_name),
                    chain_node: key(p.draft.chain_node_id, &p.chain_node_name),
                    stage: p.draft.stage,
                    state: p.state,
                    total_investment: p.draft.total_investment,
                    agreed_investment: p.draft.agreed_investment,
                    planned_start: p.draft.target_start,
                    signed_on: at(Stage::Signed),
                    land_on: at(Stage::LandSupplied),
                    started_on: at(Stage::Started),
                    production_on: at(Stage::InProduction),
                    monthly: monthly.remove(&p.id).unwrap_or_default(),
                    name: p.draft.name,
                }
            })
            .collect())
    }

    /// A project's monthly reports, newest month first.
    pub async fn monthly_reports(&self, project_id: i64) -> Result<Vec<MonthlyReport>> {
        let rows = sqlx::query("SELECT * FROM monthly_reports WHERE project_id = $1 ORDER BY month DESC")
            .bind(project_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(report_from_row).collect::<Result<_, _>>()?)
    }

    /// Every project that must report for `month` (signed, active), with its report if any:
    /// the office's "who has not reported" list.
    pub async fn monthly_status(&self, region_id: i64, month: NaiveDate) -> Result<Vec<MonthlyStatus>> {
        let projects = self.projects(region_id, &Default::default()).await?;
        let rows = sqlx::query(
            "SELECT m.* FROM monthly_reports m JOIN projects p ON p.id = m.project_id WHERE p.region_id = $1 AND m.month = $2",
        )
        .bind(region_id)
        .bind(date_text(Some(month)))
        .fetch_all(&self.read)
        .await?;
        let mut reports: HashMap<i64, MonthlyReport> = HashMap::new();
        for r in &rows {
            let rep = report_from_row(r)?;
            reports.insert(rep.project_id, rep);
        }
        Ok(projects
            .into_iter()
            .filter(|p| must_report(p.draft.stage, p.state))
            .map(|p| MonthlyStatus {
                report: reports.remove(&p.id),
                project: p,
            })
            .collect())
    }

    pub async fn attachment(&self, id: i64) -> Result<Attachment> {
        let row = sqlx::query("SELECT * FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(attachment_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound {
                entity: "attachment",
                id,
            })
    }

    /// The attachments of a task's progress notes.
    pub async fn task_attachments(&self, task_id: i64) -> Result<Vec<Attachment>> {
        let rows = sqlx::query("SELECT * FROM attachments WHERE task_id = $1 ORDER BY id")
            .bind(task_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(attachment_from_row).collect::<Result<_, _>>()?)
    }

    /// The photos of a project's monthly reports.
    pub async fn report_attachments(&self, project_id: i64) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(
            "SELECT * FROM attachments WHERE project_id = $1 AND monthly_report_id IS NOT NULL ORDER BY id",
        )
        .bind(project_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(attachment_from_row).collect::<Result<_, _>>()?)
    }
}

impl WriteTx {
    /// The project as it stands in this transaction and what the stage rule needs to know of it.
    pub async fn stage_facts(&mut self, project_id: i64) -> Result<(Project, StageFacts)> {
        let p = self.project_in_tx(project_id).await?;
        let facts = stage_facts(self.conn(), &p).await?;
        Ok((p, facts))
    }

    /// The one way a project's stage or state (暂停 / 终止 / 恢复) changes, whoever asks — the stage
    /// form, the API, the state form, a 台账 import, the demo: checks `form` by the domain's stage
    /// rules against the project as it stands in this transaction (`may_override`: the user is the
    /// office), then moves the project, records the stage's actual date, appends the history row
    /// (date and who) and the audit entry. `expected_version` is the project's version the user
    /// saw (409 otherwise); `today` is the date in China. Returns the history row's id.
    pub async fn change_stage(
        &mut self,
        project_id: i64,
        expected_version: i64,
        form: &StageChangeForm,
        may_override: bool,
        today: NaiveDate,
    ) -> Result<i64> {
        let (before, facts) = self.stage_facts(project_id).await?;
        if before.version != expected_version {
            return Err(conflict("project", project_id, before.version, &before));
        }
        let change = form.validate(&facts, may_override, today)?;
        let (stage, state) = change.outcome(&facts);
        let state_reason = match change.movement {
            StageMove::Pause | StageMove::Terminate => change.reason.clone(),
            _ => None,
        };
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE projects SET stage = $1, state = $2, state_reason = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6",
        )
        .bind(stage.code())
        .bind(state.code())
        .bind(&state_reason)
        .bind(&now)
        .bind(project_id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("project", project_id, before.version, &before));
        }
        if let StageMove::To(s) = change.movement {
            self.record_stage_date(project_id, s, None, Some(change.date)).await?;
        }
        let actor = self.actor().clone();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO project_stage_changes (project_id, from_stage, to_stage, from_state, to_state, changed_on, reason, overridden, \
             by_user_id, by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(project_id)
        .bind(before.draft.stage.code())
        .bind(stage.code())
        .bind(before.state.code())
        .bind(state.code())
        .bind(date_text(Some(change.date)))
        .bind(&change.reason)
        .bind(i64::from(change.overridden))
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit(
            "stage",
            "project",
            Some(project_id),
            Some(&serde_json::json!({"stage": before.draft.stage, "state": before.state})),
            Some(&change),
        );
        Ok(id)
    }

    /// Saves a month's report: a new one when the month has none (`expected_version` 0), else an
    /// edit of the existing one at `expected_version` (409 with the current report otherwise).
    pub async fn submit_monthly_report(
        &mut self,
        project_id: i64,
        expected_version: i64,
        d: &MonthlyReportDraft,
    ) -> Result<i64> {
        self.project_in_tx(project_id).await?;
        let month = date_text(Some(d.month));
        let existing = sqlx::query("SELECT * FROM monthly_reports WHERE project_id = $1 AND month = $2")
            .bind(project_id)
            .bind(&month)
            .fetch_optional(self.conn())
            .await?;
        let existing = existing.as_ref().map(report_from_row).transpose()?;
        let now = self.now().to_string();
        let actor = self.actor().clone();
        match existing {
            Some(current) => {
                let n = sqlx::query(
                    "UPDATE monthly_reports SET completed_yuan = $1, progress = $2, reported_by_user_id = $3, reported_by_name = $4, \
                     updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7",
                )
                .bind(d.completed_investment.raw())
                .bind(&d.progress)
                .bind(actor.user_id)
                .bind(&actor.name)
                .bind(&now)
                .bind(current.id)
                .bind(expected_version)
                .execute(self.conn())
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(conflict("monthly_report", current.id, current.version, &current));
                }
                self.audit("update", "monthly_report", Some(current.id), Some(&current), Some(d));
                Ok(current.id)
            }
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO monthly_reports (project_id, month, completed_yuan, progress, reported_by_user_id, reported_by_name, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                )
                .bind(project_id)
                .bind(&month)
                .bind(d.completed_investment.raw())
                .bind(&d.progress)
                .bind(actor.user_id)
                .bind(&actor.name)
                .bind(&now)
                .fetch_one(self.conn())
                .await
                .map_err(|e| StoreError::from(e).duplicate_as("month"))?;
                self.audit("create", "monthly_report", Some(id), None::<&()>, Some(d));
                Ok(id)
            }
        }
    }

    /// The newest progress note of a task (the one a report just added).
    pub async fn latest_task_update(&mut self, task_id: i64) -> Result<Option<i64>> {
        let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM task_updates WHERE task_id = $1")
            .bind(task_id)
            .fetch_one(self.conn())
            .await?;
        Ok(id)
    }

    /// Records a file already written to the [`FileStore`] as an attachment of `to`.
    pub async fn add_attachment(
        &mut self,
        project_id: i64,
        to: AttachTo,
        stored: &StoredFile,
        file: &CheckedFile,
    ) -> Result<i64> {
        let (task_id, update_id, report_id) = match to {
            AttachTo::TaskUpdate { task_id, update_id } => (Some(task_id), Some(update_id), None),
            AttachTo::MonthlyReport(id) => (None, None, Some(id)),
        };
        let actor = self.actor().clone();
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO attachments (storage_key, original_name, kind, size_bytes, sha256, project_id, task_id, task_update_id, \
             monthly_report_id, uploaded_by_user_id, uploaded_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&stored.key)
        .bind(&file.name)
        .bind(file.kind.code())
        .bind(file.size as i64)
        .bind(&stored.sha256)
        .bind(project_id)
        .bind(task_id)
        .bind(update_id)
        .bind(report_id)
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit(
            "attach",
            "attachment",
            Some(id),
            None::<&()>,
            Some(&serde_json::json!({
                "name": file.name, "kind": file.kind, "size": file.size, "sha256": stored.sha256,
                "task_id": task_id, "task_update_id": update_id, "monthly_report_id": report_id,
            })),
        );
        Ok(id)
    }
}

/// A file written to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// The generated key the file is kept under.
    pub key: String,
    pub sha256: String,
}

/// Attachments on disk, under the data directory, each in a file named by a generated key (32
/// hex characters). Nothing a user sends ever becomes part of a path, so no upload can reach
/// another's file by its name.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }

    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.dir.join(&key[..2]).join(key))
    }

    /// Writes `bytes` under a new key (to a temporary file first, then renamed, so a reader
    /// never sees half a file).
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<StoredFile> {
        let mut raw = [0u8; 16];
        rand::fill(&mut raw);
        let key = hex::encode(raw);
        let path = self.path_of(&key).expect("a generated key is valid");
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let tmp = parent.join(format!(".{key}.part"));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
        Ok(StoredFile {
            key,
            sha256: chainforce_domain::pipeline::attachment::sha256_hex(bytes),
        })
    }

    /// The bytes kept under `key`; `NotFound` for a key that is not one of ours.
    pub fn read(&self, key: &str) -> std::io::Result<Vec<u8>> {
        match self.path_of(key) {
            Some(p) => std::fs::read(p),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not an attachment key",
            )),
        }
    }

    /// Removes a file whose database row was never committed.
    pub fn remove(&self, key: &str) {
        if let Some(p) = self.path_of(key) {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_kept_under_generated_keys_only() {
        let dir = tempfile::tempdir().unwrap();
        let fs = FileStore::new(dir.path());
        let a = fs.put(b"%PDF-1.7 one").unwrap();
        let b = fs.put(b"%PDF-1.7 one").unwrap();
        assert_ne!(a.key, b.key, "the same bytes twice are two files");
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(fs.read(&a.key).unwrap(), b"%PDF-1.7 one");
        for bad in [
            "../../etc/passwd",
            "",
            "ABCDEF0123456789ABCDEF0123456789",
            &format!("{}/..", a.key),
        ] {
            assert_eq!(fs.read(bad).unwrap_err().kind(), std::io::ErrorKind::NotFound, "{bad}");
        }
    }
}
