//! The agenda (会议议程) of a dispatch meeting, built from live data.
//!
//! One pure function, [`build_agenda`], decides what the meeting must look at:
//!
//! * **carried over** (遗留事项): every item an earlier meeting already had on the table — a red
//!   task, an overdue problem, an item it carried, or an assignment it decided — that is still
//!   unresolved (the task is not done, the problem not solved), with how many earlier meetings it
//!   has been on ([`AgendaItem::carried`]);
//! * **red tasks** (逾期任务) and **yellow tasks** (预警任务) by the one 红黄绿 rule
//!   ([`crate::status`]), and **overdue problems** (逾期问题), that no earlier meeting had;
//! * **commitments behind** (承诺滞后): every commitment given for ore (用好资源换好产业) that
//!   [`crate::allocation::track_commitment`] finds behind on `today`, naming what is behind;
//!   one on track, kept or only awaiting a report is not a matter for the meeting;
//! * **stage changes since the last meeting** (阶段变化), with each project's investment, from
//!   which [`Agenda::investment_summary`] gives the investment newly signed, landed and started.
//!
//! Each item sits in exactly one section, so nothing is discussed twice. Yellow tasks are
//! warnings, not matters of record: a task that was only yellow at the last meeting is not
//! carried (it shows again as yellow, or as red, when it still is).

use crate::Amount;
use crate::allocation::{CommitmentReport, TrackStatus};
use crate::labelled_enum;
use crate::problem::{ProblemStatus, is_overdue};
use crate::project::Stage;
use crate::status::{Status, TaskStatus};
use crate::validation::Lang;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

labelled_enum! {
    /// The sections of an agenda, in the order the meeting takes them.
    pub enum Section {
        Carried = ("carried", "遗留事项", "Carried over"),
        RedTask = ("red_task", "逾期任务", "Overdue tasks"),
        OverdueProblem = ("overdue_problem", "逾期问题", "Overdue problems"),
        CommitmentBehind = ("commitment_behind", "承诺滞后", "Commitments behind"),
        YellowTask = ("yellow_task", "预警任务", "Tasks at risk"),
        StageChange = ("stage_change", "阶段变化", "Stage changes"),
    }
}

labelled_enum! {
    /// What an agenda item refers to.
    pub enum ItemKind {
        Task = ("task", "任务", "Task"),
        Problem = ("problem", "问题", "Problem"),
        Project = ("project", "项目", "Project"),
        /// A granted application's commitment (用好资源换好产业); `ref_id` is the application.
        Commitment = ("commitment", "资源配置承诺", "Ore commitment"),
    }
}

/// An open task of an active project, with its colour on the day the agenda is built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaTask {
    pub id: i64,
    pub name: String,
    pub project_id: i64,
    pub project_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// Its latest finish (or its 完成时限 when not scheduled).
    pub due: Option<NaiveDate>,
    pub status: TaskStatus,
}

/// An open problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaProblem {
    pub id: i64,
    pub title: String,
    pub project_id: i64,
    pub project_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub status: ProblemStatus,
}

/// A project that reached a stage in the period (its actual date of that stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    pub project_id: i64,
    pub project_name: String,
    pub stage: Stage,
    pub date: NaiveDate,
    /// The project's 总投资, 万元.
    pub investment: Option<Amount>,
}

/// A commitment given for ore in a published round, as tracked on the day the agenda is built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaCommitment {
    /// The granted application the commitment belongs to.
    pub application_id: i64,
    pub enterprise_name: String,
    pub round_name: String,
    pub report: CommitmentReport,
}

/// Something an earlier meeting had on the table or decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastItem {
    pub kind: ItemKind,
    pub ref_id: i64,
    pub meeting_number: i64,
}

/// Everything [`build_agenda`] looks at, gathered by the caller on `today`.
#[derive(Debug, Clone, Copy)]
pub struct AgendaInput<'a> {
    /// The meeting being prepared (第N次): only meetings with a lower number count as earlier.
    pub meeting_number: i64,
    pub today: NaiveDate,
    /// Open tasks of active projects.
    pub tasks: &'a [AgendaTask],
    /// Open (not yet solved) problems.
    pub problems: &'a [AgendaProblem],
    /// Commitments given for ore in published rounds, tracked on `today`.
    pub commitments: &'a [AgendaCommitment],
    /// Stages reached since the last meeting.
    pub stage_changes: &'a [StageChange],
    /// What earlier meetings had on the table or decided.
    pub history: &'a [PastItem],
}

