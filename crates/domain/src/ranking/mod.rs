//! 以排名论英雄 and 以份额论英雄 — ranking the units and townships of the task force.
//!
//! "项目建设进度和服务质量以排名论英雄, 跑项争资以份额论英雄" (DOMAIN.md §0). Two boards, both pure
//! functions over rows storage fills:
//!
//! * [`board::rank`] — a unit's work in a period (week, month, quarter, year): tasks finished on
//!   time, working days overdue, time to solve problems, enterprises' service ratings, meeting
//!   assignments closed on time. Which measures count and their weights are a [`RankingConfig`];
//!   every standing lists each measure's raw value, its points and the items that cost points.
//!   [`trend::trends`] follows the ranks across periods.
//! * [`share::shares`] — each township's or unit's share of the projects and investment signed,
//!   landed and started in the period, against its targets.

pub mod board;
pub mod config;
pub mod outcome;
pub mod period;
pub mod share;
pub mod trend;

#[cfg(test)]
mod tests;

pub use board::{Board, CostItem, MeasureResult, Standing, rank};
pub use config::{Measure, MeasureMethod, NoData, RankingConfig, Scoring};
pub use outcome::{
    AssignmentOutcome, Outcomes, ProblemOutcome, RankedUnit, RatingOutcome, RejectedRow, TaskOutcome,
    working_days_after, working_days_late,
};
pub use period::{Period, PeriodKind};
pub use share::{
    Attribution, Count, Milestone, MilestoneShare, MilestoneTotal, ProjectMilestones, ShareBoard, ShareTarget,
    UnitShares, shares,
};
pub use trend::{Trend, TrendPoint, trends};

/// The ranking method shipped with chainforce (`data/ranking/default.json`): the five measures
/// of issue 7 with illustrative weights, marked in its notes as a default the office should set.
const DEFAULT_METHOD: &str = include_str!("../../../../data/ranking/default.json");

/// The shipped default ranking method, checked.
pub fn default_method() -> RankingConfig {
    RankingConfig::from_json(DEFAULT_METHOD).expect("the shipped ranking method is valid")
}

/// The shipped default as its file reads, for an administrator to start editing from.
pub fn default_method_json() -> &'static str {
    DEFAULT_METHOD
}
