//! The boards as the task-force office reads them at the end of 2022 Q3.

use super::*;
use crate::amount::Amount;
use crate::validation::{Lang, Rule};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn q3() -> Period {
    Period::containing(PeriodKind::Quarter, d("2022-08-22"))
}

const TODAY: &str = "2022-10-10";

fn units() -> Vec<RankedUnit> {
    [(1, "发改委"), (2, "自然资源局"), (3, "供电公司")]
        .into_iter()
        .map(|(unit_id, name)| RankedUnit {
            unit_id,
            name: name.into(),
        })
        .collect()
}

/// 任务按时完成率 40 (rate; a unit with no task due gets the average), 逾期工作日 20 (1 point a
/// day), 问题办结时长 15 (relative, fewer days better), 企业服务评价 15 (1–5 stars on a scale),
/// 交办事项按时办结率 10 (rate; none due scores 0). Ratings of 2 stars or fewer are listed.
const METHOD: &str = r#"{
  "id": "county-units-2022", "name": "县直单位季度排名", "decimals": 2, "low_rating_at_most": 2,
  "measures": [
    {"measure": "task_on_time_rate", "weight": 40, "scoring": {"kind": "rate"}, "no_data": "average"},
    {"measure": "overdue_working_days", "weight": 20,
     "scoring": {"kind": "deduction", "points_per_unit": 1}, "no_data": "full"},
    {"measure": "problem_resolution_days", "weight": 15, "scoring": {"kind": "relative"}, "no_data": "full"},
    {"measure": "service_rating", "weight": 15, "scoring": {"kind": "scale", "low": 1, "high": 5}, "no_data": "full"},
    {"measure": "assignment_on_time_rate", "weight": 10, "scoring": {"kind": "rate"}, "no_data": "zero"}
  ]}"#;

fn task(unit_id: i64, task_id: i64, deadline: &str, finished: Option<&str>, overdue: i64) -> TaskOutcome {
    TaskOutcome {
        unit_id,
        task_id,
        title: format!("任务{task_id}"),
        deadline: d(deadline),
        finished_on: finished.map(d),
        overdue_working_days: overdue,
    }
}

fn problem(
    unit_id: i64,
    problem_id: i64,
    assigned: &str,
    deadline: &str,
    solved: Option<&str>,
    working_days: i64,
) -> ProblemOutcome {
    ProblemOutcome {
        unit_id,
        problem_id,
        title: format!("问题{problem_id}"),
        assigned_on: d(assigned),
        deadline: Some(d(deadline)),
        solved_on: solved.map(d),
        working_days,
    }
}

fn rating(unit_id: i64, rating_id: i64, on: &str, stars: i64) -> RatingOutcome {
    RatingOutcome {
        unit_id,
        rating_id,
        rated_on: d(on),
        stars,
        enterprise_id: Some(7),
        comment: String::new(),
    }
}

fn assignment(unit_id: i64, id: i64, deadline: &str, closed: Option<&str>) -> AssignmentOutcome {
    AssignmentOutcome {
        unit_id,
        assignment_id: id,
        title: format!("交办{id}"),
        meeting_id: Some(6),
        deadline: d(deadline),
        closed_on: closed.map(d),
    }
}

