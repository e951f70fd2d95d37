//! What the office types into the resource pages, checked field by field before anything is
//! stored: a deposit (矿权), a round (配置轮次), an application with its commitments (申请与承诺),
//! a violation on record (安全环保问题), an expert's score sheet (专家评分) and a progress report on a
//! commitment (承诺兑现情况).

use super::commitment::{Actuals, Commitment};
use super::eligibility::{Application, Violation, ViolationKind};
use super::ledger::{Deposit, EstimateCategory, OreType, resource_ledger};
use super::panel::PanelCriterion;
use super::round::{Quota, QuotaSource, QuotaUnit};
use super::rules::{AllocationMethod, PanelRules, ProRataBasis, RoundRules};
use crate::amount::Amount;
use crate::chain::{Chain, Conversions};
use crate::validation::{self as v, FieldError, Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

fn plain(field: &str, value: &str, required: bool) -> Result<Option<Amount>, FieldError> {
    Amount::decimal_field(field, value, required)
}

fn date(field: &str, value: &str, required: bool) -> Result<Option<NaiveDate>, FieldError> {
    match v::optional_date(field, value)? {
        None if required => Err(FieldError::new(field, Rule::Required)),
        d => Ok(d),
    }
}

fn id(field: &str, value: &str) -> Result<i64, FieldError> {
    let s = value.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    s.parse().map_err(|_| FieldError::new(field, Rule::NotANumber))
}

/// A deposit as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DepositForm {
    pub name: String,
    pub place: String,
    pub ore_type: String,
    pub category: String,
    pub mining_right: String,
    pub ore_t: String,
    pub li2o_grade_pct: String,
    pub stated_li2o_t: String,
    pub annual_output_t_ore: String,
}

impl DepositForm {
    /// The deposit (id 0), checked as the ledger would check it, so a stored deposit always has
    /// figures.
    pub fn validate(&self) -> Result<Deposit, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check(v::required_text("name", &self.name, 100));
        let place = errs.check(v::required_text("place", &self.place, 50));
        let ore_type = errs.check(OreType::field("ore_type", &self.ore_type));
        let category = errs.check(EstimateCategory::field("category", &self.category));
        let mining_right = errs
            .check(v::text("mining_right", &self.mining_right, false, 60))
            .flatten();
        let ore_t = errs.check(plain("ore_t", &self.ore_t, false)).flatten();
        let li2o_grade_pct = errs
            .check(plain("li2o_grade_pct", &self.li2o_grade_pct, false))
            .flatten();
        let stated_li2o_t = errs.check(plain("stated_li2o_t", &self.stated_li2o_t, false)).flatten();
        let annual_output_t_ore = errs
            .check(plain("annual_output_t_ore", &self.annual_output_t_ore, false))
            .flatten();
        if !errs.is_empty() {
            return Err(errs);
        }
        let d = Deposit {
            id: 0,
            name: name.unwrap_or_default(),
            place: place.unwrap_or_default(),
            ore_type: ore_type.unwrap_or(OreType::Lepidolite),
            category: category.unwrap_or(EstimateCategory::Inferred),
            mining_right,
            ore_t,
            li2o_grade_pct,
            stated_li2o_t,
            annual_output_t_ore,
        };
        resource_ledger(std::slice::from_ref(&d), &Conversions::builtin()).map_err(|e| unprefix(e, "deposits[0]."))?;
        Ok(d)
    }

    pub fn from_deposit(d: &Deposit) -> DepositForm {
        let s = |a: Option<Amount>| a.map(|a| a.to_string()).unwrap_or_default();
        DepositForm {
            name: d.name.clone(),
            place: d.place.clone(),
            ore_type: d.ore_type.code().into(),
            category: d.category.code().into(),
            mining_right: d.mining_right.clone().unwrap_or_default(),
            ore_t: s(d.ore_t),
            li2o_grade_pct: s(d.li2o_grade_pct),
            stated_li2o_t: s(d.stated_li2o_t),
            annual_output_t_ore: s(d.annual_output_t_ore),
        }
    }
}

