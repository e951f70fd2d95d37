//! 物料平衡 — does local ore support the chain the county is building?
//!
//! Every plant is turned into the lithium it handles each year, in t LCE/yr, with the factors of
//! [`Conversions`]: cells by GWh × the demand per GWh of their chemistry, lithium salts by tonnes
//! × their LCE content, cathode materials likewise. Local ore supply comes from the resource
//! ledger ([`crate::allocation::ResourceLedger::local_supply`]).
//!
//! The stages handle the same lithium one after another (ore → salt → cathode → cell), so the
//! county's demand is the **largest** of salt capacity, cathode demand and cell demand, never their
//! sum. The balance compares each pair of neighbouring stages and local ore with that demand, and
//! says how many years the recoverable reserves last at it.

use super::Explanation;
use super::decimal;
use super::lce::{Conversions, Quantity, Unit, unknown_code};
use crate::amount::Amount;
use crate::labelled_enum;
use crate::validation::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A cell plant (existing or planned) and its yearly capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellPlan {
    pub name: String,
    /// A code of `cell_demand_kt_lce_per_gwh` (`lfp`, `ncm`).
    pub chemistry: String,
    pub gwh_per_year: Amount,
}

/// A lithium-salt plant and its yearly capacity in tonnes of product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaltPlan {
    pub name: String,
    /// A code of `salts` (`lithium_carbonate`, `lithium_hydroxide_monohydrate` …).
    pub product: String,
    pub t_per_year: Amount,
}

/// A cathode-material plant and its yearly capacity in tonnes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CathodePlan {
    pub name: String,
    /// A code of `cathodes` (`lfp`, `ncm811`).
    pub material: String,
    pub t_per_year: Amount,
}

/// What local ore can give: a yearly supply and recoverable reserves, both in LCE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalSupply {
    /// t LCE/yr.
    pub annual: Quantity,
    /// t LCE.
    pub reserves: Quantity,
    /// Caveats carried from the ledger (an ore type counted without a recovery factor …).
    #[serde(default)]
    pub notes: Vec<Explanation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceInput {
    #[serde(default)]
    pub cells: Vec<CellPlan>,
    #[serde(default)]
    pub salts: Vec<SaltPlan>,
    #[serde(default)]
    pub cathodes: Vec<CathodePlan>,
    pub local_supply: LocalSupply,
}

labelled_enum! {
    /// A stage of the balance.
    pub enum Layer {
        Ore = ("ore", "本地矿山", "Local ore"),
        Salts = ("salts", "锂盐", "Lithium salts"),
        Cathodes = ("cathodes", "正极材料", "Cathode materials"),
        Cells = ("cells", "电芯", "Cells"),
        /// The county's demand: the largest of salts, cathodes and cells.
        County = ("county", "全县锂需求", "County lithium demand"),
    }
}

/// One plant's lithium: its capacity, the factor used and the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceLine {
    pub layer: Layer,
    pub name: String,
    /// The chemistry, salt or material code.
    pub product: String,
    pub capacity: Quantity,
    pub factor: Quantity,
    /// t LCE/yr.
    pub lithium: Quantity,
}

/// Supply against demand between two stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceStep {
    pub supplier: Layer,
    pub consumer: Layer,
    pub supply: Quantity,
    pub demand: Quantity,
    /// Supply − demand, t LCE/yr; negative is a shortfall.
    pub surplus: Quantity,
    /// Supply ÷ demand in percent.
    pub coverage: Quantity,
    pub verdict: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialBalance {
    pub lines: Vec<BalanceLine>,
    pub ore_supply: Quantity,
    pub salt_capacity: Quantity,
    pub cathode_demand: Quantity,
    pub cell_demand: Quantity,
    pub county_demand: Quantity,
    pub reserves: Quantity,
    /// Recoverable reserves ÷ county demand; `None` without demand.
    pub reserve_years: Option<Quantity>,
    /// Only the comparisons with a demand: ore → county first, then ore → salts, salts → cathodes,
    /// salts → cells.
    pub steps: Vec<BalanceStep>,
    pub notes: Vec<Explanation>,
}

