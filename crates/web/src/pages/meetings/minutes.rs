//! 会议纪要: the minutes as a Word file and as a page to print. Both read the same decisions; the
//! Word file is written by `chainforce_exchange::minutes`.

use super::readable;
use crate::app::AppState;
use crate::context::Ctx;
use crate::download;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::meeting::MeetingState;
use chainforce_exchange::minutes::{Minutes, MinutesAssignment, MinutesDecision};
use chainforce_storage::meetings::Meeting;

/// The minutes of a held meeting (a draft until they are issued); a planned meeting has none.
async fn minutes_of(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(Meeting, Minutes)> {
    let m = readable(state, ctx, id).await?;
    if m.state == MeetingState::Planned {
        return Err(AppError::bad_request(
            "会议尚未召开，还没有纪要",
            "the meeting has not been held yet: there are no minutes",
        ));
    }
    let region = state.store().region(m.region_id).await?;
    let decisions = state.store().decisions(id).await?;
    let minutes = Minutes {
        organiser: region.name,
        title: m.draft.title.clone(),
        number: m.draft.number,
        date: m.draft.date,
        start_time: m.draft.start_time,
        location: m.draft.location.clone(),
        chair: m.draft.chair.clone(),
        attending_units: m.units.iter().map(|u| u.name.clone()).collect(),
        other_attendees: m.draft.other_attendees.clone(),
        decisions: decisions
            .into_iter()
            .map(|d| MinutesDecision {
                assignment: match (d.unit_name, d.deadline, d.project_name) {
                    (Some(unit), Some(deadline), Some(project)) => Some(MinutesAssignment {
                        unit,
                        deadline,
                        project,
                    }),
                    _ => None,
                },
                text: d.text,
            })
            .collect(),
        draft: m.state != MeetingState::MinutesIssued,
    };
    Ok((m, minutes))
}

async fn docx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (m, minutes) = minutes_of(&state, &ctx, id).await?;
    let bytes = minutes.to_docx().map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("第{}次{}会议纪要-{}.docx", m.draft.number, m.draft.title, m.draft.date);
    download::attachment(bytes, download::DOCX, &name)
}

#[derive(Template)]
#[template(path = "minutes.html")]
struct PrintPage {
    chrome: Chrome,
    m: Meeting,
    minutes: Minutes,
}

impl PrintPage {
    fn assignments(&self) -> Vec<(usize, &MinutesDecision, &MinutesAssignment)> {
        self.minutes
            .decisions
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.assignment.as_ref().map(|a| (i + 1, d, a)))
            .collect()
    }
}

async fn print(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (m, minutes) = minutes_of(&state, &ctx, id).await?;
    render(&PrintPage {
        chrome: Chrome::new(&ctx, "meetings", minutes.heading()),
        m,
        minutes,
    })
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/meetings/{id}/minutes", Access::CountyReaders, print).get(
        "/meetings/{id}/minutes.docx",
        Access::CountyReaders,
        docx,
    )
}