fn outcomes() -> Outcomes {
    Outcomes {
        tasks: vec![
            task(1, 101, "2022-07-15", Some("2022-07-14"), 0),
            task(1, 102, "2022-08-01", Some("2022-08-05"), 4),
            task(1, 103, "2022-09-20", Some("2022-09-20"), 0),
            task(1, 104, "2022-09-28", None, 2),
            // Due next quarter and not done yet: not counted in Q3.
            task(1, 105, "2022-10-20", None, 0),
            task(2, 201, "2022-07-30", Some("2022-07-01"), 0),
            task(2, 202, "2022-09-01", Some("2022-08-31"), 0),
            // A unit on another board: skipped.
            task(9, 901, "2022-08-01", None, 30),
        ],
        problems: vec![
            problem(1, 11, "2022-07-01", "2022-07-15", Some("2022-07-20"), 14),
            problem(1, 12, "2022-08-01", "2022-08-31", Some("2022-08-10"), 7),
            problem(2, 21, "2022-09-01", "2022-09-10", None, 21),
            problem(3, 31, "2022-09-01", "2022-09-08", Some("2022-09-05"), 3),
        ],
        ratings: vec![
            rating(1, 1, "2022-07-05", 5),
            rating(1, 2, "2022-08-05", 4),
            rating(2, 3, "2022-08-06", 2),
            rating(2, 4, "2022-09-06", 3),
            rating(3, 5, "2022-09-07", 5),
            rating(3, 6, "2022-09-08", 7),
        ],
        assignments: vec![
            assignment(1, 1, "2022-08-22", Some("2022-08-20")),
            assignment(1, 2, "2022-08-29", Some("2022-09-02")),
            assignment(3, 3, "2022-09-05", Some("2022-09-05")),
        ],
    }
}

fn q3_board(method: &str) -> Board {
    let config = RankingConfig::from_json(method).unwrap();
    rank(&config, q3(), d(TODAY), &units(), &outcomes()).unwrap()
}

fn scores(s: &Standing) -> Vec<f64> {
    s.measures.iter().map(|m| m.score).collect()
}

#[test]
fn the_quarter_board_weighs_every_measure_as_configured() {
    // 发改委: 2 of 4 tasks on time → 40 × 0.5 = 20; 4 + 2 overdue days → 20 − 6 = 14;
    //   problems 14 and 7 days → 10.5, against the best 3 and worst 21: 15 × (21 − 10.5) ÷ 18 = 8.75;
    //   stars 5 and 4 → 4.5 → 15 × 3.5 ÷ 4 = 13.125 → 13.13; assignments 1 of 2 → 5. Total 60.88.
    // 自然资源局: 2 of 2 on time → 40; no overdue → 20; 21 days, the worst → 0;
    //   stars 2 and 3 → 15 × 1.5 ÷ 4 = 5.625 → 5.63; no assignment due → 0. Total 65.63.
    // 供电公司: no task due → the average of 20 and 40 = 30; overdue full 20; 3 days, the best → 15;
    //   one 5-star rating (the 7-star row is refused) → 15; 1 of 1 → 10. Total 90.
    let board = q3_board(METHOD);
    let order: Vec<(i64, u32, f64)> = board.standings.iter().map(|s| (s.unit_id, s.rank, s.total)).collect();
    assert_eq!(order, [(3, 1, 90.0), (2, 2, 65.63), (1, 3, 60.88)]);
    assert_eq!(scores(board.standing(1).unwrap()), [20.0, 14.0, 8.75, 13.13, 5.0]);
    assert_eq!(scores(board.standing(2).unwrap()), [40.0, 20.0, 0.0, 5.63, 0.0]);
    assert_eq!(scores(board.standing(3).unwrap()), [30.0, 20.0, 15.0, 15.0, 10.0]);

    let power = board.standing(3).unwrap();
    let on_time = power.measure(Measure::TaskOnTimeRate).unwrap();
    assert_eq!((on_time.raw, on_time.no_data), (None, Some(NoData::Average)));
    let land = board.standing(2).unwrap();
    let assignments = land.measure(Measure::AssignmentOnTimeRate).unwrap();
    assert_eq!((assignments.score, assignments.points_lost), (0.0, 10.0));
}

