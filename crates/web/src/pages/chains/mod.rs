//! 产业链图谱 (issue 8): the county's chains, each drawn as a layered map with every node's local
//! status (strong / weak / missing) and what sits on it, the gap analysis (补链 / 延链 / 强链), the
//! office's chain editor, and the investment targets (招商目标库) with their contacts and the
//! action that turns one into a 线索 project.
//!
//! Who sees what: county readers (the office, leaders, units, viewers) read the maps, gaps and
//! targets; only the office edits chains, places enterprises and keeps the targets.

mod admin;
pub mod layout;
mod targets;

use super::{Chrome, render};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::chain::{BalanceNodes, ChainStage, Conversions, GapKind, NodeStatus, material_balance};
use chainforce_domain::permission::Action;
use chainforce_storage::chains::{ChainMap, NodeLocal};
use layout::{NODE_H, NODE_W};

pub fn routes(t: RouteTable) -> RouteTable {
    let t = t
        .get("/chains", Access::CountyReaders, list)
        .get("/chains/{id}", Access::CountyReaders, map)
        .get("/chains/{id}/gaps", Access::CountyReaders, gaps)
        .get("/chains/{id}/balance", Access::CountyReaders, balance)
        .get("/chains/{id}/nodes/{node}", Access::CountyReaders, node);
    let t = admin::routes(t);
    targets::routes(t)
}

/// The chain of `id`, if it is this county's.
pub(crate) async fn own_map(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<ChainMap> {
    let map = state.store().chain_map(id).await?;
    if map.stored.summary.region_id != ctx.region_id {
        return Err(AppError::NotFound);
    }
    Ok(map)
}

pub(crate) fn status_class(s: NodeStatus) -> &'static str {
    match s {
        NodeStatus::Strong => "node-strong",
        NodeStatus::Weak => "node-weak",
        NodeStatus::Missing => "node-missing",
    }
}

/// A node's name in the user's language (the English name falls back to the Chinese one).
pub(crate) fn node_label(n: &NodeLocal, t: Tr) -> String {
    match (&n.node.name_en, t.is_zh()) {
        (Some(en), false) => en.clone(),
        _ => n.node.name.clone(),
    }
}

fn stage_label(code: &str, t: Tr) -> &'static str {
    ChainStage::parse(code).map(|s| s.label(t.lang)).unwrap_or("")
}

/// Labels longer than this are cut with "…" on the drawing (the full name is in the title).
const LABEL_CHARS: usize = 9;

fn shorten(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(LABEL_CHARS - 1).collect::<String>())
    }
}

// ---- list -----------------------------------------------------------------------------------

struct ChainRow {
    id: i64,
    name: String,
    nodes: usize,
    strong: usize,
    weak: usize,
    missing: usize,
    targets: usize,
}

#[derive(Template)]
#[template(path = "chains.html")]
struct ListPage {
    chrome: Chrome,
    chains: Vec<ChainRow>,
    can_edit: bool,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let mut chains = Vec::new();
    for c in state.store().chains(ctx.region_id).await? {
        let m = state.store().chain_map(c.id).await?;
        let count = |s: NodeStatus| m.nodes.iter().filter(|n| n.presence.status == s).count();
        chains.push(ChainRow {
            id: c.id,
            name: c.name,
            nodes: m.nodes.len(),
            strong: count(NodeStatus::Strong),
            weak: count(NodeStatus::Weak),
            missing: count(NodeStatus::Missing),
            targets: m.nodes.iter().map(|n| n.targets.len()).sum(),
        });
    }
    render(&ListPage {
        chrome: Chrome::new(&ctx, "chains", ctx.t().s("chains.title")),
        chains,
        can_edit: ctx.can(Action::ManageChains),
    })
}

// ---- map ------------------------------------------------------------------------------------

struct SvgNode {
    href: String,
    x: i64,
    y: i64,
    /// Text positions.
    tx: i64,
    ty1: i64,
    ty2: i64,
    class: &'static str,
    label: String,
    counts: String,
    title: String,
}

