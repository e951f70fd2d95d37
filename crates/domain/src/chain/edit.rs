//! What the office types to change a chain (环节, 连线, 本地布局规则) and to keep its investment
//! targets (招商目标库), checked before anything is stored.
//!
//! A chain edit is applied to the chain as it stands ([`ChainSpec`]) and the result checked as a
//! whole by [`Chain::new`]: an edge that would close a cycle other than a declared recycling loop
//! is refused with the domain's own message naming the nodes of the cycle, and nothing is stored.

use super::{Chain, ChainSpec, ChainStage, EdgeSpec, NodeSpec, PresenceRules};
use crate::amount::Amount;
use crate::credit_code::CreditCode;
use crate::labelled_enum;
use crate::org::phone_field;
use crate::project::Stage;
use crate::validation::{self as v, FieldError, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};

fn flag(value: &str) -> bool {
    matches!(value.trim(), "1" | "on" | "true" | "是")
}

/// A node as typed into the form (环节).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeForm {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub stage: String,
    pub by_product: String,
    pub capacity_unit: String,
    pub strong_capacity: String,
}

impl NodeForm {
    /// The form of an existing node, for editing.
    pub fn from_spec(n: &NodeSpec) -> NodeForm {
        NodeForm {
            code: n.code.clone(),
            name: n.name.clone(),
            name_en: n.name_en.clone().unwrap_or_default(),
            stage: n.stage.code().into(),
            by_product: if n.by_product { "1".into() } else { String::new() },
            capacity_unit: n.capacity_unit.clone().unwrap_or_default(),
            strong_capacity: n.strong_capacity.map(|a| a.to_string()).unwrap_or_default(),
        }
    }

    pub fn validate(&self) -> Result<NodeSpec, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let code = errs.check(v::required_text("code", &self.code, 40));
        if let Some(c) = &code
            && !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        {
            errs.push(
                "code",
                Rule::Other {
                    zh: "编码只能由英文字母、数字、下划线和连字符组成".into(),
                    en: "only letters, digits, _ and - are allowed".into(),
                },
            );
        }
        let name = errs.check(v::required_text("name", &self.name, 60));
        let name_en = errs.check(v::text("name_en", &self.name_en, false, 100)).flatten();
        let stage = errs.check(ChainStage::field("stage", &self.stage));
        let capacity_unit = errs
            .check(v::text("capacity_unit", &self.capacity_unit, false, 20))
            .flatten();
        let strong_capacity = errs
            .check(Amount::decimal_field("strong_capacity", &self.strong_capacity, false))
            .flatten();
        if strong_capacity.is_some_and(Amount::is_negative) {
            errs.push("strong_capacity", Rule::Negative);
        }
        errs.into_result(|| NodeSpec {
            code: code.unwrap_or_default(),
            name: name.unwrap_or_default(),
            name_en,
            stage: stage.unwrap_or(ChainStage::Material),
            by_product: flag(&self.by_product),
            capacity_unit,
            strong_capacity,
        })
    }
}

/// One change to a chain's structure. Nodes are named by their code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum ChainEdit {
    AddNode {
        node: NodeSpec,
    },
    /// Rename or re-stage a node (its code stays: enterprises and projects point at it).
    UpdateNode {
        code: String,
        node: NodeSpec,
    },
    /// Remove a node and every edge at it.
    DeleteNode {
        code: String,
    },
    AddEdge {
        edge: EdgeSpec,
    },
    DeleteEdge {
        from: String,
        to: String,
    },
}

impl ChainEdit {
    /// The chain after the edit, checked as a whole; every problem at once when it does not hold
    /// (an unknown node, a duplicate, a cycle that is not a declared recycling loop …).
    pub fn apply(&self, spec: &ChainSpec) -> Result<Chain, ValidationErrors> {
        let mut next = spec.clone();
        let missing = |field: &str, code: &str| {
            ValidationErrors::single(
                field,
                Rule::Unknown {
                    what: format!("产业链环节 / chain node {code}"),
                },
            )
        };
        match self {
            ChainEdit::AddNode { node } => next.nodes.push(node.clone()),
            ChainEdit::UpdateNode { code, node } => {
                let slot = next
                    .nodes
                    .iter_mut()
                    .find(|n| &n.code == code)
                    .ok_or_else(|| missing("code", code))?;
                if node.code != *code {
                    return Err(ValidationErrors::single(
                        "code",
                        Rule::Other {
                            zh: "环节编码不能修改（企业和项目按编码挂在环节上）".into(),
                            en: "a node's code cannot change (enterprises and projects refer to it)".into(),
                        },
                    ));
                }
                *slot = node.clone();
            }
            ChainEdit::DeleteNode { code } => {
                if !next.nodes.iter().any(|n| &n.code == code) {
                    return Err(missing("code", code));
                }
                next.nodes.retain(|n| &n.code != code);
                next.edges.retain(|e| &e.from != code && &e.to != code);
            }
            ChainEdit::AddEdge { edge } => next.edges.push(edge.clone()),
            ChainEdit::DeleteEdge { from, to } => {
                let before = next.edges.len();
                next.edges.retain(|e| !(&e.from == from && &e.to == to));
                if next.edges.len() == before {
                    return Err(missing("from", &format!("{from} → {to}")));
                }
            }
        }
        Ok(Chain::new(next)?)
    }
}

