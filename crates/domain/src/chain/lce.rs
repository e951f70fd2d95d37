//! LCE (碳酸锂当量, lithium carbonate equivalent): the common unit of lithium, the conversion factors
//! of DOMAIN.md §3 as data (`data/conversions.json`), and quantities that carry their unit.

use super::decimal;
use crate::amount::Amount;
use crate::labelled_enum;
use crate::validation::{FieldError, Lang, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

labelled_enum! {
    /// The unit of a figure, so that no page, export or API answer shows a bare number.
    pub enum Unit {
        TonnesOre = ("t_ore", "吨矿石", "t ore"),
        TonnesLi2o = ("t_li2o", "吨氧化锂(Li2O)", "t Li2O"),
        TonnesLce = ("t_lce", "吨碳酸锂当量(LCE)", "t LCE"),
        TonnesOrePerYear = ("t_ore_per_year", "吨矿石/年", "t ore/yr"),
        TonnesLcePerYear = ("t_lce_per_year", "吨碳酸锂当量/年", "t LCE/yr"),
        GwhPerYear = ("gwh_per_year", "GWh/年", "GWh/yr"),
        TonnesPerYear = ("t_per_year", "吨/年", "t/yr"),
        /// Lithium per GWh of cells.
        TonnesLcePerGwh = ("t_lce_per_gwh", "吨碳酸锂当量/GWh", "t LCE/GWh"),
        /// Lithium per tonne of a salt or cathode material.
        TonnesLcePerTonne = ("t_lce_per_t", "吨碳酸锂当量/吨", "t LCE/t"),
        Percent = ("percent", "%", "%"),
        Years = ("years", "年", "years"),
    }
}

/// A figure with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantity {
    pub value: Amount,
    pub unit: Unit,
}

impl Quantity {
    pub fn new(value: Amount, unit: Unit) -> Self {
        Quantity { value, unit }
    }

    /// "2473 吨碳酸锂当量(LCE)" / "2473 t LCE".
    pub fn display(&self, lang: Lang) -> String {
        format!("{} {}", self.value, self.unit.label(lang))
    }
}

/// How much LCE one tonne of a product holds (a salt or a cathode material).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFactor {
    pub name: String,
    pub name_en: String,
    pub lce_per_t: Amount,
}

/// The indicative lithium demand of one GWh of cells of a chemistry, in kt LCE per GWh. The
/// published figure is a range; the midpoint is used unless the office chooses a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandRange {
    pub name: String,
    pub name_en: String,
    pub low: Amount,
    pub high: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<Amount>,
}

impl DemandRange {
    /// The factor in use, in kt LCE per GWh: the chosen value, else the midpoint of the range.
    pub fn factor(&self) -> Amount {
        self.chosen.unwrap_or_else(|| {
            // (low + high) / 2, exactly: halving a four-place decimal can need a fifth place, so
            // round half away from zero like every other figure.
            decimal::div(self.low.saturating_add(self.high), Amount::from_int(2)).unwrap_or(self.low)
        })
    }
}

/// The share of an ore's contained lithium that ends up as LCE (beneficiation × conversion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// A fraction between 0 and 1.
    pub overall: Amount,
    /// Where the figure comes from, shown next to it.
    pub basis: String,
}

/// The conversion factors of DOMAIN.md §3, loaded from `data/conversions.json` (built in) or from
/// the office's own copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversions {
    #[serde(default)]
    pub source: Option<String>,
    /// t LCE per t Li2O.
    pub li2o_to_lce: Amount,
    /// t LCE per t Li.
    pub li_to_lce: Amount,
    /// t LiOH·H2O per t LCE.
    pub lce_to_lioh_h2o: Amount,
    /// Lithium salts by product code.
    pub salts: BTreeMap<String, ProductFactor>,
    /// Cathode materials by code.
    pub cathodes: BTreeMap<String, ProductFactor>,
    /// Lithium demand per GWh by cell chemistry code, in kt LCE per GWh.
    pub cell_demand_kt_lce_per_gwh: BTreeMap<String, DemandRange>,
    /// Recovery from contained lithium to LCE by ore type code; an ore type without one is counted
    /// as contained lithium, and the figures say so.
    #[serde(default)]
    pub ore_recovery: BTreeMap<String, Recovery>,
}