fn unprefix(e: ValidationErrors, prefix: &str) -> ValidationErrors {
    ValidationErrors(
        e.0.into_iter()
            .map(|mut f| {
                if let Some(rest) = f.field.strip_prefix(prefix) {
                    f.field = rest.to_string();
                }
                f
            })
            .collect(),
    )
}

static PANEL_CRITERIA: LazyLock<Vec<PanelCriterion>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../../data/allocation/panel-criteria.json"))
        .expect("data/allocation/panel-criteria.json is checked by the tests")
});

/// The expert panel's score sheet a new round starts with (`data/allocation/panel-criteria.json`).
pub fn default_panel_criteria() -> Vec<PanelCriterion> {
    PANEL_CRITERIA.clone()
}

static PLAN_REVIEW_CRITERIA: LazyLock<Vec<PanelCriterion>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../../data/allocation/plan-review-criteria.json"))
        .expect("data/allocation/plan-review-criteria.json is checked by the tests")
});

/// The score sheet of a project's technical-plan review (技术方案评审,
/// `data/allocation/plan-review-criteria.json`).
pub fn plan_review_criteria() -> Vec<PanelCriterion> {
    PLAN_REVIEW_CRITERIA.clone()
}

/// 技术方案评审 as the office asks for it: the project whose technical plan a panel reviews,
/// what the experts are to read, and who they are (the form's repeated `expert` fields).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlanReviewForm {
    pub project_id: String,
    pub review_title: String,
    pub plan: String,
    pub experts: Vec<String>,
}

/// A review ready to store: its sheet and panel rules are copied in, so later changes to the
/// shipped defaults do not change a review under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReviewDraft {
    pub project_id: i64,
    pub title: String,
    pub plan: String,
    pub expert_ids: Vec<i64>,
    pub criteria: Vec<PanelCriterion>,
    pub panel: PanelRules,
}

impl PlanReviewForm {
    /// Reads a flat form in which `expert` repeats.
    pub fn from_fields(fields: &[(String, String)]) -> PlanReviewForm {
        let mut f = PlanReviewForm::default();
        for (k, val) in fields {
            match k.as_str() {
                "project_id" => f.project_id = val.clone(),
                "review_title" => f.review_title = val.clone(),
                "plan" => f.plan = val.clone(),
                "expert" => f.experts.push(val.clone()),
                _ => {}
            }
        }
        f
    }

    /// The project, a title, the plan's summary, and at least one expert, each once; the sheet
    /// is the shipped plan-review criteria and high/low are dropped as for a round.
    pub fn validate(&self) -> Result<PlanReviewDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let project_id = errs.check(id("project_id", &self.project_id));
        let title = errs.check(v::required_text("review_title", &self.review_title, 200));
        let plan = errs.check(v::text("plan", &self.plan, true, 5000)).flatten();
        let mut expert_ids = Vec::new();
        for (i, x) in self.experts.iter().enumerate() {
            if let Some(x) = errs.check(id(&format!("experts[{i}]"), x))
                && !expert_ids.contains(&x)
            {
                expert_ids.push(x);
            }
        }
        if self.experts.is_empty() {
            errs.push("experts", Rule::Required);
        }
        match (project_id, title, plan) {
            (Some(project_id), Some(title), Some(plan)) if errs.is_empty() => Ok(PlanReviewDraft {
                project_id,
                title,
                plan,
                expert_ids,
                criteria: plan_review_criteria(),
                panel: RoundRules::builtin().panel,
            }),
            _ => Err(errs),
        }
    }
}

/// A round as typed: its name, the quota from up to three deposits, the capacity unit, the
/// allocation method and the rules as JSON (prefilled with the shipped defaults).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoundForm {
    pub name: String,
    pub quota_unit: String,
    pub capacity_unit: String,
    pub deposit_1: String,
    pub amount_1: String,
    pub deposit_2: String,
    pub amount_2: String,
    pub deposit_3: String,
    pub amount_3: String,
    /// `rank_order` or `pro_rata`; overrides the method in the rules JSON.
    pub method: String,
    pub pro_rata_basis: String,
    pub pro_rata_minimum: String,
    pub rules_json: String,
    /// The panel's criteria as JSON; empty means the shipped sheet.
    pub criteria_json: String,
}

