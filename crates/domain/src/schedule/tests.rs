//! Hand-computed schedules for each dependency type, and properties of random networks.
//!
//! The hand examples use March 2026 on the built-in calendar: no holidays, Mon 03-02 to Fri 03-06,
//! Mon 03-09 to Fri 03-13, and so on.

use super::*;
use crate::calendar::{Calendar, CalendarBuilder};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `(id, duration, predecessors as typed)`.
fn plan(rows: &[(&str, i64, &str)]) -> Vec<TaskInput<String>> {
    rows.iter()
        .map(|(id, duration, preds)| TaskInput {
            id: id.to_string(),
            duration: *duration,
            predecessors: parse_predecessors(preds).unwrap(),
            constraints: Constraints::default(),
        })
        .collect()
}

fn forward(tasks: &[TaskInput<String>], start: &str) -> Schedule {
    let anchor = Anchor::Forward {
        start: d(start),
        target: None,
    };
    schedule(tasks, Calendar::built_in(), anchor).unwrap().1
}

fn backward(tasks: &[TaskInput<String>], target: &str) -> Schedule {
    let anchor = Anchor::Backward {
        target: d(target),
        start: None,
    };
    schedule(tasks, Calendar::built_in(), anchor).unwrap().1
}

/// (early start, early finish, late start, late finish, total float) of task `i`.
fn row(s: &Schedule, i: usize) -> (String, String, String, String, i64) {
    let t = s.task(i);
    (
        t.early_start.to_string(),
        t.early_finish.to_string(),
        t.late_start.to_string(),
        t.late_finish.to_string(),
        t.total_float,
    )
}

fn r(es: &str, ef: &str, ls: &str, lf: &str, tf: i64) -> (String, String, String, String, i64) {
    (es.into(), ef.into(), ls.into(), lf.into(), tf)
}

#[test]
fn a_one_day_task_finishes_the_day_it_starts_and_its_successor_starts_the_next_working_day() {
    let s = forward(&plan(&[("a", 1, ""), ("b", 2, "a")]), "2026-03-06");
    assert_eq!(row(&s, 0), r("2026-03-06", "2026-03-06", "2026-03-06", "2026-03-06", 0));
    assert_eq!(row(&s, 1), r("2026-03-09", "2026-03-10", "2026-03-09", "2026-03-10", 0));
    assert_eq!(s.critical_path(), vec![0, 1]);
}

#[test]
fn finish_to_start_with_a_two_day_lag_leaves_two_working_days_free() {
    let s = forward(&plan(&[("a", 3, ""), ("b", 2, "aFS+2")]), "2026-03-02");
    // a: Mon–Wed; Thu and Fri free; b: Mon–Tue.
    assert_eq!(row(&s, 1), r("2026-03-09", "2026-03-10", "2026-03-09", "2026-03-10", 0));
}

#[test]
fn a_negative_lag_lets_the_successor_overlap_its_predecessor() {
    let s = forward(&plan(&[("a", 3, ""), ("b", 2, "aFS-1")]), "2026-03-02");
    assert_eq!(row(&s, 1), r("2026-03-04", "2026-03-05", "2026-03-04", "2026-03-05", 0));
}

#[test]
fn start_to_start_starts_the_successor_a_day_after_the_predecessor_starts() {
    let s = forward(&plan(&[("a", 3, ""), ("b", 2, "aSS+1")]), "2026-03-02");
    assert_eq!(row(&s, 1), r("2026-03-03", "2026-03-04", "2026-03-03", "2026-03-04", 0));
    assert_eq!(row(&s, 0), r("2026-03-02", "2026-03-04", "2026-03-02", "2026-03-04", 0));
}

#[test]
fn finish_to_finish_finishes_the_successor_a_day_after_the_predecessor() {
    let s = forward(&plan(&[("a", 3, ""), ("b", 1, "aFF+1")]), "2026-03-02");
    assert_eq!(row(&s, 1), r("2026-03-05", "2026-03-05", "2026-03-05", "2026-03-05", 0));
    // a could finish later only by pushing b, which is critical: a too.
    assert_eq!(row(&s, 0).4, 0);
}

