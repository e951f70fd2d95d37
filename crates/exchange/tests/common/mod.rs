//! Helpers the test stories share: the committed fixtures, and workbooks built byte by byte for
//! the cases no office program would write (bombs, a million rows, broken XML).

#![allow(dead_code)]

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// A one-sheet xlsx whose sheet XML is written by `sheet`, stored or deflated.
pub fn xlsx_with_sheet(method: CompressionMethod, sheet: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    xlsx_with_parts(method, &[], sheet)
}

/// The same with extra parts (name, content), such as a shared string table.
pub fn xlsx_with_parts(
    method: CompressionMethod,
    extra: &[(&str, &str)],
    sheet: impl FnOnce(&mut dyn Write),
) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let small = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    {
        zip.start_file(name, small).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    let opts = SimpleFileOptions::default().compression_method(method);
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    sheet(&mut zip);
    zip.finish().unwrap().into_inner()
}

pub const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
pub const SHEET_END: &str = "</sheetData></worksheet>";

/// An inline-string cell.
pub fn text_cell(r: &str, s: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{s}</t></is></c>"#)
}

/// Rewrites the declared uncompressed size of every entry named `name`, in both the local
/// header and the central directory, as a forger would.
pub fn forge_declared_size(zip: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let mut i = 0;
    while i + 46 <= zip.len() {
        match &zip[i..i + 4] {
            // Local file header: size at 22, name length at 26, name at 30.
            b"PK\x03\x04" => {
                let n = u16::from_le_bytes([zip[i + 26], zip[i + 27]]) as usize;
                if zip.get(i + 30..i + 30 + n) == Some(name) {
                    zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
                }
            }
            // Central directory header: size at 24, name length at 28, name at 46.
            b"PK\x01\x02" => {
                let n = u16::from_le_bytes([zip[i + 28], zip[i + 29]]) as usize;
                if zip.get(i + 46..i + 46 + n) == Some(name) {
                    zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                }
            }
            _ => {}
        }
        i += 1;
    }
}
