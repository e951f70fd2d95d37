//! The county's reference data (基础数据) held in memory: the region's settings, its working-day
//! calendar, its units, enterprises and chain nodes, and the schedule templates — the lists every
//! filter bar and form chooses from, and the settings every status colour needs.
//!
//! Why: these change a few times a month, yet nearly every page read them afresh — the project
//! list's filters alone read the county's units, all its enterprises and every chain node, about
//! a fifth of that page's time. They are keyed by `audit_head.reference_seq`, a counter that every
//! committed write auditing an entity not known to be outside the reference data moves in the same
//! transaction ([`moves_references`], checked by `WriteTx::commit`). A read asks that one number
//! first; if it equals the kept copy's, the copy is current, on any number of server processes
//! sharing the database. The number is read before the data (once per request, see
//! [`crate::request`]), so a copy is never older than the version it is kept under.

use crate::{Result, Store};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// Audit entities of the day-to-day records — problems, meetings, evaluations, resources,
/// accounts — which neither the reference data nor the task board shows. Anything not named here
/// or in a list built on it — including an entity added later — moves both versions, so a
/// forgotten entry costs a re-read, never a stale list.
pub(crate) const RECORDS: &[&str] = &[
    "allocation_round",
    "attachment",
    "commitment",
    "deposit",
    "enterprise_violation",
    "enterprise_year",
    "evaluation",
    "investment_target",
    "meeting",
    "method",
    "monthly_report",
    "outbox",
    "plan_review",
    "problem",
    "robot",
    "round_application",
    "share_target",
    "user",
];

/// Whether a change audited as `entity` may change the reference data: anything but the records
/// and the work on projects and their tasks.
pub(crate) fn moves_references(entity: &str) -> bool {
    !(RECORDS.contains(&entity) || matches!(entity, "project" | "task"))
}

/// Copies kept per key (a region's id; 0 for what is not per region), each with the version it
/// was read at.
pub(crate) struct Kept<T>(Mutex<HashMap<i64, (i64, Arc<T>)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(Mutex::new(HashMap::new()))
    }
}

/// Regions kept at most: a province has about a hundred counties; past this the copies are
/// dropped rather than grow without bound.
const MAX_KEYS: usize = 512;

impl<T> Kept<T> {
    fn current(&self, key: i64, seq: i64) -> Option<Arc<T>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(&key).filter(|(s, _)| *s == seq).map(|(_, v)| v.clone())
    }

    fn keep(&self, key: i64, seq: i64, value: Arc<T>) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= MAX_KEYS && !kept.contains_key(&key) {
            kept.clear();
        }
        kept.insert(key, (seq, value));
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Every kind of reference data kept.
#[derive(Default)]
pub(crate) struct ReferenceCache {
    pub regions: Kept<crate::regions::Region>,
    pub calendars: Kept<chainforce_domain::calendar::Calendar>,
    pub units: Kept<Vec<crate::units::Unit>>,
    pub enterprises: Kept<Vec<crate::enterprises::Enterprise>>,
    pub chain_nodes: Kept<Vec<crate::chains::ChainNode>>,
    pub templates: Kept<Vec<crate::templates::StoredTemplate>>,
}

impl ReferenceCache {
    /// Forgets every copy (after a change made outside the audited write path).
    pub(crate) fn clear(&self) {
        self.regions.clear();
        self.calendars.clear();
        self.units.clear();
        self.enterprises.clear();
        self.chain_nodes.clear();
        self.templates.clear();
    }
}

impl Store {
    /// The reference data's version: how many commits so far could change it.
    pub async fn reference_version(&self) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as("SELECT reference_seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok(seq)
    }

    /// The copy of `key` in `kept` if it is current, else what `read` reads, kept.
    pub(crate) async fn kept<T, F>(&self, kept: &Kept<T>, key: i64, read: impl FnOnce() -> F) -> Result<Arc<T>>
    where
        F: Future<Output = Result<T>>,
    {
        let seq = self.versions().await?.reference;
        if let Some(v) = kept.current(key, seq) {
            return Ok(v);
        }
        let value = Arc::new(read().await?);
        kept.keep(key, seq, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_to_day_work_leaves_the_reference_data_alone() {
        assert!(!moves_references("problem"));
        assert!(!moves_references("task"));
        assert!(!moves_references("project"));
    }

    #[test]
    fn what_the_lists_are_made_of_moves_it_and_so_does_anything_unknown() {
        for entity in [
            "unit",
            "enterprise",
            "region",
            "chain",
            "chain_node",
            "template",
            "calendar_notice",
            "calendar_region_day",
            "ledger",
            "something_added_next_year",
        ] {
            assert!(moves_references(entity), "{entity}");
        }
    }

    #[test]
    fn a_copy_is_current_only_at_the_version_it_was_read() {
        let kept: Kept<&str> = Kept::default();
        kept.keep(7, 3, Arc::new("units of county 7"));
        assert_eq!(kept.current(7, 3).as_deref(), Some(&"units of county 7"));
        assert_eq!(kept.current(7, 4), None);
        assert_eq!(kept.current(8, 3), None);
    }
}