/// A round ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundDraft {
    pub name: String,
    pub quota: Quota,
    pub capacity_unit: String,
    pub rules: RoundRules,
    pub criteria: Vec<PanelCriterion>,
}

impl RoundForm {
    /// A new round's form: the shipped rules and criteria.
    pub fn defaults() -> RoundForm {
        RoundForm {
            quota_unit: QuotaUnit::LcePerYear.code().into(),
            capacity_unit: "GWh/年".into(),
            method: "rank_order".into(),
            pro_rata_basis: ProRataBasis::Requested.code().into(),
            rules_json: serde_json::to_string_pretty(&RoundRules::builtin()).expect("rules serialise"),
            criteria_json: serde_json::to_string_pretty(&default_panel_criteria()).expect("criteria serialise"),
            ..Default::default()
        }
    }

    pub fn validate(&self, chain: &Chain) -> Result<RoundDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check(v::required_text("name", &self.name, 100));
        let unit = errs.check(QuotaUnit::field("quota_unit", &self.quota_unit));
        let capacity_unit = errs.check(v::required_text("capacity_unit", &self.capacity_unit, 20));
        let mut sources = Vec::new();
        for (i, (d, a)) in [
            (&self.deposit_1, &self.amount_1),
            (&self.deposit_2, &self.amount_2),
            (&self.deposit_3, &self.amount_3),
        ]
        .into_iter()
        .enumerate()
        {
            if d.trim().is_empty() && a.trim().is_empty() {
                continue;
            }
            let n = i + 1;
            let deposit_id = errs.check(id(&format!("deposit_{n}"), d));
            let amount = errs.check(plain(&format!("amount_{n}"), a, true)).flatten();
            if let (Some(deposit_id), Some(amount)) = (deposit_id, amount) {
                sources.push((n, QuotaSource { deposit_id, amount }));
            }
        }
        let mut rules = match RoundRules::from_json(&self.rules_json) {
            Ok(r) => Some(r),
            Err(e) => {
                errs.0.extend(e.0.into_iter().map(|mut f| {
                    f.field = "rules_json".into();
                    f
                }));
                None
            }
        };
        if let Some(r) = &mut rules {
            match self.method.trim() {
                "" => {}
                "rank_order" => r.method = AllocationMethod::RankOrder,
                "pro_rata" => {
                    let basis = errs.check(ProRataBasis::field("pro_rata_basis", &self.pro_rata_basis));
                    let minimum = errs.check(plain("pro_rata_minimum", &self.pro_rata_minimum, false));
                    if let (Some(basis), Some(minimum)) = (basis, minimum) {
                        r.method = AllocationMethod::ProRata {
                            basis,
                            minimum: minimum.unwrap_or(Amount::ZERO),
                        };
                    }
                }
                _ => errs.push(
                    "method",
                    Rule::NotOneOf {
                        allowed: vec!["rank_order".into(), "pro_rata".into()],
                    },
                ),
            }
            if let Err(e) = r.validate(chain) {
                errs.0.extend(e.0.into_iter().map(|mut f| {
                    f.field = format!("rules_json.{}", f.field);
                    f
                }));
            }
        }
        let criteria = if self.criteria_json.trim().is_empty() {
            default_panel_criteria()
        } else {
            match serde_json::from_str::<Vec<PanelCriterion>>(&self.criteria_json) {
                Ok(c) => c,
                Err(e) => {
                    errs.push(
                        "criteria_json",
                        Rule::Other {
                            zh: format!("评分标准格式错误：{e}"),
                            en: format!("the criteria are not valid: {e}"),
                        },
                    );
                    Vec::new()
                }
            }
        };
        for (i, c) in criteria.iter().enumerate() {
            if c.code.trim().is_empty() || c.name.trim().is_empty() {
                errs.push(format!("criteria_json[{i}]"), Rule::Required);
            }
            if c.max_points.raw() <= 0 {
                errs.push(
                    format!("criteria_json[{i}].max_points"),
                    Rule::Other {
                        zh: "满分必须大于 0".into(),
                        en: "must be greater than 0".into(),
                    },
                );
            }
            if criteria[..i].iter().any(|o| o.code == c.code) {
                errs.push(format!("criteria_json[{i}].code"), Rule::Duplicate);
            }
        }
        if criteria.is_empty() && self.criteria_json.trim().is_empty() {
            errs.push("criteria_json", Rule::Required);
        }
        let quota = Quota {
            unit: unit.unwrap_or(QuotaUnit::LcePerYear),
            sources: sources.iter().map(|(_, s)| s.clone()).collect(),
        };
        let mut qerrs = ValidationErrors::new();
        quota.check(&mut qerrs);
        for e in qerrs.0 {
            // quota.sources[i].x → the form's numbered field.
            let field = match e.field.strip_prefix("quota.sources[") {
                Some(rest) => {
                    let (i, what) = rest.split_once("].").unwrap_or((rest, "amount"));
                    let n = i
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| sources.get(i))
                        .map_or(1, |(n, _)| *n);
                    if what == "deposit_id" {
                        format!("deposit_{n}")
                    } else {
                        format!("amount_{n}")
                    }
                }
                None => "deposit_1".into(),
            };
            errs.push(field, e.rule);
        }
        errs.into_result(|| RoundDraft {
            name: name.unwrap_or_default(),
            quota,
            capacity_unit: capacity_unit.unwrap_or_default(),
            rules: rules.expect("no errors means the rules parsed"),
            criteria,
        })
    }
}

