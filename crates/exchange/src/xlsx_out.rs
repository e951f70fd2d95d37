//! Any list of chainforce as an .xlsx a county office can print and sum: a title row naming the
//! filters in force, a frozen header, typed columns (money in 万元 with its decimals, dates,
//! percentages) and widths that fit Chinese text.

use crate::ledger::column_letter;
use chainforce_domain::Amount;
use chrono::NaiveDate;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// The type of a column, which decides its number format and alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Integer,
    /// Money in 万元, shown with this many decimals (clamped to 2–4).
    Money {
        decimals: u8,
    },
    Date,
    /// A ratio shown as a percentage (0.5 → 50.0%).
    Percentage,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportColumn {
    pub header: String,
    pub kind: ColumnType,
}

impl ExportColumn {
    pub fn new(header: impl Into<String>, kind: ColumnType) -> Self {
        ExportColumn {
            header: header.into(),
            kind,
        }
    }
}

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportValue {
    Empty,
    Text(String),
    Integer(i64),
    Money(Amount),
    Date(NaiveDate),
    /// A ratio: 0.5 is shown as 50.0%.
    Ratio(f64),
}

impl From<Option<Amount>> for ExportValue {
    fn from(v: Option<Amount>) -> Self {
        v.map_or(ExportValue::Empty, ExportValue::Money)
    }
}

impl From<Option<NaiveDate>> for ExportValue {
    fn from(v: Option<NaiveDate>) -> Self {
        v.map_or(ExportValue::Empty, ExportValue::Date)
    }
}

impl From<Option<String>> for ExportValue {
    fn from(v: Option<String>) -> Self {
        v.map_or(ExportValue::Empty, ExportValue::Text)
    }
}

impl From<&str> for ExportValue {
    fn from(v: &str) -> Self {
        ExportValue::Text(v.to_string())
    }
}

/// A list page as a table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableExport {
    /// Sheet name; characters Excel forbids are replaced and it is cut to 31 characters.
    pub sheet_name: String,
    /// A title such as "重点项目清单"; with `filters`, written in a row above the header.
    pub title: Option<String>,
    /// The filters in force as (label, value): ("乡镇", "岑阳镇"), ("阶段", "开工").
    pub filters: Vec<(String, String)>,
    pub columns: Vec<ExportColumn>,
    pub rows: Vec<Vec<ExportValue>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{rows} rows do not fit in one worksheet (at most {max})")]
    TooManyRows { rows: usize, max: usize },
    #[error("the table has no columns")]
    NoColumns,
    #[error("writing the workbook failed: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Rows a worksheet holds, the header and title included.
const MAX_SHEET_ROWS: usize = 1_048_576;
/// Column widths are measured on the first rows only: enough to fit, cheap on long lists.
const WIDTH_SAMPLE_ROWS: usize = 2_000;
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

impl TableExport {
    /// The title row's text: "重点项目清单（筛选：乡镇＝岑阳镇；阶段＝开工）".
    pub fn title_line(&self) -> Option<String> {
        let filters: Vec<String> = self.filters.iter().map(|(k, v)| format!("{k}＝{v}")).collect();
        match (&self.title, filters.is_empty()) {
            (None, true) => None,
            (Some(t), true) => Some(t.clone()),
            (None, false) => Some(format!("筛选：{}", filters.join("；"))),
            (Some(t), false) => Some(format!("{t}（筛选：{}）", filters.join("；"))),
        }
    }
}

/// Writes the table as an .xlsx workbook.
pub fn write_table(table: &TableExport) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    write_table_to(sheet, table, |_, _| None)?;
    Ok(workbook.save_to_buffer()?)
}

