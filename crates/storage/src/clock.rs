//! "Today" for the whole product: the date in China (UTC+8) whatever the server's time zone, or
//! the date in `CHAINFORCE_TODAY` (YYYY-MM-DD) for demonstrations and tests that need a fixed day.
//! Schedules, statuses and the pages all ask here, so they agree on what day it is.

use chrono::{Datelike, Duration, NaiveDate};
use std::sync::LazyLock;

static FIXED: LazyLock<Option<NaiveDate>> = LazyLock::new(|| {
    std::env::var("CHAINFORCE_TODAY")
        .ok()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
});

pub fn today() -> NaiveDate {
    FIXED.unwrap_or_else(|| (chrono::Utc::now() + Duration::hours(8)).date_naive())
}

/// The Sunday ending the week of `d` (weeks run Monday to Sunday).
pub fn end_of_week(d: NaiveDate) -> NaiveDate {
    d + Duration::days(6 - d.weekday().num_days_from_monday() as i64)
}
