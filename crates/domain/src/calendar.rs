//! 工作日历 — China's working-day calendar.
//!
//! A working day (工作日) is a Monday–Friday that is not a statutory day off (法定节假日), or a
//! make-up working day (补班, a weekend the State Council turns into a working day). Each year's
//! notice is read in the widely used JSON format
//! `{"year": 2026, "days": [{"name": "春节", "date": "2026-02-15", "isOffDay": true}, …]}`;
//! 2022–2026 are built in (`data/calendars/`), an administrator adds later years at run time, and a
//! region layers its own extra days off or working days on top ([`RegionOverrides`]).
//!
//! **Working-day ordinals.** Every question is answered in O(1) from two tables built once: for each
//! day of the covered span, how many working days come before it (a prefix count), and for each
//! working day, its date. Outside the covered span the count follows weekends only, by formula, so
//! a date in 2040 costs the same as one in 2026. The scheduler works entirely in these ordinals.
//!
//! **Known years.** Only years with a notice are *known*. Before the first and after the last (and
//! in a year with no notice), Saturdays and Sundays are the only days off; [`Calendar::is_known`]
//! and [`Calendar::unknown_years`] let a caller warn that an answer used that fallback.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

/// The notices shipped with chainforce, embedded at compile time so the binary needs no files.
const BUILT_IN_NOTICES: &[(&str, &str)] = &[
    ("2022.json", include_str!("../../../data/calendars/2022.json")),
    ("2023.json", include_str!("../../../data/calendars/2023.json")),
    ("2024.json", include_str!("../../../data/calendars/2024.json")),
    ("2025.json", include_str!("../../../data/calendars/2025.json")),
    ("2026.json", include_str!("../../../data/calendars/2026.json")),
];

/// One day named in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDay {
    /// The holiday it belongs to (春节, 国庆节 …).
    pub name: String,
    pub date: NaiveDate,
    /// `true`: a day off; `false`: a make-up working day (补班).
    pub is_off_day: bool,
}

/// One year's holiday notice (国务院办公厅关于…部分节假日安排的通知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayNotice {
    pub year: i32,
    /// May reach into the neighbouring year: the 2023 notice holds 2022-12-31.
    pub days: Vec<NoticeDay>,
}

/// Days a region (行政区划) changes on top of the national notices, e.g. a local festival.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionOverrides {
    pub extra_days_off: Vec<NaiveDate>,
    pub extra_working_days: Vec<NaiveDate>,
}

/// Why a notice or an override cannot be used. Each variant names the entry at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("holiday notice is not valid JSON: {0}")]
    NotJson(String),
    #[error("holiday notice: field \"{field}\" {problem}")]
    BadNotice { field: String, problem: String },
    /// `entry` is the position in `days` counted from 1, `name` what the entry calls itself.
    #[error("holiday notice {year}, day {entry} ({name}): {problem}")]
    BadDay {
        year: i32,
        entry: usize,
        name: String,
        problem: String,
    },
    #[error("{date} is listed both as a day off ({off}) and as a working day ({working})")]
    Conflict {
        date: NaiveDate,
        off: String,
        working: String,
    },
    #[error("holiday notice for {year} appears twice")]
    DuplicateYear { year: i32 },
}