#[test]
fn a_unit_sees_which_tasks_problems_ratings_and_assignments_cost_it_points() {
    let board = q3_board(METHOD);
    let fgw = board.standing(1).unwrap();
    let on_time = fgw.measure(Measure::TaskOnTimeRate).unwrap();
    assert_eq!((on_time.raw, on_time.counted), (Some(0.5), 4));
    assert_eq!(on_time.points_lost, 20.0);
    // Worst first: task 102 finished 4 working days late, 104 still open 2 days past its deadline.
    assert_eq!(
        on_time.items,
        [
            CostItem::TaskLate {
                task_id: 102,
                title: "任务102".into(),
                deadline: d("2022-08-01"),
                finished_on: Some(d("2022-08-05")),
                overdue_working_days: 4,
            },
            CostItem::TaskLate {
                task_id: 104,
                title: "任务104".into(),
                deadline: d("2022-09-28"),
                finished_on: None,
                overdue_working_days: 2,
            },
        ]
    );
    let overdue = fgw.measure(Measure::OverdueWorkingDays).unwrap();
    assert_eq!((overdue.raw, overdue.items.len()), (Some(6.0), 2));
    let problems = fgw.measure(Measure::ProblemResolutionDays).unwrap();
    assert_eq!(problems.raw, Some(10.5));
    assert!(matches!(
        problems.items.as_slice(),
        [CostItem::ProblemLate {
            problem_id: 11,
            working_days: 14,
            ..
        }]
    ));
    assert!(fgw.measure(Measure::ServiceRating).unwrap().items.is_empty());
    assert!(matches!(
        fgw.measure(Measure::AssignmentOnTimeRate).unwrap().items.as_slice(),
        [CostItem::AssignmentLate {
            assignment_id: 2,
            closed_on: Some(_),
            ..
        }]
    ));
    let land = board.standing(2).unwrap();
    assert!(matches!(
        land.measure(Measure::ServiceRating).unwrap().items.as_slice(),
        [CostItem::LowRating {
            rating_id: 3,
            stars: 2,
            ..
        }]
    ));
    // The open problem past its deadline is late.
    assert!(matches!(
        land.measure(Measure::ProblemResolutionDays).unwrap().items.as_slice(),
        [CostItem::ProblemLate {
            problem_id: 21,
            solved_on: None,
            ..
        }]
    ));
}

#[test]
fn a_rating_of_seven_stars_is_refused_with_the_rule_and_the_rest_still_counts() {
    let board = q3_board(METHOD);
    assert_eq!(board.rejected.len(), 1);
    let r = &board.rejected[0];
    assert_eq!((r.kind, r.id, r.error.field.as_str()), ("rating", 6, "stars"));
    assert_eq!(r.error.rule.message(Lang::Zh), "必须在 1 到 5 之间");
    let power = board.standing(3).unwrap().measure(Measure::ServiceRating).unwrap();
    assert_eq!((power.raw, power.counted), (Some(5.0), 1));
}

#[test]
fn a_finish_dated_after_today_is_refused() {
    let config = RankingConfig::from_json(METHOD).unwrap();
    let mut rows = outcomes();
    rows.tasks.push(task(2, 203, "2022-09-15", Some("2022-11-01"), 0));
    let board = rank(&config, q3(), d(TODAY), &units(), &rows).unwrap();
    let r = &board.rejected[1];
    assert_eq!((r.kind, r.id, r.error.field.as_str()), ("task", 203, "finished_on"));
    assert_eq!(r.error.rule.message(Lang::En), "2022-11-01 is after today (2022-10-10)");
}

#[test]
fn which_measures_count_is_the_methods_choice() {
    // Service alone: 供电公司 15, 发改委 13.13, 自然资源局 5.63.
    let service_only = r#"{"id": "service", "name": "服务质量排名", "decimals": 2,
        "low_rating_at_most": 2,
        "measures": [{"measure": "service_rating", "weight": 15,
                      "scoring": {"kind": "scale", "low": 1, "high": 5}, "no_data": "zero"}]}"#;
    let order: Vec<i64> = q3_board(service_only).standings.iter().map(|s| s.unit_id).collect();
    assert_eq!(order, [3, 1, 2]);
    // Tasks alone, relative: 自然资源局 (rate 1.0) is best, 100; 发改委 (0.5) worst, 0; 供电公司
    // has none and scores 0.
    let tasks_only = r#"{"id": "tasks", "name": "任务排名", "decimals": 2, "low_rating_at_most": 2,
        "measures": [{"measure": "task_on_time_rate", "weight": 100,
                      "scoring": {"kind": "relative"}, "no_data": "zero"}]}"#;
    let board = q3_board(tasks_only);
    let order: Vec<(i64, u32, f64)> = board.standings.iter().map(|s| (s.unit_id, s.rank, s.total)).collect();
    // 发改委 and 供电公司 tie at 0: both second, listed by id.
    assert_eq!(order, [(2, 1, 100.0), (1, 2, 0.0), (3, 2, 0.0)]);
}

