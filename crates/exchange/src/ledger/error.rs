//! Why a file could not be read as a ledger at all. (A bad row is not an error of the file: it is
//! a refusal in the result.)

use chainforce_domain::ValidationErrors;
use chainforce_domain::validation::Lang;
use serde::Serialize;

/// A file the importer will not read, with what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ImportError {
    #[error("the file is {bytes} bytes; the limit is {limit}")]
    FileTooLarge { bytes: u64, limit: u64 },
    #[error("the file is empty")]
    EmptyFile,
    #[error("the file is not a spreadsheet (xlsx, xls or csv)")]
    NotASpreadsheet,
    #[error("the workbook is password-protected")]
    Encrypted,
    #[error("the file is damaged: {detail}")]
    Corrupt { detail: String },
    /// Declared sizes in the zip directory beyond the limit: a zip bomb or a workbook too big to
    /// take in one import.
    #[error("the workbook would unpack to {declared} bytes; the limit is {limit}")]
    UnpackedTooLarge { declared: u64, limit: u64 },
    /// An .xls sheet whose cells span more than the limit (calamine holds the whole rectangle),
    /// or an .xlsx announcing more distinct strings than the limit.
    #[error("the sheet spans {cells} cells; the limit is {limit}")]
    SheetTooLarge { cells: u64, limit: u64 },
    #[error("no sheet named {name}; the workbook has {available:?}")]
    SheetNotFound { name: String, available: Vec<String> },
    #[error("no header row with known column names in the first {rows_searched} rows of {sheets:?}")]
    NoHeader { sheets: Vec<String>, rows_searched: usize },
    #[error(
        "the sheet has more than {limit} rows of data; stopped after reading {rows_read} rows (up to sheet row {last_row})"
    )]
    TooManyRows { limit: u32, rows_read: u32, last_row: u32 },
    #[error("the column mapping is not usable: {0}")]
    Mapping(ValidationErrors),
}

impl ImportError {
    /// The message for the person who uploaded the file.
    pub fn message(&self, lang: Lang) -> String {
        use ImportError::*;
        match (self, lang) {
            (FileTooLarge { bytes, limit }, Lang::Zh) => {
                format!("文件大小 {} MB，超过上限 {} MB", mb(*bytes), mb(*limit))
            }
            (EmptyFile, Lang::Zh) => "文件是空的".into(),
            (NotASpreadsheet, Lang::Zh) => "这不是表格文件（支持 xlsx、xls、csv）".into(),
            (Encrypted, Lang::Zh) => "工作簿设置了打开密码，请在 Excel 中取消密码后另存再导入".into(),
            (Corrupt { detail }, Lang::Zh) => format!("文件已损坏，无法读取（{detail}）"),
            (UnpackedTooLarge { declared, limit }, Lang::Zh) => format!(
                "工作簿解压后约 {} MB，超过上限 {} MB（可能是压缩炸弹，或请拆分文件）",
                mb(*declared),
                mb(*limit)
            ),
            (SheetTooLarge { cells, limit }, Lang::Zh) => {
                format!("工作表范围达 {cells} 个单元格，超过上限 {limit}（请删除远处的空白格式或拆分文件）")
            }
            (SheetNotFound { name, available }, Lang::Zh) => {
                format!("没有名为「{name}」的工作表；现有：{}", available.join("、"))
            }
            (NoHeader { sheets, rows_searched }, Lang::Zh) => format!(
                "在工作表 {} 的前 {rows_searched} 行中没有找到表头（如 项目名称、总投资）",
                sheets.join("、")
            ),
            (
                TooManyRows {
                    limit,
                    rows_read,
                    last_row,
                },
                Lang::Zh,
            ) => format!(
                "表格超过 {limit} 行数据：已读取 {rows_read} 行（到第 {last_row} 行）后停止，请拆分文件后分批导入"
            ),
            (Mapping(errs), Lang::Zh) => {
                let parts: Vec<String> = errs
                    .0
                    .iter()
                    .map(|e| format!("{}：{}", e.field, e.rule.message(Lang::Zh)))
                    .collect();
                format!("列对应关系有误：{}", parts.join("；"))
            }
            (e, Lang::En) => {
                let mut s = e.to_string();
                if let Some(first) = s.get(..1) {
                    s.replace_range(..1, &first.to_uppercase());
                }
                s
            }
        }
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}
