//! The project pipeline (issue 4): stage changes on a project's page, the KPI page (/pipeline),
//! monthly progress reports (月度填报) with photos, the office's list of who has not reported,
//! and attachment downloads.

use super::forms::{Opt, options};
use super::{Chrome, FormErrors, or_conflict_page, render, render_invalid, see_other, wan};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{FormLater, FormOrMultipart, Upload};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainforce_domain::Amount;
use chainforce_domain::permission::Action;
use chainforce_domain::pipeline::monthly::{self, MonthlyReportForm, month_of, month_text};
use chainforce_domain::pipeline::{
    AttachmentPolicy, CheckedFile, Cumulative, PipelineReport, StageChangeForm, cumulative, pipeline_report,
};
use chainforce_domain::project::{ProjectState, Stage};
use chainforce_domain::ranking::{Period, PeriodKind};
use chainforce_domain::validation::ValidationErrors;
use chainforce_storage::StoreError;
use chainforce_storage::pipeline::{AttachTo, Attachment, MonthlyReport, MonthlyStatus, StageChangeRecord, StoredFile};
use chainforce_storage::projects::Project;
use chrono::NaiveDate;
use serde::Deserialize;

/// Loads a project of this county the user may read.
pub(crate) async fn readable_project(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Project> {
    let p = state.store().project(id).await?;
    if p.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ReadProject {
        enterprise_id: p.draft.enterprise_id,
    })?;
    Ok(p)
}

// ---------------------------------------------------------------------------------------------
// Stage changes

/// The stage section of a project's page: the change form and the history.
pub struct StageSection {
    pub can_change: bool,
    pub can_override: bool,
    pub moves: Vec<Opt>,
    pub history: Vec<StageChangeRecord>,
    pub today: String,
    pub can_report_monthly: bool,
}

impl StageSection {
    pub async fn load(state: &AppState, ctx: &Ctx, p: &Project) -> AppResult<StageSection> {
        let t = ctx.t();
        let mut moves: Vec<(String, String)> = Stage::ALL
            .iter()
            .filter(|s| **s > p.draft.stage)
            .map(|s| (s.code().to_string(), s.label(t.lang).to_string()))
            .collect();
        match p.state {
            ProjectState::Active => {
                moves.push(("paused".into(), ProjectState::Paused.label(t.lang).into()));
                moves.push(("terminated".into(), ProjectState::Terminated.label(t.lang).into()));
            }
            ProjectState::Paused => {
                moves = vec![
                    ("active".into(), t.s("pipeline.resume").into()),
                    ("terminated".into(), ProjectState::Terminated.label(t.lang).into()),
                ];
            }
            ProjectState::Terminated => moves.clear(),
        }
        Ok(StageSection {
            can_change: ctx.can(Action::ChangeStage {
                lead_unit_id: p.draft.lead_unit_id,
            }) && !moves.is_empty(),
            can_override: ctx.can(Action::OverrideStageRule),
            moves: options(moves, "", None),
            history: state.store().stage_history(p.id).await?,
            today: chainforce_storage::clock::today().to_string(),
            can_report_monthly: ctx.can(Action::ReportMonthly {
                enterprise_id: p.draft.enterprise_id,
                lead_unit_id: p.draft.lead_unit_id,
            }),
        })
    }
}

#[derive(Deserialize)]
struct StageSubmitted {
    #[serde(flatten)]
    f: StageChangeForm,
    version: i64,
}

/// Records a stage change (the office, or the project's lead unit).
async fn change_stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: FormLater<StageSubmitted>,
) -> AppResult<Response> {
    let p = readable_project(&state, &ctx, id).await?;
    ctx.require(Action::ChangeStage {
        lead_unit_id: p.draft.lead_unit_id,
    })?;
    let s = body.value()?;
    let back = format!("/projects/{id}");
    match record_stage_change(&state, &ctx, id, s.version, &s.f).await {
        Ok(()) => Ok(see_other(&back)),
        Err(e @ AppError::Conflict { .. }) => or_conflict_page(&ctx, e, &s.f, &back),
        Err(e) => Err(e),
    }
}

