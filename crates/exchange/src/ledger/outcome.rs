//! What an import yields: checked rows ready for storage, refused rows with their reasons, and
//! what was skipped. Nothing here touches the database: storage matches the rows by
//! [`RowKey`] and decides what is created and what is updated.

use super::mapping::ColumnMapping;
use chainforce_domain::project::ProjectDraft;
use chainforce_domain::task::TaskDraft;
use chainforce_domain::validation::Lang;
use chainforce_domain::{Amount, Rule};
use chrono::NaiveDate;
use serde::Serialize;

/// A project row that passed every check. References stay names: storage resolves them to ids
/// and reports names it does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRow {
    /// The sheet row as Excel numbers it (1-based).
    pub row: u32,
    /// The project's own fields, checked by `ProjectForm::validate()`; its `*_id` fields are
    /// `None` until storage resolves the names below.
    pub draft: ProjectDraft,
    /// 投资方/建设单位.
    pub enterprise: Option<String>,
    /// 所属产业链环节.
    pub chain_node: Option<String>,
    /// 所属乡镇/园区.
    pub township: Option<String>,
    /// 责任单位/牵头单位.
    pub lead_unit: Option<String>,
    pub stage_dates: StageDates,
    pub progress: ProgressFigures,
}

/// The dates a ledger records for the stages a project reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StageDates {
    pub signed_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
    pub land_supplied_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub in_production_on: Option<NaiveDate>,
}

/// The monthly figures a ledger reports next to the project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProgressFigures {
    /// 本月完成投资, 万元.
    pub month_investment: Option<Amount>,
    /// 年初至今累计完成投资, 万元.
    pub year_to_date_investment: Option<Amount>,
    /// 形象进度.
    pub site_progress: Option<String>,
    /// 存在问题.
    pub problems: Option<String>,
}

/// A task row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRow {
    pub row: u32,
    /// The project the task belongs to, when the sheet names it.
    pub project_code: Option<String>,
    pub project_name: Option<String>,
    /// Checked by `TaskForm::validate()`; `responsible_unit_id` is `None` until storage resolves
    /// `responsible_unit`. Without a 工期 column the task is a milestone (0 days) due on its
    /// deadline.
    pub draft: TaskDraft,
    pub responsible_unit: Option<String>,
}

/// A row that was refused, with every reason at once so the user fixes it in one go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedRow {
    pub row: u32,
    pub code: Option<String>,
    pub name: Option<String>,
    /// The row's cells as the user saw them, by column index, for the refused-rows workbook.
    pub cells: Vec<String>,
    pub refusals: Vec<Refusal>,
}

/// One refused cell: where, what it held, and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub row: u32,
    /// Column letter, `""` when the rule concerns no single column.
    pub column: String,
    pub header: String,
    /// The [`super::LedgerField`] code.
    pub field: String,
    pub value: String,
    pub rule: Rule,
}

impl Refusal {
    /// "E列「总投资（亿元）」：必须是数字" / "column E (总投资（亿元）): must be a number".
    pub fn reason(&self, lang: Lang) -> String {
        let rule = self.rule.message(lang);
        match (lang, self.column.is_empty()) {
            (Lang::Zh, false) => format!("{}列「{}」：{rule}", self.column, self.header),
            (Lang::Zh, true) => format!("{}：{rule}", self.field),
            (Lang::En, false) => format!("column {} ({}): {rule}", self.column, self.header),
            (Lang::En, true) => format!("{}: {rule}", self.field),
        }
    }

    /// The `{row, column, value, reason}` object of `chainforce import --json`.
    pub fn view(&self, lang: Lang) -> RefusalView<'_> {
        RefusalView {
            row: self.row,
            column: &self.column,
            header: &self.header,
            field: &self.field,
            value: &self.value,
            reason: self.reason(lang),
            rule: &self.rule,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalView<'a> {
    pub row: u32,
    pub column: &'a str,
    pub header: &'a str,
    pub field: &'a str,
    pub value: &'a str,
    pub reason: String,
    pub rule: &'a Rule,
}

/// Rows that were not data and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub blank: u32,
    /// Sheet rows of 合计/小计/总计 rows.
    pub totals: Vec<u32>,
    /// Sheet rows of group titles such as "一、续建项目".
    pub sections: Vec<u32>,
    /// Sheet rows that repeat the header (a ledger printed page by page).
    pub repeated_headers: Vec<u32>,
}

/// The parsed ledger, before storage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerImport {
    /// The mapping used: the guess, or the user's correction. Show it, let the user edit it,
    /// and pass it back in [`super::ImportOptions::mapping`].
    pub mapping: ColumnMapping,
    /// All sheets of the workbook, for a sheet picker.
    pub sheets: Vec<String>,
    pub projects: Vec<ProjectRow>,
    pub tasks: Vec<TaskRow>,
    pub refused: Vec<RefusedRow>,
    pub skipped: Skipped,
    /// Non-blank rows read below the header.
    pub rows_read: u32,
}

/// What storage matches a row by: 项目代码 first, else the project name; for a task row, the
/// task name within that project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowKey {
    pub row: u32,
    pub code: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

/// The dry run: what would be created, updated and refused, row by row. Serialises to the
/// `{created, updated, refused}` object of `chainforce import --json`; each refused cell is one
/// `{row, column, value, reason}` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPlan<'a> {
    pub sheet: &'a str,
    pub created: Vec<PlannedRow>,
    pub updated: Vec<PlannedRow>,
    pub refused: Vec<RefusalView<'a>>,
    pub skipped: &'a Skipped,
    pub rows_read: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedRow {
    #[serde(flatten)]
    pub key: RowKey,
    /// The id of the record the row updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

impl LedgerImport {
    /// The key of every accepted row, in sheet order, for storage to look up.
    pub fn keys(&self) -> Vec<RowKey> {
        let projects = self.projects.iter().map(|p| RowKey {
            row: p.row,
            code: p.draft.code.clone(),
            name: p.draft.name.clone(),
            task: None,
        });
        let tasks = self.tasks.iter().map(|t| RowKey {
            row: t.row,
            code: t.project_code.clone(),
            name: t.project_name.clone().unwrap_or_default(),
            task: Some(t.draft.name.clone()),
        });
        projects.chain(tasks).collect()
    }

    /// Sorts accepted rows into created and updated with `existing`, which storage answers with
    /// the id of the record a key matches.
    pub fn plan(&self, lang: Lang, mut existing: impl FnMut(&RowKey) -> Option<i64>) -> ImportPlan<'_> {
        let mut created = Vec::new();
        let mut updated = Vec::new();
        for key in self.keys() {
            match existing(&key) {
                Some(id) => updated.push(PlannedRow { key, id: Some(id) }),
                None => created.push(PlannedRow { key, id: None }),
            }
        }
        ImportPlan {
            sheet: &self.mapping.sheet,
            created,
            updated,
            refused: self
                .refused
                .iter()
                .flat_map(|r| r.refusals.iter().map(|x| x.view(lang)))
                .collect(),
            skipped: &self.skipped,
            rows_read: self.rows_read,
        }
    }

    /// All refusals, row by row.
    pub fn refusals(&self) -> impl Iterator<Item = &Refusal> {
        self.refused.iter().flat_map(|r| r.refusals.iter())
    }
}
