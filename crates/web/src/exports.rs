//! Every list as a spreadsheet: the same tables for the pages' "导出 Excel" and for
//! `chainforce export`, so the two never differ.

use crate::i18n::Tr;
use chainforce_exchange::xlsx_out::{ColumnType, ExportColumn, ExportValue, TableExport};
use chainforce_storage::problems::{Problem, ProblemFilter};
use chainforce_storage::projects::{Project, ProjectFilter};
use chainforce_storage::tasks::TaskFilter;
use chainforce_storage::{Store, StoreError};

const MONEY: ColumnType = ColumnType::Money { decimals: 2 };

fn col(t: Tr, key: &str, kind: ColumnType) -> ExportColumn {
    ExportColumn::new(t.s(key), kind)
}

fn seq(i: usize) -> ExportValue {
    ExportValue::Integer(i as i64 + 1)
}

/// The project list (重点项目清单); `filters` are the (label, value) pairs in force, for the title.
pub fn projects(projects: Vec<Project>, filters: Vec<(String, String)>, t: Tr) -> TableExport {
    TableExport {
        sheet_name: t.s("nav.projects").into(),
        title: Some(t.s("export.projects_title").into()),
        filters,
        columns: vec![
            col(t, "export.seq", ColumnType::Integer),
            col(t, "field.name", ColumnType::Text),
            col(t, "field.code", ColumnType::Text),
            col(t, "field.enterprise_id", ColumnType::Text),
            col(t, "field.chain_node_id", ColumnType::Text),
            col(t, "field.township_id", ColumnType::Text),
            col(t, "field.stage", ColumnType::Text),
            col(t, "field.state", ColumnType::Text),
            col(t, "field.total_investment_wan", MONEY),
            col(t, "field.fixed_investment_wan", MONEY),
            col(t, "field.agreed_investment_wan", MONEY),
            col(t, "field.land_area_mu", MONEY),
            col(t, "field.lead_unit_id", ColumnType::Text),
            col(t, "field.leader", ColumnType::Text),
            col(t, "field.target_start", ColumnType::Date),
        ],
        rows: projects
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    seq(i),
                    ExportValue::Text(p.draft.name),
                    p.draft.code.into(),
                    p.enterprise_name.into(),
                    p.chain_node_name.into(),
                    p.township_name.into(),
                    p.draft.stage.label(t.lang).into(),
                    p.state.label(t.lang).into(),
                    p.draft.total_investment.into(),
                    p.draft.fixed_investment.into(),
                    p.draft.agreed_investment.into(),
                    p.draft.land_area.into(),
                    p.lead_unit_name.into(),
                    p.draft.leader.into(),
                    p.draft.target_start.into(),
                ]
            })
            .collect(),
    }
}

/// The task list (任务清单) with the schedule and the 红黄绿 status on `today`.
pub async fn tasks(store: &Store, region_id: i64, filter: &TaskFilter, t: Tr) -> Result<TableExport, StoreError> {
    let tasks = store.tasks(region_id, filter).await?;
    let region = store.region(region_id).await?;
    let cal = store.calendar(region_id).await?;
    let today = chainforce_storage::clock::today();
    Ok(TableExport {
        sheet_name: t.s("export.tasks_title").into(),
        title: Some(t.s("export.tasks_title").into()),
        filters: Vec::new(),
        columns: vec![
            col(t, "export.seq", ColumnType::Integer),
            col(t, "field.project", ColumnType::Text),
            col(t, "field.task", ColumnType::Text),
            col(t, "field.responsible_unit_id", ColumnType::Text),
            col(t, "field.responsible_person", ColumnType::Text),
            col(t, "field.duration_days", ColumnType::Integer),
            col(t, "field.late_start", ColumnType::Date),
            col(t, "field.late_finish", ColumnType::Date),
            col(t, "field.total_float", ColumnType::Integer),
            col(t, "field.actual_start", ColumnType::Date),
            col(t, "field.actual_finish", ColumnType::Date),
            col(t, "field.status", ColumnType::Text),
            col(t, "field.note", ColumnType::Text),
        ],
        rows: tasks
            .into_iter()
            .enumerate()
            .map(|(i, task)| {
                let status = task.status(today, region.yellow_float_days, &cal);
                let status_text = if status.days_overdue > 0 {
                    format!(
                        "{} {}{}",
                        status.status.label(t.lang),
                        status.days_overdue,
                        t.s("unit.wd")
                    )
                } else {
                    status.status.label(t.lang).to_string()
                };
                vec![
                    seq(i),
                    ExportValue::Text(task.project_name),
                    ExportValue::Text(task.name),
                    task.responsible_unit_name.into(),
                    task.responsible_person.into(),
                    ExportValue::Integer(task.duration_days),
                    task.schedule.late_start.into(),
                    task.schedule.late_finish.into(),
                    task.schedule
                        .total_float
                        .map_or(ExportValue::Empty, ExportValue::Integer),
                    task.actual_start.into(),
                    task.actual_finish.into(),
                    ExportValue::Text(status_text),
                    task.note.into(),
                ]
            })
            .collect(),
    })
}