#[test]
fn start_to_finish_finishes_the_successor_when_the_lag_after_the_predecessors_start_ends() {
    // b must finish no earlier than 3 working days after a starts: by Wed evening.
    let s = forward(&plan(&[("a", 3, ""), ("b", 2, "aSF+3")]), "2026-03-02");
    assert_eq!(row(&s, 1), r("2026-03-03", "2026-03-04", "2026-03-03", "2026-03-04", 0));
    // With no lag it would finish before a starts, but nothing starts before the project.
    let s = forward(&plan(&[("a", 3, ""), ("b", 2, "aSF")]), "2026-03-02");
    assert_eq!(row(&s, 1), r("2026-03-02", "2026-03-03", "2026-03-03", "2026-03-04", 1));
}

#[test]
fn a_backward_schedule_finishes_on_the_target_and_counts_float_from_it() {
    let tasks = plan(&[("a", 3, ""), ("b", 2, "a"), ("c", 1, "a")]);
    let s = backward(&tasks, "2026-03-31");
    assert_eq!(row(&s, 1), r("2026-03-30", "2026-03-31", "2026-03-30", "2026-03-31", 0));
    assert_eq!(row(&s, 0), r("2026-03-25", "2026-03-27", "2026-03-25", "2026-03-27", 0));
    // c needs a day, so it can wait until the target: one day of float.
    assert_eq!(row(&s, 2), r("2026-03-30", "2026-03-30", "2026-03-31", "2026-03-31", 1));
    assert_eq!(s.task(2).free_float, 1);
    assert_eq!(s.critical_path(), vec![0, 1]);
    assert_eq!(s.project_start(), d("2026-03-25"));
}

#[test]
fn a_target_on_a_sunday_means_the_friday_before() {
    let s = backward(&plan(&[("a", 2, "")]), "2026-03-29");
    assert_eq!(row(&s, 0), r("2026-03-26", "2026-03-27", "2026-03-26", "2026-03-27", 0));
}

#[test]
fn a_backward_schedule_over_the_spring_festival_uses_the_saturday_make_up_day() {
    // Off 2026-02-15 … 02-23; Sat 02-14 is a working day (补班).
    let s = backward(&plan(&[("a", 3, ""), ("b", 2, "a")]), "2026-02-24");
    assert_eq!(row(&s, 1).2, "2026-02-14");
    assert_eq!(row(&s, 0), r("2026-02-11", "2026-02-13", "2026-02-11", "2026-02-13", 0));
}

#[test]
fn a_milestone_after_a_task_is_shown_on_the_day_the_task_finishes() {
    let s = forward(&plan(&[("a", 1, ""), ("m", 0, "a"), ("b", 1, "m")]), "2026-03-02");
    // Early: reached when a finishes (Monday evening). Late: due when b must start (Tuesday
    // morning). The same instant, so no float, shown on two days as TaskJuggler shows it.
    assert_eq!(row(&s, 1), r("2026-03-02", "2026-03-02", "2026-03-03", "2026-03-03", 0));
    assert_eq!(row(&s, 2).0, "2026-03-03");
}

#[test]
fn a_milestone_before_a_task_is_shown_on_the_day_the_task_starts() {
    // Going backward from Fri 03-06: t takes Thu–Fri, so m is due at the start of Thursday.
    let s = backward(&plan(&[("m", 0, ""), ("t", 2, "m")]), "2026-03-06");
    assert_eq!(row(&s, 0), r("2026-03-05", "2026-03-05", "2026-03-05", "2026-03-05", 0));
    let s = forward(&plan(&[("m", 0, ""), ("t", 2, "m")]), "2026-03-02");
    assert_eq!(row(&s, 0).0, "2026-03-02");
    assert_eq!(row(&s, 1), r("2026-03-02", "2026-03-03", "2026-03-02", "2026-03-03", 0));
}

#[test]
fn groundbreaking_as_a_milestone_falls_on_the_target_date() {
    let s = backward(&plan(&[("permit", 5, ""), ("开工", 0, "permit")]), "2026-06-30");
    assert_eq!(s.task(1).late_finish, d("2026-06-30"));
    assert_eq!(s.task(0).late_finish, d("2026-06-30"));
    assert_eq!(s.task(0).late_start, d("2026-06-24"));
}

