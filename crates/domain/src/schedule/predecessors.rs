//! The predecessor list as people type it: `t3FS+2; t7SS-1 t9`.
//!
//! Used by the CLI's `predecessors` column, the web task form (`TaskForm::predecessors`) and the
//! approval-chain templates, so the three accept exactly the same text.
//!
//! Grammar of one entry: `ID [TYPE [LAG]]`, where `TYPE` is `FS`, `SS`, `FF` or `SF` in capitals
//! (default `FS`) and `LAG` a signed whole number of working days such as `+2` or `-1`, optionally
//! followed by `d` (default 0). Entries are separated by `;`, `,` or whitespace. A lag must follow a
//! type (`t3FS+2`, not `t3+2`), as in Microsoft Project: otherwise an id such as `land-2` could not
//! be told from `land` with a lag of −2.

use super::{Dependency, DependencyKind};
use crate::task::MAX_DURATION_DAYS;
use crate::validation::{FieldError, Lang, Rule};
use std::fmt;

/// Why one entry of a predecessor list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredecessorError {
    /// The entry as typed.
    pub entry: String,
    /// Its position in the list, from 1.
    pub position: usize,
    pub problem: PredecessorProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredecessorProblem {
    /// A type or lag with no task id before it (`FS+2`).
    MissingId,
    /// A sign not followed by a whole number (`t3FS+x`).
    BadLag,
    /// A lag outside ± [`MAX_DURATION_DAYS`].
    LagOutOfRange,
    /// `t3+2`: a lag needs a type before it.
    LagWithoutType,
}

impl PredecessorError {
    pub fn message(&self, lang: Lang) -> String {
        let (e, n) = (&self.entry, self.position);
        match (self.problem, lang) {
            (PredecessorProblem::MissingId, Lang::Zh) => format!("第 {n} 项“{e}”缺少前置任务编号"),
            (PredecessorProblem::MissingId, Lang::En) => {
                format!("entry {n} \"{e}\" has no task id before its type")
            }
            (PredecessorProblem::BadLag, Lang::Zh) => {
                format!("第 {n} 项“{e}”的间隔不是整数工作日（例如 FS+2）")
            }
            (PredecessorProblem::BadLag, Lang::En) => {
                format!("entry {n} \"{e}\": the lag is not a whole number of days (e.g. FS+2)")
            }
            (PredecessorProblem::LagOutOfRange, Lang::Zh) => {
                format!("第 {n} 项“{e}”的间隔超过 ±{MAX_DURATION_DAYS} 个工作日")
            }
            (PredecessorProblem::LagOutOfRange, Lang::En) => {
                format!("entry {n} \"{e}\": the lag exceeds ±{MAX_DURATION_DAYS} working days")
            }
            (PredecessorProblem::LagWithoutType, Lang::Zh) => {
                format!("第 {n} 项“{e}”：间隔前须写明类型，例如 t3FS+2")
            }
            (PredecessorProblem::LagWithoutType, Lang::En) => {
                format!("entry {n} \"{e}\": write the type before the lag, e.g. t3FS+2")
            }
        }
    }

    /// The error as a form field error, for the web task form.
    pub fn to_field_error(&self, field: &str) -> FieldError {
        FieldError::new(
            field,
            Rule::Other {
                zh: self.message(Lang::Zh),
                en: self.message(Lang::En),
            },
        )
    }
}

impl fmt::Display for PredecessorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for PredecessorError {}

