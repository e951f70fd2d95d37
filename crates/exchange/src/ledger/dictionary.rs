//! The words of a county ledger: column names and their synonyms, stage and nature words, and the
//! markers of total rows. They live in `columns.json` so a deployment can add its own wording
//! without a rebuild ([`ColumnDictionary::from_json`]).

use super::field::{LedgerField, LedgerKind};
use super::text::{clean, header_key, strip_brackets};
use chainforce_domain::project::{ConstructionNature, Stage};
use chainforce_domain::task::TaskProgress;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

const BUILTIN: &str = include_str!("columns.json");

/// Names shorter than this only match a header exactly: "用地" must not claim "用地指标问题".
const MIN_CONTAINED_CHARS: usize = 3;
/// Headers longer than this are not searched for contained names: long text is data, not a title.
const MAX_HEADER_CHARS: usize = 32;

/// A word as typed is usually its own key; the normalised key is the fallback.
fn lookup<T: Copy>(map: &HashMap<String, T>, text: &str) -> Option<T> {
    map.get(clean(text)).or_else(|| map.get(&header_key(text))).copied()
}

fn words<T: Copy>(m: &BTreeMap<String, T>) -> HashMap<String, T> {
    m.iter().map(|(k, v)| (header_key(k), *v)).collect()
}

#[derive(Debug, Deserialize)]
struct Raw {
    projects: BTreeMap<LedgerField, Vec<String>>,
    tasks: BTreeMap<LedgerField, Vec<String>>,
    other_columns: Vec<String>,
    total_rows: Vec<String>,
    stages: BTreeMap<String, Stage>,
    natures: BTreeMap<String, ConstructionNature>,
    progress: BTreeMap<String, TaskProgress>,
}

/// What a header cell is known as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    Field(LedgerField),
    /// A column ledgers commonly have that chainforce does not import (序号, 联系电话 …). It still
    /// tells that a row is a header.
    Other,
}

/// Synonyms and words, normalised once at load.
#[derive(Debug)]
pub struct ColumnDictionary {
    projects: HashMap<String, Known>,
    tasks: HashMap<String, Known>,
    total_rows: Vec<String>,
    total_row_initials: Vec<char>,
    stages: HashMap<String, Stage>,
    natures: HashMap<String, ConstructionNature>,
    progress: HashMap<String, TaskProgress>,
}

