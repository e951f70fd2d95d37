//! Opening a workbook from bytes and walking a sheet's rows, whatever the format. The xlsx path
//! streams cells, so a sheet's size costs time, not memory.

use super::cell::Cell;
use super::csv_text::{self, CsvText};
use super::error::ImportError;
use super::limits::Limits;
use super::ole;
use calamine::{Data, DataRef, Reader, Xls, XlsError, Xlsx, XlsxError};
use std::borrow::Cow;
use std::io::Cursor;
use std::ops::ControlFlow;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
/// Compound File Binary (OLE2): .xls, and also an encrypted .xlsx.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Receives a sheet's rows in order; returns `Break` to stop reading.
pub(crate) trait RowVisitor {
    /// `row` is the 0-based sheet row; `cells` start at column A.
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> ControlFlow<()>;
}

pub(crate) enum Workbook<'b> {
    Xlsx(Box<Xlsx<Cursor<&'b [u8]>>>),
    Xls(Box<Xls<Cursor<&'b [u8]>>>),
    Csv(CsvText),
}

impl<'b> Workbook<'b> {
    /// Recognises the format by its first bytes (never by the file name, which users rename) and
    /// checks the limits before anything is unpacked.
    pub fn open(bytes: &'b [u8], limits: &Limits) -> Result<Workbook<'b>, ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::EmptyFile);
        }
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(ImportError::FileTooLarge {
                bytes: bytes.len() as u64,
                limit: limits.max_file_bytes,
            });
        }
        if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
            check_zip(bytes, limits)?;
            let xlsx = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
            Ok(Workbook::Xlsx(Box::new(xlsx)))
        } else if bytes.starts_with(OLE_MAGIC) {
            ole::check(bytes, limits.max_sheet_cells)?;
            match Xls::new(Cursor::new(bytes)) {
                Ok(xls) => Ok(Workbook::Xls(Box::new(xls))),
                Err(XlsError::Password) => Err(ImportError::Encrypted),
                Err(e) => {
                    // An encrypted xlsx is an OLE file holding an "EncryptedPackage" stream.
                    if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
                        return Err(ImportError::Encrypted);
                    }
                    Err(corrupt(e))
                }
            }
        } else {
            csv_text::decode(bytes).map(Workbook::Csv)
        }
    }

    pub fn sheet_names(&self) -> Vec<String> {
        match self {
            Workbook::Xlsx(x) => x.sheet_names(),
            Workbook::Xls(x) => x.sheet_names(),
            Workbook::Csv(_) => vec![CSV_SHEET.to_string()],
        }
    }

    /// Walks the rows of `sheet` that hold at least one cell.
    pub fn visit(&mut self, sheet: &str, max_columns: u32, visitor: &mut dyn RowVisitor) -> Result<(), ImportError> {
        match self {
            Workbook::Xlsx(x) => visit_xlsx(x, sheet, max_columns, visitor),
            Workbook::Xls(x) => {
                let range = x.worksheet_range(sheet).map_err(corrupt)?;
                let Some((row0, col0)) = range.start() else {
                    return Ok(());
                };
                let mut buf: Vec<Cell<'_>> = Vec::new();
                for (i, cells) in range.rows().enumerate() {
                    buf.clear();
                    buf.resize(col0.min(max_columns) as usize, Cell::Empty);
                    let room = (max_columns as usize).saturating_sub(buf.len());
                    buf.extend(cells.iter().take(room).map(from_data));
                    if visitor.row(row0.saturating_add(i as u32), &buf).is_break() {
                        break;
                    }
                }
                Ok(())
            }
            Workbook::Csv(csv) => visit_csv(csv, max_columns, visitor),
        }
    }
}

/// The one "sheet" of a CSV file.
pub(crate) const CSV_SHEET: &str = "CSV";

fn visit_xlsx(
    xlsx: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    max_columns: u32,
    visitor: &mut dyn RowVisitor,
) -> Result<(), ImportError> {
    let mut reader = xlsx.worksheet_cells_reader(sheet).map_err(xlsx_error)?;
    let mut buf: Vec<Cell<'_>> = Vec::new();
    let mut current: Option<u32> = None;
    while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(done) = current
                && visitor.row(done, &buf).is_break()
            {
                return Ok(());
            }
            buf.clear();
            current = Some(row);
        }
        if col >= max_columns {
            continue;
        }
        let col = col as usize;
        if buf.len() <= col {
            buf.resize(col + 1, Cell::Empty);
        }
        buf[col] = from_data_ref(cell.get_value());
    }
    if let Some(done) = current {
        let _ = visitor.row(done, &buf);
    }
    Ok(())
}