const PER_YEAR: Unit = Unit::TonnesLcePerYear;

/// The lithium balance of the county's plants against its ore.
pub fn material_balance(input: &BalanceInput, conv: &Conversions) -> Result<MaterialBalance, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut lines = Vec::new();
    let too_large = || Rule::OutOfRange {
        min: "0".into(),
        max: Amount::from_raw(i64::MAX).to_string(),
    };
    for (i, c) in input.cells.iter().enumerate() {
        if c.gwh_per_year.is_negative() {
            errs.push(format!("cells[{i}].gwh_per_year"), Rule::Negative);
            continue;
        }
        let Some(range) = conv.cell_demand_kt_lce_per_gwh.get(&c.chemistry) else {
            errs.0.push(unknown_code(
                format!("cells[{i}].chemistry"),
                conv.cell_demand_kt_lce_per_gwh.keys(),
            ));
            continue;
        };
        let factor = decimal::mul(range.factor(), Amount::from_int(1000));
        match (factor, conv.lce_for_cells(&c.chemistry, c.gwh_per_year)) {
            (Some(f), Some(lce)) => lines.push(BalanceLine {
                layer: Layer::Cells,
                name: c.name.clone(),
                product: c.chemistry.clone(),
                capacity: Quantity::new(c.gwh_per_year, Unit::GwhPerYear),
                factor: Quantity::new(f, Unit::TonnesLcePerGwh),
                lithium: Quantity::new(lce, PER_YEAR),
            }),
            _ => errs.push(format!("cells[{i}].gwh_per_year"), too_large()),
        }
    }
    // Salts and cathode materials are both tonnes × LCE per tonne; one loop over both, each row
    // named the way its form names it.
    let salts = input.salts.iter().enumerate().map(|(i, s)| {
        let field = format!("salts[{i}]");
        (
            Layer::Salts,
            field,
            "product",
            &s.name,
            &s.product,
            s.t_per_year,
            &conv.salts,
        )
    });
    let cathodes = input.cathodes.iter().enumerate().map(|(i, c)| {
        let field = format!("cathodes[{i}]");
        (
            Layer::Cathodes,
            field,
            "material",
            &c.name,
            &c.material,
            c.t_per_year,
            &conv.cathodes,
        )
    });
    for (layer, row, code_field, name, code, t, table) in salts.chain(cathodes) {
        if t.is_negative() {
            errs.push(format!("{row}.t_per_year"), Rule::Negative);
            continue;
        }
        let Some(f) = table.get(code) else {
            errs.0.push(unknown_code(format!("{row}.{code_field}"), table.keys()));
            continue;
        };
        match decimal::mul(t, f.lce_per_t) {
            Some(lce) => lines.push(BalanceLine {
                layer,
                name: name.clone(),
                product: code.clone(),
                capacity: Quantity::new(t, Unit::TonnesPerYear),
                factor: Quantity::new(f.lce_per_t, Unit::TonnesLcePerTonne),
                lithium: Quantity::new(lce, PER_YEAR),
            }),
            None => errs.push(format!("{row}.t_per_year"), too_large()),
        }
    }
    let supply = &input.local_supply;
    if supply.annual.value.is_negative() {
        errs.push("local_supply.annual", Rule::Negative);
    }
    if supply.reserves.value.is_negative() {
        errs.push("local_supply.reserves", Rule::Negative);
    }
    for (field, q, unit) in [
        ("local_supply.annual", supply.annual, PER_YEAR),
        ("local_supply.reserves", supply.reserves, Unit::TonnesLce),
    ] {
        if q.unit != unit {
            errs.push(
                field,
                Rule::NotOneOf {
                    allowed: vec![unit.code().into()],
                },
            );
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }

    let total = |layer: Layer| -> Amount { lines.iter().filter(|l| l.layer == layer).map(|l| l.lithium.value).sum() };
    let salts = total(Layer::Salts);
    let cathodes = total(Layer::Cathodes);
    let cells = total(Layer::Cells);
    let county = salts.max(cathodes).max(cells);
    let ore = supply.annual.value;

    let mut steps = Vec::new();
    for (supplier, s, consumer, d) in [
        (Layer::Ore, ore, Layer::County, county),
        (Layer::Ore, ore, Layer::Salts, salts),
        (Layer::Salts, salts, Layer::Cathodes, cathodes),
        (Layer::Salts, salts, Layer::Cells, cells),
    ] {
        if d.raw() > 0 {
            steps.push(step(supplier, s, consumer, d));
        }
    }
    let reserve_years = decimal::div(supply.reserves.value, county).map(|y| Quantity::new(y, Unit::Years));
    Ok(MaterialBalance {
        lines,
        ore_supply: supply.annual,
        salt_capacity: Quantity::new(salts, PER_YEAR),
        cathode_demand: Quantity::new(cathodes, PER_YEAR),
        cell_demand: Quantity::new(cells, PER_YEAR),
        county_demand: Quantity::new(county, PER_YEAR),
        reserves: supply.reserves,
        reserve_years,
        steps,
        notes: supply.notes.clone(),
    })
}

