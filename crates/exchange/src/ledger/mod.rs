//! 台账 import (issue 5): the ledgers officials already keep, read from xlsx, xls or csv bytes
//! into checked project and task rows, with every refused cell named.
//!
//! The flow for the storage, web and CLI layers:
//!
//! 1. [`import_ledger`] with default [`ImportOptions`]: the header is found, the columns are
//!    mapped by name and synonym ([`ColumnMapping`]), every row is read and checked.
//! 2. Show [`LedgerImport::mapping`] for the user to confirm or correct (fields, units of bare
//!    amounts, sheet, header rows) and [`LedgerImport::plan`] as the dry run.
//! 3. With a corrected mapping, call [`import_ledger`] again with `options.mapping` set.
//! 4. Storage writes `projects`/`tasks` in one transaction; [`write_refused_rows`] gives the
//!    refused rows back as a workbook with a 原因 column.
//!
//! **Architecture invariant**: bytes in, values out. No files, no database, no clock.

pub(crate) mod cell;
mod csv_text;
mod dictionary;
mod error;
mod field;
mod header;
mod limits;
mod mapping;
mod ole;
mod outcome;
mod refused_out;
mod rows;
pub(crate) mod source;
pub(crate) mod text;
pub(crate) mod values;

pub use dictionary::ColumnDictionary;
pub use error::ImportError;
pub use field::{LedgerField, LedgerKind};
pub use limits::Limits;
pub use mapping::{ColumnBinding, ColumnMapping};
pub use outcome::{
    ImportPlan, LedgerImport, PlannedRow, ProgressFigures, ProjectRow, Refusal, RefusalView, RefusedRow, RowKey,
    Skipped, StageDates, TaskRow,
};
pub use refused_out::write_refused_rows;
pub(crate) use text::display_width;
pub use text::{column_index, column_letter};
pub use values::excel_serial_date;

use cell::Cell;
use header::{WindowRow, find_header};
use rows::{RowOutcome, RowReader};
use source::{RowVisitor, Workbook};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// How to read a ledger.
#[derive(Debug, Clone)]
pub struct ImportOptions<'a> {
    /// The sheet to read; `None`: the first sheet with a recognisable header.
    pub sheet: Option<String>,
    /// A mapping the user confirmed or corrected; `None`: guess it from the header.
    pub mapping: Option<ColumnMapping>,
    pub limits: Limits,
    pub dictionary: &'a ColumnDictionary,
    /// Rows to refuse with these reasons although they read well — what storage could not take
    /// (a township the county does not have) — so the refused-rows workbook holds them too,
    /// with their cells as the user typed them. Keyed by sheet row.
    pub also_refuse: Option<&'a HashMap<u32, Vec<Refusal>>>,
}

impl Default for ImportOptions<'static> {
    fn default() -> Self {
        ImportOptions {
            sheet: None,
            mapping: None,
            limits: Limits::default(),
            dictionary: ColumnDictionary::builtin(),
            also_refuse: None,
        }
    }
}

/// Reads a ledger from the bytes of an xlsx, xls or csv file (the format is told by its content,
/// not its name) and checks every row. A file that cannot be read at all is an [`ImportError`];
/// a bad row is a [`RefusedRow`] in the result.
pub fn import_ledger(bytes: &[u8], options: &ImportOptions<'_>) -> Result<LedgerImport, ImportError> {
    // The readers underneath are third-party code fed untrusted bytes. The checks before them
    // stop every failure found by fuzzing; should another one panic, the upload is refused as
    // damaged instead of taking the request down. Fuzzing builds let it panic, to be found.
    #[cfg(not(fuzzing))]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_ledger(bytes, options))).unwrap_or_else(|_| {
            Err(ImportError::Corrupt {
                detail: "the spreadsheet reader failed on this file".into(),
            })
        })
    }
    #[cfg(fuzzing)]
    read_ledger(bytes, options)
}

fn read_ledger(bytes: &[u8], options: &ImportOptions<'_>) -> Result<LedgerImport, ImportError> {
    let limits = &options.limits;
    let mut workbook = Workbook::open(bytes, limits)?;
    let sheets = workbook.sheet_names();
    let mapping = match &options.mapping {
        Some(m) => {
            m.validate().map_err(ImportError::Mapping)?;
            if !sheets.contains(&m.sheet) {
                return Err(ImportError::SheetNotFound {
                    name: m.sheet.clone(),
                    available: sheets,
                });
            }
            m.clone()
        }
        None => guess_mapping(&mut workbook, &sheets, options)?,
    };
    let mut collector = Collector {
        reader: RowReader::new(&mapping, options.dictionary),
        header_last_row: mapping.header_last_row,
        max_rows: limits.max_rows,
        rows_read: 0,
        last_row: 0,
        overflow: false,
        projects: Vec::new(),
        tasks: Vec::new(),
        refused: Vec::new(),
        skipped: Skipped::default(),
        seen: HashMap::new(),
        previous_row: None,
        also_refuse: options.also_refuse,
    };
    workbook.visit(&mapping.sheet, limits.max_columns, &mut collector)?;
    if collector.overflow {
        return Err(ImportError::TooManyRows {
            limit: limits.max_rows,
            rows_read: collector.rows_read,
            last_row: collector.last_row,
        });
    }
    let import = LedgerImport {
        mapping,
        sheets,
        projects: collector.projects,
        tasks: collector.tasks,
        refused: collector.refused,
        skipped: collector.skipped,
        rows_read: collector.rows_read,
    };
    Ok(import)
}

