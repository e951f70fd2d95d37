//! The refused rows of an import, given back as a workbook the user can fix and import again:
//! the original columns, the refused cells marked, and a 原因 column.

use super::outcome::LedgerImport;
use super::text::column_index;
use crate::xlsx_out::{ColumnType, ExportColumn, ExportError, ExportValue, TableExport, write_table_to};
use chainforce_domain::validation::Lang;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
use std::collections::HashSet;

/// The header of the reason column.
const REASON_HEADER: &str = "原因";

/// Writes the refused rows with the sheet's own header (one row; a two-row header is written as
/// its "group/child" names, which the importer recognises again) and a 原因 column in `lang`.
pub fn write_refused_rows(import: &LedgerImport, lang: Lang) -> Result<Vec<u8>, ExportError> {
    // Every column with a header, in sheet order, imported or not, so nothing the user typed is
    // lost on the way back.
    let mut source: Vec<(usize, &str)> = import
        .mapping
        .columns
        .iter()
        .filter_map(|c| Some((column_index(&c.column)? as usize, c.header.as_str())))
        .collect();
    source.sort_by_key(|(i, _)| *i);
    let mut columns: Vec<ExportColumn> = source
        .iter()
        .map(|(_, h)| ExportColumn::new(*h, ColumnType::Text))
        .collect();
    let reason_header = match lang {
        Lang::Zh => REASON_HEADER,
        Lang::En => "原因 (reason)",
    };
    columns.push(ExportColumn::new(reason_header, ColumnType::Text));
    let separator = match lang {
        Lang::Zh => "；\n",
        Lang::En => ";\n",
    };
    let mut marked: HashSet<(usize, usize)> = HashSet::new();
    let rows = import
        .refused
        .iter()
        .enumerate()
        .map(|(r, refused)| {
            let letters: HashSet<&str> = refused.refusals.iter().map(|x| x.column.as_str()).collect();
            let mut values: Vec<ExportValue> = source
                .iter()
                .enumerate()
                .map(|(c, (i, _))| {
                    if letters.contains(super::text::column_letter(*i as u32).as_str()) {
                        marked.insert((r, c));
                    }
                    match refused.cells.get(*i) {
                        Some(s) if !s.is_empty() => ExportValue::Text(s.clone()),
                        _ => ExportValue::Empty,
                    }
                })
                .collect();
            let reasons: Vec<String> = refused
                .refusals
                .iter()
                .map(|x| match lang {
                    Lang::Zh => format!("第{}行 {}", x.row, x.reason(lang)),
                    Lang::En => format!("row {}: {}", x.row, x.reason(lang)),
                })
                .collect();
            values.push(ExportValue::Text(reasons.join(separator)));
            values
        })
        .collect();
    let table = TableExport {
        sheet_name: match lang {
            Lang::Zh => "未导入的行".into(),
            Lang::En => "Refused rows".into(),
        },
        title: None,
        filters: Vec::new(),
        columns,
        rows,
    };
    let refused_cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    write_table_to(sheet, &table, |r, c| {
        marked.contains(&(r, c)).then(|| refused_cell.clone())
    })?;
    Ok(workbook.save_to_buffer()?)
}