/// One line of an agenda. `state` is the code of the item's status in its kind: a [`Status`] for
/// a task, a [`ProblemStatus`] for a problem, the [`Stage`] reached for a project, a
/// [`TrackStatus`] for a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub section: Section,
    pub kind: ItemKind,
    pub ref_id: i64,
    pub title: String,
    /// The project the item belongs to; none for a commitment, which is an enterprise's.
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// A task's latest finish, a problem's deadline, the date a stage was reached, the earliest
    /// promised date a commitment has missed.
    pub due: Option<NaiveDate>,
    pub state: String,
    /// Working days a red task is late; days past the deadline for a problem or a commitment.
    pub days_overdue: i64,
    /// How many earlier meetings had this item (0: new on this agenda).
    pub carried: i64,
    /// A stage change's project investment, 万元.
    pub investment: Option<Amount>,
}

impl AgendaItem {
    /// The label of `state` in the user's language (逾期, 办理中, 签约 …).
    pub fn state_label(&self, lang: Lang) -> &'static str {
        let parsed = match self.kind {
            ItemKind::Task => Status::parse(&self.state).map(|s| s.label(lang)),
            ItemKind::Problem => ProblemStatus::parse(&self.state).map(|s| s.label(lang)),
            ItemKind::Project => Stage::parse(&self.state).map(|s| s.label(lang)),
            ItemKind::Commitment => TrackStatus::parse(&self.state).map(|s| s.label(lang)),
        };
        parsed.unwrap_or("")
    }

    /// Whether the item is late now (a red task, an overdue problem, a commitment behind).
    pub fn is_late(&self) -> bool {
        self.days_overdue > 0
            || self.state == Status::Red.code()
            || (self.kind == ItemKind::Commitment && self.state == TrackStatus::Behind.code())
    }
}

/// An agenda: its items in section order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    pub items: Vec<AgendaItem>,
}

/// Investment of the projects that reached `stage` in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvestmentLine {
    pub stage: Stage,
    pub projects: i64,
    pub investment: Amount,
}

/// The stages whose investment the meeting reports (快签约、快落地、快开工).
const REPORTED_STAGES: [Stage; 3] = [Stage::Signed, Stage::LandSupplied, Stage::Started];

impl Agenda {
    pub fn section(&self, s: Section) -> impl Iterator<Item = &AgendaItem> {
        self.items.iter().filter(move |i| i.section == s)
    }

    pub fn count(&self, s: Section) -> usize {
        self.section(s).count()
    }

    /// 签约 / 落地 / 开工 since the last meeting: projects and their investment.
    pub fn investment_summary(&self) -> Vec<InvestmentLine> {
        REPORTED_STAGES
            .iter()
            .map(|stage| {
                let reached: Vec<&AgendaItem> = self
                    .section(Section::StageChange)
                    .filter(|i| i.state == stage.code())
                    .collect();
                InvestmentLine {
                    stage: *stage,
                    projects: reached.len() as i64,
                    investment: reached.iter().filter_map(|i| i.investment).sum(),
                }
            })
            .collect()
    }
}

fn task_item(t: &AgendaTask, section: Section, carried: i64) -> AgendaItem {
    AgendaItem {
        section,
        kind: ItemKind::Task,
        ref_id: t.id,
        title: t.name.clone(),
        project_id: Some(t.project_id),
        project_name: Some(t.project_name.clone()),
        unit_id: t.unit_id,
        unit_name: t.unit_name.clone(),
        due: t.due,
        state: t.status.status.code().to_string(),
        days_overdue: t.status.days_overdue,
        carried,
        investment: None,
    }
}

fn problem_item(p: &AgendaProblem, section: Section, carried: i64, today: NaiveDate) -> AgendaItem {
    let late = is_overdue(p.status, p.deadline, today);
    AgendaItem {
        section,
        kind: ItemKind::Problem,
        ref_id: p.id,
        title: p.title.clone(),
        project_id: Some(p.project_id),
        project_name: Some(p.project_name.clone()),
        unit_id: p.unit_id,
        unit_name: p.unit_name.clone(),
        due: p.deadline,
        state: p.status.code().to_string(),
        days_overdue: match p.deadline {
            Some(d) if late => (today - d).num_days(),
            _ => 0,
        },
        carried,
        investment: None,
    }
}

