//! 企业年度数据 import (issue 7): the sheet a county's 工信/统计 office keeps for the 亩均 evaluation
//! — one row per enterprise with its land, tax, value added, revenue, energy, emissions,
//! employees, R&D, electricity — read from xlsx, xls or csv bytes.
//!
//! The file is opened and walked by the ledger reader (format told by content, the same size
//! limits, numbers as officials type them); this module finds the header by its column names,
//! reads each row, and lists every cell it cannot read with the rule it broke. Values that can be
//! read but cannot be true (negative land, tax on zero land) are *not* refused here: they are kept
//! so the evaluation shows the firm as T with the reason, and [`AnnualRow::impossible`] lists them
//! for the import page.
//!
//! **Architecture invariant**: bytes in, values out. Matching rows to enterprises is storage's.

use crate::ledger::cell::Cell;
use crate::ledger::source::{RowVisitor, Workbook};
use crate::ledger::text::{clean, header_key, strip_brackets};
use crate::ledger::values::{decimal, integer, money_wan};
use crate::ledger::{ImportError, Limits, column_letter};
use chainforce_domain::Amount;
use chainforce_domain::amount::MoneyUnit;
use chainforce_domain::labelled_enum;
use chainforce_domain::permu::input::impossible_values;
use chainforce_domain::permu::{EnterpriseYear, Exemption, SizeGroup};
use chainforce_domain::validation::{FieldError, Lang, Rule};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;

labelled_enum! {
    /// A column of the annual sheet. The code is the field name errors report.
    pub enum AnnualField {
        Name = ("name", "企业名称", "Enterprise"),
        CreditCode = ("credit_code", "统一社会信用代码", "Credit code"),
        Year = ("year", "年度", "Year"),
        Group = ("group", "规模", "Size group"),
        Land = ("land_mu", "用地面积（亩）", "Land (mu)"),
        Tax = ("tax", "实缴税金（万元）", "Tax (10k yuan)"),
        ValueAdded = ("value_added", "工业增加值（万元）", "Value added (10k yuan)"),
        Revenue = ("revenue", "营业收入（万元）", "Revenue (10k yuan)"),
        Energy = ("energy_tce", "综合能耗（吨标准煤）", "Energy (tce)"),
        Emissions = ("emissions_t", "主要污染物排放量（吨）", "Emissions (t)"),
        Employees = ("employees", "年平均职工人数", "Employees"),
        RdSpending = ("rd_spending", "研发经费（万元）", "R&D spending (10k yuan)"),
        Electricity = ("electricity_kwh", "用电量（千瓦时）", "Electricity (kWh)"),
        Exemption = ("exemption", "暂不评价原因", "Not rated because"),
        Adjustments = ("adjustments", "加减分项", "Bonus and deduction items"),
    }
}

impl AnnualField {
    /// Header texts that mean this column, compared without spaces, punctuation or the
    /// bracketed unit (which [`column_scale`] reads separately).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            AnnualField::Name => &["企业名称", "单位名称", "企业", "名称", "纳税人名称"],
            AnnualField::CreditCode => &["统一社会信用代码", "社会信用代码", "信用代码", "纳税人识别号"],
            AnnualField::Year => &["年度", "年份", "评价年度"],
            AnnualField::Group => &["规模", "企业规模", "规上规下", "是否规上", "企业类型"],
            AnnualField::Land => &["用地面积", "占地面积", "土地面积", "用地", "实际用地面积"],
            AnnualField::Tax => &["实缴税金", "税收", "实缴税收", "税收总额", "税收实际贡献", "实缴税费"],
            AnnualField::ValueAdded => &["工业增加值", "增加值"],
            AnnualField::Revenue => &["营业收入", "主营业务收入", "销售收入", "营业总收入"],
            AnnualField::Energy => &["综合能耗", "能耗", "综合能源消费量", "用能"],
            AnnualField::Emissions => &["主要污染物排放量", "污染物排放量", "排放量", "排污量"],
            AnnualField::Employees => &["年平均职工人数", "职工人数", "从业人员", "从业人员平均人数", "员工人数"],
            AnnualField::RdSpending => &["研发经费", "研发经费支出", "r&d经费", "研发投入"],
            AnnualField::Electricity => &["用电量", "用电", "总用电量"],
            AnnualField::Exemption => &["暂不评价原因", "暂不评价", "不参评原因"],
            AnnualField::Adjustments => &["加减分项", "加分减分项", "加减分"],
        }
    }

    fn of_header(text: &str) -> Option<AnnualField> {
        let key = header_key(&strip_brackets(text));
        if key.is_empty() {
            return None;
        }
        AnnualField::ALL
            .iter()
            .copied()
            .find(|f| f.synonyms().iter().any(|s| header_key(s) == key))
    }
}

