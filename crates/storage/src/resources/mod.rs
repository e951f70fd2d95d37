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

/// The lithium chain shipped with the domain: what a round is judged on in a region that has no
/// chain map of its own.
pub fn allocation_chain() -> Chain {
    Chain::lithium()
}

/// The chain a region's rounds are judged on (产品至少做到电芯, the chain-span score, the
/// products an application may name).
#[derive(Debug, Clone)]
pub struct AllocationChain {
    pub chain: Chain,
    /// `true` when the region has no stored chain and the built-in one stands in: decisions
    /// then say so.
    pub built_in: bool,
}

/// The region's stored chain (产业链图谱) — the one with the built-in chain's code if there are
/// several, else the oldest — or the built-in chain when it has none.
pub(crate) async fn allocation_chain_in(
    conn: &mut sqlx::AnyConnection,
    region_id: i64,
) -> crate::Result<AllocationChain> {
    let built_in = allocation_chain();
    let ids: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, code FROM chains WHERE region_id = $1 ORDER BY id")
            .bind(region_id)
            .fetch_all(&mut *conn)
            .await?;
    let chosen = ids
        .iter()
        .find(|(_, code)| code.as_deref() == Some(built_in.spec().code.as_str()))
        .or(ids.first());
    match chosen {
        Some((id, _)) => Ok(AllocationChain {
            chain: crate::chains::load_chain(conn, *id).await?.checked()?,
            built_in: false,
        }),
        None => Ok(AllocationChain {
            chain: built_in,
            built_in: true,
        }),
    }
}

impl crate::Store {
    /// The chain the region's rounds are judged on; see [`AllocationChain`].
    pub async fn allocation_chain(&self, region_id: i64) -> crate::Result<AllocationChain> {
        let mut conn = self.read.acquire().await?;
        allocation_chain_in(&mut conn, region_id).await
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("resource values serialise")
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, id: i64, text: &str) -> crate::Result<T> {
    serde_json::from_str(text).map_err(|e| crate::StoreError::Corrupt(format!("{what} {id}: {e}")))
}
