//! Investment projects (招商/重点项目) and their lifecycle stages (DOMAIN.md §1).

use crate::amount::Amount;
use crate::labelled_enum;
use crate::validation::{self, FieldError, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Where a project stands on the road from talks to full production. The order of the
    /// variants is the order of the road.
    pub enum Stage {
        /// 线索/在谈 — a lead or under negotiation.
        Lead = ("lead", "在谈", "Negotiating"),
        /// 签约 — agreement signed.
        Signed = ("signed", "签约", "Signed"),
        /// 注册 — the project company holds its business licence (营业执照).
        Registered = ("registered", "注册", "Registered"),
        /// 备案/核准 — the project code is issued.
        Filed = ("filed", "备案", "Filed"),
        /// 供地 — land supplied (摘牌 → 出让合同 → 不动产权证).
        LandSupplied = ("land_supplied", "供地", "Land supplied"),
        /// 规划/施工许可 — planning and construction permits.
        Permitted = ("permitted", "许可", "Permitted"),
        /// 开工 — construction started.
        Started = ("started", "开工", "Started"),
        /// 竣工 — construction completed.
        Completed = ("completed", "竣工", "Completed"),
        /// 投产 — production started.
        InProduction = ("in_production", "投产", "In production"),
        /// 达产 — reached designed capacity.
        FullProduction = ("full_production", "达产", "Full production"),
    }
}

impl Stage {
    /// Stages counted as "landed" (落地) in the 快签约、快落地、快开工 measures: land supplied or later.
    pub fn is_landed(self) -> bool {
        self >= Stage::LandSupplied
    }

    pub fn is_signed(self) -> bool {
        self >= Stage::Signed
    }

    pub fn is_started(self) -> bool {
        self >= Stage::Started
    }

    pub fn next(self) -> Option<Stage> {
        let i = Stage::ALL.iter().position(|s| *s == self)?;
        Stage::ALL.get(i + 1).copied()
    }
}

labelled_enum! {
    /// Whether a project is moving, paused or abandoned. Separate from [`Stage`] because a paused
    /// project keeps the stage it reached.
    pub enum ProjectState {
        Active = ("active", "推进中", "Active"),
        /// 暂停 — paused, with a reason.
        Paused = ("paused", "暂停", "Paused"),
        /// 终止 — terminated, with a reason.
        Terminated = ("terminated", "终止", "Terminated"),
    }
}

labelled_enum! {
    /// 建设性质.
    pub enum ConstructionNature {
        New = ("new", "新建", "New build"),
        Expansion = ("expansion", "扩建", "Expansion"),
        Renovation = ("renovation", "技改", "Technical renovation"),
    }
}

/// What a user types to create or edit a project, as text, before any checking.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectForm {
    pub name: String,
    pub code: String,
    pub enterprise_id: String,
    pub chain_node_id: String,
    pub township_id: String,
    pub lead_unit_id: String,
    pub leader: String,
    pub nature: String,
    pub location: String,
    pub content: String,
    pub capacity: String,
    pub total_investment: String,
    pub fixed_investment: String,
    pub agreed_investment: String,
    pub land_area: String,
    pub stage: String,
    pub target_start: String,
    pub annual_plan_investment: String,
}

/// A project's own fields after checking; references (ids) are checked for existence by storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDraft {
    pub name: String,
    /// 项目代码 from the national online approval platform, when issued.
    pub code: Option<String>,
    pub enterprise_id: Option<i64>,
    pub chain_node_id: Option<i64>,
    /// 属地乡镇 (a unit of kind township).
    pub township_id: Option<i64>,
    /// 牵头单位.
    pub lead_unit_id: Option<i64>,
    /// 包挂县领导 — the county leader personally in charge.
    pub leader: Option<String>,
    pub nature: Option<ConstructionNature>,
    pub location: Option<String>,
    /// 建设规模及主要内容.
    pub content: Option<String>,
    /// 新增产能 as written (e.g. "2万吨碳酸锂", "10GWh").
    pub capacity: Option<String>,
    /// 总投资, 万元.
    pub total_investment: Option<Amount>,
    /// 其中固投, 万元.
    pub fixed_investment: Option<Amount>,
    /// 协议投资额, 万元.
    pub agreed_investment: Option<Amount>,
    /// 用地面积, 亩.
    pub land_area: Option<Amount>,
    pub stage: Stage,
    /// The date construction must start (计划开工); the backward schedule ends here.
    pub target_start: Option<NaiveDate>,
    /// 年度计划投资, 万元.
    pub annual_plan_investment: Option<Amount>,
}

fn optional_id(field: &str, value: &str) -> Result<Option<i64>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or_else(|| FieldError::new(field, Rule::NotANumber))
}

