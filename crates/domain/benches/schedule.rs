//! 1,000,000 tasks and 3,000,000 dependencies: compiling the network, and the backward plus
//! forward passes on the built-in calendar. Run: `cargo bench -p chainforce-domain --bench schedule`.

use chainforce_domain::calendar::Calendar;
use chainforce_domain::schedule::Anchor;
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "support/random_plan.rs"]
mod random_plan;

const TASKS: usize = 1_000_000;

fn schedule_a_million_tasks(c: &mut Criterion) {
    let plan = random_plan::random_plan(TASKS, 3, 42);
    let calendar = Calendar::built_in();
    let target = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let mut group = c.benchmark_group("1M tasks, 3M dependencies");
    group.sample_size(10);
    group.bench_function("compile network (Kahn order, flat arrays)", |b| {
        b.iter_with_large_drop(|| random_plan::builder(&plan).finish(vec![(); TASKS]).unwrap())
    });
    let network = random_plan::builder(&plan).finish(vec![(); TASKS]).unwrap();
    group.bench_function("backward + forward passes", |b| {
        b.iter_with_large_drop(|| {
            network
                .schedule(calendar, black_box(Anchor::Backward { target, start: None }))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, schedule_a_million_tasks);
criterion_main!(benches);
