//! One data row → a checked project or task, or the refusals that say why not.

use super::cell::Cell;
use super::dictionary::ColumnDictionary;
use super::field::{LedgerField, LedgerKind, ValueKind};
use super::mapping::ColumnMapping;
use super::outcome::{ProgressFigures, ProjectRow, Refusal, RefusedRow, StageDates, TaskRow};
use super::text::{clean, column_letter, header_key};
use super::values::{self, DateRole};
use chainforce_domain::amount::MoneyUnit;
use chainforce_domain::project::{ConstructionNature, ProjectForm, Stage};
use chainforce_domain::task::TaskForm;
use chainforce_domain::validation::{self, Lang};
use chainforce_domain::{FieldError, Rule};

/// References (企业, 乡镇, 单位, 环节) are names of at most this many characters.
const MAX_NAME_CHARS: usize = 100;
/// 形象进度 and 存在问题 are prose.
const MAX_PROSE_CHARS: usize = 2000;

pub(crate) enum RowOutcome {
    Blank,
    Total,
    Section,
    RepeatedHeader,
    Project(Box<ProjectRow>),
    Task(Box<TaskRow>),
    Refused(RefusedRow),
}

struct Column {
    index: usize,
    field: LedgerField,
    unit: MoneyUnit,
    letter: String,
    header: String,
}

pub(crate) struct RowReader<'d> {
    dict: &'d ColumnDictionary,
    kind: LedgerKind,
    columns: Vec<Column>,
    /// The column whose emptiness marks a row with no record (项目名称 or 节点名称).
    key_column: Option<usize>,
    key_header: String,
    width: usize,
}

