//! 挂图作战 (`/map`): every active project as Gantt rows of its tasks on one time axis, drawn as
//! inline SVG on the server (a list on phones, A3 landscape on paper); and the 包挂领导 view
//! (`/leader`): a leader's projects, their red items and the problems waiting on others.

use super::forms::{Opt, coded, options};
use super::{Chrome, render};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::rendered::MapPiece;
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use chainforce_domain::battlemap::{
    Geometry, KnownIds, Layout, MapFilter, MapGrouping, MapMilestone, MapProject, MapQuery, MapRows, MapTask, Row,
    WaitingOn, bar_dates, layout, waiting_on,
};
use chainforce_domain::org::{Role, UnitKind};
use chainforce_domain::permission::Action;
use chainforce_domain::project::Stage;
use chainforce_domain::status::Status;
use chainforce_storage::problems::Problem;
use chainforce_storage::projects::Project;
use chainforce_storage::tasks::Task;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The county's references the map's filters choose from.
pub(crate) struct MapRefs {
    pub townships: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
    pub nodes: Vec<(i64, String)>,
    pub leaders: Vec<String>,
}

impl MapRefs {
    pub async fn load(state: &AppState, ctx: &Ctx) -> AppResult<MapRefs> {
        let store = state.store();
        let units = store.units(ctx.region_id).await?;
        let nodes = store.chain_nodes(ctx.region_id).await?;
        Ok(MapRefs {
            townships: units
                .iter()
                .filter(|u| u.kind == UnitKind::Township)
                .map(|u| (u.id, u.name.clone()))
                .collect(),
            units: units
                .iter()
                .map(|u| (u.id, chainforce_domain::org::unit_display(&u.name, u.kind, ctx.lang)))
                .collect(),
            nodes: nodes.into_iter().map(|n| (n.id, n.name)).collect(),
            leaders: store.project_leaders(ctx.region_id).await?,
        })
    }

    /// Checks the query against the county's references: a bad value is a 400 naming the field.
    pub fn check(&self, q: &MapQuery) -> AppResult<MapFilter> {
        let ids = |v: &[(i64, String)]| v.iter().map(|(id, _)| *id).collect::<Vec<_>>();
        let (townships, units, nodes) = (ids(&self.townships), ids(&self.units), ids(&self.nodes));
        q.validate(KnownIds {
            townships: &townships,
            units: &units,
            chain_nodes: &nodes,
        })
        .map_err(AppError::BadQuery)
    }
}

/// A project on the map with what the API and the list show of it.
pub(crate) struct MapEntry {
    pub project: Project,
    pub map: MapProject,
}

/// The map's content for a checked filter: each project with its tasks coloured by the one
/// status function and its stage milestones.
pub(crate) async fn load_map(state: &AppState, ctx: &Ctx, f: &MapFilter) -> AppResult<(Vec<MapEntry>, NaiveDate)> {
    let store = state.store();
    let data = store.battle_map(ctx.region_id, f).await?;
    let region = store.region(ctx.region_id).await?;
    let cal = store.calendar(ctx.region_id).await?;
    let today = chainforce_storage::clock::today();
    let mut tasks: HashMap<i64, Vec<MapTask>> = HashMap::new();
    for t in &data.tasks {
        if let Some(m) = map_task(t, today, region.yellow_float_days, &cal) {
            tasks.entry(t.project_id).or_default().push(m);
        }
    }
    let mut milestones: HashMap<i64, Vec<MapMilestone>> = HashMap::new();
    for (pid, d) in &data.stage_dates {
        let list = milestones.entry(*pid).or_default();
        if let Some(date) = d.actual {
            list.push(MapMilestone {
                stage: d.stage,
                date,
                reached: true,
            });
        } else if let Some(date) = d.planned {
            list.push(MapMilestone {
                stage: d.stage,
                date,
                reached: false,
            });
        }
    }
    let entries = data
        .projects
        .into_iter()
        .map(|p| {
            let mut ms = milestones.remove(&p.id).unwrap_or_default();
            // The target 开工 date is the milestone the backward schedule aims at.
            if let Some(target) = p.draft.target_start
                && p.draft.stage < Stage::Started
                && !ms.iter().any(|m| m.stage == Stage::Started)
            {
                ms.push(MapMilestone {
                    stage: Stage::Started,
                    date: target,
                    reached: false,
                });
            }
            ms.sort_by_key(|m| (m.date, m.stage));
            let group = match f.group {
                MapGrouping::Township => p.township_name.clone(),
                MapGrouping::ChainNode => p.chain_node_name.clone(),
            };
            MapEntry {
                map: MapProject {
                    id: p.id,
                    name: p.draft.name.clone(),
                    group,
                    stage: p.draft.stage,
                    tasks: tasks.remove(&p.id).unwrap_or_default(),
                    milestones: ms,
                },
                project: p,
            }
        })
        .collect();
    Ok((entries, today))
}

