//! A list page exported to .xlsx and opened again, as the office would open it in Excel.

use calamine::{Data, Reader, Xlsx};
use chainforce_domain::Amount;
use chainforce_exchange::xlsx_out::{ColumnType, ExportColumn, ExportValue, TableExport, write_table};
use chrono::NaiveDate;
use std::io::{Cursor, Read};

fn projects_table() -> TableExport {
    TableExport {
        sheet_name: "重点项目".into(),
        title: Some("重点项目清单".into()),
        filters: vec![("乡镇".into(), "岑阳镇".into())],
        columns: vec![
            ExportColumn::new("项目名称", ColumnType::Text),
            ExportColumn::new("序号", ColumnType::Integer),
            ExportColumn::new("总投资（万元）", ColumnType::Money { decimals: 2 }),
            ExportColumn::new("计划开工", ColumnType::Date),
            ExportColumn::new("资金到位率", ColumnType::Percentage),
        ],
        rows: vec![
            vec![
                "年产2万吨电池级碳酸锂项目（一期工程）".into(),
                ExportValue::Integer(1),
                ExportValue::Money(Amount::parse_plain("15000.25").unwrap()),
                ExportValue::Date(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()),
                ExportValue::Ratio(0.375),
            ],
            vec![
                "储能".into(),
                ExportValue::Integer(2),
                ExportValue::Empty,
                ExportValue::Empty,
                ExportValue::Empty,
            ],
        ],
    }
}

fn sheet_xml(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[test]
fn an_exported_list_reopens_with_its_title_header_and_typed_values() {
    let bytes = write_table(&projects_table()).unwrap();
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["重点项目"]);
    let range = wb.worksheet_range("重点项目").unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String("重点项目清单（筛选：乡镇＝岑阳镇）".into()))
    );
    assert_eq!(range.get_value((1, 2)), Some(&Data::String("总投资（万元）".into())));
    assert_eq!(range.get_value((2, 2)), Some(&Data::Float(15000.25)));
    assert_eq!(range.get_value((2, 1)), Some(&Data::Float(1.0)));
    match range.get_value((2, 3)) {
        Some(Data::DateTime(d)) => assert_eq!(
            d.as_datetime().unwrap().date(),
            NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
        ),
        other => panic!("not a date cell: {other:?}"),
    }
    assert_eq!(range.get_value((2, 4)), Some(&Data::Float(0.375)));
}

#[test]
fn the_header_stays_frozen_and_columns_carry_their_number_formats() {
    let bytes = write_table(&projects_table()).unwrap();
    let sheet = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<pane ySplit="2" topLeftCell="A3""#), "{sheet}");
    let styles = sheet_xml(&bytes, "xl/styles.xml");
    assert!(styles.contains(r##"formatCode="#,##0.00""##), "{styles}");
    assert!(
        styles.contains(r#"formatCode="yyyy\-mm\-dd""#) || styles.contains(r#"formatCode="yyyy-mm-dd""#),
        "{styles}"
    );
    assert!(
        styles.contains(r#"numFmtId="10""#) || styles.contains(r#"formatCode="0.0%""#),
        "{styles}"
    );
}

#[test]
fn columns_are_wide_enough_for_chinese_names_which_count_double() {
    let bytes = write_table(&projects_table()).unwrap();
    let sheet = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
    let widths: Vec<f64> = sheet
        .split("<col ")
        .skip(1)
        .map(|c| {
            let w = c.split("width=\"").nth(1).unwrap();
            w[..w.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    // 17 wide characters (Chinese and full-width brackets) and one digit: 35 cells plus padding.
    assert!(widths[0] >= 37.0, "{widths:?}");
    assert!(widths[1] < 10.0, "{widths:?}");
    assert!(widths[2] >= 11.0, "15,000.25 needs its digits: {widths:?}");
}

#[test]
fn without_a_title_the_header_is_the_first_row_and_is_frozen() {
    let mut t = projects_table();
    t.title = None;
    t.filters.clear();
    let bytes = write_table(&t).unwrap();
    let sheet = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2""#), "{sheet}");
}