#[test]
fn a_deadline_the_predecessors_cannot_meet_gives_negative_float_and_a_warning() {
    let mut tasks = plan(&[("a", 3, ""), ("b", 2, "a")]);
    tasks[0].constraints.finish_no_later_than = Some(d("2026-03-03"));
    let s = forward(&tasks, "2026-03-02");
    assert_eq!(s.task(0).total_float, -1);
    assert_eq!(s.task(0).late_finish, d("2026-03-03"));
    assert!(s.task(0).critical);
    assert!(!s.is_feasible());
    assert_eq!(
        s.warnings,
        vec![ScheduleWarning::TargetNotMet {
            worst_float: -1,
            tasks: 1
        }]
    );
}

#[test]
fn a_target_too_close_for_the_work_flags_every_late_task() {
    let tasks = plan(&[("a", 3, ""), ("b", 2, "a"), ("c", 1, "")]);
    let anchor = Anchor::Forward {
        start: d("2026-03-02"),
        target: Some(d("2026-03-03")),
    };
    let (_, s) = schedule(&tasks, Calendar::built_in(), anchor).unwrap();
    assert_eq!(s.task(0).total_float, -3);
    assert_eq!(s.task(1).total_float, -3);
    assert_eq!(s.task(2).total_float, 1);
    assert_eq!(s.critical_path(), vec![0, 1]);
}

#[test]
fn with_time_to_spare_the_critical_path_is_the_chain_with_least_float() {
    let tasks = plan(&[("a", 3, ""), ("b", 2, "a"), ("c", 1, "")]);
    let anchor = Anchor::Forward {
        start: d("2026-03-02"),
        target: Some(d("2026-03-13")),
    };
    let (_, s) = schedule(&tasks, Calendar::built_in(), anchor).unwrap();
    assert_eq!(s.task(0).total_float, 5);
    assert_eq!(s.critical_path(), vec![0, 1]);
    assert!(s.is_feasible());
}

#[test]
fn start_no_earlier_than_holds_a_task_back() {
    let mut tasks = plan(&[("a", 1, ""), ("b", 2, "a")]);
    tasks[1].constraints.start_no_earlier_than = Some(d("2026-03-07"));
    let s = forward(&tasks, "2026-03-02");
    assert_eq!(s.task(1).early_start, d("2026-03-09"));
}

#[test]
fn work_already_done_pins_its_dates_and_pushes_what_follows() {
    let mut tasks = plan(&[("a", 3, ""), ("b", 2, "a")]);
    tasks[0].constraints.actual_start = Some(d("2026-03-03"));
    tasks[0].constraints.actual_finish = Some(d("2026-03-09"));
    let s = forward(&tasks, "2026-03-02");
    assert_eq!(row(&s, 0), r("2026-03-03", "2026-03-09", "2026-03-03", "2026-03-09", 0));
    assert_eq!(row(&s, 1), r("2026-03-10", "2026-03-11", "2026-03-10", "2026-03-11", 0));
}

#[test]
fn a_task_in_progress_keeps_its_actual_start_and_is_judged_on_its_finish() {
    let mut tasks = plan(&[("a", 3, ""), ("b", 2, "a")]);
    tasks[0].constraints.actual_start = Some(d("2026-03-04"));
    let s = backward(&tasks, "2026-03-13");
    // a started Wed, planned to Fri; b needs Thu–Fri of the next week: a may finish by Wed 03-11.
    assert_eq!(row(&s, 0), r("2026-03-04", "2026-03-06", "2026-03-04", "2026-03-11", 3));
}

