//! The pipeline's key figures (KPIs) and lead times, by township, lead unit and chain node, for a
//! period (月 / 季度 / 年度).
//!
//! DOMAIN.md names the KPIs (履约率, 开工率, 投产率, 资金到位率) but not their formulas; these are
//! the definitions chainforce uses, shown on the /pipeline page as well:
//!
//! - **签约项目** (the cohort): projects whose 签约 date is on or before the period's last day.
//!   Terminated projects stay in the cohort — a signed project that fell through is a failure the
//!   rates must show.
//! - **开工率** (start rate) = projects of the cohort with a 开工 date on or before the period's end
//!   ÷ the cohort.
//! - **投产率** (production rate) = projects of the cohort with a 投产 date on or before the
//!   period's end ÷ the cohort.
//! - **履约率** (contract fulfilment rate) = of the cohort's projects whose 计划开工 (agreed start)
//!   falls on or before the period's end, those that started on or before that agreed date ÷
//!   those projects. It asks "did they keep the date they signed up to".
//! - **资金到位率** (funds-in-place rate) = investment completed to the period's end (the monthly
//!   reports' 本月完成投资, summed) ÷ the cohort's agreed investment (协议投资额, or 总投资 when no
//!   agreed figure is recorded).
//! - **签约 / 落地 / 开工 投资** (investment signed / landed / started): the 总投资 (协议投资额 when the
//!   total is missing) of projects signed / supplied with land (落地 = 供地) / started *within* the
//!   period, in 万元, exact.
//! - **快签约、快落地、快开工** lead times, in working days on the county's calendar: 签约 → 供地,
//!   供地 → 开工 and 签约 → 开工, for each project whose later date falls in the period, and the
//!   median of each.
//!
//! Rates are exact fractions; they are shown to one decimal of a percent, rounded half up.

use crate::amount::Amount;
use crate::calendar::Calendar;
use crate::project::{ProjectState, Stage};
use crate::ranking::Period;
use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A named thing a project belongs to (a township, a unit, a chain node).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GroupKey {
    pub id: Option<i64>,
    pub name: String,
}

/// What the KPIs need to know of one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    pub id: i64,
    pub name: String,
    pub township: Option<GroupKey>,
    pub lead_unit: Option<GroupKey>,
    pub chain_node: Option<GroupKey>,
    pub stage: Stage,
    pub state: ProjectState,
    pub total_investment: Option<Amount>,
    pub agreed_investment: Option<Amount>,
    /// 计划开工.
    pub planned_start: Option<NaiveDate>,
    /// Actual dates of 签约, 供地, 开工, 投产.
    pub signed_on: Option<NaiveDate>,
    pub land_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub production_on: Option<NaiveDate>,
    /// Investment completed in each reported month (first day of the month → 本月完成投资).
    pub monthly: Vec<(NaiveDate, Amount)>,
}

impl ProjectFacts {
    /// The figure used as a project's investment: 总投资, or 协议投资额 when no total is recorded.
    pub fn investment(&self) -> Amount {
        self.total_investment.or(self.agreed_investment).unwrap_or(Amount::ZERO)
    }

    /// The figure funds in place are measured against: 协议投资额, or 总投资.
    pub fn agreed(&self) -> Amount {
        self.agreed_investment.or(self.total_investment).unwrap_or(Amount::ZERO)
    }

    fn funds_to(&self, end: NaiveDate) -> Amount {
        self.monthly.iter().filter(|(m, _)| *m <= end).map(|(_, a)| *a).sum()
    }
}

/// An exact fraction, shown as a percentage with one decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate {
    pub num: i64,
    pub den: i64,
}

impl Rate {
    pub fn new(num: i64, den: i64) -> Rate {
        Rate { num, den }
    }

    /// Tenths of a percent, rounded half up; `None` when there is nothing to divide by.
    pub fn per_mille(self) -> Option<i64> {
        if self.den <= 0 {
            return None;
        }
        let n = i128::from(self.num) * 1000;
        let d = i128::from(self.den);
        Some(((2 * n + d) / (2 * d)) as i64)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.per_mille() {
            None => f.write_str("—"),
            Some(pm) => write!(f, "{}.{}%", pm / 10, pm % 10),
        }
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Rate", 3)?;
        st.serialize_field("numerator", &self.num)?;
        st.serialize_field("denominator", &self.den)?;
        st.serialize_field(
            "percent",
            &self.per_mille().map(|pm| format!("{}.{}", pm / 10, pm % 10)),
        )?;
        st.end()
    }
}