impl HolidayNotice {
    /// Parses a notice in the JSON format above, checking every entry: a real date, a boolean
    /// `isOffDay`, a date within a year of the notice's year, a 补班 that falls on a weekend, and
    /// no date listed twice with opposite meanings.
    pub fn parse(json: &str) -> Result<HolidayNotice, CalendarError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| CalendarError::NotJson(e.to_string()))?;
        Self::from_value(&value)
    }

    /// As [`HolidayNotice::parse`], from an already parsed JSON value (an upload in an API body).
    pub fn from_value(value: &serde_json::Value) -> Result<HolidayNotice, CalendarError> {
        let bad = |field: &str, problem: &str| CalendarError::BadNotice {
            field: field.into(),
            problem: problem.into(),
        };
        let obj = value
            .as_object()
            .ok_or_else(|| bad("(top level)", "must be an object with \"year\" and \"days\""))?;
        let year = obj
            .get("year")
            .ok_or_else(|| bad("year", "is missing"))?
            .as_i64()
            .filter(|y| (1900..=9999).contains(y))
            .ok_or_else(|| bad("year", "must be a year such as 2026"))? as i32;
        let days = obj
            .get("days")
            .ok_or_else(|| bad("days", "is missing"))?
            .as_array()
            .ok_or_else(|| bad("days", "must be a list"))?;
        let mut out = Vec::with_capacity(days.len());
        let mut seen: BTreeMap<NaiveDate, (bool, String)> = BTreeMap::new();
        for (i, day) in days.iter().enumerate() {
            let name = day
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .trim()
                .to_string();
            let fail = |problem: String| CalendarError::BadDay {
                year,
                entry: i + 1,
                name: if name.is_empty() {
                    "unnamed".into()
                } else {
                    name.clone()
                },
                problem,
            };
            if !day.is_object() {
                return Err(fail("must be an object with name, date and isOffDay".into()));
            }
            if name.is_empty() {
                return Err(fail("\"name\" is missing or empty".into()));
            }
            let date_text = day
                .get("date")
                .and_then(|d| d.as_str())
                .ok_or_else(|| fail("\"date\" is missing or not text".into()))?;
            let date = NaiveDate::parse_from_str(date_text.trim(), "%Y-%m-%d")
                .map_err(|_| fail(format!("\"{date_text}\" is not a date (YYYY-MM-DD)")))?;
            if (date.year() - year).abs() > 1 {
                return Err(fail(format!("{date} is too far from the notice's year {year}")));
            }
            let is_off_day = day
                .get("isOffDay")
                .and_then(|b| b.as_bool())
                .ok_or_else(|| fail("\"isOffDay\" is missing or not true/false".into()))?;
            // A make-up day on a weekday changes nothing, so it can only be a typing error.
            if !is_off_day && !is_weekend(date) {
                return Err(fail(format!(
                    "{date} is a make-up working day (补班) but falls on a weekday"
                )));
            }
            if let Some((prev_off, prev_name)) = seen.get(&date)
                && *prev_off != is_off_day
            {
                let (off, working) = if is_off_day {
                    (name.clone(), prev_name.clone())
                } else {
                    (prev_name.clone(), name.clone())
                };
                return Err(CalendarError::Conflict { date, off, working });
            }
            seen.insert(date, (is_off_day, name.clone()));
            out.push(NoticeDay { name, date, is_off_day });
        }
        Ok(HolidayNotice { year, days: out })
    }

    /// The notices shipped with chainforce (2022–2026).
    pub fn built_in() -> Vec<HolidayNotice> {
        BUILT_IN_NOTICES
            .iter()
            .map(|(file, text)| {
                HolidayNotice::parse(text).unwrap_or_else(|e| panic!("built-in calendar {file} is broken: {e}"))
            })
            .collect()
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Collects notices and overrides, then builds a [`Calendar`]. Adding a notice for a year that is
/// already there replaces it: that is how an administrator corrects or adds a year.
#[derive(Debug, Clone, Default)]
pub struct CalendarBuilder {
    notices: BTreeMap<i32, HolidayNotice>,
    overrides: RegionOverrides,
}

impl CalendarBuilder {
    /// No notices at all: weekends only.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Starts from the built-in 2022–2026 notices.
    pub fn with_built_in() -> Self {
        let mut b = Self::default();
        for n in HolidayNotice::built_in() {
            b = b.notice(n);
        }
        b
    }

    /// Adds a notice, replacing any earlier one for the same year.
    pub fn notice(mut self, notice: HolidayNotice) -> Self {
        self.notices.insert(notice.year, notice);
        self
    }

    /// Adds several notices, refusing two for the same year among them (an upload of a file that
    /// holds the same year twice is a mistake, not a correction).
    pub fn notices(mut self, notices: impl IntoIterator<Item = HolidayNotice>) -> Result<Self, CalendarError> {
        let mut years = BTreeSet::new();
        for n in notices {
            if !years.insert(n.year) {
                return Err(CalendarError::DuplicateYear { year: n.year });
            }
            self = self.notice(n);
        }
        Ok(self)
    }

    /// Layers a region's extra days off and working days on top of the notices (added to any
    /// overrides given before).
    pub fn region(mut self, overrides: &RegionOverrides) -> Self {
        self.overrides
            .extra_days_off
            .extend(overrides.extra_days_off.iter().copied());
        self.overrides
            .extra_working_days
            .extend(overrides.extra_working_days.iter().copied());
        self
    }

    pub fn build(self) -> Result<Calendar, CalendarError> {
        // Later notices win over earlier ones for a day they both name (a notice reaching into
        // the year before is the newer word on that day).
        let mut day_kind: BTreeMap<NaiveDate, bool> = BTreeMap::new();
        for notice in self.notices.values() {
            for d in &notice.days {
                day_kind.insert(d.date, !d.is_off_day);
            }
        }
        for d in &self.overrides.extra_days_off {
            if self.overrides.extra_working_days.contains(d) {
                return Err(CalendarError::Conflict {
                    date: *d,
                    off: "region override".into(),
                    working: "region override".into(),
                });
            }
            day_kind.insert(*d, false);
        }
        for d in &self.overrides.extra_working_days {
            day_kind.insert(*d, true);
        }
        let known_years: BTreeSet<i32> = self.notices.keys().copied().collect();
        Ok(Calendar::from_exceptions(&day_kind, known_years))
    }
}

/// A built working-day calendar. Cheap to share (`Arc` it in a server); immutable once built.
#[derive(Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Day number (days from CE) of the first day of the table.
    lo: i32,
    /// `prefix[i]`: working days strictly before day `lo + i`; one longer than the span.
    prefix: Vec<u32>,
    /// `dates[k]`: day number of the `k`-th working day of the span.
    dates: Vec<i32>,
    known_years: BTreeSet<i32>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("from", &day_to_date(self.lo))
            .field("days", &(self.prefix.len() - 1))
            .field("known_years", &self.known_years)
            .finish()
    }
}

