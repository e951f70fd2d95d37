//! The demo's 三论英雄 (示例数据): two years of fictional annual figures for the demo enterprises
//! (`data/demo/enterprise-years.json`), both years evaluated with the shipped 黄岩 method and
//! published — so the class board, the cards, the surcharges of a second year in D and the firms
//! shown as T with their reason are all there —, share targets for the current year, and two
//! problems answered and rated so the ranking boards have service ratings to count.

use anyhow::{Context, Result};
use chainforce_domain::Amount;
use chainforce_domain::permu::{EnterpriseYear, Exemption, SizeGroup, built_in_method};
use chainforce_domain::ranking::Milestone;
use chainforce_storage::problems::ProblemFilter;
use chainforce_storage::{AuditActor, Store};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;

const FIGURES: &str = include_str!("../../../../data/demo/enterprise-years.json");

#[derive(Deserialize)]
struct FiguresFile {
    method: String,
    enterprises: Vec<FirmSpec>,
    township_targets: BTreeMap<String, TargetSpec>,
    lead_unit_targets: BTreeMap<String, TargetSpec>,
    ratings: Vec<RatingSpec>,
}

#[derive(Deserialize)]
struct FirmSpec {
    group: String,
    land_mu: String,
    tax: String,
    value_added: String,
    revenue: String,
    energy_tce: String,
    #[serde(default)]
    emissions_t: Option<String>,
    employees: i64,
    rd_spending: String,
    electricity_kwh: String,
    #[serde(default)]
    exemption: Option<String>,
    prior_percent: i64,
    #[serde(default)]
    prior_land_mu: Option<String>,
}

#[derive(Deserialize)]
struct TargetSpec {
    projects: i64,
    investment: String,
}

#[derive(Deserialize)]
struct RatingSpec {
    stars: i64,
    comment: String,
}

fn amount(s: &str) -> Result<Amount> {
    Amount::parse_plain(s).map_err(|e| anyhow::anyhow!("demo figure '{s}': {e:?}"))
}

/// `a × percent ÷ 100`, for the year before.
fn scaled(a: Amount, percent: i64) -> Amount {
    Amount::from_raw(a.raw() * percent / 100)
}

impl FirmSpec {
    fn year(&self, enterprise_id: i64, prior: bool) -> Result<EnterpriseYear> {
        let group = SizeGroup::parse(&self.group).context("demo size group")?;
        let mut e = EnterpriseYear::new(enterprise_id, "", group);
        let p = if prior { self.prior_percent } else { 100 };
        let fig = |s: &str| amount(s).map(|a| Some(scaled(a, p)));
        e.land_mu = match (&self.prior_land_mu, prior) {
            (Some(land), true) => Some(amount(land)?),
            _ => Some(amount(&self.land_mu)?),
        };
        e.tax = fig(&self.tax)?;
        e.value_added = fig(&self.value_added)?;
        e.revenue = fig(&self.revenue)?;
        e.energy_tce = fig(&self.energy_tce)?;
        e.emissions_t = match &self.emissions_t {
            Some(x) => fig(x)?,
            None => None,
        };
        e.employees = Some(self.employees * p / 100);
        e.rd_spending = fig(&self.rd_spending)?;
        e.electricity_kwh = fig(&self.electricity_kwh)?;
        // A firm still building or newly founded this year was not the year before.
        e.exemption = match (&self.exemption, prior) {
            (Some(code), false) => Some(Exemption::parse(code).context("demo exemption")?),
            _ => None,
        };
        Ok(e)
    }
}