/// How a bare number in a column converts to the stored unit, read from the header's bracket:
/// `税收（元）`, `用电量（万千瓦时）`, `综合能耗（万吨标准煤）`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    Money(MoneyUnit),
    /// Multiply by 10 000 (a 万 unit of a quantity).
    TenThousand,
    One,
}

fn column_scale(field: AnnualField, header: &str) -> Scale {
    let h = header_key(header);
    let money = matches!(
        field,
        AnnualField::Tax | AnnualField::ValueAdded | AnnualField::Revenue | AnnualField::RdSpending
    );
    if money {
        return Scale::Money(if h.contains("亿元") {
            MoneyUnit::Yi
        } else if h.contains("万元") || !h.contains('元') {
            MoneyUnit::Wan
        } else {
            MoneyUnit::Yuan
        });
    }
    let ten_thousand = match field {
        AnnualField::Electricity => h.contains("万千瓦时") || h.contains("万kwh") || h.contains("万度"),
        AnnualField::Energy => h.contains("万吨"),
        AnnualField::Land => h.contains("万亩"),
        _ => false,
    };
    if ten_thousand { Scale::TenThousand } else { Scale::One }
}

/// One enterprise's row as read. Figures are in the stored units (万元, 亩, tce, t, kWh).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualRow {
    /// 1-based sheet row.
    pub row: u32,
    pub name: String,
    pub credit_code: Option<String>,
    pub year: Option<i32>,
    /// `None` when the sheet does not say: the enterprise's own 规上 flag decides.
    pub group: Option<SizeGroup>,
    pub land_mu: Option<Amount>,
    pub tax: Option<Amount>,
    pub value_added: Option<Amount>,
    pub revenue: Option<Amount>,
    pub energy_tce: Option<Amount>,
    pub emissions_t: Option<Amount>,
    pub employees: Option<i64>,
    pub rd_spending: Option<Amount>,
    pub electricity_kwh: Option<Amount>,
    pub exemption: Option<Exemption>,
    pub adjustments: BTreeMap<String, u32>,
}

impl AnnualRow {
    /// The figures as the evaluation reads them, for the enterprise the row was matched to.
    pub fn to_year(&self, enterprise_id: i64, group: SizeGroup) -> EnterpriseYear {
        EnterpriseYear {
            enterprise_id,
            name: self.name.clone(),
            group,
            land_mu: self.land_mu,
            tax: self.tax,
            value_added: self.value_added,
            revenue: self.revenue,
            energy_tce: self.energy_tce,
            emissions_t: self.emissions_t,
            employees: self.employees,
            rd_spending: self.rd_spending,
            electricity_kwh: self.electricity_kwh,
            exemption: self.exemption,
            adjustments: self.adjustments.clone(),
            previous_classes: Vec::new(),
        }
    }

    /// Figures that can be read but cannot be true, with the reason (the evaluation makes the
    /// firm T for them). Land is required, as every shipped method divides by it.
    pub fn impossible(&self) -> Vec<FieldError> {
        impossible_values(&self.to_year(0, self.group.unwrap_or(SizeGroup::AboveScale)), true)
    }
}

/// A cell that could not be read, with where it is and the rule it broke.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellError {
    /// `D`, as Excel shows the column.
    pub column: String,
    pub header: String,
    #[serde(flatten)]
    pub error: FieldError,
}

impl CellError {
    /// "D 列（实缴税金）：必须是数字" / "column D (税收): must be a number".
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "{} 列（{}）：{}",
                self.column,
                self.header,
                self.error.rule.message(lang)
            ),
            Lang::En => format!(
                "column {} ({}): {}",
                self.column,
                self.header,
                self.error.rule.message(lang)
            ),
        }
    }
}

/// A row that could not be read, and every reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefusedAnnualRow {
    pub row: u32,
    pub name: String,
    pub errors: Vec<CellError>,
}

