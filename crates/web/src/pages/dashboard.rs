//! 总览: the dashboard.

use super::{Chrome, render, wan};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chainforce_domain::permission::Action;
use chainforce_domain::status::Status;
use chainforce_storage::clock;
use chainforce_storage::dashboard::Overview;
use chainforce_storage::tasks::{Task, TaskFilter};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    o: Overview,
    bars: Vec<Bar>,
    /// The most overdue tasks first, at most [`DASHBOARD_ROWS`] unless the whole list was asked for.
    overdue: Vec<Task>,
    overdue_total: usize,
    due_this_week: Vec<Task>,
    due_total: usize,
    today: chrono::NaiveDate,
    /// 好资源配给好东家: commitments given for ore that have fallen behind.
    resource_alerts: usize,
}

/// How many rows each of the dashboard's task lists shows before "show all": the page is the
/// county's front door, opened by everyone many times a day, and at county scale the overdue
/// list alone can run to hundreds of rows (every one of them is on the unit desks and the map).
const DASHBOARD_ROWS: usize = 30;

#[derive(Deserialize)]
struct DashboardQuery {
    /// `1` lists every overdue and due task instead of the first [`DASHBOARD_ROWS`].
    #[serde(default)]
    all: String,
}

/// One bar of the projects-per-stage chart (SVG coordinates computed here, not in the template).
struct Bar {
    label: &'static str,
    count: i64,
    investment: String,
    y: i64,
    width: i64,
}

impl DashboardPage {
    fn signed(&self) -> String {
        wan(Some(self.o.signed_investment))
    }
    fn landed(&self) -> String {
        wan(Some(self.o.landed_investment))
    }
    fn started(&self) -> String {
        wan(Some(self.o.started_investment))
    }
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DashboardQuery>) -> AppResult<Response> {
    let user = ctx.user()?;
    if ctx.can(Action::ReviewApplication { assigned: true }) {
        // Experts see only what they are asked to review.
        return Ok(Redirect::to("/resources/reviews").into_response());
    }
    if !ctx.can(Action::ReadCounty) {
        // Enterprise users have no county overview: their home is their projects.
        return Ok(Redirect::to("/projects").into_response());
    }
    let t = ctx.t();
    let o = state.store().overview(user.region_id).await?;
    let max = o.per_stage.iter().map(|s| s.projects).max().unwrap_or(0).max(1);
    let bars = o
        .per_stage
        .iter()
        .enumerate()
        .map(|(i, s)| Bar {
            label: s.stage.map(|st| st.label(t.lang)).unwrap_or(""),
            count: s.projects,
            investment: wan(Some(s.investment)),
            y: i as i64 * 28,
            width: s.projects * 460 / max,
        })
        .collect();
    let today = clock::today();
    let week_end = clock::end_of_week(today);
    let region = state.store().region(user.region_id).await?;
    let cal = state.store().calendar(user.region_id).await?;
    let rows = if q.all == "1" { usize::MAX } else { DASHBOARD_ROWS };
    let due = TaskFilter {
        open_only: true,
        active_projects_only: true,
        due_by: Some(week_end),
        ..Default::default()
    };
    // Sorted and cut from the board's tasks where they lie; only the rows shown are copied.
    let (overdue, overdue_total, due_this_week, due_total) = state
        .store()
        .with_tasks(user.region_id, &due, |tasks| {
            let key = |t: &Task| t.schedule.late_finish.or(t.deadline);
            let (mut overdue, mut due_this_week) = (Vec::new(), Vec::new());
            for t in tasks {
                if t.status(today, region.yellow_float_days, &cal).status == Status::Red {
                    overdue.push(t);
                } else if key(t).is_some_and(|d| d >= today && d <= week_end) {
                    due_this_week.push(t);
                }
            }
            let (overdue_total, due_total) = (overdue.len(), due_this_week.len());
            let first = |mut list: Vec<&Task>| -> Vec<Task> {
                list.sort_by_key(|t| key(t));
                list.into_iter().take(rows).cloned().collect()
            };
            (first(overdue), overdue_total, first(due_this_week), due_total)
        })
        .await?;
    let resource_alerts = if ctx.can(Action::ReadResources) {
        state.store().commitment_alerts(user.region_id, today).await?.len()
    } else {
        0
    };
    let page = DashboardPage {
        chrome: Chrome::new(&ctx, "dashboard", t.s("nav.dashboard")),
        o,
        bars,
        overdue,
        overdue_total,
        due_this_week,
        due_total,
        today,
        resource_alerts,
    };
    render(&page)
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/", Access::SignedIn, dashboard)
}
