//! `chainforce schedule` and `chainforce calendar` as an office clerk runs them: a plan in a CSV
//! file, the dates on stdout, problems on stderr with a non-zero exit code.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Writes `content` to a file named after the test, in cargo's scratch directory for tests.
fn file(name: &str, content: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn chainforce(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainforce"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const HEADER: &str = "id,early_start,early_finish,late_start,late_finish,total_float,critical";

#[test]
fn a_backward_plan_lands_groundbreaking_on_the_target_day() {
    let plan = file(
        "backward.csv",
        "id,name,duration,predecessors\n\
         filing,\"项目备案, 赋码\",1,\n\
         permit,施工许可,5,filing\n\
         power,供电接入,3,filingSS+1\n\
         start,开工,0,permit; power\n",
    );
    let o = chainforce(&[
        "schedule",
        plan.to_str().unwrap(),
        "--backward",
        "--target",
        "2026-06-30",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Tue 06-30 back: permit Wed 06-24 … Tue 06-30, filing Tue 06-23; power may wait until
    // Fri 06-26 … Tue 06-30 and starts at the earliest a working day after filing.
    assert_eq!(
        stdout(&o),
        format!(
            "{HEADER}\n\
             filing,2026-06-23,2026-06-23,2026-06-23,2026-06-23,0,true\n\
             permit,2026-06-24,2026-06-30,2026-06-24,2026-06-30,0,true\n\
             power,2026-06-24,2026-06-26,2026-06-26,2026-06-30,2,false\n\
             start,2026-06-30,2026-06-30,2026-06-30,2026-06-30,0,true\n"
        )
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_forward_plan_over_national_day_2026_skips_the_holiday_and_works_the_saturday() {
    // Off 10-01 … 10-07, Sat 10-10 is 补班.
    let plan = file("forward.csv", "id,duration,predecessors\na,2,\nb,3,aFS+1\nc,2,bFF-1\n");
    let o = chainforce(&["schedule", plan.to_str().unwrap(), "--forward", "--start", "2026-09-29"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "{HEADER}\n\
             a,2026-09-29,2026-09-30,2026-09-29,2026-09-30,0,true\n\
             b,2026-10-09,2026-10-12,2026-10-09,2026-10-12,0,true\n\
             c,2026-10-09,2026-10-10,2026-10-10,2026-10-12,1,false\n"
        )
    );
}

#[test]
fn a_dependency_cycle_is_refused_with_the_tasks_in_it() {
    let plan = file("cycle.csv", "id,duration,predecessors\nok,1,\na,1,c\nb,2,a\nc,1,b\n");
    let o = chainforce(&["schedule", plan.to_str().unwrap(), "--forward", "--start", "2026-03-02"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("line 3: dependency cycle: a → b → c → a"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_bad_row_is_named_by_line_and_column() {
    let plan = file("bad.csv", "id,duration,predecessors\nt1,2,\nt2,two,t1\nt3,1,t1FS+x\n");
    let o = chainforce(&[
        "schedule",
        plan.to_str().unwrap(),
        "--backward",
        "--target",
        "2026-06-30",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("line 3, column duration: \"two\" is not a whole number of working days"),
        "{err}"
    );
    assert!(err.contains("line 4, column predecessors"), "{err}");
}

#[test]
fn an_unknown_predecessor_is_named_with_its_line() {
    let plan = file("unknown.csv", "id,duration,predecessors\nt1,2,\nt2,1,t9\n");
    let o = chainforce(&["schedule", plan.to_str().unwrap(), "--forward", "--start", "2026-03-02"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line 3: task t2: unknown predecessor t9"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unreachable_target_still_prints_the_schedule_with_negative_float_and_a_warning() {
    let plan = file("late.csv", "id,duration,predecessors\na,5,\nb,5,a\n");
    let o = chainforce(&[
        "schedule",
        plan.to_str().unwrap(),
        "--forward",
        "--start",
        "2026-03-02",
        "--target",
        "2026-03-06",
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("b,2026-03-09,2026-03-13,2026-03-02,2026-03-06,-5,true"));
    assert!(stderr(&o).contains("warning: the target cannot be met"));
}

#[test]
fn counting_working_days_back_and_forth_across_the_spring_festival() {
    let o = chainforce(&["calendar", "add", "2026-02-13", "2"]);
    assert_eq!(stdout(&o), "2026-02-24\n");
    let o = chainforce(&["calendar", "add", "2026-02-24", "-3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2026-02-12\n");
    let o = chainforce(&["calendar", "days", "2026-02-12", "2026-02-25"]);
    assert_eq!(
        stdout(&o),
        "2026-02-12\n2026-02-13\n2026-02-14\n2026-02-24\n2026-02-25\n"
    );
}

#[test]
fn a_calendar_file_replaces_the_built_in_one_and_unknown_years_are_warned_about() {
    let cal = file(
        "cal2030.json",
        r#"{"year": 2030, "days": [{"name": "元旦", "date": "2030-01-01", "isOffDay": true}]}"#,
    );
    let o = chainforce(&[
        "calendar",
        "add",
        "2029-12-31",
        "1",
        "--calendar",
        cal.to_str().unwrap(),
    ]);
    assert_eq!(stdout(&o), "2030-01-02\n");
    assert!(stderr(&o).contains("no holiday notice for 2029"));
    // Without the file, 2026-10-01 is 国庆节 …
    let o = chainforce(&["calendar", "add", "2026-09-30", "1"]);
    assert_eq!(stdout(&o), "2026-10-08\n");
    // … and with it, only weekends are off in 2026 (and a warning says so).
    let o = chainforce(&[
        "calendar",
        "add",
        "2026-09-30",
        "1",
        "--calendar",
        cal.to_str().unwrap(),
    ]);
    assert_eq!(stdout(&o), "2026-10-01\n");
    let broken = file(
        "broken.json",
        r#"{"year": 2030, "days": [{"name": "春节", "date": "2030-02-31", "isOffDay": true}]}"#,
    );
    let o = chainforce(&[
        "calendar",
        "days",
        "2030-01-01",
        "2030-01-05",
        "--calendar",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("day 1 (春节)"), "{}", stderr(&o));
}
