//! A meeting's page: its details, its agenda (live while planned, frozen once held), its
//! decisions, and the office's steps — hold it, record decisions, issue the minutes.

use super::readable;
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::pages::forms::{Opt, References, options};
use crate::pages::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other, wan};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::meeting::agenda::InvestmentLine;
use chainforce_domain::meeting::{Agenda, AgendaItem, DecisionForm, ItemKind, MeetingState, Section};
use chainforce_domain::permission::Action;
use chainforce_storage::meetings::{Decision, Meeting};
use chainforce_storage::projects::ProjectFilter;
use serde::Deserialize;

/// An agenda line as the page shows it.
pub(crate) struct AgendaRow {
    pub item: AgendaItem,
    pub state_label: &'static str,
    pub link: String,
    pub investment: String,
    /// How late, in the item's unit: working days for a task, days for a problem.
    pub late: String,
}

pub(crate) struct AgendaSection {
    pub code: &'static str,
    pub title: &'static str,
    pub rows: Vec<AgendaRow>,
}

pub(crate) fn agenda_sections(agenda: &Agenda, t: Tr) -> Vec<AgendaSection> {
    Section::ALL
        .iter()
        .map(|s| AgendaSection {
            code: s.code(),
            title: s.label(t.lang),
            rows: agenda
                .section(*s)
                .map(|i| AgendaRow {
                    state_label: i.state_label(t.lang),
                    link: match i.kind {
                        ItemKind::Task => format!("/tasks/{}", i.ref_id),
                        ItemKind::Problem => format!("/problems/{}", i.ref_id),
                        ItemKind::Project => format!("/projects/{}", i.ref_id),
                        ItemKind::Commitment => format!("/resources/commitments#c-{}", i.ref_id),
                    },
                    investment: wan(i.investment),
                    late: match (i.days_overdue, i.kind) {
                        (0, _) => String::new(),
                        (n, ItemKind::Task) => format!("{n}{}", t.s("unit.wd")),
                        (n, _) => format!("{n}{}", t.s("unit.days")),
                    },
                    item: i.clone(),
                })
                .collect(),
        })
        .collect()
}

pub(crate) struct InvestmentRow {
    pub stage: &'static str,
    pub projects: i64,
    pub investment: String,
}

fn investment_rows(lines: Vec<InvestmentLine>, t: Tr) -> Vec<InvestmentRow> {
    lines
        .into_iter()
        .map(|l| InvestmentRow {
            stage: l.stage.label(t.lang),
            projects: l.projects,
            investment: wan(Some(l.investment)),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    m: Meeting,
    live: bool,
    sections: Vec<AgendaSection>,
    investment: Vec<InvestmentRow>,
    decisions: Vec<Decision>,
    can_edit: bool,
    can_hold: bool,
    can_decide: bool,
    can_issue: bool,
    has_minutes: bool,
    units: Vec<Opt>,
    projects: Vec<Opt>,
    d: DecisionForm,
    errors: FormErrors,
}

async fn meeting_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    d: DecisionForm,
    errors: FormErrors,
) -> AppResult<MeetingPage> {
    let m = readable(state, ctx, id).await?;
    let t = ctx.t();
    let agenda = state.store().agenda(&m, chainforce_storage::clock::today()).await?;
    let decisions = state.store().decisions(id).await?;
    let runs = ctx.can(Action::RunMeeting);
    let (units, projects) = if runs && m.state == MeetingState::Held {
        let refs = References::load(state, ctx.region_id, t).await?;
        let projects = state
            .store()
            .projects(ctx.region_id, &ProjectFilter::default())
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), p.draft.name));
        (
            options(refs.units, &d.unit_id, Some(t.s("meeting.no_assignment"))),
            options(projects, &d.project_id, Some(t.s("filter.none"))),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(MeetingPage {
        chrome: Chrome::new(ctx, "meetings", format!("{} · {}", t.s("nav.meetings"), m.draft.number)),
        live: m.state.agenda_is_live(),
        sections: agenda_sections(&agenda, t),
        investment: investment_rows(agenda.investment_summary(), t),
        can_edit: runs && m.state != MeetingState::MinutesIssued,
        can_hold: runs && m.state == MeetingState::Planned,
        can_decide: runs && m.state == MeetingState::Held,
        can_issue: runs && m.state == MeetingState::Held,
        has_minutes: m.state != MeetingState::Planned,
        decisions,
        units,
        projects,
        m,
        d,
        errors,
    })
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&meeting_page(&state, &ctx, id, DecisionForm::default(), FormErrors::none()).await?)
}

/// Shows the meeting again with the errors of a step (422), or passes other errors on.
async fn step_failed(state: &AppState, ctx: &Ctx, id: i64, d: DecisionForm, e: AppError) -> AppResult<Response> {
    match e {
        AppError::Invalid(errs) => {
            render_invalid(&meeting_page(state, ctx, id, d, FormErrors::new(errs, ctx.t())).await?)
        }
        other => Err(other),
    }
}

#[derive(Deserialize, serde::Serialize)]
struct VersionForm {
    version: i64,
}

async fn hold(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<VersionForm>,
) -> AppResult<Response> {
    readable(&state, &ctx, id).await?;
    ctx.require(Action::RunMeeting)?;
    let result = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.hold_meeting(id, v.version, chainforce_storage::clock::today())
            .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/meetings/{id}"))),
        Err(e @ AppError::Conflict { .. }) => or_conflict_page(&ctx, e, &v, &format!("/meetings/{id}")),
        Err(e) => step_failed(&state, &ctx, id, DecisionForm::default(), e).await,
    }
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    readable(&state, &ctx, id).await?;
    ctx.require(Action::RunMeeting)?;
    let result = async {
        let d = f.validate(chainforce_storage::clock::today())?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.record_decision(id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/meetings/{id}#decisions"))),
        Err(e) => step_failed(&state, &ctx, id, f, e).await,
    }
}

async fn issue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<VersionForm>,
) -> AppResult<Response> {
    readable(&state, &ctx, id).await?;
    ctx.require(Action::RunMeeting)?;
    let result = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.issue_minutes(id, v.version).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/meetings/{id}"))),
        Err(e @ AppError::Conflict { .. }) => or_conflict_page(&ctx, e, &v, &format!("/meetings/{id}")),
        Err(e) => step_failed(&state, &ctx, id, DecisionForm::default(), e).await,
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/meetings/{id}", Access::CountyReaders, show)
        .post("/meetings/{id}/hold", Access::Office, hold)
        .post("/meetings/{id}/decisions", Access::Office, decide)
        .post("/meetings/{id}/issue", Access::Office, issue)
}