impl ColumnDictionary {
    /// The dictionary shipped with chainforce.
    pub fn builtin() -> &'static ColumnDictionary {
        static DICT: OnceLock<ColumnDictionary> = OnceLock::new();
        DICT.get_or_init(|| ColumnDictionary::from_json(BUILTIN).expect("the shipped columns.json is valid"))
    }

    /// Loads a dictionary in the format of the shipped `columns.json`.
    pub fn from_json(json: &str) -> Result<ColumnDictionary, serde_json::Error> {
        let raw: Raw = serde_json::from_str(json)?;
        let table = |fields: &BTreeMap<LedgerField, Vec<String>>| {
            let mut map: HashMap<String, Known> = raw
                .other_columns
                .iter()
                .map(|n| (header_key(n), Known::Other))
                .collect();
            for (field, names) in fields {
                map.insert(
                    header_key(field.label(chainforce_domain::validation::Lang::Zh)),
                    Known::Field(*field),
                );
                for n in names {
                    map.insert(header_key(n), Known::Field(*field));
                }
            }
            map
        };
        Ok(ColumnDictionary {
            projects: table(&raw.projects),
            tasks: table(&raw.tasks),
            total_rows: raw.total_rows.iter().map(|s| header_key(s)).collect(),
            total_row_initials: raw
                .total_rows
                .iter()
                .filter_map(|s| header_key(s).chars().next())
                .collect(),
            stages: words(&raw.stages),
            natures: words(&raw.natures),
            progress: words(&raw.progress),
        })
    }

    fn table(&self, kind: LedgerKind) -> &HashMap<String, Known> {
        match kind {
            LedgerKind::Projects => &self.projects,
            LedgerKind::Tasks => &self.tasks,
        }
    }

    /// What a header is known as in a sheet of this kind: an exact name first (with and without
    /// its bracketed unit), then the longest known name it contains.
    pub(crate) fn recognise(&self, kind: LedgerKind, header: &str) -> Option<Known> {
        let table = self.table(kind);
        let full = header_key(header);
        if full.is_empty() {
            return None;
        }
        let bare = header_key(&strip_brackets(header));
        if let Some(k) = table.get(&full).or_else(|| table.get(&bare)) {
            return Some(*k);
        }
        if full.chars().count() <= MAX_HEADER_CHARS
            && let Some(k) = table
                .iter()
                .filter(|(name, _)| name.chars().count() >= MIN_CONTAINED_CHARS && full.contains(name.as_str()))
                .max_by_key(|(name, known)| (name.chars().count(), matches!(known, Known::Field(_))))
                .map(|(_, k)| *k)
        {
            return Some(k);
        }
        // A long "parent/child" pair: the child is the most specific part.
        match header.rsplit_once('/') {
            Some((_, child)) => self.recognise(kind, child),
            None => None,
        }
    }

    pub(crate) fn is_total_row_label(&self, text: &str) -> bool {
        // Called on every row: most cells cannot start a marker, and need no key.
        let Some(first) = clean(text).chars().next() else {
            return false;
        };
        if !self.total_row_initials.contains(&first) {
            return false;
        }
        let k = header_key(text);
        !k.is_empty() && self.total_rows.iter().any(|m| k.starts_with(m.as_str()))
    }

    pub(crate) fn stage(&self, text: &str) -> Option<Stage> {
        lookup(&self.stages, text).or_else(|| Stage::parse_loose(text))
    }

    pub(crate) fn nature(&self, text: &str) -> Option<ConstructionNature> {
        lookup(&self.natures, text).or_else(|| ConstructionNature::parse_loose(text))
    }

    pub(crate) fn progress(&self, text: &str) -> Option<TaskProgress> {
        lookup(&self.progress, text).or_else(|| TaskProgress::parse_loose(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: LedgerKind, header: &str) -> Option<LedgerField> {
        match ColumnDictionary::builtin().recognise(kind, header) {
            Some(Known::Field(f)) => Some(f),
            _ => None,
        }
    }

    #[test]
    fn headers_are_recognised_however_the_office_wrote_them() {
        use LedgerField::*;
        let p = LedgerKind::Projects;
        assert_eq!(field(p, "项目名称"), Some(Name));
        assert_eq!(field(p, " 项 目\n名 称 "), Some(Name));
        assert_eq!(field(p, "总投资（亿元）"), Some(TotalInvestment));
        assert_eq!(field(p, "投资情况/其中：固定资产投资"), Some(FixedInvestment));
        assert_eq!(field(p, "1-10月累计完成投资(万元)"), Some(YearToDateInvestment));
        assert_eq!(field(p, "用地面积(亩)"), Some(LandArea));
        assert_eq!(field(p, "2026年计划投资"), Some(AnnualPlanInvestment));
        assert_eq!(field(p, "责任单位"), Some(LeadUnit));
        assert_eq!(field(LedgerKind::Tasks, "责任单位"), Some(ResponsibleUnit));
    }

    #[test]
    fn columns_chainforce_does_not_import_are_known_but_unmapped() {
        let d = ColumnDictionary::builtin();
        assert_eq!(d.recognise(LedgerKind::Projects, "序号"), Some(Known::Other));
        assert_eq!(
            d.recognise(LedgerKind::Projects, "开工至今累计完成投资"),
            Some(Known::Other)
        );
        assert_eq!(
            d.recognise(LedgerKind::Projects, "横峰县2026年重点项目台账（截至10月底）"),
            None
        );
    }

    #[test]
    fn ledger_words_for_stages_and_natures() {
        let d = ColumnDictionary::builtin();
        assert_eq!(d.stage("在建"), Some(Stage::Started));
        assert_eq!(d.stage("已 签约"), Some(Stage::Signed));
        assert_eq!(d.stage("signed"), Some(Stage::Signed));
        assert_eq!(d.stage("前期"), None);
        assert_eq!(d.nature("改扩建"), Some(ConstructionNature::Expansion));
        assert!(d.is_total_row_label("合 计"));
        assert!(d.is_total_row_label("小计（3个）"));
        assert!(!d.is_total_row_label("年产2万吨碳酸锂项目"));
    }
}