impl ProjectForm {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<ProjectDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check(validation::required_text("name", &self.name, 100));
        let code = errs.check(validation::text("code", &self.code, false, 40)).flatten();
        let enterprise_id = errs.check(optional_id("enterprise_id", &self.enterprise_id)).flatten();
        let chain_node_id = errs.check(optional_id("chain_node_id", &self.chain_node_id)).flatten();
        let township_id = errs.check(optional_id("township_id", &self.township_id)).flatten();
        let lead_unit_id = errs.check(optional_id("lead_unit_id", &self.lead_unit_id)).flatten();
        let leader = errs
            .check(validation::text("leader", &self.leader, false, 40))
            .flatten();
        let nature = if self.nature.trim().is_empty() {
            None
        } else {
            errs.check(ConstructionNature::field("nature", &self.nature))
        };
        let location = errs
            .check(validation::text("location", &self.location, false, 200))
            .flatten();
        let content = errs
            .check(validation::text("content", &self.content, false, 2000))
            .flatten();
        let capacity = errs
            .check(validation::text("capacity", &self.capacity, false, 200))
            .flatten();
        let total_investment = errs
            .check(Amount::money_field("total_investment", &self.total_investment, false))
            .flatten();
        let fixed_investment = errs
            .check(Amount::money_field("fixed_investment", &self.fixed_investment, false))
            .flatten();
        let agreed_investment = errs
            .check(Amount::money_field("agreed_investment", &self.agreed_investment, false))
            .flatten();
        let land_area = errs
            .check(Amount::decimal_field("land_area", &self.land_area, false))
            .flatten();
        let annual_plan_investment = errs
            .check(Amount::money_field(
                "annual_plan_investment",
                &self.annual_plan_investment,
                false,
            ))
            .flatten();
        let stage = if self.stage.trim().is_empty() {
            Some(Stage::Lead)
        } else {
            errs.check(Stage::field("stage", &self.stage))
        };
        let target_start = errs
            .check(validation::optional_date("target_start", &self.target_start))
            .flatten();
        if let (Some(total), Some(fixed)) = (total_investment, fixed_investment)
            && fixed > total
        {
            errs.push(
                "fixed_investment",
                Rule::Other {
                    zh: "其中固投不能大于总投资".into(),
                    en: "must not exceed the total investment".into(),
                },
            );
        }
        errs.into_result(|| ProjectDraft {
            name: name.unwrap_or_default(),
            code,
            enterprise_id,
            chain_node_id,
            township_id,
            lead_unit_id,
            leader,
            nature,
            location,
            content,
            capacity,
            total_investment,
            fixed_investment,
            agreed_investment,
            land_area,
            stage: stage.unwrap_or(Stage::Lead),
            target_start,
            annual_plan_investment,
        })
    }
}

impl ProjectDraft {
    /// The form that shows this draft for editing.
    pub fn to_form(&self) -> ProjectForm {
        let id = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
        let amt = |v: Option<Amount>| v.map(|a| a.to_string()).unwrap_or_default();
        ProjectForm {
            name: self.name.clone(),
            code: self.code.clone().unwrap_or_default(),
            enterprise_id: id(self.enterprise_id),
            chain_node_id: id(self.chain_node_id),
            township_id: id(self.township_id),
            lead_unit_id: id(self.lead_unit_id),
            leader: self.leader.clone().unwrap_or_default(),
            nature: self.nature.map(|n| n.code().to_string()).unwrap_or_default(),
            location: self.location.clone().unwrap_or_default(),
            content: self.content.clone().unwrap_or_default(),
            capacity: self.capacity.clone().unwrap_or_default(),
            total_investment: amt(self.total_investment),
            fixed_investment: amt(self.fixed_investment),
            agreed_investment: amt(self.agreed_investment),
            land_area: amt(self.land_area),
            stage: self.stage.code().to_string(),
            target_start: self.target_start.map(|d| d.to_string()).unwrap_or_default(),
            annual_plan_investment: amt(self.annual_plan_investment),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_follow_the_road_from_talks_to_full_production() {
        assert!(Stage::Lead < Stage::Signed && Stage::Started < Stage::InProduction);
        assert_eq!(Stage::Signed.next(), Some(Stage::Registered));
        assert_eq!(Stage::FullProduction.next(), None);
        assert!(Stage::LandSupplied.is_landed() && !Stage::Filed.is_landed());
    }

    #[test]
    fn a_ledger_style_form_becomes_exact_figures() {
        let form = ProjectForm {
            name: "年产2万吨电池级碳酸锂项目".into(),
            total_investment: "1.5亿元".into(),
            fixed_investment: "12000".into(),
            land_area: "150.5".into(),
            stage: "签约".into(),
            target_start: "2026-06-30".into(),
            ..Default::default()
        };
        let d = form.validate().unwrap();
        assert_eq!(d.total_investment.unwrap().to_string(), "15000");
        assert_eq!(d.stage, Stage::Signed);
        assert_eq!(d.land_area.unwrap().to_string(), "150.5");
        assert_eq!(d.to_form().validate().unwrap(), d);
    }

    #[test]
    fn every_broken_field_is_reported_at_once() {
        let form = ProjectForm {
            name: "".into(),
            total_investment: "很多".into(),
            land_area: "-3".into(),
            stage: "done".into(),
            target_start: "2026/13/01".into(),
            ..Default::default()
        };
        let errs = form.validate().unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "total_investment", "land_area", "stage", "target_start"]
        );
    }

    #[test]
    fn fixed_investment_cannot_exceed_the_total() {
        let form = ProjectForm {
            name: "x".into(),
            total_investment: "100".into(),
            fixed_investment: "200".into(),
            ..Default::default()
        };
        assert_eq!(form.validate().unwrap_err().0[0].field, "fixed_investment");
    }
}
