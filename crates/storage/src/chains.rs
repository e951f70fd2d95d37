//! Industry chains (产业链) as stored: nodes and "feeds" edges per region.

use crate::row::{RowExt, amount_raw};
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::Amount;
use chainforce_domain::chain::{
    Chain, ChainEdit, ChainSpec, ChainStage, EdgeSpec, GapAnalysis, LocalEnterprise, LocalProject, NodeLink,
    NodePresence, NodeSpec, Placement, PresenceRules, TargetStatus, gap_analysis, local_presence,
};
use chainforce_domain::project::{ProjectState, Stage};
use chainforce_domain::validation::Rule;
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainNode {
    pub id: i64,
    pub chain_id: i64,
    pub chain_name: String,
    pub code: String,
    pub name: String,
    /// The stage code (资源 / 材料 / 电池 / 应用 / 回收 …).
    pub stage: String,
    pub sort_order: i64,
    pub name_en: Option<String>,
    /// A by-product line (长石粉, 锂渣 …).
    pub by_product: bool,
    pub capacity_unit: Option<String>,
    pub strong_capacity: Option<Amount>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainEdge {
    pub from_node_id: i64,
    pub to_node_id: i64,
    pub recycling: bool,
}

/// A node to create: code, name, stage code.
#[derive(Debug, Clone)]
pub struct NewNode {
    pub code: String,
    pub name: String,
    pub stage: String,
}

impl Store {
    /// The nodes of every chain of `region_id`, chain by chain in their order (kept with the
    /// reference data).
    pub async fn chain_nodes(&self, region_id: i64) -> Result<Vec<ChainNode>> {
        let kept = self.kept(&self.references.chain_nodes, region_id, || {
            self.read_chain_nodes(region_id)
        });
        Ok(kept.await?.as_ref().clone())
    }

    async fn read_chain_nodes(&self, region_id: i64) -> Result<Vec<ChainNode>> {
        let rows = sqlx::query(
            "SELECT n.*, c.name AS chain_name FROM chain_nodes n JOIN chains c ON c.id = n.chain_id WHERE c.region_id = $1 \
             ORDER BY c.id, n.sort_order, n.id",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(node_from_row)
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn chain_edges(&self, chain_id: i64) -> Result<Vec<ChainEdge>> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT from_node_id, to_node_id, recycling FROM chain_edges WHERE chain_id = $1 ORDER BY id",
        )
        .bind(chain_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(f, t, r)| ChainEdge {
                from_node_id: f,
                to_node_id: t,
                recycling: r != 0,
            })
            .collect())
    }
}

impl WriteTx {
    /// Creates a chain with its nodes and edges (edges by node code). The chain's rules (no
    /// cycle but the recycling loop …) are checked by the domain before this is called.
    pub async fn create_chain(
        &mut self,
        region_id: i64,
        name: &str,
        nodes: &[NewNode],
        edges: &[(String, String, bool)],
    ) -> Result<i64> {
        let now = self.now().to_string();
        let (chain_id,): (i64,) = sqlx::query_as(
            "INSERT INTO chains (region_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(region_id)
        .bind(name)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        let mut ids = std::collections::HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO chain_nodes (chain_id, code, name, stage, sort_order) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(chain_id)
            .bind(&n.code)
            .bind(&n.name)
            .bind(&n.stage)
            .bind(i as i64)
            .fetch_one(self.conn())
            .await?;
            ids.insert(n.code.clone(), id);
        }
        for (from, to, recycling) in edges {
            let (Some(f), Some(t)) = (ids.get(from), ids.get(to)) else {
                return Err(crate::StoreError::unknown(
                    "edges",
                    &format!("产业链环节 / chain node {from} → {to}"),
                ));
            };
            sqlx::query(
                "INSERT INTO chain_edges (chain_id, from_node_id, to_node_id, recycling) VALUES ($1, $2, $3, $4)",
            )
            .bind(chain_id)
            .bind(f)
            .bind(t)
            .bind(*recycling as i64)
            .execute(self.conn())
            .await?;
        }
        self.audit(
            "create",
            "chain",
            Some(chain_id),
            None::<&()>,
            Some(&serde_json::json!({"name": name, "nodes": nodes.len(), "edges": edges.len()})),
        );
        Ok(chain_id)
    }

