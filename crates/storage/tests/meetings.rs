//! 调度例会 and its reminders, told once and run on SQLite and PostgreSQL: a meeting planned from
//! live data, held (its agenda freezes), its decisions recorded (an assignment becomes a problem
//! on the unit's list), its minutes issued (the robots are told), and what it left open carried
//! to the next meeting; the outbox's retries and failing robots; the units' calendar feeds.

use chainforce_domain::meeting::{DecisionForm, MeetingForm, MeetingState, Section};
use chainforce_domain::org::{RegionLevel, UnitForm, UserForm};
use chainforce_domain::problem::{ProblemForm, ProblemStatus};
use chainforce_domain::project::{ProjectForm, Stage};
use chainforce_domain::reminder::delivery::DeliveryPolicy;
use chainforce_domain::reminder::{Notice, ReminderSettings, RobotForm};
use chainforce_domain::task::TaskForm;
use chainforce_domain::validation::Rule;
use chainforce_storage::problems::{ProblemFilter, RaisedBy};
use chainforce_storage::reminders::outbox::{Attempt, OutboxStatus};
use chainforce_storage::{AuditActor, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Runs one story on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both_backends {
    ($name:ident, $story:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = chainforce_storage::testing::TestDb::sqlite().await;
                super::$story(&db.store).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(db) = chainforce_storage::testing::TestDb::postgres().await {
                    super::$story(&db.store).await;
                }
            }
        }
    };
}

fn office() -> AuditActor {
    AuditActor::user(1, "专班办公室")
}

/// A Monday, so that digests (sent on working days) go out.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

struct County {
    region: i64,
    fgw: i64,
    power: i64,
    project: i64,
    /// A task of 发改委 whose latest finish has passed: red.
    red_task: i64,
    /// A problem assigned to 供电公司 whose deadline has passed: overdue.
    late_problem: i64,
}

