//! A cell as read from any source (xlsx, xls, csv), before it means anything.

use super::text::clean;
use chrono::NaiveDateTime;
use std::borrow::Cow;

/// One cell's value as the file holds it. Text borrows from the workbook's shared strings where it
/// can, so reading a large ledger does not copy every string.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell<'a> {
    #[default]
    Empty,
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A cell Excel formats as a date or a date and time.
    DateTime(NaiveDateTime),
    /// An Excel error value such as `#N/A` or `#DIV/0!`.
    Error(String),
}

impl Cell<'_> {
    /// Empty, or text that is only spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => clean(t).is_empty(),
            _ => false,
        }
    }

    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Empty => Cell::Empty,
            Cell::Text(t) => Cell::Text(Cow::Owned(t.into_owned())),
            Cell::Int(i) => Cell::Int(i),
            Cell::Float(f) => Cell::Float(f),
            Cell::Bool(b) => Cell::Bool(b),
            Cell::DateTime(d) => Cell::DateTime(d),
            Cell::Error(e) => Cell::Error(e),
        }
    }

    /// The cell as a user reads it on screen: trimmed text, numbers without float noise, dates
    /// as `YYYY-MM-DD`.
    pub fn display(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(t) => Cow::Borrowed(clean(t)),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Float(f) => Cow::Owned(number_text(*f)),
            Cell::Bool(true) => Cow::Borrowed("TRUE"),
            Cell::Bool(false) => Cow::Borrowed("FALSE"),
            Cell::DateTime(d) if d.time() == chrono::NaiveTime::MIN => Cow::Owned(d.date().to_string()),
            Cell::DateTime(d) => Cow::Owned(d.format("%Y-%m-%d %H:%M").to_string()),
            Cell::Error(e) => Cow::Borrowed(e),
        }
    }
}

/// A float cell as decimal text. Spreadsheets store 1.1 as the nearest double; the shortest
/// representation gives it back as typed, and a value with binary noise from a formula
/// (`0.30000000000000004`) is rounded to ten decimals, which is finer than any ledger figure.
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let shortest = format!("{f}");
    let decimals = shortest.split_once('.').map_or(0, |(_, d)| d.len());
    if !shortest.contains('e') && decimals <= 10 {
        return shortest;
    }
    let rounded = format!("{f:.10}");
    rounded.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_as_they_were_typed() {
        assert_eq!(number_text(15000.0), "15000");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1e-12), "0");
        assert_eq!(Cell::Float(150.25).display(), "150.25");
    }

    #[test]
    fn blank_means_nothing_a_user_can_see() {
        assert!(Cell::Text(" \u{3000}".into()).is_blank());
        assert!(!Cell::Int(0).is_blank());
    }
}
