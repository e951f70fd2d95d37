//! 三论英雄 (issue 7) in the database: the enterprises' annual figures, the methods as versioned
//! JSON, evaluations frozen once published, share targets, and the live rows the ranking and
//! share boards are counted from.
//!
//! The rules are the domain's (`chainforce_domain::permu`, `chainforce_domain::ranking`): this
//! module only loads their inputs and keeps their results.
//!
//! **Frozen means frozen**: a published evaluation keeps its method version (and hash), its input
//! snapshot (and hash) and its result. Every function that changes an evaluation refuses a
//! published one with [`crate::StoreError::Frozen`], whoever calls it; a method version is never
//! updated at all (an edit is a new version).

mod boards;
mod enterprise_years;
mod evaluations;
mod methods;
mod targets;

pub use boards::{BoardUnits, RankingRows};
pub use enterprise_years::StoredEnterpriseYear;
pub use evaluations::{EvaluationStatus, EvaluationSummary, Reproduction};
pub use methods::{HeroMethod, MethodKind, SavedMethod};
pub use targets::StoredShareTarget;

/// The date in China (UTC+8) of a stored RFC 3339 timestamp: a problem solved at 23:30 Beijing
/// time was solved that day, not the next.
pub(crate) fn china_date(timestamp: &str) -> Option<chrono::NaiveDate> {
    let t = chrono::DateTime::parse_from_rfc3339(timestamp).ok()?;
    Some((t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8)).date_naive())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_late_evening_in_beijing_is_still_that_day() {
        assert_eq!(
            super::china_date("2022-08-22T15:30:00Z").unwrap().to_string(),
            "2022-08-22"
        );
        assert_eq!(
            super::china_date("2022-08-22T16:30:00Z").unwrap().to_string(),
            "2022-08-23"
        );
        assert_eq!(super::china_date("yesterday"), None);
    }
}
