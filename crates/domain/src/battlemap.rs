//! 挂图作战 — the battle map: every active project as Gantt rows of its tasks on one time axis.
//!
//! Two pure pieces live here:
//!
//! * [`MapQuery::validate`] checks the map's filters (乡镇, 责任单位, 产业链环节, 阶段, 包挂领导) and
//!   its grouping as they come in a URL, naming the field of any bad value;
//! * [`layout`] turns projects, tasks and stage milestones into SVG geometry: rows, bars, month
//!   ticks, the today line. It only places things; the colour of a bar is decided before, by the
//!   one status function ([`crate::status::task_status`]), and handed in.
//!
//! Coordinates are integers in SVG user units (the page scales the drawing to its width).

use crate::labelled_enum;
use crate::project::Stage;
use crate::status::Status;
use crate::validation::{self, FieldError, Rule, ValidationErrors};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// How the map groups its projects.
    pub enum MapGrouping {
        /// 按属地乡镇.
        Township = ("township", "按乡镇", "By township"),
        /// 按产业链环节.
        ChainNode = ("chain_node", "按产业链环节", "By chain node"),
    }
}

labelled_enum! {
    /// How much of each project the map shows.
    pub enum MapRows {
        /// One row per task under each project's header (the full Gantt).
        Tasks = ("tasks", "逐项任务", "One row per task"),
        /// One lane per project with all its task bars in it: a county of 300 projects on a few
        /// screens.
        Projects = ("projects", "每个项目一行", "One lane per project"),
    }
}

/// The map's filters and grouping as they come in the URL, as text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MapQuery {
    /// 属地乡镇 (a township unit id).
    pub township_id: String,
    /// 责任单位 (a unit id): only that unit's tasks, in the projects where it has some.
    pub unit_id: String,
    /// 产业链环节 (a chain node id).
    pub chain_node_id: String,
    /// 阶段 (a stage code).
    pub stage: String,
    /// 包挂领导 (a leader's name as the projects record it).
    pub leader: String,
    /// `township` (default) or `chain_node`.
    pub group: String,
    /// `tasks` (default) or `projects`.
    pub rows: String,
}

/// The ids a filter may name (the county's townships, units and chain nodes).
#[derive(Debug, Clone, Copy, Default)]
pub struct KnownIds<'a> {
    pub townships: &'a [i64],
    pub units: &'a [i64],
    pub chain_nodes: &'a [i64],
}

/// The map's checked filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapFilter {
    pub township_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub chain_node_id: Option<i64>,
    pub stage: Option<Stage>,
    pub leader: Option<String>,
    pub group: MapGrouping,
    pub rows: MapRows,
}

impl Default for MapFilter {
    fn default() -> Self {
        MapFilter {
            township_id: None,
            unit_id: None,
            chain_node_id: None,
            stage: None,
            leader: None,
            group: MapGrouping::Township,
            rows: MapRows::Tasks,
        }
    }
}

fn known_id(field: &str, value: &str, known: &[i64], what: &str) -> Result<Option<i64>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let id = v.parse::<i64>().map_err(|_| FieldError::new(field, Rule::NotANumber))?;
    if known.contains(&id) {
        Ok(Some(id))
    } else {
        Err(FieldError::new(field, Rule::Unknown { what: what.into() }))
    }
}

impl MapQuery {
    /// Checks every filter and reports all bad ones at once; empty values mean "all".
    pub fn validate(&self, known: KnownIds<'_>) -> Result<MapFilter, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let township_id = errs
            .check(known_id(
                "township_id",
                &self.township_id,
                known.townships,
                "乡镇 / township",
            ))
            .flatten();
        let unit_id = errs
            .check(known_id("unit_id", &self.unit_id, known.units, "单位 / unit"))
            .flatten();
        let chain_node_id = errs
            .check(known_id(
                "chain_node_id",
                &self.chain_node_id,
                known.chain_nodes,
                "产业链环节 / chain node",
            ))
            .flatten();
        let stage = if self.stage.trim().is_empty() {
            None
        } else {
            errs.check(Stage::field("stage", &self.stage))
        };
        let leader = errs
            .check(validation::text("leader", &self.leader, false, 40))
            .flatten();
        let group = if self.group.trim().is_empty() {
            Some(MapGrouping::Township)
        } else {
            errs.check(MapGrouping::field("group", &self.group))
        };
        let rows = if self.rows.trim().is_empty() {
            Some(MapRows::Tasks)
        } else {
            errs.check(MapRows::field("rows", &self.rows))
        };
        errs.into_result(|| MapFilter {
            township_id,
            unit_id,
            chain_node_id,
            stage,
            leader,
            group: group.unwrap_or(MapGrouping::Township),
            rows: rows.unwrap_or(MapRows::Tasks),
        })
    }
}

