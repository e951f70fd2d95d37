//! The office's chain editor: a new chain (empty or a copy of the shipped lithium chain), nodes
//! and edges added, renamed and removed, the presence rules, and enterprises placed on nodes.
//! Every change names the version it was made on; the domain checks the whole chain after the
//! change, so an edge that closes a cycle other than the recycling loop is refused with the
//! cycle named, and nothing is stored.

use super::{node_label, own_map, status_class};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::pages::{Chrome, or_conflict_page, render, render_invalid, see_other};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chainforce_domain::chain::{
    ChainEdit, ChainStage, EdgeForm, NewChainForm, NodeForm, PlacementForm, PresenceRulesForm,
};
use chainforce_domain::permission::Action;
use chainforce_domain::project::Stage;
use chainforce_domain::validation::ValidationErrors;
use serde::Deserialize;

/// The label of a field of the chain forms, for error lines.
fn field_label(field: &str, t: Tr) -> String {
    let key = match field.split(['[', '.']).next().unwrap_or(field) {
        "code" => "chains.code",
        "name" => "field.name",
        "name_en" => "chains.name_en",
        "stage" => "chains.stage",
        "strong_capacity" => "chains.strong_capacity",
        "capacity_unit" => "chains.capacity_unit",
        "capacity" => "chains.capacity",
        "from" => "chains.edge_from",
        "to" => "chains.edge_to",
        "edges" => "chains.edges",
        "nodes" => "chains.nodes",
        "copy_of" => "chains.copy_of",
        "enterprise_id" => "field.enterprise_id",
        "strong_min_enterprises" => "chains.rules.strong_min",
        "weak_min_enterprises" => "chains.rules.weak_min",
        "excluded_classes" => "chains.rules.excluded",
        "strong_requires_class" => "chains.rules.requires",
        "projects_count_from" => "chains.rules.projects_from",
        "node_id" => "chains.node",
        "headquarters" => "targets.headquarters",
        "status" => "targets.status",
        "contact_person" => "field.contact_person",
        "phone" => "field.phone",
        "credit_code" => "field.credit_code",
        "notes" => "field.notes",
        "contact_date" => "targets.contact_date",
        "channel" => "targets.channel",
        "summary" => "targets.summary",
        _ => return field.to_string(),
    };
    let label = t.s(key);
    if key == field {
        label.to_string()
    } else {
        format!("{label} ({field})")
    }
}

/// Error lines "字段（field）：规则" for the top of a form.
pub(crate) fn error_lines(e: &ValidationErrors, t: Tr) -> Vec<String> {
    let sep = t.lang.pick("：", ": ");
    e.0.iter()
        .map(|x| format!("{}{sep}{}", field_label(&x.field, t), x.rule.message(t.lang)))
        .collect()
}

fn stage_options(t: Tr) -> Vec<(&'static str, &'static str)> {
    ChainStage::ALL.iter().map(|s| (s.code(), s.label(t.lang))).collect()
}

// ---- new chain ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "chain_new.html")]
struct NewPage {
    chrome: Chrome,
    f: NewChainForm,
    errors: Vec<String>,
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    render(&NewPage {
        chrome: Chrome::new(&ctx, "chains", ctx.t().s("chains.new")),
        f: NewChainForm {
            copy_of: "lithium".into(),
            ..Default::default()
        },
        errors: Vec::new(),
    })
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewChainForm>) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let result = async {
        let spec = f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        let id = tx.create_chain_from_spec(ctx.region_id, &spec).await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/chains/{id}"))),
        Err(AppError::Invalid(e)) => render_invalid(&NewPage {
            chrome: Chrome::new(&ctx, "chains", ctx.t().s("chains.new")),
            errors: error_lines(&e, ctx.t()),
            f,
        }),
        Err(e) => Err(e),
    }
}

// ---- the editor -----------------------------------------------------------------------------

struct EditNode {
    id: i64,
    code: String,
    name: String,
    stage: &'static str,
    by_product: bool,
    class: &'static str,
    placed: usize,
}

struct EditEdge {
    from: String,
    to: String,
    from_name: String,
    to_name: String,
    recycling: bool,
}

#[derive(Template)]
#[template(path = "chain_edit.html")]
struct EditPage {
    chrome: Chrome,
    id: i64,
    version: i64,
    nodes: Vec<EditNode>,
    edges: Vec<EditEdge>,
    stages: Vec<(&'static str, &'static str)>,
    project_stages: Vec<(&'static str, &'static str)>,
    node_form: NodeForm,
    edge_form: EdgeForm,
    rules: PresenceRulesForm,
    own_rules: bool,
    errors: Vec<String>,
    /// Which form the errors belong to: `node`, `edge`, `rules` or empty.
    errors_for: &'static str,
}

