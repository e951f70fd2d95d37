//! An allocation round's life (draft → open → closed → published) and its quota.

use crate::amount::Amount;
use crate::chain::Unit;
use crate::labelled_enum;
use crate::validation::{FieldError, Lang, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Where a round stands. Once published it is frozen: the storage layer refuses any change
    /// to a published round, its applications, scores and decisions.
    pub enum RoundState {
        /// 草稿 — quota and rules being set.
        Draft = ("draft", "草稿", "Draft"),
        /// 受理中 — applications accepted.
        Open = ("open", "受理中", "Open"),
        /// 已截止 — no more applications; review, scoring and the decision.
        Closed = ("closed", "已截止", "Closed"),
        /// 已公布 — the decision is public and frozen.
        Published = ("published", "已公布", "Published"),
    }
}

impl RoundState {
    /// The legal moves: draft → open, open → closed, closed → open (reopened, e.g. a deadline
    /// extended), closed → published. Nothing leaves published.
    pub fn can_become(self, to: RoundState) -> bool {
        use RoundState::*;
        matches!(
            (self, to),
            (Draft, Open) | (Open, Closed) | (Closed, Open) | (Closed, Published)
        )
    }

    /// The new state, or an error naming both states.
    pub fn transition(self, to: RoundState) -> Result<RoundState, FieldError> {
        if self.can_become(to) {
            return Ok(to);
        }
        let (fz, tz, fe, te) = (
            self.label(Lang::Zh),
            to.label(Lang::Zh),
            self.label(Lang::En),
            to.label(Lang::En),
        );
        let (zh, en) = if self == RoundState::Published {
            (
                format!("配置轮次已公布并冻结，不能改为“{tz}”"),
                format!("the round is published and frozen; it cannot become {te}"),
            )
        } else {
            (
                format!("配置轮次不能从“{fz}”改为“{tz}”"),
                format!("a round cannot go from {fe} to {te}"),
            )
        };
        Err(FieldError::new("state", Rule::Other { zh, en }))
    }

    pub fn is_frozen(self) -> bool {
        self == RoundState::Published
    }

    /// Why a published round refuses a change, as the user is told: which round, that it is
    /// published, and since when (`published_at`, as the reader's clock shows it).
    pub fn frozen_reason(name: &str, published_at: &str) -> crate::chain::Explanation {
        crate::chain::Explanation {
            zh: format!("配置轮次「{name}」已于 {published_at} 公布；公布后即冻结，不能再修改。"),
            en: format!(
                "The round “{name}” was published on {published_at}; a published round is frozen and can no longer change."
            ),
        }
    }

    /// Quota, rules and sources may change only in a draft.
    pub fn rules_editable(self) -> bool {
        self == RoundState::Draft
    }

    pub fn accepts_applications(self) -> bool {
        self == RoundState::Open
    }

    /// Reviews, scores and the decision are made while closed.
    pub fn can_decide(self) -> bool {
        self == RoundState::Closed
    }
}

labelled_enum! {
    /// The unit a quota and its requests are in.
    pub enum QuotaUnit {
        OrePerYear = ("t_ore_per_year", "吨矿石/年", "t ore/yr"),
        LcePerYear = ("t_lce_per_year", "吨碳酸锂当量/年", "t LCE/yr"),
    }
}

impl QuotaUnit {
    pub fn unit(self) -> Unit {
        match self {
            QuotaUnit::OrePerYear => Unit::TonnesOrePerYear,
            QuotaUnit::LcePerYear => Unit::TonnesLcePerYear,
        }
    }
}

/// Part of a quota drawn from one deposit of the resource ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaSource {
    pub deposit_id: i64,
    pub amount: Amount,
}

/// The yearly amount a round shares out, from one or more deposits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub unit: QuotaUnit,
    pub sources: Vec<QuotaSource>,
}

impl Quota {
    pub fn total(&self) -> Amount {
        self.sources.iter().map(|s| s.amount).sum()
    }

    pub(crate) fn check(&self, errs: &mut ValidationErrors) {
        if self.sources.is_empty() {
            errs.push("quota.sources", Rule::Required);
        }
        for (i, s) in self.sources.iter().enumerate() {
            if s.amount.raw() <= 0 {
                errs.push(
                    format!("quota.sources[{i}].amount"),
                    Rule::Other {
                        zh: "配额必须大于 0".into(),
                        en: "must be greater than 0".into(),
                    },
                );
            }
            if self.sources[..i].iter().any(|o| o.deposit_id == s.deposit_id) {
                errs.push(format!("quota.sources[{i}].deposit_id"), Rule::Duplicate);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RoundState::*;

    #[test]
    fn a_round_goes_from_draft_to_open_to_closed_to_published() {
        let s = Draft.transition(Open).unwrap();
        let s = s.transition(Closed).unwrap();
        assert!(s.can_decide() && !s.accepts_applications());
        let s = s.transition(Published).unwrap();
        assert!(s.is_frozen());
    }

    #[test]
    fn a_closed_round_can_be_reopened_but_a_draft_cannot_be_published() {
        assert_eq!(Closed.transition(Open), Ok(Open));
        let e = Draft.transition(Published).unwrap_err();
        assert_eq!(e.field, "state");
        assert_eq!(e.rule.message(Lang::Zh), "配置轮次不能从“草稿”改为“已公布”");
        assert!(Open.transition(Published).is_err());
        assert!(Open.transition(Draft).is_err());
    }

    #[test]
    fn a_published_round_cannot_change_state_at_all() {
        for to in RoundState::ALL {
            let e = Published.transition(*to).unwrap_err();
            assert_eq!(
                e.rule.message(Lang::En),
                format!(
                    "the round is published and frozen; it cannot become {}",
                    to.label(Lang::En)
                )
            );
        }
        assert!(!Published.rules_editable() && !Published.accepts_applications() && !Published.can_decide());
        assert!(Draft.rules_editable() && !Open.rules_editable());
    }

    #[test]
    fn a_quota_adds_its_sources_and_refuses_empty_or_repeated_ones() {
        let q = Quota {
            unit: QuotaUnit::LcePerYear,
            sources: vec![
                QuotaSource {
                    deposit_id: 1,
                    amount: Amount::from_int(3000),
                },
                QuotaSource {
                    deposit_id: 2,
                    amount: Amount::from_int(2000),
                },
                QuotaSource {
                    deposit_id: 1,
                    amount: Amount::ZERO,
                },
            ],
        };
        assert_eq!(q.total(), Amount::from_int(5000));
        let mut errs = ValidationErrors::new();
        q.check(&mut errs);
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["quota.sources[2].amount", "quota.sources[2].deposit_id"]);
    }
}