#[test]
fn a_dependency_cycle_is_reported_with_the_tasks_in_it() {
    let tasks = plan(&[("a", 1, "c"), ("b", 1, "a"), ("c", 1, "b"), ("d", 1, "c"), ("e", 1, "")]);
    let e = Network::build(&tasks).unwrap_err();
    assert_eq!(
        e,
        vec![NetworkError::Cycle {
            ids: vec!["a".into(), "b".into(), "c".into()]
        }]
    );
    assert_eq!(e[0].to_string(), "dependency cycle: a → b → c → a");
    let self_loop = plan(&[("a", 1, "aSS")]);
    assert_eq!(
        Network::build(&self_loop).unwrap_err()[0].to_string(),
        "dependency cycle: a → a"
    );
}

#[test]
fn every_input_problem_is_reported_at_once() {
    let mut tasks = plan(&[("a", 1, "x"), ("a", 2, ""), ("b", -1, "a")]);
    tasks.push(TaskInput {
        id: "c".into(),
        duration: 1,
        predecessors: vec![Dependency {
            predecessor: "a".into(),
            kind: DependencyKind::FinishToStart,
            lag: 5000,
        }],
        constraints: Constraints::default(),
    });
    let errors: Vec<String> = Network::build(&tasks)
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        errors,
        vec![
            "task id a appears more than once",
            "task a: unknown predecessor x",
            "task b: duration -1 is negative",
            "task c: lag 5000 after a exceeds ±1000 working days",
        ]
    );
}

#[test]
fn database_ids_work_as_well_as_text_ids() {
    let tasks = vec![
        TaskInput {
            id: 17_i64,
            duration: 2,
            predecessors: vec![],
            constraints: Constraints::default(),
        },
        TaskInput {
            id: 4_i64,
            duration: 1,
            predecessors: parse_predecessors("17SS+1")
                .unwrap()
                .into_iter()
                .map(|d| d.try_map_id(|id| id.parse::<i64>()))
                .collect::<Result<_, _>>()
                .unwrap(),
            constraints: Constraints::default(),
        },
    ];
    let anchor = Anchor::Forward {
        start: d("2026-03-02"),
        target: None,
    };
    let (net, s) = schedule(&tasks, Calendar::built_in(), anchor).unwrap();
    assert_eq!(net.index_of(&4), Some(1));
    assert_eq!(s.task(1).early_start, d("2026-03-03"));
}

#[test]
fn a_schedule_running_past_the_last_notice_warns_that_it_used_weekends_only() {
    let s = forward(&plan(&[("a", 20, "")]), "2026-12-21");
    assert_eq!(s.warnings, vec![ScheduleWarning::BeyondCalendar { years: vec![2027] }]);
    assert!(s.warnings[0].message(crate::validation::Lang::Zh).contains("2027"));
    let s = forward(&plan(&[("a", 20, "")]), "2026-03-02");
    assert!(s.warnings.is_empty());
}