    /// Places an enterprise on chain nodes (replacing where it was).
    pub async fn set_enterprise_nodes(&mut self, enterprise_id: i64, node_ids: &[i64]) -> Result<()> {
        sqlx::query("DELETE FROM enterprise_chain_nodes WHERE enterprise_id = $1")
            .bind(enterprise_id)
            .execute(self.conn())
            .await?;
        for n in node_ids {
            sqlx::query("INSERT INTO enterprise_chain_nodes (enterprise_id, node_id) VALUES ($1, $2)")
                .bind(enterprise_id)
                .bind(n)
                .execute(self.conn())
                .await?;
        }
        self.audit(
            "chain_nodes",
            "enterprise",
            Some(enterprise_id),
            None::<&()>,
            Some(&node_ids),
        );
        Ok(())
    }
}

fn node_from_row(r: &AnyRow) -> Result<ChainNode, sqlx::Error> {
    Ok(ChainNode {
        id: r.i64("id")?,
        chain_id: r.i64("chain_id")?,
        chain_name: r.text("chain_name")?,
        code: r.text("code")?,
        name: r.text("name")?,
        stage: r.text("stage")?,
        sort_order: r.i64("sort_order")?,
        name_en: r.opt_text("name_en")?,
        by_product: r.flag("by_product")?,
        capacity_unit: r.opt_text("capacity_unit")?,
        strong_capacity: r.amount("strong_capacity_raw")?,
    })
}

/// A chain as listed (产业链).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainSummary {
    pub id: i64,
    pub region_id: i64,
    pub code: Option<String>,
    pub name: String,
    pub name_en: Option<String>,
    pub source: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// A chain with its nodes (in their order), edges and presence rules.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredChain {
    #[serde(flatten)]
    pub summary: ChainSummary,
    pub nodes: Vec<ChainNode>,
    pub edges: Vec<ChainEdge>,
    pub rules: PresenceRules,
    /// `false` while the chain uses the shipped rules (data/chains/presence-rules.json).
    pub own_rules: bool,
}

impl StoredChain {
    pub fn node(&self, id: i64) -> Option<&ChainNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn node_by_code(&self, code: &str) -> Option<&ChainNode> {
        self.nodes.iter().find(|n| n.code == code)
    }

