//! 月度填报: each month the project's enterprise or lead unit reports 本月完成投资 (investment
//! completed this month, 万元) and 形象进度 (the visible progress, a short text and optional
//! photos). The cumulative figures follow from the reports:
//!
//! - **年初至今** (year to date): the reports of the month's year up to the month;
//! - **开工至今** (since construction started): the reports from the month of 开工 up to the month
//!   (none before 开工);
//! - **累计完成**: every report up to the month;
//! - **占年计划** = 年初至今 ÷ 年度计划投资; **占总投资** = 累计完成 ÷ 总投资.

use crate::amount::Amount;
use crate::pipeline::kpi::Rate;
use crate::project::{ProjectState, Stage};
use crate::validation::{self, FieldError, Rule, ValidationErrors};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The longest 形象进度 text, in characters.
pub const PROGRESS_MAX_CHARS: usize = 500;

/// What the reporter typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MonthlyReportForm {
    /// `YYYY-MM` (or `2026年5月`).
    pub month: String,
    /// 本月完成投资, 万元 (units such as 亿元 accepted).
    pub completed_investment: String,
    /// 形象进度.
    pub image_progress: String,
}

/// A checked monthly report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyReportDraft {
    /// The first day of the month reported.
    pub month: NaiveDate,
    pub completed_investment: Amount,
    pub progress: String,
}

/// Reads a month as `YYYY-MM`, `YYYY-M`, `YYYY/MM` or `YYYY年M月`, as its first day.
pub fn parse_month(field: &str, value: &str) -> Result<NaiveDate, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    let cleaned = v.trim_end_matches('月').replace(['年', '/', '.'], "-");
    let bad = || {
        FieldError::new(
            field,
            Rule::Other {
                zh: "不是有效月份（格式 YYYY-MM）".into(),
                en: "is not a valid month (YYYY-MM)".into(),
            },
        )
    };
    let (y, m) = cleaned.split_once('-').ok_or_else(bad)?;
    let y: i32 = y.trim().parse().map_err(|_| bad())?;
    let m: u32 = m.trim().parse().map_err(|_| bad())?;
    if !(2000..=2100).contains(&y) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)
}

/// The first day of the month holding `d`.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("every month has a first day")
}

/// A month as `YYYY-MM`.
pub fn month_text(m: NaiveDate) -> String {
    m.format("%Y-%m").to_string()
}

impl MonthlyReportForm {
    /// Checks the report: a real month not after this one, an amount ≥ 0 in 万元, and the text.
    pub fn validate(&self, today: NaiveDate) -> Result<MonthlyReportDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let month = errs.check(parse_month("month", &self.month));
        if let Some(m) = month
            && m > month_of(today)
        {
            errs.push(
                "month",
                Rule::Other {
                    zh: format!("不能填报未来的月份（本月为 {}）", month_text(month_of(today))),
                    en: format!(
                        "must not be a future month (this month is {})",
                        month_text(month_of(today))
                    ),
                },
            );
        }
        let amount = errs
            .check(Amount::money_field(
                "completed_investment",
                &self.completed_investment,
                true,
            ))
            .flatten();
        let progress = errs.check(validation::required_text(
            "image_progress",
            &self.image_progress,
            PROGRESS_MAX_CHARS,
        ));
        errs.into_result(|| MonthlyReportDraft {
            month: month.unwrap_or(month_of(today)),
            completed_investment: amount.unwrap_or(Amount::ZERO),
            progress: progress.unwrap_or_default(),
        })
    }
}

impl MonthlyReportDraft {
    pub fn to_form(&self) -> MonthlyReportForm {
        MonthlyReportForm {
            month: month_text(self.month),
            completed_investment: self.completed_investment.to_string(),
            image_progress: self.progress.clone(),
        }
    }
}

/// Whether a project is expected to report every month: signed or later, and active (a paused
/// or terminated project, or one still in talks, has nothing to report).
pub fn must_report(stage: Stage, state: ProjectState) -> bool {
    stage >= Stage::Signed && state == ProjectState::Active
}

/// The cumulative figures of a project at a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cumulative {
    pub month: NaiveDate,
    /// 本月完成投资 (zero when the month has no report).
    pub this_month: Amount,
    /// 年初至今.
    pub year_to_date: Amount,
    /// 开工至今; `None` before 开工.
    pub since_start: Option<Amount>,
    /// 累计完成.
    pub to_date: Amount,
    /// 占年计划.
    pub share_of_annual_plan: Option<Rate>,
    /// 占总投资.
    pub share_of_total: Option<Rate>,
}