/// Writes into a worksheet; `highlight(row, column)` may give a format for a data cell (the
/// refused cells of an import). Returns the 0-based sheet row of the header.
pub(crate) fn write_table_to(
    sheet: &mut Worksheet,
    table: &TableExport,
    highlight: impl Fn(usize, usize) -> Option<Format>,
) -> Result<u32, ExportError> {
    if table.columns.is_empty() {
        return Err(ExportError::NoColumns);
    }
    let title = table.title_line();
    let header_row: u32 = if title.is_some() { 1 } else { 0 };
    let first_data = header_row as usize + 1;
    if first_data + table.rows.len() > MAX_SHEET_ROWS {
        return Err(ExportError::TooManyRows {
            rows: table.rows.len(),
            max: MAX_SHEET_ROWS - first_data,
        });
    }
    sheet.set_name(sheet_name(&table.sheet_name))?;
    let last_col = (table.columns.len() - 1) as u16;
    if let Some(t) = &title {
        let f = Format::new().set_bold().set_font_size(14);
        if last_col == 0 {
            sheet.write_string_with_format(0, 0, t, &f)?;
        } else {
            sheet.merge_range(0, 0, 0, last_col, t, &f)?;
        }
    }
    let header_format = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let formats: Vec<Format> = table.columns.iter().map(|c| column_format(c.kind)).collect();
    for (c, col) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(header_row, c as u16, &col.header, &header_format)?;
    }
    for (r, values) in table.rows.iter().enumerate() {
        let row = (first_data + r) as u32;
        for (c, value) in values.iter().enumerate().take(table.columns.len()) {
            let base = &formats[c];
            let special = highlight(r, c);
            let format = special.as_ref().unwrap_or(base);
            let col = c as u16;
            match value {
                ExportValue::Empty if special.is_some() => {
                    sheet.write_blank(row, col, format)?;
                }
                ExportValue::Empty => {}
                ExportValue::Text(s) => {
                    sheet.write_string_with_format(row, col, s, format)?;
                }
                ExportValue::Integer(i) => {
                    sheet.write_number_with_format(row, col, *i as f64, format)?;
                }
                // Excel holds numbers as doubles; a 万元 figure with four decimals is exact to
                // far below a yuan there, and the sheet's sums are for reading, not for storing.
                ExportValue::Money(a) => {
                    sheet.write_number_with_format(row, col, a.to_f64(), format)?;
                }
                ExportValue::Date(d) => {
                    sheet.write_datetime_with_format(row, col, d, format)?;
                }
                ExportValue::Ratio(x) if x.is_finite() => {
                    sheet.write_number_with_format(row, col, *x, format)?;
                }
                ExportValue::Ratio(_) => {}
            }
        }
    }
    for (c, col) in table.columns.iter().enumerate() {
        let widest = table
            .rows
            .iter()
            .take(WIDTH_SAMPLE_ROWS)
            .filter_map(|r| r.get(c))
            .map(|v| shown_width(v, col.kind))
            .max()
            .unwrap_or(0);
        // The header may wrap onto two lines, so it needs only about half its width.
        let header = crate::ledger::display_width(&col.header).div_ceil(2).max(4);
        let width = (widest.max(header) + 2).clamp(MIN_WIDTH, MAX_WIDTH);
        sheet.set_column_width(c as u16, width as f64)?;
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(header_row)
}

fn column_format(kind: ColumnType) -> Format {
    let f = Format::new().set_border(FormatBorder::Thin);
    match kind {
        ColumnType::Text => f.set_text_wrap().set_align(FormatAlign::VerticalCenter),
        ColumnType::Integer => f.set_num_format("0"),
        ColumnType::Money { decimals } => {
            let d = decimals.clamp(2, 4) as usize;
            f.set_num_format(format!("#,##0.{}", "0".repeat(d)))
        }
        ColumnType::Date => f.set_num_format("yyyy-mm-dd"),
        ColumnType::Percentage => f.set_num_format("0.0%"),
    }
}

/// How wide a value shows in its column's format.
fn shown_width(v: &ExportValue, kind: ColumnType) -> usize {
    match v {
        ExportValue::Empty => 0,
        ExportValue::Text(s) => s.lines().map(crate::ledger::display_width).max().unwrap_or(0),
        ExportValue::Integer(i) => i.to_string().len(),
        ExportValue::Money(a) => {
            let decimals = match kind {
                ColumnType::Money { decimals } => decimals.clamp(2, 4) as usize,
                _ => 4,
            };
            let int_digits = a.to_string().split('.').next().map_or(1, str::len);
            int_digits + int_digits / 3 + 1 + decimals
        }
        ExportValue::Date(_) => 10,
        ExportValue::Ratio(_) => 7,
    }
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, not empty.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim().to_string();
    if cleaned.is_empty() { "Sheet1".into() } else { cleaned }
}

/// `A1`-style reference of a 0-based cell, for messages and tests.
pub fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", column_letter(col), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_row_says_which_filters_made_the_list() {
        let t = TableExport {
            title: Some("重点项目清单".into()),
            filters: vec![("乡镇".into(), "岑阳镇".into()), ("阶段".into(), "开工".into())],
            ..Default::default()
        };
        assert_eq!(
            t.title_line().unwrap(),
            "重点项目清单（筛选：乡镇＝岑阳镇；阶段＝开工）"
        );
        assert_eq!(TableExport::default().title_line(), None);
    }

    #[test]
    fn sheet_names_excel_refuses_are_made_acceptable() {
        assert_eq!(sheet_name("项目/任务[2026]"), "项目_任务_2026_");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"锂".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn an_empty_table_cannot_be_written() {
        assert!(matches!(
            write_table(&TableExport::default()),
            Err(ExportError::NoColumns)
        ));
    }
}