fn step(supplier: Layer, supply: Amount, consumer: Layer, demand: Amount) -> BalanceStep {
    use crate::validation::Lang::{En, Zh};
    let surplus = decimal::sub(supply, demand);
    let coverage = decimal::mul_div(supply, Amount::from_int(100), demand).unwrap_or_default();
    let (s_zh, s_en) = (supplier.label(Zh), supplier.label(En));
    let (c_zh, c_en) = (consumer.label(Zh), consumer.label(En));
    let verdict = if surplus.is_negative() {
        let gap = decimal::sub(Amount::ZERO, surplus);
        Explanation::new(
            format!(
                "{s_zh}不足以支撑{c_zh}：供应 {supply} 吨LCE/年，需求 {demand} 吨LCE/年，缺口 {gap} 吨LCE/年（保障率 {coverage}%）"
            ),
            format!(
                "{s_en} falls short of {c_en}: supply {supply} t LCE/yr, demand {demand} t LCE/yr, shortfall {gap} t LCE/yr ({coverage}% covered)"
            ),
        )
    } else {
        Explanation::new(
            format!(
                "{s_zh}可以支撑{c_zh}：供应 {supply} 吨LCE/年，需求 {demand} 吨LCE/年，富余 {surplus} 吨LCE/年（保障率 {coverage}%）"
            ),
            format!(
                "{s_en} covers {c_en}: supply {supply} t LCE/yr, demand {demand} t LCE/yr, surplus {surplus} t LCE/yr ({coverage}% covered)"
            ),
        )
    };
    BalanceStep {
        supplier,
        consumer,
        supply: Quantity::new(supply, PER_YEAR),
        demand: Quantity::new(demand, PER_YEAR),
        surplus: Quantity::new(surplus, PER_YEAR),
        coverage: Quantity::new(coverage, Unit::Percent),
        verdict,
    }
}

/// Which chain nodes are plants of the balance (物料平衡节点), and what each makes: node code →
/// cell chemistry, salt product or cathode material (codes of [`Conversions`]). Data, shipped in
/// `data/chains/balance-nodes.json`, so that a chain with other node codes can be mapped too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceNodes {
    #[serde(default)]
    pub cells: BTreeMap<String, String>,
    #[serde(default)]
    pub salts: BTreeMap<String, String>,
    #[serde(default)]
    pub cathodes: BTreeMap<String, String>,
}

/// An enterprise's yearly capacity on a chain node, in the node's unit (GWh for cells, tonnes for
/// salts and cathodes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCapacity {
    pub node_code: String,
    pub enterprise: String,
    pub capacity: Amount,
}

static BALANCE_NODES: LazyLock<BalanceNodes> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../../data/chains/balance-nodes.json"))
        .expect("data/chains/balance-nodes.json is checked by the tests")
});

