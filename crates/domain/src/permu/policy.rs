//! The policy table: what each class means for an enterprise (差别化政策, DOMAIN.md §2).

use super::class::Class;
use crate::amount::Amount;
use crate::labelled_enum;
use crate::validation::Lang;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Access to new land.
    pub enum LandPolicy {
        Priority = ("priority", "优先保障用地", "Priority for land"),
        Normal = ("normal", "正常供地", "Normal access to land"),
        /// C: 不新增用地.
        NoNewLand = ("no_new_land", "不新增用地", "No new land"),
        /// D: may not bid in land auctions (不得参与土地竞买).
        BarredFromAuctions = ("barred_from_auctions", "不得参与土地竞买", "Barred from land auctions"),
    }
}

labelled_enum! {
    /// Access to energy (用能) quotas.
    pub enum EnergyPolicy {
        Priority = ("priority", "优先保障用能", "Priority for energy"),
        Normal = ("normal", "正常用能", "Normal energy access"),
        Restricted = ("restricted", "限制新增用能", "No additional energy"),
    }
}

/// An electricity surcharge that applies from the n-th consecutive year in the class. The highest
/// step reached applies; steps do not stack (Shandong: +0.05, +0.10, +0.15 ¥/kWh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurchargeStep {
    pub from_year: u32,
    /// 元/kWh, exact.
    pub yuan_per_kwh: Amount,
}

/// A policy measure in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub zh: String,
    pub en: String,
}

impl Measure {
    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

/// One row of the policy table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassPolicy {
    pub class: Class,
    /// T firms are often managed as B: the row of that class then applies.
    #[serde(default)]
    pub managed_as: Option<Class>,
    #[serde(default = "normal_land")]
    pub land: LandPolicy,
    #[serde(default = "normal_energy")]
    pub energy: EnergyPolicy,
    #[serde(default)]
    pub electricity_surcharge: Vec<SurchargeStep>,
    #[serde(default)]
    pub measures: Vec<Measure>,
}

fn normal_land() -> LandPolicy {
    LandPolicy::Normal
}

fn normal_energy() -> EnergyPolicy {
    EnergyPolicy::Normal
}

/// The policy that applies to one enterprise this year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPolicy {
    /// The class whose row applies (B for a T firm managed as B).
    pub row: Class,
    pub land: LandPolicy,
    pub energy: EnergyPolicy,
    /// Consecutive years in this year's class, this year included.
    pub years_in_class: u32,
    pub electricity_surcharge_yuan_per_kwh: Option<Amount>,
    pub measures: Vec<Measure>,
}

/// Looks up the row for `class` (following `managed_as` once) and the surcharge step reached
/// after `years_in_class` consecutive years. `None` when the table has no row for the class.
pub fn apply(table: &[ClassPolicy], class: Class, years_in_class: u32) -> Option<AppliedPolicy> {
    let find = |c: Class| table.iter().find(|p| p.class == c);
    let own = find(class)?;
    let row = match own.managed_as {
        Some(other) => find(other)?,
        None => own,
    };
    let surcharge = row
        .electricity_surcharge
        .iter()
        .filter(|s| s.from_year <= years_in_class)
        .max_by_key(|s| s.from_year)
        .map(|s| s.yuan_per_kwh);
    Some(AppliedPolicy {
        row: row.class,
        land: row.land,
        energy: row.energy,
        years_in_class,
        electricity_surcharge_yuan_per_kwh: surcharge,
        measures: row.measures.clone(),
    })
}

/// Consecutive years in `class` ending this year, from the earlier classes (most recent first).
pub fn years_in_class(class: Class, previous: &[Class]) -> u32 {
    1 + previous.iter().take_while(|c| **c == class).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(s: &str) -> Amount {
        Amount::parse_plain(s).unwrap()
    }

    fn table() -> Vec<ClassPolicy> {
        serde_json::from_str(
            r#"[
              {"class": "B"},
              {"class": "D", "land": "barred_from_auctions", "energy": "restricted",
               "electricity_surcharge": [
                 {"from_year": 1, "yuan_per_kwh": "0.05"},
                 {"from_year": 2, "yuan_per_kwh": "0.10"},
                 {"from_year": 3, "yuan_per_kwh": "0.15"}]},
              {"class": "T", "managed_as": "B"}
            ]"#,
        )
        .unwrap()
    }

    #[test]
    fn a_d_firm_pays_the_highest_surcharge_reached_and_they_do_not_stack() {
        let t = table();
        let surcharge = |years| apply(&t, Class::D, years).unwrap().electricity_surcharge_yuan_per_kwh;
        assert_eq!(surcharge(1), Some(yuan("0.05")));
        assert_eq!(surcharge(2), Some(yuan("0.10")));
        assert_eq!(surcharge(3), Some(yuan("0.15")));
        assert_eq!(surcharge(7), Some(yuan("0.15")));
        assert_eq!(apply(&t, Class::D, 1).unwrap().land, LandPolicy::BarredFromAuctions);
    }

    #[test]
    fn years_in_class_count_the_unbroken_run_up_to_this_year() {
        assert_eq!(years_in_class(Class::D, &[]), 1);
        assert_eq!(years_in_class(Class::D, &[Class::D, Class::D, Class::C]), 3);
        assert_eq!(years_in_class(Class::D, &[Class::C, Class::D]), 1);
    }

    #[test]
    fn a_t_firm_managed_as_b_gets_the_b_row() {
        let p = apply(&table(), Class::T, 1).unwrap();
        assert_eq!((p.row, p.land), (Class::B, LandPolicy::Normal));
        assert_eq!(apply(&table(), Class::A, 1), None);
    }
}
