//! Industry chains (产业链) as stored: nodes and "feeds" edges per region.

use crate::row::RowExt;
use crate::{Result, Store, WriteTx};
use serde::Serialize;

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
    pub async fn chain_nodes(&self, region_id: i64) -> Result<Vec<ChainNode>> {
        let rows = sqlx::query(
            "SELECT n.*, c.name AS chain_name FROM chain_nodes n JOIN chains c ON c.id = n.chain_id WHERE c.region_id = $1 \
             ORDER BY c.id, n.sort_order, n.id",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ChainNode {
                    id: r.i64("id")?,
                    chain_id: r.i64("chain_id")?,
                    chain_name: r.text("chain_name")?,
                    code: r.text("code")?,
                    name: r.text("name")?,
                    stage: r.text("stage")?,
                    sort_order: r.i64("sort_order")?,
                })
            })
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