/// What an annual sheet held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualImport {
    pub sheet: String,
    /// 1-based row of the header.
    pub header_row: u32,
    /// The columns recognised: (field, column letter, header text).
    pub columns: Vec<(AnnualField, String, String)>,
    pub rows: Vec<AnnualRow>,
    pub refused: Vec<RefusedAnnualRow>,
    /// 合计 / 小计 rows, skipped (1-based).
    pub skipped_totals: Vec<u32>,
}

/// Why a file is not an annual sheet at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum AnnualImportError {
    #[error(transparent)]
    File(#[from] ImportError),
    #[error("no header with an enterprise column and at least two figure columns in the first {rows_searched} rows")]
    NoHeader { rows_searched: usize },
}

impl AnnualImportError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (AnnualImportError::File(e), _) => e.message(lang),
            (AnnualImportError::NoHeader { rows_searched }, Lang::Zh) => format!(
                "在前 {rows_searched} 行中没有找到表头：需要“企业名称”列和至少两个数据列（如 用地面积、实缴税金、工业增加值）"
            ),
            (AnnualImportError::NoHeader { rows_searched }, Lang::En) => format!(
                "No header in the first {rows_searched} rows: an enterprise column and at least two figure columns (land, tax, value added …) are needed"
            ),
        }
    }
}