/// An edge as typed into the form: two node codes and whether it is the recycling loop.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EdgeForm {
    pub from: String,
    pub to: String,
    pub recycling: String,
}

impl EdgeForm {
    pub fn validate(&self) -> Result<EdgeSpec, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let from = errs.check(v::required_text("from", &self.from, 40));
        let to = errs.check(v::required_text("to", &self.to, 40));
        if let (Some(f), Some(t)) = (&from, &to)
            && f == t
        {
            errs.push(
                "to",
                Rule::Other {
                    zh: "连线的两端不能是同一个环节".into(),
                    en: "an edge cannot start and end at the same node".into(),
                },
            );
        }
        errs.into_result(|| EdgeSpec {
            from: from.unwrap_or_default(),
            to: to.unwrap_or_default(),
            recycling: flag(&self.recycling),
        })
    }
}

/// A new chain: its name and code, empty or a copy of the shipped lithium chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewChainForm {
    pub code: String,
    pub name: String,
    /// `lithium` to start from the shipped chain; empty to start with no nodes.
    pub copy_of: String,
}

impl NewChainForm {
    pub fn validate(&self) -> Result<ChainSpec, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let code = errs.check(v::required_text("code", &self.code, 40));
        let name = errs.check(v::required_text("name", &self.name, 60));
        let base = match self.copy_of.trim() {
            "" => None,
            "lithium" => Some(Chain::lithium().spec().clone()),
            _ => {
                errs.push(
                    "copy_of",
                    Rule::NotOneOf {
                        allowed: vec!["lithium".into()],
                    },
                );
                None
            }
        };
        errs.into_result(|| {
            let mut spec = base.unwrap_or(ChainSpec {
                code: String::new(),
                name: String::new(),
                name_en: None,
                source: None,
                nodes: Vec::new(),
                edges: Vec::new(),
            });
            spec.code = code.unwrap_or_default();
            spec.name = name.unwrap_or_default();
            spec
        })
    }
}

/// The presence rules as typed into the form (本地布局规则).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PresenceRulesForm {
    pub strong_min_enterprises: String,
    pub weak_min_enterprises: String,
    /// Class codes separated by commas or spaces ("D").
    pub excluded_classes: String,
    pub strong_requires_class: String,
    /// A project stage code, or empty when projects never count.
    pub projects_count_from: String,
}

fn count_field(field: &str, value: &str) -> Result<u32, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    v.parse::<u32>().ok().filter(|n| *n <= 1000).ok_or_else(|| {
        FieldError::new(
            field,
            Rule::OutOfRange {
                min: "0".into(),
                max: "1000".into(),
            },
        )
    })
}

