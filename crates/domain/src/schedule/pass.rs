//! The backward and forward passes over a compiled [`Network`], and their result.
//!
//! All arithmetic is on *points* (see the module documentation of [`super`]): `2k` is the morning
//! of working day `k`, `2k + 1` its evening. A task of `d` days starting at point `s` (even)
//! finishes at `s + 2d − 1` (odd). For a task, an odd bound on its start is the same instant as
//! the next even point, and an even bound on its finish the same instant as the odd point before
//! it; [`start_at`] and [`finish_at`] make those conversions. The instant of a point is
//! `(p + 1) >> 1` in working days, and floats are differences of instants.

use super::network::{FF, FS, Network, NetworkError, SS};
use super::{Anchor, Constraints};
use crate::calendar::Calendar;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A task's start point for a bound `p` on it: odd (an evening) means the next morning.
#[inline]
fn start_at(p: i64) -> i64 {
    p + (p & 1)
}

/// A task's finish point for a bound `p` on it: even (a morning) means the evening before.
#[inline]
fn finish_at(p: i64) -> i64 {
    (p - 1) | 1
}

/// The instant of a point, in working days.
#[inline]
fn instant(p: i64) -> i64 {
    (p + 1) >> 1
}

/// The morning of the first working day on or after `date`.
fn morning(cal: &Calendar, date: NaiveDate) -> i64 {
    2 * cal.ordinal(date)
}

/// The evening of the last working day on or before `date`.
fn evening(cal: &Calendar, date: NaiveDate) -> i64 {
    let next = date.succ_opt().unwrap_or(date);
    2 * cal.ordinal(next) - 1
}

/// Constraints turned into points for one calendar.
#[derive(Clone, Copy)]
struct Bounds {
    not_before: Option<i64>,
    not_after: Option<i64>,
    actual_start: Option<i64>,
    actual_finish: Option<i64>,
}

impl Bounds {
    fn new(cal: &Calendar, c: &Constraints) -> Bounds {
        Bounds {
            not_before: c.start_no_earlier_than.map(|d| morning(cal, d)),
            not_after: c.finish_no_later_than.map(|d| evening(cal, d)),
            actual_start: c.actual_start.map(|d| morning(cal, d)),
            actual_finish: c.actual_finish.map(|d| evening(cal, d)),
        }
    }

    /// Pinned dates (start, finish) of a task of `d2 = 2 × duration` points, if it has actuals.
    fn pinned(&self, d2: i64) -> Option<(i64, Option<i64>)> {
        match (self.actual_start, self.actual_finish) {
            (_, Some(f)) if d2 == 0 => Some((f, Some(f))),
            (Some(s), Some(f)) => Some((s, Some(f))),
            (Some(s), None) if d2 == 0 => Some((s, Some(s))),
            (Some(s), None) => Some((s, None)),
            (None, Some(f)) => Some((f - d2 + 1, Some(f))),
            (None, None) => None,
        }
    }
}

/// Something the user should see about a schedule that was nevertheless computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleWarning {
    /// The target (or a 完成时限) cannot be met: `tasks` tasks have negative float, the worst
    /// `worst_float` working days.
    TargetNotMet { worst_float: i64, tasks: usize },
    /// Dates fell in years with no holiday notice; they were computed with weekends only.
    BeyondCalendar { years: Vec<i32> },
}

impl ScheduleWarning {
    pub fn message(&self, lang: crate::validation::Lang) -> String {
        use crate::validation::Lang;
        match (self, lang) {
            (ScheduleWarning::TargetNotMet { worst_float, tasks }, Lang::Zh) => format!(
                "目标日期无法满足：{tasks} 项任务总时差为负，最多超出 {} 个工作日",
                -worst_float
            ),
            (ScheduleWarning::TargetNotMet { worst_float, tasks }, Lang::En) => format!(
                "the target cannot be met: {tasks} tasks have negative float, the worst by {} working days",
                -worst_float
            ),
            (ScheduleWarning::BeyondCalendar { years }, Lang::Zh) => {
                format!("{} 年没有节假日安排，按仅周末休息计算", join(years))
            }
            (ScheduleWarning::BeyondCalendar { years }, Lang::En) => {
                format!("no holiday notice for {}: computed with weekends only", join(years))
            }
        }
    }
}

fn join(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if years.len() > 2 && b - a + 1 == years.len() as i32 => {
            format!("{a}–{b}")
        }
        _ => years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "),
    }
}

/// One task's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSchedule {
    pub early_start: NaiveDate,
    pub early_finish: NaiveDate,
    pub late_start: NaiveDate,
    pub late_finish: NaiveDate,
    /// 总时差: working days the task can slip without missing the target; negative when the
    /// target cannot be met.
    pub total_float: i64,
    /// 自由时差: working days it can slip without moving any successor's early dates.
    pub free_float: i64,
    /// On the critical path (关键路径).
    pub critical: bool,
}

