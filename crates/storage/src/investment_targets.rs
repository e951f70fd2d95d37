//! 招商目标库: candidate outside enterprises per chain node, their contact history (接洽记录),
//! and the one action that turns a target into a 线索 project in the pipeline.

use crate::row::RowExt;
use crate::sql::Sql;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::chain::{ContactDraft, TargetDraft, TargetStatus};
use chainforce_domain::credit_code::CreditCode;
use chainforce_domain::project::{ProjectDraft, Stage};
use chainforce_domain::validation::Rule;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

/// A target with the names of its node, chain and project.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvestmentTarget {
    pub id: i64,
    pub region_id: i64,
    #[serde(flatten)]
    pub draft: TargetDraft,
    pub node_code: String,
    pub node_name: String,
    pub chain_id: i64,
    pub chain_name: String,
    /// The 线索 project it became.
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub converted_at: Option<String>,
    pub contacts: i64,
    pub last_contact: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// One contact with a target.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetContact {
    pub id: i64,
    pub contact_date: String,
    pub channel: Option<String>,
    pub summary: String,
    pub recorded_by: Option<String>,
    pub created_at: String,
}

/// The filters of the target list (all optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetFilter {
    pub chain_id: Option<i64>,
    pub node_id: Option<i64>,
    pub status: Option<TargetStatus>,
}

const SELECT: &str = "SELECT t.*, n.code AS node_code, n.name AS node_name, c.id AS chain_id, c.name AS chain_name, \
     p.name AS project_name, \
     (SELECT COUNT(*) FROM target_contacts k WHERE k.target_id = t.id) AS contact_count, \
     (SELECT MAX(k.contact_date) FROM target_contacts k WHERE k.target_id = t.id) AS last_contact \
     FROM investment_targets t JOIN chain_nodes n ON n.id = t.node_id JOIN chains c ON c.id = n.chain_id \
     LEFT JOIN projects p ON p.id = t.project_id";