/// The cumulative figures at `month` from the project's reports (month → 本月完成投资).
pub fn cumulative(
    reports: &[(NaiveDate, Amount)],
    month: NaiveDate,
    started_on: Option<NaiveDate>,
    annual_plan: Option<Amount>,
    total_investment: Option<Amount>,
) -> Cumulative {
    let month = month_of(month);
    let upto = || reports.iter().filter(move |(m, _)| month_of(*m) <= month);
    let sum = |it: &mut dyn Iterator<Item = &(NaiveDate, Amount)>| it.map(|(_, a)| *a).sum::<Amount>();
    let this_month = sum(&mut upto().filter(|(m, _)| month_of(*m) == month));
    let year_to_date = sum(&mut upto().filter(|(m, _)| m.year() == month.year()));
    let since_start = started_on
        .map(month_of)
        .filter(|s| *s <= month)
        .map(|s| sum(&mut upto().filter(|(m, _)| month_of(*m) >= s)));
    let to_date = sum(&mut upto());
    let share =
        |part: Amount, whole: Option<Amount>| whole.filter(|w| w.raw() > 0).map(|w| Rate::new(part.raw(), w.raw()));
    Cumulative {
        month,
        this_month,
        year_to_date,
        since_start,
        to_date,
        share_of_annual_plan: share(year_to_date, annual_plan),
        share_of_total: share(to_date, total_investment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn wan(s: &str) -> Amount {
        Amount::parse_plain(s).unwrap()
    }

    fn form(month: &str, amount: &str, progress: &str) -> MonthlyReportForm {
        MonthlyReportForm {
            month: month.into(),
            completed_investment: amount.into(),
            image_progress: progress.into(),
        }
    }

    #[test]
    fn a_report_is_a_past_or_current_month_an_amount_and_a_text() {
        let today = d("2026-05-20");
        let table: Vec<(MonthlyReportForm, Vec<&str>)> = vec![
            (form("2026-05", "1200.5", "主体结构封顶"), vec![]),
            (form("2026年4月", "0.3亿元", "桩基完成"), vec![]),
            (form("2026-06", "100", "x"), vec!["month"]),
            (form("2026-13", "100", "x"), vec!["month"]),
            (form("", "100", "x"), vec!["month"]),
            (form("2026-05", "-1", "x"), vec!["completed_investment"]),
            (form("2026-05", "", "x"), vec!["completed_investment"]),
            (form("2026-05", "很多", "x"), vec!["completed_investment"]),
            (form("2026-05", "0", "停工待料"), vec![]),
            (form("2026-05", "1", ""), vec!["image_progress"]),
            (
                form("2026-05", "1", &"字".repeat(PROGRESS_MAX_CHARS + 1)),
                vec!["image_progress"],
            ),
            (
                form("2027-01", "-5", ""),
                vec!["month", "completed_investment", "image_progress"],
            ),
        ];
        for (f, expected) in table {
            let got = f.validate(today);
            let fields: Vec<String> = got
                .as_ref()
                .err()
                .map(|e| e.0.iter().map(|e| e.field.clone()).collect())
                .unwrap_or_default();
            assert_eq!(fields, expected, "{f:?}");
        }
        let ok = form("2026年4月", "0.3亿元", "桩基完成").validate(today).unwrap();
        assert_eq!((ok.month, ok.completed_investment), (d("2026-04-01"), wan("3000")));
        assert_eq!(ok.to_form().month, "2026-04");
    }

    #[test]
    fn cumulative_figures_follow_from_the_reports() {
        // Started 2025-11-18; reports from 2025-10 (before 开工) to 2026-03.
        let reports = vec![
            (d("2025-10-01"), wan("100")),
            (d("2025-11-01"), wan("200")),
            (d("2025-12-01"), wan("300.25")),
            (d("2026-01-01"), wan("400")),
            (d("2026-02-01"), wan("0")),
            (d("2026-03-01"), wan("500")),
        ];
        let c = cumulative(
            &reports,
            d("2026-02-01"),
            Some(d("2025-11-18")),
            Some(wan("4000")),
            Some(wan("10000")),
        );
        assert_eq!(c.this_month, wan("0"));
        // 年初至今 at 2026-02: 400 + 0.
        assert_eq!(c.year_to_date, wan("400"));
        // 开工至今: 2025-11 .. 2026-02 = 200 + 300.25 + 400 = 900.25.
        assert_eq!(c.since_start, Some(wan("900.25")));
        // 累计: 100 + 900.25 = 1000.25.
        assert_eq!(c.to_date, wan("1000.25"));
        // 400 / 4000 = 10.0%; 1000.25 / 10000 = 10.0025% → 10.0%.
        assert_eq!(c.share_of_annual_plan.unwrap().to_string(), "10.0%");
        assert_eq!(c.share_of_total.unwrap().to_string(), "10.0%");
        let march = cumulative(
            &reports,
            d("2026-03-15"),
            Some(d("2025-11-18")),
            Some(wan("4000")),
            None,
        );
        assert_eq!(march.this_month, wan("500"));
        assert_eq!(march.year_to_date, wan("900"));
        assert_eq!(march.share_of_annual_plan.unwrap().to_string(), "22.5%");
        assert_eq!(march.share_of_total, None);
        // Before 开工 there is no 开工至今.
        let oct = cumulative(&reports, d("2025-10-01"), Some(d("2025-11-18")), None, None);
        assert_eq!((oct.since_start, oct.to_date), (None, wan("100")));
    }

    #[test]
    fn who_must_report() {
        assert!(must_report(Stage::Signed, ProjectState::Active));
        assert!(must_report(Stage::Started, ProjectState::Active));
        assert!(!must_report(Stage::Lead, ProjectState::Active));
        assert!(!must_report(Stage::Started, ProjectState::Paused));
        assert!(!must_report(Stage::Started, ProjectState::Terminated));
    }
}