#[test]
fn an_empty_plan_schedules_to_nothing() {
    let s = forward(&[], "2026-03-02");
    assert!(s.is_empty());
    assert!(s.critical_path().is_empty());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A random DAG: task `i` may depend on any earlier task. Listed in a shuffled order so the
    /// network has to find the topological order itself.
    fn network() -> impl Strategy<Value = Vec<TaskInput<String>>> {
        (1usize..25)
            .prop_flat_map(|n| {
                let tasks = (0..n)
                    .map(|i| {
                        let deps = proptest::collection::vec(
                            (0..i.max(1), 0u8..4, -3i64..4),
                            if i == 0 { 0..1 } else { 0..4 },
                        );
                        (0i64..6, deps)
                    })
                    .collect::<Vec<_>>();
                (tasks, Just((0..n).collect::<Vec<_>>()).prop_shuffle())
            })
            .prop_map(|(tasks, order)| {
                order
                    .into_iter()
                    .map(|i| {
                        let (duration, deps) = &tasks[i];
                        TaskInput {
                            id: format!("t{i}"),
                            duration: *duration,
                            predecessors: deps
                                .iter()
                                .map(|&(p, k, lag)| Dependency {
                                    predecessor: format!("t{p}"),
                                    kind: DependencyKind::ALL[k as usize],
                                    lag,
                                })
                                .collect(),
                            constraints: Constraints::default(),
                        }
                    })
                    .collect()
            })
    }

    fn instant(p: i64) -> i64 {
        (p + 1) >> 1
    }

    /// Slack of every dependency on one set of dates (early or late), in working days.
    fn slacks(net: &Network<String>, s: &Schedule, late: bool) -> Vec<(usize, usize, i64)> {
        let at = |i: usize| {
            let (e, l) = s.points(i);
            let p = if late { l } else { e };
            (instant(p[0]), instant(p[1]))
        };
        net.dependencies()
            .map(|(p, q, kind, lag)| {
                let (ps, pf) = at(p);
                let (qs, qf) = at(q);
                let slack = match kind {
                    DependencyKind::FinishToStart => qs - pf,
                    DependencyKind::StartToStart => qs - ps,
                    DependencyKind::FinishToFinish => qf - pf,
                    DependencyKind::StartToFinish => qf - ps,
                } - lag;
                (p, q, slack)
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn every_dependency_holds_and_every_date_is_as_tight_as_it_can_be(
            tasks in network(),
            start in 0i64..1500,
            span in -10i64..80,
        ) {
            let cal = CalendarBuilder::with_built_in().build().unwrap();
            let start = d("2022-06-01") + chrono::Duration::days(start);
            let target = cal.add_working_days(start, span);
            let anchor = Anchor::Forward { start, target: Some(target) };
            let (net, s) = schedule(&tasks, &cal, anchor).unwrap();
            let start_i = cal.ordinal(start);
            let target_i = cal.ordinal(target.succ_opt().unwrap());
            for (p, q, slack) in slacks(&net, &s, false) {
                prop_assert!(slack >= 0, "early dates break {p} → {q} by {slack}");
            }
            let late = slacks(&net, &s, true);
            for &(p, q, slack) in &late {
                prop_assert!(slack >= 0, "late dates break {p} → {q} by {slack}");
            }
            let mut latest_finish = i64::MIN;
            let early = slacks(&net, &s, false);
            for (i, task) in tasks.iter().enumerate() {
                let (e, l) = s.points(i);
                let dur = task.duration;
                prop_assert_eq!(instant(e[1]) - instant(e[0]), dur);
                prop_assert_eq!(instant(l[1]) - instant(l[0]), dur);
                prop_assert!(instant(e[0]) >= start_i);
                prop_assert!(instant(l[1]) <= target_i);
                latest_finish = latest_finish.max(instant(e[1]));
                // Latest possible: one more day breaks the target or a dependency.
                let on_target = instant(l[1]) == target_i;
                let on_successor = late.iter().any(|&(p, _, slack)| p == i && slack == 0);
                prop_assert!(on_target || on_successor, "task {} could finish later", i);
                // Earliest possible: one day sooner breaks the start or a dependency.
                let at_start = instant(e[0]) == start_i;
                let on_predecessor = early.iter().any(|&(_, q, slack)| q == i && slack == 0);
                prop_assert!(at_start || on_predecessor, "task {} could start sooner", i);
            }
            let min_float = s.tasks().map(|t| t.total_float).min().unwrap();
            prop_assert_eq!(min_float >= 0, latest_finish <= target_i);
            prop_assert_eq!(s.is_feasible(), min_float >= 0);
            prop_assert!(!s.critical_path().is_empty());
            for t in s.tasks() {
                prop_assert!(t.free_float <= t.total_float);
                prop_assert!(t.free_float >= 0 || t.total_float < 0);
            }
        }

        #[test]
        fn a_backward_schedule_without_a_start_has_zero_float_on_its_critical_path(
            tasks in network(),
            target in 0i64..1500,
        ) {
            let target = d("2022-06-01") + chrono::Duration::days(target);
            let anchor = Anchor::Backward { target, start: None };
            let (_, s) = schedule(&tasks, Calendar::built_in(), anchor).unwrap();
            prop_assert!(s.is_feasible());
            let min_float = s.tasks().map(|t| t.total_float).min().unwrap();
            prop_assert_eq!(min_float, 0);
            for i in s.critical_path() {
                prop_assert_eq!(s.task(i).total_float, 0);
            }
            for t in s.tasks() {
                prop_assert!(t.late_finish <= target);
                prop_assert!(t.early_start >= s.project_start());
            }
        }
    }
}
