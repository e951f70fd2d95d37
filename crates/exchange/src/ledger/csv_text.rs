//! CSV as Chinese Excel writes it: UTF-8 (with or without a BOM), GBK/GB18030 from "CSV (逗号分隔)",
//! or UTF-16 with tabs from "Unicode 文本".

use super::error::ImportError;
use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

/// Decoded CSV text and the delimiter it uses.
pub(crate) struct CsvText {
    pub text: String,
    pub delimiter: u8,
}

/// How far into a text file to look for binary bytes and the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;

pub(crate) fn decode(bytes: &[u8]) -> Result<CsvText, ImportError> {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        std::str::from_utf8(rest)
            .map_err(|_| ImportError::NotASpreadsheet)?
            .to_string()
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        strict(UTF_16LE, rest)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        strict(UTF_16BE, rest)?
    } else {
        let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
        if head.contains(&0) {
            return Err(ImportError::NotASpreadsheet);
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            // GB18030 is a superset of GBK and GB2312, which is what Excel on a Chinese Windows
            // writes.
            Err(_) => strict(GB18030, bytes)?,
        }
    };
    if looks_binary(&text) {
        return Err(ImportError::NotASpreadsheet);
    }
    let delimiter = sniff_delimiter(&text);
    Ok(CsvText { text, delimiter })
}

fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, ImportError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
        .ok_or(ImportError::NotASpreadsheet)
}

/// Control characters other than tabs and line ends do not occur in a table a person typed.
fn looks_binary(text: &str) -> bool {
    let mut seen = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(SNIFF_BYTES) {
        seen += 1;
        if c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{1A}') {
            control += 1;
        }
    }
    seen == 0 || control * 100 > seen || text.contains('\0')
}

/// The most frequent of comma, tab and semicolon in the first lines.
fn sniff_delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(30).collect::<Vec<_>>().join("\n");
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| (head.matches(*d as char).count(), *d == b','))
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gbk_csv_from_chinese_excel_decodes_to_the_same_text() {
        let (gbk, _, _) = GB18030.encode("项目名称,总投资\n锂电项目,1.5亿元\n");
        let csv = decode(&gbk).unwrap();
        assert_eq!(csv.text, "项目名称,总投资\n锂电项目,1.5亿元\n");
        assert_eq!(csv.delimiter, b',');
    }

    #[test]
    fn unicode_text_export_is_utf16_with_tabs() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "项目名称\t总投资\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let csv = decode(&bytes).unwrap();
        assert!(csv.text.starts_with("项目名称\t"));
        assert_eq!(csv.delimiter, b'\t');
    }

    #[test]
    fn binary_bytes_are_not_a_csv() {
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").err(),
            Some(ImportError::NotASpreadsheet)
        );
        assert_eq!(
            decode(&[0x81, 0x20, 0x81, 0x20]).err(),
            Some(ImportError::NotASpreadsheet)
        );
    }
}