/// A commitment behind on the day: the enterprise and round as its title, the earliest promised
/// date it has missed and the most days it is late (an investment or capacity shortfall has no
/// date of its own, so it is late from the day it is found).
fn commitment_item(c: &AgendaCommitment, section: Section, carried: i64) -> AgendaItem {
    let behind: Vec<_> = c.report.behind().collect();
    let missed = behind
        .iter()
        .filter_map(|i| i.days_late.map(|d| c.report.as_of - chrono::Duration::days(d)))
        .min();
    AgendaItem {
        section,
        kind: ItemKind::Commitment,
        ref_id: c.application_id,
        title: format!("{}（{}）", c.enterprise_name, c.round_name),
        project_id: None,
        project_name: None,
        unit_id: None,
        unit_name: None,
        due: missed,
        state: c.report.status.code().to_string(),
        days_overdue: behind.iter().filter_map(|i| i.days_late).max().unwrap_or(0),
        carried,
        investment: None,
    }
}

/// The agenda of meeting `input.meeting_number` on `input.today`.
pub fn build_agenda(input: &AgendaInput) -> Agenda {
    // For each earlier item, the distinct earlier meetings it was on.
    let mut seen: BTreeMap<(ItemKind, i64), BTreeSet<i64>> = BTreeMap::new();
    for h in input.history.iter().filter(|h| h.meeting_number < input.meeting_number) {
        seen.entry((h.kind, h.ref_id)).or_default().insert(h.meeting_number);
    }
    let carried = |kind: ItemKind, id: i64| seen.get(&(kind, id)).map_or(0, |m| m.len() as i64);
    let mut items = Vec::new();

    let mut carried_items: Vec<AgendaItem> = Vec::new();
    for t in input.tasks.iter().filter(|t| t.status.status != Status::Done) {
        let n = carried(ItemKind::Task, t.id);
        if n > 0 {
            carried_items.push(task_item(t, Section::Carried, n));
        }
    }
    for p in input.problems.iter().filter(|p| p.status.is_open()) {
        let n = carried(ItemKind::Problem, p.id);
        if n > 0 {
            carried_items.push(problem_item(p, Section::Carried, n, input.today));
        }
    }
    let behind = || {
        input
            .commitments
            .iter()
            .filter(|c| c.report.status == TrackStatus::Behind)
    };
    for c in behind() {
        let n = carried(ItemKind::Commitment, c.application_id);
        if n > 0 {
            carried_items.push(commitment_item(c, Section::Carried, n));
        }
    }
    // The longest-carried first, then the latest, then the earliest due.
    carried_items.sort_by(|a, b| {
        b.carried
            .cmp(&a.carried)
            .then(b.days_overdue.cmp(&a.days_overdue))
            .then(a.due.cmp(&b.due))
            .then(a.ref_id.cmp(&b.ref_id))
    });
    items.extend(carried_items);

    let new_tasks = |status: Status| {
        input
            .tasks
            .iter()
            .filter(move |t| t.status.status == status && carried(ItemKind::Task, t.id) == 0)
    };
    let mut red: Vec<AgendaItem> = new_tasks(Status::Red)
        .map(|t| task_item(t, Section::RedTask, 0))
        .collect();
    red.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.ref_id.cmp(&b.ref_id)));
    items.extend(red);

    let mut overdue: Vec<AgendaItem> = input
        .problems
        .iter()
        .filter(|p| is_overdue(p.status, p.deadline, input.today) && carried(ItemKind::Problem, p.id) == 0)
        .map(|p| problem_item(p, Section::OverdueProblem, 0, input.today))
        .collect();
    overdue.sort_by(|a, b| a.due.cmp(&b.due).then(a.ref_id.cmp(&b.ref_id)));
    items.extend(overdue);

    let mut commitments: Vec<AgendaItem> = behind()
        .filter(|c| carried(ItemKind::Commitment, c.application_id) == 0)
        .map(|c| commitment_item(c, Section::CommitmentBehind, 0))
        .collect();
    commitments.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.ref_id.cmp(&b.ref_id)));
    items.extend(commitments);

    let mut yellow: Vec<AgendaItem> = new_tasks(Status::Yellow)
        .map(|t| task_item(t, Section::YellowTask, 0))
        .collect();
    yellow.sort_by(|a, b| a.due.cmp(&b.due).then(a.ref_id.cmp(&b.ref_id)));
    items.extend(yellow);

    let mut changes: Vec<&StageChange> = input.stage_changes.iter().collect();
    changes.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(a.stage.cmp(&b.stage))
            .then(a.project_id.cmp(&b.project_id))
    });
    items.extend(changes.into_iter().map(|c| AgendaItem {
        section: Section::StageChange,
        kind: ItemKind::Project,
        ref_id: c.project_id,
        title: c.project_name.clone(),
        project_id: Some(c.project_id),
        project_name: Some(c.project_name.clone()),
        unit_id: None,
        unit_name: None,
        due: Some(c.date),
        state: c.stage.code().to_string(),
        days_overdue: 0,
        carried: 0,
        investment: c.investment,
    }));
    Agenda { items }
}

