//! Methods (评价办法 / 排名办法) as versioned JSON. Saving a method that differs from its latest
//! version adds a version; saving the same method again adds nothing. Rows are never updated or
//! deleted, so an evaluation that used version 3 can always be reproduced from version 3.

use crate::row::RowExt;
use crate::sql::Sql;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::labelled_enum;
use chainforce_domain::permu::EvaluationConfig;
use chainforce_domain::ranking::RankingConfig;
use chainforce_domain::validation::ValidationErrors;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;

labelled_enum! {
    /// What a method decides.
    pub enum MethodKind {
        /// 亩均评价办法.
        Evaluation = ("evaluation", "亩均评价办法", "Per-mu evaluation method"),
        /// 排名办法.
        Ranking = ("ranking", "单位排名办法", "Unit ranking method"),
    }
}

/// One stored version of a method.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeroMethod {
    pub id: i64,
    pub region_id: i64,
    pub kind: MethodKind,
    /// The method's own `id` (`huangyan-2022`).
    pub code: String,
    pub version_no: i64,
    pub name: String,
    pub content_hash: String,
    pub created_by: Option<String>,
    pub created_at: String,
    /// Evaluations that used this version (a used version is what a published evaluation cites).
    pub used_by: i64,
}

/// What saving a method did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedMethod {
    pub id: i64,
    pub version_no: i64,
    /// `false` when the method was the same as its latest version, which is returned instead.
    pub created: bool,
}

/// A method type storage can keep: parsed and checked by the domain, named and hashed by it.
trait Method: Serialize + DeserializeOwned {
    const KIND: MethodKind;
    fn parse(json: &str) -> Result<Self, ValidationErrors>;
    fn code(&self) -> &str;
    fn name(&self) -> &str;
    fn hash(&self) -> String;
}

impl Method for EvaluationConfig {
    const KIND: MethodKind = MethodKind::Evaluation;
    fn parse(json: &str) -> Result<Self, ValidationErrors> {
        EvaluationConfig::from_json(json)
    }
    fn code(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn hash(&self) -> String {
        self.content_hash()
    }
}

impl Method for RankingConfig {
    const KIND: MethodKind = MethodKind::Ranking;
    fn parse(json: &str) -> Result<Self, ValidationErrors> {
        RankingConfig::from_json(json)
    }
    fn code(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn hash(&self) -> String {
        self.content_hash()
    }
}

const SELECT: &str = "SELECT m.id, m.region_id, m.kind, m.code, m.version_no, m.name, m.content_hash, m.created_at, \
     u.display_name AS created_by_name, (SELECT COUNT(*) FROM evaluations e WHERE e.method_id = m.id) AS used_by \
     FROM hero_methods m LEFT JOIN users u ON u.id = m.created_by";

fn from_row(r: &AnyRow) -> Result<HeroMethod, sqlx::Error> {
    Ok(HeroMethod {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        kind: r.coded("kind", MethodKind::parse)?,
        code: r.text("code")?,
        version_no: r.i64("version_no")?,
        name: r.text("name")?,
        content_hash: r.text("content_hash")?,
        created_by: r.opt_text("created_by_name")?,
        created_at: r.text("created_at")?,
        used_by: r.i64("used_by")?,
    })
}

/// A stored method's JSON read back: it was checked when saved, so a failure is corruption.
fn parse_stored<M: Method>(id: i64, json: &str) -> Result<M> {
    M::parse(json).map_err(|e| StoreError::Corrupt(format!("stored method {id} no longer parses: {e:?}")))
}

impl Store {
    /// Every version of the region's methods of `kind` (all kinds when `None`), by kind and
    /// code, newest version first.
    pub async fn hero_methods(&self, region_id: i64, kind: Option<MethodKind>) -> Result<Vec<HeroMethod>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE m.region_id = ").bind(region_id);
        if let Some(k) = kind {
            sql.push(" AND m.kind = ").bind(k.code());
        }
        sql.push(" ORDER BY m.kind, m.code, m.version_no DESC");
        let rows = sql.query().fetch_all(&self.read).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// One version with its JSON.
    pub async fn hero_method(&self, id: i64) -> Result<(HeroMethod, String)> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE m.id = ").bind(id);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound { entity: "method", id })?;
        let (json,): (String,) = sqlx::query_as("SELECT method_json FROM hero_methods WHERE id = $1")
            .bind(id)
            .fetch_one(&self.read)
            .await?;
        Ok((from_row(&row)?, json))
    }