impl BalanceNodes {
    /// The mapping shipped for the lithium chain.
    pub fn builtin() -> BalanceNodes {
        BALANCE_NODES.clone()
    }

    /// The balance's input from the enterprises placed on the chain: every capacity on a mapped
    /// node becomes a plant; capacities on other nodes (separators, packs …) carry no lithium
    /// of their own and are left out.
    pub fn input(&self, placed: &[NodeCapacity], local_supply: LocalSupply) -> BalanceInput {
        let mut input = BalanceInput {
            cells: vec![],
            salts: vec![],
            cathodes: vec![],
            local_supply,
        };
        for p in placed {
            if let Some(chemistry) = self.cells.get(&p.node_code) {
                input.cells.push(CellPlan {
                    name: p.enterprise.clone(),
                    chemistry: chemistry.clone(),
                    gwh_per_year: p.capacity,
                });
            } else if let Some(product) = self.salts.get(&p.node_code) {
                input.salts.push(SaltPlan {
                    name: p.enterprise.clone(),
                    product: product.clone(),
                    t_per_year: p.capacity,
                });
            } else if let Some(material) = self.cathodes.get(&p.node_code) {
                input.cathodes.push(CathodePlan {
                    name: p.enterprise.clone(),
                    material: material.clone(),
                    t_per_year: p.capacity,
                });
            }
        }
        input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    #[test]
    fn placed_capacities_become_the_plants_of_the_balance_and_every_mapped_code_is_known() {
        let nodes = BalanceNodes::builtin();
        let conv = Conversions::builtin();
        for (code, chem) in &nodes.cells {
            assert!(conv.cell_demand_kt_lce_per_gwh.contains_key(chem), "{code} → {chem}");
        }
        for (code, p) in &nodes.salts {
            assert!(conv.salts.contains_key(p), "{code} → {p}");
        }
        for (code, m) in &nodes.cathodes {
            assert!(conv.cathodes.contains_key(m), "{code} → {m}");
        }
        let placed = |node: &str, who: &str, cap: &str| NodeCapacity {
            node_code: node.into(),
            enterprise: who.into(),
            capacity: a(cap),
        };
        let input = nodes.input(
            &[
                placed("cell", "甲电池", "10"),
                placed("lithium_carbonate", "乙锂业", "20000"),
                placed("lfp_cathode", "丙材料", "50000"),
                placed("separator", "丁隔膜", "3"),
            ],
            supply("5000", "100000"),
        );
        assert_eq!(input.cells.len(), 1);
        assert_eq!(
            (input.cells[0].chemistry.as_str(), input.cells[0].gwh_per_year),
            ("lfp", a("10"))
        );
        assert_eq!(input.salts[0].product, "lithium_carbonate");
        assert_eq!(input.cathodes[0].material, "lfp");
        // 10 GWh of LFP cells at 0.55–0.65 kt LCE/GWh (mid 0.6) need 6,000 t LCE a year; the
        // 20,000 t carbonate plant is the largest stage, so it is the county's demand.
        let b = material_balance(&input, &conv).unwrap();
        assert_eq!(b.cell_demand.value, a("6000"));
        assert_eq!(b.county_demand.value, a("20000"));
    }

    fn supply(annual: &str, reserves: &str) -> LocalSupply {
        LocalSupply {
            annual: Quantity::new(a(annual), PER_YEAR),
            reserves: Quantity::new(a(reserves), Unit::TonnesLce),
            notes: vec![],
        }
    }

    #[test]
    fn twenty_gwh_of_lfp_cells_need_twelve_thousand_tonnes_of_lce_that_local_ore_half_covers() {
        let input = BalanceInput {
            cells: vec![
                CellPlan {
                    name: "储能电芯".into(),
                    chemistry: "lfp".into(),
                    gwh_per_year: a("20"),
                },
                CellPlan {
                    name: "动力电芯".into(),
                    chemistry: "ncm".into(),
                    gwh_per_year: a("5"),
                },
            ],
            salts: vec![
                SaltPlan {
                    name: "碳酸锂".into(),
                    product: "lithium_carbonate".into(),
                    t_per_year: a("10000"),
                },
                SaltPlan {
                    name: "氢氧化锂".into(),
                    product: "lithium_hydroxide_monohydrate".into(),
                    t_per_year: a("5000"),
                },
            ],
            cathodes: vec![CathodePlan {
                name: "LFP".into(),
                material: "lfp".into(),
                t_per_year: a("40000"),
            }],
            local_supply: supply("7500", "150000"),
        };
        let b = material_balance(&input, &Conversions::builtin()).unwrap();
        // 20 GWh × 600 t + 5 GWh × 700 t = 15 500 t LCE/yr.
        assert_eq!(b.cell_demand, Quantity::new(a("15500"), PER_YEAR));
        assert_eq!(b.lines[0].factor, Quantity::new(a("600"), Unit::TonnesLcePerGwh));
        // 10 000 t carbonate + 5 000 t LiOH·H2O × 0.880 = 14 400 t LCE/yr.
        assert_eq!(b.salt_capacity.value, a("14400"));
        // 40 000 t LFP × 0.234 = 9 360 t LCE/yr.
        assert_eq!(b.cathode_demand.value, a("9360"));
        // The county's demand is the largest stage, not the sum.
        assert_eq!(b.county_demand.value, a("15500"));
        // 150 000 t ÷ 15 500 t/yr.
        assert_eq!(b.reserve_years, Some(Quantity::new(a("9.6774"), Unit::Years)));
        let s: Vec<(Layer, Layer, Amount, Amount)> = b
            .steps
            .iter()
            .map(|s| (s.supplier, s.consumer, s.surplus.value, s.coverage.value))
            .collect();
        assert_eq!(
            s,
            [
                (Layer::Ore, Layer::County, a("-8000"), a("48.3871")),
                (Layer::Ore, Layer::Salts, a("-6900"), a("52.0833")),
                (Layer::Salts, Layer::Cathodes, a("5040"), a("153.8462")),
                (Layer::Salts, Layer::Cells, a("-1100"), a("92.9032")),
            ]
        );
        assert_eq!(
            b.steps[0].verdict.zh,
            "本地矿山不足以支撑全县锂需求：供应 7500 吨LCE/年，需求 15500 吨LCE/年，缺口 8000 吨LCE/年（保障率 48.3871%）"
        );
        assert!(
            b.steps[2]
                .verdict
                .en
                .starts_with("Lithium salts covers Cathode materials: supply 14400")
        );
    }

    #[test]
    fn a_county_without_plants_has_no_demand_and_no_comparisons() {
        let input = BalanceInput {
            cells: vec![],
            salts: vec![],
            cathodes: vec![],
            local_supply: supply("100", "1000"),
        };
        let b = material_balance(&input, &Conversions::builtin()).unwrap();
        assert!(b.steps.is_empty());
        assert_eq!(b.reserve_years, None);
    }

    #[test]
    fn an_unknown_chemistry_or_salt_and_a_negative_capacity_are_refused_by_row() {
        let input = BalanceInput {
            cells: vec![CellPlan {
                name: "钠电".into(),
                chemistry: "sodium".into(),
                gwh_per_year: a("1"),
            }],
            salts: vec![SaltPlan {
                name: "x".into(),
                product: "lithium_carbonate".into(),
                t_per_year: a("-1"),
            }],
            cathodes: vec![],
            local_supply: LocalSupply {
                annual: Quantity::new(a("1"), Unit::TonnesOrePerYear),
                ..supply("0", "0")
            },
        };
        let errs = material_balance(&input, &Conversions::builtin()).unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["cells[0].chemistry", "salts[0].t_per_year", "local_supply.annual"]
        );
        assert_eq!(
            errs.0[0].rule,
            Rule::NotOneOf {
                allowed: vec!["lfp".into(), "ncm".into()]
            }
        );
    }
}