struct SvgEdge {
    d: String,
    class: &'static str,
}

struct SvgStage {
    label: &'static str,
    x: i64,
    mid: i64,
    width: i64,
}

struct MapRow {
    href: String,
    name: String,
    stage: &'static str,
    status: &'static str,
    class: &'static str,
    enterprises: usize,
    projects: usize,
    targets: usize,
    reason: String,
}

#[derive(Template)]
#[template(path = "chain_map.html")]
struct MapPage {
    chrome: Chrome,
    id: i64,
    source: String,
    width: i64,
    height: i64,
    node_w: i64,
    node_h: i64,
    svg_nodes: Vec<SvgNode>,
    svg_edges: Vec<SvgEdge>,
    stages: Vec<SvgStage>,
    rows: Vec<MapRow>,
    strong: usize,
    weak: usize,
    missing: usize,
    can_edit: bool,
}

async fn map(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let m = own_map(&state, &ctx, id).await?;
    let t = ctx.t();
    let l = layout::layout(&m.chain);
    let counts_text = |n: &NodeLocal| {
        format!(
            "{} {} · {} {} · {} {}",
            t.s("chains.short.enterprises"),
            n.enterprises.len(),
            t.s("chains.short.projects"),
            n.projects.len(),
            t.s("chains.short.targets"),
            n.targets.len()
        )
    };
    let svg_nodes = l
        .nodes
        .iter()
        .map(|b| {
            let n = &m.nodes[b.index];
            let label = node_label(n, t);
            SvgNode {
                href: format!("/chains/{id}/nodes/{}", n.node.id),
                x: b.x,
                y: b.y,
                tx: b.x + NODE_W / 2,
                ty1: b.y + 19,
                ty2: b.y + 36,
                class: status_class(n.presence.status),
                title: format!(
                    "{label} · {} · {}",
                    n.presence.status.label(t.lang),
                    n.presence.reason.text(t.lang)
                ),
                label: shorten(&label),
                counts: counts_text(n),
            }
        })
        .collect();
    let svg_edges = l
        .edges
        .iter()
        .map(|e| SvgEdge {
            d: e.d.clone(),
            class: if e.recycling {
                "edge edge-recycling"
            } else if e.backward {
                "edge edge-back"
            } else {
                "edge"
            },
        })
        .collect();
    let stages = l
        .stages
        .iter()
        .map(|s| SvgStage {
            label: s.stage.label(t.lang),
            x: s.x,
            mid: s.x + s.width / 2,
            width: s.width,
        })
        .collect();
    let rows = m
        .nodes
        .iter()
        .map(|n| MapRow {
            href: format!("/chains/{id}/nodes/{}", n.node.id),
            name: node_label(n, t),
            stage: stage_label(&n.node.stage, t),
            status: n.presence.status.label(t.lang),
            class: status_class(n.presence.status),
            enterprises: n.enterprises.len(),
            projects: n.projects.len(),
            targets: n.targets.len(),
            reason: n.presence.reason.text(t.lang).to_string(),
        })
        .collect();
    let count = |s: NodeStatus| m.nodes.iter().filter(|n| n.presence.status == s).count();
    render(&MapPage {
        chrome: Chrome::new(&ctx, "chains", m.stored.summary.name.clone()),
        id,
        source: m.stored.summary.source.clone().unwrap_or_default(),
        width: l.width,
        height: l.height,
        node_w: NODE_W,
        node_h: NODE_H,
        svg_nodes,
        svg_edges,
        stages,
        rows,
        strong: count(NodeStatus::Strong),
        weak: count(NodeStatus::Weak),
        missing: count(NodeStatus::Missing),
        can_edit: ctx.can(Action::ManageChains),
    })
}

// ---- node -----------------------------------------------------------------------------------

struct EnterpriseRow {
    id: i64,
    name: String,
    class: String,
    capacity: String,
    counted: bool,
}

struct ProjectRow {
    id: i64,
    name: String,
    stage: &'static str,
    state: &'static str,
    counted: bool,
}