async fn county(store: &Store) -> County {
    let mut tx = store.begin(&AuditActor::system("test")).await.unwrap();
    let region = tx
        .create_region(None, RegionLevel::County, None, "示例县")
        .await
        .unwrap();
    let unit = |name: &str, kind: &str| {
        UnitForm {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let fgw = tx.create_unit(region, &unit("县发改委", "department")).await.unwrap();
    let power = tx.create_unit(region, &unit("县供电公司", "utility")).await.unwrap();
    let admin = UserForm {
        username: "office".into(),
        display_name: "专班办公室".into(),
        role: "admin".into(),
        password: "not used here".into(),
        ..Default::default()
    };
    assert_eq!(
        tx.create_user(region, &admin.validate(true).unwrap(), "h")
            .await
            .unwrap(),
        1
    );
    // A project whose target start has passed, so its unfinished task is red.
    let p = ProjectForm {
        name: "年产2万吨碳酸锂项目".into(),
        total_investment: "2亿元".into(),
        stage: "signed".into(),
        target_start: (today() - Duration::days(10)).to_string(),
        ..Default::default()
    };
    // Signed a year ago, long before the first meeting's period.
    let signed = [(Stage::Signed, today() - Duration::days(365), "signed_on".to_string())];
    let project = tx
        .create_project_along(region, &p.validate().unwrap(), &signed, today())
        .await
        .unwrap();
    let t = TaskForm {
        name: "项目备案".into(),
        responsible_unit_id: fgw.to_string(),
        duration_days: "1".into(),
        ..Default::default()
    };
    let red_task = tx.create_task(project, &t.validate().unwrap(), None).await.unwrap();
    let d = ProblemForm {
        title: "10kV 专线接入方案未批复".into(),
        description: String::new(),
    };
    let late_problem = tx
        .raise_problem(project, &d.validate().unwrap(), RaisedBy::default())
        .await
        .unwrap();
    tx.assign_problem(late_problem, 1, power, today() - Duration::days(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    County {
        region,
        fgw,
        power,
        project,
        red_task,
        late_problem,
    }
}

async fn add_robot(store: &Store, region: i64, unit: Option<i64>) -> i64 {
    let f = RobotForm {
        name: "专班群".into(),
        kind: "dingtalk".into(),
        unit_id: unit.map(|u| u.to_string()).unwrap_or_default(),
        webhook_url: "https://oapi.dingtalk.com/robot/send?access_token=t0k3n".into(),
        secret: format!("SEC{}", "0".repeat(63)),
        keyword: String::new(),
    };
    let mut tx = store.begin(&office()).await.unwrap();
    let id = tx
        .create_robot(region, &f.validate(ReminderSettings::built_in()).unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn plan(store: &Store, c: &County, number: i64, date: NaiveDate) -> i64 {
    let f = MeetingForm {
        number: number.to_string(),
        name: "锂产业专班调度会".into(),
        date: date.to_string(),
        chair: "县委书记".into(),
        unit_ids: vec![c.fgw.to_string(), c.power.to_string()],
        ..Default::default()
    };
    let mut tx = store.begin(&office()).await.unwrap();
    let id = tx.plan_meeting(c.region, &f.validate().unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn decide(store: &Store, meeting: i64, f: DecisionForm) -> Result<i64, StoreError> {
    let d = f.validate(today()).map_err(StoreError::Invalid)?;
    let mut tx = store.begin(&office()).await?;
    let id = tx.record_decision(meeting, &d).await?;
    tx.commit().await?;
    Ok(id)
}

async fn a_meeting_closes_the_loop_and_carries_what_is_open_to_the_next(store: &Store) {
    let c = county(store).await;
    let robot = add_robot(store, c.region, None).await;
    let first = plan(store, &c, 5, today()).await;
    let m = store.meeting(first).await.unwrap();
    assert_eq!(m.state, MeetingState::Planned);
    assert_eq!(
        m.units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["县发改委", "县供电公司"]
    );

    // Planned: the agenda is built from today's data.
    let agenda = store.agenda(&m, today()).await.unwrap();
    let red: Vec<i64> = agenda.section(Section::RedTask).map(|i| i.ref_id).collect();
    let late: Vec<i64> = agenda.section(Section::OverdueProblem).map(|i| i.ref_id).collect();
    assert_eq!((red, late), (vec![c.red_task], vec![c.late_problem]));
    assert_eq!(
        agenda.investment_summary()[0].projects,
        0,
        "no stage reached in the period"
    );

    // Held: the agenda freezes; a task that turns red afterwards is not on it.
    let mut tx = store.begin(&office()).await.unwrap();
    tx.hold_meeting(first, m.version, today()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let later = TaskForm {
        name: "用地预审".into(),
        responsible_unit_id: c.fgw.to_string(),
        duration_days: "2".into(),
        ..Default::default()
    };
    let later_red = tx
        .create_task(c.project, &later.validate().unwrap(), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let held = store.meeting(first).await.unwrap();
    let frozen = store.agenda(&held, today()).await.unwrap();
    assert_eq!(frozen, agenda, "the held meeting keeps the agenda it had");

    // Decisions: a plain one and an assignment that becomes a problem on 供电公司's list.
    decide(
        store,
        first,
        DecisionForm {
            text: "加快推进锂电新材料产业园建设".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let deadline = today() + Duration::days(14);
    decide(
        store,
        first,
        DecisionForm {
            text: "县供电公司完成10kV专线接入方案批复".into(),
            unit_id: c.power.to_string(),
            deadline: deadline.to_string(),
            project_id: c.project.to_string(),
        },
    )
    .await
    .unwrap();
    let decisions = store.decisions(first).await.unwrap();
    assert_eq!(decisions.iter().map(|d| d.position).collect::<Vec<_>>(), [1, 2]);
    let assignment = decisions[1].problem_id.expect("the assignment became a problem");
    let p = store.problem(assignment).await.unwrap();
    assert_eq!(
        (p.status, p.assigned_unit_id, p.deadline),
        (ProblemStatus::Assigned, Some(c.power), Some(deadline))
    );
    assert!(p.title.starts_with("第5次调度会交办："), "{}", p.title);
    let power_list = store
        .problems(
            c.region,
            &ProblemFilter {
                unit_id: Some(c.power),
                open_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(power_list.iter().any(|p| p.id == assignment));
    assert_eq!(store.assignment_origin(assignment).await.unwrap(), Some((first, 5)));

    // Minutes issued: the robot is told, and the decisions freeze.
    let held = store.meeting(first).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.issue_minutes(first, held.version).await.unwrap();
    tx.commit().await.unwrap();
    let kinds: Vec<String> = store
        .outbox(c.region, None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.robot_id == robot)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["minutes_issued", "problem_assigned"], "newest first");
    let refused = decide(
        store,
        first,
        DecisionForm {
            text: "补充事项".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.0[0].field == "state"));

    // The next meeting carries the red task, the overdue problem and the assignment, once each.
    let second = plan(store, &c, 6, today()).await;
    let next = store
        .agenda(&store.meeting(second).await.unwrap(), today())
        .await
        .unwrap();
    let mut carried: Vec<(i64, i64)> = next.section(Section::Carried).map(|i| (i.ref_id, i.carried)).collect();
    carried.sort_unstable();
    let mut expected = vec![(c.red_task, 1), (c.late_problem, 1), (assignment, 1)];
    expected.sort_unstable();
    assert_eq!(carried, expected);
    let new_red: Vec<i64> = next.section(Section::RedTask).map(|i| i.ref_id).collect();
    assert_eq!(
        new_red,
        [later_red],
        "the task that turned red after the 5th meeting is new on the 6th"
    );
}
on_both_backends!(
    meeting_loop,
    a_meeting_closes_the_loop_and_carries_what_is_open_to_the_next
);

async fn bad_meeting_input_is_refused_naming_the_field(store: &Store) {
    let c = county(store).await;
    let first = plan(store, &c, 5, today()).await;
    let invalid_field = |r: Result<i64, StoreError>| match r {
        Err(StoreError::Invalid(e)) => (e.0[0].field.clone(), e.0[0].rule.clone()),
        other => panic!("expected invalid input, got {other:?}"),
    };
    let attempt = |number: &str, date: NaiveDate, units: Vec<String>| {
        let store = store.clone();
        let f = MeetingForm {
            number: number.into(),
            name: "调度会".into(),
            date: date.to_string(),
            chair: "县长".into(),
            unit_ids: units,
            ..Default::default()
        };
        async move {
            let mut tx = store.begin(&office()).await?;
            tx.plan_meeting(c.region, &f.validate().map_err(StoreError::Invalid)?)
                .await
        }
    };
    let fgw = vec![c.fgw.to_string()];
    assert_eq!(
        invalid_field(attempt("5", today(), fgw.clone()).await),
        ("number".into(), Rule::Duplicate)
    );
    assert_eq!(
        invalid_field(attempt("6", today(), vec!["999999".into()]).await).0,
        "unit_ids"
    );
    let (field, rule) = invalid_field(attempt("6", today() - Duration::days(7), fgw.clone()).await);
    assert_eq!(field, "date");
    assert!(rule.message(chainforce_domain::validation::Lang::Zh).contains("第5次"));
    // Decisions wait until the meeting is held; issuing minutes needs a decision.
    let r = decide(
        store,
        first,
        DecisionForm {
            text: "x".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(invalid_field(r).0, "state");
    let m = store.meeting(first).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.hold_meeting(first, m.version, today()).await.unwrap();
    tx.commit().await.unwrap();
    let r = decide(
        store,
        first,
        DecisionForm {
            text: "交办到不存在的项目".into(),
            unit_id: c.fgw.to_string(),
            deadline: today().to_string(),
            project_id: "999999".into(),
        },
    )
    .await;
    assert_eq!(invalid_field(r).0, "project_id");
    let m = store.meeting(first).await.unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    match tx.issue_minutes(first, m.version).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "decisions"),
        other => panic!("minutes without decisions must be refused: {other:?}"),
    }
    drop(tx);
    assert!(
        store.problems(c.region, &ProblemFilter::default()).await.unwrap().len() == 1,
        "nothing half-written"
    );
}
on_both_backends!(bad_meeting_input, bad_meeting_input_is_refused_naming_the_field);

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
}

async fn a_failing_message_is_retried_later_kept_when_it_fails_and_its_robot_reported(store: &Store) {
    let c = county(store).await;
    let robot = add_robot(store, c.region, Some(c.fgw)).await;
    let mut tx = store.begin(&office()).await.unwrap();
    let n = tx
        .enqueue_notice(
            c.region,
            &chainforce_domain::reminder::Audience::Robot(robot),
            &Notice::Test {
                robot_name: "专班群".into(),
            },
            None,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(n, 1);
    let policy = DeliveryPolicy {
        failing_after: 3,
        ..DeliveryPolicy::from_settings(ReminderSettings::built_in())
    };
    // The message was queued "now" (wall clock); look for it from a moment well after.
    let due = store.due_messages(Utc::now() + Duration::seconds(1), 10).await.unwrap();
    let (msg, r) = due.into_iter().find(|(m, _)| m.robot_id == robot).unwrap();
    assert_eq!(r.secret.as_deref().map(|s| s.len()), Some(66));
    let failed = Attempt::Failed("errcode 310000: sign not match".into());
    let rec = store.record_attempt(&msg, at(0), &failed, &policy).await.unwrap();
    assert_eq!(rec.status, OutboxStatus::Pending);
    let entry = &store.outbox(c.region, None, 10).await.unwrap()[0];
    assert_eq!(entry.last_error.as_deref(), Some("errcode 310000: sign not match"));
    let wait = policy.backoff[0];
    assert!(
        store
            .due_messages(at(0) + wait - Duration::seconds(1), 10)
            .await
            .unwrap()
            .is_empty(),
        "not before the backoff"
    );
    let (msg, _) = store.due_messages(at(0) + wait, 10).await.unwrap().pop().unwrap();
    assert_eq!(msg.attempts, 1);
    assert_eq!(store.attempt_times(robot, at(-1)).await.unwrap(), [at(0)]);

    // Two more failures: the robot is reported failing and no longer tried.
    store.record_attempt(&msg, at(100), &failed, &policy).await.unwrap();
    let msg = store.outbox(c.region, None, 10).await.unwrap().remove(0);
    let rec = store.record_attempt(&msg, at(1000), &failed, &policy).await.unwrap();
    assert!(rec.robot_now_failing);
    assert!(store.robot(robot).await.unwrap().failing_since.is_some());
    assert!(store.due_messages(at(100_000), 10).await.unwrap().is_empty());
    let mut tx = store.begin(&office()).await.unwrap();
    tx.resume_robot(robot).await.unwrap();
    tx.commit().await.unwrap();

    // Retries run out: the message is kept as failed, and the office can send it again.
    let mut msg = store.due_messages(at(100_000), 10).await.unwrap().pop().unwrap().0;
    let mut t = 100_000;
    loop {
        let rec = store.record_attempt(&msg, at(t), &failed, &policy).await.unwrap();
        if rec.status == OutboxStatus::Failed {
            break;
        }
        t += 100_000;
        msg = store.outbox(c.region, None, 10).await.unwrap().remove(0);
        assert!((msg.attempts as usize) < policy.max_attempts());
    }
    let kept = store.outbox(c.region, Some(OutboxStatus::Failed), 10).await.unwrap();
    assert_eq!((kept.len(), kept[0].attempts as usize), (1, policy.max_attempts()));
    let mut tx = store.begin(&office()).await.unwrap();
    tx.resume_robot(robot).await.unwrap();
    tx.retry_message(kept[0].id).await.unwrap();
    tx.commit().await.unwrap();
    let (msg, _) = store
        .due_messages(Utc::now() + Duration::seconds(1), 10)
        .await
        .unwrap()
        .pop()
        .unwrap();
    store
        .record_attempt(&msg, Utc::now(), &Attempt::Delivered, &policy)
        .await
        .unwrap();
    let sent = store.outbox(c.region, Some(OutboxStatus::Sent), 10).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(store.robot(robot).await.unwrap().consecutive_failures, 0);
}
on_both_backends!(
    outbox_retries,
    a_failing_message_is_retried_later_kept_when_it_fails_and_its_robot_reported
);

async fn the_daily_digest_goes_out_once_a_day_to_units_with_something_due(store: &Store) {
    let c = county(store).await;
    let county_robot = add_robot(store, c.region, None).await;
    assert_eq!(
        store.enqueue_daily_digests(c.region, today()).await.unwrap(),
        2,
        "发改委 and 供电公司"
    );
    assert_eq!(
        store.enqueue_daily_digests(c.region, today()).await.unwrap(),
        0,
        "once a day"
    );
    // A Saturday: no digest.
    assert_eq!(
        store
            .enqueue_daily_digests(c.region, today() + Duration::days(5))
            .await
            .unwrap(),
        0
    );
    let digests = store.outbox(c.region, None, 10).await.unwrap();
    assert!(digests.iter().all(|e| e.robot_id == county_robot && e.kind == "digest"));
    let power = digests
        .iter()
        .find_map(|e| match &e.notice {
            Notice::Digest { unit_name, overdue, .. } if unit_name == "县供电公司" => Some(overdue.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(power[0].title, "10kV 专线接入方案未批复");
    assert_eq!(power[0].days_overdue, 3);
}
on_both_backends!(
    daily_digest,
    the_daily_digest_goes_out_once_a_day_to_units_with_something_due
);

async fn a_units_calendar_feed_works_until_revoked(store: &Store) {
    let c = county(store).await;
    plan(store, &c, 1, today() + Duration::days(3)).await;
    let mut tx = store.begin(&office()).await.unwrap();
    tx.issue_feed(c.region, c.fgw, "hash-1").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.feed_unit("hash-1").await.unwrap(), Some(c.fgw));
    let cal = store.unit_calendar(c.fgw, today()).await.unwrap();
    assert_eq!(
        cal.deadlines.iter().map(|d| d.key.clone()).collect::<Vec<_>>(),
        [format!("task-{}", c.red_task)]
    );
    assert_eq!(cal.meetings.len(), 1);
    // Re-issuing replaces the URL; revoking ends it.
    let mut tx = store.begin(&office()).await.unwrap();
    tx.issue_feed(c.region, c.fgw, "hash-2").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.feed_unit("hash-1").await.unwrap(), None);
    let mut tx = store.begin(&office()).await.unwrap();
    tx.revoke_feed(c.region, c.fgw).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.feed_unit("hash-2").await.unwrap(), None);
    let feeds = store.feeds(c.region).await.unwrap();
    assert!(feeds.iter().all(|f| f.issued_at.is_none()));
}
on_both_backends!(calendar_feeds, a_units_calendar_feed_works_until_revoked);
