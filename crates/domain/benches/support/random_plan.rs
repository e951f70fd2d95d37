//! A random project network for the benchmarks: `n` tasks, each depending on three tasks listed
//! before it in a hidden order (so a DAG), picked uniformly — the worst case for memory locality.
//! Tasks are numbered in a shuffled order, so the scheduler has to find the order itself.
//! Deterministic (xorshift), so runs compare.

use chainforce_domain::schedule::{Constraints, DependencyKind, NetworkBuilder};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (duration, [(predecessor, kind, lag)]) per task, by task number.
pub type Plan = Vec<(u32, Vec<(u32, DependencyKind, i64)>)>;

pub fn random_plan(n: usize, deps_per_task: usize, seed: u64) -> Plan {
    let mut rng = Rng::new(seed);
    let mut number: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        number.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut plan: Plan = vec![(0, Vec::new()); n];
    for rank in 0..n {
        let duration = if rng.below(20) == 0 {
            0
        } else {
            1 + rng.below(20) as u32
        };
        let mut preds = Vec::with_capacity(deps_per_task);
        for _ in 0..deps_per_task.min(rank) {
            let p = number[rng.below(rank as u64) as usize];
            let kind = match rng.below(10) {
                0 => DependencyKind::StartToStart,
                1 => DependencyKind::FinishToFinish,
                2 => DependencyKind::StartToFinish,
                _ => DependencyKind::FinishToStart,
            };
            let lag = rng.below(8) as i64 - 2;
            preds.push((p, kind, lag));
        }
        plan[number[rank] as usize] = (duration, preds);
    }
    plan
}

pub fn builder(plan: &Plan) -> NetworkBuilder {
    let deps = plan.iter().map(|t| t.1.len()).sum();
    let mut b = NetworkBuilder::with_capacity(plan.len(), deps);
    for (duration, _) in plan {
        b.add_task(*duration, Constraints::default());
    }
    for (i, (_, preds)) in plan.iter().enumerate() {
        for &(p, kind, lag) in preds {
            b.add_dependency(p, i as u32, kind, lag);
        }
    }
    b
}