/// An application as the office enters it on behalf of an enterprise: what it asks for, the
/// figures the head-enterprise rule reads, and its commitments.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    pub enterprise_id: String,
    pub requested: String,
    pub annual_revenue_wan: String,
    /// "1"/"on" when listed.
    pub listed: String,
    pub industry_rank: String,
    pub investment_wan: String,
    /// Product node codes, separated by commas or spaces.
    pub products: String,
    pub capacity: String,
    pub local_processing_pct: String,
    pub start_by: String,
    pub production_by: String,
}

/// An application ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDraft {
    pub enterprise_id: i64,
    pub requested: Amount,
    pub annual_revenue_wan: Option<Amount>,
    pub listed: bool,
    pub industry_rank: Option<u32>,
    pub commitment: Commitment,
}

impl ApplicationForm {
    /// The form as a stored application fills it, to edit.
    pub fn from_application(a: &Application) -> ApplicationForm {
        let c = &a.commitment;
        ApplicationForm {
            enterprise_id: a.enterprise_id.to_string(),
            requested: a.requested.to_string(),
            annual_revenue_wan: a.profile.annual_revenue_wan.map(|x| x.to_string()).unwrap_or_default(),
            listed: if a.profile.listed { "on".into() } else { String::new() },
            industry_rank: a.profile.industry_rank.map(|r| r.to_string()).unwrap_or_default(),
            investment_wan: c.investment_wan.to_string(),
            products: c.products.join(", "),
            capacity: c.capacity.to_string(),
            local_processing_pct: c.local_processing_pct.to_string(),
            start_by: c.start_by.to_string(),
            production_by: c.production_by.to_string(),
        }
    }