fn map_task(
    t: &Task,
    today: NaiveDate,
    yellow_within: i64,
    cal: &chainforce_domain::calendar::Calendar,
) -> Option<MapTask> {
    let s = t.status(today, yellow_within, cal);
    let (start, finish) = bar_dates(
        s.status,
        t.actual_start,
        t.actual_finish,
        t.schedule.early_start,
        t.schedule.early_finish,
        t.schedule.late_start,
        t.schedule.late_finish,
        t.deadline,
    )?;
    Some(MapTask {
        id: t.id,
        name: t.name.clone(),
        unit: t.responsible_unit_name.clone(),
        start,
        finish,
        status: s.status,
        days_overdue: s.days_overdue,
        critical: t.schedule.critical,
    })
}

/// The map's body: everything under the navigation, kept per board version (see `rendered`).
#[derive(Template)]
#[template(path = "battlemap_body.html")]
struct MapBody {
    /// Only its language is used: the body is shared by everyone who asks for the same map.
    chrome: Chrome,
    l: Layout,
    today: NaiveDate,
    townships: Vec<Opt>,
    units: Vec<Opt>,
    nodes: Vec<Opt>,
    stages: Vec<Opt>,
    leaders: Vec<Opt>,
    groups: Vec<Opt>,
    rows_modes: Vec<Opt>,
    /// The chosen filters in words, for the printed sheet's heading.
    filter_words: String,
    /// The SVG's rows and the phone list's entries, set together from the pieces (see
    /// [`map_rows`]).
    svg_rows: String,
    list_rows: String,
}

/// One project's rows of the map (its header row and, in task rows, its tasks), or a group's
/// heading.
#[derive(Template)]
#[template(path = "battlemap_project.html")]
struct ProjectRows<'a> {
    t: Tr,
    width: i64,
    chart_x: i64,
    /// The project's y on the whole map; its rows are drawn from 0.
    base: i64,
    rows: &'a [Row],
    /// The phone list's entries instead of the SVG.
    list: bool,
}

/// The map's rows — the SVG's and the phone list's — with each project's taken as drawn before
/// when nothing it is drawn from has changed: after one task is reported, one project is drawn
/// and the other 299 are copied. Group headings are drawn each time (a handful).
fn map_rows(
    state: &AppState,
    t: Tr,
    projects: &[MapProject],
    l: &Layout,
    mode: MapRows,
    g: &Geometry,
) -> AppResult<(String, String)> {
    let by_id: HashMap<i64, &MapProject> = projects.iter().map(|p| (p.id, p)).collect();
    let draw = |rows: &[Row], base: i64, list: bool| {
        ProjectRows {
            t,
            width: l.width,
            chart_x: l.chart_x,
            base,
            rows,
            list,
        }
        .render()
    };
    let mut pieces = Vec::with_capacity(projects.len());
    let (mut svg_len, mut list_len) = (0, 0);
    let mut i = 0;
    while i < l.rows.len() {
        let Row::Project { y, id, .. } = &l.rows[i] else {
            i += 1;
            continue;
        };
        let end = l.rows[i + 1..]
            .iter()
            .position(|r| !matches!(r, Row::Task { .. }))
            .map_or(l.rows.len(), |n| i + 1 + n);
        // Everything the rows are drawn from: the project and its tasks as coloured, the axis,
        // the measures, the row mode and the language.
        let mut h = std::hash::DefaultHasher::new();
        (id, by_id.get(id), l.from, l.to, mode, g, t.lang).hash(&mut h);
        let key = h.finish();
        let piece = match state.map_pieces().get(key) {
            Some(piece) => piece,
            None => {
                let rows = &l.rows[i..end];
                let piece = Arc::new(MapPiece {
                    svg: draw(rows, *y, false)?,
                    list: draw(rows, *y, true)?,
                });
                state.map_pieces().put(key, piece.clone());
                piece
            }
        };
        svg_len += piece.svg.len();
        list_len += piece.list.len();
        pieces.push(piece);
        i = end;
    }
    // The whole is written once into strings of its final size: an 8 MB map grown by doubling
    // costs more than drawing the project that changed.
    let mut svg = String::with_capacity(svg_len + 64 * (pieces.len() + 1) + 4096);
    let mut list = String::with_capacity(list_len + 4096);
    let mut pieces = pieces.into_iter();
    for (i, row) in l.rows.iter().enumerate() {
        match row {
            Row::Group { .. } => {
                let group = &l.rows[i..i + 1];
                svg.push_str(&draw(group, 0, false)?);
                list.push_str(&draw(group, 0, true)?);
            }
            Row::Project { y, .. } => {
                let Some(piece) = pieces.next() else { break };
                use std::fmt::Write;
                let _ = write!(svg, "<g transform=\"translate(0 {y})\">");
                svg.push_str(&piece.svg);
                svg.push_str("</g>\n");
                list.push_str(&piece.list);
            }
            Row::Task { .. } => {}
        }
    }
    Ok((svg, list))
}

