//! 专家组 — the expert panel's score of each application.
//!
//! Each expert scores an application against the round's criteria (each out of its maximum
//! points) and writes an opinion. An expert who declared a conflict of interest with an applicant
//! is left out for that applicant, whatever they submitted. For each application the experts'
//! totals (scaled to 100) are sorted, the `drop_lowest` lowest and `drop_highest` highest are set
//! aside, and the panel score is the mean of the rest — if at least `min_counted` remain; otherwise
//! there is no panel score and the reason says why. Among equal totals, the expert with the lower
//! id is taken as the lower one, so the same input always sets aside the same sheets.

use super::rules::PanelRules;
use crate::amount::Amount;
use crate::chain::Explanation;
use crate::chain::decimal;
use crate::validation::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One criterion of the panel's score sheet (技术先进性, 产业带动 …). `name` is written
/// "中文 / English" in the shipped sheets; one without " / " reads the same in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelCriterion {
    pub code: String,
    pub name: String,
    pub max_points: Amount,
}

impl PanelCriterion {
    /// The name in `lang`: "技术先进性 / Technology" reads 技术先进性 or Technology.
    pub fn label(&self, lang: crate::validation::Lang) -> &str {
        match self.name.split_once(" / ") {
            Some((zh, en)) => lang.pick(zh.trim(), en.trim()),
            None => self.name.as_str(),
        }
    }
}

/// One expert's sheet for one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSheet {
    pub expert_id: i64,
    pub application_id: i64,
    /// Points by criterion code.
    pub points: BTreeMap<String, Amount>,
    #[serde(default)]
    pub opinion: String,
}

/// 利益冲突声明: the expert stays out of this application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictDeclaration {
    pub expert_id: i64,
    pub application_id: i64,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelInput {
    pub criteria: Vec<PanelCriterion>,
    pub sheets: Vec<ScoreSheet>,
    #[serde(default)]
    pub conflicts: Vec<ConflictDeclaration>,
}

/// An expert's total for an application, out of 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertTotal {
    pub expert_id: i64,
    pub total: Amount,
}

/// An opinion kept with the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    pub expert_id: i64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelResult {
    pub application_id: i64,
    /// Out of 100; `None` when too few scores remain.
    pub score: Option<Amount>,
    pub counted: Vec<ExpertTotal>,
    pub dropped_lowest: Vec<ExpertTotal>,
    pub dropped_highest: Vec<ExpertTotal>,
    /// Experts left out for a declared conflict of interest.
    pub excluded_for_conflict: Vec<i64>,
    /// Opinions of the experts not left out.
    pub opinions: Vec<Opinion>,
    pub reason: Explanation,
}

