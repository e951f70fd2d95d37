//! One run of the 1,000,000-task / 3,000,000-dependency schedule, with timings of each phase, for
//! measuring peak memory with `/usr/bin/time -v`:
//! `cargo run --release -p chainforce-domain --example schedule_1m [TASKS]`.

use chainforce_domain::calendar::Calendar;
use chainforce_domain::schedule::{Anchor, Constraints, Dependency, Network, TaskInput};
use chrono::NaiveDate;
use std::time::Instant;

#[path = "../benches/support/random_plan.rs"]
mod random_plan;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a number of tasks"))
        .unwrap_or(1_000_000);
    let by_id = std::env::args().any(|a| a == "--ids");
    let calendar = Calendar::built_in();
    let target = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let t = Instant::now();
    let plan = random_plan::random_plan(n, 3, 42);
    let deps: usize = plan.iter().map(|p| p.1.len()).sum();
    println!("generate {n} tasks, {deps} dependencies: {:?}", t.elapsed());

    let t = Instant::now();
    let network = if by_id {
        // As the web layer does it: i64 ids resolved through a hash map.
        let tasks: Vec<TaskInput<i64>> = plan
            .iter()
            .enumerate()
            .map(|(i, (d, preds))| TaskInput {
                id: 1_000_000_000 + i as i64,
                duration: i64::from(*d),
                predecessors: preds
                    .iter()
                    .map(|&(p, kind, lag)| Dependency {
                        predecessor: 1_000_000_000 + i64::from(p),
                        kind,
                        lag,
                    })
                    .collect(),
                constraints: Constraints::default(),
            })
            .collect();
        drop(plan);
        println!("  (tasks as TaskInput<i64>: {:?})", t.elapsed());
        let t = Instant::now();
        let network = Network::build(&tasks).unwrap();
        println!(
            "build from ids (hash map, checks, Kahn, flat arrays): {:?}",
            t.elapsed()
        );
        network
            .schedule(calendar, Anchor::Backward { target, start: None })
            .unwrap();
        let t = Instant::now();
        let s = network
            .schedule(calendar, Anchor::Backward { target, start: None })
            .unwrap();
        println!("backward + forward passes: {:?}", t.elapsed());
        println!("critical tasks: {}", s.critical_path().len());
        return;
    } else {
        let b = random_plan::builder(&plan);
        drop(plan);
        b.finish(vec![(); n]).unwrap()
    };
    println!("compile network (Kahn order, flat arrays): {:?}", t.elapsed());

    let t = Instant::now();
    let s = network
        .schedule(calendar, Anchor::Backward { target, start: None })
        .unwrap();
    println!("backward + forward passes: {:?}", t.elapsed());
    println!(
        "project start {}, critical tasks {}, warnings {:?}",
        s.project_start(),
        s.critical_path().len(),
        s.warnings
    );
}