struct Submitted<'a> {
    node: NodeForm,
    edge: EdgeForm,
    rules: Option<PresenceRulesForm>,
    errors: Vec<String>,
    errors_for: &'a str,
}

impl Default for Submitted<'_> {
    fn default() -> Self {
        Submitted {
            node: NodeForm {
                stage: "material".into(),
                ..Default::default()
            },
            edge: EdgeForm::default(),
            rules: None,
            errors: Vec::new(),
            errors_for: "",
        }
    }
}

async fn edit_page(state: &AppState, ctx: &Ctx, id: i64, s: Submitted<'_>) -> AppResult<EditPage> {
    let m = own_map(state, ctx, id).await?;
    let t = ctx.t();
    let name_of = |node_id: i64| m.node(node_id).map(|n| node_label(n, t)).unwrap_or_default();
    let code_of = |node_id: i64| m.node(node_id).map(|n| n.node.code.clone()).unwrap_or_default();
    let errors_for = match s.errors_for {
        "node" => "node",
        "edge" => "edge",
        "rules" => "rules",
        _ => "",
    };
    Ok(EditPage {
        chrome: Chrome::new(
            ctx,
            "chains",
            format!("{} · {}", m.stored.summary.name, t.s("chains.edit")),
        ),
        id,
        version: m.stored.summary.version,
        nodes: m
            .nodes
            .iter()
            .map(|n| EditNode {
                id: n.node.id,
                code: n.node.code.clone(),
                name: node_label(n, t),
                stage: ChainStage::parse(&n.node.stage).map(|s| s.label(t.lang)).unwrap_or(""),
                by_product: n.node.by_product,
                class: status_class(n.presence.status),
                placed: n.enterprises.len() + n.projects.len() + n.targets.len(),
            })
            .collect(),
        edges: m
            .stored
            .edges
            .iter()
            .map(|e| EditEdge {
                from: code_of(e.from_node_id),
                to: code_of(e.to_node_id),
                from_name: name_of(e.from_node_id),
                to_name: name_of(e.to_node_id),
                recycling: e.recycling,
            })
            .collect(),
        stages: stage_options(t),
        project_stages: Stage::ALL.iter().map(|s| (s.code(), s.label(t.lang))).collect(),
        node_form: s.node,
        edge_form: s.edge,
        rules: s
            .rules
            .unwrap_or_else(|| PresenceRulesForm::from_rules(&m.stored.rules)),
        own_rules: m.stored.own_rules,
        errors: s.errors,
        errors_for,
    })
}

async fn edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    render(&edit_page(&state, &ctx, id, Submitted::default()).await?)
}

/// Runs one chain edit in its own transaction; a refused edit shows the editor again with the
/// reasons (422), a stale version the conflict page.
async fn apply(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    edit: Result<ChainEdit, ValidationErrors>,
    mut back: Submitted<'_>,
) -> AppResult<Response> {
    let result = async {
        let edit = edit?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.edit_chain(ctx.region_id, id, version, &edit).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/chains/{id}/edit"))),
        Err(AppError::Invalid(e)) => {
            back.errors = error_lines(&e, ctx.t());
            render_invalid(&edit_page(state, ctx, id, back).await?)
        }
        Err(e) => or_conflict_page(ctx, e, &serde_json::json!({}), &format!("/chains/{id}/edit")),
    }
}

#[derive(Debug, Deserialize)]
struct NodeSubmitted {
    #[serde(flatten)]
    f: NodeForm,
    #[serde(default)]
    version: i64,
}

async fn add_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<NodeSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let edit = s.f.validate().map(|node| ChainEdit::AddNode { node });
    let back = Submitted {
        node: s.f,
        errors_for: "node",
        ..Default::default()
    };
    apply(&state, &ctx, id, s.version, edit, back).await
}

#[derive(Template)]
#[template(path = "chain_node_form.html")]
struct NodeFormPage {
    chrome: Chrome,
    id: i64,
    node_id: i64,
    version: i64,
    f: NodeForm,
    stages: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
}

async fn node_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let m = own_map(&state, &ctx, id).await?;
    let n = m.node(node_id).ok_or(AppError::NotFound)?;
    let spec = m.chain.node(&n.node.code).ok_or(AppError::NotFound)?;
    render(&NodeFormPage {
        chrome: Chrome::new(&ctx, "chains", node_label(n, ctx.t())),
        id,
        node_id,
        version: m.stored.summary.version,
        f: NodeForm::from_spec(spec),
        stages: stage_options(ctx.t()),
        errors: Vec::new(),
    })
}

