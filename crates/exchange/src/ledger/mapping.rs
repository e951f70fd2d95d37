//! Which column feeds which field: guessed from the header, shown to the user, corrected by them,
//! and handed back for the real import.

use super::dictionary::{ColumnDictionary, Known};
use super::field::{LedgerField, LedgerKind};
use super::header::HeaderGuess;
use super::text::{column_index, column_letter, header_key};
use chainforce_domain::amount::MoneyUnit;
use chainforce_domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The column → field map of one sheet. Serialises to JSON for the confirm page and the CLI;
/// the user may change any `field` or `unit` (or the sheet and header rows) and import again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub sheet: String,
    pub kind: LedgerKind,
    /// 1-based sheet rows of the header as Excel numbers them: one row, two under a group
    /// header, and one more for a row of units beneath.
    pub header_first_row: u32,
    pub header_last_row: u32,
    pub columns: Vec<ColumnBinding>,
}

/// One column of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnBinding {
    /// The column letter (`E`).
    pub column: String,
    /// The header text, "group/child" under a two-row group.
    pub header: String,
    /// `None`: the column is not imported.
    pub field: Option<LedgerField>,
    /// For money columns: the unit of a bare number (`总投资（亿元）` → 亿元). A cell that states
    /// its own unit (`1.5亿元`) is taken in that unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<MoneyUnit>,
}

impl ColumnMapping {
    /// The guess from a found header: each field goes to the first column that names it.
    pub(crate) fn guess(sheet: &str, header: &HeaderGuess, dict: &ColumnDictionary) -> Self {
        let mut taken: HashSet<LedgerField> = HashSet::new();
        let columns = header
            .names
            .iter()
            .enumerate()
            .filter(|(_, name)| !name.is_empty())
            .map(|(i, name)| {
                let field = match dict.recognise(header.kind, name) {
                    Some(Known::Field(f)) if taken.insert(f) => Some(f),
                    _ => None,
                };
                ColumnBinding {
                    column: column_letter(i as u32),
                    header: name.clone(),
                    field,
                    unit: field
                        .filter(|f| f.is_money())
                        .map(|_| stated_unit(name).or(header.sheet_unit).unwrap_or(MoneyUnit::Wan)),
                }
            })
            .collect();
        ColumnMapping {
            sheet: sheet.to_string(),
            kind: header.kind,
            header_first_row: header.first_row.saturating_add(1),
            header_last_row: header.last_row.saturating_add(1),
            columns,
        }
    }

    /// The column bound to a field, if any.
    pub fn column_of(&self, field: LedgerField) -> Option<&ColumnBinding> {
        self.columns.iter().find(|c| c.field == Some(field))
    }

    /// Checks a mapping the user edited: every column a real one, each field fed by one column,
    /// units on money columns only, and the name column present.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if self.header_first_row == 0
            || self.header_last_row < self.header_first_row
            || self.header_last_row > self.header_first_row.saturating_add(2)
        {
            errs.push(
                "header_last_row",
                Rule::Other {
                    zh: "表头为第 1 行起的一至三个相邻行".into(),
                    en: "the header is one to three adjacent rows, from row 1 on".into(),
                },
            );
        }
        let mut seen_columns = HashSet::new();
        let mut seen_fields = HashSet::new();
        for c in &self.columns {
            let at = format!("columns.{}", c.column);
            match column_index(&c.column) {
                None => errs.push(&at, Rule::Unknown { what: "列".into() }),
                Some(i) if !seen_columns.insert(i) => errs.push(&at, Rule::Duplicate),
                Some(_) => {}
            }
            if let Some(f) = c.field {
                if !seen_fields.insert(f) {
                    errs.push(format!("{at}.field"), Rule::Duplicate);
                }
                if c.unit.is_some() && !f.is_money() {
                    errs.push(
                        format!("{at}.unit"),
                        Rule::Other {
                            zh: "只有金额列可以设置单位".into(),
                            en: "only money columns take a unit".into(),
                        },
                    );
                }
            }
        }
        let required = match self.kind {
            LedgerKind::Projects => LedgerField::Name,
            LedgerKind::Tasks => LedgerField::TaskName,
        };
        if !seen_fields.contains(&required) {
            errs.push(required.code(), Rule::Required);
        }
        errs.into_result(|| ())
    }

    /// `(column index, field, unit)` for the columns that are imported.
    pub(crate) fn bound(&self) -> Vec<(usize, LedgerField, MoneyUnit)> {
        self.columns
            .iter()
            .filter_map(|c| {
                let f = c.field?;
                let i = column_index(&c.column)? as usize;
                Some((i, f, c.unit.unwrap_or(MoneyUnit::Wan)))
            })
            .collect()
    }
}

/// The unit a header states for bare numbers below it; 万元, the stored unit, when it says none.
pub(crate) fn unit_in_header(header: &str) -> MoneyUnit {
    stated_unit(header).unwrap_or(MoneyUnit::Wan)
}

fn stated_unit(header: &str) -> Option<MoneyUnit> {
    let k = header_key(header);
    if k.contains("亿元") || k.ends_with('亿') {
        Some(MoneyUnit::Yi)
    } else if k.contains("万元") || k.ends_with('万') {
        Some(MoneyUnit::Wan)
    } else if k.contains('元') {
        Some(MoneyUnit::Yuan)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_of_a_bare_amount_column_comes_from_its_header() {
        assert_eq!(unit_in_header("总投资（亿元）"), MoneyUnit::Yi);
        assert_eq!(unit_in_header("投资情况/其中固投(万元)"), MoneyUnit::Wan);
        assert_eq!(unit_in_header("本月完成投资（元）"), MoneyUnit::Yuan);
        assert_eq!(unit_in_header("年度计划投资"), MoneyUnit::Wan);
    }

    #[test]
    fn a_corrected_mapping_must_feed_each_field_once_and_keep_the_name() {
        let binding = |column: &str, field, unit| ColumnBinding {
            column: column.into(),
            header: String::new(),
            field,
            unit,
        };
        let mut m = ColumnMapping {
            sheet: "Sheet1".into(),
            kind: LedgerKind::Projects,
            header_first_row: 2,
            header_last_row: 3,
            columns: vec![
                binding("B", Some(LedgerField::Name), None),
                binding("C", Some(LedgerField::TotalInvestment), Some(MoneyUnit::Yi)),
            ],
        };
        assert_eq!(m.validate(), Ok(()));
        m.columns.push(binding("D", Some(LedgerField::TotalInvestment), None));
        m.columns
            .push(binding("E", Some(LedgerField::Leader), Some(MoneyUnit::Yi)));
        m.columns[0].field = None;
        let errs = m.validate().unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["columns.D.field", "columns.E.unit", "name"]);
    }
}