static BUILT_IN: LazyLock<Calendar> = LazyLock::new(|| {
    CalendarBuilder::with_built_in()
        .build()
        .expect("built-in calendar notices are consistent")
});

/// Weekdays strictly before day `d`, counted from 0001-01-01 (a Monday, day number 1).
fn weekdays_before(d: i32) -> i64 {
    let x = i64::from(d) - 1;
    x.div_euclid(7) * 5 + x.rem_euclid(7).min(5)
}

/// The day number of the weekday with `j` weekdays before it (the inverse of [`weekdays_before`]).
fn weekday_number(j: i64) -> i64 {
    1 + j.div_euclid(5) * 7 + j.rem_euclid(5)
}

fn date_to_day(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

fn day_to_date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).expect("day number within chrono's range")
}

impl Calendar {
    /// The built-in calendar: 2022–2026 notices, no regional overrides.
    pub fn built_in() -> &'static Calendar {
        &BUILT_IN
    }

    /// Saturdays and Sundays off, nothing else.
    pub fn weekends_only() -> Calendar {
        Calendar::from_exceptions(&BTreeMap::new(), BTreeSet::new())
    }

    /// `exceptions`: dates whose kind differs from (or restates) the weekday rule; `true` = working.
    fn from_exceptions(exceptions: &BTreeMap<NaiveDate, bool>, known_years: BTreeSet<i32>) -> Self {
        let first = exceptions
            .keys()
            .next()
            .map(|d| d.year())
            .into_iter()
            .chain(known_years.iter().copied())
            .min();
        let last = exceptions
            .keys()
            .next_back()
            .map(|d| d.year())
            .into_iter()
            .chain(known_years.iter().copied())
            .max();
        let (lo, hi) = match (first, last) {
            (Some(a), Some(b)) => (
                date_to_day(NaiveDate::from_ymd_opt(a, 1, 1).expect("valid year")),
                date_to_day(NaiveDate::from_ymd_opt(b, 12, 31).expect("valid year")),
            ),
            // An empty table anywhere works: the formula then covers every day.
            _ => (1, 0),
        };
        let span = (hi - lo + 1).max(0) as usize;
        let mut prefix = Vec::with_capacity(span + 1);
        let mut dates = Vec::with_capacity(span * 5 / 7 + 8);
        let mut count = 0u32;
        for i in 0..span {
            prefix.push(count);
            let day = lo + i as i32;
            let date = day_to_date(day);
            let working = exceptions.get(&date).copied().unwrap_or(!is_weekend(date));
            if working {
                dates.push(day);
                count += 1;
            }
        }
        prefix.push(count);
        Calendar {
            lo,
            prefix,
            dates,
            known_years,
        }
    }

    /// One past the last day of the table.
    fn hi_end(&self) -> i32 {
        self.lo + self.prefix.len() as i32 - 1
    }

    /// The working-day ordinal of a date: how many working days come before it, counted from the
    /// first day of the table (negative before it). A working day's ordinal is its index; a day
    /// off has the ordinal of the next working day.
    pub fn ordinal(&self, date: NaiveDate) -> i64 {
        let d = date_to_day(date);
        let end = self.hi_end();
        if d < self.lo {
            weekdays_before(d) - weekdays_before(self.lo)
        } else if d <= end {
            i64::from(self.prefix[(d - self.lo) as usize])
        } else {
            i64::from(self.prefix[self.prefix.len() - 1]) + weekdays_before(d) - weekdays_before(end)
        }
    }

    /// The working day with ordinal `k` (the inverse of [`Calendar::ordinal`] on working days).
    /// `None` only beyond chrono's date range (about ±262 000 years).
    pub fn date_of(&self, k: i64) -> Option<NaiveDate> {
        let total = self.dates.len() as i64;
        let day = if k < 0 {
            weekday_number(weekdays_before(self.lo) + k)
        } else if k < total {
            i64::from(self.dates[k as usize])
        } else {
            weekday_number(weekdays_before(self.hi_end()) + (k - total))
        };
        i32::try_from(day).ok().and_then(NaiveDate::from_num_days_from_ce_opt)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let next = date.succ_opt().unwrap_or(date);
        self.ordinal(next) > self.ordinal(date)
    }

    /// The date `n` working days after `date` (before it when `n` is negative), as Excel's
    /// `WORKDAY` counts: from a working day, `n = 1` is the next working day; from a day off,
    /// `n = 1` is the first working day after it and `n = -1` the last one before it. `n = 0`
    /// returns `date` itself, working or not. For a working day, adding `n` then `-n` returns it.
    ///
    /// # Panics
    /// Only if the result lies beyond chrono's date range (hundreds of thousands of years).
    pub fn add_working_days(&self, date: NaiveDate, n: i64) -> NaiveDate {
        if n == 0 {
            return date;
        }
        let k = self.ordinal(date);
        let target = if n > 0 && !self.is_working_day(date) {
            k + n - 1
        } else {
            k + n
        };
        self.date_of(target)
            .expect("working-day arithmetic stays within chrono's date range")
    }

    /// The number of working days `d` with `a <= d < b` (negative when `b < a`), so that for a
    /// working day `a`, `add_working_days(a, working_days_between(a, b)) == b` when `b` works too.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        self.ordinal(b) - self.ordinal(a)
    }

    /// Every working day from `from` to `to`, both included, in order.
    pub fn working_days(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
        let first = self.ordinal(from);
        let end = to.succ_opt().map_or(first, |t| self.ordinal(t));
        (first..end).filter_map(|k| self.date_of(k))
    }

    /// The years that have a notice.
    pub fn known_years(&self) -> &BTreeSet<i32> {
        &self.known_years
    }

    /// Whether `date` falls in a year with a notice, i.e. its answer is not the weekends-only
    /// fallback.
    pub fn is_known(&self, date: NaiveDate) -> bool {
        self.known_years.contains(&date.year())
    }

    /// The years from `from` to `to` (either order) that have no notice, so a caller can warn that
    /// they were computed with weekends only.
    pub fn unknown_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        (a.year()..=b.year())
            .filter(|y| !self.known_years.contains(y))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// DOMAIN.md §4, transcribed by hand a second time (independently of `data/calendars/`):
    /// (holiday, first day off, last day off, make-up working days).
    const NOTICES_2022_2026: &[(&str, &str, &str, &[&str])] = &[
        ("元旦", "2022-01-01", "2022-01-03", &[]),
        ("春节", "2022-01-31", "2022-02-06", &["2022-01-29", "2022-01-30"]),
        ("清明节", "2022-04-03", "2022-04-05", &["2022-04-02"]),
        ("劳动节", "2022-04-30", "2022-05-04", &["2022-04-24", "2022-05-07"]),
        ("端午节", "2022-06-03", "2022-06-05", &[]),
        ("中秋节", "2022-09-10", "2022-09-12", &[]),
        ("国庆节", "2022-10-01", "2022-10-07", &["2022-10-08", "2022-10-09"]),
        ("元旦", "2022-12-31", "2023-01-02", &[]),
        ("春节", "2023-01-21", "2023-01-27", &["2023-01-28", "2023-01-29"]),
        ("清明节", "2023-04-05", "2023-04-05", &[]),
        ("劳动节", "2023-04-29", "2023-05-03", &["2023-04-23", "2023-05-06"]),
        ("端午节", "2023-06-22", "2023-06-24", &["2023-06-25"]),
        (
            "中秋节、国庆节",
            "2023-09-29",
            "2023-10-06",
            &["2023-10-07", "2023-10-08"],
        ),
        ("元旦", "2024-01-01", "2024-01-01", &[]),
        ("春节", "2024-02-10", "2024-02-17", &["2024-02-04", "2024-02-18"]),
        ("清明节", "2024-04-04", "2024-04-06", &["2024-04-07"]),
        ("劳动节", "2024-05-01", "2024-05-05", &["2024-04-28", "2024-05-11"]),
        ("端午节", "2024-06-10", "2024-06-10", &[]),
        ("中秋节", "2024-09-15", "2024-09-17", &["2024-09-14"]),
        ("国庆节", "2024-10-01", "2024-10-07", &["2024-09-29", "2024-10-12"]),
        ("元旦", "2025-01-01", "2025-01-01", &[]),
        ("春节", "2025-01-28", "2025-02-04", &["2025-01-26", "2025-02-08"]),
        ("清明节", "2025-04-04", "2025-04-06", &[]),
        ("劳动节", "2025-05-01", "2025-05-05", &["2025-04-27"]),
        ("端午节", "2025-05-31", "2025-06-02", &[]),
        (
            "国庆节、中秋节",
            "2025-10-01",
            "2025-10-08",
            &["2025-09-28", "2025-10-11"],
        ),
        ("元旦", "2026-01-01", "2026-01-03", &["2026-01-04"]),
        ("春节", "2026-02-15", "2026-02-23", &["2026-02-14", "2026-02-28"]),
        ("清明节", "2026-04-04", "2026-04-06", &[]),
        ("劳动节", "2026-05-01", "2026-05-05", &["2026-05-09"]),
        ("端午节", "2026-06-19", "2026-06-21", &[]),
        ("国庆节", "2026-10-01", "2026-10-07", &["2026-09-20", "2026-10-10"]),
        ("中秋节", "2026-09-25", "2026-09-27", &[]),
    ];

    #[test]
    fn every_statutory_day_off_and_make_up_day_of_2022_to_2026_is_honoured() {
        let cal = Calendar::built_in();
        let mut exceptions: BTreeMap<NaiveDate, bool> = BTreeMap::new();
        for (holiday, first, last, make_up) in NOTICES_2022_2026 {
            let mut day = d(first);
            while day <= d(last) {
                assert!(!cal.is_working_day(day), "{day} ({holiday}) must be a day off");
                exceptions.insert(day, false);
                day = day.succ_opt().unwrap();
            }
            for m in *make_up {
                assert!(cal.is_working_day(d(m)), "{m} ({holiday} 补班) must be a working day");
                exceptions.insert(d(m), true);
            }
        }
        // Every other day of the five years follows the weekday rule: nothing extra slipped in.
        let mut day = d("2022-01-01");
        while day <= d("2026-12-31") {
            let expected = exceptions.get(&day).copied().unwrap_or(!is_weekend(day));
            assert_eq!(cal.is_working_day(day), expected, "{day}");
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn the_2023_notice_reaches_back_to_new_years_eve_2022() {
        let n = HolidayNotice::parse(BUILT_IN_NOTICES[1].1).unwrap();
        assert_eq!(n.year, 2023);
        assert_eq!(n.days[0].date, d("2022-12-31"));
        assert!(n.days[0].is_off_day);
    }

    #[test]
    fn a_task_starting_before_spring_festival_2026_skips_the_whole_break() {
        let cal = Calendar::built_in();
        // Fri 2026-02-13 → Sat 2026-02-14 is 补班, then nine days off until Tue 02-24.
        assert_eq!(cal.add_working_days(d("2026-02-13"), 1), d("2026-02-14"));
        assert_eq!(cal.add_working_days(d("2026-02-13"), 2), d("2026-02-24"));
        assert_eq!(cal.add_working_days(d("2026-02-24"), -2), d("2026-02-13"));
        assert_eq!(cal.working_days_between(d("2026-02-13"), d("2026-02-24")), 2);
    }

    #[test]
    fn counting_from_a_day_off_works_like_excel_workday() {
        let cal = Calendar::built_in();
        // Sat 2026-03-07 is an ordinary weekend.
        assert_eq!(cal.add_working_days(d("2026-03-07"), 1), d("2026-03-09"));
        assert_eq!(cal.add_working_days(d("2026-03-07"), -1), d("2026-03-06"));
        assert_eq!(cal.add_working_days(d("2026-03-07"), 0), d("2026-03-07"));
        // National Day 2026: from a day inside the break.
        assert_eq!(cal.add_working_days(d("2026-10-03"), 1), d("2026-10-08"));
        assert_eq!(cal.add_working_days(d("2026-10-03"), 2), d("2026-10-09"));
        assert_eq!(cal.add_working_days(d("2026-10-03"), 3), d("2026-10-10"));
    }

    #[test]
    fn the_working_days_of_may_day_week_2026_are_listed_with_the_saturday_make_up() {
        let cal = Calendar::built_in();
        let days: Vec<NaiveDate> = cal.working_days(d("2026-04-30"), d("2026-05-11")).collect();
        let expected: Vec<NaiveDate> = ["2026-04-30", "2026-05-06", "2026-05-07", "2026-05-08"]
            .iter()
            .chain(&["2026-05-09", "2026-05-11"])
            .map(|s| d(s))
            .collect();
        assert_eq!(days, expected);
    }

    #[test]
    fn far_future_and_past_dates_fall_back_to_weekends_and_say_so() {
        let cal = Calendar::built_in();
        // 2030-10-01 is a Tuesday: without a notice it is an ordinary working day.
        assert!(cal.is_working_day(d("2030-10-01")));
        assert!(!cal.is_known(d("2030-10-01")));
        assert!(cal.is_known(d("2026-10-01")));
        assert_eq!(cal.unknown_years(d("2026-12-01"), d("2028-01-05")), vec![2027, 2028]);
        assert_eq!(cal.add_working_days(d("2030-01-04"), 1), d("2030-01-07"));
        assert_eq!(cal.add_working_days(d("2019-12-30"), -1), d("2019-12-27"));
        // Across the edge of the table: Thu 2026-12-31 + 2 = Mon 2027-01-04.
        assert_eq!(cal.add_working_days(d("2026-12-31"), 2), d("2027-01-04"));
        assert_eq!(cal.add_working_days(d("2022-01-04"), -1), d("2021-12-31"));
        assert_eq!(cal.add_working_days(d("2022-01-04"), -2), d("2021-12-30"));
    }

    #[test]
    fn a_calendar_with_no_notices_counts_weekdays_anywhere() {
        let cal = Calendar::weekends_only();
        assert_eq!(cal.add_working_days(d("2026-02-13"), 1), d("2026-02-16"));
        assert_eq!(cal.working_days_between(d("2026-01-05"), d("2026-01-19")), 10);
        assert!(cal.unknown_years(d("2026-01-01"), d("2026-01-02")) == vec![2026]);
    }

    #[test]
    fn an_administrator_adds_2027_at_run_time_and_a_region_adds_a_local_day_off() {
        let notice = HolidayNotice::parse(
            r#"{"year": 2027, "days": [
                {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
                {"name": "春节", "date": "2027-02-06", "isOffDay": false}
            ]}"#,
        )
        .unwrap();
        let region = RegionOverrides {
            extra_days_off: vec![d("2026-03-03")],
            extra_working_days: vec![d("2026-03-07")],
        };
        let cal = CalendarBuilder::with_built_in()
            .notice(notice)
            .region(&region)
            .build()
            .unwrap();
        assert!(cal.is_known(d("2027-06-01")));
        assert!(!cal.is_working_day(d("2027-01-01")));
        assert!(cal.is_working_day(d("2027-02-06")));
        assert!(!cal.is_working_day(d("2026-03-03")));
        assert!(cal.is_working_day(d("2026-03-07")));
        // The built-in calendar is untouched.
        assert!(Calendar::built_in().is_working_day(d("2026-03-03")));
    }

    #[test]
    fn a_malformed_notice_names_the_entry_at_fault() {
        let e = HolidayNotice::parse(
            r#"{"year": 2027, "days": [
                {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
                {"name": "春节", "date": "2027-02-30", "isOffDay": true}
            ]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "holiday notice 2027, day 2 (春节): \"2027-02-30\" is not a date (YYYY-MM-DD)"
        );
        let e = HolidayNotice::parse(
            r#"{"year": 2027, "days": [{"name": "春节", "date": "2027-02-08", "isOffDay": "yes"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("day 1 (春节)"), "{e}");
        assert!(e.to_string().contains("isOffDay"), "{e}");
        let e = HolidayNotice::parse(
            r#"{"year": 2027, "days": [{"name": "春节", "date": "2027-02-09", "isOffDay": false}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("weekday"), "{e}");
        assert!(matches!(
            HolidayNotice::parse("{\"days\": []}").unwrap_err(),
            CalendarError::BadNotice { .. }
        ));
        assert!(matches!(
            HolidayNotice::parse("not json").unwrap_err(),
            CalendarError::NotJson(_)
        ));
        let e = HolidayNotice::parse(
            r#"{"year": 2027, "days": [
                {"name": "元旦", "date": "2027-01-02", "isOffDay": true},
                {"name": "元旦", "date": "2027-01-02", "isOffDay": false}
            ]}"#,
        )
        .unwrap_err();
        assert!(matches!(e, CalendarError::Conflict { .. }), "{e}");
    }

    #[test]
    fn ordinals_and_dates_are_inverse_across_the_whole_table_and_beyond() {
        let cal = Calendar::built_in();
        let mut day = d("2020-06-01");
        let mut expected = cal.ordinal(day);
        while day <= d("2028-06-01") {
            assert_eq!(cal.ordinal(day), expected, "{day}");
            if cal.is_working_day(day) {
                assert_eq!(cal.date_of(expected), Some(day));
                expected += 1;
            }
            day = day.succ_opt().unwrap();
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_day() -> impl Strategy<Value = NaiveDate> {
            // 2019–2029: the table, both edges and the weekends-only fallback on each side.
            (0i64..4000).prop_map(|i| d("2019-01-01") + chrono::Duration::days(i))
        }

        proptest! {
            #[test]
            fn adding_then_subtracting_working_days_returns_to_the_working_day(
                day in any_day(), n in -800i64..800
            ) {
                let cal = Calendar::built_in();
                let start = if cal.is_working_day(day) { day } else { cal.add_working_days(day, 1) };
                let there = cal.add_working_days(start, n);
                prop_assert!(n == 0 || cal.is_working_day(there));
                prop_assert_eq!(cal.add_working_days(there, -n), start);
                prop_assert_eq!(cal.working_days_between(start, there), n);
            }

            #[test]
            fn counting_between_two_days_agrees_with_walking_day_by_day(
                a in any_day(), len in 0i64..400
            ) {
                let cal = Calendar::built_in();
                let b = a + chrono::Duration::days(len);
                let walked = (0..len)
                    .filter(|i| cal.is_working_day(a + chrono::Duration::days(*i)))
                    .count() as i64;
                prop_assert_eq!(cal.working_days_between(a, b), walked);
                prop_assert_eq!(cal.working_days(a, b).count() as i64,
                    walked + i64::from(cal.is_working_day(b)));
            }
        }
    }
}