/// The period "since the last meeting": after the previous meeting's date (or `lookback_days`
/// before this meeting for the first one), up to this meeting's date or today, whichever is
/// earlier — a stage reached after the meeting belongs to the next one.
pub fn period_since_last(
    previous: Option<NaiveDate>,
    meeting_date: NaiveDate,
    today: NaiveDate,
    lookback_days: i64,
) -> (NaiveDate, NaiveDate) {
    let until = meeting_date.min(today);
    let after = previous.unwrap_or(meeting_date - chrono::Duration::days(lookback_days));
    (after, until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(id: i64, status: Status, days_overdue: i64) -> AgendaTask {
        AgendaTask {
            id,
            name: format!("任务{id}"),
            project_id: 1,
            project_name: "碳酸锂项目".into(),
            unit_id: Some(3),
            unit_name: Some("县发改委".into()),
            due: Some(d("2026-11-20")),
            status: TaskStatus { status, days_overdue },
        }
    }

    fn problem(id: i64, status: ProblemStatus, deadline: &str) -> AgendaProblem {
        AgendaProblem {
            id,
            title: format!("问题{id}"),
            project_id: 1,
            project_name: "碳酸锂项目".into(),
            unit_id: Some(4),
            unit_name: Some("县供电公司".into()),
            deadline: Some(d(deadline)),
            status,
        }
    }

    fn past(kind: ItemKind, ref_id: i64, meeting_number: i64) -> PastItem {
        PastItem {
            kind,
            ref_id,
            meeting_number,
        }
    }

    fn sections(a: &Agenda) -> Vec<(Section, i64, i64)> {
        a.items.iter().map(|i| (i.section, i.ref_id, i.carried)).collect()
    }

    #[test]
    fn a_first_meeting_lists_red_and_yellow_tasks_and_overdue_problems() {
        let tasks = [
            task(1, Status::Red, 4),
            task(2, Status::Yellow, 0),
            task(3, Status::Green, 0),
            task(4, Status::Red, 9),
        ];
        let problems = [
            problem(10, ProblemStatus::Assigned, "2026-11-25"),
            problem(11, ProblemStatus::Assigned, "2026-12-25"),
            problem(12, ProblemStatus::Answered, "2026-11-01"),
        ];
        let a = build_agenda(&AgendaInput {
            meeting_number: 1,
            today: d("2026-11-30"),
            tasks: &tasks,
            problems: &problems,
            commitments: &[],
            stage_changes: &[],
            history: &[],
        });
        assert_eq!(
            sections(&a),
            [
                (Section::RedTask, 4, 0),
                (Section::RedTask, 1, 0),
                (Section::OverdueProblem, 10, 0),
                (Section::YellowTask, 2, 0)
            ]
        );
        let late = a.section(Section::OverdueProblem).next().unwrap();
        assert_eq!(late.days_overdue, 5);
        assert_eq!(late.state_label(Lang::Zh), "办理中");
    }

    #[test]
    fn an_unresolved_item_is_carried_and_counted_once_per_earlier_meeting() {
        let tasks = [task(1, Status::Red, 4), task(2, Status::Green, 0)];
        let problems = [problem(10, ProblemStatus::Answered, "2026-12-25")];
        let history = [
            past(ItemKind::Task, 1, 5),
            past(ItemKind::Task, 1, 6),
            past(ItemKind::Task, 1, 6),
            // An assignment decided at the 6th meeting, answered but not yet confirmed.
            past(ItemKind::Problem, 10, 6),
            // A later meeting does not count for the 7th.
            past(ItemKind::Task, 2, 8),
            // Solved or done items drop off: 99 is not open any more.
            past(ItemKind::Problem, 99, 6),
        ];
        let a = build_agenda(&AgendaInput {
            meeting_number: 7,
            today: d("2026-11-30"),
            tasks: &tasks,
            problems: &problems,
            commitments: &[],
            stage_changes: &[],
            history: &history,
        });
        assert_eq!(sections(&a), [(Section::Carried, 1, 2), (Section::Carried, 10, 1)]);
        assert_eq!(a.count(Section::RedTask), 0, "a carried red task is not listed twice");
    }

    #[test]
    fn stage_changes_sum_the_investment_newly_signed_landed_and_started() {
        let change = |project_id: i64, stage: Stage, wan: i64| StageChange {
            project_id,
            project_name: format!("项目{project_id}"),
            stage,
            date: d("2026-11-10"),
            investment: Some(Amount::from_int(wan)),
        };
        let changes = [
            change(1, Stage::Signed, 15000),
            change(2, Stage::Signed, 5000),
            change(3, Stage::Started, 80000),
            change(4, Stage::Registered, 100),
        ];
        let a = build_agenda(&AgendaInput {
            meeting_number: 2,
            today: d("2026-11-30"),
            tasks: &[],
            problems: &[],
            commitments: &[],
            stage_changes: &changes,
            history: &[],
        });
        assert_eq!(a.count(Section::StageChange), 4);
        let summary = a.investment_summary();
        assert_eq!(
            summary
                .iter()
                .map(|l| (l.stage, l.projects, l.investment))
                .collect::<Vec<_>>(),
            [
                (Stage::Signed, 2, Amount::from_int(20000)),
                (Stage::LandSupplied, 0, Amount::ZERO),
                (Stage::Started, 1, Amount::from_int(80000))
            ]
        );
    }

    #[test]
    fn a_commitment_behind_is_on_the_agenda_and_one_on_track_is_not() {
        use crate::allocation::{Actuals, Commitment, track_commitment};
        let promise = Commitment {
            investment_wan: Amount::from_int(550000),
            products: vec!["cell".into()],
            capacity: Amount::from_int(10),
            local_processing_pct: Amount::from_int(60),
            start_by: d("2026-09-30"),
            production_by: d("2027-06-30"),
            investment_schedule: vec![],
        };
        let today = d("2026-10-15");
        let started = Actuals {
            started_on: Some(d("2026-09-20")),
            ..Actuals::default()
        };
        let tracked = |application_id: i64, enterprise: &str, actual: &Actuals| AgendaCommitment {
            application_id,
            enterprise_name: enterprise.into(),
            round_name: "2026 年第一批锂资源配置".into(),
            report: track_commitment(&promise, actual, "GWh/年", today),
        };
        let commitments = [
            tracked(21, "甲锂电有限公司", &started),
            tracked(22, "乙电池有限公司", &Actuals::default()),
        ];
        let input = AgendaInput {
            meeting_number: 3,
            today,
            tasks: &[],
            problems: &[],
            commitments: &commitments,
            stage_changes: &[],
            history: &[],
        };
        let a = build_agenda(&input);
        assert_eq!(sections(&a), [(Section::CommitmentBehind, 22, 0)]);
        let item = &a.items[0];
        assert_eq!(item.kind, ItemKind::Commitment);
        assert_eq!(item.title, "乙电池有限公司（2026 年第一批锂资源配置）");
        assert_eq!((item.due, item.days_overdue), (Some(d("2026-09-30")), 15));
        assert_eq!(item.state_label(Lang::Zh), "滞后");
        assert!(item.is_late());
        assert_eq!(item.project_id, None);

        // Still behind at the next meeting: carried, counted, not listed twice.
        let history = [past(ItemKind::Commitment, 22, 3)];
        let a = build_agenda(&AgendaInput {
            meeting_number: 4,
            history: &history,
            ..input
        });
        assert_eq!(sections(&a), [(Section::Carried, 22, 1)]);
    }

    #[test]
    fn the_period_runs_from_the_last_meeting_to_this_one_or_today() {
        assert_eq!(
            period_since_last(Some(d("2026-11-02")), d("2026-12-07"), d("2026-11-30"), 30),
            (d("2026-11-02"), d("2026-11-30"))
        );
        assert_eq!(
            period_since_last(None, d("2026-11-16"), d("2026-11-30"), 30),
            (d("2026-10-17"), d("2026-11-16"))
        );
    }
}
