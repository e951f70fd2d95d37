//! Files the importer must refuse with a clear message, in bounded memory, without panicking.

mod common;

use chainforce_domain::validation::Lang;
use chainforce_exchange::ledger::{ImportError, ImportOptions, Limits, import_ledger};
use common::{SHEET_END, SHEET_START, fixture, forge_declared_size, text_cell, xlsx_with_parts, xlsx_with_sheet};
use std::io::Write;
use zip::CompressionMethod;

fn import(bytes: &[u8]) -> Result<chainforce_exchange::ledger::LedgerImport, ImportError> {
    import_ledger(bytes, &ImportOptions::default())
}

fn with_limits(bytes: &[u8], limits: Limits) -> Result<chainforce_exchange::ledger::LedgerImport, ImportError> {
    let options = ImportOptions {
        limits,
        ..ImportOptions::default()
    };
    import_ledger(bytes, &options)
}

/// A sheet with a header and `rows` data rows.
fn ledger_sheet(rows: u32) -> impl FnOnce(&mut dyn Write) {
    move |w: &mut dyn Write| {
        write!(
            w,
            "{SHEET_START}<row r=\"1\">{}{}</row>",
            text_cell("A1", "项目名称"),
            text_cell("B1", "总投资")
        )
        .unwrap();
        for r in 2..=rows + 1 {
            write!(w, "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>项目{r}</t></is></c><c r=\"B{r}\"><v>{r}</v></c></row>").unwrap();
        }
        w.write_all(SHEET_END.as_bytes()).unwrap();
    }
}

#[test]
fn an_empty_upload_is_reported_as_empty() {
    assert_eq!(import(b"").unwrap_err(), ImportError::EmptyFile);
}

#[test]
fn a_photo_or_a_pdf_is_not_a_spreadsheet() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
    assert_eq!(import(png).unwrap_err(), ImportError::NotASpreadsheet);
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog>>\nstream\n\x00\x01\x02";
    let err = import(pdf).unwrap_err();
    assert_eq!(err, ImportError::NotASpreadsheet);
    assert_eq!(err.message(Lang::Zh), "这不是表格文件（支持 xlsx、xls、csv）");
}

#[test]
fn a_word_document_or_any_other_zip_is_not_a_spreadsheet() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"<w:document/>").unwrap();
    let docx = zip.finish().unwrap().into_inner();
    assert_eq!(import(&docx).unwrap_err(), ImportError::NotASpreadsheet);
}

#[test]
fn a_text_file_without_a_ledger_header_says_where_it_looked() {
    let err = import("会议纪要\n各单位要高度重视，抓好落实。\n".as_bytes()).unwrap_err();
    assert!(matches!(&err, ImportError::NoHeader { rows_searched: 30, .. }));
    assert!(err.message(Lang::Zh).contains("没有找到表头"));
}

#[test]
fn a_workbook_cut_short_in_the_upload_is_damaged() {
    let whole = fixture("hengfeng_2026.xlsx");
    let err = import(&whole[..whole.len() / 2]).unwrap_err();
    assert!(matches!(err, ImportError::Corrupt { .. }), "{err:?}");
    assert!(err.message(Lang::Zh).starts_with("文件已损坏"));
}