static BUILT_IN: LazyLock<Conversions> = LazyLock::new(|| {
    Conversions::from_json(include_str!("../../../../data/conversions.json"))
        .expect("data/conversions.json is checked by the tests")
});

impl Conversions {
    /// The factors shipped in `data/conversions.json`.
    pub fn builtin() -> Conversions {
        BUILT_IN.clone()
    }

    /// Reads and checks an office's conversion file.
    pub fn from_json(text: &str) -> Result<Conversions, ValidationErrors> {
        let c: Conversions = serde_json::from_str(text).map_err(|e| {
            ValidationErrors::single(
                "conversions",
                Rule::Other {
                    zh: format!("换算系数文件格式错误：{e}"),
                    en: format!("the conversion file is not valid: {e}"),
                },
            )
        })?;
        c.validate()?;
        Ok(c)
    }

    /// Every factor positive, every range ordered, every recovery a fraction.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let positive = |errs: &mut ValidationErrors, field: String, v: Amount| {
            if v.raw() <= 0 {
                errs.push(
                    field,
                    Rule::Other {
                        zh: "换算系数必须大于 0".into(),
                        en: "a conversion factor must be greater than 0".into(),
                    },
                );
            }
        };
        positive(&mut errs, "li2o_to_lce".into(), self.li2o_to_lce);
        positive(&mut errs, "li_to_lce".into(), self.li_to_lce);
        positive(&mut errs, "lce_to_lioh_h2o".into(), self.lce_to_lioh_h2o);
        for (code, f) in &self.salts {
            positive(&mut errs, format!("salts.{code}.lce_per_t"), f.lce_per_t);
        }
        for (code, f) in &self.cathodes {
            positive(&mut errs, format!("cathodes.{code}.lce_per_t"), f.lce_per_t);
        }
        for (code, r) in &self.cell_demand_kt_lce_per_gwh {
            let field = format!("cell_demand_kt_lce_per_gwh.{code}");
            positive(&mut errs, format!("{field}.low"), r.low);
            if r.high < r.low {
                errs.push(
                    format!("{field}.high"),
                    Rule::EndBeforeStart {
                        start_field: "low".into(),
                    },
                );
            }
            if let Some(c) = r.chosen {
                positive(&mut errs, format!("{field}.chosen"), c);
            }
        }
        for (code, r) in &self.ore_recovery {
            if r.overall.raw() <= 0 || r.overall > Amount::from_int(1) {
                errs.push(
                    format!("ore_recovery.{code}.overall"),
                    Rule::OutOfRange {
                        min: "0".into(),
                        max: "1".into(),
                    },
                );
            }
        }
        errs.into_result(|| ())
    }

    /// t LCE from t Li2O.
    pub fn lce_from_li2o(&self, li2o_t: Amount) -> Option<Amount> {
        decimal::mul(li2o_t, self.li2o_to_lce)
    }

    /// t LCE from t Li.
    pub fn lce_from_li(&self, li_t: Amount) -> Option<Amount> {
        decimal::mul(li_t, self.li_to_lce)
    }

    /// t LiOH·H2O from t LCE.
    pub fn lioh_h2o_from_lce(&self, lce_t: Amount) -> Option<Amount> {
        decimal::mul(lce_t, self.lce_to_lioh_h2o)
    }

    /// t LCE in `t` tonnes of a lithium salt; `None` for a product without a factor.
    pub fn lce_from_salt(&self, product: &str, t: Amount) -> Option<Amount> {
        decimal::mul(t, self.salts.get(product)?.lce_per_t)
    }

    /// t LCE in `t` tonnes of a cathode material; `None` for a material without a factor.
    pub fn lce_from_cathode(&self, material: &str, t: Amount) -> Option<Amount> {
        decimal::mul(t, self.cathodes.get(material)?.lce_per_t)
    }

    /// t LCE a year that `gwh` GWh a year of cells of `chemistry` need.
    pub fn lce_for_cells(&self, chemistry: &str, gwh: Amount) -> Option<Amount> {
        let kt = self.cell_demand_kt_lce_per_gwh.get(chemistry)?.factor();
        decimal::mul(decimal::mul(gwh, kt)?, Amount::from_int(1000))
    }
}