/// The median of a list of working-day counts, exact (halves when the count is even).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Median {
    /// Twice the median, so that halves stay integers.
    pub twice: i64,
}

impl Median {
    pub fn of(values: &[i64]) -> Option<Median> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_unstable();
        let n = v.len();
        let twice = if n % 2 == 1 {
            2 * v[n / 2]
        } else {
            v[n / 2 - 1] + v[n / 2]
        };
        Some(Median { twice })
    }
}

impl fmt::Display for Median {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.twice % 2 == 0 {
            write!(f, "{}", self.twice / 2)
        } else {
            let sign = if self.twice < 0 { "-" } else { "" };
            write!(f, "{sign}{}.5", self.twice.abs() / 2)
        }
    }
}

impl Serialize for Median {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// The KPIs of one group (or of the whole county).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kpis {
    pub group: GroupKey,
    /// Projects signed on or before the period's end.
    pub signed: i64,
    pub started: i64,
    pub in_production: i64,
    pub start_rate: Rate,
    pub production_rate: Rate,
    pub fulfilment_rate: Rate,
    pub funds_rate: Rate,
    /// Investment completed to the period's end (monthly reports), 万元.
    pub funds_in_place: Amount,
    /// The cohort's agreed investment, 万元.
    pub agreed: Amount,
    /// Investment of projects signed / landed / started within the period, 万元.
    pub signed_investment: Amount,
    pub landed_investment: Amount,
    pub started_investment: Amount,
    pub signed_in_period: i64,
    pub landed_in_period: i64,
    pub started_in_period: i64,
    pub median_sign_to_land: Option<Median>,
    pub median_land_to_start: Option<Median>,
    pub median_sign_to_start: Option<Median>,
}

/// One project's lead times, in working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadTime {
    pub project_id: i64,
    pub name: String,
    pub signed_on: Option<NaiveDate>,
    pub land_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    /// 快落地: 签约 → 供地.
    pub sign_to_land: Option<i64>,
    /// 快开工: 供地 → 开工.
    pub land_to_start: Option<i64>,
    /// 签约 → 开工.
    pub sign_to_start: Option<i64>,
}

/// Everything the /pipeline page shows for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PipelineReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub county: Kpis,
    pub by_township: Vec<Kpis>,
    pub by_lead_unit: Vec<Kpis>,
    pub by_chain_node: Vec<Kpis>,
    /// Projects with a lead time ending in the period, by name.
    pub lead_times: Vec<LeadTime>,
}

/// A project's lead times whose later date falls in `[from, to]`.
pub fn lead_time(p: &ProjectFacts, from: NaiveDate, to: NaiveDate, cal: &Calendar) -> LeadTime {
    let inside = |d: Option<NaiveDate>| d.filter(|d| *d >= from && *d <= to);
    let span = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
        (Some(a), Some(b)) if b >= a => Some(cal.working_days_between(a, b)),
        _ => None,
    };
    LeadTime {
        project_id: p.id,
        name: p.name.clone(),
        signed_on: p.signed_on,
        land_on: p.land_on,
        started_on: p.started_on,
        sign_to_land: span(p.signed_on, inside(p.land_on)),
        land_to_start: span(p.land_on, inside(p.started_on)),
        sign_to_start: span(p.signed_on, inside(p.started_on)),
    }
}