#[test]
fn a_sheet_with_broken_xml_is_damaged_not_a_panic() {
    let bytes = xlsx_with_sheet(CompressionMethod::Deflated, |w| {
        write!(
            w,
            "{SHEET_START}<row r=\"1\">{}{}</row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>99",
            text_cell("A1", "项目名称"),
            text_cell("B1", "总投资")
        )
        .unwrap();
    });
    let err = import(&bytes).unwrap_err();
    assert!(matches!(err, ImportError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_password_protected_workbook_is_named_as_such() {
    let err = import(&fixture("encrypted.xlsx")).unwrap_err();
    assert_eq!(err, ImportError::Encrypted);
    assert!(err.message(Lang::Zh).contains("密码"));
    assert_eq!(err.message(Lang::En), "The workbook is password-protected");
}

#[test]
fn an_xls_whose_sector_chain_loops_is_damaged_not_read_forever() {
    let mut xls = fixture("hengfeng_2026.xls");
    // The directory starts at sector 9; its entry in the allocation table (held in sector 8)
    // now points back at sector 9.
    let dir_start = u32::from_le_bytes(xls[48..52].try_into().unwrap()) as usize;
    let fat_sector = u32::from_le_bytes(xls[76..80].try_into().unwrap()) as usize;
    let at = 512 + fat_sector * 512 + 4 * dir_start;
    xls[at..at + 4].copy_from_slice(&(dir_start as u32).to_le_bytes());
    let err = import(&xls).unwrap_err();
    assert_eq!(
        err,
        ImportError::Corrupt {
            detail: "a sector chain loops".into()
        }
    );
}

#[test]
fn an_xls_cut_mid_sector_is_damaged() {
    let xls = fixture("hengfeng_2026.xls");
    let err = import(&xls[..xls.len() - 100]).unwrap_err();
    assert!(matches!(err, ImportError::Corrupt { .. }), "{err:?}");
}

#[test]
fn an_xls_with_cells_at_opposite_corners_is_too_large_to_hold() {
    // A1 and IV65536: calamine would hold all 16,777,216 cells between them.
    let err = import(&fixture("sparse.xls")).unwrap_err();
    assert_eq!(
        err,
        ImportError::SheetTooLarge {
            cells: 65_536 * 256,
            limit: 4_000_000
        }
    );
    assert!(err.message(Lang::Zh).contains("16777216"));
}

#[test]
fn a_shared_string_table_announcing_more_strings_than_it_holds_is_a_lie() {
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="99999999999"><si><t>项目名称</t></si></sst>"#;
    let bytes = xlsx_with_parts(
        CompressionMethod::Deflated,
        &[("xl/sharedStrings.xml", sst)],
        ledger_sheet(2),
    );
    let err = import(&bytes).unwrap_err();
    assert!(matches!(err, ImportError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let err = with_limits(&fixture("hengfeng_2026.xlsx"), limits).unwrap_err();
    assert!(matches!(err, ImportError::FileTooLarge { limit: 1000, .. }));
}

#[test]
fn a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked() {
    // 8 MB of spaces deflate to a few kilobytes.
    let bomb = xlsx_with_sheet(CompressionMethod::Deflated, |w| {
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..8 {
            w.write_all(&chunk).unwrap();
        }
    });
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let limits = Limits {
        max_unpacked_bytes: 4 << 20,
        ..Limits::default()
    };
    let err = with_limits(&bomb, limits).unwrap_err();
    assert!(
        matches!(err, ImportError::UnpackedTooLarge { declared, limit } if declared > 8 << 20 && limit == 4 << 20),
        "{err:?}"
    );
    assert!(err.message(Lang::Zh).contains("压缩炸弹"));
}

#[test]
fn a_directory_claiming_gigabytes_is_refused_with_the_default_limit() {
    let mut bytes = xlsx_with_sheet(CompressionMethod::Deflated, ledger_sheet(3));
    forge_declared_size(&mut bytes, "xl/worksheets/sheet1.xml", 4_000_000_000);
    let err = import(&bytes).unwrap_err();
    assert!(
        matches!(err, ImportError::UnpackedTooLarge { declared, .. } if declared >= 4_000_000_000),
        "{err:?}"
    );
}

#[test]
fn a_directory_that_understates_a_size_cannot_smuggle_more_bytes_past_the_check() {
    let mut bytes = xlsx_with_sheet(CompressionMethod::Deflated, ledger_sheet(2000));
    forge_declared_size(&mut bytes, "xl/worksheets/sheet1.xml", 1000);
    let err = import(&bytes).unwrap_err();
    assert!(matches!(err, ImportError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_sheet_filled_to_the_last_excel_row_stops_at_the_row_limit_and_says_how_far_it_read() {
    // 1,048,576 rows: the header and 1,048,575 projects, stored without compression (~50 MB).
    // The limit is lowered from its default (200,000) so the story runs fast in a debug build;
    // bench/vs-pandas.sh measures the default on the same shape of sheet.
    let bytes = xlsx_with_sheet(CompressionMethod::Stored, ledger_sheet(1_048_575));
    let limits = Limits {
        max_file_bytes: 128 << 20,
        max_rows: 5_000,
        ..Limits::default()
    };
    let err = with_limits(&bytes, limits).unwrap_err();
    assert_eq!(
        err,
        ImportError::TooManyRows {
            limit: 5_000,
            rows_read: 5_000,
            last_row: 5_001
        }
    );
    assert_eq!(
        err.message(Lang::Zh),
        "表格超过 5000 行数据：已读取 5000 行（到第 5001 行）后停止，请拆分文件后分批导入"
    );
}

#[test]
fn the_default_row_limit_leaves_room_for_the_largest_ledgers_a_county_keeps() {
    // A county's project ledger runs to hundreds of rows, a benchmark ledger to 100,000.
    let limits = Limits::default();
    assert!(limits.max_rows >= 100_000 && limits.max_rows < 1_048_576);
}

#[test]
fn cells_beyond_the_column_limit_are_ignored_rather_than_allocated() {
    let bytes = xlsx_with_sheet(CompressionMethod::Deflated, |w| {
        write!(
            w,
            "{SHEET_START}<row r=\"1\">{}{}</row><row r=\"2\">{}<c r=\"B2\"><v>5</v></c><c r=\"XFD2\"><v>1</v></c></row>{SHEET_END}",
            text_cell("A1", "项目名称"),
            text_cell("B1", "总投资"),
            text_cell("A2", "锂电项目")
        )
        .unwrap();
    });
    let import = import(&bytes).unwrap();
    assert_eq!(import.projects.len(), 1);
    assert_eq!(import.projects[0].draft.total_investment.unwrap().to_string(), "5");
}

#[test]
fn every_file_level_error_speaks_chinese_and_english() {
    let errors = [
        ImportError::EmptyFile,
        ImportError::NotASpreadsheet,
        ImportError::Encrypted,
        ImportError::Corrupt { detail: "x".into() },
        ImportError::FileTooLarge {
            bytes: 2 << 20,
            limit: 1 << 20,
        },
        ImportError::UnpackedTooLarge {
            declared: 2 << 30,
            limit: 1 << 29,
        },
        ImportError::NoHeader {
            sheets: vec!["Sheet1".into()],
            rows_searched: 30,
        },
        ImportError::SheetTooLarge { cells: 9, limit: 1 },
        ImportError::TooManyRows {
            limit: 1,
            rows_read: 1,
            last_row: 2,
        },
    ];
    for e in errors {
        let zh = e.message(Lang::Zh);
        let en = e.message(Lang::En);
        assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
        assert!(en.chars().next().unwrap().is_ascii_uppercase(), "{en}");
    }
}

#[test]
fn workbooks_the_fuzzer_broke_the_reader_with_are_refused_as_damaged() {
    // An .xls one byte off a sector boundary, whose sector chain also loops: calamine read it
    // into 23 GB of memory.
    let err = import(&fixture("fuzz_ole_extra_byte.xls")).unwrap_err();
    assert!(matches!(err, ImportError::Corrupt { .. }), "{err:?}");
    // A row of numbers (MulRk) whose last column comes before its first: calamine's column
    // count underflowed.
    let err = import(&fixture("fuzz_mulrk_reversed.xls")).unwrap_err();
    assert_eq!(
        err,
        ImportError::Corrupt {
            detail: "a row of numbers ends before it starts".into()
        }
    );
}
