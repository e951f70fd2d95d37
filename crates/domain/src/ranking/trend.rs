//! Trends: how each unit's rank moved from one period to the next.

use super::board::Board;
use super::period::Period;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub unit_id: i64,
    pub name: String,
    /// One point per board, oldest first.
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendPoint {
    pub period: Period,
    /// `None` when the unit was not on that period's board.
    pub rank: Option<u32>,
    pub total: Option<f64>,
    /// Places gained since the period before (positive = moved up, e.g. from 5th to 2nd is +3);
    /// `None` for the first period or when either period has no rank.
    pub rank_change: Option<i64>,
}

/// The trend of every unit found on any of `boards`, ordered by the latest board's ranking (units
/// missing from it last, by id). Boards may come in any order; they are read oldest first.
pub fn trends(boards: &[Board]) -> Vec<Trend> {
    let mut ordered: Vec<&Board> = boards.iter().collect();
    ordered.sort_by_key(|b| b.period.start());
    let mut names: BTreeMap<i64, &str> = BTreeMap::new();
    for b in &ordered {
        for s in &b.standings {
            names.insert(s.unit_id, &s.name);
        }
    }
    let mut out: Vec<Trend> = names
        .into_iter()
        .map(|(unit_id, name)| {
            let mut previous: Option<u32> = None;
            let points = ordered
                .iter()
                .map(|b| {
                    let s = b.standing(unit_id);
                    let rank = s.map(|s| s.rank);
                    let rank_change = match (previous, rank) {
                        (Some(before), Some(now)) => Some(i64::from(before) - i64::from(now)),
                        _ => None,
                    };
                    previous = rank;
                    TrendPoint {
                        period: b.period,
                        rank,
                        total: s.map(|s| s.total),
                        rank_change,
                    }
                })
                .collect();
            Trend {
                unit_id,
                name: name.to_string(),
                points,
            }
        })
        .collect();
    out.sort_by_key(|t| {
        let last = t.points.last().and_then(|p| p.rank);
        (last.is_none(), last, t.unit_id)
    });
    out
}
