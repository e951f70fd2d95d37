//! 好资源配给好东家 (issue 9) in the database: the resource ledger (摸清家底), allocation rounds
//! with their applications and commitments, the expert panel (专家组), the decisions kept at
//! publication, and the commitments' progress (用好资源换好产业).
//!
//! The rules are the domain's (`chainforce_domain::allocation`): this module only loads their
//! inputs and keeps their results. Li2O and LCE are never stored: [`Store::resource_ledger`]
//! derives them from ore tonnes and grade each time.
//!
//! **Published means frozen**: every function that changes a round, its sources, its
//! applications, its panel, the experts' sheets or its decisions reads the round's state inside
//! its own write transaction and refuses a published round with [`crate::StoreError::Frozen`] —
//! whoever calls it, page, API or CLI.

mod commitments;
mod deposits;
mod panel;
mod plan_reviews;
mod rounds;

pub use commitments::TrackedCommitment;
pub use deposits::StoredDeposit;
pub use panel::{ExpertAssignment, StoredSheet};
pub use plan_reviews::PlanReview;
pub use rounds::{RoundDetail, RoundSource, RoundSummary, StoredApplication, StoredViolation};

use chainforce_domain::chain::Chain;

/// The chain graph eligibility (产品至少做到电芯) and the chain-span score are judged on: the
/// lithium chain shipped with the domain, the one the chain-map pages draw.
pub fn allocation_chain() -> Chain {
    Chain::lithium()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("resource values serialise")
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, id: i64, text: &str) -> crate::Result<T> {
    serde_json::from_str(text).map_err(|e| crate::StoreError::Corrupt(format!("{what} {id}: {e}")))
}