/// Records a stage change through storage's one transition, which checks it by the stage rules
/// (shared with the API).
pub(crate) async fn record_stage_change(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    f: &StageChangeForm,
) -> AppResult<()> {
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.change_stage(
        id,
        version,
        f,
        ctx.can(Action::OverrideStageRule),
        chainforce_storage::clock::today(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// KPIs

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    /// month | quarter | year
    pub kind: String,
    /// Any day in the period (`YYYY-MM-DD`); today when absent.
    pub date: String,
}

impl PeriodQuery {
    pub fn period(&self) -> Period {
        let kind = PeriodKind::parse(self.kind.trim())
            .filter(|k| *k != PeriodKind::Week)
            .unwrap_or(PeriodKind::Year);
        let date = self
            .date
            .trim()
            .parse::<NaiveDate>()
            .unwrap_or_else(|_| chainforce_storage::clock::today());
        Period::containing(kind, date)
    }
}

/// Computes the pipeline report of `period` for the user's county.
pub(crate) async fn report_for(state: &AppState, ctx: &Ctx, period: Period) -> AppResult<PipelineReport> {
    let t = ctx.t();
    let facts = state.store().pipeline_facts(ctx.region_id).await?;
    let cal = state.store().calendar(ctx.region_id).await?;
    Ok(pipeline_report(
        &facts,
        period,
        &cal,
        t.s("pipeline.county_total"),
        t.s("pipeline.unassigned"),
    ))
}

struct PeriodLink {
    label: String,
    href: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct PipelinePage {
    chrome: Chrome,
    r: PipelineReport,
    period_label: String,
    kinds: Vec<PeriodLink>,
    prev: String,
    next: String,
    tables: Vec<(&'static str, Vec<chainforce_domain::pipeline::Kpis>)>,
}

impl PipelinePage {
    fn money(&self, a: &Amount) -> String {
        wan(Some(*a))
    }
}

fn period_href(p: Period) -> String {
    format!("/pipeline?kind={}&date={}", p.kind().code(), p.start())
}

async fn pipeline_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PeriodQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let t = ctx.t();
    let period = q.period();
    let r = report_for(&state, &ctx, period).await?;
    let kinds = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year]
        .into_iter()
        .map(|k| PeriodLink {
            label: k.label(t.lang).to_string(),
            href: period_href(Period::containing(k, period.start())),
            active: k == period.kind(),
        })
        .collect();
    let tables = vec![
        ("pipeline.by_township", r.by_township.clone()),
        ("pipeline.by_lead_unit", r.by_lead_unit.clone()),
        ("pipeline.by_chain_node", r.by_chain_node.clone()),
    ];
    let page = PipelinePage {
        chrome: Chrome::new(&ctx, "pipeline", t.s("nav.pipeline")),
        period_label: period.label(t.lang),
        kinds,
        prev: period_href(period.previous()),
        next: period_href(period.next()),
        tables,
        r,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Monthly reports

/// A report with its cumulative figures and photos.
pub struct ReportRow {
    pub report: MonthlyReport,
    pub c: Cumulative,
    pub photos: Vec<Attachment>,
}

#[derive(Template)]
#[template(path = "monthly.html")]
struct MonthlyPage {
    chrome: Chrome,
    p: Project,
    rows: Vec<ReportRow>,
    can_report: bool,
    f: MonthlyReportForm,
    version: i64,
    errors: FormErrors,
    this_month: String,
    max_size: String,
    kinds: String,
}

impl MonthlyPage {
    fn money(&self, a: &Amount) -> String {
        wan(Some(*a))
    }
}

/// The reports of a project, newest first, with their cumulative figures.
pub(crate) async fn report_rows(state: &AppState, p: &Project) -> AppResult<Vec<ReportRow>> {
    let store = state.store();
    let reports = store.monthly_reports(p.id).await?;
    let started = store
        .stage_dates(p.id)
        .await?
        .into_iter()
        .find(|d| d.stage == Stage::Started)
        .and_then(|d| d.actual);
    let figures: Vec<(NaiveDate, Amount)> = reports.iter().map(|r| (r.month, r.completed_investment)).collect();
    let mut photos = store.report_attachments(p.id).await?;
    Ok(reports
        .into_iter()
        .map(|report| {
            let c = cumulative(
                &figures,
                report.month,
                started,
                p.draft.annual_plan_investment,
                p.draft.total_investment,
            );
            let (mine, rest): (Vec<Attachment>, Vec<Attachment>) = std::mem::take(&mut photos)
                .into_iter()
                .partition(|a| a.monthly_report_id == Some(report.id));
            photos = rest;
            ReportRow {
                report,
                c,
                photos: mine,
            }
        })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MonthQuery {
    month: String,
}

async fn monthly_page(
    state: &AppState,
    ctx: &Ctx,
    p: Project,
    f: Option<(MonthlyReportForm, i64)>,
    errors: FormErrors,
) -> AppResult<MonthlyPage> {
    let t = ctx.t();
    let rows = report_rows(state, &p).await?;
    let this_month = month_text(month_of(chainforce_storage::clock::today()));
    let (f, version) = f.unwrap_or_else(|| {
        rows.iter()
            .find(|r| month_text(r.report.month) == this_month)
            .map(|r| {
                (
                    MonthlyReportForm {
                        month: this_month.clone(),
                        completed_investment: r.report.completed_investment.to_string(),
                        image_progress: r.report.progress.clone(),
                    },
                    r.report.version,
                )
            })
            .unwrap_or((
                MonthlyReportForm {
                    month: this_month.clone(),
                    ..Default::default()
                },
                0,
            ))
    });
    let policy = policy(state);
    Ok(MonthlyPage {
        chrome: Chrome::new(ctx, "projects", format!("{} · {}", t.s("monthly.title"), p.draft.name)),
        can_report: ctx.can(Action::ReportMonthly {
            enterprise_id: p.draft.enterprise_id,
            lead_unit_id: p.draft.lead_unit_id,
        }),
        p,
        rows,
        f,
        version,
        errors,
        this_month,
        max_size: chainforce_domain::pipeline::attachment::human_size(policy.max_bytes),
        kinds: policy.kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(", "),
    })
}

async fn monthly_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let p = readable_project(&state, &ctx, id).await?;
    // `?month=` opens that month's report for editing.
    let chosen = match monthly::parse_month("month", &q.month) {
        Ok(m) => state
            .store()
            .monthly_reports(id)
            .await?
            .into_iter()
            .find(|r| r.month == m)
            .map(|r| {
                (
                    MonthlyReportForm {
                        month: month_text(r.month),
                        completed_investment: r.completed_investment.to_string(),
                        image_progress: r.progress.clone(),
                    },
                    r.version,
                )
            }),
        Err(_) => None,
    };
    render(&monthly_page(&state, &ctx, p, chosen, FormErrors::none()).await?)
}

#[derive(Deserialize)]
struct MonthlySubmitted {
    #[serde(flatten)]
    f: MonthlyReportForm,
    #[serde(default)]
    version: String,
}

/// The attachment policy in force: the configured one, bounded by the upload limit.
pub(crate) fn policy(state: &AppState) -> AttachmentPolicy {
    let mut p = state.config().attachments.clone();
    p.max_bytes = p.max_bytes.min(state.config().max_upload_bytes);
    p
}

/// Checks every uploaded file against the policy, naming the form field on failure.
pub(crate) fn check_files(policy: &AttachmentPolicy, files: &[Upload]) -> Result<Vec<CheckedFile>, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let checked: Vec<CheckedFile> = files
        .iter()
        .filter_map(|u| errs.check(policy.check(&u.field, &u.file_name, &u.bytes)))
        .collect();
    errs.into_result(|| checked)
}

/// Writes checked files to the store; on failure removes what was written.
pub(crate) fn store_files(state: &AppState, files: &[Upload]) -> AppResult<Vec<StoredFile>> {
    let fs = state.files();
    let mut stored = Vec::new();
    for u in files {
        match fs.put(&u.bytes) {
            Ok(s) => stored.push(s),
            Err(e) => {
                for s in &stored {
                    fs.remove(&s.key);
                }
                return Err(AppError::Internal(format!("writing an attachment: {e}")));
            }
        }
    }
    Ok(stored)
}

/// The enterprise or the lead unit reports (or corrects) a month, with optional photos.
async fn monthly_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: FormOrMultipart<MonthlySubmitted>,
) -> AppResult<Response> {
    let p = readable_project(&state, &ctx, id).await?;
    ctx.require(Action::ReportMonthly {
        enterprise_id: p.draft.enterprise_id,
        lead_unit_id: p.draft.lead_unit_id,
    })?;
    let policy = policy(&state);
    let (s, files) = body.value(policy.max_bytes, policy.max_files_per_upload).await?;
    let t = ctx.t();
    let version = s.version.trim().parse::<i64>().unwrap_or(0);
    let mut errs = ValidationErrors::new();
    let draft = match s.f.validate(chainforce_storage::clock::today()) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    let checked = match check_files(&policy, &files) {
        Ok(c) => c,
        Err(e) => {
            errs.0.extend(e.0);
            Vec::new()
        }
    };
    let Some(draft) = draft.filter(|_| errs.is_empty()) else {
        let page = monthly_page(&state, &ctx, p, Some((s.f, version)), FormErrors::new(errs, t)).await?;
        return render_invalid(&page);
    };
    let stored = store_files(&state, &files)?;
    let saved = async {
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let report_id = tx.submit_monthly_report(id, version, &draft).await?;
        for (s, c) in stored.iter().zip(&checked) {
            tx.add_attachment(id, AttachTo::MonthlyReport(report_id), s, c).await?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(())
    }
    .await;
    if saved.is_err() {
        for s in &stored {
            state.files().remove(&s.key);
        }
    }
    let back = format!("/projects/{id}/monthly");
    match saved.map_err(AppError::from) {
        Ok(()) => Ok(see_other(&back)),
        Err(AppError::Invalid(e)) => {
            let page = monthly_page(&state, &ctx, p, Some((s.f, version)), FormErrors::new(e, t)).await?;
            render_invalid(&page)
        }
        Err(e) => or_conflict_page(&ctx, e, &draft.to_form(), &back),
    }
}

#[derive(Template)]
#[template(path = "monthly_status.html")]
struct StatusPage {
    chrome: Chrome,
    month: String,
    prev: String,
    next: String,
    missing: Vec<MonthlyStatus>,
    reported: Vec<MonthlyStatus>,
    total: String,
}

/// Which projects have reported for a month, and which have not (the office and leaders).
async fn monthly_status(State(state): State<AppState>, ctx: Ctx, Query(q): Query<MonthQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadAudit)?;
    let t = ctx.t();
    let month =
        monthly::parse_month("month", &q.month).unwrap_or_else(|_| month_of(chainforce_storage::clock::today()));
    let all = state.store().monthly_status(ctx.region_id, month).await?;
    let (reported, missing): (Vec<MonthlyStatus>, Vec<MonthlyStatus>) =
        all.into_iter().partition(|s| s.report.is_some());
    let total: Amount = reported
        .iter()
        .filter_map(|s| s.report.as_ref().map(|r| r.completed_investment))
        .sum();
    let prev = month.pred_opt().map(month_of).unwrap_or(month);
    let next = month_of(month + chrono::Days::new(40));
    let page = StatusPage {
        chrome: Chrome::new(&ctx, "monthly", t.s("nav.monthly")),
        month: month_text(month),
        prev: month_text(prev),
        next: month_text(next),
        missing,
        reported,
        total: wan(Some(total)),
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// Attachments

/// Whether the user may download `a`: its task's responsible unit (or the project's lead unit
/// for monthly photos), the project's enterprise, leaders and the office.
pub(crate) async fn readable_attachment(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Attachment> {
    let a = state.store().attachment(id).await?;
    let p = readable_project(state, ctx, a.project_id).await?;
    let unit_id = match a.task_id {
        Some(task) => state.store().task(task).await?.responsible_unit_id,
        None => p.draft.lead_unit_id,
    };
    ctx.require(Action::ReadAttachment {
        unit_id,
        enterprise_id: p.draft.enterprise_id,
    })?;
    Ok(a)
}

async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = readable_attachment(&state, &ctx, id).await?;
    let bytes = state.files().read(&a.storage_key).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AppError::NotFound,
        _ => AppError::Internal(format!("reading attachment {id}: {e}")),
    })?;
    crate::download::attachment(bytes, a.kind.mime(), &a.original_name)
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.post("/projects/{id}/stage", Access::Owner, change_stage)
        .get("/pipeline", Access::CountyReaders, pipeline_page)
        .get("/projects/{id}/monthly", Access::Owner, monthly_show)
        .post("/projects/{id}/monthly", Access::Owner, monthly_submit)
        .get("/monthly", Access::LeadersAndOffice, monthly_status)
        .get("/attachments/{id}", Access::Owner, download)
}
