//! 摸清家底 — the resource ledger: deposits and mining rights with their lithium in Li2O and LCE.
//!
//! For each deposit, Li2O = ore tonnes × Li2O grade ÷ 100 (or the Li2O a survey states when it
//! gives no ore tonnage, as the 松树岗 survey does), contained LCE = Li2O × `li2o_to_lce`, and
//! recoverable LCE = contained LCE × the ore type's recovery (contained, with a note, when none is
//! configured). A licensed yearly output (生产规模, t ore/yr) gives the yearly supply the same way.
//! Totals go per ore type, per place, and overall; every figure carries its unit.

use crate::amount::Amount;
use crate::chain::decimal;
use crate::chain::{Conversions, Explanation, LocalSupply, Quantity, Unit};
use crate::labelled_enum;
use crate::validation::{self, Lang, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

labelled_enum! {
    pub enum OreType {
        Lepidolite = ("lepidolite", "锂云母", "Lepidolite"),
        PorcelainClay = ("porcelain_clay", "瓷土矿", "Lithium-bearing porcelain clay"),
        Spodumene = ("spodumene", "锂辉石", "Spodumene"),
        Brine = ("brine", "卤水", "Brine"),
    }
}

labelled_enum! {
    /// The estimate's category under GB/T 17766-2020 (固体矿产资源储量分类).
    pub enum EstimateCategory {
        Proved = ("proved", "证实储量", "Proved reserve"),
        Probable = ("probable", "可信储量", "Probable reserve"),
        Measured = ("measured", "探明资源量", "Measured resource"),
        Indicated = ("indicated", "控制资源量", "Indicated resource"),
        Inferred = ("inferred", "推断资源量", "Inferred resource"),
    }
}

/// A deposit or mining right as the office records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    pub id: i64,
    pub name: String,
    /// 乡镇 or place name.
    pub place: String,
    pub ore_type: OreType,
    pub category: EstimateCategory,
    /// 采矿许可证 / 探矿许可证 number.
    #[serde(default)]
    pub mining_right: Option<String>,
    /// 矿石量, t.
    #[serde(default)]
    pub ore_t: Option<Amount>,
    /// Li2O 平均品位, percent.
    #[serde(default)]
    pub li2o_grade_pct: Option<Amount>,
    /// Li2O tonnes as a survey states them, for a deposit without ore tonnes and grade.
    #[serde(default)]
    pub stated_li2o_t: Option<Amount>,
    /// Licensed yearly output (生产规模), t ore per year.
    #[serde(default)]
    pub annual_output_t_ore: Option<Amount>,
}

/// A deposit's derived figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositFigures {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub ore_type: OreType,
    pub category: EstimateCategory,
    pub ore: Option<Quantity>,
    pub grade: Option<Quantity>,
    pub li2o: Quantity,
    pub contained_lce: Quantity,
    /// The recovery applied (a fraction); `None` when counted as contained.
    pub recovery: Option<Amount>,
    pub recoverable_lce: Quantity,
    pub annual_ore: Option<Quantity>,
    /// Yearly LCE from the licensed output; `None` without output or grade.
    pub annual_lce: Option<Quantity>,
}

/// Sums over a group of deposits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerTotal {
    /// The ore type code, the place, or "total".
    pub key: String,
    pub deposits: usize,
    /// Ore of the deposits that state it.
    pub ore: Quantity,
    pub li2o: Quantity,
    pub contained_lce: Quantity,
    pub recoverable_lce: Quantity,
    pub annual_lce: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceLedger {
    pub deposits: Vec<DepositFigures>,
    /// In [`OreType`] order.
    pub by_ore_type: Vec<LedgerTotal>,
    /// In place-name order.
    pub by_place: Vec<LedgerTotal>,
    pub total: LedgerTotal,
    /// Caveats: ore types counted without a recovery, deposits without a yearly figure.
    pub notes: Vec<Explanation>,
}

impl ResourceLedger {
    /// What local ore gives the material balance.
    pub fn local_supply(&self) -> LocalSupply {
        LocalSupply {
            annual: self.total.annual_lce,
            reserves: self.total.recoverable_lce,
            notes: self.notes.clone(),
        }
    }
}