/// The panel score of every application that has a sheet or a conflict declaration, by id.
pub fn panel_scores(input: &PanelInput, rules: &PanelRules) -> Result<Vec<PanelResult>, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut max_total = Amount::ZERO;
    for (i, c) in input.criteria.iter().enumerate() {
        if c.max_points.raw() <= 0 {
            errs.push(
                format!("criteria[{i}].max_points"),
                Rule::Other {
                    zh: "满分必须大于 0".into(),
                    en: "must be greater than 0".into(),
                },
            );
        }
        if input.criteria[..i].iter().any(|o| o.code == c.code) {
            errs.push(format!("criteria[{i}].code"), Rule::Duplicate);
        }
        max_total = max_total.saturating_add(c.max_points);
    }
    if input.criteria.is_empty() {
        errs.push("criteria", Rule::Required);
    }
    let mut seen = BTreeSet::new();
    for (i, s) in input.sheets.iter().enumerate() {
        if !seen.insert((s.expert_id, s.application_id)) {
            errs.push(format!("sheets[{i}]"), Rule::Duplicate);
        }
        for c in &input.criteria {
            match s.points.get(&c.code) {
                None => errs.push(format!("sheets[{i}].points.{}", c.code), Rule::Required),
                Some(p) if p.is_negative() || *p > c.max_points => errs.push(
                    format!("sheets[{i}].points.{}", c.code),
                    Rule::OutOfRange {
                        min: "0".into(),
                        max: c.max_points.to_string(),
                    },
                ),
                Some(_) => {}
            }
        }
        for code in s.points.keys() {
            if !input.criteria.iter().any(|c| &c.code == code) {
                errs.push(
                    format!("sheets[{i}].points.{code}"),
                    Rule::NotOneOf {
                        allowed: input.criteria.iter().map(|c| c.code.clone()).collect(),
                    },
                );
            }
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }

    let conflicted: BTreeSet<(i64, i64)> = input
        .conflicts
        .iter()
        .map(|c| (c.application_id, c.expert_id))
        .collect();
    let applications: BTreeSet<i64> = input
        .sheets
        .iter()
        .map(|s| s.application_id)
        .chain(input.conflicts.iter().map(|c| c.application_id))
        .collect();
    let hundred = Amount::from_int(100);
    Ok(applications
        .into_iter()
        .map(|app| {
            let mut totals = Vec::new();
            let mut opinions = Vec::new();
            for s in input.sheets.iter().filter(|s| s.application_id == app) {
                if conflicted.contains(&(app, s.expert_id)) {
                    continue;
                }
                let raw: Amount = s.points.values().copied().sum();
                totals.push(ExpertTotal {
                    expert_id: s.expert_id,
                    total: decimal::mul_div(raw, hundred, max_total).unwrap_or_default(),
                });
                if !s.opinion.trim().is_empty() {
                    opinions.push(Opinion { expert_id: s.expert_id, text: s.opinion.clone() });
                }
            }
            let excluded: Vec<i64> = input
                .conflicts
                .iter()
                .filter(|c| c.application_id == app)
                .map(|c| c.expert_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            totals.sort_by_key(|t| (t.total, t.expert_id));
            let valid = totals.len();
            let low = (rules.drop_lowest as usize).min(valid);
            let high = (rules.drop_highest as usize).min(valid - low);
            let dropped_highest = totals.split_off(valid - high);
            let counted = totals.split_off(low);
            let dropped_lowest = totals;
            let n = counted.len();
            let (dl, dh, min) = (rules.drop_lowest, rules.drop_highest, rules.min_counted);
            let conflict_zh = if excluded.is_empty() {
                String::new()
            } else {
                format!("，{} 位专家因利益冲突回避", excluded.len())
            };
            let conflict_en = if excluded.is_empty() {
                String::new()
            } else {
                format!(", {} expert(s) excluded for a conflict of interest", excluded.len())
            };
            let (score, reason) = if n >= min as usize && n > 0 {
                let sum: Amount = counted.iter().map(|t| t.total).sum();
                let mean = decimal::div(sum, Amount::from_int(n as i64)).unwrap_or_default();
                (
                    Some(mean),
                    Explanation::new(
                        format!("有效评分 {valid} 份{conflict_zh}；去掉最高 {dh} 份、最低 {dl} 份后取 {n} 份平均：{mean} 分"),
                        format!("{valid} valid scores{conflict_en}; mean of {n} after dropping the {dh} highest and {dl} lowest: {mean}"),
                    ),
                )
            } else {
                (
                    None,
                    Explanation::new(
                        format!("有效评分 {valid} 份{conflict_zh}；去掉最高 {dh} 份、最低 {dl} 份后剩 {n} 份，少于规定的 {min} 份，无专家组评分"),
                        format!("{valid} valid scores{conflict_en}; {n} left after dropping the {dh} highest and {dl} lowest, fewer than the {min} required: no panel score"),
                    ),
                )
            };
            PanelResult {
                application_id: app,
                score,
                counted,
                dropped_lowest,
                dropped_highest,
                excluded_for_conflict: excluded,
                opinions,
                reason,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    /// Two criteria worth 60 + 40 points.
    fn criteria() -> Vec<PanelCriterion> {
        vec![
            PanelCriterion {
                code: "tech".into(),
                name: "技术先进性".into(),
                max_points: a("60"),
            },
            PanelCriterion {
                code: "industry".into(),
                name: "产业带动".into(),
                max_points: a("40"),
            },
        ]
    }

    fn sheet(expert: i64, app: i64, tech: &str, industry: &str) -> ScoreSheet {
        ScoreSheet {
            expert_id: expert,
            application_id: app,
            points: [("tech".to_string(), a(tech)), ("industry".to_string(), a(industry))].into(),
            opinion: format!("专家{expert}意见"),
        }
    }

    fn rules() -> PanelRules {
        PanelRules {
            drop_highest: 1,
            drop_lowest: 1,
            min_counted: 3,
        }
    }

    fn ids(list: &[ExpertTotal]) -> Vec<i64> {
        list.iter().map(|t| t.expert_id).collect()
    }

    #[test]
    fn five_experts_the_highest_and_lowest_set_aside_and_the_rest_averaged() {
        // Totals: 90, 80, 70, 60, 95 → drop 60 and 95 → (90 + 80 + 70) / 3 = 80.
        let input = PanelInput {
            criteria: criteria(),
            sheets: vec![
                sheet(1, 7, "55", "35"),
                sheet(2, 7, "50", "30"),
                sheet(3, 7, "40", "30"),
                sheet(4, 7, "35", "25"),
                sheet(5, 7, "57", "38"),
            ],
            conflicts: vec![],
        };
        let r = &panel_scores(&input, &rules()).unwrap()[0];
        assert_eq!(r.score, Some(a("80")));
        assert_eq!(ids(&r.dropped_lowest), [4]);
        assert_eq!(ids(&r.dropped_highest), [5]);
        assert_eq!(ids(&r.counted), [3, 2, 1]);
        assert_eq!(
            r.reason.zh,
            "有效评分 5 份；去掉最高 1 份、最低 1 份后取 3 份平均：80 分"
        );
        assert_eq!(r.opinions.len(), 5);
    }

    #[test]
    fn a_conflicted_expert_is_left_out_even_with_a_sheet_on_file() {
        // Expert 5 (95) declared a conflict: 90, 80, 70, 60 remain → drop 60 and 90 → 75.
        let input = PanelInput {
            criteria: criteria(),
            sheets: vec![
                sheet(1, 7, "55", "35"),
                sheet(2, 7, "50", "30"),
                sheet(3, 7, "40", "30"),
                sheet(4, 7, "35", "25"),
                sheet(5, 7, "57", "38"),
            ],
            conflicts: vec![ConflictDeclaration {
                expert_id: 5,
                application_id: 7,
                reason: "曾任申请企业顾问".into(),
            }],
        };
        let r = &panel_scores(
            &input,
            &PanelRules {
                min_counted: 2,
                ..rules()
            },
        )
        .unwrap()[0];
        assert_eq!(r.score, Some(a("75")));
        assert_eq!(r.excluded_for_conflict, [5]);
        assert!(r.opinions.iter().all(|o| o.expert_id != 5));
        assert_eq!(
            r.reason.en,
            "4 valid scores, 1 expert(s) excluded for a conflict of interest; mean of 2 after dropping the 1 highest and 1 lowest: 75"
        );
    }

    #[test]
    fn too_few_experts_after_trimming_give_no_panel_score() {
        let input = PanelInput {
            criteria: criteria(),
            sheets: vec![
                sheet(1, 7, "55", "35"),
                sheet(2, 7, "50", "30"),
                sheet(3, 7, "40", "30"),
            ],
            conflicts: vec![ConflictDeclaration {
                expert_id: 3,
                application_id: 7,
                reason: String::new(),
            }],
        };
        let r = &panel_scores(&input, &rules()).unwrap()[0];
        assert_eq!(r.score, None);
        assert!(r.reason.zh.contains("剩 0 份，少于规定的 3 份"));
    }

    #[test]
    fn equal_totals_drop_the_lower_expert_id_as_lowest_and_means_round_at_four_places() {
        // Totals 70, 70, 80, 85, 81 → drop expert 1 (70, lower id) and expert 4 (85).
        // (70 + 80 + 81) / 3 = 77.0
        let input = PanelInput {
            criteria: criteria(),
            sheets: vec![
                sheet(2, 9, "40", "30"),
                sheet(1, 9, "40", "30"),
                sheet(3, 9, "50", "30"),
                sheet(4, 9, "50", "35"),
                sheet(5, 9, "51", "30"),
            ],
            conflicts: vec![],
        };
        let r = &panel_scores(&input, &rules()).unwrap()[0];
        assert_eq!(ids(&r.dropped_lowest), [1]);
        assert_eq!(r.score, Some(a("77")));
        let input = PanelInput {
            criteria: criteria(),
            sheets: vec![
                sheet(1, 9, "40", "30"),
                sheet(2, 9, "40", "31"),
                sheet(3, 9, "40", "31"),
            ],
            conflicts: vec![],
        };
        let r = &panel_scores(
            &input,
            &PanelRules {
                drop_highest: 0,
                drop_lowest: 0,
                min_counted: 1,
            },
        )
        .unwrap()[0];
        // (70 + 71 + 71) / 3 = 70.6667
        assert_eq!(r.score, Some(a("70.6667")));
    }

    #[test]
    fn points_above_the_maximum_missing_criteria_and_double_sheets_are_refused_by_field() {
        let mut over = sheet(1, 7, "61", "35");
        over.points.insert("price".into(), a("1"));
        let mut missing = sheet(2, 7, "50", "30");
        missing.points.remove("industry");
        let input = PanelInput {
            criteria: criteria(),
            sheets: vec![over, missing, sheet(1, 7, "1", "1")],
            conflicts: vec![],
        };
        let fields: Vec<String> = panel_scores(&input, &rules())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "sheets[0].points.tech",
                "sheets[0].points.price",
                "sheets[1].points.industry",
                "sheets[2]"
            ]
        );
    }
}
