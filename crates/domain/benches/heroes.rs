//! 三论英雄 at county scale: the 亩均 evaluation of 10,000 enterprises, and a year's ranking of 100
//! units from 30,000 task outcomes (plus problems, ratings and meeting assignments) and their
//! shares of 2,000 projects. Run: `cargo bench -p chainforce-domain --bench heroes`.

use chainforce_domain::Amount;
use chainforce_domain::permu::{self, EnterpriseYear, EvaluationData, Exemption, SizeGroup};
use chainforce_domain::ranking::{
    self, AssignmentOutcome, Attribution, Outcomes, Period, PeriodKind, ProblemOutcome, ProjectMilestones, RankedUnit,
    RankingConfig, RatingOutcome, TaskOutcome,
};
use chrono::{Datelike, Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// A small deterministic generator (xorshift64*), so every run measures the same county.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An amount between `lo` and `hi` with two decimals.
    fn amount(&mut self, lo: i64, hi: i64) -> Option<Amount> {
        let cents = lo * 100 + self.below(((hi - lo) * 100) as u64) as i64;
        Some(Amount::from_raw(cents * 100))
    }
}

/// 10,000 firms: four in five above designated size, one in twenty without an emission figure,
/// one in a hundred with negative land, one in fifty a start-up.
fn county(n: i64) -> Vec<EnterpriseYear> {
    let mut rng = Rng(0x5eed_1234);
    (1..=n)
        .map(|id| {
            let group = if rng.below(5) == 0 {
                SizeGroup::BelowScale
            } else {
                SizeGroup::AboveScale
            };
            let mut e = EnterpriseYear::new(id, format!("企业{id}"), group);
            e.land_mu = rng.amount(5, 500);
            e.tax = rng.amount(0, 20_000);
            e.value_added = rng.amount(100, 100_000);
            e.revenue = rng.amount(500, 500_000);
            e.energy_tce = rng.amount(10, 50_000);
            e.emissions_t = if rng.below(20) == 0 { None } else { rng.amount(1, 500) };
            e.employees = Some(10 + rng.below(3000) as i64);
            e.rd_spending = rng.amount(0, 10_000);
            e.electricity_kwh = rng.amount(10_000, 50_000_000);
            match rng.below(100) {
                0 => e.land_mu = Some(Amount::from_int(-3)),
                1 | 2 => e.exemption = Some(Exemption::StartUp),
                _ => {}
            }
            e
        })
        .collect()
}

fn evaluate_ten_thousand_enterprises(c: &mut Criterion) {
    let data = EvaluationData {
        year: 2022,
        enterprises: county(10_000),
        prior_year: vec![],
    };
    let mut group = c.benchmark_group("亩均 evaluation, 10,000 enterprises");
    for id in ["huangyan-2022", "jingde-minmax"] {
        let method = permu::built_in_method(id).unwrap();
        group.bench_function(id, |b| {
            b.iter_with_large_drop(|| permu::evaluate(&method, black_box(&data)).unwrap())
        });
    }
    group.finish();
}

const METHOD: &str = r#"{
  "id": "bench", "name": "基准测试排名", "decimals": 2, "low_rating_at_most": 2,
  "measures": [
    {"measure": "task_on_time_rate", "weight": 40, "scoring": {"kind": "rate"}, "no_data": "average"},
    {"measure": "overdue_working_days", "weight": 20,
     "scoring": {"kind": "deduction", "points_per_unit": 0.5}, "no_data": "full"},
    {"measure": "problem_resolution_days", "weight": 15, "scoring": {"kind": "relative"}, "no_data": "full"},
    {"measure": "service_rating", "weight": 15, "scoring": {"kind": "scale", "low": 1, "high": 5}, "no_data": "full"},
    {"measure": "assignment_on_time_rate", "weight": 10, "scoring": {"kind": "rate"}, "no_data": "zero"}
  ]}"#;