labelled_enum! {
    /// Whom an open problem waits on, as the 包挂领导 view shows it.
    pub enum WaitingOn {
        /// 待交办: the office has to assign it to a unit.
        Office = ("office", "待专班办公室交办", "The office, to assign it"),
        /// 办理中: the assigned unit has to answer.
        Unit = ("unit", "待责任单位答复", "The unit, to answer"),
        /// 已答复: the enterprise has to confirm it solved.
        Enterprise = ("enterprise", "待企业确认", "The enterprise, to confirm"),
    }
}

/// Whom a problem in `status` waits on; `None` once solved.
pub fn waiting_on(status: crate::problem::ProblemStatus) -> Option<WaitingOn> {
    use crate::problem::ProblemStatus::*;
    match status {
        Raised => Some(WaitingOn::Office),
        Assigned => Some(WaitingOn::Unit),
        Answered => Some(WaitingOn::Enterprise),
        Solved => None,
    }
}

/// A task as the map draws it: its dates, its colour (from the status function) and whether it
/// lies on its project's critical path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapTask {
    pub id: i64,
    pub name: String,
    pub unit: Option<String>,
    pub start: NaiveDate,
    pub finish: NaiveDate,
    pub status: Status,
    pub days_overdue: i64,
    pub critical: bool,
}

/// A stage date shown as a diamond on the project's row: planned (hollow) or reached (filled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MapMilestone {
    pub stage: Stage,
    pub date: NaiveDate,
    pub reached: bool,
}

/// A project with its group (乡镇 or 产业链环节 name; `None` sorts last as "unassigned").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapProject {
    pub id: i64,
    pub name: String,
    pub group: Option<String>,
    pub stage: Stage,
    pub tasks: Vec<MapTask>,
    pub milestones: Vec<MapMilestone>,
}

/// The fixed measures of the drawing, in SVG units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Geometry {
    /// The left column of labels.
    pub label_width: i64,
    /// The time axis after the labels.
    pub chart_width: i64,
    pub group_height: i64,
    pub project_height: i64,
    pub task_height: i64,
    /// Longest label in characters before it is cut with "…".
    pub label_chars: usize,
    /// How far the axis may reach from today, in days, whatever the data says.
    pub max_reach_days: i64,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry {
            label_width: 300,
            chart_width: 1300,
            group_height: 22,
            project_height: 16,
            task_height: 12,
            label_chars: 26,
            max_reach_days: 731,
        }
    }
}

/// A month line on the axis; `label` is empty for months drawn without a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tick {
    pub x: i64,
    pub label: String,
}

/// A bar on the time axis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bar {
    pub task_id: i64,
    /// The task's name, whole (the tooltip and the phone list show it).
    pub label: String,
    pub x: i64,
    pub width: i64,
    pub status: Status,
    pub critical: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diamond {
    pub x: i64,
    pub stage: Stage,
    pub date: NaiveDate,
    pub reached: bool,
}

/// How many tasks of each colour a group or project holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    pub done: usize,
}

impl Counts {
    fn add(&mut self, s: Status) {
        match s {
            Status::Red => self.red += 1,
            Status::Yellow => self.yellow += 1,
            Status::Green => self.green += 1,
            Status::Done => self.done += 1,
        }
    }
}

/// One row of the drawing, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Row {
    Group {
        y: i64,
        label: Option<String>,
        projects: usize,
        counts: Counts,
    },
    Project {
        y: i64,
        id: i64,
        label: String,
        stage: Stage,
        counts: Counts,
        milestones: Vec<Diamond>,
        /// In [`MapRows::Projects`] the project's task bars, drawn in its lane (red last, on top).
        bars: Vec<Bar>,
    },
    Task {
        y: i64,
        project_id: i64,
        id: i64,
        label: String,
        unit: Option<String>,
        start: NaiveDate,
        finish: NaiveDate,
        days_overdue: i64,
        bar: Bar,
    },
}

/// The whole drawing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    pub width: i64,
    pub height: i64,
    /// Where the time axis begins (the right edge of the label column).
    pub chart_x: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub ticks: Vec<Tick>,
    pub today_x: Option<i64>,
    pub rows: Vec<Row>,
    pub counts: Counts,
    pub projects: usize,
    pub tasks: usize,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// A label cut to `max` characters, with "…" when cut.
