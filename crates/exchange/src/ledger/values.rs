//! Cell values as ledgers write them: money with units, dates in every local form, Excel serial
//! numbers. Each parser answers with the value or the [`Rule`] it broke.

use super::cell::{Cell, number_text};
use super::text::{clean, fold_width};
use chainforce_domain::amount::{AmountError, MoneyUnit, SCALE};
use chainforce_domain::{Amount, Rule};
use chrono::{Datelike, NaiveDate};

/// Dates outside these years are typing errors (`2202-08-22`), not plans.
const FIRST_YEAR: i32 = 1950;
const LAST_YEAR: i32 = 2100;

/// Money in 万元. A cell with a unit (`1.5亿元`, `15000万元`, `150000000元`) says which; a bare
/// number is in `bare_unit`, the column's unit.
pub(crate) fn money_wan(cell: &Cell<'_>, bare_unit: MoneyUnit) -> Result<Option<Amount>, Rule> {
    let shift = match bare_unit {
        MoneyUnit::Yuan => -4,
        MoneyUnit::Wan => 0,
        MoneyUnit::Yi => 4,
    };
    if let Some(a) = exact_number(cell, shift) {
        return Ok(Some(a));
    }
    let text = match cell {
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => number_text(*f),
        Cell::Text(t) => normalise_number_text(t),
        Cell::Empty => return Ok(None),
        _ => return Err(Rule::NotANumber),
    };
    if text.is_empty() {
        return Ok(None);
    }
    let body = text.trim_start_matches(['¥', '￥']).trim_start_matches("人民币");
    Amount::parse_money_wan(body, bare_unit).map(Some).map_err(amount_rule)
}

/// A plain non-negative decimal such as 亩 (`150.5`, `150.5亩`).
pub(crate) fn decimal(cell: &Cell<'_>, unit_suffix: &str) -> Result<Option<Amount>, Rule> {
    if let Some(a) = exact_number(cell, 0) {
        return Ok(Some(a));
    }
    let text = match cell {
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => number_text(*f),
        Cell::Text(t) => normalise_number_text(t),
        Cell::Empty => return Ok(None),
        _ => return Err(Rule::NotANumber),
    };
    if text.is_empty() {
        return Ok(None);
    }
    let body = text.strip_suffix(unit_suffix).unwrap_or(&text);
    Amount::parse_plain(body).map(Some).map_err(amount_rule)
}

/// A whole number (working days).
pub(crate) fn integer(cell: &Cell<'_>) -> Result<Option<i64>, Rule> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Int(i) => Ok(Some(*i)),
        Cell::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(*f as i64)),
        Cell::Text(t) => {
            let t = normalise_number_text(t);
            let t = t.trim_end_matches('天');
            if t.is_empty() {
                return Ok(None);
            }
            t.parse().map(Some).map_err(|_| Rule::NotANumber)
        }
        _ => Err(Rule::NotANumber),
    }
}

/// A number cell times 10^`shift`, when that is an [`Amount`] exactly (up to the float noise of
/// a typed decimal: 1.2 is stored as 1.19999999999999995559). Anything else takes the text path,
/// which refuses it with the precise rule. Most ledger figures are number cells, and this spares
/// formatting each one as text only to parse it back.
fn exact_number(cell: &Cell<'_>, shift: i32) -> Option<Amount> {
    let v = match cell {
        Cell::Int(i) => *i as f64,
        Cell::Float(f) => *f,
        _ => return None,
    };
    let raw = v * 10f64.powi(SCALE as i32 + shift);
    let rounded = raw.round();
    // Below 2^53 every integer is exact; the tolerance is far below one ten-thousandth of the unit.
    (rounded.abs() < 9.0e15 && (raw - rounded).abs() <= 1e-6 * rounded.abs().max(1.0))
        .then(|| Amount::from_raw(rounded as i64))
}

fn amount_rule(e: AmountError) -> Rule {
    match e {
        AmountError::NotANumber => Rule::NotANumber,
        AmountError::TooManyDecimals => Rule::TooManyDecimals { max: SCALE },
        AmountError::TooLarge => Rule::OutOfRange {
            min: "0".into(),
            max: Amount::from_raw(i64::MAX).to_string(),
        },
    }
}

/// Full-width digits folded, spaces dropped: `１５，０００ 万元` → `15,000万元`.
fn normalise_number_text(t: &str) -> String {
    clean(t)
        .chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Whether a date records an event or bounds one: `2026年6月` is the 1st of June for a signing
/// and the 30th for a deadline (计划开工, 完成时限), which must be met by the end of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateRole {
    Event,
    Deadline,
}