async fn update_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node_id)): Path<(i64, i64)>,
    Form(s): Form<NodeSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let m = own_map(&state, &ctx, id).await?;
    let code = m.node(node_id).ok_or(AppError::NotFound)?.node.code.clone();
    let result = async {
        let node = s.f.validate()?;
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.edit_chain(ctx.region_id, id, s.version, &ChainEdit::UpdateNode { code, node })
            .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/chains/{id}/edit"))),
        Err(AppError::Invalid(e)) => render_invalid(&NodeFormPage {
            chrome: Chrome::new(&ctx, "chains", ctx.t().s("chains.edit")),
            id,
            node_id,
            version: s.version,
            errors: error_lines(&e, ctx.t()),
            f: s.f,
            stages: stage_options(ctx.t()),
        }),
        Err(e) => or_conflict_page(&ctx, e, &s.f, &format!("/chains/{id}/nodes/{node_id}/edit")),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VersionOnly {
    version: i64,
}

async fn delete_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node_id)): Path<(i64, i64)>,
    Form(s): Form<VersionOnly>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let m = own_map(&state, &ctx, id).await?;
    let code = m.node(node_id).ok_or(AppError::NotFound)?.node.code.clone();
    apply(
        &state,
        &ctx,
        id,
        s.version,
        Ok(ChainEdit::DeleteNode { code }),
        Submitted::default(),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct EdgeSubmitted {
    #[serde(flatten)]
    f: EdgeForm,
    #[serde(default)]
    version: i64,
}

async fn add_edge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<EdgeSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let edit = s.f.validate().map(|edge| ChainEdit::AddEdge { edge });
    let back = Submitted {
        edge: s.f,
        errors_for: "edge",
        ..Default::default()
    };
    apply(&state, &ctx, id, s.version, edit, back).await
}

async fn delete_edge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<EdgeSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let edit = Ok(ChainEdit::DeleteEdge {
        from: s.f.from.trim().to_string(),
        to: s.f.to.trim().to_string(),
    });
    apply(&state, &ctx, id, s.version, edit, Submitted::default()).await
}

#[derive(Debug, Deserialize)]
struct RulesSubmitted {
    #[serde(flatten)]
    f: PresenceRulesForm,
    #[serde(default)]
    version: i64,
    /// "1" to go back to the shipped rules.
    #[serde(default)]
    reset: String,
}

async fn set_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(s): Form<RulesSubmitted>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let result = async {
        let rules = if s.reset == "1" { None } else { Some(s.f.validate()?) };
        let mut tx = state.store().begin(&ctx.audit_actor()).await?;
        tx.set_presence_rules(ctx.region_id, id, s.version, rules.as_ref())
            .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/chains/{id}/edit"))),
        Err(AppError::Invalid(e)) => {
            let back = Submitted {
                errors: error_lines(&e, ctx.t()),
                rules: Some(s.f),
                errors_for: "rules",
                ..Default::default()
            };
            render_invalid(&edit_page(&state, &ctx, id, back).await?)
        }
        Err(e) => or_conflict_page(&ctx, e, &s.f, &format!("/chains/{id}/edit")),
    }
}

// ---- enterprises on a node ------------------------------------------------------------------

async fn place(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node_id)): Path<(i64, i64)>,
    Form(f): Form<PlacementForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let m = own_map(&state, &ctx, id).await?;
    m.node(node_id).ok_or(AppError::NotFound)?;
    let p = f.validate()?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.place_enterprise(ctx.region_id, node_id, &p).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/chains/{id}/nodes/{node_id}")))
}

async fn unplace(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node_id)): Path<(i64, i64)>,
    Form(f): Form<PlacementForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageChains)?;
    let m = own_map(&state, &ctx, id).await?;
    m.node(node_id).ok_or(AppError::NotFound)?;
    let p = f.validate()?;
    let mut tx = state.store().begin(&ctx.audit_actor()).await?;
    tx.remove_enterprise_from_node(ctx.region_id, node_id, p.enterprise_id)
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/chains/{id}/nodes/{node_id}")))
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/chains/new", Access::Office, new_form)
        .post("/chains", Access::Office, create)
        .get("/chains/{id}/edit", Access::Office, edit)
        .post("/chains/{id}/nodes", Access::Office, add_node)
        .get("/chains/{id}/nodes/{node}/edit", Access::Office, node_form)
        .post("/chains/{id}/nodes/{node}", Access::Office, update_node)
        .post("/chains/{id}/nodes/{node}/delete", Access::Office, delete_node)
        .post("/chains/{id}/edges", Access::Office, add_edge)
        .post("/chains/{id}/edges/delete", Access::Office, delete_edge)
        .post("/chains/{id}/rules", Access::Office, set_rules)
        .post("/chains/{id}/nodes/{node}/enterprises", Access::Office, place)
        .post("/chains/{id}/nodes/{node}/enterprises/remove", Access::Office, unplace)
}