/// The result of scheduling a [`Network`]. Indexed by the tasks' input order.
#[derive(Debug, Clone)]
pub struct Schedule {
    calendar: Calendar,
    pos: Vec<u32>,
    at: Vec<u32>,
    early: Vec<[i64; 2]>,
    late: Vec<[i64; 2]>,
    free_float: Vec<i64>,
    critical_float: i64,
    project_start: i64,
    project_finish: i64,
    pub warnings: Vec<ScheduleWarning>,
}

impl<Id> Network<Id> {
    /// Runs the backward and forward passes. Errors only when dates leave chrono's range.
    pub fn schedule(&self, calendar: &Calendar, anchor: Anchor) -> Result<Schedule, NetworkError<Id>> {
        let n = self.len();
        let bounds: Vec<(u32, Bounds)> = self
            .constrained
            .iter()
            .map(|(p, c)| (*p, Bounds::new(calendar, c)))
            .collect();
        let (start, target) = match anchor {
            Anchor::Forward { start, target } => (Some(morning(calendar, start)), target.map(|t| evening(calendar, t))),
            Anchor::Backward { target, start } => {
                (start.map(|s| morning(calendar, s)), Some(evening(calendar, target)))
            }
        };
        let mut early = vec![[0i64; 2]; n];
        let mut late = vec![[0i64; 2]; n];
        let mut free_float = vec![0i64; n];
        let (project_start, project_finish);
        match (start, target) {
            (Some(s), Some(t)) => {
                self.forward(&bounds, s, &mut early);
                self.backward(&bounds, t, &mut late);
                (project_start, project_finish) = (s, t);
            }
            (Some(s), None) => {
                self.forward(&bounds, s, &mut early);
                let t = early.iter().map(|e| e[1]).max().unwrap_or(s - 1);
                self.backward(&bounds, t, &mut late);
                (project_start, project_finish) = (s, t);
            }
            (None, Some(t)) => {
                self.backward(&bounds, t, &mut late);
                let s = start_at(late.iter().map(|l| l[0]).min().unwrap_or(t + 1));
                self.forward(&bounds, s, &mut early);
                (project_start, project_finish) = (s, t);
            }
            (None, None) => unreachable!("every anchor gives a start or a target"),
        }
        self.free_floats(&early, project_finish, &mut free_float);

        let mut worst = i64::MAX;
        let mut negative = 0usize;
        let (mut lo, mut hi) = (project_start.min(project_finish), project_start.max(project_finish));
        for p in 0..n {
            let tf = instant(late[p][1]) - instant(early[p][1]);
            worst = worst.min(tf);
            negative += usize::from(tf < 0);
            lo = lo.min(early[p][0]).min(late[p][0]);
            hi = hi.max(early[p][1]).max(late[p][1]);
        }
        let day = |p: i64| calendar.date_of(p >> 1).ok_or(NetworkError::OutOfDateRange);
        let (first, last) = (day(lo)?, day(hi)?);
        let mut warnings = Vec::new();
        if negative > 0 {
            warnings.push(ScheduleWarning::TargetNotMet {
                worst_float: worst,
                tasks: negative,
            });
        }
        let mut years = calendar.unknown_years(first, last);
        for d in self.constraint_dates() {
            years.extend(calendar.unknown_years(d, d));
        }
        years.sort_unstable();
        years.dedup();
        if !years.is_empty() {
            warnings.push(ScheduleWarning::BeyondCalendar { years });
        }
        Ok(Schedule {
            calendar: calendar.clone(),
            pos: self.pos.clone(),
            at: self.at.clone(),
            early,
            late,
            free_float,
            // With slack to spare the chain with the least float is still the one to watch; with
            // none, every task at or below zero is.
            critical_float: if worst == i64::MAX { 0 } else { worst.max(0) },
            project_start,
            project_finish,
            warnings,
        })
    }

    /// As soon as possible from point `start`: `early[p] = [start point, finish point]`.
    fn forward(&self, bounds: &[(u32, Bounds)], start: i64, early: &mut [[i64; 2]]) {
        let mut next = 0;
        for p in 0..self.len() {
            let b = if next < bounds.len() && bounds[next].0 as usize == p {
                next += 1;
                Some(&bounds[next - 1].1)
            } else {
                None
            };
            let d2 = 2 * i64::from(self.duration[p]);
            if let Some((s, f)) = b.and_then(|b| b.pinned(d2)) {
                early[p] = [s, f.unwrap_or(s + d2 - 1)];
                continue;
            }
            let mut s = start;
            if let Some(nb) = b.and_then(|b| b.not_before) {
                s = s.max(nb);
            }
            let mut f = i64::MIN;
            for e in self.pred_off[p] as usize..self.pred_off[p + 1] as usize {
                let q = early[self.pred_node[e] as usize];
                let meta = self.pred_meta[e];
                let lag2 = i64::from(meta >> 2) * 2;
                match meta & 3 {
                    FS => s = s.max(q[1] + lag2),
                    SS => s = s.max(q[0] + lag2),
                    FF => f = f.max(q[1] + lag2),
                    _ /* SF */ => f = f.max(q[0] + lag2),
                }
            }
            early[p] = if d2 == 0 {
                let m = s.max(f);
                [m, m]
            } else {
                let mut s = start_at(s);
                if f != i64::MIN {
                    s = s.max(finish_at(f) - d2 + 1);
                }
                [s, s + d2 - 1]
            };
        }
    }