fn chosen(opts: &[Opt]) -> Option<String> {
    opts.iter()
        .find(|o| o.selected && !o.value.is_empty())
        .map(|o| o.label.clone())
}

#[derive(Template)]
#[template(path = "battlemap.html")]
struct MapPage {
    chrome: Chrome,
    /// [`crate::rendered::BODY_MARKER`]: the kept body is set there after rendering.
    body: &'static str,
}

async fn map_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<MapQuery>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let t = ctx.t();
    let refs = MapRefs::load(&state, &ctx).await?;
    let f = refs.check(&q)?;
    // The version is read before the map is drawn, so a body is never kept under a newer version
    // than the data it shows.
    let version = state.store().board_version().await?;
    let key = format!(
        "map/{}/{:?}/{}/{:?}",
        ctx.region_id,
        t.lang,
        chainforce_storage::clock::today(),
        f
    );
    let body = match state.renders().get(version, &key) {
        Some(body) => body,
        None => {
            let b = map_body(&state, &ctx, &refs, &f).await?;
            let mut out = String::with_capacity(b.svg_rows.len() + b.list_rows.len() + (64 << 10));
            b.render_into(&mut out)?;
            let body: std::sync::Arc<str> = out.into();
            state.renders().put(version, key, body.clone());
            body
        }
    };
    let page = MapPage {
        chrome: Chrome::new(&ctx, "map", t.s("nav.map")),
        body: crate::rendered::BODY_MARKER,
    }
    .render()?;
    Ok(Html(crate::rendered::around(&page, &body)).into_response())
}

/// Draws the map for a checked filter (the options show the filter's values, so that every query
/// that means the same filter draws the same body).
async fn map_body(state: &AppState, ctx: &Ctx, refs: &MapRefs, f: &MapFilter) -> AppResult<MapBody> {
    let t = ctx.t();
    let (entries, today) = load_map(state, ctx, f).await?;
    let projects: Vec<MapProject> = entries.into_iter().map(|e| e.map).collect();
    let geometry = Geometry::default();
    let l = layout(&projects, today, f.rows, &geometry);
    let (svg_rows, list_rows) = map_rows(state, t, &projects, &l, f.rows, &geometry)?;
    let all = t.s("filter.all");
    let pairs = |v: &[(i64, String)]| v.iter().map(|(id, n)| (id.to_string(), n.clone())).collect::<Vec<_>>();
    let id = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
    let townships = options(pairs(&refs.townships), &id(f.township_id), Some(all));
    let units = options(pairs(&refs.units), &id(f.unit_id), Some(all));
    let nodes = options(pairs(&refs.nodes), &id(f.chain_node_id), Some(all));
    let stage = f.stage.map(|s| s.code()).unwrap_or("");
    let stages = coded(Stage::ALL, Stage::code, |s| s.label(t.lang), stage, Some(all));
    let leaders = options(
        refs.leaders.iter().map(|l| (l.clone(), l.clone())),
        f.leader.as_deref().unwrap_or(""),
        Some(all),
    );
    let filter_words = [&townships, &units, &nodes, &stages, &leaders]
        .iter()
        .filter_map(|o| chosen(o))
        .collect::<Vec<_>>()
        .join(" · ");
    Ok(MapBody {
        chrome: Chrome::new(ctx, "map", t.s("nav.map")),
        groups: coded(
            MapGrouping::ALL,
            MapGrouping::code,
            |g| g.label(t.lang),
            f.group.code(),
            None,
        ),
        rows_modes: coded(MapRows::ALL, MapRows::code, |r| r.label(t.lang), f.rows.code(), None),
        l,
        today,
        townships,
        units,
        nodes,
        stages,
        leaders,
        filter_words,
        svg_rows,
        list_rows,
    })
}

