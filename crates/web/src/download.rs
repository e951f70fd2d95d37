//! Files the server sends for saving: spreadsheets of any list (with the filters in force),
//! and later Word minutes and calendars. One place sets the headers so every download is named
//! in Chinese correctly and never cached.

use crate::error::{AppError, AppResult};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chainforce_exchange::xlsx_out::{TableExport, write_table};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A download of `bytes` named `filename` (UTF-8, e.g. 项目清单-2026-11-29.xlsx).
pub fn attachment(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> AppResult<Response> {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::context::urlencode(filename).replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(res)
}

/// A list as an .xlsx download.
pub fn xlsx(table: &TableExport, filename: &str) -> AppResult<Response> {
    let bytes = write_table(table).map_err(|e| AppError::Internal(format!("xlsx export: {e}")))?;
    attachment(bytes, XLSX, filename)
}
