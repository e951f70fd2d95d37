//! Reading typed values out of rows: dates from text, amounts from integers, coded enums from
//! their codes. A stored value that does not parse is a corrupt database, reported as such.

use chainforce_domain::Amount;
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) trait RowExt {
    fn i64(&self, col: &str) -> Result<i64, sqlx::Error>;
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, sqlx::Error>;
    fn text(&self, col: &str) -> Result<String, sqlx::Error>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error>;
    fn date(&self, col: &str) -> Result<Option<NaiveDate>, sqlx::Error>;
    fn amount(&self, col: &str) -> Result<Option<Amount>, sqlx::Error>;
    fn flag(&self, col: &str) -> Result<bool, sqlx::Error>;
    fn coded<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error>;
}

fn decode_err(col: &str, what: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_string(),
        source: what.into(),
    }
}

impl RowExt for AnyRow {
    fn i64(&self, col: &str) -> Result<i64, sqlx::Error> {
        self.try_get(col)
    }
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(col)
    }
    fn text(&self, col: &str) -> Result<String, sqlx::Error> {
        self.try_get(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(col)
    }
    fn date(&self, col: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
        match self.opt_text(col)? {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| decode_err(col, format!("'{s}' is not a date"))),
        }
    }
    fn amount(&self, col: &str) -> Result<Option<Amount>, sqlx::Error> {
        Ok(self.opt_i64(col)?.map(Amount::from_raw))
    }
    fn flag(&self, col: &str) -> Result<bool, sqlx::Error> {
        Ok(self.i64(col)? != 0)
    }
    fn coded<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
        let s = self.text(col)?;
        parse(&s).ok_or_else(|| decode_err(col, format!("unknown code '{s}'")))
    }
}

pub(crate) fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

pub(crate) fn amount_raw(a: Option<Amount>) -> Option<i64> {
    a.map(Amount::raw)
}