impl<'d> RowReader<'d> {
    pub fn new(mapping: &ColumnMapping, dict: &'d ColumnDictionary) -> Self {
        let columns: Vec<Column> = mapping
            .bound()
            .into_iter()
            .map(|(index, field, unit)| Column {
                index,
                field,
                unit,
                letter: column_letter(index as u32),
                header: mapping
                    .columns
                    .iter()
                    .find(|c| c.field == Some(field))
                    .map(|c| c.header.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let key_field = match mapping.kind {
            LedgerKind::Projects => LedgerField::Name,
            LedgerKind::Tasks => LedgerField::TaskName,
        };
        let key = columns.iter().find(|c| c.field == key_field);
        RowReader {
            dict,
            kind: mapping.kind,
            key_column: key.map(|c| c.index),
            key_header: key.map(|c| header_key(&c.header)).unwrap_or_default(),
            width: mapping
                .columns
                .iter()
                .filter_map(|c| super::text::column_index(&c.column))
                .max()
                .map_or(0, |m| m as usize + 1),
            columns,
        }
    }

    /// `row` is the 1-based sheet row.
    pub fn read(&self, row: u32, cells: &[Cell<'_>]) -> RowOutcome {
        let mut filled = cells.iter().filter(|c| !c.is_blank());
        let Some(first) = filled.next() else {
            return RowOutcome::Blank;
        };
        let only_one = filled.next().is_none();
        if cells
            .iter()
            .filter(|c| !c.is_blank())
            .take(3)
            .any(|c| matches!(c, Cell::Text(t) if self.dict.is_total_row_label(t)))
        {
            return RowOutcome::Total;
        }
        let key_cell = self.key_column.and_then(|i| cells.get(i));
        // A repeated header has the header's own short text in the key column.
        if let Some(Cell::Text(t)) = key_cell
            && clean(t).len() <= 2 * self.key_header.len()
            && header_key(t) == self.key_header
        {
            return RowOutcome::RepeatedHeader;
        }
        if only_one
            && let Cell::Text(t) = first
            && (key_cell.is_none_or(|c| c.is_blank()) || is_section_title(t))
        {
            return RowOutcome::Section;
        }
        let mut row_read = Reading {
            row,
            refusals: Vec::new(),
        };
        let outcome = match self.kind {
            LedgerKind::Projects => self.project(&mut row_read, cells).map(RowOutcome::Project),
            LedgerKind::Tasks => self.task(&mut row_read, cells).map(RowOutcome::Task),
        };
        match outcome {
            Some(o) if row_read.refusals.is_empty() => o,
            _ => RowOutcome::Refused(self.refused(row, cells, row_read.refusals)),
        }
    }

    pub(crate) fn refused(&self, row: u32, cells: &[Cell<'_>], refusals: Vec<Refusal>) -> RefusedRow {
        let text_of = |field| {
            self.columns
                .iter()
                .find(|c| c.field == field)
                .and_then(|c| cells.get(c.index))
                .map(|c| c.display().into_owned())
                .filter(|s| !s.is_empty())
        };
        RefusedRow {
            row,
            code: text_of(LedgerField::Code),
            name: text_of(LedgerField::Name),
            cells: (0..self.width.max(cells.len()))
                .map(|i| cells.get(i).map(|c| c.display().into_owned()).unwrap_or_default())
                .collect(),
            refusals,
        }
    }

    /// A row for a project an earlier row already gave.
    pub fn repeated(&self, row: u32, cells: &[Cell<'_>], field: LedgerField, value: &str, earlier: u32) -> RefusedRow {
        let col = self.column(field);
        let refusal = Refusal {
            row,
            column: col.map(|c| c.letter.clone()).unwrap_or_default(),
            header: col.map(|c| c.header.clone()).unwrap_or_default(),
            field: field.code().to_string(),
            value: value.to_string(),
            rule: Rule::Other {
                zh: format!("与第 {earlier} 行重复"),
                en: format!("repeats row {earlier}"),
            },
        };
        self.refused(row, cells, vec![refusal])
    }

    fn column(&self, field: LedgerField) -> Option<&Column> {
        self.columns.iter().find(|c| c.field == field)
    }

    fn project(&self, r: &mut Reading, cells: &[Cell<'_>]) -> Option<Box<ProjectRow>> {
        let mut form = ProjectForm::default();
        let mut out = Parts::default();
        for col in &self.columns {
            let cell = cells.get(col.index).unwrap_or(&Cell::Empty);
            use LedgerField as F;
            match col.field.kind() {
                ValueKind::Text => {
                    let text = cell.display();
                    match col.field {
                        F::Enterprise => out.enterprise = r.name(col, cell, &text),
                        F::ChainNode => out.chain_node = r.name(col, cell, &text),
                        F::Township => out.township = r.name(col, cell, &text),
                        F::LeadUnit => out.lead_unit = r.name(col, cell, &text),
                        F::SiteProgress => out.progress.site_progress = r.prose(col, cell, &text),
                        F::Problems => out.progress.problems = r.prose(col, cell, &text),
                        f => set(project_slot(&mut form, f), &text),
                    }
                }
                ValueKind::Money => {
                    let v = r.check(col, cell, values::money_wan(cell, col.unit)).flatten();
                    match col.field {
                        F::MonthInvestment => out.progress.month_investment = v,
                        F::YearToDateInvestment => out.progress.year_to_date_investment = v,
                        f => set(
                            project_slot(&mut form, f),
                            &v.map(|a| a.to_string()).unwrap_or_default(),
                        ),
                    }
                }
                ValueKind::Decimal => {
                    let v = r.check(col, cell, values::decimal(cell, "亩")).flatten();
                    set(
                        project_slot(&mut form, col.field),
                        &v.map(|a| a.to_string()).unwrap_or_default(),
                    );
                }
                ValueKind::EventDate | ValueKind::DeadlineDate => {
                    let role = if col.field.kind() == ValueKind::DeadlineDate {
                        DateRole::Deadline
                    } else {
                        DateRole::Event
                    };
                    let d = r.check(col, cell, values::date(cell, role)).flatten();
                    let dates = &mut out.stage_dates;
                    match col.field {
                        F::SignedOn => dates.signed_on = d,
                        F::RegisteredOn => dates.registered_on = d,
                        F::LandSuppliedOn => dates.land_supplied_on = d,
                        F::StartedOn => dates.started_on = d,
                        F::InProductionOn => dates.in_production_on = d,
                        f => set(
                            project_slot(&mut form, f),
                            &d.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                    }
                }
                ValueKind::Stage => {
                    let v = r.word(
                        col,
                        cell,
                        |t| self.dict.stage(t),
                        Stage::ALL.iter().map(|s| (s.label(Lang::Zh), s.code())),
                    );
                    form.stage = v.map(|s| s.code().to_string()).unwrap_or_default();
                }
                ValueKind::Nature => {
                    let v = r.word(
                        col,
                        cell,
                        |t| self.dict.nature(t),
                        ConstructionNature::ALL.iter().map(|s| (s.label(Lang::Zh), s.code())),
                    );
                    form.nature = v.map(|s| s.code().to_string()).unwrap_or_default();
                }
                ValueKind::Progress | ValueKind::Integer => {}
            }
        }
        if form.stage.is_empty()
            && let Some(stage) = stage_reached(&out.stage_dates)
        {
            form.stage = stage.code().to_string();
        }
        match form.validate() {
            Ok(draft) => Some(Box::new(ProjectRow {
                row: r.row,
                draft,
                enterprise: out.enterprise,
                chain_node: out.chain_node,
                township: out.township,
                lead_unit: out.lead_unit,
                stage_dates: out.stage_dates,
                progress: out.progress,
            })),
            Err(errs) => {
                for e in errs.0 {
                    r.form_error(self, e, cells, LedgerField::parse);
                }
                None
            }
        }
    }

    fn task(&self, r: &mut Reading, cells: &[Cell<'_>]) -> Option<Box<TaskRow>> {
        let mut form = TaskForm {
            // A node with a deadline and no duration is a milestone on that deadline.
            duration_days: "0".into(),
            ..TaskForm::default()
        };
        let mut project_code = None;
        let mut project_name = None;
        let mut responsible_unit = None;
        for col in &self.columns {
            let cell = cells.get(col.index).unwrap_or(&Cell::Empty);
            let text = cell.display();
            use LedgerField as F;
            match col.field {
                F::Code => project_code = r.name(col, cell, &text),
                F::Name => project_name = r.name(col, cell, &text),
                F::ResponsibleUnit => responsible_unit = r.name(col, cell, &text),
                F::TaskName => form.name = text.into_owned(),
                F::ResponsiblePerson => form.responsible_person = text.into_owned(),
                F::Deadline => {
                    let d = r.check(col, cell, values::date(cell, DateRole::Deadline)).flatten();
                    form.deadline = d.map(|d| d.to_string()).unwrap_or_default();
                }
                F::DurationDays => {
                    if let Some(n) = r.check(col, cell, values::integer(cell)).flatten() {
                        form.duration_days = n.to_string();
                    }
                }
                F::TaskProgress if !text.is_empty() => match self.dict.progress(&text) {
                    Some(p) => form.progress = p.code().to_string(),
                    // 完成情况 is often prose ("已完成土地摘牌，待办证"): kept as the note.
                    None => form.note = text.into_owned(),
                },
                _ => {}
            }
        }
        let task_field = |f: &str| match f {
            "name" => Some(LedgerField::TaskName),
            "note" | "progress" => Some(LedgerField::TaskProgress),
            "responsible_unit_id" => Some(LedgerField::ResponsibleUnit),
            other => LedgerField::parse(other),
        };
        match form.validate() {
            Ok(draft) => Some(Box::new(TaskRow {
                row: r.row,
                project_code,
                project_name,
                draft,
                responsible_unit,
            })),
            Err(errs) => {
                for e in errs.0 {
                    r.form_error(self, e, cells, task_field);
                }
                None
            }
        }
    }
}

/// What a project row holds besides its form.
#[derive(Default)]
struct Parts {
    enterprise: Option<String>,
    chain_node: Option<String>,
    township: Option<String>,
    lead_unit: Option<String>,
    stage_dates: StageDates,
    progress: ProgressFigures,
}

/// The refusals gathered while one row is read.
struct Reading {
    row: u32,
    refusals: Vec<Refusal>,
}

impl Reading {
    fn refuse(&mut self, col: &Column, cell: &Cell<'_>, rule: Rule) {
        self.refusals.push(Refusal {
            row: self.row,
            column: col.letter.clone(),
            header: col.header.clone(),
            field: col.field.code().to_string(),
            value: cell.display().into_owned(),
            rule,
        });
    }

    fn check<T>(&mut self, col: &Column, cell: &Cell<'_>, result: Result<T, Rule>) -> Option<T> {
        result.map_err(|rule| self.refuse(col, cell, rule)).ok()
    }

    fn text(&mut self, col: &Column, cell: &Cell<'_>, text: &str, max: usize) -> Option<String> {
        match validation::text(col.field.code(), text, false, max) {
            Ok(v) => v,
            Err(e) => {
                self.refuse(col, cell, e.rule);
                None
            }
        }
    }

    fn name(&mut self, col: &Column, cell: &Cell<'_>, text: &str) -> Option<String> {
        self.text(col, cell, text, MAX_NAME_CHARS)
    }

    fn prose(&mut self, col: &Column, cell: &Cell<'_>, text: &str) -> Option<String> {
        self.text(col, cell, text, MAX_PROSE_CHARS)
    }

    /// A word from a closed list (阶段, 建设性质); the refusal lists the words in the user's terms.
    fn word<'l, T>(
        &mut self,
        col: &Column,
        cell: &Cell<'_>,
        parse: impl Fn(&str) -> Option<T>,
        labels: impl Iterator<Item = (&'l str, &'l str)>,
    ) -> Option<T> {
        let text = cell.display();
        if text.is_empty() {
            return None;
        }
        let v = parse(&text);
        if v.is_none() {
            let allowed = labels.map(|(zh, code)| format!("{zh}（{code}）")).collect();
            self.refuse(col, cell, Rule::NotOneOf { allowed });
        }
        v
    }

    /// A rule the domain form broke, pinned back to the column that fed the field.
    fn form_error(
        &mut self,
        reader: &RowReader<'_>,
        e: FieldError,
        cells: &[Cell<'_>],
        field_of: impl Fn(&str) -> Option<LedgerField>,
    ) {
        let col = field_of(&e.field).and_then(|f| reader.column(f));
        match col {
            Some(col) => {
                let cell = cells.get(col.index).unwrap_or(&Cell::Empty);
                self.refuse(col, cell, e.rule);
            }
            None => self.refusals.push(Refusal {
                row: self.row,
                column: String::new(),
                header: String::new(),
                field: e.field,
                value: String::new(),
                rule: e.rule,
            }),
        }
    }
}

fn set(slot: Option<&mut String>, value: &str) {
    if let Some(s) = slot {
        *s = value.to_string();
    }
}

fn project_slot(form: &mut ProjectForm, field: LedgerField) -> Option<&mut String> {
    use LedgerField as F;
    Some(match field {
        F::Name => &mut form.name,
        F::Code => &mut form.code,
        F::Leader => &mut form.leader,
        F::Location => &mut form.location,
        F::Content => &mut form.content,
        F::Capacity => &mut form.capacity,
        F::TotalInvestment => &mut form.total_investment,
        F::FixedInvestment => &mut form.fixed_investment,
        F::AgreedInvestment => &mut form.agreed_investment,
        F::LandArea => &mut form.land_area,
        F::TargetStart => &mut form.target_start,
        F::AnnualPlanInvestment => &mut form.annual_plan_investment,
        _ => return None,
    })
}

/// With no 当前阶段 column, the furthest stage the recorded dates prove.
fn stage_reached(d: &StageDates) -> Option<Stage> {
    [
        (d.in_production_on, Stage::InProduction),
        (d.started_on, Stage::Started),
        (d.land_supplied_on, Stage::LandSupplied),
        (d.registered_on, Stage::Registered),
        (d.signed_on, Stage::Signed),
    ]
    .into_iter()
    .find_map(|(date, stage)| date.map(|_| stage))
}

/// A group title such as "一、续建项目" or "（二）新签约项目".
fn is_section_title(t: &str) -> bool {
    const NUMERALS: &str = "一二三四五六七八九十";
    let t = clean(t);
    let t = t.trim_start_matches(['（', '(']);
    let numerals = t.chars().take_while(|c| NUMERALS.contains(*c)).count();
    numerals > 0
        && t.chars()
            .nth(numerals)
            .is_some_and(|c| matches!(c, '、' | '）' | ')' | '.' | '．'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_titles_are_told_from_project_names() {
        assert!(is_section_title("一、续建项目"));
        assert!(is_section_title("（二）新签约项目"));
        assert!(!is_section_title("一期年产2万吨碳酸锂项目"));
        assert!(!is_section_title("十万吨锂渣综合利用"));
    }
}