fn kpis(group: GroupKey, projects: &[&ProjectFacts], from: NaiveDate, to: NaiveDate, cal: &Calendar) -> Kpis {
    let by_end = |d: Option<NaiveDate>| d.is_some_and(|d| d <= to);
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
    let cohort: Vec<&&ProjectFacts> = projects.iter().filter(|p| by_end(p.signed_on)).collect();
    let signed = cohort.len() as i64;
    let started = cohort.iter().filter(|p| by_end(p.started_on)).count() as i64;
    let in_production = cohort.iter().filter(|p| by_end(p.production_on)).count() as i64;
    let due: Vec<&&&ProjectFacts> = cohort.iter().filter(|p| by_end(p.planned_start)).collect();
    let kept = due
        .iter()
        .filter(|p| matches!((p.started_on, p.planned_start), (Some(s), Some(plan)) if s <= plan))
        .count() as i64;
    let funds_in_place: Amount = cohort.iter().map(|p| p.funds_to(to)).sum();
    let agreed: Amount = cohort.iter().map(|p| p.agreed()).sum();
    let sum_where = |f: &dyn Fn(&ProjectFacts) -> bool| -> (i64, Amount) {
        let hits: Vec<&&ProjectFacts> = projects.iter().filter(|p| f(p)).collect();
        (hits.len() as i64, hits.iter().map(|p| p.investment()).sum())
    };
    let (signed_in_period, signed_investment) = sum_where(&|p| within(p.signed_on));
    let (landed_in_period, landed_investment) = sum_where(&|p| within(p.land_on));
    let (started_in_period, started_investment) = sum_where(&|p| within(p.started_on));
    let leads: Vec<LeadTime> = projects.iter().map(|p| lead_time(p, from, to, cal)).collect();
    let median = |f: fn(&LeadTime) -> Option<i64>| Median::of(&leads.iter().filter_map(f).collect::<Vec<_>>());
    Kpis {
        group,
        signed,
        started,
        in_production,
        start_rate: Rate::new(started, signed),
        production_rate: Rate::new(in_production, signed),
        fulfilment_rate: Rate::new(kept, due.len() as i64),
        funds_rate: Rate::new(funds_in_place.raw(), agreed.raw()),
        funds_in_place,
        agreed,
        signed_investment,
        landed_investment,
        started_investment,
        signed_in_period,
        landed_in_period,
        started_in_period,
        median_sign_to_land: median(|l| l.sign_to_land),
        median_land_to_start: median(|l| l.land_to_start),
        median_sign_to_start: median(|l| l.sign_to_start),
    }
}

fn grouped(
    projects: &[ProjectFacts],
    key: fn(&ProjectFacts) -> Option<&GroupKey>,
    unassigned: &str,
    from: NaiveDate,
    to: NaiveDate,
    cal: &Calendar,
) -> Vec<Kpis> {
    let mut groups: BTreeMap<GroupKey, Vec<&ProjectFacts>> = BTreeMap::new();
    for p in projects {
        let k = key(p).cloned().unwrap_or(GroupKey {
            id: None,
            name: unassigned.to_string(),
        });
        groups.entry(k).or_default().push(p);
    }
    let mut out: Vec<Kpis> = groups
        .into_iter()
        .map(|(k, ps)| kpis(k, &ps, from, to, cal))
        .filter(|k| k.signed > 0 || k.signed_in_period > 0)
        .collect();
    // Named groups by name, the unassigned ones last.
    out.sort_by(|a, b| (a.group.id.is_none(), &a.group.name).cmp(&(b.group.id.is_none(), &b.group.name)));
    out
}