fn from_row(r: &AnyRow) -> Result<InvestmentTarget, sqlx::Error> {
    let credit_code = match r.opt_text("credit_code")? {
        Some(c) => Some(CreditCode::parse(&c).map_err(|_| sqlx::Error::ColumnDecode {
            index: "credit_code".into(),
            source: format!("'{c}' is not a credit code").into(),
        })?),
        None => None,
    };
    Ok(InvestmentTarget {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        draft: TargetDraft {
            node_id: r.i64("node_id")?,
            name: r.text("name")?,
            credit_code,
            headquarters: r.opt_text("headquarters")?,
            contact_person: r.opt_text("contact_person")?,
            phone: r.opt_text("phone")?,
            notes: r.opt_text("notes")?,
            status: r.coded("status", TargetStatus::parse)?,
        },
        node_code: r.text("node_code")?,
        node_name: r.text("node_name")?,
        chain_id: r.i64("chain_id")?,
        chain_name: r.text("chain_name")?,
        project_id: r.opt_i64("project_id")?,
        project_name: r.opt_text("project_name")?,
        converted_at: r.opt_text("converted_at")?,
        contacts: r.i64("contact_count")?,
        last_contact: r.opt_text("last_contact")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

impl Store {
    /// The region's targets, by chain order of their node, then name.
    pub async fn investment_targets(&self, region_id: i64, f: &TargetFilter) -> Result<Vec<InvestmentTarget>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE t.region_id = ").bind(region_id);
        if let Some(c) = f.chain_id {
            sql.push(" AND c.id = ").bind(c);
        }
        if let Some(n) = f.node_id {
            sql.push(" AND t.node_id = ").bind(n);
        }
        if let Some(s) = f.status {
            sql.push(" AND t.status = ").bind(s.code());
        }
        sql.push(" ORDER BY c.id, n.sort_order, t.name, t.id");
        let rows = sql.query().fetch_all(&self.read).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn investment_target(&self, id: i64) -> Result<InvestmentTarget> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE t.id = ").bind(id);
        let row = sql.query().fetch_optional(&self.read).await?;
        row.as_ref().map(from_row).transpose()?.ok_or(StoreError::NotFound {
            entity: "investment_target",
            id,
        })
    }

    /// A target's contacts, oldest first.
    pub async fn target_contacts(&self, target_id: i64) -> Result<Vec<TargetContact>> {
        let rows = sqlx::query(
            "SELECT k.*, u.display_name AS recorded_by_name FROM target_contacts k LEFT JOIN users u ON u.id = k.recorded_by \
             WHERE k.target_id = $1 ORDER BY k.contact_date, k.id",
        )
        .bind(target_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TargetContact {
                    id: r.i64("id")?,
                    contact_date: r.text("contact_date")?,
                    channel: r.opt_text("channel")?,
                    summary: r.text("summary")?,
                    recorded_by: r.opt_text("recorded_by_name")?,
                    created_at: r.text("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

impl WriteTx {
    async fn target_in_tx(&mut self, id: i64, region_id: i64) -> Result<InvestmentTarget> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE t.id = ").bind(id);
        let row = sql.query().fetch_optional(self.conn()).await?;
        match row.as_ref().map(from_row).transpose()? {
            Some(t) if t.region_id == region_id => Ok(t),
            _ => Err(StoreError::NotFound {
                entity: "investment_target",
                id,
            }),
        }
    }

    pub async fn create_target(&mut self, region_id: i64, d: &TargetDraft) -> Result<i64> {
        self.node_in_region_pub("node_id", d.node_id, region_id).await?;
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO investment_targets (region_id, node_id, name, credit_code, headquarters, contact_person, phone, notes, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(region_id)
        .bind(d.node_id)
        .bind(&d.name)
        .bind(d.credit_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(&d.headquarters)
        .bind(&d.contact_person)
        .bind(&d.phone)
        .bind(&d.notes)
        .bind(d.status.code())
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit("create", "investment_target", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    /// Saves a target's fields. A converted target keeps its status (it is a project now).
    pub async fn update_target(
        &mut self,
        region_id: i64,
        id: i64,
        expected_version: i64,
        d: &TargetDraft,
    ) -> Result<()> {
        let before = self.target_in_tx(id, region_id).await?;
        if before.version != expected_version {
            return Err(conflict("investment_target", id, before.version, &before));
        }
        self.node_in_region_pub("node_id", d.node_id, region_id).await?;
        let status = if before.project_id.is_some() {
            TargetStatus::Converted
        } else {
            d.status
        };
        let now = self.now().to_string();
        sqlx::query(
            "UPDATE investment_targets SET node_id = $1, name = $2, credit_code = $3, headquarters = $4, contact_person = $5, \
             phone = $6, notes = $7, status = $8, updated_at = $9, version = version + 1 WHERE id = $10 AND version = $11",
        )
        .bind(d.node_id)
        .bind(&d.name)
        .bind(d.credit_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(&d.headquarters)
        .bind(&d.contact_person)
        .bind(&d.phone)
        .bind(&d.notes)
        .bind(status.code())
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?;
        self.audit("update", "investment_target", Some(id), Some(&before.draft), Some(d));
        Ok(())
    }

    /// Adds a contact to the target's history.
    pub async fn add_target_contact(&mut self, region_id: i64, target_id: i64, d: &ContactDraft) -> Result<i64> {
        self.target_in_tx(target_id, region_id).await?;
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO target_contacts (target_id, contact_date, channel, summary, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(target_id)
        .bind(d.contact_date.format("%Y-%m-%d").to_string())
        .bind(&d.channel)
        .bind(&d.summary)
        .bind(user)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.audit("contact", "investment_target", Some(target_id), None::<&()>, Some(d));
        Ok(id)
    }

    /// Turns a target into a project at stage 线索 on the target's node, and links the two. A
    /// target is turned once: a second time is refused, naming the project it became.
    pub async fn convert_target(
        &mut self,
        region_id: i64,
        target_id: i64,
        expected_version: i64,
        project: &ProjectDraft,
    ) -> Result<i64> {
        let before = self.target_in_tx(target_id, region_id).await?;
        if let Some(pid) = before.project_id {
            let name = before.project_name.clone().unwrap_or_default();
            return Err(StoreError::invalid(
                "target",
                Rule::Other {
                    zh: format!("该招商目标已转为线索项目「{name}」（编号 {pid}），不能重复转换"),
                    en: format!(
                        "this target already became the lead project “{name}” (no. {pid}); it cannot be turned again"
                    ),
                },
            ));
        }
        if before.version != expected_version {
            return Err(conflict("investment_target", target_id, before.version, &before));
        }
        let draft = ProjectDraft {
            chain_node_id: Some(before.draft.node_id),
            stage: Stage::Lead,
            ..project.clone()
        };
        let project_id = self.create_project(region_id, &draft).await?;
        let now = self.now().to_string();
        sqlx::query(
            "UPDATE investment_targets SET project_id = $1, status = $2, converted_at = $3, updated_at = $3, version = version + 1 \
             WHERE id = $4 AND version = $5",
        )
        .bind(project_id)
        .bind(TargetStatus::Converted.code())
        .bind(&now)
        .bind(target_id)
        .bind(expected_version)
        .execute(self.conn())
        .await?;
        self.audit(
            "convert",
            "investment_target",
            Some(target_id),
            Some(&before.draft),
            Some(&serde_json::json!({"project_id": project_id, "status": TargetStatus::Converted})),
        );
        Ok(project_id)
    }
}
