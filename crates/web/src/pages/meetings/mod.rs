//! 调度例会 pages: the list, planning and editing a meeting ([`self`]), a meeting's page with its
//! agenda, decisions and steps ([`show`]), and its minutes as .docx and for print ([`minutes`]).

mod minutes;
mod show;

use super::forms::{Opt, options};
use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::meeting::{MeetingForm, MeetingSettings};
use chainforce_domain::permission::Action;
use chainforce_storage::meetings::Meeting;

/// A meeting of the user's county that they may read.
pub(crate) async fn readable(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Meeting> {
    ctx.require(Action::ReadCounty)?;
    let m = state.store().meeting(id).await?;
    if m.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(m)
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    chrome: Chrome,
    meetings: Vec<Meeting>,
    can_run: bool,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    render(&ListPage {
        chrome: Chrome::new(&ctx, "meetings", ctx.t().s("nav.meetings")),
        meetings: state.store().meetings(ctx.region_id).await?,
        can_run: ctx.can(Action::RunMeeting),
    })
}

#[derive(Template)]
#[template(path = "meeting_form.html")]
struct FormPage {
    chrome: Chrome,
    f: MeetingForm,
    errors: FormErrors,
    action: String,
    version: i64,
    units: Vec<Opt>,
}

impl FormPage {
    fn ticked(&self, value: &str) -> bool {
        self.f.unit_ids.iter().any(|u| u == value)
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    f: MeetingForm,
    errors: FormErrors,
    meeting: Option<(i64, i64)>,
) -> AppResult<FormPage> {
    let t = ctx.t();
    let units = state
        .store()
        .units(ctx.region_id)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| {
            (
                u.id.to_string(),
                chainforce_domain::org::unit_display(&u.name, u.kind, t.lang),
            )
        });
    let (action, version) = match meeting {
        Some((id, v)) => (format!("/meetings/{id}"), v),
        None => ("/meetings".to_string(), 0),
    };
    Ok(FormPage {
        chrome: Chrome::new(
            ctx,
            "meetings",
            t.s(if meeting.is_some() {
                "meeting.edit"
            } else {
                "meeting.new"
            }),
        ),
        units: options(units, "", None),
        f,
        errors,
        action,
        version,
    })
}

/// The form's fields: `unit_ids` repeats once per ticked unit, so the body is read as pairs.
fn submitted(pairs: Vec<(String, String)>) -> (MeetingForm, i64) {
    let mut f = MeetingForm::default();
    let mut version = 0;
    for (k, v) in pairs {
        match k.as_str() {
            "number" => f.number = v,
            "name" => f.name = v,
            "date" => f.date = v,
            "start_time" => f.start_time = v,
            "venue" => f.venue = v,
            "chair" => f.chair = v,
            "other_attendees" => f.other_attendees = v,
            "unit_ids" => f.unit_ids.push(v),
            "version" => version = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    (f, version)
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::RunMeeting)?;
    let f = MeetingForm {
        number: state.store().next_meeting_number(ctx.region_id).await?.to_string(),
        name: MeetingSettings::built_in().default_title.clone(),
        date: chainforce_storage::clock::today().to_string(),
        ..Default::default()
    };
    render(&form_page(&state, &ctx, f, FormErrors::none(), None).await?)
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require(Action::RunMeeting)?;
    let (f, _) = submitted(pairs);
    let result = async {
        let d = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let id = tx.plan_meeting(ctx.region_id, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/meetings/{id}"))),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::new(e, ctx.t());
            render_invalid(&form_page(&state, &ctx, f, errors, None).await?)
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let m = readable(&state, &ctx, id).await?;
    ctx.require(Action::RunMeeting)?;
    render(
        &form_page(
            &state,
            &ctx,
            m.draft.to_form(),
            FormErrors::none(),
            Some((id, m.version)),
        )
        .await?,
    )
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    readable(&state, &ctx, id).await?;
    ctx.require(Action::RunMeeting)?;
    let (f, version) = submitted(pairs);
    let result = async {
        let d = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.update_meeting(id, version, &d).await?;
        tx.commit().await?;
        Ok::<_, AppError>(d)
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/meetings/{id}"))),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::new(e, ctx.t());
            render_invalid(&form_page(&state, &ctx, f, errors, Some((id, version))).await?)
        }
        Err(e) => or_conflict_page(&ctx, e, &f, &format!("/meetings/{id}/edit")),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    let t = t
        .get("/meetings", Access::CountyReaders, list)
        .get("/meetings/new", Access::Office, new_form)
        .post("/meetings", Access::Office, create)
        .get("/meetings/{id}/edit", Access::Office, edit_form)
        .post("/meetings/{id}", Access::Office, update);
    let t = show::routes(t);
    minutes::routes(t)
}