struct TargetRow {
    id: i64,
    name: String,
    status: &'static str,
    project_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "chain_node.html")]
struct NodePage {
    chrome: Chrome,
    chain_id: i64,
    chain_name: String,
    node_id: i64,
    code: String,
    stage: &'static str,
    status: &'static str,
    class: &'static str,
    reason: String,
    capacity_unit: String,
    enterprises: Vec<EnterpriseRow>,
    projects: Vec<ProjectRow>,
    targets: Vec<TargetRow>,
    /// Enterprises that can still be placed on the node (office only).
    placeable: Vec<(i64, String)>,
    upstream: Vec<(i64, String)>,
    downstream: Vec<(i64, String)>,
    can_edit: bool,
    can_target: bool,
}

async fn node(State(state): State<AppState>, ctx: Ctx, Path((id, node_id)): Path<(i64, i64)>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let m = own_map(&state, &ctx, id).await?;
    let t = ctx.t();
    let n = m.node(node_id).ok_or(AppError::NotFound)?;
    let can_edit = ctx.can(Action::ManageChains);
    let placeable = if can_edit {
        state
            .store()
            .enterprises(ctx.region_id)
            .await?
            .into_iter()
            .filter(|e| !n.enterprises.iter().any(|x| x.id == e.id))
            .map(|e| (e.id, e.name))
            .collect()
    } else {
        Vec::new()
    };
    let neighbours = |ids: Vec<i64>| -> Vec<(i64, String)> {
        ids.into_iter()
            .filter_map(|i| m.node(i).map(|x| (i, node_label(x, t))))
            .collect()
    };
    let upstream = neighbours(
        m.stored
            .edges
            .iter()
            .filter(|e| e.to_node_id == node_id)
            .map(|e| e.from_node_id)
            .collect(),
    );
    let downstream = neighbours(
        m.stored
            .edges
            .iter()
            .filter(|e| e.from_node_id == node_id)
            .map(|e| e.to_node_id)
            .collect(),
    );
    render(&NodePage {
        chrome: Chrome::new(&ctx, "chains", node_label(n, t)),
        chain_id: id,
        chain_name: m.stored.summary.name.clone(),
        node_id,
        code: n.node.code.clone(),
        stage: stage_label(&n.node.stage, t),
        status: n.presence.status.label(t.lang),
        class: status_class(n.presence.status),
        reason: n.presence.reason.text(t.lang).to_string(),
        capacity_unit: n.node.capacity_unit.clone().unwrap_or_default(),
        enterprises: n
            .enterprises
            .iter()
            .map(|e| EnterpriseRow {
                id: e.id,
                name: e.name.clone(),
                class: e.permu_class.clone().unwrap_or_default(),
                capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
                counted: e.counted,
            })
            .collect(),
        projects: n
            .projects
            .iter()
            .map(|p| ProjectRow {
                id: p.id,
                name: p.name.clone(),
                stage: p.stage.label(t.lang),
                state: p.state.label(t.lang),
                counted: p.counted,
            })
            .collect(),
        targets: n
            .targets
            .iter()
            .map(|x| TargetRow {
                id: x.id,
                name: x.name.clone(),
                status: x.status.label(t.lang),
                project_id: x.project_id,
            })
            .collect(),
        placeable,
        upstream,
        downstream,
        can_edit,
        can_target: ctx.can(Action::ManageTargets),
    })
}

// ---- gaps -----------------------------------------------------------------------------------

struct GapRow {
    rank: usize,
    href: String,
    node_id: i64,
    name: String,
    status: &'static str,
    class: &'static str,
    kind: &'static str,
    kind_code: &'static str,
    reason: String,
    targets: usize,
    by_product: bool,
}

#[derive(Template)]
#[template(path = "chain_gaps.html")]
struct GapsPage {
    chrome: Chrome,
    id: i64,
    chain_name: String,
    path: Vec<(String, String)>,
    gaps: Vec<GapRow>,
    can_target: bool,
}

