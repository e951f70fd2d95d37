//! Local presence (本地布局): which enterprises and projects sit on each node, and whether the
//! county is strong, weak or missing there.
//!
//! The rule, with the numbers from [`PresenceRules`] (`data/chains/presence-rules.json` by default):
//!
//! * an enterprise **counts** on a node it is mapped to unless its 亩均 class is one of
//!   `excluded_classes` (by default D: an enterprise being rectified does not make a node strong);
//! * **strong** (强): at least `strong_min_enterprises` counted enterprises, or the node's
//!   `strong_capacity` (set per node in the chain) reached by their summed capacity — and, when
//!   `strong_requires_class` is not empty, at least one counted enterprise in one of those classes;
//! * **weak** (弱): not strong, but at least `weak_min_enterprises` counted enterprises, or a
//!   project on the node that is active and at or past `projects_count_from` (by default 签约);
//! * **missing** (缺): otherwise.

use super::{Chain, Explanation};
use crate::amount::Amount;
use crate::labelled_enum;
use crate::project::Stage;
use crate::validation::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

labelled_enum! {
    /// A node's local status on the chain map.
    pub enum NodeStatus {
        Strong = ("strong", "强", "Strong"),
        Weak = ("weak", "弱", "Weak"),
        Missing = ("missing", "缺", "Missing"),
    }
}

impl NodeStatus {
    /// Strong or weak: the county has something on the node.
    pub fn is_covered(self) -> bool {
        self != NodeStatus::Missing
    }
}

/// The thresholds of the presence rule (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceRules {
    pub strong_min_enterprises: u32,
    pub weak_min_enterprises: u32,
    /// 亩均 class codes whose enterprises do not count (e.g. `["D"]`).
    #[serde(default)]
    pub excluded_classes: Vec<String>,
    /// When not empty, a strong node needs a counted enterprise in one of these classes.
    #[serde(default)]
    pub strong_requires_class: Vec<String>,
    /// Projects at or past this stage make a node at least weak; `None`: projects never count.
    #[serde(default)]
    pub projects_count_from: Option<Stage>,
}

static BUILT_IN: LazyLock<PresenceRules> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../../data/chains/presence-rules.json"))
        .expect("data/chains/presence-rules.json is checked by the tests")
});

impl PresenceRules {
    /// The defaults shipped in `data/chains/presence-rules.json`.
    pub fn builtin() -> PresenceRules {
        BUILT_IN.clone()
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if self.weak_min_enterprises == 0 {
            errs.push(
                "weak_min_enterprises",
                Rule::OutOfRange {
                    min: "1".into(),
                    max: self.strong_min_enterprises.to_string(),
                },
            );
        }
        if self.strong_min_enterprises < self.weak_min_enterprises {
            errs.push(
                "strong_min_enterprises",
                Rule::Other {
                    zh: "强链所需企业数不能少于弱链所需企业数".into(),
                    en: "must not be below weak_min_enterprises".into(),
                },
            );
        }
        errs.into_result(|| ())
    }
}

/// A node an enterprise sits on, with its capacity there when known (in the node's unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeLink {
    pub node: String,
    #[serde(default)]
    pub capacity: Option<Amount>,
}

/// A local enterprise and the nodes it sits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalEnterprise {
    pub id: i64,
    pub name: String,
    pub nodes: Vec<NodeLink>,
    /// Its 亩均 class code (A/B/C/D/T …) when evaluated.
    #[serde(default)]
    pub permu_class: Option<String>,
}

/// A project mapped onto a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalProject {
    pub id: i64,
    pub name: String,
    pub node: String,
    pub stage: Stage,
    /// `false` for a paused or terminated project.
    pub active: bool,
}

/// One node's local status and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePresence {
    pub node: String,
    pub status: NodeStatus,
    /// Enterprises that count on the node.
    pub enterprises: Vec<i64>,
    /// Enterprises mapped to the node that do not count because of their 亩均 class.
    pub excluded_enterprises: Vec<i64>,
    /// Projects that count on the node.
    pub projects: Vec<i64>,
    /// Summed capacity of the counted enterprises that stated one, in `capacity_unit`.
    pub capacity: Option<Amount>,
    pub capacity_unit: Option<String>,
    pub reason: Explanation,
}

