//! `chainforce calendar` — working days on the Chinese calendar (工作日历), for checking a date
//! by hand or in a script.

use anyhow::{Context, Result};
use chainforce_domain::calendar::{Calendar, CalendarBuilder, HolidayNotice};
use chrono::NaiveDate;
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
    /// A holiday file (`{"year": 2026, "days": [...]}`, or a list of them) to use instead of the
    /// built-in 2022–2026 calendar.
    #[arg(long, global = true, value_name = "FILE")]
    calendar: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Action {
    /// Print every working day from FROM to TO (both included), one per line.
    Days { from: NaiveDate, to: NaiveDate },
    /// Print the date N working days after DATE (before it when N is negative).
    Add {
        date: NaiveDate,
        #[arg(allow_negative_numbers = true)]
        n: i64,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    let calendar = load(args.calendar.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (first, last) = match args.action {
        Action::Days { from, to } => {
            for day in calendar.working_days(from, to) {
                writeln!(out, "{day}")?;
            }
            (from, to)
        }
        Action::Add { date, n } => {
            let day = calendar.add_working_days(date, n);
            writeln!(out, "{day}")?;
            (date, day)
        }
    };
    out.flush()?;
    warn_unknown_years(&calendar, first, last);
    Ok(ExitCode::SUCCESS)
}

/// The built-in calendar, or the notices in `file` (one notice or a JSON list of them).
pub fn load(file: Option<&Path>) -> Result<Calendar> {
    let Some(file) = file else {
        return Ok(Calendar::built_in().clone());
    };
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read the calendar file {}", file.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", file.display()))?;
    let notices = match &value {
        serde_json::Value::Array(items) => items
            .iter()
            .map(HolidayNotice::from_value)
            .collect::<Result<Vec<_>, _>>(),
        _ => HolidayNotice::from_value(&value).map(|n| vec![n]),
    }
    .with_context(|| format!("in {}", file.display()))?;
    CalendarBuilder::empty()
        .notices(notices)
        .and_then(|b| b.build())
        .with_context(|| format!("in {}", file.display()))
}

fn warn_unknown_years(calendar: &Calendar, first: NaiveDate, last: NaiveDate) {
    let years = calendar.unknown_years(first, last);
    if !years.is_empty() {
        let list: Vec<String> = years.iter().map(|y| y.to_string()).collect();
        eprintln!(
            "warning: no holiday notice for {}: counted with weekends only",
            list.join(", ")
        );
    }
}