/// A code that is not among the configured ones, named with the codes that are.
pub(crate) fn unknown_code<'a>(field: String, known: impl Iterator<Item = &'a String>) -> FieldError {
    FieldError::new(
        field,
        Rule::NotOneOf {
            allowed: known.cloned().collect(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_factors_convert_as_domain_section_three_says() {
        let c = Conversions::builtin();
        assert_eq!(c.lce_from_li2o(a("1000")), Some(a("2473")));
        assert_eq!(c.lce_from_li(a("1000")), Some(a("5323")));
        assert_eq!(c.lioh_h2o_from_lce(a("1000")), Some(a("1136")));
        assert_eq!(
            c.lce_from_salt("lithium_hydroxide_monohydrate", a("1000")),
            Some(a("880"))
        );
        assert_eq!(
            c.lce_from_salt("lithium_hydroxide_anhydrous", a("1000")),
            Some(a("1543"))
        );
        assert_eq!(c.lce_from_salt("lithium_carbonate", a("20000")), Some(a("20000")));
        assert_eq!(c.lce_from_cathode("lfp", a("10000")), Some(a("2340")));
        assert_eq!(c.lce_from_cathode("ncm811", a("10000")), Some(a("3800")));
        assert_eq!(c.lce_from_salt("lithium_chloride", a("1")), None);
    }

    #[test]
    fn a_gwh_of_cells_needs_the_midpoint_of_the_published_range_unless_the_office_chooses() {
        let mut c = Conversions::builtin();
        // LFP 0.55–0.65 kt LCE/GWh → 0.6 kt = 600 t; NCM 0.65–0.75 → 700 t.
        assert_eq!(c.lce_for_cells("lfp", a("10")), Some(a("6000")));
        assert_eq!(c.lce_for_cells("ncm", a("10")), Some(a("7000")));
        c.cell_demand_kt_lce_per_gwh.get_mut("lfp").unwrap().chosen = Some(a("0.55"));
        assert_eq!(c.lce_for_cells("lfp", a("10")), Some(a("5500")));
        assert_eq!(c.lce_for_cells("sodium_ion", a("10")), None);
    }

    #[test]
    fn hydroxide_and_carbonate_factors_are_each_others_inverse_to_the_published_precision() {
        let c = Conversions::builtin();
        let lioh = c.lioh_h2o_from_lce(a("1000")).unwrap();
        let back = c.lce_from_salt("lithium_hydroxide_monohydrate", lioh).unwrap();
        // 0.880 × 1.136 = 0.99968: the published factors are rounded to three places.
        assert_eq!(back, a("999.68"));
    }

    #[test]
    fn an_office_file_with_a_zero_factor_or_an_inverted_range_is_refused_naming_the_entry() {
        let mut c = Conversions::builtin();
        c.salts.get_mut("lithium_carbonate").unwrap().lce_per_t = Amount::ZERO;
        let r = c.cell_demand_kt_lce_per_gwh.get_mut("ncm").unwrap();
        std::mem::swap(&mut r.low, &mut r.high);
        c.ore_recovery.get_mut("lepidolite").unwrap().overall = a("1.2");
        let errs = c.validate().unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "salts.lithium_carbonate.lce_per_t",
                "cell_demand_kt_lce_per_gwh.ncm.high",
                "ore_recovery.lepidolite.overall"
            ]
        );
        let json = serde_json::to_string(&c).unwrap();
        assert!(Conversions::from_json(&json).is_err());
        assert_eq!(Conversions::from_json("{").unwrap_err().0[0].field, "conversions");
    }

    #[test]
    fn quantities_show_their_unit_in_both_languages() {
        let q = Quantity::new(a("2473"), Unit::TonnesLce);
        assert_eq!(q.display(Lang::Zh), "2473 吨碳酸锂当量(LCE)");
        assert_eq!(q.display(Lang::En), "2473 t LCE");
        assert_eq!(serde_json::to_string(&q).unwrap(), r#"{"value":"2473","unit":"t_lce"}"#);
    }
}
