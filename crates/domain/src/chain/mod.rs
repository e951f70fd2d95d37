//! 产业链图谱 — the industrial chain as data, where the county stands on it, and its lithium balance.
//!
//! * [`Chain`]: nodes (环节) with a [`ChainStage`] and "feeds" edges (A feeds B: what A's plants make
//!   is what B's plants take in, by-products included). The only cycles allowed run through an edge
//!   declared as recycling (回收 → an earlier stage); everything else must be acyclic, and a chain
//!   that is not is refused with the nodes of the cycle named. The lithium chain of DOMAIN.md §3
//!   ships as `data/chains/lithium.json` ([`Chain::lithium`]).
//! * [`local_presence`]: each node's local status (strong / weak / missing) from the enterprises and
//!   projects mapped onto it, by configurable [`PresenceRules`].
//! * [`gap_analysis`]: the longest locally covered path and, for every weak or missing node, what
//!   filling it would do (补链 / 延链 / 强链), ranked, with the reason in both languages.
//! * [`material_balance`]: the county's lithium demand in t LCE per year against local ore supply,
//!   using the [`Conversions`] of `data/conversions.json`.
//!
//! Every figure carries its unit ([`Quantity`]); tonnes and factors are exact decimals
//! ([`crate::Amount`]), never floats, so the same inputs always give the same figures to the last
//! digit a page shows.

mod balance;
pub(crate) mod decimal;
mod edit;
mod gaps;
mod graph;
mod lce;
mod presence;

pub use balance::{
    BalanceInput, BalanceLine, BalanceNodes, BalanceStep, CathodePlan, CellPlan, Layer, LocalSupply, MaterialBalance,
    NodeCapacity, SaltPlan, material_balance,
};
pub use edit::{
    ChainEdit, ContactDraft, ContactForm, EdgeForm, NewChainForm, NodeForm, Placement, PlacementForm,
    PresenceRulesForm, TargetDraft, TargetForm, TargetStatus,
};
pub use gaps::{Gap, GapAnalysis, GapKind, gap_analysis};
pub use graph::{Chain, ChainError, ChainProblem, ChainSpec, EdgeEnd, EdgeSpec, NodeSpec};
pub use lce::{Conversions, DemandRange, ProductFactor, Quantity, Recovery, Unit};
pub use presence::{LocalEnterprise, LocalProject, NodeLink, NodePresence, NodeStatus, PresenceRules, local_presence};

use crate::labelled_enum;
use crate::validation::Lang;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// The five stages of a chain (锂资源 → 锂材料 → 锂电池 → 锂应用 → 锂回收). The order of the
    /// variants is the order of the chain: a recycling edge must point to an earlier stage.
    pub enum ChainStage {
        /// 资源 — ore and brine.
        Resource = ("resource", "资源", "Resources"),
        /// 材料 — lithium salts, cathode and anode materials, electrolyte, foils, by-products.
        Material = ("material", "材料", "Materials"),
        /// 电池 — cells, modules, packs.
        Battery = ("battery", "电池", "Batteries"),
        /// 应用 — vehicles, energy storage, consumer electronics.
        Application = ("application", "应用", "Applications"),
        /// 回收 — retired batteries, second-life use, recycling.
        Recycling = ("recycling", "回收", "Recycling"),
    }
}

/// A sentence written for the user in both languages: why a node is weak, why a gap ranks where it
/// does, why an applicant passed a rule. Kept as a value so pages, exports and chat messages show
/// the same words, and so a published decision keeps the words it was published with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub zh: String,
    pub en: String,
}

impl Explanation {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Explanation {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}