/// A date from a date cell, an Excel serial number, `20220822`, or text in any of the forms
/// `2022年8月22日`, `2022.8.22`, `2022/8/22`, `2022-08-22` (a time after it is ignored).
pub(crate) fn date(cell: &Cell<'_>, role: DateRole) -> Result<Option<NaiveDate>, Rule> {
    let d = match cell {
        Cell::Empty => return Ok(None),
        Cell::DateTime(dt) => Some(dt.date()),
        Cell::Int(i) => number_date(*i as f64),
        Cell::Float(f) => number_date(*f),
        Cell::Text(t) => {
            let t = clean(t);
            if t.is_empty() {
                return Ok(None);
            }
            text_date(t, role)
        }
        Cell::Bool(_) | Cell::Error(_) => None,
    };
    let d = d.ok_or(Rule::NotADate)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        return Err(Rule::OutOfRange {
            min: format!("{FIRST_YEAR}-01-01"),
            max: format!("{LAST_YEAR}-12-31"),
        });
    }
    Ok(Some(d))
}

/// A number in a date column: `20220822` as typed, or an Excel serial day number.
fn number_date(n: f64) -> Option<NaiveDate> {
    if n.fract() == 0.0 && (19_000_101.0..=29_991_231.0).contains(&n) {
        let n = n as i64;
        return NaiveDate::from_ymd_opt((n / 10_000) as i32, (n / 100 % 100) as u32, (n % 100) as u32);
    }
    excel_serial_date(n)
}

/// An Excel serial date in the 1900 date system. Excel counts 1900-02-29, a day that never was
/// (kept for Lotus 1-2-3 compatibility), so serials from 61 on are one day ahead of a plain count
/// from 1899-12-31; serial 60 is that phantom day and is refused.
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    // 9999-12-31 is the last day Excel can show.
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let epoch = match days {
        60 => return None,
        ..60 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    epoch.checked_add_signed(chrono::Duration::days(days))
}

