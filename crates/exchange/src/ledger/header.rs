//! Finding the header of a ledger: below a title row (横峰县2026年重点项目台账), one row deep or two
//! (a group such as 投资情况 spanning 总投资 and 其中固投 beneath it).

use super::cell::Cell;
use super::dictionary::{ColumnDictionary, Known};
use super::field::{LedgerField, LedgerKind};
use super::mapping::unit_in_header;
use super::text::header_key;
use chainforce_domain::amount::MoneyUnit;
use std::collections::HashSet;

/// A row kept while the header is searched for.
#[derive(Debug, Clone)]
pub(crate) struct WindowRow {
    pub row: u32,
    pub cells: Vec<Cell<'static>>,
}

/// Where the header is and what its columns are called.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeaderGuess {
    /// 0-based sheet rows, `first_row == last_row` for a one-row header.
    pub first_row: u32,
    pub last_row: u32,
    pub kind: LedgerKind,
    /// One name per column; a two-row header gives "parent/child" under a group.
    pub names: Vec<String>,
    /// The money unit a line above the header states for the whole sheet ("单位：亿元").
    pub sheet_unit: Option<MoneyUnit>,
}

/// Fewer recognised columns than this is a title or a data row, not a header.
const MIN_SCORE: usize = 2;

/// The row (or pair of rows) whose cells name the most known columns.
pub(crate) fn find_header(window: &[WindowRow], dict: &ColumnDictionary) -> Option<HeaderGuess> {
    let mut best: Option<(usize, HeaderGuess)> = None;
    let mut consider = |score: usize, guess: HeaderGuess| {
        if score >= MIN_SCORE && best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, guess));
        }
    };
    for (i, top) in window.iter().enumerate() {
        if !is_header_like(&top.cells, 2) {
            continue;
        }
        let single = names_of(&top.cells, None);
        let (score1, kind1) = score(&single, dict);
        consider(
            score1,
            HeaderGuess {
                first_row: top.row,
                last_row: top.row,
                kind: kind1,
                names: single,
                sheet_unit: None,
            },
        );
        if let Some(bottom) = window.get(i + 1)
            && top.row.checked_add(1) == Some(bottom.row)
            && is_header_like(&bottom.cells, 1)
        {
            let double = names_of(&top.cells, Some(&bottom.cells));
            let (score2, kind2) = score(&double, dict);
            // Only when the second row adds columns: a data row below a header never should.
            if score2 > score1 {
                consider(
                    score2,
                    HeaderGuess {
                        first_row: top.row,
                        last_row: bottom.row,
                        kind: kind2,
                        names: double,
                        sheet_unit: None,
                    },
                );
            }
        }
    }
    let (_, mut guess) = best?;
    apply_stated_units(&mut guess, window);
    Some(guess)
}

/// Units a ledger states outside its header: "单位：亿元" on a line above it, or a row of units
/// (万元, 亩 …) right below it, which then counts as part of the header.
fn apply_stated_units(guess: &mut HeaderGuess, window: &[WindowRow]) {
    guess.sheet_unit = window
        .iter()
        .filter(|r| r.row < guess.first_row)
        .flat_map(|r| r.cells.iter())
        .filter_map(|c| match c {
            Cell::Text(t) if header_key(t).contains("单位") && t.contains('元') => Some(unit_in_header(t)),
            _ => None,
        })
        .next();
    let Some(below) = window.iter().find(|r| Some(r.row) == guess.last_row.checked_add(1)) else {
        return;
    };
    if !is_units_row(&below.cells) {
        return;
    }
    for (name, cell) in guess.names.iter_mut().zip(&below.cells) {
        let unit = cell.display();
        if !name.is_empty() && !unit.is_empty() && !name.contains(unit.as_ref()) {
            *name = format!("{name}（{unit}）");
        }
    }
    guess.last_row = below.row;
}