    /// As late as possible to finish by point `target`: `late[p] = [start point, finish point]`.
    fn backward(&self, bounds: &[(u32, Bounds)], target: i64, late: &mut [[i64; 2]]) {
        let mut next = bounds.len();
        for p in (0..self.len()).rev() {
            let b = if next > 0 && bounds[next - 1].0 as usize == p {
                next -= 1;
                Some(&bounds[next].1)
            } else {
                None
            };
            let d2 = 2 * i64::from(self.duration[p]);
            let pinned = b.and_then(|b| b.pinned(d2));
            if let Some((s, Some(f))) = pinned {
                late[p] = [s, f];
                continue;
            }
            let mut f = target;
            if let Some(na) = b.and_then(|b| b.not_after) {
                f = f.min(na);
            }
            let mut s = i64::MAX;
            for e in self.succ_off[p] as usize..self.succ_off[p + 1] as usize {
                let r = late[self.succ_node[e] as usize];
                let meta = self.succ_meta[e];
                let lag2 = i64::from(meta >> 2) * 2;
                match meta & 3 {
                    FS => f = f.min(r[0] - lag2),
                    FF => f = f.min(r[1] - lag2),
                    SS => s = s.min(r[0] - lag2),
                    _ /* SF */ => s = s.min(r[1] - lag2),
                }
            }
            late[p] = if d2 == 0 {
                let m = f.min(s);
                [m, m]
            } else {
                let mut f = finish_at(f);
                if s != i64::MAX {
                    f = f.min(start_at(s) + d2 - 1);
                }
                match pinned {
                    // Started but not finished: the start is history, the finish still to plan.
                    Some((actual_start, None)) => [actual_start, f],
                    _ => [f - d2 + 1, f],
                }
            };
        }
    }

    /// 自由时差 from the early dates: the least slack on any outgoing dependency, or to the
    /// project finish for a task with no successor; never more than the total float.
    fn free_floats(&self, early: &[[i64; 2]], finish: i64, out: &mut [i64]) {
        for p in 0..self.len() {
            let me = early[p];
            let range = self.succ_off[p] as usize..self.succ_off[p + 1] as usize;
            let mut ff = if range.is_empty() {
                instant(finish) - instant(me[1])
            } else {
                i64::MAX
            };
            for e in range {
                let r = early[self.succ_node[e] as usize];
                let meta = self.succ_meta[e];
                let lag = i64::from(meta >> 2);
                let slack = match meta & 3 {
                    FS => instant(r[0]) - instant(me[1]),
                    SS => instant(r[0]) - instant(me[0]),
                    FF => instant(r[1]) - instant(me[1]),
                    _ /* SF */ => instant(r[1]) - instant(me[0]),
                } - lag;
                ff = ff.min(slack);
            }
            out[p] = ff;
        }
    }
}

impl Schedule {
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    fn date(&self, point: i64) -> NaiveDate {
        self.calendar
            .date_of(point >> 1)
            .expect("range checked when the schedule was made")
    }

    /// Total float of the task at position `p`.
    fn total_float_at(&self, p: usize) -> i64 {
        instant(self.late[p][1]) - instant(self.early[p][1])
    }

    /// The results of one task, by input index.
    pub fn task(&self, index: usize) -> TaskSchedule {
        let p = self.pos[index] as usize;
        let tf = self.total_float_at(p);
        TaskSchedule {
            early_start: self.date(self.early[p][0]),
            early_finish: self.date(self.early[p][1]),
            late_start: self.date(self.late[p][0]),
            late_finish: self.date(self.late[p][1]),
            total_float: tf,
            free_float: self.free_float[p].min(tf),
            critical: tf <= self.critical_float,
        }
    }

    /// Every task's results, in input order.
    pub fn tasks(&self) -> impl Iterator<Item = TaskSchedule> + '_ {
        (0..self.len()).map(|i| self.task(i))
    }

    /// The critical tasks (input indices) in topological order: the chain(s) that fix the
    /// project's dates, and every late task when the target cannot be met.
    pub fn critical_path(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&p| self.total_float_at(p) <= self.critical_float)
            .map(|p| self.at[p] as usize)
            .collect()
    }

    /// No task has negative total float: the target and every 完成时限 can be met.
    pub fn is_feasible(&self) -> bool {
        !self
            .warnings
            .iter()
            .any(|w| matches!(w, ScheduleWarning::TargetNotMet { .. }))
    }

    /// The first day work may start (the given start, or in a backward schedule the latest
    /// start of the whole project).
    pub fn project_start(&self) -> NaiveDate {
        self.date(self.project_start)
    }

    /// The last day work may finish (the target, or the early finish of the whole project).
    pub fn project_finish(&self) -> NaiveDate {
        self.date(self.project_finish)
    }

    /// The calendar the schedule was computed on.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Raw points `[start, finish]` of the early and late dates by input index, for tests.
    #[cfg(test)]
    pub(super) fn points(&self, index: usize) -> ([i64; 2], [i64; 2]) {
        let p = self.pos[index] as usize;
        (self.early[p], self.late[p])
    }
}