/// Keeps every row with a visible cell, up to the limit.
struct Rows {
    rows: Vec<(u32, Vec<Cell<'static>>)>,
    max: u32,
    overflow: bool,
}

impl RowVisitor for Rows {
    fn row(&mut self, row: u32, cells: &[Cell<'_>]) -> ControlFlow<()> {
        if cells.iter().all(Cell::is_blank) {
            return ControlFlow::Continue(());
        }
        if self.rows.len() as u32 >= self.max {
            self.overflow = true;
            return ControlFlow::Break(());
        }
        self.rows
            .push((row, cells.iter().map(|c| c.clone().into_owned()).collect()));
        ControlFlow::Continue(())
    }
}

/// A recognised column.
struct Column {
    field: AnnualField,
    index: usize,
    header: String,
    scale: Scale,
}

/// Reads an annual sheet (the first sheet with a recognisable header).
pub fn read_annual(bytes: &[u8], limits: &Limits) -> Result<AnnualImport, AnnualImportError> {
    let mut workbook = Workbook::open(bytes, limits)?;
    for sheet in workbook.sheet_names() {
        let mut rows = Rows {
            rows: Vec::new(),
            max: limits.max_rows.saturating_add(limits.header_search_rows as u32),
            overflow: false,
        };
        if workbook.visit(&sheet, limits.max_columns, &mut rows).is_err() {
            continue;
        }
        let found = rows
            .rows
            .iter()
            .take(limits.header_search_rows)
            .enumerate()
            .find_map(|(i, (_, cells))| header_columns(cells).map(|c| (i, c)));
        let Some((at, columns)) = found else { continue };
        if rows.overflow {
            return Err(ImportError::TooManyRows {
                limit: limits.max_rows,
                rows_read: rows.rows.len() as u32,
                last_row: rows.rows.last().map_or(0, |r| r.0 + 1),
            }
            .into());
        }
        return Ok(read_rows(sheet, &rows.rows, at, columns));
    }
    Err(AnnualImportError::NoHeader {
        rows_searched: limits.header_search_rows,
    })
}

/// The recognised columns of a header row: it must name the enterprise and at least two figures.
fn header_columns(cells: &[Cell<'_>]) -> Option<Vec<Column>> {
    let mut columns: Vec<Column> = Vec::new();
    for (index, cell) in cells.iter().enumerate() {
        let Cell::Text(text) = cell else { continue };
        let Some(field) = AnnualField::of_header(text) else {
            continue;
        };
        if columns.iter().any(|c| c.field == field) {
            continue;
        }
        columns.push(Column {
            field,
            index,
            header: clean(text).to_string(),
            scale: column_scale(field, text),
        });
    }
    let figures = columns
        .iter()
        .filter(|c| {
            !matches!(
                c.field,
                AnnualField::Name
                    | AnnualField::CreditCode
                    | AnnualField::Year
                    | AnnualField::Group
                    | AnnualField::Exemption
                    | AnnualField::Adjustments
            )
        })
        .count();
    let named = columns.iter().any(|c| c.field == AnnualField::Name);
    (named && figures >= 2).then_some(columns)
}

fn read_rows(
    sheet: String,
    rows: &[(u32, Vec<Cell<'static>>)],
    header_at: usize,
    columns: Vec<Column>,
) -> AnnualImport {
    let mut out = AnnualImport {
        sheet,
        header_row: rows[header_at].0 + 1,
        columns: columns
            .iter()
            .map(|c| (c.field, column_letter(c.index as u32), c.header.clone()))
            .collect(),
        rows: Vec::new(),
        refused: Vec::new(),
        skipped_totals: Vec::new(),
    };
    // The first row of each enterprise, to refuse a repeated one.
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (row0, cells) in &rows[header_at + 1..] {
        let number = row0 + 1;
        let text_of = |field| {
            columns
                .iter()
                .find(|c| c.field == field)
                .and_then(|c| cells.get(c.index))
                .map(|cell| cell.display().trim().to_string())
                .unwrap_or_default()
        };
        let name = text_of(AnnualField::Name);
        if is_total(&name) || (name.is_empty() && is_total(&first_text(cells))) {
            out.skipped_totals.push(number);
            continue;
        }
        match read_row(number, cells, &columns) {
            Ok(row) => {
                let key = row.credit_code.clone().unwrap_or_else(|| row.name.clone());
                match seen.get(&key) {
                    Some(first) => out.refused.push(RefusedAnnualRow {
                        row: number,
                        name: row.name,
                        errors: vec![CellError {
                            column: column_letter(
                                columns
                                    .iter()
                                    .find(|c| c.field == AnnualField::Name)
                                    .map_or(0, |c| c.index) as u32,
                            ),
                            header: AnnualField::Name.label(Lang::Zh).into(),
                            error: FieldError::new(
                                "name",
                                Rule::Other {
                                    zh: format!("与第 {first} 行是同一家企业"),
                                    en: format!("the same enterprise as row {first}"),
                                },
                            ),
                        }],
                    }),
                    None => {
                        seen.insert(key, number);
                        out.rows.push(row);
                    }
                }
            }
            Err(errors) => out.refused.push(RefusedAnnualRow {
                row: number,
                name,
                errors,
            }),
        }
    }
    out
}

fn first_text(cells: &[Cell<'_>]) -> String {
    cells
        .iter()
        .find(|c| !c.is_blank())
        .map(|c| c.display().to_string())
        .unwrap_or_default()
}

fn is_total(text: &str) -> bool {
    let key = header_key(text);
    ["合计", "总计", "小计", "合计数"].iter().any(|t| key == *t)
}

fn read_row(number: u32, cells: &[Cell<'_>], columns: &[Column]) -> Result<AnnualRow, Vec<CellError>> {
    let mut row = AnnualRow {
        row: number,
        name: String::new(),
        credit_code: None,
        year: None,
        group: None,
        land_mu: None,
        tax: None,
        value_added: None,
        revenue: None,
        energy_tce: None,
        emissions_t: None,
        employees: None,
        rd_spending: None,
        electricity_kwh: None,
        exemption: None,
        adjustments: BTreeMap::new(),
    };
    let mut errors = Vec::new();
    for c in columns {
        let cell = cells.get(c.index).cloned().unwrap_or_default();
        if let Err(rule) = read_cell(&mut row, c, &cell) {
            errors.push(CellError {
                column: column_letter(c.index as u32),
                header: c.header.clone(),
                error: FieldError::new(c.field.code(), rule),
            });
        }
    }
    if row.name.is_empty() && !errors.iter().any(|e| e.error.field == "name") {
        let name_col = columns
            .iter()
            .find(|c| c.field == AnnualField::Name)
            .expect("a header names it");
        errors.insert(
            0,
            CellError {
                column: column_letter(name_col.index as u32),
                header: name_col.header.clone(),
                error: FieldError::new("name", Rule::Required),
            },
        );
    }
    if errors.is_empty() { Ok(row) } else { Err(errors) }
}

fn read_cell(row: &mut AnnualRow, c: &Column, cell: &Cell<'_>) -> Result<(), Rule> {
    let text = cell.display().trim().to_string();
    match c.field {
        AnnualField::Name => row.name = text,
        AnnualField::CreditCode => row.credit_code = Some(text.to_uppercase()).filter(|t| !t.is_empty()),
        AnnualField::Year => {
            row.year = match integer(cell)? {
                None => None,
                Some(y) if (1990..=2100).contains(&y) => Some(y as i32),
                Some(_) => {
                    return Err(Rule::OutOfRange {
                        min: "1990".into(),
                        max: "2100".into(),
                    });
                }
            }
        }
        AnnualField::Group => row.group = size_group(&text)?,
        AnnualField::Exemption => row.exemption = exemption(&text)?,
        AnnualField::Adjustments => row.adjustments = adjustments(&text)?,
        AnnualField::Employees => row.employees = integer(cell)?,
        AnnualField::Tax => row.tax = figure(cell, c.scale)?,
        AnnualField::ValueAdded => row.value_added = figure(cell, c.scale)?,
        AnnualField::Revenue => row.revenue = figure(cell, c.scale)?,
        AnnualField::RdSpending => row.rd_spending = figure(cell, c.scale)?,
        AnnualField::Land => row.land_mu = figure(cell, c.scale)?,
        AnnualField::Energy => row.energy_tce = figure(cell, c.scale)?,
        AnnualField::Emissions => row.emissions_t = figure(cell, c.scale)?,
        AnnualField::Electricity => row.electricity_kwh = figure(cell, c.scale)?,
    }
    Ok(())
}

/// A figure in the column's unit, converted to the stored one. Units typed in the cell are
/// allowed (`150亩`, `1.5亿元`).
fn figure(cell: &Cell<'_>, scale: Scale) -> Result<Option<Amount>, Rule> {
    match scale {
        Scale::Money(unit) => money_wan(cell, unit),
        Scale::One => decimal(cell, ""),
        Scale::TenThousand => match decimal(cell, "")? {
            None => Ok(None),
            Some(a) => a
                .raw()
                .checked_mul(10_000)
                .map(|raw| Some(Amount::from_raw(raw)))
                .ok_or(Rule::NotANumber),
        },
    }
    .or_else(|rule| {
        // A unit typed after the number: 150亩, 3000吨, 1200万千瓦时 is not taken (ambiguous).
        let Cell::Text(t) = cell else { return Err(rule) };
        let t = clean(t);
        let stripped = ["亩", "吨标准煤", "吨", "千瓦时", "kWh", "度", "人"]
            .iter()
            .find_map(|u| t.strip_suffix(u));
        match (stripped, scale) {
            (Some(n), Scale::One) => Amount::parse_plain(n).map(Some).map_err(|_| rule),
            _ => Err(rule),
        }
    })
}

fn size_group(text: &str) -> Result<Option<SizeGroup>, Rule> {
    if text.is_empty() {
        return Ok(None);
    }
    match text {
        "规上" | "是" | "Y" | "y" | "1" => return Ok(Some(SizeGroup::AboveScale)),
        "规下" | "否" | "N" | "n" | "0" => return Ok(Some(SizeGroup::BelowScale)),
        _ => {}
    }
    SizeGroup::parse_loose(text).map(Some).ok_or(Rule::NotOneOf {
        allowed: vec!["规上".into(), "规下".into()],
    })
}

fn exemption(text: &str) -> Result<Option<Exemption>, Rule> {
    if text.is_empty() || text == "无" || text == "-" {
        return Ok(None);
    }
    let short = match text {
        "新办" | "新建" => Some(Exemption::StartUp),
        "在建" => Some(Exemption::UnderConstruction),
        "公用事业" => Some(Exemption::Utility),
        _ => Exemption::parse_loose(text),
    };
    short.map(Some).ok_or(Rule::NotOneOf {
        allowed: vec!["新办".into(), "在建".into(), "公用事业".into()],
    })
}

/// `high_tech×1；safety_incident×2` (also `*`, `:` or no count for one), separated by `;`, `,`
/// or `、` in either width.
fn adjustments(text: &str) -> Result<BTreeMap<String, u32>, Rule> {
    let mut out = BTreeMap::new();
    for item in text.split([';', '；', ',', '，', '、', '\n']) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (code, count) = match item.split_once(['×', 'x', '*', ':', '：']) {
            Some((code, n)) => (code.trim(), n.trim().parse::<u32>().map_err(|_| adjustment_rule())?),
            None => (item, 1),
        };
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(adjustment_rule());
        }
        *out.entry(code.to_string()).or_insert(0) += count;
    }
    Ok(out)
}

fn adjustment_rule() -> Rule {
    Rule::Other {
        zh: "格式应为 项目代码×次数，用分号分隔（如 high_tech×1；safety_incident×2）".into(),
        en: "write item code × count, separated by semicolons (e.g. high_tech×1; safety_incident×2)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> AnnualImport {
        read_annual(text.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn a_sheet_with_units_in_its_headers_is_read_into_stored_units() {
        let import = csv("2022年度工业企业亩均效益数据\n\
             企业名称,统一社会信用代码,规模,用地面积（亩）,实缴税金（元）,工业增加值（亿元）,用电量（万千瓦时）,年平均职工人数\n\
             示例锂业有限公司,91369999MA0000100X,规上,150.5,30000000,1.2,120,500\n\
             合计,,,150.5,30000000,1.2,120,500\n");
        assert_eq!(import.header_row, 2);
        assert_eq!(import.skipped_totals, [4]);
        let r = &import.rows[0];
        assert_eq!(r.name, "示例锂业有限公司");
        assert_eq!(r.group, Some(SizeGroup::AboveScale));
        assert_eq!(r.land_mu, Some(Amount::parse_plain("150.5").unwrap()));
        assert_eq!(r.tax, Some(Amount::from_int(3000)), "30 000 000 元 = 3000 万元");
        assert_eq!(r.value_added, Some(Amount::from_int(12000)), "1.2 亿元 = 12 000 万元");
        assert_eq!(r.electricity_kwh, Some(Amount::from_int(1_200_000)));
        assert_eq!(r.employees, Some(500));
    }

    #[test]
    fn unreadable_cells_are_listed_per_row_and_impossible_values_are_kept_with_their_reason() {
        let import = csv("企业名称,用地面积,实缴税金,职工人数,暂不评价原因\n\
             甲公司,很多,100,5.5,\n\
             乙公司,0,120,30,\n\
             丙公司,-3,10,20,新办\n\
             ,12,10,20,\n");
        let refused: Vec<(u32, Vec<&str>)> = import
            .refused
            .iter()
            .map(|r| (r.row, r.errors.iter().map(|e| e.error.field.as_str()).collect()))
            .collect();
        assert_eq!(refused, [(2, vec!["land_mu", "employees"]), (5, vec!["name"])]);
        assert_eq!(
            import.refused[0].errors[0].message(Lang::Zh),
            "B 列（用地面积）：必须是数字"
        );
        // Tax on zero land and negative land are read, and said to be impossible.
        let zero = &import.rows[0];
        assert_eq!(zero.name, "乙公司");
        let why = zero.impossible();
        assert_eq!(why[0].field, "tax");
        assert_eq!(why[0].rule.message(Lang::Zh), "用地面积为 0 亩，却有税收 120 万元");
        let negative = &import.rows[1];
        assert_eq!(negative.exemption, Some(Exemption::StartUp));
        assert_eq!(negative.impossible()[0].field, "land_mu");
    }

    #[test]
    fn the_same_enterprise_twice_is_refused_on_the_later_row() {
        let import = csv("企业名称,用地面积,实缴税金\n甲公司,10,1\n甲公司,12,2\n");
        assert_eq!(import.rows.len(), 1);
        assert_eq!(import.refused[0].row, 3);
        assert!(
            import.refused[0].errors[0]
                .message(Lang::En)
                .contains("same enterprise as row 2")
        );
    }

    #[test]
    fn bonus_items_are_read_as_counts_and_a_bad_list_names_the_format() {
        assert_eq!(
            adjustments("high_tech×1；safety_incident*2, high_tech").unwrap(),
            BTreeMap::from([("high_tech".to_string(), 2), ("safety_incident".to_string(), 1 + 1)])
        );
        assert!(adjustments("高新技术×一").is_err());
    }

    #[test]
    fn a_sheet_without_an_enterprise_column_is_not_an_annual_sheet() {
        let err = read_annual("项目名称,总投资\nx,1\n".as_bytes(), &Limits::default()).unwrap_err();
        assert!(matches!(err, AnnualImportError::NoHeader { .. }));
        assert!(err.message(Lang::Zh).contains("企业名称"));
    }
}