/// A row of nothing but units: 万元, 亿元, 亩, 个, %, 吨 …
fn is_units_row(cells: &[Cell<'_>]) -> bool {
    const UNITS: [&str; 16] = [
        "元",
        "万元",
        "亿元",
        "亩",
        "公顷",
        "个",
        "%",
        "吨",
        "万吨",
        "gwh",
        "mwh",
        "mw",
        "平方米",
        "㎡",
        "人",
        "天",
    ];
    let mut any = false;
    for c in cells.iter().filter(|c| !c.is_blank()) {
        let Cell::Text(t) = c else {
            return false;
        };
        let k = header_key(t);
        if !(UNITS.contains(&k.as_str()) || k.starts_with("单位")) {
            return false;
        }
        any = true;
    }
    any
}

/// Header rows hold text: at least `min_cells` cells, nearly all of them text.
fn is_header_like(cells: &[Cell<'_>], min_cells: usize) -> bool {
    let filled = cells.iter().filter(|c| !c.is_blank()).count();
    let text = cells
        .iter()
        .filter(|c| matches!(c, Cell::Text(_)) && !c.is_blank())
        .count();
    filled >= min_cells && text * 5 >= filled * 4
}

/// Column names from one header row, or from two: under a group cell the child is named
/// "group/child"; a cell merged down over both rows keeps its own name.
pub(crate) fn names_of(top: &[Cell<'_>], bottom: Option<&[Cell<'_>]>) -> Vec<String> {
    let bottom = bottom.unwrap_or(&[]);
    let width = top.len().max(bottom.len());
    let text = |cells: &[Cell<'_>], i: usize| cells.get(i).map(|c| c.display().into_owned()).unwrap_or_default();
    let mut group: Option<String> = None;
    (0..width)
        .map(|i| {
            let (t, b) = (text(top, i), text(bottom, i));
            match (t.is_empty(), b.is_empty()) {
                (false, true) => {
                    group = None;
                    t
                }
                (false, false) => {
                    let name = format!("{t}/{b}");
                    group = Some(t);
                    name
                }
                // Merged cells keep their value in the first cell only: an empty top under a
                // group continues the group while the row below names sub-columns.
                (true, false) => match &group {
                    Some(g) => format!("{g}/{b}"),
                    None => b,
                },
                (true, true) => {
                    group = None;
                    String::new()
                }
            }
        })
        .collect()
}

/// How many distinct known columns the names hold, and which kind of sheet they suggest. A task
/// list needs a task-name column and must name at least as many task columns as project columns.
fn score(names: &[String], dict: &ColumnDictionary) -> (usize, LedgerKind) {
    let count = |kind: LedgerKind| {
        let mut fields: HashSet<LedgerField> = HashSet::new();
        let mut others = 0;
        for n in names {
            match dict.recognise(kind, n) {
                Some(Known::Field(f)) => {
                    fields.insert(f);
                }
                Some(Known::Other) => others += 1,
                None => {}
            }
        }
        let has_task_name = fields.contains(&LedgerField::TaskName);
        (fields.len() + others, has_task_name)
    };
    let (projects, _) = count(LedgerKind::Projects);
    let (tasks, has_task_name) = count(LedgerKind::Tasks);
    if has_task_name && tasks >= projects {
        (tasks, LedgerKind::Tasks)
    } else {
        (projects, LedgerKind::Projects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(row: u32, cells: &[&str]) -> WindowRow {
        WindowRow {
            row,
            cells: cells
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string().into())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn a_group_header_over_two_rows_names_its_children_under_it() {
        let window = [
            row(0, &["横峰县2026年重点项目台账"]),
            row(1, &["序号", "项目名称", "投资情况", "", "建设地点", "责任单位"]),
            row(2, &["", "", "总投资（亿元）", "其中固投", "", ""]),
            WindowRow {
                row: 3,
                cells: vec![Cell::Int(1), Cell::Text("锂电项目".into()), Cell::Float(1.5)],
            },
        ];
        let h = find_header(&window, ColumnDictionary::builtin()).unwrap();
        assert_eq!((h.first_row, h.last_row, h.kind), (1, 2, LedgerKind::Projects));
        assert_eq!(
            h.names,
            [
                "序号",
                "项目名称",
                "投资情况/总投资（亿元）",
                "投资情况/其中固投",
                "建设地点",
                "责任单位"
            ]
        );
    }

    #[test]
    fn units_stated_above_or_below_the_header_join_it() {
        let window = [
            row(0, &["2026年重点项目台账"]),
            row(1, &["单位：亿元、亩"]),
            row(2, &["项目名称", "总投资", "用地面积", "本月完成投资"]),
            row(3, &["", "", "亩", "万元"]),
            row(4, &["锂电项目", "1.5", "150", "300"]),
        ];
        let h = find_header(&window, ColumnDictionary::builtin()).unwrap();
        assert_eq!((h.first_row, h.last_row), (2, 3));
        assert_eq!(h.sheet_unit, Some(MoneyUnit::Yi));
        assert_eq!(
            h.names,
            ["项目名称", "总投资", "用地面积（亩）", "本月完成投资（万元）"]
        );
    }

    #[test]
    fn a_one_row_header_is_not_merged_with_the_data_below() {
        let window = [
            row(0, &["项目名称", "总投资", "当前阶段"]),
            row(1, &["锂电项目", "1.5亿元", "签约"]),
        ];
        let h = find_header(&window, ColumnDictionary::builtin()).unwrap();
        assert_eq!((h.first_row, h.last_row), (0, 0));
    }

    #[test]
    fn a_task_list_is_told_from_a_project_ledger() {
        let window = [row(
            4,
            &["序号", "节点名称", "完成时限", "责任单位", "责任人", "完成情况"],
        )];
        let h = find_header(&window, ColumnDictionary::builtin()).unwrap();
        assert_eq!(h.kind, LedgerKind::Tasks);
    }

    #[test]
    fn a_sheet_of_prose_has_no_header() {
        let window = [row(0, &["会议纪要"]), row(1, &["各单位要高度重视", "抓好落实"])];
        assert_eq!(find_header(&window, ColumnDictionary::builtin()), None);
    }
}