fn guess_mapping(
    workbook: &mut Workbook<'_>,
    sheets: &[String],
    options: &ImportOptions<'_>,
) -> Result<ColumnMapping, ImportError> {
    let candidates: Vec<&String> = match &options.sheet {
        Some(name) => vec![
            sheets
                .iter()
                .find(|s| *s == name)
                .ok_or_else(|| ImportError::SheetNotFound {
                    name: name.clone(),
                    available: sheets.to_vec(),
                })?,
        ],
        None => sheets.iter().collect(),
    };
    let rows = options.limits.header_search_rows;
    let mut first_error = None;
    for sheet in &candidates {
        let mut window = Window {
            rows: Vec::new(),
            limit: rows,
        };
        if let Err(e) = workbook.visit(sheet, options.limits.max_columns, &mut window) {
            // A chart sheet or a damaged sheet among good ones: try the next.
            first_error.get_or_insert(e);
            continue;
        }
        if let Some(h) = find_header(&window.rows, options.dictionary) {
            return Ok(ColumnMapping::guess(sheet, &h, options.dictionary));
        }
    }
    Err(first_error.unwrap_or(ImportError::NoHeader {
        sheets: candidates.into_iter().cloned().collect(),
        rows_searched: rows,
    }))
}

/// Keeps the first rows of a sheet that hold anything, for the header search.
struct Window {
    rows: Vec<WindowRow>,
    limit: usize,
}

impl RowVisitor for Window {
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> ControlFlow<()> {
        if cells.iter().any(|c| !c.is_blank()) {
            self.rows.push(WindowRow {
                row,
                cells: cells.iter().map(|c| c.clone().into_owned()).collect(),
            });
        }
        if self.rows.len() >= self.limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Reads every row below the header as it streams by.
struct Collector<'d> {
    reader: RowReader<'d>,
    /// 1-based, so it is also the 0-based index of the first data row.
    header_last_row: u32,
    max_rows: u32,
    rows_read: u32,
    last_row: u32,
    overflow: bool,
    projects: Vec<ProjectRow>,
    tasks: Vec<TaskRow>,
    refused: Vec<RefusedRow>,
    skipped: Skipped,
    /// The 1-based number of the last row seen.
    previous_row: Option<u32>,
    /// The first row of each project key.
    seen: HashMap<(LedgerField, String), u32>,
    also_refuse: Option<&'d HashMap<u32, Vec<Refusal>>>,
}

impl RowVisitor for Collector<'_> {
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> ControlFlow<()> {
        if row < self.header_last_row {
            return ControlFlow::Continue(());
        }
        let number = row.saturating_add(1);
        // Rows with no cells at all are not in the file; the gap tells they were there.
        let previous = self.previous_row.replace(number).unwrap_or(self.header_last_row);
        self.skipped.blank += number.saturating_sub(previous.saturating_add(1));
        let outcome = self.reader.read(number, cells);
        if matches!(outcome, RowOutcome::Blank) {
            self.skipped.blank += 1;
            return ControlFlow::Continue(());
        }
        if self.rows_read >= self.max_rows {
            self.overflow = true;
            return ControlFlow::Break(());
        }
        self.rows_read += 1;
        self.last_row = number;
        if let (Some(extra), RowOutcome::Project(_) | RowOutcome::Task(_)) =
            (self.also_refuse.and_then(|m| m.get(&number)), &outcome)
        {
            self.refused.push(self.reader.refused(number, cells, extra.clone()));
            return ControlFlow::Continue(());
        }
        match outcome {
            RowOutcome::Blank => {}
            RowOutcome::Total => self.skipped.totals.push(number),
            RowOutcome::Section => self.skipped.sections.push(number),
            RowOutcome::RepeatedHeader => self.skipped.repeated_headers.push(number),
            RowOutcome::Project(p) => {
                // Two rows for one project (same 项目代码, or the same name where there is no
                // code) would be written twice in one import: the later row is refused.
                let key = match &p.draft.code {
                    Some(code) => (LedgerField::Code, code.clone()),
                    None => (LedgerField::Name, p.draft.name.clone()),
                };
                match self.seen.get(&key) {
                    Some(&earlier) => {
                        let r = self.reader.repeated(number, cells, key.0, &key.1, earlier);
                        self.refused.push(r);
                    }
                    None => {
                        self.seen.insert(key, number);
                        self.projects.push(*p);
                    }
                }
            }
            RowOutcome::Task(t) => self.tasks.push(*t),
            RowOutcome::Refused(r) => self.refused.push(r),
        }
        ControlFlow::Continue(())
    }
}
