//! Classes A/B/C/D by cumulative quotas of the ranked firms, and the tie rule.
//!
//! A quota says how far down the ranking a class reaches: with A up to 20% of 10 rated firms,
//! positions 1–2 are A. A class's reach is ⌊percent × n ÷ 100⌋ positions, in integer arithmetic,
//! so a class never holds more than its share — except through ties, as the tie rule says.

use super::indicator::Indicator;
use crate::labelled_enum;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

labelled_enum! {
    /// An enterprise's class (DOMAIN.md §2). Ordered from best to not rated.
    pub enum Class {
        /// 优先发展.
        A = ("A", "A类（优先发展）", "A (priority development)"),
        /// 鼓励提升.
        B = ("B", "B类（鼓励提升）", "B (encouraged to improve)"),
        /// 规范转型.
        C = ("C", "C类（规范转型）", "C (to regulate and transform)"),
        /// 调控帮扶 / 整治.
        D = ("D", "D类（调控帮扶）", "D (restrained and assisted)"),
        /// 暂不评价: start-ups, firms still building, utilities, and firms with impossible data.
        T = ("T", "T类（暂不评价）", "T (not rated)"),
    }
}

/// How far down the ranking a class reaches, as a cumulative percentage of the rated firms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub class: Class,
    pub up_to_percent: u32,
}

/// Which firms compete with each other for the quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// 规上 and 规下 firms are ranked separately, each against its own quotas.
    PerGroup,
    /// All rated firms in one ranking.
    Pooled,
}

/// Which class firms share when they are still tied after every tie-break indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieClass {
    /// All take the class of the best position they share (a quota may be exceeded).
    HigherClass,
    /// All take the class of the worst position they share (quotas are never exceeded).
    LowerClass,
}

/// The tie rule: equal total scores (as rounded) are ordered by these indicators' values, higher
/// first, a missing value last; firms equal on all of them share a rank and a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieRule {
    #[serde(default)]
    pub break_by: Vec<Indicator>,
    pub then: TieClass,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRules {
    pub scope: Scope,
    /// In class order; the last reaches 100.
    pub quotas: Vec<Quota>,
    pub ties: TieRule,
}

/// A firm competing for a class.
pub(super) struct Contender {
    /// Position in the evaluation's enterprise list (sorted by enterprise id), so equal firms are
    /// listed in a stable order.
    pub index: usize,
    pub total: f64,
    pub tie_values: Vec<Option<f64>>,
}

/// A contender's place: rank 1 is best; tied firms share a rank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Placement {
    pub index: usize,
    pub rank: u32,
    pub class: Class,
}

fn better_first(a: &Contender, b: &Contender) -> Ordering {
    b.total.total_cmp(&a.total).then_with(|| {
        for (x, y) in a.tie_values.iter().zip(&b.tie_values) {
            // `None < Some`, so a missing value sorts last under the reversed comparison.
            let o = match (x, y) {
                (Some(x), Some(y)) => y.total_cmp(x),
                _ => y.partial_cmp(x).unwrap_or(Ordering::Equal),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    })
}

/// Ranks the contenders and gives each its class. `quotas` must be valid (see the config checks).
pub(super) fn place(mut contenders: Vec<Contender>, rules: &ClassRules) -> Vec<Placement> {
    contenders.sort_by(|a, b| better_first(a, b).then(a.index.cmp(&b.index)));
    let n = contenders.len() as u64;
    let class_at = |position: u64| {
        rules
            .quotas
            .iter()
            .find(|q| u64::from(q.up_to_percent) * n >= 100 * position)
            .map_or(Class::D, |q| q.class)
    };
    let mut out = Vec::with_capacity(contenders.len());
    let mut start = 0;
    while start < contenders.len() {
        let mut end = start + 1;
        while end < contenders.len() && better_first(&contenders[start], &contenders[end]) == Ordering::Equal {
            end += 1;
        }
        let position = match rules.ties.then {
            TieClass::HigherClass => start + 1,
            TieClass::LowerClass => end,
        } as u64;
        let class = class_at(position);
        for c in &contenders[start..end] {
            out.push(Placement {
                index: c.index,
                rank: start as u32 + 1,
                class,
            });
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(then: TieClass) -> ClassRules {
        ClassRules {
            scope: Scope::Pooled,
            quotas: vec![
                Quota {
                    class: Class::A,
                    up_to_percent: 20,
                },
                Quota {
                    class: Class::B,
                    up_to_percent: 70,
                },
                Quota {
                    class: Class::C,
                    up_to_percent: 95,
                },
                Quota {
                    class: Class::D,
                    up_to_percent: 100,
                },
            ],
            ties: TieRule { break_by: vec![], then },
        }
    }

    fn classes_of(totals: &[f64], then: TieClass) -> Vec<(u32, Class)> {
        let contenders = totals
            .iter()
            .enumerate()
            .map(|(index, &total)| Contender {
                index,
                total,
                tie_values: vec![],
            })
            .collect();
        let mut placed = place(contenders, &rules(then));
        placed.sort_by_key(|p| p.index);
        placed.into_iter().map(|p| (p.rank, p.class)).collect()
    }

    #[test]
    fn twenty_firms_split_four_fourteen_five_one() {
        // A reaches ⌊20×20/100⌋ = 4, B 14, C 19, D the last.
        let totals: Vec<f64> = (0..20).map(|i| 100.0 - i as f64).collect();
        let counts = classes_of(&totals, TieClass::HigherClass)
            .into_iter()
            .fold([0; 4], |mut c, (_, class)| {
                c[class as usize] += 1;
                c
            });
        assert_eq!(counts, [4, 10, 5, 1]);
    }

    #[test]
    fn firms_tied_across_the_a_boundary_share_the_class_the_tie_rule_names() {
        // Ten firms: A reaches position 2. Positions 2 and 3 are tied at 90.
        let totals = [95.0, 90.0, 90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 20.0];
        let higher = classes_of(&totals, TieClass::HigherClass);
        assert_eq!(
            &higher[..4],
            &[(1, Class::A), (2, Class::A), (2, Class::A), (4, Class::B)]
        );
        let lower = classes_of(&totals, TieClass::LowerClass);
        assert_eq!(
            &lower[..4],
            &[(1, Class::A), (2, Class::B), (2, Class::B), (4, Class::B)]
        );
    }

    #[test]
    fn a_tie_break_indicator_separates_equal_totals_and_a_missing_value_goes_last() {
        let contenders = vec![
            Contender {
                index: 0,
                total: 90.0,
                tie_values: vec![None],
            },
            Contender {
                index: 1,
                total: 90.0,
                tie_values: vec![Some(12.0)],
            },
            Contender {
                index: 2,
                total: 90.0,
                tie_values: vec![Some(30.0)],
            },
        ];
        let placed = place(contenders, &rules(TieClass::HigherClass));
        let order: Vec<(usize, u32)> = placed.iter().map(|p| (p.index, p.rank)).collect();
        assert_eq!(order, [(2, 1), (1, 2), (0, 3)]);
    }
}