/// Reads a predecessor list. Ids come back as text; the caller resolves them (the web layer parses
/// them as database ids, the CLI looks them up among the plan's rows).
pub fn parse_predecessors(text: &str) -> Result<Vec<Dependency<String>>, PredecessorError> {
    text.split(|c: char| c == ';' || c == ',' || c == '；' || c == '，' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .enumerate()
        .map(|(i, entry)| {
            parse_entry(entry).map_err(|problem| PredecessorError {
                entry: entry.to_string(),
                position: i + 1,
                problem,
            })
        })
        .collect()
}

fn parse_entry(entry: &str) -> Result<Dependency<String>, PredecessorProblem> {
    // The type is the last FS/SS/FF/SF that is followed by nothing or by a lag.
    for (i, _) in entry.char_indices().rev() {
        let Some(kind) = entry.get(i..i + 2).and_then(kind_code) else {
            continue;
        };
        let rest = &entry[i + 2..];
        if !rest.is_empty() && !rest.starts_with(['+', '-']) {
            continue;
        }
        let id = &entry[..i];
        if id.is_empty() {
            return Err(PredecessorProblem::MissingId);
        }
        let lag = if rest.is_empty() { 0 } else { parse_lag(rest)? };
        return Ok(Dependency {
            predecessor: id.to_string(),
            kind,
            lag,
        });
    }
    if entry.contains('+') {
        return Err(PredecessorProblem::LagWithoutType);
    }
    Ok(Dependency {
        predecessor: entry.to_string(),
        kind: DependencyKind::FinishToStart,
        lag: 0,
    })
}

fn kind_code(code: &str) -> Option<DependencyKind> {
    Some(match code {
        "FS" => DependencyKind::FinishToStart,
        "SS" => DependencyKind::StartToStart,
        "FF" => DependencyKind::FinishToFinish,
        "SF" => DependencyKind::StartToFinish,
        _ => return None,
    })
}

fn parse_lag(text: &str) -> Result<i64, PredecessorProblem> {
    let (sign, digits) = text.split_at(1);
    let digits = digits.strip_suffix(['d', 'D']).unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PredecessorProblem::BadLag);
    }
    let n: i64 = digits.parse().map_err(|_| PredecessorProblem::LagOutOfRange)?;
    if n > MAX_DURATION_DAYS {
        return Err(PredecessorProblem::LagOutOfRange);
    }
    Ok(if sign == "-" { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DependencyKind::*;

    fn dep(id: &str, kind: DependencyKind, lag: i64) -> Dependency<String> {
        Dependency {
            predecessor: id.into(),
            kind,
            lag,
        }
    }

    #[test]
    fn a_planner_types_types_and_lags_in_any_separator_style() {
        assert_eq!(
            parse_predecessors("t3FS+2; t7SS-1 t9").unwrap(),
            vec![
                dep("t3", FinishToStart, 2),
                dep("t7", StartToStart, -1),
                dep("t9", FinishToStart, 0)
            ]
        );
        assert_eq!(
            parse_predecessors(" 12FF , 7SF+3d；land-use").unwrap(),
            vec![
                dep("12", FinishToFinish, 0),
                dep("7", StartToFinish, 3),
                dep("land-use", FinishToStart, 0)
            ]
        );
        assert_eq!(parse_predecessors("  ").unwrap(), vec![]);
    }

    #[test]
    fn an_id_that_ends_in_a_hyphen_and_digits_is_an_id_not_a_lag() {
        assert_eq!(
            parse_predecessors("land-2").unwrap(),
            vec![dep("land-2", FinishToStart, 0)]
        );
        assert_eq!(
            parse_predecessors("STAFF").unwrap(),
            vec![dep("STA", FinishToFinish, 0)],
            "capital type letters at the end are read as a type; ids in lower case avoid this"
        );
    }

    #[test]
    fn mistakes_name_the_entry_and_its_position() {
        let e = parse_predecessors("t1; FS+2").unwrap_err();
        assert_eq!((e.position, e.problem), (2, PredecessorProblem::MissingId));
        assert_eq!(e.entry, "FS+2");
        let e = parse_predecessors("t1FS+x").unwrap_err();
        assert_eq!(e.problem, PredecessorProblem::BadLag);
        assert_eq!(
            e.to_string(),
            "entry 1 \"t1FS+x\": the lag is not a whole number of days (e.g. FS+2)"
        );
        let e = parse_predecessors("t1 t3+2").unwrap_err();
        assert_eq!((e.position, e.problem), (2, PredecessorProblem::LagWithoutType));
        assert!(e.message(Lang::Zh).contains("t3FS+2"));
        let e = parse_predecessors("t1SS+99999").unwrap_err();
        assert_eq!(e.problem, PredecessorProblem::LagOutOfRange);
        let fe = e.to_field_error("predecessors");
        assert_eq!(fe.field, "predecessors");
    }
}
