//! `chainforce schedule` — 倒排工期 for a plan in a CSV file, printed as CSV.
//!
//! The plan has a header row naming its columns: `id`, `duration` (working days), `predecessors`
//! (`t3FS+2; t7SS-1 t9`) and optionally `name`, in any order. Every problem found is reported
//! with its line and column before anything is printed, so one run shows all that needs fixing.

use super::calendar;
use anyhow::{Result, anyhow};
use chainforce_domain::schedule::{Anchor, Constraints, Network, NetworkError, TaskInput, parse_predecessors};
use chainforce_domain::task::MAX_DURATION_DAYS;
use chainforce_domain::validation::Lang;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("direction").required(true).args(["backward", "forward"])))]
pub struct Args {
    /// The plan: CSV with a header naming the columns id, duration, predecessors and optionally name.
    plan: PathBuf,
    /// Schedule as late as possible so that everything finishes by --target (倒排工期).
    #[arg(long, requires = "target")]
    backward: bool,
    /// Schedule as soon as possible from --start.
    #[arg(long, requires = "start")]
    forward: bool,
    /// The last day on which work may finish.
    #[arg(long, value_name = "DATE")]
    target: Option<NaiveDate>,
    /// The first day on which work may start.
    #[arg(long, value_name = "DATE")]
    start: Option<NaiveDate>,
    /// A holiday file to use instead of the built-in calendar.
    #[arg(long, value_name = "FILE")]
    calendar: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let calendar = calendar::load(args.calendar.as_deref())?;
    let text = std::fs::read_to_string(&args.plan).map_err(|e| anyhow!("cannot read {}: {e}", args.plan.display()))?;
    let name = args.plan.display().to_string();
    let (tasks, lines) = read_plan(&text).map_err(|problems| report(&name, problems))?;
    let network = Network::build(&tasks).map_err(|errors| {
        let problems = errors
            .iter()
            .map(|e| match error_id(e).and_then(|id| lines.get(id)) {
                Some(line) => format!("line {line}: {e}"),
                None => e.to_string(),
            })
            .collect();
        report(&name, problems)
    })?;
    let anchor = if args.backward {
        Anchor::Backward {
            target: args.target.expect("clap requires --target"),
            start: args.start,
        }
    } else {
        Anchor::Forward {
            start: args.start.expect("clap requires --start"),
            target: args.target,
        }
    };
    let schedule = network
        .schedule(&calendar, anchor)
        .map_err(|e| anyhow!("{name}: {e}"))?;

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    writeln!(
        out,
        "id,early_start,early_finish,late_start,late_finish,total_float,critical"
    )?;
    for (task, t) in tasks.iter().zip(schedule.tasks()) {
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            quote(&task.id),
            t.early_start,
            t.early_finish,
            t.late_start,
            t.late_finish,
            t.total_float,
            t.critical
        )?;
    }
    out.flush()?;
    for w in &schedule.warnings {
        eprintln!("warning: {}", w.message(Lang::En));
    }
    Ok(ExitCode::SUCCESS)
}

fn report(file: &str, problems: Vec<String>) -> anyhow::Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("{file}: {p}")).collect();
    anyhow!("{}", lines.join("\n"))
}

fn error_id(e: &NetworkError<String>) -> Option<&String> {
    match e {
        NetworkError::DuplicateId { id }
        | NetworkError::NegativeDuration { id, .. }
        | NetworkError::DurationTooLong { id, .. }
        | NetworkError::LagOutOfRange { id, .. }
        | NetworkError::UnknownPredecessor { id, .. }
        | NetworkError::ActualFinishBeforeStart { id } => Some(id),
        NetworkError::Cycle { ids } => ids.first(),
        NetworkError::OutOfDateRange => None,
    }
}

/// The plan's tasks, and the line each id was (last) defined on.
type Plan = (Vec<TaskInput<String>>, HashMap<String, usize>);

fn read_plan(text: &str) -> Result<Plan, Vec<String>> {
    let mut records = parse_csv(text).into_iter();
    let Some((_, header)) = records.next() else {
        return Err(vec!["the file is empty; it needs a header row".into()]);
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let (Some(id_col), Some(duration_col)) = (column("id"), column("duration")) else {
        return Err(vec![format!(
            "line 1: the header must name the columns id and duration (found: {})",
            header.join(", ")
        )]);
    };
    let predecessors_col = column("predecessors");
    let mut problems = Vec::new();
    let mut tasks = Vec::new();
    let mut lines = HashMap::new();
    for (line, record) in records {
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |col: usize| record.get(col).map(|f| f.trim()).unwrap_or("");
        let id = field(id_col);
        if id.is_empty() {
            problems.push(format!("line {line}, column id: the task id is empty"));
            continue;
        }
        let duration = match field(duration_col).parse::<i64>() {
            Ok(d) if (0..=MAX_DURATION_DAYS).contains(&d) => d,
            Ok(d) => {
                problems.push(format!(
                    "line {line}, column duration: {d} is not between 0 and {MAX_DURATION_DAYS} working days"
                ));
                continue;
            }
            Err(_) => {
                problems.push(format!(
                    "line {line}, column duration: \"{}\" is not a whole number of working days",
                    field(duration_col)
                ));
                continue;
            }
        };
        let predecessors = match predecessors_col.map(|c| parse_predecessors(field(c))) {
            None => Vec::new(),
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                problems.push(format!("line {line}, column predecessors: {e}"));
                continue;
            }
        };
        lines.insert(id.to_string(), line);
        tasks.push(TaskInput {
            id: id.to_string(),
            duration,
            predecessors,
            constraints: Constraints::default(),
        });
    }
    if problems.is_empty() {
        Ok((tasks, lines))
    } else {
        Err(problems)
    }
}

/// Splits CSV text into records of fields, each with the line it starts on. Quoted fields may
/// hold commas, doubled quotes and line breaks (RFC 4180).
fn parse_csv(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => in_quotes = false,
            ('"', false) if field.is_empty() => in_quotes = true,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut record)));
                line += 1;
                record_line = line;
            }
            (c, _) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    records
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_their_commas_quotes_and_line_breaks() {
        let records = parse_csv("id,name\r\nt1,\"环评, 能评\"\nt2,\"say \"\"hi\"\"\nthere\"\nt3,x");
        assert_eq!(records[1], (2, vec!["t1".into(), "环评, 能评".into()]));
        assert_eq!(records[2], (3, vec!["t2".into(), "say \"hi\"\nthere".into()]));
        assert_eq!(records[3], (5, vec!["t3".into(), "x".into()]));
        assert_eq!(quote("a,b"), "\"a,b\"");
    }
}