fn class_list(field: &str, value: &str) -> Result<Vec<String>, FieldError> {
    const CLASSES: [&str; 5] = ["A", "B", "C", "D", "T"];
    let mut out = Vec::new();
    for part in value
        .split([',', '，', ' ', '、'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let code = part.to_ascii_uppercase();
        if !CLASSES.contains(&code.as_str()) {
            return Err(FieldError::new(
                field,
                Rule::NotOneOf {
                    allowed: CLASSES.iter().map(|c| c.to_string()).collect(),
                },
            ));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

impl PresenceRulesForm {
    pub fn from_rules(r: &PresenceRules) -> PresenceRulesForm {
        PresenceRulesForm {
            strong_min_enterprises: r.strong_min_enterprises.to_string(),
            weak_min_enterprises: r.weak_min_enterprises.to_string(),
            excluded_classes: r.excluded_classes.join(", "),
            strong_requires_class: r.strong_requires_class.join(", "),
            projects_count_from: r.projects_count_from.map(|s| s.code().to_string()).unwrap_or_default(),
        }
    }

    pub fn validate(&self) -> Result<PresenceRules, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let strong = errs.check(count_field("strong_min_enterprises", &self.strong_min_enterprises));
        let weak = errs.check(count_field("weak_min_enterprises", &self.weak_min_enterprises));
        let excluded = errs.check(class_list("excluded_classes", &self.excluded_classes));
        let required = errs.check(class_list("strong_requires_class", &self.strong_requires_class));
        let from = if self.projects_count_from.trim().is_empty() {
            Some(None)
        } else {
            errs.check(Stage::field("projects_count_from", &self.projects_count_from).map(Some))
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let rules = PresenceRules {
            strong_min_enterprises: strong.unwrap_or_default(),
            weak_min_enterprises: weak.unwrap_or_default(),
            excluded_classes: excluded.unwrap_or_default(),
            strong_requires_class: required.unwrap_or_default(),
            projects_count_from: from.flatten(),
        };
        rules.validate()?;
        Ok(rules)
    }
}

/// An enterprise placed on a node, with its capacity there (in the node's unit) when known.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlacementForm {
    pub enterprise_id: String,
    pub capacity: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub enterprise_id: i64,
    pub capacity: Option<Amount>,
}

impl PlacementForm {
    pub fn validate(&self) -> Result<Placement, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let id = self.enterprise_id.trim();
        let enterprise_id = if id.is_empty() {
            errs.push("enterprise_id", Rule::Required);
            None
        } else {
            errs.check(
                id.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| FieldError::new("enterprise_id", Rule::NotANumber)),
            )
        };
        let capacity = errs
            .check(Amount::decimal_field("capacity", &self.capacity, false))
            .flatten();
        if capacity.is_some_and(Amount::is_negative) {
            errs.push("capacity", Rule::Negative);
        }
        errs.into_result(|| Placement {
            enterprise_id: enterprise_id.unwrap_or_default(),
            capacity,
        })
    }
}

labelled_enum! {
    /// Where an investment target (招商目标) stands.
    pub enum TargetStatus {
        /// 待接洽 — on the list, not contacted yet.
        Candidate = ("candidate", "待接洽", "Candidate"),
        /// 接洽中 — in contact.
        Contacting = ("contacting", "接洽中", "In contact"),
        /// 洽谈中 — negotiating an investment.
        Negotiating = ("negotiating", "洽谈中", "Negotiating"),
        /// 已转线索 — turned into a 线索 project in the pipeline.
        Converted = ("converted", "已转线索", "Turned into a lead"),
        /// 已放弃 — dropped.
        Dropped = ("dropped", "已放弃", "Dropped"),
    }
}

/// An investment target (招商目标) as typed into the form: an outside enterprise the county
/// would like on a chain node.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetForm {
    pub node_id: String,
    pub name: String,
    pub credit_code: String,
    pub headquarters: String,
    pub contact_person: String,
    pub phone: String,
    pub notes: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetDraft {
    pub node_id: i64,
    pub name: String,
    pub credit_code: Option<CreditCode>,
    /// 总部所在地.
    pub headquarters: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub status: TargetStatus,
}

impl TargetForm {
    pub fn validate(&self) -> Result<TargetDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let node = self.node_id.trim();
        let node_id = if node.is_empty() {
            errs.push("node_id", Rule::Required);
            None
        } else {
            errs.check(
                node.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| FieldError::new("node_id", Rule::NotANumber)),
            )
        };
        let name = errs.check(v::required_text("name", &self.name, 100));
        let credit_code = errs
            .check(CreditCode::field("credit_code", &self.credit_code, false))
            .flatten();
        let headquarters = errs
            .check(v::text("headquarters", &self.headquarters, false, 100))
            .flatten();
        let contact_person = errs
            .check(v::text("contact_person", &self.contact_person, false, 40))
            .flatten();
        let phone = errs.check(phone_field("phone", &self.phone)).flatten();
        let notes = errs.check(v::text("notes", &self.notes, false, 2000)).flatten();
        let status = if self.status.trim().is_empty() {
            Some(TargetStatus::Candidate)
        } else {
            errs.check(TargetStatus::field("status", &self.status))
        };
        if status == Some(TargetStatus::Converted) {
            errs.push(
                "status",
                Rule::Other {
                    zh: "“已转线索”只能通过“转为线索项目”设置".into(),
                    en: "a target becomes a lead only through “Turn into a lead project”".into(),
                },
            );
        }
        errs.into_result(|| TargetDraft {
            node_id: node_id.unwrap_or_default(),
            name: name.unwrap_or_default(),
            credit_code,
            headquarters,
            contact_person,
            phone,
            notes,
            status: status.unwrap_or(TargetStatus::Candidate),
        })
    }
}

