//! Stories of an office importing the 台账 it already keeps.

mod common;

use chainforce_domain::Rule;
use chainforce_domain::amount::MoneyUnit;
use chainforce_domain::project::{ConstructionNature, Stage};
use chainforce_domain::task::TaskProgress;
use chainforce_domain::validation::Lang;
use chainforce_exchange::ledger::{
    ImportError, ImportOptions, LedgerField, LedgerImport, LedgerKind, ProjectRow, import_ledger, write_refused_rows,
};
use chrono::NaiveDate;
use common::fixture;

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn hengfeng() -> LedgerImport {
    import_ledger(&fixture("hengfeng_2026.xlsx"), &ImportOptions::default()).unwrap()
}

fn project(import: &LedgerImport, row: u32) -> &ProjectRow {
    import
        .projects
        .iter()
        .find(|p| p.row == row)
        .unwrap_or_else(|| panic!("row {row} was not imported: {:#?}", import.refused))
}

fn wan(a: Option<chainforce_domain::Amount>) -> String {
    a.map(|a| a.to_string()).unwrap_or_default()
}

#[test]
fn the_ledger_sheet_is_found_behind_a_notes_sheet_with_its_title_and_two_row_header() {
    let import = hengfeng();
    let m = &import.mapping;
    assert_eq!(import.sheets, ["填表说明", "重点项目"]);
    assert_eq!(m.sheet, "重点项目");
    assert_eq!(m.kind, LedgerKind::Projects);
    assert_eq!((m.header_first_row, m.header_last_row), (2, 3));
    let h = m.column_of(LedgerField::TotalInvestment).unwrap();
    assert_eq!((h.column.as_str(), h.header.as_str()), ("H", "投资情况/总投资（亿元）"));
    assert_eq!(h.unit, Some(MoneyUnit::Yi));
    let j = m.column_of(LedgerField::AnnualPlanInvestment).unwrap();
    assert_eq!((j.column.as_str(), j.unit), ("J", Some(MoneyUnit::Wan)));
    assert_eq!(m.column_of(LedgerField::Name).unwrap().column, "B");
    assert_eq!(m.column_of(LedgerField::Township).unwrap().column, "F");
    // 序号 and 联系电话 are known but not imported.
    let phone = m.columns.iter().find(|c| c.header == "联系电话").unwrap();
    assert_eq!(phone.field, None);
}

#[test]
fn amounts_in_a_yi_column_and_amounts_stating_their_own_unit_land_in_wan_yuan() {
    let import = hengfeng();
    let first = &project(&import, 5).draft;
    assert_eq!(first.name, "年产2万吨电池级碳酸锂项目");
    assert_eq!(wan(first.total_investment), "15000");
    assert_eq!(wan(first.fixed_investment), "12000");
    assert_eq!(wan(first.annual_plan_investment), "8000");
    assert_eq!(wan(first.land_area), "150.5");
    // "15000万元" typed into the 亿元 column keeps its own unit.
    let second = &project(&import, 6).draft;
    assert_eq!(wan(second.total_investment), "15000");
    assert_eq!(wan(second.fixed_investment), "12000");
    assert_eq!(wan(second.annual_plan_investment), "3000");
    assert_eq!(wan(second.land_area), "80");
}

#[test]
fn dates_typed_as_dates_as_chinese_text_and_as_serial_numbers_all_read() {
    let import = hengfeng();
    let first = project(&import, 5);
    assert_eq!(first.stage_dates.signed_on, ymd(2022, 8, 22), "a date cell");
    assert_eq!(
        first.draft.target_start,
        ymd(2026, 6, 30),
        "2026年6月 is due by its end"
    );
    assert_eq!(first.stage_dates.started_on, ymd(2022, 9, 30), "2022.9.30");
    let second = project(&import, 6);
    assert_eq!(second.stage_dates.signed_on, ymd(2022, 8, 22), "2022年8月22日");
    assert_eq!(second.draft.target_start, ymd(2022, 8, 22), "2022/8/22");
    assert_eq!(second.stage_dates.started_on, ymd(2022, 8, 22), "serial 44795");
}