fn text_date(t: &str, role: DateRole) -> Option<NaiveDate> {
    // A time of day after the date ("2022-08-22 10:30:00", "2022-08-22T10:30") is dropped.
    let t = match t.split_once(|c: char| c.is_whitespace() || c == 'T') {
        Some((d, time)) if time.contains(':') => d,
        _ => t,
    };
    let folded: std::borrow::Cow<'_, str> = if t.bytes().all(|b| b.is_ascii_graphic()) {
        t.into()
    } else {
        t.chars()
            .map(fold_width)
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .into()
    };
    let date_part: &str = &folded;
    let (date_part, end_of_month) = match date_part.strip_suffix("底").or_else(|| date_part.strip_suffix("末")) {
        Some(rest) => (rest, true),
        None => (date_part, false),
    };
    if date_part.chars().all(|c| c.is_ascii_digit()) {
        let n: f64 = date_part.parse().ok()?;
        return number_date(n);
    }
    let unified: String = date_part
        .chars()
        .map(|c| match c {
            '年' | '月' | '.' | '/' | '-' => '-',
            c => c,
        })
        .collect();
    let unified = unified.trim_end_matches(['日', '号', '-']);
    let mut parts = unified.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: Option<u32> = match parts.next() {
        Some(d) => Some(d.parse().ok()?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    if !(1000..=9999).contains(&year) {
        return None;
    }
    match day {
        Some(d) if !end_of_month => NaiveDate::from_ymd_opt(year, month, d),
        Some(_) => None,
        None if end_of_month || role == DateRole::Deadline => last_day_of_month(year, month),
        None => NaiveDate::from_ymd_opt(year, month, 1),
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)?
        .pred_opt()
        .filter(|d| d.month() == month)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn text(s: &str) -> Cell<'_> {
        Cell::Text(s.into())
    }

    #[test]
    fn every_way_a_ledger_writes_the_meeting_date_reads_as_2022_08_22() {
        let want = Ok(Some(ymd(2022, 8, 22)));
        for s in [
            "2022年8月22日",
            "2022.8.22",
            "2022/8/22",
            "2022-08-22",
            "2022.08.22",
            " 2022 年 8 月 22 日 ",
            "２０２２．８．２２",
            "20220822",
            "2022-08-22 10:30:00",
            "2022-08-22T00:00:00",
            "44795",
        ] {
            assert_eq!(date(&text(s), DateRole::Event), want, "{s}");
        }
        assert_eq!(date(&Cell::Int(44795), DateRole::Event), want);
        assert_eq!(date(&Cell::Float(44795.75), DateRole::Event), want);
        assert_eq!(date(&Cell::Int(20220822), DateRole::Event), want);
    }

    #[test]
    fn excel_serials_keep_the_1900_leap_year_bug() {
        assert_eq!(excel_serial_date(1.0), Some(ymd(1900, 1, 1)));
        assert_eq!(excel_serial_date(59.0), Some(ymd(1900, 2, 28)));
        assert_eq!(excel_serial_date(60.0), None, "1900-02-29 never was");
        assert_eq!(excel_serial_date(61.0), Some(ymd(1900, 3, 1)));
        assert_eq!(excel_serial_date(45658.0), Some(ymd(2025, 1, 1)));
        assert_eq!(excel_serial_date(0.0), None);
        assert_eq!(excel_serial_date(f64::NAN), None);
    }

    #[test]
    fn a_month_alone_is_its_first_day_for_events_and_its_last_for_deadlines() {
        assert_eq!(date(&text("2026年6月"), DateRole::Event), Ok(Some(ymd(2026, 6, 1))));
        assert_eq!(date(&text("2026年6月"), DateRole::Deadline), Ok(Some(ymd(2026, 6, 30))));
        assert_eq!(date(&text("2026年2月底"), DateRole::Event), Ok(Some(ymd(2026, 2, 28))));
        assert_eq!(date(&text("2024.2"), DateRole::Deadline), Ok(Some(ymd(2024, 2, 29))));
    }

    #[test]
    fn impossible_dates_are_refused_not_guessed() {
        for s in ["2022年2月30日", "2022.13.1", "明年上半年", "22.8.22", "2022年", "尽快"] {
            assert_eq!(date(&text(s), DateRole::Event), Err(Rule::NotADate), "{s}");
        }
        assert!(matches!(
            date(&text("2202-08-22"), DateRole::Event),
            Err(Rule::OutOfRange { .. })
        ));
        assert_eq!(date(&Cell::Bool(true), DateRole::Event), Err(Rule::NotADate));
    }

    #[test]
    fn money_lands_in_wan_yuan_whatever_unit_the_cell_or_column_uses() {
        let wan = |c: Cell<'_>, u| money_wan(&c, u).unwrap().unwrap().to_string();
        assert_eq!(wan(text("1.5亿元"), MoneyUnit::Wan), "15000");
        assert_eq!(wan(text("15000万元"), MoneyUnit::Yi), "15000");
        assert_eq!(wan(text("￥150,000,000元"), MoneyUnit::Wan), "15000");
        assert_eq!(wan(text("１．５ 亿"), MoneyUnit::Wan), "15000");
        assert_eq!(wan(Cell::Float(1.5), MoneyUnit::Yi), "15000");
        assert_eq!(wan(Cell::Int(15000), MoneyUnit::Wan), "15000");
        assert_eq!(wan(Cell::Float(0.1 + 0.2), MoneyUnit::Yi), "3000");
        assert_eq!(money_wan(&text("  "), MoneyUnit::Wan), Ok(None));
        assert_eq!(money_wan(&text("约1.5亿"), MoneyUnit::Wan), Err(Rule::NotANumber));
        assert_eq!(
            money_wan(&text("0.5元"), MoneyUnit::Wan),
            Err(Rule::TooManyDecimals { max: 4 })
        );
    }

    #[test]
    fn number_cells_convert_exactly_or_are_refused_like_their_text() {
        let yi = |f: f64| money_wan(&Cell::Float(f), MoneyUnit::Yi).map(|a| a.unwrap().to_string());
        assert_eq!(yi(1.2), Ok("12000".into()));
        assert_eq!(yi(0.000_000_01), Ok("0.0001".into()), "one yuan");
        assert_eq!(yi(0.000_000_001), Err(Rule::TooManyDecimals { max: 4 }));
        let yuan = money_wan(&Cell::Int(12345), MoneyUnit::Yuan).unwrap().unwrap();
        assert_eq!(yuan.to_string(), "1.2345");
        assert_eq!(
            decimal(&Cell::Float(150.25), "亩").unwrap().unwrap().to_string(),
            "150.25"
        );
    }

    #[test]
    fn land_may_carry_its_unit() {
        assert_eq!(decimal(&text("150.5亩"), "亩").unwrap().unwrap().to_string(), "150.5");
        assert_eq!(decimal(&text("一百亩"), "亩"), Err(Rule::NotANumber));
    }
}
