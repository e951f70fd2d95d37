//! The periods a board covers: a week (Monday to Sunday), a month, a quarter or a year.

use crate::labelled_enum;
use crate::validation::{FieldError, Lang, Rule};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// How long a ranking period is.
    pub enum PeriodKind {
        Week = ("week", "周", "Week"),
        Month = ("month", "月", "Month"),
        Quarter = ("quarter", "季度", "Quarter"),
        Year = ("year", "年度", "Year"),
    }
}

/// A period, named by its kind and first day. Built by [`Period::containing`], or read from JSON,
/// where a start that is not the first day of its period is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "PeriodFields")]
pub struct Period {
    kind: PeriodKind,
    start: NaiveDate,
}

#[derive(Deserialize)]
struct PeriodFields {
    kind: PeriodKind,
    start: NaiveDate,
}

impl TryFrom<PeriodFields> for Period {
    type Error = FieldError;
    fn try_from(f: PeriodFields) -> Result<Period, FieldError> {
        Period::starting(f.kind, f.start)
    }
}

impl Period {
    /// The period of `kind` that holds `date`.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let start = match kind {
            PeriodKind::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            PeriodKind::Month => date.with_day(1).expect("day 1 exists"),
            PeriodKind::Quarter => {
                let month = (date.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(date.year(), month, 1).expect("a quarter's first day")
            }
            PeriodKind::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).expect("a year's first day"),
        };
        Period { kind, start }
    }

    /// The period of `kind` that starts on `start`, or the rule it breaks.
    pub fn starting(kind: PeriodKind, start: NaiveDate) -> Result<Period, FieldError> {
        let p = Period::containing(kind, start);
        if p.start == start {
            Ok(p)
        } else {
            Err(FieldError::new(
                "start",
                Rule::Other {
                    zh: format!("{} 不是该{}的第一天", start, kind.label(Lang::Zh)),
                    en: format!(
                        "{start} is not the first day of a {}",
                        kind.label(Lang::En).to_lowercase()
                    ),
                },
            ))
        }
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }

    /// The last day, inclusive.
    pub fn end(self) -> NaiveDate {
        self.next().start - Days::new(1)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end()
    }

    pub fn next(self) -> Period {
        let start = match self.kind {
            PeriodKind::Week => self.start + Days::new(7),
            PeriodKind::Month => self.start + Months::new(1),
            PeriodKind::Quarter => self.start + Months::new(3),
            PeriodKind::Year => self.start + Months::new(12),
        };
        Period { start, ..self }
    }

    pub fn previous(self) -> Period {
        let day_before = self.start - Days::new(1);
        Period::containing(self.kind, day_before)
    }

    /// "2022年第34周" / "2022-W34", "2022年8月" / "2022-08", "2022年第3季度" / "2022 Q3", "2022年" / "2022".
    pub fn label(self, lang: Lang) -> String {
        let y = self.start.year();
        match (self.kind, lang) {
            (PeriodKind::Week, _) => {
                let w = self.start.iso_week();
                match lang {
                    Lang::Zh => format!("{}年第{}周", w.year(), w.week()),
                    Lang::En => format!("{}-W{:02}", w.year(), w.week()),
                }
            }
            (PeriodKind::Month, Lang::Zh) => format!("{y}年{}月", self.start.month()),
            (PeriodKind::Month, Lang::En) => format!("{y}-{:02}", self.start.month()),
            (PeriodKind::Quarter, Lang::Zh) => format!("{y}年第{}季度", self.start.month0() / 3 + 1),
            (PeriodKind::Quarter, Lang::En) => format!("{y} Q{}", self.start.month0() / 3 + 1),
            (PeriodKind::Year, Lang::Zh) => format!("{y}年"),
            (PeriodKind::Year, Lang::En) => format!("{y}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_week_of_the_sixth_dispatch_meeting_runs_monday_to_sunday() {
        // 2022-08-22 was a Monday.
        let w = Period::containing(PeriodKind::Week, d("2022-08-24"));
        assert_eq!((w.start(), w.end()), (d("2022-08-22"), d("2022-08-28")));
        assert_eq!(w.label(Lang::Zh), "2022年第34周");
        assert_eq!(w.label(Lang::En), "2022-W34");
        assert_eq!(w.previous().start(), d("2022-08-15"));
    }

    #[test]
    fn months_quarters_and_years_end_on_their_last_day() {
        let feb = Period::containing(PeriodKind::Month, d("2024-02-10"));
        assert_eq!(feb.end(), d("2024-02-29"));
        let q = Period::containing(PeriodKind::Quarter, d("2022-08-22"));
        assert_eq!((q.start(), q.end()), (d("2022-07-01"), d("2022-09-30")));
        assert_eq!(q.label(Lang::Zh), "2022年第3季度");
        assert_eq!(q.previous().label(Lang::En), "2022 Q2");
        let y = Period::containing(PeriodKind::Year, d("2022-08-22"));
        assert!(y.contains(d("2022-12-31")) && !y.contains(d("2023-01-01")));
    }

    #[test]
    fn a_period_read_from_json_must_start_on_its_first_day() {
        let ok: Period = serde_json::from_str(r#"{"kind": "month", "start": "2022-08-01"}"#).unwrap();
        assert_eq!(ok.end(), d("2022-08-31"));
        let err = serde_json::from_str::<Period>(r#"{"kind": "month", "start": "2022-08-15"}"#).unwrap_err();
        assert!(err.to_string().contains("not the first day of a month"));
    }
}