/// The ledger's figures, or every impossible input named by row and field.
pub fn resource_ledger(deposits: &[Deposit], conv: &Conversions) -> Result<ResourceLedger, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut figures = Vec::new();
    let hundred = Amount::from_int(100);
    for (i, d) in deposits.iter().enumerate() {
        let f = |name: &str| format!("deposits[{i}].{name}");
        errs.check(validation::required_text(&f("name"), &d.name, 100));
        for (name, v) in [
            ("ore_t", d.ore_t),
            ("stated_li2o_t", d.stated_li2o_t),
            ("annual_output_t_ore", d.annual_output_t_ore),
        ] {
            if v.is_some_and(Amount::is_negative) {
                errs.push(f(name), Rule::Negative);
            }
        }
        if let Some(g) = d.li2o_grade_pct
            && (g.raw() <= 0 || g > hundred)
        {
            errs.push(
                f("li2o_grade_pct"),
                Rule::Other {
                    zh: "Li2O 品位必须大于 0% 且不超过 100%".into(),
                    en: "the Li2O grade must be above 0% and at most 100%".into(),
                },
            );
            continue;
        }
        let li2o = match (d.ore_t, d.li2o_grade_pct, d.stated_li2o_t) {
            (Some(ore), Some(grade), None) => decimal::mul_div(ore, grade, hundred),
            (None, None, Some(stated)) => Some(stated),
            (Some(_), None, None) => {
                errs.push(f("li2o_grade_pct"), Rule::Required);
                continue;
            }
            (None, Some(_), None) => {
                errs.push(f("ore_t"), Rule::Required);
                continue;
            }
            (None, None, None) => {
                errs.push(
                    f("ore_t"),
                    Rule::Other {
                        zh: "请填写矿石量和品位，或填写调查公布的 Li2O 量".into(),
                        en: "give ore tonnes with a grade, or the Li2O tonnes a survey states".into(),
                    },
                );
                continue;
            }
            (_, _, Some(_)) => {
                errs.push(
                    f("stated_li2o_t"),
                    Rule::Other {
                        zh: "已有矿石量和品位时 Li2O 量由其推算，不能另填".into(),
                        en: "Li2O is derived from ore tonnes and grade; do not state it as well".into(),
                    },
                );
                continue;
            }
        };
        let recovery = conv.ore_recovery.get(d.ore_type.code()).map(|r| r.overall);
        let contained = li2o.and_then(|l| conv.lce_from_li2o(l));
        let recoverable = contained.and_then(|c| match recovery {
            Some(r) => decimal::mul(c, r),
            None => Some(c),
        });
        let annual = match (d.annual_output_t_ore, d.li2o_grade_pct) {
            (Some(out), Some(grade)) => decimal::mul_div(out, grade, hundred)
                .and_then(|l| conv.lce_from_li2o(l))
                .and_then(|c| recovery.map_or(Some(c), |r| decimal::mul(c, r)))
                .map(Some),
            _ => Some(None),
        };
        let (Some(li2o), Some(contained), Some(recoverable), Some(annual)) = (li2o, contained, recoverable, annual)
        else {
            errs.push(
                f("ore_t"),
                Rule::OutOfRange {
                    min: "0".into(),
                    max: Amount::from_raw(i64::MAX).to_string(),
                },
            );
            continue;
        };
        figures.push(DepositFigures {
            id: d.id,
            name: d.name.trim().to_string(),
            place: d.place.trim().to_string(),
            ore_type: d.ore_type,
            category: d.category,
            ore: d.ore_t.map(|v| Quantity::new(v, Unit::TonnesOre)),
            grade: d.li2o_grade_pct.map(|v| Quantity::new(v, Unit::Percent)),
            li2o: Quantity::new(li2o, Unit::TonnesLi2o),
            contained_lce: Quantity::new(contained, Unit::TonnesLce),
            recovery,
            recoverable_lce: Quantity::new(recoverable, Unit::TonnesLce),
            annual_ore: d.annual_output_t_ore.map(|v| Quantity::new(v, Unit::TonnesOrePerYear)),
            annual_lce: annual.map(|v| Quantity::new(v, Unit::TonnesLcePerYear)),
        });
    }
    if !errs.is_empty() {
        return Err(errs);
    }

    let mut notes = Vec::new();
    for t in OreType::ALL {
        if figures.iter().any(|f| f.ore_type == *t) && !conv.ore_recovery.contains_key(t.code()) {
            notes.push(Explanation::new(
                format!("{}未配置回收率，按 LCE 含量计", t.label(Lang::Zh)),
                format!(
                    "{}: no recovery configured, counted as contained LCE",
                    t.label(Lang::En)
                ),
            ));
        }
    }
    for f in figures
        .iter()
        .filter(|f| f.annual_ore.is_some() && f.annual_lce.is_none())
    {
        notes.push(Explanation::new(
            format!("{}：无品位，年产矿石量未折算为 LCE", f.name),
            format!("{}: no grade, so its yearly ore output is not converted to LCE", f.name),
        ));
    }
    let by_ore_type = OreType::ALL
        .iter()
        .filter_map(|t| {
            let group: Vec<&DepositFigures> = figures.iter().filter(|f| f.ore_type == *t).collect();
            (!group.is_empty()).then(|| sum(t.code(), &group))
        })
        .collect();
    let mut places: BTreeMap<&str, Vec<&DepositFigures>> = BTreeMap::new();
    for f in &figures {
        places.entry(f.place.as_str()).or_default().push(f);
    }
    let by_place = places.iter().map(|(p, group)| sum(p, group)).collect();
    let all: Vec<&DepositFigures> = figures.iter().collect();
    let total = sum("total", &all);
    Ok(ResourceLedger {
        deposits: figures,
        by_ore_type,
        by_place,
        total,
        notes,
    })
}

