//! The indicators (评价指标) and how each is computed from an enterprise's figures.
//!
//! Each indicator is a ratio of two figures, "output per unit of resource", so a higher value is
//! always better. The formulas are definitions, not tunable numbers; which indicators count, with
//! what weight and benchmark, is the method's business (see [`super::config`]).

use super::input::EnterpriseYear;
use crate::labelled_enum;
use crate::validation::Lang;

labelled_enum! {
    /// A figure of [`EnterpriseYear`]; the code is the field's name.
    pub enum Figure {
        Land = ("land_mu", "用地面积", "land area"),
        Tax = ("tax", "税收", "tax"),
        ValueAdded = ("value_added", "增加值", "value added"),
        Revenue = ("revenue", "营业收入", "revenue"),
        Energy = ("energy_tce", "综合能耗", "energy use"),
        Emissions = ("emissions_t", "主要污染物排放量", "emissions"),
        Employees = ("employees", "职工人数", "employees"),
        RdSpending = ("rd_spending", "研发经费", "R&D spending"),
        Electricity = ("electricity_kwh", "用电量", "electricity use"),
    }
}

impl Figure {
    fn of(self, e: &EnterpriseYear) -> Option<f64> {
        match self {
            Figure::Land => e.land_mu.map(|a| a.to_f64()),
            Figure::Tax => e.tax.map(|a| a.to_f64()),
            Figure::ValueAdded => e.value_added.map(|a| a.to_f64()),
            Figure::Revenue => e.revenue.map(|a| a.to_f64()),
            Figure::Energy => e.energy_tce.map(|a| a.to_f64()),
            Figure::Emissions => e.emissions_t.map(|a| a.to_f64()),
            Figure::Employees => e.employees.map(|n| n as f64),
            Figure::RdSpending => e.rd_spending.map(|a| a.to_f64()),
            Figure::Electricity => e.electricity_kwh.map(|a| a.to_f64()),
        }
    }
}

labelled_enum! {
    /// An indicator of the 亩均 evaluation (DOMAIN.md §2).
    pub enum Indicator {
        /// 亩均税收 — tax ÷ land, 万元/亩.
        TaxPerMu = ("tax_per_mu", "亩均税收", "Tax per mu"),
        /// 亩均增加值 — value added ÷ land, 万元/亩.
        ValueAddedPerMu = ("value_added_per_mu", "亩均增加值", "Value added per mu"),
        /// 亩均销售 — revenue ÷ land, 万元/亩.
        RevenuePerMu = ("revenue_per_mu", "亩均销售收入", "Revenue per mu"),
        /// 全员劳动生产率 — value added ÷ employees, 万元/人.
        LabourProductivity = ("labour_productivity", "全员劳动生产率", "Labour productivity"),
        /// 单位能耗增加值 — value added ÷ energy, 万元/tce.
        ValueAddedPerEnergy = ("value_added_per_energy", "单位能耗增加值", "Value added per tce"),
        /// 单位能耗税收 — tax ÷ energy, 万元/tce.
        TaxPerEnergy = ("tax_per_energy", "单位能耗税收", "Tax per tce"),
        /// 单位排放增加值 — value added ÷ main pollutant emissions, 万元/t.
        ValueAddedPerEmission = ("value_added_per_emission", "单位排放增加值", "Value added per tonne emitted"),
        /// R&D 经费占主营业务收入比重 — R&D spending ÷ revenue, a fraction.
        RdIntensity = ("rd_intensity", "研发经费占比", "R&D share of revenue"),
        /// 单位用电税收 — tax ÷ electricity, 元/kWh.
        TaxPerKwh = ("tax_per_kwh", "单位用电税收", "Tax per kWh"),
    }
}