/// A year of 100 units' work: 30,000 tasks, 5,000 problems, 3,000 ratings, 2,000 assignments.
fn year_of_work(units: i64) -> Outcomes {
    let mut rng = Rng(0xfeed_beef);
    let jan1 = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let day = |rng: &mut Rng| jan1 + Days::new(rng.below(365));
    let late = |rng: &mut Rng, due: NaiveDate| match rng.below(10) {
        0 => (Some(due + Days::new(1 + rng.below(20))), 1 + rng.below(14) as i64),
        1 => (None, 1 + rng.below(40) as i64),
        _ => (Some(due - Days::new(rng.below(5))), 0),
    };
    let mut out = Outcomes::default();
    for task_id in 0..30_000 {
        let deadline = day(&mut rng);
        let (finished_on, overdue_working_days) = late(&mut rng, deadline);
        out.tasks.push(TaskOutcome {
            unit_id: 1 + rng.below(units as u64) as i64,
            task_id,
            title: String::new(),
            deadline,
            finished_on: finished_on.filter(|f| f.year() == 2022),
            overdue_working_days,
        });
    }
    for problem_id in 0..5_000 {
        let assigned_on = day(&mut rng);
        let deadline = assigned_on + Days::new(10);
        let solved_on = (rng.below(8) != 0).then(|| assigned_on + Days::new(rng.below(30)));
        out.problems.push(ProblemOutcome {
            unit_id: 1 + rng.below(units as u64) as i64,
            problem_id,
            title: String::new(),
            assigned_on,
            deadline: Some(deadline),
            solved_on: solved_on.filter(|s| s.year() == 2022),
            working_days: rng.below(25) as i64,
        });
    }
    for rating_id in 0..3_000 {
        out.ratings.push(RatingOutcome {
            unit_id: 1 + rng.below(units as u64) as i64,
            rating_id,
            rated_on: day(&mut rng),
            stars: 1 + rng.below(5) as i64,
            enterprise_id: None,
            comment: String::new(),
        });
    }
    for assignment_id in 0..2_000 {
        let deadline = day(&mut rng);
        out.assignments.push(AssignmentOutcome {
            unit_id: 1 + rng.below(units as u64) as i64,
            assignment_id,
            title: String::new(),
            meeting_id: None,
            deadline,
            closed_on: late(&mut rng, deadline).0.filter(|c| c.year() == 2022),
        });
    }
    out
}

fn rank_a_year_of_one_hundred_units(c: &mut Criterion) {
    let units: Vec<RankedUnit> = (1..=100)
        .map(|unit_id| RankedUnit {
            unit_id,
            name: format!("单位{unit_id}"),
        })
        .collect();
    let outcomes = year_of_work(100);
    let config = RankingConfig::from_json(METHOD).unwrap();
    let year = Period::containing(PeriodKind::Year, NaiveDate::from_ymd_opt(2022, 6, 1).unwrap());
    let today = NaiveDate::from_ymd_opt(2023, 1, 10).unwrap();
    let mut rng = Rng(0xabcd);
    let projects: Vec<ProjectMilestones> = (0..2_000)
        .map(|project_id| {
            let signed = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + Days::new(rng.below(365));
            ProjectMilestones {
                project_id,
                name: String::new(),
                township_id: Some(1 + rng.below(100) as i64),
                lead_unit_id: Some(1 + rng.below(100) as i64),
                investment: Amount::from_int(1_000 + rng.below(200_000) as i64),
                signed_on: Some(signed),
                landed_on: (rng.below(2) == 0).then(|| signed + Days::new(rng.below(120))),
                started_on: (rng.below(3) == 0).then(|| signed + Days::new(rng.below(200))),
            }
        })
        .collect();
    let mut group = c.benchmark_group("ranking, 100 units, one year");
    group.bench_function("rank: 30k tasks, 5k problems, 3k ratings, 2k assignments", |b| {
        b.iter_with_large_drop(|| ranking::rank(&config, year, today, &units, black_box(&outcomes)).unwrap())
    });
    group.bench_function("shares: 2k projects", |b| {
        b.iter_with_large_drop(|| ranking::shares(year, Attribution::Township, &units, black_box(&projects), &[]))
    });
    group.finish();
}

criterion_group!(
    benches,
    evaluate_ten_thousand_enterprises,
    rank_a_year_of_one_hundred_units
);
criterion_main!(benches);