fn sum(key: &str, group: &[&DepositFigures]) -> LedgerTotal {
    let add = |get: &dyn Fn(&DepositFigures) -> Option<Amount>| -> Amount { group.iter().filter_map(|f| get(f)).sum() };
    LedgerTotal {
        key: key.to_string(),
        deposits: group.len(),
        ore: Quantity::new(add(&|f| f.ore.map(|q| q.value)), Unit::TonnesOre),
        li2o: Quantity::new(add(&|f| Some(f.li2o.value)), Unit::TonnesLi2o),
        contained_lce: Quantity::new(add(&|f| Some(f.contained_lce.value)), Unit::TonnesLce),
        recoverable_lce: Quantity::new(add(&|f| Some(f.recoverable_lce.value)), Unit::TonnesLce),
        annual_lce: Quantity::new(add(&|f| f.annual_lce.map(|q| q.value)), Unit::TonnesLcePerYear),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{BalanceInput, CellPlan, material_balance};

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    fn deposit(id: i64, name: &str, place: &str, ore_type: OreType) -> Deposit {
        Deposit {
            id,
            name: name.into(),
            place: place.into(),
            ore_type,
            category: EstimateCategory::Indicated,
            mining_right: None,
            ore_t: None,
            li2o_grade_pct: None,
            stated_li2o_t: None,
            annual_output_t_ore: None,
        }
    }

    fn ledger() -> Vec<Deposit> {
        vec![
            // 1 亿 t of 0.35% Li2O clay, licensed for 300 万 t a year.
            Deposit {
                ore_t: Some(a("100000000")),
                li2o_grade_pct: Some(a("0.35")),
                annual_output_t_ore: Some(a("3000000")),
                ..deposit(1, "示范瓷土矿", "甲镇", OreType::PorcelainClay)
            },
            // The survey states only the associated Li2O (60.38 万 t, DOMAIN.md §0).
            Deposit {
                stated_li2o_t: Some(a("603800")),
                ..deposit(2, "松树岗钽铌矿", "乙乡", OreType::Lepidolite)
            },
            Deposit {
                ore_t: Some(a("2000000")),
                li2o_grade_pct: Some(a("1.2")),
                ..deposit(3, "示范锂辉石矿", "甲镇", OreType::Spodumene)
            },
        ]
    }

    #[test]
    fn each_deposit_shows_li2o_and_lce_with_units_and_recovery_where_configured() {
        let l = resource_ledger(&ledger(), &Conversions::builtin()).unwrap();
        let clay = &l.deposits[0];
        // 1e8 t × 0.35% = 350 000 t Li2O × 2.473 = 865 550 t LCE; × 0.648 = 560 876.4 t.
        assert_eq!(clay.li2o, Quantity::new(a("350000"), Unit::TonnesLi2o));
        assert_eq!(clay.contained_lce, Quantity::new(a("865550"), Unit::TonnesLce));
        assert_eq!(clay.recoverable_lce.value, a("560876.4"));
        // 3e6 t/yr × 0.35% × 2.473 × 0.648 = 16 826.292 t LCE/yr.
        assert_eq!(
            clay.annual_lce,
            Some(Quantity::new(a("16826.292"), Unit::TonnesLcePerYear))
        );
        let sst = &l.deposits[1];
        // 603 800 t Li2O × 2.473 = 1 493 197.4 t LCE.
        assert_eq!(sst.contained_lce.value, a("1493197.4"));
        assert_eq!(sst.ore, None);
        assert_eq!(sst.annual_lce, None);
        let spod = &l.deposits[2];
        // No recovery configured for spodumene: counted as contained.
        assert_eq!(spod.recovery, None);
        assert_eq!(spod.recoverable_lce, spod.contained_lce);
        assert_eq!(spod.contained_lce.value, a("59352"));
        assert_eq!(l.notes[0].zh, "锂辉石未配置回收率，按 LCE 含量计");
    }

    #[test]
    fn totals_go_per_ore_type_and_per_place() {
        let l = resource_ledger(&ledger(), &Conversions::builtin()).unwrap();
        let types: Vec<(&str, usize)> = l.by_ore_type.iter().map(|t| (t.key.as_str(), t.deposits)).collect();
        assert_eq!(types, [("lepidolite", 1), ("porcelain_clay", 1), ("spodumene", 1)]);
        let jia = l.by_place.iter().find(|p| p.key == "甲镇").unwrap();
        assert_eq!(jia.deposits, 2);
        assert_eq!(jia.ore, Quantity::new(a("102000000"), Unit::TonnesOre));
        // 350 000 + 24 000 t Li2O.
        assert_eq!(jia.li2o.value, a("374000"));
        assert_eq!(l.total.li2o.value, a("977800"));
        assert_eq!(l.total.contained_lce.value, a("2418099.4"));
        assert_eq!(
            l.total.annual_lce,
            Quantity::new(a("16826.292"), Unit::TonnesLcePerYear)
        );
    }

    #[test]
    fn the_ledger_feeds_the_material_balance() {
        let l = resource_ledger(&ledger(), &Conversions::builtin()).unwrap();
        let input = BalanceInput {
            cells: vec![CellPlan {
                name: "储能电芯".into(),
                chemistry: "lfp".into(),
                gwh_per_year: a("20"),
            }],
            salts: vec![],
            cathodes: vec![],
            local_supply: l.local_supply(),
        };
        let b = material_balance(&input, &Conversions::builtin()).unwrap();
        // 16 826.292 t LCE/yr of local ore against 12 000 t LCE/yr for 20 GWh of LFP cells.
        assert_eq!(b.steps[0].surplus.value, a("4826.292"));
        assert_eq!(b.notes, l.notes);
    }

    #[test]
    fn impossible_inputs_are_refused_naming_the_row_and_field() {
        let deposits = vec![
            Deposit {
                ore_t: Some(a("-5")),
                li2o_grade_pct: Some(a("0.4")),
                ..deposit(1, "a", "x", OreType::Lepidolite)
            },
            Deposit {
                ore_t: Some(a("5")),
                li2o_grade_pct: Some(a("120")),
                ..deposit(2, "b", "x", OreType::Lepidolite)
            },
            Deposit {
                ore_t: Some(a("5")),
                ..deposit(3, "c", "x", OreType::Lepidolite)
            },
            deposit(4, "", "x", OreType::Brine),
            Deposit {
                ore_t: Some(a("5")),
                li2o_grade_pct: Some(a("1")),
                stated_li2o_t: Some(a("1")),
                ..deposit(5, "e", "x", OreType::Lepidolite)
            },
        ];
        let errs = resource_ledger(&deposits, &Conversions::builtin()).unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "deposits[0].ore_t",
                "deposits[1].li2o_grade_pct",
                "deposits[2].li2o_grade_pct",
                "deposits[3].name",
                "deposits[3].ore_t",
                "deposits[4].stated_li2o_t"
            ]
        );
        assert_eq!(errs.0[0].rule, Rule::Negative);
        assert_eq!(
            errs.0[1].rule.message(Lang::En),
            "the Li2O grade must be above 0% and at most 100%"
        );
    }
}