async fn gaps(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let m = own_map(&state, &ctx, id).await?;
    let t = ctx.t();
    let path = m
        .gaps
        .longest_covered_path
        .iter()
        .filter_map(|code| m.node_by_code(code))
        .map(|n| (format!("/chains/{id}/nodes/{}", n.node.id), node_label(n, t)))
        .collect();
    let gaps = m
        .gaps
        .gaps
        .iter()
        .filter_map(|g| {
            let n = m.node_by_code(&g.node)?;
            Some(GapRow {
                rank: g.rank,
                href: format!("/chains/{id}/nodes/{}", n.node.id),
                node_id: n.node.id,
                name: node_label(n, t),
                status: g.status.label(t.lang),
                class: status_class(g.status),
                kind: g.kind.label(t.lang),
                kind_code: gap_class(g.kind),
                reason: g.reason.text(t.lang).to_string(),
                targets: n.targets.len(),
                by_product: g.by_product,
            })
        })
        .collect();
    render(&GapsPage {
        chrome: Chrome::new(&ctx, "chains", t.s("chains.gaps.title")),
        id,
        chain_name: m.stored.summary.name.clone(),
        path,
        gaps,
        can_target: ctx.can(Action::ManageTargets),
    })
}

fn gap_class(k: GapKind) -> &'static str {
    match k {
        GapKind::Bridge => "gap-bridge",
        GapKind::ExtendDownstream | GapKind::ExtendUpstream => "gap-extend",
        GapKind::Strengthen => "gap-strengthen",
        GapKind::Foothold => "gap-foothold",
    }
}

// ---- material balance (物料平衡) ------------------------------------------------------------

struct BalanceRow {
    layer: &'static str,
    name: String,
    product: String,
    capacity: String,
    factor: String,
    lithium: String,
}

struct StepRow {
    label: String,
    supply: String,
    demand: String,
    surplus: String,
    short: bool,
    coverage: String,
    verdict: String,
}

#[derive(Template)]
#[template(path = "chain_balance.html")]
struct BalancePage {
    chrome: Chrome,
    id: i64,
    chain_name: String,
    lines: Vec<BalanceRow>,
    ore: String,
    reserves: String,
    county: String,
    years: Option<String>,
    steps: Vec<StepRow>,
    notes: Vec<String>,
}

/// The county's lithium demand from the capacities placed on the chain against local ore from the
/// resource ledger (issue 8 item 4), with the factors of `data/conversions.json`.
async fn balance(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ReadCounty)?;
    let m = own_map(&state, &ctx, id).await?;
    let t = ctx.t();
    let supply = state.store().local_lithium_supply(ctx.region_id).await?;
    let input = BalanceNodes::builtin().input(&m.placed_capacities(), supply);
    let b = material_balance(&input, &Conversions::builtin())?;
    let q = |x: &chainforce_domain::chain::Quantity| x.display(t.lang);
    render(&BalancePage {
        chrome: Chrome::new(&ctx, "chains", t.s("chains.balance.title")),
        id,
        chain_name: m.stored.summary.name.clone(),
        lines: b
            .lines
            .iter()
            .map(|l| BalanceRow {
                layer: l.layer.label(t.lang),
                name: l.name.clone(),
                product: l.product.clone(),
                capacity: q(&l.capacity),
                factor: q(&l.factor),
                lithium: q(&l.lithium),
            })
            .collect(),
        ore: q(&b.ore_supply),
        reserves: q(&b.reserves),
        county: q(&b.county_demand),
        years: b.reserve_years.as_ref().map(q),
        steps: b
            .steps
            .iter()
            .map(|s| StepRow {
                label: format!("{} → {}", s.supplier.label(t.lang), s.consumer.label(t.lang)),
                supply: q(&s.supply),
                demand: q(&s.demand),
                surplus: q(&s.surplus),
                short: s.surplus.value.raw() < 0,
                coverage: q(&s.coverage),
                verdict: s.verdict.text(t.lang).to_string(),
            })
            .collect(),
        notes: b.notes.iter().map(|n| n.text(t.lang).to_string()).collect(),
    })
}