#[test]
fn a_method_that_scores_days_as_a_rate_is_refused() {
    let bad = r#"{"id": "bad", "name": "坏办法", "decimals": 2, "low_rating_at_most": 9,
        "measures": [{"measure": "overdue_working_days", "weight": 10,
                      "scoring": {"kind": "rate"}, "no_data": "full"}]}"#;
    let errs = RankingConfig::from_json(bad).unwrap_err();
    let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["low_rating_at_most", "measures[0].scoring"]);
    assert_eq!(
        errs.0[1].rule,
        Rule::Other {
            zh: "“逾期工作日”不能用这种计分方式".into(),
            en: "does not fit 'Working days overdue'".into()
        }
    );
}

#[test]
fn trends_show_how_many_places_each_unit_moved_since_the_quarter_before() {
    let config = RankingConfig::from_json(METHOD).unwrap();
    let q2 = q3().previous();
    // In Q2 only 发改委 has a task due, finished 25 working days late.
    let rows = Outcomes {
        tasks: vec![task(1, 100, "2022-05-10", Some("2022-06-15"), 25)],
        ..Outcomes::default()
    };
    let mut more_units = units();
    more_units.pop(); // 供电公司 joined the board in Q3.
    let before = rank(&config, q2, d("2022-07-05"), &more_units, &rows).unwrap();
    // Q2: 发改委 40 × 0 = 0, 20 − 25 floored at 0, no problem or rating (full 15 + 15), no
    // assignment (0) → 30. 自然资源局 has no rows: the task average (0, 发改委's), 20, 15, 15, 0 → 50.
    let q2_order: Vec<(i64, f64)> = before.standings.iter().map(|s| (s.unit_id, s.total)).collect();
    assert_eq!(q2_order, [(2, 50.0), (1, 30.0)]);
    let after = q3_board(METHOD);
    let t = trends(&[after, before]);
    let summary: Vec<(i64, Vec<Option<u32>>, Option<i64>)> = t
        .iter()
        .map(|t| {
            (
                t.unit_id,
                t.points.iter().map(|p| p.rank).collect(),
                t.points[1].rank_change,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (3, vec![None, Some(1)], None),
            (2, vec![Some(1), Some(2)], Some(-1)),
            (1, vec![Some(2), Some(3)], Some(-1)),
        ]
    );
    assert_eq!(t[0].points[0].period.label(Lang::Zh), "2022年第2季度");
}

fn project(
    id: i64,
    township: Option<i64>,
    wan: i64,
    signed: Option<&str>,
    landed: Option<&str>,
    started: Option<&str>,
) -> ProjectMilestones {
    ProjectMilestones {
        project_id: id,
        name: format!("项目{id}"),
        township_id: township,
        lead_unit_id: Some(1),
        investment: Amount::from_int(wan),
        signed_on: signed.map(d),
        landed_on: landed.map(d),
        started_on: started.map(d),
    }
}

#[test]
fn townships_shares_of_signed_landed_and_started_investment_against_their_targets() {
    let townships: Vec<RankedUnit> = [(10, "岑阳镇"), (11, "葛源镇"), (12, "姚家乡")]
        .into_iter()
        .map(|(unit_id, name)| RankedUnit {
            unit_id,
            name: name.into(),
        })
        .collect();
    let projects = vec![
        project(
            1,
            Some(10),
            50_000,
            Some("2022-07-10"),
            Some("2022-08-15"),
            Some("2022-09-01"),
        ),
        project(2, Some(10), 20_000, Some("2022-08-01"), None, None),
        // Signed last quarter, landed this one.
        project(3, Some(11), 30_000, Some("2022-06-20"), Some("2022-07-20"), None),
        // No township recorded, and a township on another board: counted in the county total.
        project(4, None, 10_000, Some("2022-09-10"), None, None),
        project(6, Some(99), 40_000, Some("2022-09-30"), None, None),
        // A negative investment is refused.
        project(5, Some(12), -1, Some("2022-08-01"), None, None),
    ];
    let targets = vec![
        ShareTarget {
            unit_id: 10,
            milestone: Milestone::Signed,
            projects: Some(4),
            investment: Some(Amount::from_int(100_000)),
        },
        ShareTarget {
            unit_id: 10,
            milestone: Milestone::Signed,
            projects: Some(9),
            investment: None,
        },
    ];
    let board = shares(q3(), Attribution::Township, &townships, &projects, &targets);
    // County, Q3: signed 1, 2, 4, 6 → 4 projects, 120 000 万元; landed 1, 3 → 80 000; started 1.
    let totals: Vec<(u32, Amount)> = board
        .totals
        .iter()
        .map(|t| (t.count.projects, t.count.investment))
        .collect();
    assert_eq!(
        totals,
        [
            (4, Amount::from_int(120_000)),
            (2, Amount::from_int(80_000)),
            (1, Amount::from_int(50_000))
        ]
    );
    assert_eq!(board.outside_board[0].count.investment, Amount::from_int(50_000));

    // 岑阳镇 signed 2 of 4 projects, 70 000 of 120 000 万元 = 7/12; its target of 4 projects and
    // 100 000 万元 is half and 70% done.
    let cenyang = &board.rows[0].milestones[0];
    assert_eq!(cenyang.count.projects, 2);
    assert_eq!(cenyang.project_share, Some(0.5));
    assert!((cenyang.investment_share.unwrap() - 7.0 / 12.0).abs() < 1e-12);
    assert_eq!(cenyang.project_completion, Some(0.5));
    assert_eq!(cenyang.investment_completion, Some(0.7));
    assert_eq!(cenyang.investment_rank, 1);
    // Landed: 50 000 of 80 000 = 0.625; started: all of it.
    assert_eq!(board.rows[0].milestones[1].investment_share, Some(0.625));
    assert_eq!(board.rows[0].milestones[2].investment_share, Some(1.0));
    // 葛源镇 landed 30 000 of 80 000 = 0.375 and signed nothing this quarter; 姚家乡 ties it on
    // signed investment (0) for second place. Neither has a target.
    let geyuan = &board.rows[1].milestones;
    assert_eq!(geyuan[1].investment_share, Some(0.375));
    assert_eq!((geyuan[0].count.projects, geyuan[0].investment_rank), (0, 2));
    assert_eq!(board.rows[2].milestones[0].investment_rank, 2);
    assert_eq!(geyuan[0].project_completion, None);

    let rejected: Vec<(&str, i64, &str)> = board
        .rejected
        .iter()
        .map(|r| (r.kind, r.id, r.error.field.as_str()))
        .collect();
    assert_eq!(rejected, [("project", 5, "investment"), ("target", 10, "milestone")]);
}

#[test]
fn the_shipped_default_method_counts_all_five_measures_and_says_it_is_a_default() {
    let m = default_method();
    let counted: Vec<Measure> = m.measures.iter().map(|x| x.measure).collect();
    assert_eq!(counted, Measure::ALL);
    let total: f64 = m.measures.iter().map(|x| x.weight).sum();
    assert_eq!(total, 100.0);
    assert!(m.notes.iter().any(|n| n.contains("DEFAULT")));
    // The hash names the method: the same text gives the same hash, any change another.
    assert_eq!(m.content_hash(), default_method().content_hash());
    let mut changed = m.clone();
    changed.measures[0].weight = 36.0;
    assert_ne!(changed.content_hash(), m.content_hash());
}