#[test]
fn enterprises_townships_units_and_chain_nodes_stay_names_for_storage_to_resolve() {
    let import = hengfeng();
    let p = project(&import, 5);
    assert_eq!(p.enterprise.as_deref(), Some("江西赣锋锂电新材料有限公司"));
    assert_eq!(p.chain_node.as_deref(), Some("锂盐"));
    assert_eq!(p.township.as_deref(), Some("岑阳镇"));
    assert_eq!(p.lead_unit.as_deref(), Some("县发改委"));
    assert_eq!(p.draft.leader.as_deref(), Some("张三"));
    assert_eq!(p.draft.code.as_deref(), Some("2203-361125-04-01-123456"));
    assert_eq!(p.draft.enterprise_id, None);
    assert_eq!(p.draft.nature, Some(ConstructionNature::New));
    assert_eq!(p.draft.stage, Stage::Started, "在建");
    assert_eq!(p.progress.site_progress.as_deref(), Some("主体厂房封顶"));
    assert_eq!(project(&import, 6).draft.stage, Stage::Signed);
}

#[test]
fn blank_group_title_and_total_rows_are_skipped_not_refused() {
    let import = hengfeng();
    assert_eq!(import.skipped.blank, 1);
    assert_eq!(import.skipped.sections, [4, 10]);
    assert_eq!(import.skipped.totals, [13]);
    let imported: Vec<u32> = import.projects.iter().map(|p| p.row).collect();
    let refused: Vec<u32> = import.refused.iter().map(|r| r.row).collect();
    assert_eq!(imported, [5, 6, 12]);
    assert_eq!(refused, [8, 9, 11]);
    assert_eq!(import.rows_read, 9);
}

#[test]
fn a_bad_row_is_refused_with_every_bad_cell_its_value_and_the_reason() {
    let import = hengfeng();
    let row = import.refused.iter().find(|r| r.row == 8).unwrap();
    assert_eq!(row.name.as_deref(), Some("锂渣综合利用项目"));
    let cells: Vec<(&str, &str, &Rule)> = row
        .refusals
        .iter()
        .map(|r| (r.column.as_str(), r.value.as_str(), &r.rule))
        .collect();
    assert_eq!(cells.len(), 3, "{cells:?}");
    assert_eq!(cells[0], ("H", "很多", &Rule::NotANumber));
    assert_eq!(cells[1].0, "L");
    assert!(matches!(cells[1].2, Rule::NotOneOf { allowed } if allowed.contains(&"开工（started）".to_string())));
    assert_eq!(cells[2], ("M", "2022年2月30日", &Rule::NotADate));
    assert_eq!(
        row.refusals[0].reason(Lang::Zh),
        "H列「投资情况/总投资（亿元）」：必须是数字"
    );
    assert_eq!(
        row.refusals[0].reason(Lang::En),
        "column H (投资情况/总投资（亿元）): must be a number"
    );
}

#[test]
fn fixed_investment_above_the_total_is_refused_on_the_fixed_investment_cell() {
    let import = hengfeng();
    let row = import.refused.iter().find(|r| r.row == 9).unwrap();
    assert_eq!(row.refusals.len(), 1);
    let r = &row.refusals[0];
    assert_eq!(
        (r.column.as_str(), r.field.as_str(), r.value.as_str()),
        ("I", "fixed_investment", "2")
    );
    assert_eq!(
        r.reason(Lang::Zh),
        "I列「投资情况/其中固投（亿元）」：其中固投不能大于总投资"
    );
}

#[test]
fn a_project_code_given_twice_in_one_sheet_refuses_the_later_row() {
    let import = hengfeng();
    let row = import.refused.iter().find(|r| r.row == 11).unwrap();
    let r = &row.refusals[0];
    assert_eq!((r.column.as_str(), r.value.as_str()), ("C", "2203-361125-04-01-123456"));
    assert_eq!(r.reason(Lang::Zh), "C列「项目代码」：与第 5 行重复");
}

#[test]
fn a_row_with_only_a_name_is_a_lead_under_negotiation() {
    let import = hengfeng();
    let p = project(&import, 12);
    assert_eq!(p.draft.name, "储能电站项目");
    assert_eq!(p.draft.stage, Stage::Lead);
    assert_eq!(p.draft.total_investment, None);
}