    pub fn validate(&self, chain: &Chain) -> Result<ApplicationDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let enterprise_id = errs.check(id("enterprise_id", &self.enterprise_id));
        let requested = errs.check(plain("requested", &self.requested, true)).flatten();
        if requested.is_some_and(|r| r.raw() == 0) {
            errs.push(
                "requested",
                Rule::Other {
                    zh: "申请量必须大于 0".into(),
                    en: "must be greater than 0".into(),
                },
            );
        }
        let revenue = errs
            .check(Amount::money_field(
                "annual_revenue_wan",
                &self.annual_revenue_wan,
                false,
            ))
            .flatten();
        let listed = matches!(self.listed.trim(), "1" | "on" | "true" | "yes" | "是");
        let rank = match self.industry_rank.trim() {
            "" => None,
            s => match s.parse::<u32>() {
                Ok(0) | Err(_) => {
                    errs.push(
                        "industry_rank",
                        Rule::OutOfRange {
                            min: "1".into(),
                            max: u32::MAX.to_string(),
                        },
                    );
                    None
                }
                Ok(r) => Some(r),
            },
        };
        let investment = errs
            .check(Amount::money_field("investment_wan", &self.investment_wan, true))
            .flatten();
        let products: Vec<String> = self
            .products
            .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if products.is_empty() {
            errs.push("products", Rule::Required);
        }
        for p in &products {
            if !chain.contains(p) {
                errs.push(
                    "products",
                    Rule::Other {
                        zh: format!("产业链中没有环节 {p}"),
                        en: format!("the chain has no node {p}"),
                    },
                );
            }
        }
        let capacity = errs.check(plain("capacity", &self.capacity, true)).flatten();
        let local = errs
            .check(plain("local_processing_pct", &self.local_processing_pct, true))
            .flatten();
        let start_by = errs.check(date("start_by", &self.start_by, true)).flatten();
        let production_by = errs.check(date("production_by", &self.production_by, true)).flatten();
        if !errs.is_empty() {
            return Err(errs);
        }
        let commitment = Commitment {
            investment_wan: investment.unwrap_or_default(),
            products,
            capacity: capacity.unwrap_or_default(),
            local_processing_pct: local.unwrap_or_default(),
            start_by: start_by.unwrap_or_default(),
            production_by: production_by.unwrap_or_default(),
            investment_schedule: vec![],
        };
        commitment.check("commitment", &mut errs);
        let errs = unprefix(errs, "commitment.");
        errs.into_result(|| ApplicationDraft {
            enterprise_id: enterprise_id.unwrap_or_default(),
            requested: requested.unwrap_or_default(),
            annual_revenue_wan: revenue,
            listed,
            industry_rank: rank,
            commitment,
        })
    }
}

/// A safety or environmental violation as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ViolationForm {
    pub enterprise_id: String,
    pub kind: String,
    pub summary: String,
    pub opened_on: String,
    pub closed_on: String,
}

impl ViolationForm {
    /// The enterprise and the violation.
    pub fn validate(&self) -> Result<(i64, Violation), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let enterprise_id = errs.check(id("enterprise_id", &self.enterprise_id));
        let kind = errs.check(ViolationKind::field("kind", &self.kind));
        let summary = errs.check(v::required_text("summary", &self.summary, 200));
        let opened_on = errs.check(date("opened_on", &self.opened_on, true)).flatten();
        let closed_on = errs.check(date("closed_on", &self.closed_on, false)).flatten();
        if let (Some(o), Some(c)) = (opened_on, closed_on)
            && c < o
        {
            errs.push(
                "closed_on",
                Rule::EndBeforeStart {
                    start_field: "opened_on".into(),
                },
            );
        }
        errs.into_result(|| {
            (
                enterprise_id.unwrap_or_default(),
                Violation {
                    kind: kind.unwrap_or(ViolationKind::Safety),
                    summary: summary.unwrap_or_default(),
                    opened_on: opened_on.unwrap_or_default(),
                    closed_on,
                },
            )
        })
    }
}

/// An expert's sheet as typed: `points.<code>` per criterion, and the opinion.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetForm {
    pub points: BTreeMap<String, String>,
    pub opinion: String,
}

impl SheetForm {
    /// Reads `points.<code>` fields out of a flat form.
    pub fn from_fields(fields: &[(String, String)]) -> SheetForm {
        let mut f = SheetForm::default();
        for (k, val) in fields {
            if let Some(code) = k.strip_prefix("points.") {
                f.points.insert(code.to_string(), val.clone());
            } else if k == "opinion" {
                f.opinion = val.clone();
            }
        }
        f
    }

    /// Points by criterion, each between 0 and the criterion's maximum, and the opinion.
    pub fn validate(
        &self,
        criteria: &[PanelCriterion],
    ) -> Result<(BTreeMap<String, Amount>, String), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let mut points = BTreeMap::new();
        for c in criteria {
            let field = format!("points.{}", c.code);
            let raw = self.points.get(&c.code).map(String::as_str).unwrap_or("");
            if let Some(p) = errs.check(plain(&field, raw, true)).flatten() {
                if p > c.max_points {
                    errs.push(
                        field,
                        Rule::OutOfRange {
                            min: "0".into(),
                            max: c.max_points.to_string(),
                        },
                    );
                } else {
                    points.insert(c.code.clone(), p);
                }
            }
        }
        for code in self.points.keys() {
            if !criteria.iter().any(|c| &c.code == code) {
                errs.push(
                    format!("points.{code}"),
                    Rule::NotOneOf {
                        allowed: criteria.iter().map(|c| c.code.clone()).collect(),
                    },
                );
            }
        }
        let opinion = errs.check(v::text("opinion", &self.opinion, false, 2000)).flatten();
        errs.into_result(|| (points, opinion.unwrap_or_default()))
    }
}

