//! What an evaluation reads about each enterprise for one year, and which of those figures cannot
//! be true.

use super::class::Class;
use crate::amount::Amount;
use crate::labelled_enum;
use crate::validation::{FieldError, Lang, Rule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

labelled_enum! {
    /// The enterprise group a method weighs differently: 规上 firms are judged on six indicators,
    /// 规下 firms mainly on tax (DOMAIN.md §2).
    pub enum SizeGroup {
        /// 规上 — above designated size.
        AboveScale = ("above_scale", "规上企业", "Above designated size"),
        /// 规下 — below designated size.
        BelowScale = ("below_scale", "规下企业", "Below designated size"),
    }
}

labelled_enum! {
    /// Why an enterprise is not rated this year (class T) even though its figures are sound.
    pub enum Exemption {
        /// 新办 — founded too recently for a full year of figures.
        StartUp = ("start_up", "新办企业", "Start-up"),
        /// 在建 — still building; no production to judge.
        UnderConstruction = ("under_construction", "在建企业", "Still building"),
        /// 公用事业 — water, power, gas: judged by other means.
        Utility = ("utility", "公用事业企业", "Utility"),
    }
}

/// One enterprise's figures for the evaluated year, as storage or an import fills them.
/// Money in 万元 and land in 亩 are exact [`Amount`]s; every figure may be absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseYear {
    pub enterprise_id: i64,
    pub name: String,
    pub group: SizeGroup,
    /// 用地面积, 亩.
    pub land_mu: Option<Amount>,
    /// 实缴税金, 万元.
    pub tax: Option<Amount>,
    /// 工业增加值, 万元.
    pub value_added: Option<Amount>,
    /// 营业收入, 万元.
    pub revenue: Option<Amount>,
    /// 综合能耗, tonnes of standard coal equivalent (吨标准煤, tce).
    pub energy_tce: Option<Amount>,
    /// 主要污染物排放量, tonnes.
    pub emissions_t: Option<Amount>,
    /// 年平均职工人数.
    pub employees: Option<i64>,
    /// 研发经费支出 (R&D), 万元.
    pub rd_spending: Option<Amount>,
    /// 用电量, kWh.
    pub electricity_kwh: Option<Amount>,
    /// Set when the enterprise is not rated this year for a reason other than its data.
    #[serde(default)]
    pub exemption: Option<Exemption>,
    /// Occurrences of bonus and deduction items (加分项 / 减分项) by the item's code in the method,
    /// e.g. `{"high_tech": 1, "environmental_penalty": 2}`.
    #[serde(default)]
    pub adjustments: BTreeMap<String, u32>,
    /// This enterprise's classes in earlier published evaluations, most recent first. The
    /// electricity surcharge for class D grows with consecutive years in D.
    #[serde(default)]
    pub previous_classes: Vec<Class>,
}

impl EnterpriseYear {
    /// A blank record to fill in, mostly for tests and importers.
    pub fn new(enterprise_id: i64, name: impl Into<String>, group: SizeGroup) -> Self {
        EnterpriseYear {
            enterprise_id,
            name: name.into(),
            group,
            land_mu: None,
            tax: None,
            value_added: None,
            revenue: None,
            energy_tce: None,
            emissions_t: None,
            employees: None,
            rd_spending: None,
            electricity_kwh: None,
            exemption: None,
            adjustments: BTreeMap::new(),
            previous_classes: Vec::new(),
        }
    }
}

/// Why an enterprise was not rated, kept as text in both languages: a published evaluation is
/// frozen, and it must still explain itself after the wording of the rules changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The input field at fault (`land_mu`, `tax` …), or `exemption` / `group` / `enterprise_id`.
    pub field: String,
    pub zh: String,
    pub en: String,
}

impl Reason {
    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

impl From<FieldError> for Reason {
    fn from(e: FieldError) -> Self {
        Reason {
            zh: e.rule.message(Lang::Zh),
            en: e.rule.message(Lang::En),
            field: e.field,
        }
    }
}

fn other(field: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, Rule::Other { zh, en })
}

/// Figures that cannot be true, each naming its field. `needs_land`: the method divides by land,
/// so the land area must be known and positive.
///
/// Every figure is a quantity or an amount paid, so a negative one is a typing error (a tax refund
/// netted into the tax figure is one too). Tax, value added or revenue on zero land is impossible
/// for a per-mu evaluation: a firm that produces somewhere occupies land.
pub fn impossible_values(e: &EnterpriseYear, needs_land: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let amounts = [
        ("land_mu", e.land_mu),
        ("tax", e.tax),
        ("value_added", e.value_added),
        ("revenue", e.revenue),
        ("energy_tce", e.energy_tce),
        ("emissions_t", e.emissions_t),
        ("rd_spending", e.rd_spending),
        ("electricity_kwh", e.electricity_kwh),
    ];
    for (field, value) in amounts {
        if value.is_some_and(Amount::is_negative) {
            errs.push(FieldError::new(field, Rule::Negative));
        }
    }
    if e.employees.is_some_and(|n| n < 0) {
        errs.push(FieldError::new("employees", Rule::Negative));
    }
    if !needs_land {
        return errs;
    }
    match e.land_mu {
        None => errs.push(FieldError::new("land_mu", Rule::Required)),
        Some(land) if land == Amount::ZERO => {
            let producing = [
                ("tax", "税收", "tax", e.tax),
                ("value_added", "增加值", "value added", e.value_added),
                ("revenue", "营业收入", "revenue", e.revenue),
            ];
            let mut any = false;
            for (field, zh, en, value) in producing {
                if let Some(v) = value.filter(|v| *v > Amount::ZERO) {
                    any = true;
                    errs.push(other(
                        field,
                        format!("用地面积为 0 亩，却有{zh} {v} 万元"),
                        format!("{en} of {v} (10k yuan) reported on zero land"),
                    ));
                }
            }
            if !any {
                errs.push(other(
                    "land_mu",
                    "亩均评价需要大于 0 的用地面积".into(),
                    "a per-mu evaluation needs a land area above zero".into(),
                ));
            }
        }
        Some(_) => {}
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amt(s: &str) -> Option<Amount> {
        Some(Amount::parse_plain(s).unwrap())
    }

    #[test]
    fn tax_on_zero_land_names_the_tax_and_says_why() {
        let mut e = EnterpriseYear::new(1, "某锂业", SizeGroup::AboveScale);
        e.land_mu = amt("0");
        e.tax = amt("120");
        let errs = impossible_values(&e, true);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "tax");
        let reason = Reason::from(errs[0].clone());
        assert_eq!(reason.zh, "用地面积为 0 亩，却有税收 120 万元");
        assert_eq!(reason.en, "tax of 120 (10k yuan) reported on zero land");
    }

    #[test]
    fn every_negative_figure_is_listed_not_just_the_first() {
        let mut e = EnterpriseYear::new(1, "某锂业", SizeGroup::AboveScale);
        e.land_mu = amt("-3");
        e.energy_tce = amt("-1");
        e.employees = Some(-5);
        let fields: Vec<String> = impossible_values(&e, true).into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["land_mu", "energy_tce", "employees"]);
    }

    #[test]
    fn land_is_only_required_when_the_method_divides_by_it() {
        let e = EnterpriseYear::new(1, "某锂业", SizeGroup::BelowScale);
        assert_eq!(
            impossible_values(&e, true)[0],
            FieldError::new("land_mu", Rule::Required)
        );
        assert!(impossible_values(&e, false).is_empty());
    }
}