/// The KPIs of the county and of each township, lead unit and chain node for `period`, and the
/// lead times of the projects whose 供地 or 开工 fell in it. `county_name` and `unassigned` label
/// the total row and the projects without a township (unit, node).
pub fn pipeline_report(
    projects: &[ProjectFacts],
    period: Period,
    cal: &Calendar,
    county_name: &str,
    unassigned: &str,
) -> PipelineReport {
    let (from, to) = (period.start(), period.end());
    let all: Vec<&ProjectFacts> = projects.iter().collect();
    let county = kpis(
        GroupKey {
            id: None,
            name: county_name.to_string(),
        },
        &all,
        from,
        to,
        cal,
    );
    let mut lead_times: Vec<LeadTime> = projects
        .iter()
        .map(|p| lead_time(p, from, to, cal))
        .filter(|l| l.sign_to_land.is_some() || l.land_to_start.is_some() || l.sign_to_start.is_some())
        .collect();
    lead_times.sort_by(|a, b| a.name.cmp(&b.name).then(a.project_id.cmp(&b.project_id)));
    PipelineReport {
        from,
        to,
        county,
        by_township: grouped(projects, |p| p.township.as_ref(), unassigned, from, to, cal),
        by_lead_unit: grouped(projects, |p| p.lead_unit.as_ref(), unassigned, from, to, cal),
        by_chain_node: grouped(projects, |p| p.chain_node.as_ref(), unassigned, from, to, cal),
        lead_times,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranking::PeriodKind;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn wan(s: &str) -> Amount {
        Amount::parse_plain(s).unwrap()
    }

    fn key(id: i64, name: &str) -> Option<GroupKey> {
        Some(GroupKey {
            id: Some(id),
            name: name.into(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn project(
        id: i64,
        town: Option<GroupKey>,
        total: &str,
        agreed: Option<&str>,
        plan: Option<&str>,
        dates: [Option<&str>; 4],
        monthly: &[(&str, &str)],
    ) -> ProjectFacts {
        ProjectFacts {
            id,
            name: format!("项目{id}"),
            township: town,
            lead_unit: key(100, "县发改委"),
            chain_node: None,
            stage: Stage::Signed,
            state: ProjectState::Active,
            total_investment: Some(wan(total)),
            agreed_investment: agreed.map(wan),
            planned_start: plan.map(d),
            signed_on: dates[0].map(d),
            land_on: dates[1].map(d),
            started_on: dates[2].map(d),
            production_on: dates[3].map(d),
            monthly: monthly.iter().map(|(m, a)| (d(m), wan(a))).collect(),
        }
    }

    /// A fixed county of five projects; every figure below is worked out by hand.
    fn county() -> Vec<ProjectFacts> {
        let east = || key(1, "东岭镇");
        let west = || key(2, "西山乡");
        vec![
            // P1: signed 2026-01-05 (Mon), land 2026-02-02 (Mon), started 2026-03-02 (Mon), in
            // production 2026-06-01; planned start 2026-03-31 (kept). 50 000 万元, agreed 40 000.
            project(
                1,
                east(),
                "50000",
                Some("40000"),
                Some("2026-03-31"),
                [
                    Some("2026-01-05"),
                    Some("2026-02-02"),
                    Some("2026-03-02"),
                    Some("2026-06-01"),
                ],
                &[("2026-03-01", "5000"), ("2026-04-01", "7500.5")],
            ),
            // P2: signed 2026-02-10, land 2026-04-01, started 2026-05-06 (planned 2026-04-30:
            // late). 12 000.5 万元.
            project(
                2,
                east(),
                "12000.5",
                None,
                Some("2026-04-30"),
                [Some("2026-02-10"), Some("2026-04-01"), Some("2026-05-06"), None],
                &[("2026-05-01", "1000")],
            ),
            // P3: signed 2026-03-20, no land, planned start 2026-06-30 (not yet started).
            project(
                3,
                west(),
                "8000",
                Some("9000"),
                Some("2026-06-30"),
                [Some("2026-03-20"), None, None, None],
                &[],
            ),
            // P4: signed 2025-11-03, land 2025-12-01, started 2026-01-05 (planned 2025-12-31:
            // late).
            project(
                4,
                west(),
                "3000",
                None,
                Some("2025-12-31"),
                [Some("2025-11-03"), Some("2025-12-01"), Some("2026-01-05"), None],
                &[("2025-12-01", "300"), ("2026-01-01", "200")],
            ),
            // P5: a lead, never signed.
            project(5, None, "100000", None, None, [None, None, None, None], &[]),
        ]
    }

    #[test]
    fn kpis_of_the_first_quarter_of_2026_match_the_hand_computation() {
        let cal = Calendar::built_in();
        let q1 = Period::containing(PeriodKind::Quarter, d("2026-02-01"));
        let r = pipeline_report(&county(), q1, cal, "全县", "未指定");
        let c = &r.county;
        // Cohort by 2026-03-31: P1, P2, P3, P4 (P5 never signed).
        assert_eq!(c.signed, 4);
        // Started by 03-31: P1 (03-02), P4 (01-05). P2 started 05-06.
        assert_eq!(c.started, 2);
        assert_eq!(c.start_rate.to_string(), "50.0%");
        // In production by 03-31: none.
        assert_eq!(c.production_rate.to_string(), "0.0%");
        // Due (planned start <= 03-31): P1 (03-31, kept), P4 (2025-12-31, late) → 1/2.
        assert_eq!(c.fulfilment_rate, Rate::new(1, 2));
        // Funds to 03-31: P1 5000 + P4 300 + 200 = 5500; agreed: 40000 + 12000.5 + 9000 + 3000.
        assert_eq!(c.funds_in_place, wan("5500"));
        assert_eq!(c.agreed, wan("64000.5"));
        // 5500 / 64000.5 = 8.5936…% → 8.6%.
        assert_eq!(c.funds_rate.to_string(), "8.6%");
        // Within Q1: signed P1, P2, P3 (50000 + 12000.5 + 8000); landed P1; started P1, P4.
        assert_eq!((c.signed_in_period, c.signed_investment), (3, wan("70000.5")));
        assert_eq!((c.landed_in_period, c.landed_investment), (1, wan("50000")));
        assert_eq!((c.started_in_period, c.started_investment), (2, wan("53000")));
        // Lead times in Q1. P1: 01-05 → 02-02 = 20 working days (4 weeks); 02-02 → 03-02:
        // 20 weekdays less 春节 2026-02-16..02-20 (5) and 02-23 (1), plus 补班 02-14 and 02-28
        // = 16; 01-05 → 03-02 = 36. P4: started 01-05, land 2025-12-01 → 2026-01-05: 25 weekdays
        // less 元旦 01-01, 01-02, plus 补班 Sunday 01-04 = 24; signed 2025-11-03 → 01-05: 45
        // weekdays less 2 plus 1 = 44.
        let p1 = r.lead_times.iter().find(|l| l.project_id == 1).unwrap();
        assert_eq!(
            (p1.sign_to_land, p1.land_to_start, p1.sign_to_start),
            (Some(20), Some(16), Some(36))
        );
        let p4 = r.lead_times.iter().find(|l| l.project_id == 4).unwrap();
        assert_eq!(
            (p4.sign_to_land, p4.land_to_start, p4.sign_to_start),
            (None, Some(24), Some(44))
        );
        assert_eq!(r.lead_times.len(), 2);
        assert_eq!(c.median_sign_to_land.unwrap().to_string(), "20");
        // Medians of {16, 24} and {36, 44}.
        assert_eq!(c.median_land_to_start.unwrap().to_string(), "20");
        assert_eq!(c.median_sign_to_start.unwrap().to_string(), "40");
    }

    #[test]
    fn the_year_and_the_townships() {
        let cal = Calendar::built_in();
        let y = Period::containing(PeriodKind::Year, d("2026-07-01"));
        let r = pipeline_report(&county(), y, cal, "全县", "未指定");
        // By 2026-12-31 all four signed projects: started P1, P2, P4 → 3/4; in production P1.
        assert_eq!(r.county.start_rate.to_string(), "75.0%");
        assert_eq!(r.county.production_rate.to_string(), "25.0%");
        // Due: all four (P3 planned 06-30, not started): kept P1 only → 25%.
        assert_eq!(r.county.fulfilment_rate, Rate::new(1, 4));
        // Townships: 东岭镇 = P1, P2; 西山乡 = P3, P4; P5 (no township, never signed) drops out.
        let names: Vec<&str> = r.by_township.iter().map(|k| k.group.name.as_str()).collect();
        assert_eq!(names, ["东岭镇", "西山乡"]);
        let east = &r.by_township[0];
        assert_eq!((east.signed, east.started, east.in_production), (2, 2, 1));
        assert_eq!(east.funds_in_place, wan("13500.5"));
        assert_eq!(east.agreed, wan("52000.5"));
        // 13500.5 / 52000.5 = 25.962…% → 26.0%.
        assert_eq!(east.funds_rate.to_string(), "26.0%");
        let west = &r.by_township[1];
        // 西山乡 in 2026: signed P3 only (P4 signed in 2025), started P4 (3000).
        assert_eq!((west.signed_in_period, west.signed_investment), (1, wan("8000")));
        assert_eq!((west.started_in_period, west.started_investment), (1, wan("3000")));
        assert_eq!(west.fulfilment_rate.to_string(), "0.0%");
        // One lead unit for all: the same figures as the county, except P5 which is in it too
        // but never signed.
        assert_eq!(r.by_lead_unit.len(), 1);
        assert_eq!(r.by_lead_unit[0].signed, 4);
        // No chain nodes: one unassigned group.
        assert_eq!(r.by_chain_node[0].group.name, "未指定");
    }

    #[test]
    fn rates_round_half_up_and_say_so_when_empty() {
        assert_eq!(Rate::new(1, 3).to_string(), "33.3%");
        assert_eq!(Rate::new(2, 3).to_string(), "66.7%");
        assert_eq!(Rate::new(1, 8).to_string(), "12.5%");
        assert_eq!(Rate::new(1, 16).to_string(), "6.3%");
        assert_eq!(Rate::new(0, 0).to_string(), "—");
        assert_eq!(Median::of(&[]), None);
        assert_eq!(Median::of(&[5, 1, 3]).unwrap().to_string(), "3");
        assert_eq!(Median::of(&[4, 1]).unwrap().to_string(), "2.5");
    }
}