/// The problem list (问题清单).
pub fn problems(problems: Vec<Problem>, t: Tr) -> TableExport {
    TableExport {
        sheet_name: t.s("nav.problems").into(),
        title: Some(t.s("nav.problems").into()),
        filters: Vec::new(),
        columns: vec![
            col(t, "export.seq", ColumnType::Integer),
            col(t, "field.project", ColumnType::Text),
            col(t, "field.title", ColumnType::Text),
            col(t, "field.description", ColumnType::Text),
            col(t, "field.unit_id", ColumnType::Text),
            col(t, "field.deadline", ColumnType::Date),
            col(t, "field.status", ColumnType::Text),
            col(t, "field.answer", ColumnType::Text),
            col(t, "field.rating", ColumnType::Integer),
        ],
        rows: problems
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    seq(i),
                    ExportValue::Text(p.project_name),
                    ExportValue::Text(p.title),
                    p.description.into(),
                    p.assigned_unit_name.into(),
                    p.deadline.into(),
                    p.status.label(t.lang).into(),
                    p.answer.into(),
                    p.rating.map_or(ExportValue::Empty, ExportValue::Integer),
                ]
            })
            .collect(),
    }
}

/// Units (单位).
pub async fn units(store: &Store, region_id: i64, t: Tr) -> Result<TableExport, StoreError> {
    let units = store.units(region_id).await?;
    Ok(TableExport {
        sheet_name: t.s("nav.units").into(),
        title: Some(t.s("nav.units").into()),
        filters: Vec::new(),
        columns: vec![
            col(t, "export.seq", ColumnType::Integer),
            col(t, "field.name", ColumnType::Text),
            col(t, "field.kind", ColumnType::Text),
            col(t, "field.contact_person", ColumnType::Text),
            col(t, "field.phone", ColumnType::Text),
        ],
        rows: units
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                vec![
                    seq(i),
                    ExportValue::Text(u.name),
                    u.kind.label(t.lang).into(),
                    u.contact_person.into(),
                    u.phone.into(),
                ]
            })
            .collect(),
    })
}

/// Enterprises (企业).
pub async fn enterprises(store: &Store, region_id: i64, t: Tr) -> Result<TableExport, StoreError> {
    let list = store.enterprises(region_id).await?;
    Ok(TableExport {
        sheet_name: t.s("nav.enterprises").into(),
        title: Some(t.s("nav.enterprises").into()),
        filters: Vec::new(),
        columns: vec![
            col(t, "export.seq", ColumnType::Integer),
            col(t, "field.name", ColumnType::Text),
            col(t, "field.credit_code", ColumnType::Text),
            col(t, "field.legal_person", ColumnType::Text),
            col(t, "field.contact_person", ColumnType::Text),
            col(t, "field.phone", ColumnType::Text),
            col(t, "field.above_scale", ColumnType::Text),
        ],
        rows: list
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                vec![
                    seq(i),
                    ExportValue::Text(e.name),
                    e.credit_code.into(),
                    e.legal_person.into(),
                    e.contact_person.into(),
                    e.phone.into(),
                    if e.above_scale {
                        t.lang.pick("是", "yes").into()
                    } else {
                        ExportValue::Empty
                    },
                ]
            })
            .collect(),
    })
}

/// A whole-county project export for the CLI (no filters).
pub async fn all_projects(store: &Store, region_id: i64, t: Tr) -> Result<TableExport, StoreError> {
    Ok(projects(
        store.projects(region_id, &ProjectFilter::default()).await?,
        Vec::new(),
        t,
    ))
}

/// A whole-county problem export for the CLI.
pub async fn all_problems(store: &Store, region_id: i64, t: Tr) -> Result<TableExport, StoreError> {
    Ok(problems(store.problems(region_id, &ProblemFilter::default()).await?, t))
}
