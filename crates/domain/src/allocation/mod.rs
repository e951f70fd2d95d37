//! 好资源配给好东家, 用好资源换好产业 — the resource ledger, ore-allocation rounds, the expert panel,
//! and the commitments given for ore.
//!
//! * [`resource_ledger`] (摸清家底): deposits with Li2O and LCE derived by the factors of
//!   `data/conversions.json`, totals per ore type and place; [`ResourceLedger::local_supply`]
//!   feeds [`crate::chain::material_balance`].
//! * A round ([`RoundInput`]) shares a yearly [`Quota`] from one or more deposits among
//!   [`Application`]s under [`RoundRules`] (`data/allocation/default-rules.json`):
//!   [`decide_round`] checks every eligibility rule with a reason, scores the eligible with the
//!   configured weights, ranks them with the stated tie-break, and allocates by rank order or pro
//!   rata with a minimum. Every [`Decision`] carries its rule checks, score lines and allocation
//!   reasons, so a published decision explains itself.
//! * [`RoundState`]: draft → open → closed → published; published is frozen (the storage layer
//!   enforces it; [`RoundState::transition`] refuses any move out of it).
//! * [`panel_scores`] (专家组): trimmed mean of the experts' scores, conflicted experts excluded;
//!   the result is one of the weighted criteria of a round. The same panel reviews a project's
//!   technical plan (技术方案评审, [`PlanReviewForm`]) on its own sheet.
//! * [`track_commitment`]: each promise against what has happened as of a date.

mod allocate;
mod commitment;
mod decision;
mod eligibility;
mod forms;
mod ledger;
mod panel;
mod round;
mod rules;
mod scoring;

#[cfg(test)]
mod tests;

pub use crate::chain::Explanation;
pub use commitment::{
    Actuals, Commitment, CommitmentItem, CommitmentReport, InvestmentMilestone, ItemStatus, TrackStatus,
    track_commitment,
};
pub use decision::{Decision, RoundInput, RoundOutcome, decide_round};
pub use eligibility::{
    ApplicantProfile, Application, EligibilityRule, RuleCheck, Violation, ViolationKind, check_eligibility,
};
pub use forms::{
    ApplicationDraft, ApplicationForm, DepositForm, PlanReviewDraft, PlanReviewForm, ProgressForm, RoundDraft,
    RoundForm, SheetForm, ViolationForm, default_panel_criteria, plan_review_criteria,
};
pub use ledger::{Deposit, DepositFigures, EstimateCategory, LedgerTotal, OreType, ResourceLedger, resource_ledger};
pub use panel::{
    ConflictDeclaration, ExpertTotal, Opinion, PanelCriterion, PanelInput, PanelResult, ScoreSheet, panel_scores,
};
pub use round::{Quota, QuotaSource, QuotaUnit, RoundState};
pub use rules::{
    AllocationMethod, ChainReachRule, Combine, EligibilityRules, HeadEnterpriseRule, PanelRules, PermuClassRule,
    ProRataBasis, RoundRules, ScoreCriterion, TieBreak, ViolationRule, Weight,
};
pub use scoring::ScoreLine;