/// A progress report on a commitment (what has happened so far), as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgressForm {
    pub investment_to_date_wan: String,
    pub started_on: String,
    pub production_on: String,
    pub capacity_reached: String,
    pub local_processing_pct: String,
}

impl ProgressForm {
    pub fn validate(&self) -> Result<Actuals, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let investment = errs
            .check(Amount::money_field(
                "investment_to_date_wan",
                &self.investment_to_date_wan,
                true,
            ))
            .flatten();
        let started_on = errs.check(date("started_on", &self.started_on, false)).flatten();
        let production_on = errs.check(date("production_on", &self.production_on, false)).flatten();
        let capacity_reached = errs
            .check(plain("capacity_reached", &self.capacity_reached, false))
            .flatten();
        let local = errs
            .check(plain("local_processing_pct", &self.local_processing_pct, false))
            .flatten();
        if local.is_some_and(|l| l > Amount::from_int(100)) {
            errs.push("local_processing_pct", super::commitment::percent_range());
        }
        if let (Some(s), Some(p)) = (started_on, production_on)
            && p < s
        {
            errs.push(
                "production_on",
                Rule::EndBeforeStart {
                    start_field: "started_on".into(),
                },
            );
        }
        errs.into_result(|| Actuals {
            investment_to_date_wan: investment.unwrap_or_default(),
            started_on,
            production_on,
            capacity_reached,
            local_processing_pct: local,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Lang;

    #[test]
    fn a_deposit_form_is_checked_like_the_ledger_and_names_the_field() {
        let f = DepositForm {
            name: "示范瓷土矿".into(),
            place: "甲镇".into(),
            ore_type: "瓷土矿".into(),
            category: "indicated".into(),
            ore_t: "100000000".into(),
            li2o_grade_pct: "0.35".into(),
            ..Default::default()
        };
        let d = f.validate().unwrap();
        assert_eq!(d.ore_type, OreType::PorcelainClay);
        let mut bad = f.clone();
        bad.li2o_grade_pct = "120".into();
        let e = bad.validate().unwrap_err();
        assert_eq!(e.0[0].field, "li2o_grade_pct");
        assert_eq!(
            e.0[0].rule.message(Lang::En),
            "the Li2O grade must be above 0% and at most 100%"
        );
        let mut none = f;
        none.ore_t.clear();
        none.li2o_grade_pct.clear();
        assert_eq!(none.validate().unwrap_err().0[0].field, "ore_t");
    }

    #[test]
    fn the_shipped_panel_criteria_and_rules_make_a_valid_round() {
        let mut f = RoundForm::defaults();
        f.name = "2026 年第一轮".into();
        f.deposit_1 = "1".into();
        f.amount_1 = "5000".into();
        let r = f.validate(&Chain::lithium()).unwrap();
        assert_eq!(r.quota.total(), Amount::from_int(5000));
        assert_eq!(r.rules.method, AllocationMethod::RankOrder);
        let total: Amount = r.criteria.iter().map(|c| c.max_points).sum();
        assert_eq!(total, Amount::from_int(100));
        f.method = "pro_rata".into();
        f.pro_rata_minimum = "800".into();
        let r = f.validate(&Chain::lithium()).unwrap();
        assert_eq!(
            r.rules.method,
            AllocationMethod::ProRata {
                basis: ProRataBasis::Requested,
                minimum: Amount::from_int(800)
            }
        );
    }

    #[test]
    fn a_round_without_a_quota_or_with_broken_rules_is_refused_by_field() {
        let f = RoundForm {
            name: "x".into(),
            rules_json: "{".into(),
            ..RoundForm::defaults()
        };
        let fields: Vec<String> = f
            .validate(&Chain::lithium())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["rules_json", "deposit_1"]);
        let mut f = RoundForm::defaults();
        f.name = "x".into();
        f.deposit_1 = "1".into();
        f.amount_1 = "0".into();
        f.deposit_2 = "1".into();
        f.amount_2 = "10".into();
        let fields: Vec<String> = f
            .validate(&Chain::lithium())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["amount_1", "deposit_2"]);
    }