/// Loads the demo's heroes data into the demo county `region`.
pub(super) async fn load(
    store: &Store,
    region: i64,
    enterprises: &[i64],
    townships: &[i64],
    lead_unit: i64,
    today: NaiveDate,
) -> Result<()> {
    let file: FiguresFile = serde_json::from_str(FIGURES).context("data/demo/enterprise-years.json")?;
    let latest = today.year() - 1;
    let system = AuditActor::system("demo");

    let mut tx = store.begin(&system).await?;
    for (i, id) in enterprises.iter().enumerate() {
        let spec = &file.enterprises[i % file.enterprises.len()];
        for (year, prior) in [(latest - 1, true), (latest, false)] {
            tx.save_enterprise_year(region, year, &spec.year(*id, prior)?, Some("示例数据.xlsx"))
                .await?;
        }
    }
    let method = built_in_method(&file.method).context("the demo's method is shipped")?;
    let method_id = tx
        .save_evaluation_method(region, &serde_json::to_string(&method)?)
        .await?
        .id;
    tx.commit().await?;

    // Each year evaluated and published in turn: the later one counts the years a firm has been
    // in its class (the D surcharge grows with them).
    for year in [latest - 1, latest] {
        let mut tx = store.begin(&system).await?;
        let id = tx.run_evaluation(region, year, method_id).await?;
        tx.commit().await?;
        let version = store.evaluation(id).await?.version;
        let mut tx = store.begin(&system).await?;
        tx.publish_evaluation(id, version).await?;
        tx.commit().await?;
    }

    let mut tx = store.begin(&system).await?;
    let targets = townships
        .iter()
        .map(|t| (*t, &file.township_targets))
        .chain([(lead_unit, &file.lead_unit_targets)]);
    for (unit, specs) in targets {
        for (code, t) in specs {
            let milestone = Milestone::parse(code).context("demo target milestone")?;
            tx.set_share_target(
                region,
                unit,
                today.year(),
                milestone,
                Some(t.projects),
                Some(amount(&t.investment)?),
                0,
            )
            .await?;
        }
    }
    tx.commit().await?;

    // The enterprises answer for the service they got: the problems assigned with a deadline
    // still ahead are answered, confirmed and rated.
    let mut problems = store
        .problems(
            region,
            &ProblemFilter {
                open_only: true,
                ..Default::default()
            },
        )
        .await?;
    problems.retain(|p| p.assigned_unit_id.is_some() && p.deadline.is_some_and(|d| d >= today));
    problems.sort_by_key(|p| p.id);
    for (p, rating) in problems.iter().zip(&file.ratings) {
        let mut tx = store.begin(&system).await?;
        tx.answer_problem(p.id, p.version, "已协调办理（示例）").await?;
        tx.confirm_problem(p.id, p.version + 1, rating.stars, Some(&rating.comment))
            .await?;
        tx.commit().await?;
    }
    println!(
        "  三论英雄：{} 家企业 {}、{} 年度亩均数据，两年评价均已发布 / per-mu evaluations of {} and {} published",
        enterprises.len(),
        latest - 1,
        latest,
        latest - 1,
        latest
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_figures_parse_and_show_each_case_the_office_must_see() {
        let file: FiguresFile = serde_json::from_str(FIGURES).unwrap();
        assert_eq!(file.enterprises.len(), 30);
        let years: Vec<EnterpriseYear> = file
            .enterprises
            .iter()
            .enumerate()
            .map(|(i, s)| s.year(i as i64 + 1, false).unwrap())
            .collect();
        assert!(years.iter().any(|e| e.land_mu.is_some_and(Amount::is_negative)));
        assert!(years.iter().any(|e| e.exemption.is_some()));
        assert!(years.iter().any(|e| e.emissions_t.is_none()));
        let ev = chainforce_domain::permu::evaluate(
            &built_in_method(&file.method).unwrap(),
            &chainforce_domain::permu::EvaluationData {
                year: 2025,
                enterprises: years,
                prior_year: vec![],
            },
        )
        .unwrap();
        use chainforce_domain::permu::Class;
        for class in [Class::A, Class::B, Class::C, Class::D, Class::T] {
            assert!(ev.distribution.get(&class).is_some_and(|n| *n > 0), "no {class:?}");
        }
    }
}