/// One contact with a target (接洽记录): when, how, what was said.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub contact_date: String,
    pub channel: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDraft {
    pub contact_date: chrono::NaiveDate,
    /// 上门拜访 / 电话 / 来访 / 展会 …, free text.
    pub channel: Option<String>,
    pub summary: String,
}

impl ContactForm {
    pub fn validate(&self) -> Result<ContactDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let date = errs
            .check(v::optional_date("contact_date", &self.contact_date))
            .flatten();
        if self.contact_date.trim().is_empty() {
            errs.push("contact_date", Rule::Required);
        }
        let channel = errs.check(v::text("channel", &self.channel, false, 40)).flatten();
        let summary = errs.check(v::required_text("summary", &self.summary, 2000));
        errs.into_result(|| ContactDraft {
            contact_date: date.unwrap_or_default(),
            channel,
            summary: summary.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Lang;

    fn node(code: &str, stage: &str) -> NodeSpec {
        NodeForm {
            code: code.into(),
            name: format!("{code}环节"),
            stage: stage.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn an_edge_that_closes_an_undeclared_cycle_is_refused_naming_the_cycle() {
        let spec = Chain::lithium().spec().clone();
        let edit = ChainEdit::AddEdge {
            edge: EdgeForm {
                from: "cell".into(),
                to: "lithium_carbonate".into(),
                recycling: String::new(),
            }
            .validate()
            .unwrap(),
        };
        let err = edit.apply(&spec).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field, "edges");
        let zh = err.0[0].rule.message(Lang::Zh);
        assert!(zh.starts_with("产业链出现环路："), "{zh}");
        assert!(zh.contains("lithium_carbonate") && zh.contains("cell"), "{zh}");
        // The same edge declared as recycling from a 回收 node is the allowed loop.
        let ok = ChainEdit::AddEdge {
            edge: EdgeSpec {
                from: "recycling".into(),
                to: "lithium_hydroxide".into(),
                recycling: true,
            },
        };
        assert!(ok.apply(&spec).is_ok());
    }

    #[test]
    fn nodes_are_added_renamed_and_deleted_with_their_edges() {
        let spec = ChainEdit::AddNode {
            node: node("ore", "resource"),
        }
        .apply(&ChainSpec {
            code: "t".into(),
            name: "t".into(),
            name_en: None,
            source: None,
            nodes: vec![],
            edges: vec![],
        })
        .unwrap()
        .spec()
        .clone();
        let spec = ChainEdit::AddNode {
            node: node("salt", "material"),
        }
        .apply(&spec)
        .unwrap()
        .spec()
        .clone();
        let spec = ChainEdit::AddEdge {
            edge: EdgeSpec {
                from: "ore".into(),
                to: "salt".into(),
                recycling: false,
            },
        }
        .apply(&spec)
        .unwrap()
        .spec()
        .clone();
        let mut renamed = node("salt", "material");
        renamed.name = "碳酸锂".into();
        let spec = ChainEdit::UpdateNode {
            code: "salt".into(),
            node: renamed,
        }
        .apply(&spec)
        .unwrap()
        .spec()
        .clone();
        assert_eq!(spec.nodes[1].name, "碳酸锂");
        let after = ChainEdit::DeleteNode { code: "ore".into() }.apply(&spec).unwrap();
        assert_eq!(after.nodes().len(), 1);
        assert!(after.spec().edges.is_empty());
        // A code is the key enterprises hang on: it does not change.
        let err = ChainEdit::UpdateNode {
            code: "salt".into(),
            node: node("salt2", "material"),
        }
        .apply(&spec)
        .unwrap_err();
        assert_eq!(err.0[0].field, "code");
    }

    #[test]
    fn forms_name_every_bad_field() {
        let e = NodeForm {
            code: "碳 酸".into(),
            name: String::new(),
            stage: "moon".into(),
            strong_capacity: "-3".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["code", "name", "stage", "strong_capacity"]);

        let e = TargetForm {
            node_id: "x".into(),
            name: String::new(),
            credit_code: "123".into(),
            status: "converted".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["node_id", "name", "credit_code", "status"]);

        let e = ContactForm::default().validate().unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["contact_date", "summary"]);

        let e = PresenceRulesForm {
            strong_min_enterprises: "1".into(),
            weak_min_enterprises: "2".into(),
            excluded_classes: "D, Z".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.0[0].field, "excluded_classes");
        let e = PresenceRulesForm {
            strong_min_enterprises: "1".into(),
            weak_min_enterprises: "2".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.0[0].field, "strong_min_enterprises");
        let ok = PresenceRulesForm::from_rules(&PresenceRules::builtin())
            .validate()
            .unwrap();
        assert_eq!(ok, PresenceRules::builtin());
    }
}