    #[test]
    fn an_application_names_unknown_products_and_dates_in_the_wrong_order() {
        let f = ApplicationForm {
            enterprise_id: "3".into(),
            requested: "1000".into(),
            investment_wan: "60亿元".into(),
            products: "lithium_carbonate, cell".into(),
            capacity: "20".into(),
            local_processing_pct: "80".into(),
            start_by: "2026-09-30".into(),
            production_by: "2027-12-31".into(),
            listed: "on".into(),
            ..Default::default()
        };
        let a = f.validate(&Chain::lithium()).unwrap();
        assert_eq!(a.commitment.investment_wan, Amount::from_int(600000));
        assert!(a.listed);
        let mut bad = f;
        bad.products = "battery".into();
        bad.production_by = "2026-01-01".into();
        let e = bad.validate(&Chain::lithium()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["products"]);
        bad.products = "cell".into();
        let e = bad.validate(&Chain::lithium()).unwrap_err();
        assert_eq!(e.0[0].field, "production_by");
    }

    #[test]
    fn a_sheet_needs_every_criterion_within_its_points() {
        let criteria = default_panel_criteria();
        let mut f = SheetForm::default();
        for c in &criteria {
            f.points.insert(c.code.clone(), c.max_points.to_string());
        }
        let (points, _) = f.validate(&criteria).unwrap();
        assert_eq!(points.len(), criteria.len());
        let first = criteria[0].code.clone();
        f.points.insert(first.clone(), "999".into());
        f.points.insert("beauty".into(), "5".into());
        let e = f.validate(&criteria).unwrap_err();
        let fields: Vec<String> = e.0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, [format!("points.{first}"), "points.beauty".to_string()]);
    }

    #[test]
    fn a_criterion_reads_in_the_users_language() {
        use crate::validation::Lang;
        let c = &default_panel_criteria()[0];
        assert_eq!((c.label(Lang::Zh), c.label(Lang::En)), ("技术先进性", "Technology"));
        let plain = PanelCriterion {
            code: "x".into(),
            name: "工艺".into(),
            max_points: Amount::from_int(10),
        };
        assert_eq!(plain.label(Lang::En), "工艺");
    }

    #[test]
    fn a_plan_review_needs_a_project_a_title_the_plan_and_an_expert() {
        let e = PlanReviewForm::default().validate().unwrap_err();
        let fields: Vec<String> = e.0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["project_id", "review_title", "plan", "experts"]);
        let fields: Vec<(String, String)> = [
            ("project_id", "7"),
            ("review_title", "年产 5 万吨碳酸锂项目技术方案评审"),
            ("plan", "焙烧—浸出—沉锂工艺"),
            ("expert", "3"),
            ("expert", "4"),
            ("expert", "3"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let d = PlanReviewForm::from_fields(&fields).validate().unwrap();
        assert_eq!((d.project_id, d.expert_ids), (7, vec![3, 4]));
        assert_eq!(d.criteria, plan_review_criteria());
        let total: i64 = d.criteria.iter().map(|c| c.max_points.raw()).sum();
        assert_eq!(Amount::from_raw(total), Amount::from_int(100));
        assert_eq!(d.panel, RoundRules::builtin().panel);
    }

    #[test]
    fn progress_and_violation_forms_check_their_dates() {
        let p = ProgressForm {
            investment_to_date_wan: "1亿".into(),
            started_on: "2026-10-01".into(),
            production_on: "2026-09-01".into(),
            ..Default::default()
        };
        assert_eq!(p.validate().unwrap_err().0[0].field, "production_on");
        let v = ViolationForm {
            enterprise_id: "2".into(),
            kind: "environment".into(),
            summary: "锂渣违规堆存".into(),
            opened_on: "2026-03-01".into(),
            closed_on: "2026-02-01".into(),
        };
        assert_eq!(v.validate().unwrap_err().0[0].field, "closed_on");
    }
}
