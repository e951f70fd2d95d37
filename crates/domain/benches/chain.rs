//! The chain map and an allocation round at a county's size and far beyond it: checking a chain
//! (cycle search included), local presence and gap analysis on the shipped lithium chain with 500
//! enterprises and on a synthetic 10 000-node chain, and deciding a round of 1 000 applications
//! pro rata with a minimum (the worst case of the drop-and-reshare loop).
//! Run: `cargo bench -p chainforce-domain --bench chain`.

use chainforce_domain::Amount;
use chainforce_domain::allocation::{
    AllocationMethod, ApplicantProfile, Application, Commitment, ProRataBasis, Quota, QuotaSource, QuotaUnit,
    RoundInput, RoundRules, ScoreCriterion, Weight, decide_round,
};
use chainforce_domain::chain::{
    Chain, ChainSpec, ChainStage, EdgeSpec, LocalEnterprise, NodeLink, NodeSpec, PresenceRules, gap_analysis,
    local_presence,
};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// xorshift64*, so the inputs are the same on every run without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn enterprises(chain: &Chain, count: usize, rng: &mut Rng) -> Vec<LocalEnterprise> {
    let nodes = chain.nodes();
    (0..count)
        .map(|i| LocalEnterprise {
            id: i as i64,
            name: format!("企业{i}"),
            nodes: (0..1 + rng.below(3))
                .map(|_| NodeLink {
                    node: nodes[rng.below(nodes.len() as u64) as usize].code.clone(),
                    capacity: Some(Amount::from_int(rng.below(100) as i64)),
                })
                .collect(),
            permu_class: Some(["A", "B", "C", "D"][rng.below(4) as usize].to_string()),
        })
        .collect()
}

/// `layers` layers of `width` nodes; each node feeds three random nodes of the next layer.
fn layered_chain(layers: usize, width: usize, rng: &mut Rng) -> ChainSpec {
    let stage = |l: usize| ChainStage::ALL[(l * 4 / layers).min(3)];
    let code = |l: usize, k: usize| format!("n{l}_{k}");
    let nodes = (0..layers)
        .flat_map(|l| (0..width).map(move |k| (l, k)))
        .map(|(l, k)| NodeSpec {
            code: code(l, k),
            name: code(l, k),
            name_en: None,
            stage: stage(l),
            by_product: false,
            capacity_unit: None,
            strong_capacity: None,
        })
        .collect();
    let mut edges = Vec::new();
    for l in 0..layers - 1 {
        for k in 0..width {
            let mut targets: Vec<u64> = (0..3).map(|_| rng.below(width as u64)).collect();
            targets.sort_unstable();
            targets.dedup();
            for t in targets {
                edges.push(EdgeSpec {
                    from: code(l, k),
                    to: code(l + 1, t as usize),
                    recycling: false,
                });
            }
        }
    }
    ChainSpec {
        code: "big".into(),
        name: "big".into(),
        name_en: None,
        source: None,
        nodes,
        edges,
    }
}

fn chain_map(c: &mut Criterion) {
    let mut rng = Rng(42);
    let lithium = Chain::lithium();
    let rules = PresenceRules::builtin();
    let county = enterprises(&lithium, 500, &mut rng);
    let mut group = c.benchmark_group("lithium chain (31 nodes), 500 enterprises");
    group.bench_function("check the chain", |b| {
        b.iter(|| Chain::new(black_box(lithium.spec().clone())).unwrap())
    });
    group.bench_function("presence + gap analysis", |b| {
        b.iter(|| {
            let p = local_presence(&lithium, black_box(&county), &[], &rules).unwrap();
            gap_analysis(&lithium, &p)
        })
    });
    group.finish();

    let spec = layered_chain(100, 100, &mut rng);
    let big = Chain::new(spec.clone()).unwrap();
    let firms = enterprises(&big, 5_000, &mut rng);
    let presence = local_presence(&big, &firms, &[], &rules).unwrap();
    let mut cyclic = spec.clone();
    cyclic.edges.push(EdgeSpec {
        from: "n99_0".into(),
        to: "n0_0".into(),
        recycling: false,
    });
    let mut group = c.benchmark_group("synthetic chain, 10 000 nodes, ~29 000 edges");
    group.sample_size(20);
    group.bench_function("check the chain", |b| {
        b.iter(|| Chain::new(black_box(spec.clone())).unwrap())
    });
    group.bench_function("refuse a chain with a cycle (Tarjan + walk)", |b| {
        b.iter(|| Chain::new(black_box(cyclic.clone())).unwrap_err())
    });
    group.bench_function("gap analysis", |b| b.iter(|| gap_analysis(&big, black_box(&presence))));
    group.finish();
}

fn allocation_round(c: &mut Criterion) {
    let mut rng = Rng(7);
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let products = ["cell", "pack", "energy_storage", "nev", "module"];
    let applications: Vec<Application> = (0..1_000)
        .map(|i| Application {
            id: i,
            enterprise_id: i,
            enterprise_name: format!("申请人{i}"),
            applied_at: "2026-05-01T09:00:00".parse().unwrap(),
            requested: Amount::from_int(500 + rng.below(2_000) as i64),
            profile: ApplicantProfile {
                annual_revenue_wan: Some(Amount::from_int(2_000_000)),
                listed: true,
                industry_rank: Some(1),
                permu_class: Some("B".into()),
                violations: vec![],
            },
            commitment: Commitment {
                investment_wan: Amount::from_int(500_000 + rng.below(1_000_000) as i64),
                products: vec!["lithium_carbonate".into(), products[rng.below(5) as usize].into()],
                capacity: Amount::from_int(1 + rng.below(40) as i64),
                local_processing_pct: Amount::from_int(rng.below(101) as i64),
                start_by: d("2026-10-31"),
                production_by: d("2027-12-31"),
                investment_schedule: vec![],
            },
        })
        .collect();
    let weights = [
        (ScoreCriterion::Investment, 40),
        (ScoreCriterion::ChainSpan, 20),
        (ScoreCriterion::Capacity, 20),
        (ScoreCriterion::LocalProcessing, 20),
    ];
    // A minimum that drops most applicants one at a time: the slowest path of the method.
    let input = RoundInput {
        quota: Quota {
            unit: QuotaUnit::LcePerYear,
            sources: vec![QuotaSource {
                deposit_id: 1,
                amount: Amount::from_int(100_000),
            }],
        },
        capacity_unit: "GWh/年".into(),
        rules: RoundRules {
            scoring: weights
                .iter()
                .map(|(c, w)| Weight {
                    criterion: *c,
                    weight: Amount::from_int(*w),
                })
                .collect(),
            method: AllocationMethod::ProRata {
                basis: ProRataBasis::Score,
                minimum: Amount::from_int(1_000),
            },
            ..RoundRules::builtin()
        },
        applications,
    };
    let chain = Chain::lithium();
    let mut group = c.benchmark_group("allocation round, 1 000 applications");
    group.sample_size(10);
    group.bench_function("decide pro rata by score, minimum 1 000 t", |b| {
        b.iter(|| decide_round(black_box(&input), &chain, &[], d("2026-06-01")).unwrap())
    });
    let rank = RoundInput {
        rules: RoundRules {
            method: AllocationMethod::RankOrder,
            ..input.rules.clone()
        },
        ..input.clone()
    };
    group.bench_function("decide in rank order", |b| {
        b.iter(|| decide_round(black_box(&rank), &chain, &[], d("2026-06-01")).unwrap())
    });
    group.finish();
}

criterion_group!(benches, chain_map, allocation_round);
criterion_main!(benches);