/// The local status of every node of `chain`, in the chain's node order. Unknown node codes and
/// negative capacities are refused, naming the enterprise or project row.
pub fn local_presence(
    chain: &Chain,
    enterprises: &[LocalEnterprise],
    projects: &[LocalProject],
    rules: &PresenceRules,
) -> Result<Vec<NodePresence>, ValidationErrors> {
    rules.validate()?;
    let mut errs = ValidationErrors::new();
    for (i, e) in enterprises.iter().enumerate() {
        for (j, link) in e.nodes.iter().enumerate() {
            if !chain.contains(&link.node) {
                errs.push(format!("enterprises[{i}].nodes[{j}].node"), unknown_node(&link.node));
            }
            if link.capacity.is_some_and(Amount::is_negative) {
                errs.push(format!("enterprises[{i}].nodes[{j}].capacity"), Rule::Negative);
            }
        }
    }
    for (i, p) in projects.iter().enumerate() {
        if !chain.contains(&p.node) {
            errs.push(format!("projects[{i}].node"), unknown_node(&p.node));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(chain
        .nodes()
        .iter()
        .map(|node| {
            let mut counted = Vec::new();
            let mut excluded = Vec::new();
            let mut capacity: Option<Amount> = None;
            let mut has_required_class = false;
            for e in enterprises {
                for link in e.nodes.iter().filter(|l| l.node == node.code) {
                    let class = e.permu_class.as_deref();
                    if class.is_some_and(|c| rules.excluded_classes.iter().any(|x| x == c)) {
                        excluded.push(e.id);
                        continue;
                    }
                    counted.push(e.id);
                    has_required_class |= class.is_some_and(|c| rules.strong_requires_class.iter().any(|x| x == c));
                    if let Some(c) = link.capacity {
                        capacity = Some(capacity.unwrap_or_default().saturating_add(c));
                    }
                }
            }
            counted.dedup();
            excluded.dedup();
            let counting_projects: Vec<i64> = projects
                .iter()
                .filter(|p| p.node == node.code && p.active)
                .filter(|p| rules.projects_count_from.is_some_and(|from| p.stage >= from))
                .map(|p| p.id)
                .collect();
            let n = counted.len() as u32;
            let by_count = n >= rules.strong_min_enterprises;
            let by_capacity = matches!((node.strong_capacity, capacity), (Some(t), Some(c)) if c >= t);
            let class_ok = rules.strong_requires_class.is_empty() || has_required_class;
            let status = if (by_count || by_capacity) && class_ok {
                NodeStatus::Strong
            } else if n >= rules.weak_min_enterprises || !counting_projects.is_empty() {
                NodeStatus::Weak
            } else {
                NodeStatus::Missing
            };
            let reason = explain(ReasonFacts {
                status,
                counted: n,
                excluded: excluded.len(),
                projects: counting_projects.len(),
                by_count,
                by_capacity,
                class_ok,
                capacity,
                unit: node.capacity_unit.as_deref().unwrap_or(""),
                rules,
                strong_capacity: node.strong_capacity,
            });
            NodePresence {
                node: node.code.clone(),
                status,
                enterprises: counted,
                excluded_enterprises: excluded,
                projects: counting_projects,
                capacity,
                capacity_unit: node.capacity_unit.clone(),
                reason,
            }
        })
        .collect())
}

fn unknown_node(code: &str) -> Rule {
    Rule::Other {
        zh: format!("产业链中没有环节 {code}"),
        en: format!("the chain has no node {code}"),
    }
}

struct ReasonFacts<'a> {
    status: NodeStatus,
    counted: u32,
    excluded: usize,
    projects: usize,
    by_count: bool,
    by_capacity: bool,
    class_ok: bool,
    capacity: Option<Amount>,
    unit: &'a str,
    rules: &'a PresenceRules,
    strong_capacity: Option<Amount>,
}

fn explain(f: ReasonFacts) -> Explanation {
    let r = f.rules;
    let n = f.counted;
    let min = r.strong_min_enterprises;
    let mut zh = match f.status {
        NodeStatus::Strong if f.by_count => format!("本地 {n} 家企业，达到强链标准（{min} 家）"),
        NodeStatus::Strong => format!(
            "本地产能 {} {}，达到强链标准（{} {}）",
            f.capacity.unwrap_or_default(),
            f.unit,
            f.strong_capacity.unwrap_or_default(),
            f.unit
        ),
        NodeStatus::Weak | NodeStatus::Missing => format!("本地 {n} 家企业，未达到强链标准（{min} 家）"),
    };
    let mut en = match f.status {
        NodeStatus::Strong if f.by_count => {
            format!("{n} local enterprises, at least the {min} a strong node needs")
        }
        NodeStatus::Strong => format!(
            "local capacity {} {}, at least the {} {} a strong node needs",
            f.capacity.unwrap_or_default(),
            f.unit,
            f.strong_capacity.unwrap_or_default(),
            f.unit
        ),
        NodeStatus::Weak | NodeStatus::Missing => {
            format!("{n} local enterprises, fewer than the {min} a strong node needs")
        }
    };
    if f.status != NodeStatus::Strong
        && let (Some(c), Some(t)) = (f.capacity, f.strong_capacity)
    {
        zh += &format!("，产能 {c} {}（标准 {t}）", f.unit);
        en += &format!(", capacity {c} {} (strong from {t})", f.unit);
    }
    if (f.by_count || f.by_capacity) && !f.class_ok {
        let classes = r.strong_requires_class.join("/");
        zh += &format!("，但没有亩均 {classes} 类企业");
        en += &format!(", but none is in 亩均 class {classes}");
    }
    if f.projects > 0 {
        zh += &format!("；在建/签约项目 {} 个", f.projects);
        en += &format!("; {} signed or ongoing projects", f.projects);
    }
    if f.excluded > 0 {
        let classes = r.excluded_classes.join("/");
        zh += &format!("；另有 {} 家亩均 {classes} 类企业不计入", f.excluded);
        en += &format!("; {} more in 亩均 class {classes} not counted", f.excluded);
    }
    Explanation { zh, en }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{ChainSpec, ChainStage, EdgeSpec, NodeSpec};
    use crate::validation::Lang;

    fn chain() -> Chain {
        let node = |code: &str, stage, strong_capacity: Option<&str>| NodeSpec {
            code: code.into(),
            name: format!("{code}环节"),
            name_en: None,
            stage,
            by_product: false,
            capacity_unit: Some("GWh/年".into()),
            strong_capacity: strong_capacity.map(|s| s.parse().unwrap()),
        };
        Chain::new(ChainSpec {
            code: "t".into(),
            name: "t".into(),
            name_en: None,
            source: None,
            nodes: vec![
                node("salt", ChainStage::Material, None),
                node("cell", ChainStage::Battery, Some("20")),
                node("pack", ChainStage::Battery, None),
            ],
            edges: vec![
                EdgeSpec {
                    from: "salt".into(),
                    to: "cell".into(),
                    recycling: false,
                },
                EdgeSpec {
                    from: "cell".into(),
                    to: "pack".into(),
                    recycling: false,
                },
            ],
        })
        .unwrap()
    }

    fn ent(id: i64, nodes: &[(&str, Option<&str>)], class: Option<&str>) -> LocalEnterprise {
        LocalEnterprise {
            id,
            name: format!("企业{id}"),
            nodes: nodes
                .iter()
                .map(|(n, c)| NodeLink {
                    node: n.to_string(),
                    capacity: c.map(|c| c.parse().unwrap()),
                })
                .collect(),
            permu_class: class.map(str::to_string),
        }
    }

    fn status_of(p: &[NodePresence]) -> Vec<(&str, NodeStatus)> {
        p.iter().map(|n| (n.node.as_str(), n.status)).collect()
    }

    #[test]
    fn three_enterprises_make_a_node_strong_one_weak_none_missing() {
        let rules = PresenceRules::builtin();
        let es = [
            ent(1, &[("salt", None)], None),
            ent(2, &[("salt", None), ("cell", Some("5"))], Some("A")),
            ent(3, &[("salt", None)], Some("B")),
        ];
        let p = local_presence(&chain(), &es, &[], &rules).unwrap();
        use NodeStatus::*;
        assert_eq!(status_of(&p), [("salt", Strong), ("cell", Weak), ("pack", Missing)]);
        assert_eq!(p[0].enterprises, [1, 2, 3]);
        assert_eq!(
            p[1].reason.zh,
            "本地 1 家企业，未达到强链标准（3 家），产能 5 GWh/年（标准 20）"
        );
        assert_eq!(
            p[0].reason.en,
            "3 local enterprises, at least the 3 a strong node needs"
        );
    }

    #[test]
    fn one_big_cell_maker_above_the_node_capacity_threshold_makes_cells_strong() {
        let es = [ent(7, &[("cell", Some("24"))], None)];
        let p = local_presence(&chain(), &es, &[], &PresenceRules::builtin()).unwrap();
        assert_eq!(p[1].status, NodeStatus::Strong);
        assert_eq!(p[1].capacity, Some("24".parse().unwrap()));
        assert_eq!(p[1].reason.zh, "本地产能 24 GWh/年，达到强链标准（20 GWh/年）");
    }

    #[test]
    fn a_class_d_enterprise_does_not_count_and_is_listed_apart() {
        let es = [
            ent(1, &[("salt", None)], Some("D")),
            ent(2, &[("salt", None)], None),
            ent(3, &[("salt", None)], None),
        ];
        let p = local_presence(&chain(), &es, &[], &PresenceRules::builtin()).unwrap();
        assert_eq!(p[0].status, NodeStatus::Weak);
        assert_eq!(p[0].enterprises, [2, 3]);
        assert_eq!(p[0].excluded_enterprises, [1]);
        assert!(p[0].reason.zh.ends_with("另有 1 家亩均 D 类企业不计入"));
    }

    #[test]
    fn a_required_class_keeps_a_crowded_node_weak_until_one_good_performer_is_there() {
        let rules = PresenceRules {
            strong_requires_class: vec!["A".into()],
            ..PresenceRules::builtin()
        };
        let mut es = vec![
            ent(1, &[("salt", None)], Some("B")),
            ent(2, &[("salt", None)], Some("C")),
            ent(3, &[("salt", None)], None),
        ];
        let p = local_presence(&chain(), &es, &[], &rules).unwrap();
        assert_eq!(p[0].status, NodeStatus::Weak);
        assert!(p[0].reason.en.ends_with("but none is in 亩均 class A"));
        es[2].permu_class = Some("A".into());
        let p = local_presence(&chain(), &es, &[], &rules).unwrap();
        assert_eq!(p[0].status, NodeStatus::Strong);
    }

    #[test]
    fn a_signed_project_makes_an_empty_node_weak_but_a_lead_or_a_paused_one_does_not() {
        let project = |id, stage, active| LocalProject {
            id,
            name: format!("项目{id}"),
            node: "pack".into(),
            stage,
            active,
        };
        let rules = PresenceRules::builtin();
        let lead = [project(1, Stage::Lead, true), project(2, Stage::Started, false)];
        let p = local_presence(&chain(), &[], &lead, &rules).unwrap();
        assert_eq!(p[2].status, NodeStatus::Missing);
        let signed = [project(3, Stage::Signed, true)];
        let p = local_presence(&chain(), &[], &signed, &rules).unwrap();
        assert_eq!(p[2].status, NodeStatus::Weak);
        assert_eq!(p[2].projects, [3]);
        let never = PresenceRules {
            projects_count_from: None,
            ..rules
        };
        let p = local_presence(&chain(), &[], &signed, &never).unwrap();
        assert_eq!(p[2].status, NodeStatus::Missing);
    }

    #[test]
    fn a_mapping_to_an_unknown_node_or_a_negative_capacity_names_the_row() {
        let es = [ent(1, &[("salt", Some("-1")), ("slag", None)], None)];
        let errs = local_presence(&chain(), &es, &[], &PresenceRules::builtin()).unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["enterprises[0].nodes[0].capacity", "enterprises[0].nodes[1].node"]
        );
        assert_eq!(errs.0[1].rule.message(Lang::En), "the chain has no node slag");
    }

    #[test]
    fn rules_where_weak_needs_more_than_strong_are_refused() {
        let rules = PresenceRules {
            strong_min_enterprises: 1,
            weak_min_enterprises: 2,
            ..PresenceRules::builtin()
        };
        assert_eq!(rules.validate().unwrap_err().0[0].field, "strong_min_enterprises");
    }
}