    /// The chain as the domain reads it.
    pub fn spec(&self) -> Result<ChainSpec> {
        let code_of = |id: i64| {
            self.node(id).map(|n| n.code.clone()).ok_or_else(|| {
                StoreError::Corrupt(format!("chain {}: edge to a node of another chain", self.summary.id))
            })
        };
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                Ok(NodeSpec {
                    code: n.code.clone(),
                    name: n.name.clone(),
                    name_en: n.name_en.clone(),
                    stage: ChainStage::parse(&n.stage)
                        .ok_or_else(|| StoreError::Corrupt(format!("chain node {}: stage '{}'", n.id, n.stage)))?,
                    by_product: n.by_product,
                    capacity_unit: n.capacity_unit.clone(),
                    strong_capacity: n.strong_capacity,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let edges = self
            .edges
            .iter()
            .map(|e| {
                Ok(EdgeSpec {
                    from: code_of(e.from_node_id)?,
                    to: code_of(e.to_node_id)?,
                    recycling: e.recycling,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ChainSpec {
            code: self
                .summary
                .code
                .clone()
                .unwrap_or_else(|| format!("chain-{}", self.summary.id)),
            name: self.summary.name.clone(),
            name_en: self.summary.name_en.clone(),
            source: self.summary.source.clone(),
            nodes,
            edges,
        })
    }

    /// The checked chain. A stored chain always passed the check; one that no longer does is
    /// reported as corrupt data, not as the user's fault.
    pub fn checked(&self) -> Result<Chain> {
        Chain::new(self.spec()?).map_err(|e| StoreError::Corrupt(format!("chain {}: {e}", self.summary.id)))
    }
}

/// An enterprise on a node, as the node page lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeEnterprise {
    pub id: i64,
    pub name: String,
    pub capacity: Option<Amount>,
    /// Its class in the latest published 亩均 evaluation.
    pub permu_class: Option<String>,
    /// Whether it counts towards the node's status (its class is not excluded).
    pub counted: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeProject {
    pub id: i64,
    pub name: String,
    pub stage: Stage,
    pub state: ProjectState,
    pub counted: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeTarget {
    pub id: i64,
    pub name: String,
    pub status: TargetStatus,
    pub project_id: Option<i64>,
}

/// Everything local on one node, with its status and the reason for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeLocal {
    pub node: ChainNode,
    pub presence: NodePresence,
    pub enterprises: Vec<NodeEnterprise>,
    pub projects: Vec<NodeProject>,
    pub targets: Vec<NodeTarget>,
}

/// A chain as the map and the gap page show it: the checked chain, each node's local status and
/// what sits on it, and the gap analysis.
#[derive(Debug, Clone)]
pub struct ChainMap {
    pub stored: StoredChain,
    pub chain: Chain,
    /// In the chain's node order.
    pub nodes: Vec<NodeLocal>,
    pub gaps: GapAnalysis,
}

impl ChainMap {
    pub fn node(&self, id: i64) -> Option<&NodeLocal> {
        self.nodes.iter().find(|n| n.node.id == id)
    }

    pub fn node_by_code(&self, code: &str) -> Option<&NodeLocal> {
        self.nodes.iter().find(|n| n.node.code == code)
    }

    /// Every enterprise capacity recorded on a node, as the material balance (物料平衡) takes it.
    pub fn placed_capacities(&self) -> Vec<chainforce_domain::chain::NodeCapacity> {
        self.nodes
            .iter()
            .flat_map(|n| {
                n.enterprises.iter().filter_map(|e| {
                    Some(chainforce_domain::chain::NodeCapacity {
                        node_code: n.node.code.clone(),
                        enterprise: e.name.clone(),
                        capacity: e.capacity?,
                    })
                })
            })
            .collect()
    }
}

pub(crate) async fn load_chain(conn: &mut AnyConnection, id: i64) -> Result<StoredChain> {
    let row = sqlx::query("SELECT * FROM chains WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound { entity: "chain", id })?;
    let summary = summary_from_row(&row)?;
    let rules_json = row.opt_text("presence_rules_json")?;
    let rules = match &rules_json {
        Some(j) => {
            serde_json::from_str(j).map_err(|e| StoreError::Corrupt(format!("presence rules of chain {id}: {e}")))?
        }
        None => PresenceRules::builtin(),
    };
    let rows = sqlx::query(
        "SELECT n.*, c.name AS chain_name FROM chain_nodes n JOIN chains c ON c.id = n.chain_id WHERE n.chain_id = $1 \
         ORDER BY n.sort_order, n.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let nodes = rows.iter().map(node_from_row).collect::<Result<Vec<_>, _>>()?;
    let rows: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT from_node_id, to_node_id, recycling FROM chain_edges WHERE chain_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let edges = rows
        .into_iter()
        .map(|(f, t, r)| ChainEdge {
            from_node_id: f,
            to_node_id: t,
            recycling: r != 0,
        })
        .collect();
    Ok(StoredChain {
        summary,
        nodes,
        edges,
        rules,
        own_rules: rules_json.is_some(),
    })
}

fn summary_from_row(r: &AnyRow) -> Result<ChainSummary, sqlx::Error> {
    Ok(ChainSummary {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        code: r.opt_text("code")?,
        name: r.text("name")?,
        name_en: r.opt_text("name_en")?,
        source: r.opt_text("source")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

impl Store {
    /// The region's chains, oldest first (the shipped one first).
    pub async fn chains(&self, region_id: i64) -> Result<Vec<ChainSummary>> {
        let rows = sqlx::query("SELECT * FROM chains WHERE region_id = $1 ORDER BY id")
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(summary_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn chain(&self, id: i64) -> Result<StoredChain> {
        let mut conn = self.read.acquire().await?;
        load_chain(&mut conn, id).await
    }

    /// The chain with every node's local status (by the chain's presence rules and the latest
    /// published 亩均 classes), what sits on each node, and the gap analysis.
    pub async fn chain_map(&self, id: i64) -> Result<ChainMap> {
        let stored = self.chain(id).await?;
        let chain = stored.checked()?;
        let region_id = stored.summary.region_id;
        let classes: std::collections::HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
            "SELECT c.enterprise_id, c.class FROM evaluation_cards c WHERE c.evaluation_id = \
             (SELECT e.id FROM evaluations e WHERE e.region_id = $1 AND e.status = 'published' \
              ORDER BY e.year DESC, e.published_at DESC, e.id DESC LIMIT 1)",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .collect();
        let placed: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT e.id, e.name, p.node_id, p.capacity_raw FROM enterprise_chain_nodes p \
             JOIN enterprises e ON e.id = p.enterprise_id JOIN chain_nodes n ON n.id = p.node_id \
             WHERE n.chain_id = $1 ORDER BY e.name, e.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let projects: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
            "SELECT p.id, p.name, p.chain_node_id, p.stage, p.state FROM projects p JOIN chain_nodes n ON n.id = p.chain_node_id \
             WHERE n.chain_id = $1 AND p.region_id = $2 ORDER BY p.name, p.id",
        )
        .bind(id)
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        let targets: Vec<(i64, String, i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT t.id, t.name, t.node_id, t.status, t.project_id FROM investment_targets t JOIN chain_nodes n ON n.id = t.node_id \
             WHERE n.chain_id = $1 ORDER BY t.name, t.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;

        let code_of = |node_id: i64| stored.node(node_id).map(|n| n.code.clone()).unwrap_or_default();
        // The domain's view: one entry per enterprise with all its nodes on this chain.
        let mut local: Vec<LocalEnterprise> = Vec::new();
        for (eid, name, node_id, capacity) in &placed {
            let link = NodeLink {
                node: code_of(*node_id),
                capacity: capacity.map(Amount::from_raw),
            };
            match local.iter_mut().find(|e| e.id == *eid) {
                Some(e) => e.nodes.push(link),
                None => local.push(LocalEnterprise {
                    id: *eid,
                    name: name.clone(),
                    nodes: vec![link],
                    permu_class: classes.get(eid).cloned(),
                }),
            }
        }
        let mut local_projects = Vec::new();
        let mut node_projects: Vec<(i64, NodeProject)> = Vec::new();
        for (pid, name, node_id, stage, state) in &projects {
            let stage =
                Stage::parse(stage).ok_or_else(|| StoreError::Corrupt(format!("project {pid}: stage {stage}")))?;
            let state = ProjectState::parse(state)
                .ok_or_else(|| StoreError::Corrupt(format!("project {pid}: state {state}")))?;
            local_projects.push(LocalProject {
                id: *pid,
                name: name.clone(),
                node: code_of(*node_id),
                stage,
                active: state == ProjectState::Active,
            });
            node_projects.push((
                *node_id,
                NodeProject {
                    id: *pid,
                    name: name.clone(),
                    stage,
                    state,
                    counted: false,
                },
            ));
        }
        let presence = local_presence(&chain, &local, &local_projects, &stored.rules)
            .map_err(|e| StoreError::Corrupt(format!("chain {id}: {e:?}")))?;
        let gaps = gap_analysis(&chain, &presence);
        let mut nodes = Vec::new();
        for (node, p) in stored.nodes.iter().zip(presence) {
            let enterprises = placed
                .iter()
                .filter(|(_, _, n, _)| *n == node.id)
                .map(|(eid, name, _, capacity)| NodeEnterprise {
                    id: *eid,
                    name: name.clone(),
                    capacity: capacity.map(Amount::from_raw),
                    permu_class: classes.get(eid).cloned(),
                    counted: p.enterprises.contains(eid),
                })
                .collect();
            let projects = node_projects
                .iter()
                .filter(|(n, _)| *n == node.id)
                .map(|(_, np)| NodeProject {
                    counted: p.projects.contains(&np.id),
                    ..np.clone()
                })
                .collect();
            let targets = targets
                .iter()
                .filter(|(_, _, n, _, _)| *n == node.id)
                .map(|(tid, name, _, status, project)| {
                    Ok(NodeTarget {
                        id: *tid,
                        name: name.clone(),
                        status: TargetStatus::parse(status)
                            .ok_or_else(|| StoreError::Corrupt(format!("target {tid}: status {status}")))?,
                        project_id: *project,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            nodes.push(NodeLocal {
                node: node.clone(),
                presence: p,
                enterprises,
                projects,
                targets,
            });
        }
        Ok(ChainMap {
            stored,
            chain,
            nodes,
            gaps,
        })
    }
}

fn in_use(what_zh: &str, what_en: &str, n: i64) -> StoreError {
    StoreError::invalid(
        "code",
        Rule::Other {
            zh: format!("环节上还有 {n} 个{what_zh}，请先移走后再删除"),
            en: format!("{n} {what_en} still sit on the node; move them first"),
        },
    )
}

impl WriteTx {
    /// Creates a chain from a whole spec (a copy of the shipped lithium chain, or an empty one),
    /// after the domain has checked it.
    pub async fn create_chain_from_spec(&mut self, region_id: i64, spec: &ChainSpec) -> Result<i64> {
        Chain::new(spec.clone()).map_err(|e| StoreError::Invalid(e.to_validation_errors()))?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM chains WHERE region_id = $1 AND code = $2")
            .bind(region_id)
            .bind(&spec.code)
            .fetch_optional(self.conn())
            .await?;
        if taken.is_some() {
            return Err(StoreError::invalid("code", Rule::Duplicate));
        }
        let now = self.now().to_string();
        let (chain_id,): (i64,) = sqlx::query_as(
            "INSERT INTO chains (region_id, name, code, name_en, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(region_id)
        .bind(&spec.name)
        .bind(&spec.code)
        .bind(&spec.name_en)
        .bind(&spec.source)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        let mut ids = std::collections::HashMap::new();
        for (i, n) in spec.nodes.iter().enumerate() {
            let id = self.insert_node(chain_id, n, i as i64).await?;
            ids.insert(n.code.clone(), id);
        }
        for e in &spec.edges {
            self.insert_edge(chain_id, ids[&e.from], ids[&e.to], e.recycling)
                .await?;
        }
        self.audit(
            "create",
            "chain",
            Some(chain_id),
            None::<&()>,
            Some(&serde_json::json!({"code": spec.code, "name": spec.name, "nodes": spec.nodes.len(), "edges": spec.edges.len()})),
        );
        Ok(chain_id)
    }

    async fn insert_node(&mut self, chain_id: i64, n: &NodeSpec, sort_order: i64) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO chain_nodes (chain_id, code, name, stage, sort_order, name_en, by_product, capacity_unit, strong_capacity_raw) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(chain_id)
        .bind(&n.code)
        .bind(&n.name)
        .bind(n.stage.code())
        .bind(sort_order)
        .bind(&n.name_en)
        .bind(n.by_product as i64)
        .bind(&n.capacity_unit)
        .bind(amount_raw(n.strong_capacity))
        .fetch_one(self.conn())
        .await?;
        Ok(id)
    }

    async fn insert_edge(&mut self, chain_id: i64, from: i64, to: i64, recycling: bool) -> Result<()> {
        sqlx::query("INSERT INTO chain_edges (chain_id, from_node_id, to_node_id, recycling) VALUES ($1, $2, $3, $4)")
            .bind(chain_id)
            .bind(from)
            .bind(to)
            .bind(recycling as i64)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    async fn chain_for_change(&mut self, region_id: i64, chain_id: i64, expected_version: i64) -> Result<StoredChain> {
        let chain = load_chain(self.conn(), chain_id).await?;
        if chain.summary.region_id != region_id {
            return Err(StoreError::NotFound {
                entity: "chain",
                id: chain_id,
            });
        }
        if chain.summary.version != expected_version {
            return Err(conflict("chain", chain_id, chain.summary.version, &chain.summary));
        }
        Ok(chain)
    }

    async fn bump_chain(&mut self, chain_id: i64) -> Result<()> {
        let now = self.now().to_string();
        sqlx::query("UPDATE chains SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(chain_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Changes a chain's structure. The whole chain after the edit is checked by the domain
    /// first ([`ChainEdit::apply`]): a cycle that is not a declared recycling loop, an unknown
    /// node or a duplicate is refused with the domain's message and nothing is written. A node
    /// that projects or investment targets sit on cannot be deleted.
    pub async fn edit_chain(
        &mut self,
        region_id: i64,
        chain_id: i64,
        expected_version: i64,
        edit: &ChainEdit,
    ) -> Result<()> {
        let stored = self.chain_for_change(region_id, chain_id, expected_version).await?;
        let spec = stored.spec()?;
        edit.apply(&spec)?;
        let id_of = |code: &str| stored.node_by_code(code).map(|n| n.id);
        match edit {
            ChainEdit::AddNode { node } => {
                let next = stored.nodes.iter().map(|n| n.sort_order).max().unwrap_or(-1) + 1;
                self.insert_node(chain_id, node, next).await?;
            }
            ChainEdit::UpdateNode { code, node } => {
                sqlx::query(
                    "UPDATE chain_nodes SET name = $1, name_en = $2, stage = $3, by_product = $4, capacity_unit = $5, \
                     strong_capacity_raw = $6 WHERE chain_id = $7 AND code = $8",
                )
                .bind(&node.name)
                .bind(&node.name_en)
                .bind(node.stage.code())
                .bind(node.by_product as i64)
                .bind(&node.capacity_unit)
                .bind(amount_raw(node.strong_capacity))
                .bind(chain_id)
                .bind(code)
                .execute(self.conn())
                .await?;
            }
            ChainEdit::DeleteNode { code } => {
                let node_id = id_of(code).ok_or(StoreError::NotFound {
                    entity: "chain_node",
                    id: 0,
                })?;
                let (projects,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM projects WHERE chain_node_id = $1")
                    .bind(node_id)
                    .fetch_one(self.conn())
                    .await?;
                if projects > 0 {
                    return Err(in_use("项目", "projects", projects));
                }
                let (targets,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM investment_targets WHERE node_id = $1")
                    .bind(node_id)
                    .fetch_one(self.conn())
                    .await?;
                if targets > 0 {
                    return Err(in_use("招商目标", "investment targets", targets));
                }
                for sql in [
                    "DELETE FROM chain_edges WHERE from_node_id = $1 OR to_node_id = $1",
                    "DELETE FROM enterprise_chain_nodes WHERE node_id = $1",
                    "DELETE FROM chain_nodes WHERE id = $1",
                ] {
                    sqlx::query(sql).bind(node_id).execute(self.conn()).await?;
                }
            }
            ChainEdit::AddEdge { edge } => {
                let (Some(f), Some(t)) = (id_of(&edge.from), id_of(&edge.to)) else {
                    return Err(StoreError::Corrupt("a checked edge names unknown nodes".into()));
                };
                self.insert_edge(chain_id, f, t, edge.recycling).await?;
            }
            ChainEdit::DeleteEdge { from, to } => {
                let (Some(f), Some(t)) = (id_of(from), id_of(to)) else {
                    return Err(StoreError::Corrupt("a checked edge names unknown nodes".into()));
                };
                sqlx::query("DELETE FROM chain_edges WHERE chain_id = $1 AND from_node_id = $2 AND to_node_id = $3")
                    .bind(chain_id)
                    .bind(f)
                    .bind(t)
                    .execute(self.conn())
                    .await?;
            }
        }
        self.bump_chain(chain_id).await?;
        self.audit("edit", "chain", Some(chain_id), None::<&()>, Some(edit));
        Ok(())
    }

    /// Sets the chain's presence rules; `None` goes back to the shipped ones.
    pub async fn set_presence_rules(
        &mut self,
        region_id: i64,
        chain_id: i64,
        expected_version: i64,
        rules: Option<&PresenceRules>,
    ) -> Result<()> {
        let stored = self.chain_for_change(region_id, chain_id, expected_version).await?;
        if let Some(r) = rules {
            r.validate()?;
        }
        let json = rules.map(|r| serde_json::to_string(r).expect("rules serialise"));
        sqlx::query("UPDATE chains SET presence_rules_json = $1 WHERE id = $2")
            .bind(&json)
            .bind(chain_id)
            .execute(self.conn())
            .await?;
        self.bump_chain(chain_id).await?;
        self.audit(
            "presence_rules",
            "chain",
            Some(chain_id),
            Some(&stored.rules),
            Some(&rules.cloned().unwrap_or_else(PresenceRules::builtin)),
        );
        Ok(())
    }

    /// Checks that a node belongs to one of the region's chains (reported on `field`).
    pub(crate) async fn node_in_region_pub(&mut self, field: &str, node_id: i64, region_id: i64) -> Result<()> {
        self.node_in_region(field, node_id, region_id).await
    }

    async fn node_in_region(&mut self, field: &str, node_id: i64, region_id: i64) -> Result<()> {
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT n.id FROM chain_nodes n JOIN chains c ON c.id = n.chain_id WHERE n.id = $1 AND c.region_id = $2",
        )
        .bind(node_id)
        .bind(region_id)
        .fetch_optional(self.conn())
        .await?;
        match found {
            Some(_) => Ok(()),
            None => Err(StoreError::unknown(field, "产业链环节 / chain node")),
        }
    }

    /// Places an enterprise on a node with its capacity there (or updates its capacity).
    pub async fn place_enterprise(&mut self, region_id: i64, node_id: i64, p: &Placement) -> Result<()> {
        self.node_in_region("node_id", node_id, region_id).await?;
        self.check_enterprise("enterprise_id", Some(p.enterprise_id), region_id)
            .await?;
        sqlx::query("DELETE FROM enterprise_chain_nodes WHERE enterprise_id = $1 AND node_id = $2")
            .bind(p.enterprise_id)
            .bind(node_id)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO enterprise_chain_nodes (enterprise_id, node_id, capacity_raw) VALUES ($1, $2, $3)")
            .bind(p.enterprise_id)
            .bind(node_id)
            .bind(amount_raw(p.capacity))
            .execute(self.conn())
            .await?;
        self.audit(
            "place",
            "chain_node",
            Some(node_id),
            None::<&()>,
            Some(&serde_json::json!({"enterprise_id": p.enterprise_id, "capacity": p.capacity})),
        );
        Ok(())
    }

    /// Takes an enterprise off a node.
    pub async fn remove_enterprise_from_node(
        &mut self,
        region_id: i64,
        node_id: i64,
        enterprise_id: i64,
    ) -> Result<()> {
        self.node_in_region("node_id", node_id, region_id).await?;
        let n = sqlx::query("DELETE FROM enterprise_chain_nodes WHERE enterprise_id = $1 AND node_id = $2")
            .bind(enterprise_id)
            .bind(node_id)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::unknown("enterprise_id", "企业 / enterprise"));
        }
        self.audit(
            "unplace",
            "chain_node",
            Some(node_id),
            Some(&serde_json::json!({"enterprise_id": enterprise_id})),
            None::<&()>,
        );
        Ok(())
    }
}