fn visit_csv(csv: &CsvText, max_columns: u32, visitor: &mut dyn RowVisitor) -> Result<(), ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(csv.delimiter)
        .from_reader(csv.text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut row = 0u32;
    while reader.read_record(&mut record).map_err(corrupt)? {
        let buf: Vec<Cell<'_>> = record
            .iter()
            .take(max_columns as usize)
            .map(|s| Cell::Text(Cow::Borrowed(s)))
            .collect();
        if visitor.row(row, &buf).is_break() {
            break;
        }
        row = row.saturating_add(1);
    }
    Ok(())
}

fn from_data_ref<'a>(d: &DataRef<'a>) -> Cell<'a> {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::SharedString(s) => Cell::Text(Cow::Borrowed(*s)),
        DataRef::String(s) => Cell::Text(Cow::Owned(s.clone())),
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => excel_datetime(dt),
        DataRef::DateTimeIso(s) => iso_datetime(s),
        DataRef::DurationIso(s) => Cell::Text(Cow::Owned(s.clone())),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn from_data(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(Cow::Borrowed(s)),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => excel_datetime(dt),
        Data::DateTimeIso(s) => iso_datetime(s),
        Data::DurationIso(s) => Cell::Text(Cow::Borrowed(s)),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

fn excel_datetime(dt: &calamine::ExcelDateTime) -> Cell<'static> {
    if dt.is_duration() {
        return Cell::Float(dt.as_f64());
    }
    // Excel's own range of dates (0 to 9999-12-31); calamine's conversion is not guarded beyond.
    if !(0.0..2_958_466.0).contains(&dt.as_f64()) {
        return Cell::Error(format!("#DATE({})", dt.as_f64()));
    }
    match dt.as_datetime() {
        Some(d) => Cell::DateTime(d),
        None => Cell::Error(format!("#DATE({})", dt.as_f64())),
    }
}

fn iso_datetime(s: &str) -> Cell<'static> {
    use chrono::{NaiveDate, NaiveDateTime};
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map_or_else(|| Cell::Text(Cow::Owned(s.to_string())), Cell::DateTime)
}

/// Reads the zip directory (never the compressed data) and refuses what would unpack beyond the
/// limits. The zip reader then holds every entry to its declared size, so the check cannot be
/// dodged by lying in the directory.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if archive.len() > limits.max_zip_entries {
        return Err(ImportError::Corrupt {
            detail: format!(
                "{} entries in the zip; at most {} are allowed",
                archive.len(),
                limits.max_zip_entries
            ),
        });
    }
    let mut declared: u64 = 0;
    let mut has_workbook = false;
    let mut shared_strings = None;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(corrupt)?;
        if entry.encrypted() {
            return Err(ImportError::Encrypted);
        }
        declared = declared.saturating_add(entry.size());
        let name = entry.name().unwrap_or_default().to_ascii_lowercase();
        has_workbook |= name == "xl/workbook.xml";
        if name.ends_with("sharedstrings.xml") {
            shared_strings = Some((i, entry.size()));
        }
    }
    if declared > limits.max_unpacked_bytes {
        return Err(ImportError::UnpackedTooLarge {
            declared,
            limit: limits.max_unpacked_bytes,
        });
    }
    if let Some((index, size)) = shared_strings {
        check_shared_string_count(&mut archive, index, size, limits)?;
    }
    if !has_workbook {
        // A .docx, a .zip of photos, an .xlsb or .ods: not a workbook this importer reads.
        return Err(ImportError::NotASpreadsheet);
    }
    Ok(())
}

/// calamine reserves room for as many strings as `<sst uniqueCount="…">` announces, before it
/// reads one: a forged count would ask for terabytes. Each string takes at least five bytes
/// (`<si/>`), so a count beyond a fifth of the part's size is a lie, and a true count beyond the
/// limit is more than one import takes.
fn check_shared_string_count(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    size: u64,
    limits: &Limits,
) -> Result<(), ImportError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    archive
        .by_index(index)
        .map_err(corrupt)?
        .take(4096)
        .read_to_end(&mut head)
        .map_err(corrupt)?;
    let head = String::from_utf8_lossy(&head);
    let Some(count) = head
        .split_once("uniqueCount=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|n| n.trim().parse::<u64>().ok())
    else {
        return Ok(());
    };
    if count > size / 5 {
        return Err(ImportError::Corrupt {
            detail: format!("the shared string table announces {count} strings in {size} bytes"),
        });
    }
    if count > limits.max_sheet_cells {
        return Err(ImportError::SheetTooLarge {
            cells: count,
            limit: limits.max_sheet_cells,
        });
    }
    Ok(())
}

fn xlsx_error(e: XlsxError) -> ImportError {
    match e {
        XlsxError::Password => ImportError::Encrypted,
        e => corrupt(e),
    }
}

fn corrupt(e: impl std::fmt::Display) -> ImportError {
    let mut detail = e.to_string();
    if detail.len() > 200 {
        let cut = (0..=200).rev().find(|i| detail.is_char_boundary(*i)).unwrap_or(0);
        detail.truncate(cut);
    }
    ImportError::Corrupt { detail }
}