pub fn cut(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Red drawn last, so that in a project's lane an overdue bar is never hidden under a done one.
fn paint_order(s: Status) -> u8 {
    match s {
        Status::Done => 0,
        Status::Green => 1,
        Status::Yellow => 2,
        Status::Red => 3,
    }
}

/// Places `projects` on one time axis around `today`: groups (in name order, unassigned last),
/// each project's header row with its stage milestones, and its tasks as bars, one row each
/// ([`MapRows::Tasks`]) or all in the project's lane ([`MapRows::Projects`]).
pub fn layout(projects: &[MapProject], today: NaiveDate, rows_mode: MapRows, g: &Geometry) -> Layout {
    // The axis: whole months around every date shown and today, never beyond the reach.
    let mut lo = today;
    let mut hi = today;
    for p in projects {
        for t in &p.tasks {
            lo = lo.min(t.start);
            hi = hi.max(t.finish);
        }
        for m in &p.milestones {
            lo = lo.min(m.date);
            hi = hi.max(m.date);
        }
    }
    let reach = Duration::days(g.max_reach_days);
    let from = first_of_month(lo.max(today - reach));
    let to = next_month(hi.min(today + reach));
    let span = (to - from).num_days().max(1);
    let x_of = |d: NaiveDate| -> i64 {
        let days = (d - from).num_days().clamp(0, span);
        g.label_width + days * g.chart_width / span
    };
    let mut ticks = Vec::new();
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let every = if months > 24 { 3 } else { 1 };
    let mut m = from;
    while m < to {
        let labelled = (m.month0() as i32) % every == 0;
        ticks.push(Tick {
            x: x_of(m),
            label: if labelled {
                format!("{}-{:02}", m.year(), m.month())
            } else {
                String::new()
            },
        });
        m = next_month(m);
    }
    let today_x = (today >= from && today <= to).then(|| x_of(today));
    let bar = |t: &MapTask| {
        let x = x_of(t.start);
        // A bar is at least a sliver wide (milestones, one-day tasks), ends at the end of its
        // finish day.
        let end = x_of(t.finish + Duration::days(1)).max(x + 2);
        Bar {
            task_id: t.id,
            label: t.name.clone(),
            x,
            width: end - x,
            status: t.status,
            critical: t.critical,
        }
    };

    let mut order: Vec<&MapProject> = projects.iter().collect();
    order.sort_by(|a, b| {
        (a.group.is_none(), &a.group, &a.name, a.id).cmp(&(b.group.is_none(), &b.group, &b.name, b.id))
    });
    let mut rows = Vec::new();
    let mut y = 0;
    let mut total = Counts::default();
    let mut tasks = 0;
    let mut i = 0;
    while i < order.len() {
        let group = order[i].group.clone();
        let members: Vec<&MapProject> = order[i..].iter().take_while(|p| p.group == group).copied().collect();
        i += members.len();
        let group_row = rows.len();
        rows.push(Row::Group {
            y,
            label: group,
            projects: members.len(),
            counts: Counts::default(),
        });
        y += g.group_height;
        let mut group_counts = Counts::default();
        for p in members {
            let mut counts = Counts::default();
            for t in &p.tasks {
                counts.add(t.status);
            }
            let milestones = p
                .milestones
                .iter()
                .filter(|m| m.date >= from && m.date <= to)
                .map(|m| Diamond {
                    x: x_of(m.date),
                    stage: m.stage,
                    date: m.date,
                    reached: m.reached,
                })
                .collect();
            let lane = match rows_mode {
                MapRows::Projects => {
                    let mut bars: Vec<Bar> = p.tasks.iter().map(bar).collect();
                    bars.sort_by_key(|b| paint_order(b.status));
                    bars
                }
                MapRows::Tasks => Vec::new(),
            };
            rows.push(Row::Project {
                y,
                id: p.id,
                label: cut(&p.name, g.label_chars),
                stage: p.stage,
                counts,
                milestones,
                bars: lane,
            });
            y += g.project_height;
            if rows_mode == MapRows::Tasks {
                for t in &p.tasks {
                    rows.push(Row::Task {
                        y,
                        project_id: p.id,
                        id: t.id,
                        label: cut(&t.name, g.label_chars - 1),
                        unit: t.unit.clone(),
                        start: t.start,
                        finish: t.finish,
                        days_overdue: t.days_overdue,
                        bar: bar(t),
                    });
                    y += g.task_height;
                }
            }
            tasks += p.tasks.len();
            group_counts.red += counts.red;
            group_counts.yellow += counts.yellow;
            group_counts.green += counts.green;
            group_counts.done += counts.done;
        }
        if let Row::Group { counts, .. } = &mut rows[group_row] {
            *counts = group_counts;
        }
        total.red += group_counts.red;
        total.yellow += group_counts.yellow;
        total.green += group_counts.green;
        total.done += group_counts.done;
    }
    Layout {
        width: g.label_width + g.chart_width,
        height: y.max(g.group_height),
        chart_x: g.label_width,
        from,
        to,
        ticks,
        today_x,
        rows,
        counts: total,
        projects: projects.len(),
        tasks,
    }
}

/// Where a task's bar lies: what was done when it is done (actual dates), otherwise the window
/// the backward schedule allows (latest start to latest finish), an actual start moving the
/// start. Missing dates fall back to the early dates, then to the deadline; `None` when the task
/// has no date at all (it is then left off the map).
#[allow(clippy::too_many_arguments)]
pub fn bar_dates(
    status: Status,
    actual_start: Option<NaiveDate>,
    actual_finish: Option<NaiveDate>,
    early_start: Option<NaiveDate>,
    early_finish: Option<NaiveDate>,
    late_start: Option<NaiveDate>,
    late_finish: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    let finish = if status == Status::Done {
        actual_finish.or(late_finish).or(early_finish).or(deadline)
    } else {
        late_finish.or(early_finish).or(deadline)
    }?;
    let start = actual_start
        .or(late_start)
        .or(early_start)
        .unwrap_or(finish)
        .min(finish);
    Some((start, finish))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn task(id: i64, start: &str, finish: &str, status: Status, critical: bool) -> MapTask {
        MapTask {
            id,
            name: format!("任务{id}"),
            unit: Some("县发改委".into()),
            start: d(start),
            finish: d(finish),
            status,
            days_overdue: 0,
            critical,
        }
    }

    fn project(id: i64, name: &str, group: Option<&str>, tasks: Vec<MapTask>) -> MapProject {
        MapProject {
            id,
            name: name.into(),
            group: group.map(str::to_string),
            stage: Stage::Signed,
            tasks,
            milestones: vec![MapMilestone {
                stage: Stage::Started,
                date: d("2026-06-30"),
                reached: false,
            }],
        }
    }

    #[test]
    fn filters_name_the_bad_field_and_accept_known_ids() {
        let known = KnownIds {
            townships: &[5],
            units: &[1, 2],
            chain_nodes: &[9],
        };
        let ok = MapQuery {
            township_id: "5".into(),
            unit_id: " 2 ".into(),
            stage: "签约".into(),
            group: "chain_node".into(),
            ..Default::default()
        }
        .validate(known)
        .unwrap();
        assert_eq!(
            (ok.township_id, ok.unit_id, ok.stage, ok.group),
            (Some(5), Some(2), Some(Stage::Signed), MapGrouping::ChainNode)
        );
        assert_eq!(MapQuery::default().validate(known).unwrap(), MapFilter::default());
        let bad = MapQuery {
            township_id: "东岭".into(),
            unit_id: "3".into(),
            chain_node_id: "9".into(),
            stage: "done".into(),
            group: "colour".into(),
            rows: "all".into(),
            ..Default::default()
        }
        .validate(known)
        .unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["township_id", "unit_id", "stage", "group", "rows"]);
        assert!(bad.0[1].rule.message(crate::validation::Lang::Zh).contains("单位"));
    }

    #[test]
    fn groups_come_in_name_order_with_unassigned_projects_last() {
        let ps = vec![
            project(1, "乙项目", None, vec![]),
            project(2, "甲项目", Some("西溪镇"), vec![]),
            project(3, "丙项目", Some("东岭镇"), vec![]),
            project(4, "丁项目", Some("东岭镇"), vec![]),
        ];
        let l = layout(&ps, d("2026-03-02"), MapRows::Tasks, &Geometry::default());
        let groups: Vec<Option<String>> = l
            .rows
            .iter()
            .filter_map(|r| match r {
                Row::Group { label, .. } => Some(label.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(groups, [Some("东岭镇".into()), Some("西溪镇".into()), None]);
        let projects: Vec<i64> = l
            .rows
            .iter()
            .filter_map(|r| match r {
                Row::Project { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        assert_eq!(projects, [4, 3, 2, 1], "丁 < 丙 in code-point order within 东岭镇");
    }

    #[test]
    fn bars_sit_on_the_axis_by_date_and_rows_stack_downwards() {
        let g = Geometry::default();
        let ps = vec![project(
            1,
            "碳酸锂项目",
            Some("东岭镇"),
            vec![
                task(10, "2026-03-02", "2026-03-06", Status::Red, true),
                task(11, "2026-03-09", "2026-04-30", Status::Green, false),
            ],
        )];
        let today = d("2026-03-16");
        let l = layout(&ps, today, MapRows::Tasks, &g);
        assert_eq!((l.from, l.to), (d("2026-03-01"), d("2026-07-01")));
        assert_eq!(
            l.ticks.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
            ["2026-03", "2026-04", "2026-05", "2026-06"]
        );
        let bars: Vec<(i64, i64, Bar)> = l
            .rows
            .iter()
            .filter_map(|r| match r {
                Row::Task { y, id, bar, .. } => Some((*y, *id, bar.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(bars.len(), 2);
        let (y0, _, b0) = &bars[0];
        let (y1, _, b1) = &bars[1];
        assert_eq!(*y0, g.group_height + g.project_height);
        assert_eq!(*y1, y0 + g.task_height);
        assert!(
            b0.x < b1.x && b0.x + b0.width <= b1.x,
            "the later task starts after the first ends"
        );
        assert_eq!((b0.status, b0.critical), (Status::Red, true));
        let today_x = l.today_x.unwrap();
        assert!(b0.x + b0.width <= today_x && today_x < b1.x + b1.width);
        assert_eq!(
            l.counts,
            Counts {
                red: 1,
                green: 1,
                ..Default::default()
            }
        );
        assert_eq!(l.height, y1 + g.task_height);
    }

    #[test]
    fn a_projects_lane_holds_its_bars_with_red_painted_last() {
        let ps = vec![project(
            1,
            "电芯项目",
            None,
            vec![
                task(1, "2026-03-02", "2026-03-06", Status::Red, false),
                task(2, "2026-03-02", "2026-03-06", Status::Done, false),
            ],
        )];
        let l = layout(&ps, d("2026-03-16"), MapRows::Projects, &Geometry::default());
        assert_eq!(l.rows.len(), 2, "a group row and a project lane, no task rows");
        let Row::Project { bars, .. } = &l.rows[1] else {
            panic!("a project row")
        };
        assert_eq!(bars.iter().map(|b| b.task_id).collect::<Vec<_>>(), [2, 1]);
    }

    #[test]
    fn the_axis_never_reaches_further_than_its_limit_from_today() {
        let g = Geometry::default();
        let ps = vec![project(
            1,
            "x",
            None,
            vec![task(1, "2015-01-01", "2040-01-01", Status::Green, false)],
        )];
        let l = layout(&ps, d("2026-03-16"), MapRows::Tasks, &g);
        assert!(l.from >= d("2024-03-01") && l.to <= d("2028-04-01"));
        let Row::Task { bar, .. } = &l.rows[2] else { panic!() };
        assert_eq!(
            (bar.x, bar.x + bar.width),
            (g.label_width, g.label_width + g.chart_width)
        );
        // Over two years the months are labelled by quarter.
        assert!(
            l.ticks
                .iter()
                .filter(|t| !t.label.is_empty())
                .all(|t| t.label.ends_with("-01")
                    || t.label.ends_with("-04")
                    || t.label.ends_with("-07")
                    || t.label.ends_with("-10"))
        );
    }

    #[test]
    fn an_open_problem_waits_on_whoever_acts_next() {
        use crate::problem::ProblemStatus;
        assert_eq!(waiting_on(ProblemStatus::Raised), Some(WaitingOn::Office));
        assert_eq!(waiting_on(ProblemStatus::Assigned), Some(WaitingOn::Unit));
        assert_eq!(waiting_on(ProblemStatus::Answered), Some(WaitingOn::Enterprise));
        assert_eq!(waiting_on(ProblemStatus::Solved), None);
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(cut("年产2万吨电池级碳酸锂项目", 5), "年产2万…");
        assert_eq!(cut("短", 5), "短");
    }

    #[test]
    fn a_done_task_is_drawn_where_it_was_done_and_an_open_one_in_its_allowed_window() {
        let done = bar_dates(
            Status::Done,
            Some(d("2026-02-02")),
            Some(d("2026-02-10")),
            None,
            None,
            Some(d("2026-01-05")),
            Some(d("2026-01-09")),
            None,
        );
        assert_eq!(done, Some((d("2026-02-02"), d("2026-02-10"))));
        let open = bar_dates(
            Status::Red,
            None,
            None,
            Some(d("2026-03-16")),
            Some(d("2026-03-20")),
            Some(d("2026-01-05")),
            Some(d("2026-01-09")),
            None,
        );
        assert_eq!(open, Some((d("2026-01-05"), d("2026-01-09"))));
        assert_eq!(bar_dates(Status::Green, None, None, None, None, None, None, None), None);
    }
}
