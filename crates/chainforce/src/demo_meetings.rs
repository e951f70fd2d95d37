//! `serve --demo`, continued: the task force's 调度例会 (示例数据) from `data/demo/meetings.json`
//! — two past meetings held with their decisions and assignments (one closed, the others open
//! and carried), the next one planned with its live agenda, two group robots whose queued
//! messages fill the outbox (the demo sends nothing), and 发改委's calendar feed.

use anyhow::{Context, Result, anyhow};
use chainforce_domain::meeting::{DecisionForm, MeetingForm};
use chainforce_domain::reminder::{ReminderSettings, RobotForm};
use chainforce_storage::projects::ProjectFilter;
use chainforce_storage::{AuditActor, Store};
use chrono::Duration;
use serde::Deserialize;

const MEETINGS: &str = include_str!("../../../data/demo/meetings.json");

#[derive(Deserialize)]
struct Spec {
    title: String,
    venue: String,
    start_time: String,
    meetings: Vec<MeetingSpec>,
    robots: Vec<RobotSpec>,
    feed_unit: String,
}

#[derive(Deserialize)]
struct MeetingSpec {
    number: i64,
    days_from_today: i64,
    chair: String,
    units: Vec<String>,
    decisions: Vec<DecisionSpec>,
}

#[derive(Deserialize)]
struct DecisionSpec {
    text: String,
    unit: Option<String>,
    /// The project's name in `data/demo/county.json`.
    project: Option<String>,
    /// The deadline, in days after the meeting.
    due_in_days: Option<i64>,
    /// The unit answered and the office confirmed it done.
    #[serde(default)]
    solved: bool,
}

#[derive(Deserialize)]
struct RobotSpec {
    name: String,
    kind: String,
    unit: Option<String>,
    webhook_url: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    keyword: String,
}

/// Loads the meetings into the demo county; returns the token of 发改委's calendar feed (its
/// URL is printed with the accounts).
pub async fn load(store: &Store, region: i64) -> Result<String> {
    let spec: Spec = serde_json::from_str(MEETINGS).context("data/demo/meetings.json")?;
    let today = chainforce_storage::clock::today();
    let office = AuditActor::system("demo");
    let units = store.units(region).await?;
    let unit_id = |name: &str| {
        units
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.id)
            .ok_or_else(|| anyhow!("demo meetings name an unknown unit {name}"))
    };
    let projects = store.projects(region, &ProjectFilter::default()).await?;

    let mut tx = store.begin(&office).await?;
    for r in &spec.robots {
        let form = RobotForm {
            name: r.name.clone(),
            kind: r.kind.clone(),
            unit_id: match &r.unit {
                Some(u) => unit_id(u)?.to_string(),
                None => String::new(),
            },
            webhook_url: r.webhook_url.clone(),
            secret: r.secret.clone(),
            keyword: r.keyword.clone(),
        };
        let d = form
            .validate(ReminderSettings::built_in())
            .map_err(|e| anyhow!("demo robot {}: {e}", r.name))?;
        tx.create_robot(region, &d).await?;
    }
    tx.commit().await?;

    for m in &spec.meetings {
        let date = today + Duration::days(m.days_from_today);
        let form = MeetingForm {
            number: m.number.to_string(),
            name: spec.title.clone(),
            date: date.to_string(),
            start_time: spec.start_time.clone(),
            venue: spec.venue.clone(),
            chair: m.chair.clone(),
            other_attendees: String::new(),
            unit_ids: m
                .units
                .iter()
                .map(|u| unit_id(u).map(|id| id.to_string()))
                .collect::<Result<_>>()?,
        };
        let d = form.validate().map_err(|e| anyhow!("demo meeting {}: {e}", m.number))?;
        let mut tx = store.begin(&office).await?;
        let id = tx.plan_meeting(region, &d).await?;
        tx.commit().await?;
        if m.days_from_today >= 0 {
            continue;
        }
        let mut tx = store.begin(&office).await?;
        tx.hold_meeting(id, 1, today).await?;
        for dspec in &m.decisions {
            let form = DecisionForm {
                text: dspec.text.clone(),
                unit_id: match &dspec.unit {
                    Some(u) => unit_id(u)?.to_string(),
                    None => String::new(),
                },
                deadline: dspec
                    .due_in_days
                    .map(|n| (date + Duration::days(n)).to_string())
                    .unwrap_or_default(),
                project_id: match &dspec.project {
                    Some(name) => projects
                        .iter()
                        .find(|p| &p.draft.name == name)
                        .with_context(|| format!("demo meetings name an unknown project {name}"))?
                        .id
                        .to_string(),
                    None => String::new(),
                },
            };
            // A past meeting's deadlines were in the future on the day it met.
            let d = form.validate(date).map_err(|e| anyhow!("demo decision: {e}"))?;
            let decision = tx.record_decision(id, &d).await?;
            if dspec.solved {
                close_assignment(&mut tx, decision).await?;
            }
        }
        tx.issue_minutes(id, 2).await?;
        tx.commit().await?;
    }

    store.enqueue_daily_digests(region, today).await?;
    let token = chainforce_web::auth::random_token();
    let mut tx = store.begin(&office).await?;
    tx.issue_feed(
        region,
        unit_id(&spec.feed_unit)?,
        &chainforce_web::auth::token_hash(&token),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The unit answers the assignment and the office confirms it done (销号).
async fn close_assignment(tx: &mut chainforce_storage::WriteTx, decision: i64) -> Result<()> {
    let problem = tx
        .decision_problem(decision)
        .await?
        .context("an assignment has its problem")?;
    tx.answer_problem(problem, 2, "已完成规划条件核定，报告已报专班办公室（示例）")
        .await?;
    tx.confirm_problem(problem, 3, 5, Some("按期办结（示例）")).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_meetings_file_parses_and_names_the_demo_countys_units_and_projects() {
        let spec: super::Spec = serde_json::from_str(super::MEETINGS).unwrap();
        let county: serde_json::Value = serde_json::from_str(include_str!("../../../data/demo/county.json")).unwrap();
        let named = |list: &str, name: &str| county[list].as_array().unwrap().iter().any(|v| v["name"] == name);
        for m in &spec.meetings {
            assert!(m.units.iter().all(|u| named("units", u)), "meeting {}", m.number);
            for d in &m.decisions {
                assert!(d.unit.as_deref().is_none_or(|u| named("units", u)));
                assert!(d.project.as_deref().is_none_or(|p| named("projects", p)));
            }
        }
        assert!(named("units", &spec.feed_unit));
    }
}
