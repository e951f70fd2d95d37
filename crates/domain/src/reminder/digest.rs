//! 每日提醒 — a unit's daily digest: what is overdue, and what falls due within a few working days
//! (`digest_due_within_working_days`, 3 by default).

use super::notice::{Notice, NoticeLine};
use crate::calendar::Calendar;
use crate::problem::{ProblemStatus, is_overdue};
use crate::status::{Status, TaskStatus};
use chrono::NaiveDate;

/// An open task of the unit with its colour today.
#[derive(Debug, Clone)]
pub struct DigestTask {
    pub name: String,
    pub project_name: String,
    /// Latest finish, or 完成时限 when not scheduled.
    pub due: Option<NaiveDate>,
    pub status: TaskStatus,
}

/// An open problem assigned to the unit.
#[derive(Debug, Clone)]
pub struct DigestProblem {
    pub title: String,
    pub project_name: String,
    pub deadline: Option<NaiveDate>,
    pub status: ProblemStatus,
}

/// The unit's digest on `today`, or `None` when there is nothing to say (no message is better
/// than an empty one every morning).
pub fn unit_digest(
    unit_name: &str,
    today: NaiveDate,
    calendar: &Calendar,
    within_working_days: i64,
    tasks: &[DigestTask],
    problems: &[DigestProblem],
) -> Option<Notice> {
    let horizon = calendar.add_working_days(today, within_working_days);
    let soon = |d: Option<NaiveDate>| d.is_some_and(|d| d >= today && d <= horizon);
    let line = |title: &str, project: &str, due: Option<NaiveDate>, late: i64| NoticeLine {
        title: title.to_string(),
        project_name: project.to_string(),
        unit_name: None,
        due,
        days_overdue: late,
    };
    let mut overdue = Vec::new();
    let mut due_soon = Vec::new();
    for t in tasks {
        match t.status.status {
            Status::Red => overdue.push(line(&t.name, &t.project_name, t.due, t.status.days_overdue)),
            Status::Done => {}
            _ if soon(t.due) => due_soon.push(line(&t.name, &t.project_name, t.due, 0)),
            _ => {}
        }
    }
    for p in problems.iter().filter(|p| p.status.is_open()) {
        if is_overdue(p.status, p.deadline, today) {
            let days = p.deadline.map_or(0, |d| (today - d).num_days());
            overdue.push(line(&p.title, &p.project_name, p.deadline, days));
        } else if p.status != ProblemStatus::Answered && soon(p.deadline) {
            due_soon.push(line(&p.title, &p.project_name, p.deadline, 0));
        }
    }
    if overdue.is_empty() && due_soon.is_empty() {
        return None;
    }
    overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.due.cmp(&b.due)));
    due_soon.sort_by_key(|l| l.due);
    Some(Notice::Digest {
        unit_name: unit_name.to_string(),
        date: today,
        within_working_days,
        overdue,
        due_soon,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(name: &str, due: &str, status: Status, late: i64) -> DigestTask {
        DigestTask {
            name: name.into(),
            project_name: "碳酸锂项目".into(),
            due: Some(d(due)),
            status: TaskStatus {
                status,
                days_overdue: late,
            },
        }
    }

    #[test]
    fn the_digest_lists_overdue_work_and_what_is_due_within_three_working_days() {
        // Friday 2026-11-27: three working days ahead is Wednesday 12-02.
        let today = d("2026-11-27");
        let tasks = [
            task("环评批复", "2026-11-20", Status::Red, 5),
            task("用地预审", "2026-12-02", Status::Yellow, 0),
            task("施工许可", "2026-12-03", Status::Green, 0),
            task("项目备案", "2026-11-10", Status::Done, 0),
        ];
        let problems = [
            DigestProblem {
                title: "10kV 专线".into(),
                project_name: "电芯项目".into(),
                deadline: Some(d("2026-11-25")),
                status: ProblemStatus::Assigned,
            },
            DigestProblem {
                title: "已答复的问题".into(),
                project_name: "电芯项目".into(),
                deadline: Some(d("2026-11-30")),
                status: ProblemStatus::Answered,
            },
        ];
        let n = unit_digest("县发改委", today, Calendar::built_in(), 3, &tasks, &problems).unwrap();
        let Notice::Digest { overdue, due_soon, .. } = n else {
            panic!("a digest")
        };
        let names = |v: &[NoticeLine]| v.iter().map(|l| l.title.clone()).collect::<Vec<_>>();
        assert_eq!(names(&overdue), ["环评批复", "10kV 专线"]);
        assert_eq!(overdue[1].days_overdue, 2);
        assert_eq!(names(&due_soon), ["用地预审"]);
    }

    #[test]
    fn a_unit_with_nothing_due_gets_no_message() {
        let tasks = [task("施工许可", "2027-03-01", Status::Green, 0)];
        assert!(unit_digest("县住建局", d("2026-11-27"), Calendar::built_in(), 3, &tasks, &[]).is_none());
    }
}