    /// The ranking method in force: the newest version saved in the region, or the shipped
    /// default (`None` as the stored version) when the office has saved none yet.
    pub async fn ranking_method(&self, region_id: i64) -> Result<(Option<HeroMethod>, RankingConfig)> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE m.region_id = ")
            .bind(region_id)
            .push(" AND m.kind = ")
            .bind(MethodKind::Ranking.code())
            .push(" ORDER BY m.id DESC LIMIT 1");
        match sql.query().fetch_optional(&self.read).await? {
            None => Ok((None, chainforce_domain::ranking::default_method())),
            Some(row) => {
                let m = from_row(&row)?;
                let (_, json) = self.hero_method(m.id).await?;
                let config = parse_stored(m.id, &json)?;
                Ok((Some(m), config))
            }
        }
    }
}

impl WriteTx {
    /// Saves an evaluation method (a new version when it differs from the latest of its code).
    /// Errors name the JSON path: `groups[0].indicators[2].weight`.
    pub async fn save_evaluation_method(&mut self, region_id: i64, json: &str) -> Result<SavedMethod> {
        self.save_method::<EvaluationConfig>(region_id, json).await
    }

    /// Saves a ranking method (a new version when it differs from the latest of its code).
    pub async fn save_ranking_method(&mut self, region_id: i64, json: &str) -> Result<SavedMethod> {
        self.save_method::<RankingConfig>(region_id, json).await
    }

    async fn save_method<M: Method>(&mut self, region_id: i64, json: &str) -> Result<SavedMethod> {
        let method = M::parse(json)?;
        let hash = method.hash();
        let latest: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, version_no, content_hash FROM hero_methods WHERE region_id = $1 AND kind = $2 AND code = $3 \
             ORDER BY version_no DESC LIMIT 1",
        )
        .bind(region_id)
        .bind(M::KIND.code())
        .bind(method.code())
        .fetch_optional(self.conn())
        .await?;
        if let Some((id, version_no, h)) = &latest
            && *h == hash
        {
            return Ok(SavedMethod {
                id: *id,
                version_no: *version_no,
                created: false,
            });
        }
        let version_no = latest.map_or(1, |(_, v, _)| v + 1);
        // The canonical form is what was hashed: reading it back gives the same method and hash.
        let canonical = serde_json::to_string_pretty(&method).expect("a checked method serialises");
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO hero_methods (region_id, kind, code, version_no, name, method_json, content_hash, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(region_id)
        .bind(M::KIND.code())
        .bind(method.code())
        .bind(version_no)
        .bind(method.name())
        .bind(&canonical)
        .bind(&hash)
        .bind(user)
        .bind(&now)
        .fetch_one(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("id"))?;
        self.audit(
            "create",
            "method",
            Some(id),
            None::<&()>,
            Some(&serde_json::json!({"kind": M::KIND, "code": method.code(), "version_no": version_no, "content_hash": hash})),
        );
        Ok(SavedMethod {
            id,
            version_no,
            created: true,
        })
    }

    /// An evaluation method version of the region, parsed.
    pub(crate) async fn evaluation_method_in_tx(
        &mut self,
        region_id: i64,
        id: i64,
    ) -> Result<(EvaluationConfig, String)> {
        let row: Option<(i64, String, String, String)> =
            sqlx::query_as("SELECT region_id, kind, method_json, content_hash FROM hero_methods WHERE id = $1")
                .bind(id)
                .fetch_optional(self.conn())
                .await?;
        match row {
            Some((r, kind, json, hash)) if r == region_id && kind == MethodKind::Evaluation.code() => {
                Ok((parse_stored(id, &json)?, hash))
            }
            _ => Err(StoreError::unknown("method_id", "评价办法 / evaluation method")),
        }
    }
}

/// A stored evaluation method's JSON, parsed (for reproducing an evaluation).
pub(crate) fn parse_evaluation_method(id: i64, json: &str) -> Result<EvaluationConfig> {
    parse_stored(id, json)
}
