//! How much one import may take.

use serde::Serialize;

/// Bounds on what one import may take, so a hostile or mistaken file costs bounded memory and
/// time. Deployments set them from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Limits {
    /// The size of the uploaded file.
    pub max_file_bytes: u64,
    /// The sum of the uncompressed sizes an xlsx declares in its zip directory.
    pub max_unpacked_bytes: u64,
    /// Entries in an xlsx zip.
    pub max_zip_entries: usize,
    /// Data rows read from the sheet (blank rows do not count).
    pub max_rows: u32,
    /// Cells in the rectangles the sheets of an .xls span (the reader holds every sheet whole
    /// when it opens the file), and distinct strings an .xlsx holds (held whole too).
    pub max_sheet_cells: u64,
    /// Columns read; cells further right are ignored.
    pub max_columns: u32,
    /// Rows searched for the header.
    pub header_search_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 << 20,
            max_unpacked_bytes: 512 << 20,
            max_zip_entries: 10_000,
            max_rows: 200_000,
            max_sheet_cells: 4_000_000,
            max_columns: 256,
            header_search_rows: 30,
        }
    }
}