impl Indicator {
    /// (numerator, denominator, factor): value = numerator × factor ÷ denominator.
    fn formula(self) -> (Figure, Figure, f64) {
        use Figure::*;
        match self {
            Indicator::TaxPerMu => (Tax, Land, 1.0),
            Indicator::ValueAddedPerMu => (ValueAdded, Land, 1.0),
            Indicator::RevenuePerMu => (Revenue, Land, 1.0),
            Indicator::LabourProductivity => (ValueAdded, Employees, 1.0),
            Indicator::ValueAddedPerEnergy => (ValueAdded, Energy, 1.0),
            Indicator::TaxPerEnergy => (Tax, Energy, 1.0),
            Indicator::ValueAddedPerEmission => (ValueAdded, Emissions, 1.0),
            Indicator::RdIntensity => (RdSpending, Revenue, 1.0),
            // Tax is kept in 万元; the published unit is 元 per kWh.
            Indicator::TaxPerKwh => (Tax, Electricity, 10_000.0),
        }
    }

    pub fn numerator(self) -> Figure {
        self.formula().0
    }

    pub fn denominator(self) -> Figure {
        self.formula().1
    }

    /// The indicator's value, or the figure that is missing. A zero denominator counts as missing
    /// data: a firm reporting no emissions has not given an emission figure one can divide by, and
    /// the method's missing-data rule decides its score.
    pub fn value(self, e: &EnterpriseYear) -> Result<f64, Figure> {
        let (num, den, factor) = self.formula();
        let n = num.of(e).ok_or(num)?;
        let d = den.of(e).filter(|d| *d > 0.0).ok_or(den)?;
        Ok(n * factor / d)
    }

    /// The ratio's parts summed over many firms give the county's aggregate value (Σ tax ÷ Σ land).
    pub(super) fn parts(self, e: &EnterpriseYear) -> Option<(f64, f64)> {
        let (num, den, factor) = self.formula();
        let n = num.of(e)?;
        let d = den.of(e).filter(|d| *d > 0.0)?;
        Some((n * factor, d))
    }

    pub fn unit(self, lang: Lang) -> &'static str {
        match self {
            Indicator::TaxPerMu | Indicator::ValueAddedPerMu | Indicator::RevenuePerMu => {
                lang.pick("万元/亩", "10k yuan/mu")
            }
            Indicator::LabourProductivity => lang.pick("万元/人", "10k yuan/person"),
            Indicator::ValueAddedPerEnergy | Indicator::TaxPerEnergy => lang.pick("万元/吨标准煤", "10k yuan/tce"),
            Indicator::ValueAddedPerEmission => lang.pick("万元/吨", "10k yuan/t"),
            Indicator::RdIntensity => "",
            Indicator::TaxPerKwh => lang.pick("元/千瓦时", "yuan/kWh"),
        }
    }

    pub fn uses_land(self) -> bool {
        self.denominator() == Figure::Land
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amount::Amount;
    use crate::permu::input::SizeGroup;

    #[test]
    fn tax_per_kwh_is_in_yuan_although_tax_is_kept_in_wan_yuan() {
        let mut e = EnterpriseYear::new(1, "某厂", SizeGroup::BelowScale);
        e.tax = Some(Amount::from_int(30)); // 300 000 元
        e.electricity_kwh = Some(Amount::from_int(1_000_000));
        assert_eq!(Indicator::TaxPerKwh.value(&e), Ok(0.3));
    }

    #[test]
    fn a_zero_or_absent_denominator_is_missing_data_named_by_its_figure() {
        let mut e = EnterpriseYear::new(1, "某厂", SizeGroup::AboveScale);
        e.value_added = Some(Amount::from_int(500));
        assert_eq!(Indicator::ValueAddedPerEmission.value(&e), Err(Figure::Emissions));
        e.emissions_t = Some(Amount::ZERO);
        assert_eq!(Indicator::ValueAddedPerEmission.value(&e), Err(Figure::Emissions));
        assert_eq!(Indicator::RdIntensity.value(&e), Err(Figure::RdSpending));
    }
}