/// A red task on a leader's projects.
pub(crate) struct RedItem {
    pub task: Task,
    pub days_overdue: i64,
}

/// An open problem on a leader's projects, and whom it waits on.
pub(crate) struct WaitingProblem {
    pub problem: Problem,
    pub waiting_on: WaitingOn,
    pub overdue: bool,
}

/// One of a leader's projects with the colours of its tasks.
pub(crate) struct LeaderProject {
    pub project: Project,
    pub counts: chainforce_domain::battlemap::Counts,
}

/// Everything the 包挂领导 view shows for one leader.
pub(crate) struct LeaderView {
    pub leader: String,
    pub projects: Vec<LeaderProject>,
    pub red: Vec<RedItem>,
    pub problems: Vec<WaitingProblem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LeaderQuery {
    /// The office chooses whose view to see; a leader always sees their own.
    pub leader: String,
}

/// Whose view: a leader's own (their display name is how projects name their 包挂领导); the
/// office picks one of the leaders the projects name.
pub(crate) async fn leader_view(state: &AppState, ctx: &Ctx, q: &LeaderQuery) -> AppResult<(LeaderView, Vec<String>)> {
    let user = ctx.require(Action::ReadLeaderView)?;
    let leaders = state.store().project_leaders(ctx.region_id).await?;
    let leader = if user.role == Role::Leader {
        user.display_name.clone()
    } else {
        let wanted = chainforce_domain::validation::text("leader", &q.leader, false, 40)
            .map_err(|e| AppError::BadQuery(e.into()))?;
        match wanted {
            Some(w) if leaders.contains(&w) => w,
            Some(_) => {
                return Err(AppError::BadQuery(chainforce_domain::ValidationErrors::single(
                    "leader",
                    chainforce_domain::Rule::Unknown {
                        what: "包挂领导 / leader".into(),
                    },
                )));
            }
            None => leaders.first().cloned().unwrap_or_default(),
        }
    };
    let f = MapFilter {
        leader: Some(leader.clone()),
        ..Default::default()
    };
    let store = state.store();
    let data = store.battle_map(ctx.region_id, &f).await?;
    let region = store.region(ctx.region_id).await?;
    let cal = store.calendar(ctx.region_id).await?;
    let today = chainforce_storage::clock::today();
    let mut counts: HashMap<i64, chainforce_domain::battlemap::Counts> = HashMap::new();
    let mut red = Vec::new();
    for t in data.tasks {
        let s = t.status(today, region.yellow_float_days, &cal);
        let c = counts.entry(t.project_id).or_default();
        match s.status {
            Status::Red => c.red += 1,
            Status::Yellow => c.yellow += 1,
            Status::Green => c.green += 1,
            Status::Done => c.done += 1,
        }
        if s.status == Status::Red {
            red.push(RedItem {
                task: t,
                days_overdue: s.days_overdue,
            });
        }
    }
    red.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.task.id.cmp(&b.task.id)));
    let projects = data
        .projects
        .into_iter()
        .map(|p| LeaderProject {
            counts: counts.get(&p.id).copied().unwrap_or_default(),
            project: p,
        })
        .collect();
    let problems = if leader.is_empty() {
        Vec::new()
    } else {
        store.leader_problems(ctx.region_id, &leader).await?
    };
    let problems = problems
        .into_iter()
        .filter_map(|p| {
            Some(WaitingProblem {
                waiting_on: waiting_on(p.status)?,
                overdue: chainforce_domain::problem::is_overdue(p.status, p.deadline, today),
                problem: p,
            })
        })
        .collect();
    Ok((
        LeaderView {
            leader,
            projects,
            red,
            problems,
        },
        leaders,
    ))
}

#[derive(Template)]
#[template(path = "leader.html")]
struct LeaderPage {
    chrome: Chrome,
    v: LeaderView,
    leaders: Vec<Opt>,
    show_picker: bool,
    map_link: String,
}

async fn leader_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<LeaderQuery>) -> AppResult<Response> {
    let (v, leaders) = leader_view(&state, &ctx, &q).await?;
    let t = ctx.t();
    let user = ctx.user()?;
    let page = LeaderPage {
        chrome: Chrome::new(&ctx, "leader", t.s("nav.leader")),
        leaders: options(leaders.iter().map(|l| (l.clone(), l.clone())), &v.leader, None),
        show_picker: user.role != Role::Leader,
        map_link: format!("/map?leader={}", crate::context::urlencode(&v.leader)),
        v,
    };
    render(&page)
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/map", Access::CountyReaders, map_page)
        .get("/leader", Access::LeadersAndOffice, leader_page)
}