#[test]
fn the_dry_run_sorts_rows_into_created_updated_and_refused_as_the_cli_prints_them() {
    let import = hengfeng();
    let plan = import.plan(Lang::Zh, |key| {
        (key.code.as_deref() == Some("2203-361125-04-01-123456")).then_some(7)
    });
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["updated"][0]["row"], 5);
    assert_eq!(json["updated"][0]["id"], 7);
    let created: Vec<&str> = json["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(created, ["锂电池隔膜项目", "储能电站项目"]);
    let refused = json["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 5, "three cells of row 8, one of row 9, one of row 11");
    assert_eq!(refused[0]["row"], 8);
    assert_eq!(refused[0]["column"], "H");
    assert_eq!(refused[0]["value"], "很多");
    assert_eq!(refused[0]["reason"], "H列「投资情况/总投资（亿元）」：必须是数字");
}

#[test]
fn a_mapping_the_user_corrected_is_used_on_the_next_run() {
    let first = hengfeng();
    // The user says the 总投资 column is in 万元 after all, and 年度计划投资 is not to be imported.
    let json = serde_json::to_string(&first.mapping).unwrap();
    let mut mapping: chainforce_exchange::ledger::ColumnMapping = serde_json::from_str(&json).unwrap();
    assert_eq!(mapping, first.mapping);
    for c in &mut mapping.columns {
        match c.column.as_str() {
            "H" => c.unit = Some(MoneyUnit::Wan),
            "J" => {
                c.field = None;
                c.unit = None;
            }
            _ => {}
        }
    }
    let options = ImportOptions {
        mapping: Some(mapping.clone()),
        ..ImportOptions::default()
    };
    let second = import_ledger(&fixture("hengfeng_2026.xlsx"), &options).unwrap();
    assert_eq!(second.mapping, mapping);
    let p = project(&second, 6);
    assert_eq!(wan(p.draft.total_investment), "15000", "15000万元 states its unit");
    assert_eq!(p.draft.annual_plan_investment, None);
    // Row 5's bare 1.5 is now 1.5 万元, below its 1.2 亿元 of fixed investment: refused on I.
    let row5 = second.refused.iter().find(|r| r.row == 5).unwrap();
    assert_eq!(row5.refusals[0].column, "I");
}

#[test]
fn a_corrected_mapping_that_feeds_one_field_twice_is_refused_before_reading() {
    let mut mapping = hengfeng().mapping;
    for c in &mut mapping.columns {
        if c.column == "D" {
            c.field = Some(LedgerField::Name);
        }
    }
    let options = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    let err = import_ledger(&fixture("hengfeng_2026.xlsx"), &options).unwrap_err();
    assert!(matches!(&err, ImportError::Mapping(e) if e.0[0].field == "columns.D.field"));
    assert!(err.message(Lang::Zh).starts_with("列对应关系有误"));
}

#[test]
fn a_sheet_asked_for_by_a_name_the_workbook_lacks_lists_the_sheets_it_has() {
    let options = ImportOptions {
        sheet: Some("2025年".into()),
        ..ImportOptions::default()
    };
    let err = import_ledger(&fixture("hengfeng_2026.xlsx"), &options).unwrap_err();
    assert_eq!(
        err.message(Lang::Zh),
        "没有名为「2025年」的工作表；现有：填表说明、重点项目"
    );
}

#[test]
fn the_same_ledger_kept_as_an_old_xls_reads_the_same_way() {
    let import = import_ledger(&fixture("hengfeng_2026.xls"), &ImportOptions::default()).unwrap();
    assert_eq!(import.mapping.sheet, "项目台账");
    assert_eq!(import.projects.len(), 2, "{:#?}", import.refused);
    let storage = project(&import, 2);
    assert_eq!(wan(storage.draft.total_investment), "250000");
    assert_eq!(wan(storage.draft.land_area), "300");
    assert_eq!(storage.stage_dates.signed_on, ymd(2022, 8, 22));
    assert_eq!(storage.draft.target_start, ymd(2026, 6, 30), "2026.6");
    let recycling = project(&import, 3);
    assert_eq!(wan(recycling.draft.total_investment), "15000", "1.5亿元");
    assert_eq!(wan(recycling.draft.land_area), "60.5");
    assert_eq!(recycling.stage_dates.signed_on, ymd(2022, 8, 22));
    assert_eq!(recycling.draft.target_start, ymd(2025, 12, 31), "serial 46022");
    assert_eq!(recycling.draft.stage, Stage::Started, "已开工");
    assert_eq!(import.skipped.totals, [4]);
}

#[test]
fn a_task_list_saved_as_gbk_csv_by_chinese_excel_imports_as_tasks() {
    let import = import_ledger(&fixture("tasks_gbk.csv"), &ImportOptions::default()).unwrap();
    assert_eq!(import.mapping.kind, LedgerKind::Tasks);
    assert!(import.projects.is_empty());
    let tasks: Vec<(u32, &str, Option<NaiveDate>, TaskProgress)> = import
        .tasks
        .iter()
        .map(|t| (t.row, t.draft.name.as_str(), t.draft.deadline, t.draft.progress))
        .collect();
    assert_eq!(
        tasks,
        [
            (2, "项目备案", ymd(2022, 8, 31), TaskProgress::Done),
            (3, "环评批复", ymd(2022, 9, 30), TaskProgress::InProgress),
            (4, "土地摘牌", ymd(2022, 10, 15), TaskProgress::NotStarted),
            (5, "施工许可", ymd(2022, 10, 31), TaskProgress::NotStarted),
        ]
    );
    let land = &import.tasks[2];
    assert_eq!(land.draft.note.as_deref(), Some("已完成土地摘牌，待办不动产权证"));
    assert_eq!(land.responsible_unit.as_deref(), Some("县自然资源局"));
    assert_eq!(land.draft.responsible_person.as_deref(), Some("钱七"));
    assert_eq!(land.project_name.as_deref(), Some("年产2万吨电池级碳酸锂项目"));
    assert_eq!(
        land.draft.duration_days, 0,
        "a deadline without a duration is a milestone"
    );
    let refused = &import.refused[0];
    assert_eq!(refused.row, 6);
    assert_eq!(refused.refusals[0].column, "D");
    assert_eq!(refused.refusals[0].value, "尽快");
    assert_eq!(refused.refusals[0].rule, Rule::NotADate);
    assert_eq!(import.skipped.blank, 1);
    let keys = import.keys();
    assert_eq!(keys[0].task.as_deref(), Some("项目备案"));
    assert_eq!(keys[0].name, "年产2万吨电池级碳酸锂项目");
}

#[test]
fn a_gbk_project_csv_with_amounts_as_text_reads_like_the_workbook() {
    let text = "项目名称,总投资（亿元）,用地面积(亩),签约时间,当前阶段\r\n\
                年产2万吨电池级碳酸锂项目,1.5,150.5,2022年8月22日,已签约\r\n\
                锂电池隔膜项目,15000万元,80,2022.8.22,签约\r\n\
                合计,,230.5,,\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(text);
    let import = import_ledger(&gbk, &ImportOptions::default()).unwrap();
    assert_eq!(import.mapping.sheet, "CSV");
    let totals: Vec<String> = import.projects.iter().map(|p| wan(p.draft.total_investment)).collect();
    assert_eq!(totals, ["15000", "15000"]);
    assert_eq!(project(&import, 2).stage_dates.signed_on, ymd(2022, 8, 22));
    assert_eq!(import.skipped.totals, [4]);
}

#[test]
fn refused_rows_come_back_as_a_workbook_with_the_original_columns_and_a_reason() {
    use calamine::{Data, Reader, Xlsx};
    let import = hengfeng();
    let bytes = write_refused_rows(&import, Lang::Zh).unwrap();
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let range = wb.worksheet_range("未导入的行").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 4, "header and three refused rows");
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header[1], "项目名称");
    assert_eq!(header[7], "投资情况/总投资（亿元）");
    assert_eq!(header.last().unwrap(), "原因");
    assert_eq!(rows[1][1].to_string(), "锂渣综合利用项目");
    assert_eq!(rows[1][7].to_string(), "很多");
    let reason = rows[1].last().unwrap().to_string();
    assert!(
        reason.starts_with("第8行 H列「投资情况/总投资（亿元）」：必须是数字；\n第8行 L列"),
        "{reason}"
    );
    // Fixed and imported again, the file is recognised with the same columns and units.
    let again = import_ledger(&bytes, &ImportOptions::default()).unwrap();
    let total = again.mapping.column_of(LedgerField::TotalInvestment).unwrap();
    assert_eq!((total.column.as_str(), total.unit), ("H", Some(MoneyUnit::Yi)));
    assert_eq!(again.refused.len() + again.projects.len(), 3);
}

#[test]
fn a_unit_line_above_the_header_and_a_unit_row_below_it_set_the_units_of_bare_amounts() {
    let csv = "2026年招商项目台账\n单位：亿元\n项目名称,总投资,本月完成投资\n,,万元\n锂电项目,1.5,300\n";
    let import = import_ledger(csv.as_bytes(), &ImportOptions::default()).unwrap();
    let m = &import.mapping;
    assert_eq!((m.header_first_row, m.header_last_row), (3, 4));
    assert_eq!(
        m.column_of(LedgerField::TotalInvestment).unwrap().unit,
        Some(MoneyUnit::Yi)
    );
    let month = m.column_of(LedgerField::MonthInvestment).unwrap();
    assert_eq!(
        (month.header.as_str(), month.unit),
        ("本月完成投资（万元）", Some(MoneyUnit::Wan))
    );
    let p = project(&import, 5);
    assert_eq!(wan(p.draft.total_investment), "15000");
    assert_eq!(wan(p.progress.month_investment), "300");
    assert!(import.refused.is_empty());
}
