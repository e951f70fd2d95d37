//! 亩均 evaluations: run on the year's figures with a stored method version, kept as a draft the
//! office may re-run or discard, then published — and from then on frozen. The input snapshot,
//! the method version and both hashes are stored with the result, so anyone can reproduce it
//! ([`Store::verify_evaluation`]).

use super::methods::parse_evaluation_method;
use crate::row::RowExt;
use crate::sql::Sql;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::labelled_enum;
use chainforce_domain::permu::{Class, EnterpriseResult, Evaluation, EvaluationConfig, EvaluationData, evaluate};
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};

labelled_enum! {
    /// Where an evaluation stands.
    pub enum EvaluationStatus {
        /// 草稿 — the office checks it; it may be re-run or discarded.
        Draft = ("draft", "草稿", "Draft"),
        /// 已发布 — frozen: the classes and policies apply.
        Published = ("published", "已发布", "Published"),
    }
}

/// An evaluation without its (large) input and result.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EvaluationSummary {
    pub id: i64,
    pub region_id: i64,
    pub year: i32,
    pub method_id: i64,
    pub method_code: String,
    pub method_version_no: i64,
    pub method_name: String,
    pub method_hash: String,
    pub input_hash: String,
    pub status: EvaluationStatus,
    pub enterprises: i64,
    pub rated: i64,
    pub created_by: Option<String>,
    pub created_at: String,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    pub version: i64,
}

/// Whether a stored evaluation comes out the same when run again from what it recorded.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Reproduction {
    /// The method version still hashes to the hash the evaluation recorded.
    pub method_hash_matches: bool,
    /// The input snapshot still hashes to the recorded hash.
    pub input_hash_matches: bool,
    /// Running the method on the snapshot gives the stored result, to the last digit.
    pub same_result: bool,
}

impl Reproduction {
    pub fn ok(&self) -> bool {
        self.method_hash_matches && self.input_hash_matches && self.same_result
    }
}

const SELECT: &str = "SELECT e.id, e.region_id, e.year, e.method_id, m.code AS method_code, m.version_no AS method_version_no, \
     m.name AS method_name, e.method_hash, e.input_hash, e.status, e.enterprises, e.rated, cu.display_name AS created_by_name, \
     e.created_at, pu.display_name AS published_by_name, e.published_at, e.version \
     FROM evaluations e JOIN hero_methods m ON m.id = e.method_id \
     LEFT JOIN users cu ON cu.id = e.created_by LEFT JOIN users pu ON pu.id = e.published_by";

fn from_row(r: &AnyRow) -> Result<EvaluationSummary, sqlx::Error> {
    Ok(EvaluationSummary {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        year: r.i64("year")? as i32,
        method_id: r.i64("method_id")?,
        method_code: r.text("method_code")?,
        method_version_no: r.i64("method_version_no")?,
        method_name: r.text("method_name")?,
        method_hash: r.text("method_hash")?,
        input_hash: r.text("input_hash")?,
        status: r.coded("status", EvaluationStatus::parse)?,
        enterprises: r.i64("enterprises")?,
        rated: r.i64("rated")?,
        created_by: r.opt_text("created_by_name")?,
        created_at: r.text("created_at")?,
        published_by: r.opt_text("published_by_name")?,
        published_at: r.opt_text("published_at")?,
        version: r.i64("version")?,
    })
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, id: i64, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("{what} of evaluation {id}: {e}")))
}

/// Cards inserted per statement: few round trips, well under both backends' parameter limits.
const CARDS_PER_INSERT: usize = 200;

impl Store {
    /// The region's evaluations, newest year first.
    pub async fn evaluations(&self, region_id: i64) -> Result<Vec<EvaluationSummary>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE e.region_id = ")
            .bind(region_id)
            .push(" ORDER BY e.year DESC, e.id DESC");
        let rows = sql.query().fetch_all(&self.read).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn evaluation(&self, id: i64) -> Result<EvaluationSummary> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE e.id = ").bind(id);
        let row = sql.query().fetch_optional(&self.read).await?;
        row.as_ref().map(from_row).transpose()?.ok_or(StoreError::NotFound {
            entity: "evaluation",
            id,
        })
    }

    /// The whole result: benchmarks, every card, the distribution.
    pub async fn evaluation_result(&self, id: i64) -> Result<Evaluation> {
        let (json,): (String,) = sqlx::query_as("SELECT result_json FROM evaluations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "evaluation",
                id,
            })?;
        decode("result", id, &json)
    }

    /// One enterprise's card.
    pub async fn evaluation_card(&self, evaluation_id: i64, enterprise_id: i64) -> Result<Option<EnterpriseResult>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT card_json FROM evaluation_cards WHERE evaluation_id = $1 AND enterprise_id = $2")
                .bind(evaluation_id)
                .bind(enterprise_id)
                .fetch_optional(&self.read)
                .await?;
        row.map(|(json,)| decode("card", evaluation_id, &json)).transpose()
    }

    /// The newest published evaluation that rated (or listed) `enterprise_id`: the card an
    /// enterprise is shown.
    pub async fn latest_published_for(&self, region_id: i64, enterprise_id: i64) -> Result<Option<EvaluationSummary>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE e.region_id = ")
            .bind(region_id)
            .push(" AND e.status = 'published' AND EXISTS (SELECT 1 FROM evaluation_cards c WHERE c.evaluation_id = e.id AND c.enterprise_id = ")
            .bind(enterprise_id)
            .push(") ORDER BY e.year DESC, e.published_at DESC, e.id DESC LIMIT 1");
        let row = sql.query().fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Runs the evaluation again from the method version and the input snapshot it recorded,
    /// and compares.
    pub async fn verify_evaluation(&self, id: i64) -> Result<Reproduction> {
        let row: Option<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT e.method_id, e.method_hash, e.input_json, e.input_hash, e.result_json FROM evaluations e WHERE e.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        let (method_id, method_hash, input_json, input_hash, result_json) = row.ok_or(StoreError::NotFound {
            entity: "evaluation",
            id,
        })?;
        let (_, method_json) = self.hero_method(method_id).await?;
        let config = parse_evaluation_method(method_id, &method_json)?;
        let data: EvaluationData = decode("input", id, &input_json)?;
        let stored: serde_json::Value = decode("result", id, &result_json)?;
        let again = evaluate(&config, &data)
            .ok()
            .and_then(|ev| serde_json::to_value(ev).ok());
        Ok(Reproduction {
            method_hash_matches: config.content_hash() == method_hash,
            input_hash_matches: data.content_hash() == input_hash,
            same_result: again.as_ref() == Some(&stored),
        })
    }
}

impl WriteTx {
    async fn evaluation_in_tx(&mut self, id: i64) -> Result<EvaluationSummary> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE e.id = ").bind(id);
        let row = sql.query().fetch_optional(self.conn()).await?;
        row.as_ref().map(from_row).transpose()?.ok_or(StoreError::NotFound {
            entity: "evaluation",
            id,
        })
    }

    /// The evaluation, if it may still change: a published one is refused here, for every
    /// caller, before anything is written.
    async fn draft_in_tx(&mut self, id: i64, expected_version: i64) -> Result<EvaluationSummary> {
        let e = self.evaluation_in_tx(id).await?;
        if e.status == EvaluationStatus::Published {
            return Err(StoreError::Frozen {
                entity: "evaluation",
                id,
                reason: None,
            });
        }
        if e.version != expected_version {
            return Err(conflict("evaluation", id, e.version, &e));
        }
        Ok(e)
    }

    /// What an evaluation of `year` reads: the year's figures with each enterprise's classes in
    /// the published evaluations of the years before (for surcharges that grow year by year),
    /// the prior year's figures (for benchmarks derived from them), and — when `config` lists
    /// the deduction item — its commitments for ore behind schedule at the end of the year (or
    /// today, for the year still running). They become part of the input snapshot, so a
    /// published evaluation reproduces whatever happens to the commitments later.
    async fn evaluation_data_in_tx(
        &mut self,
        region_id: i64,
        year: i32,
        config: &EvaluationConfig,
    ) -> Result<EvaluationData> {
        let mut enterprises = self.enterprise_years_in_tx(region_id, year).await?;
        let prior_year = self.enterprise_years_in_tx(region_id, year - 1).await?;
        let previous = self.previous_classes_in_tx(region_id, year).await?;
        for e in &mut enterprises {
            e.previous_classes = previous.get(&e.enterprise_id).cloned().unwrap_or_default();
        }
        let mut data = EvaluationData {
            year,
            enterprises,
            prior_year,
        };
        let year_end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(chrono::NaiveDate::MAX);
        let as_of = year_end.min(crate::clock::today());
        let mut behind: BTreeMap<i64, u32> = BTreeMap::new();
        for c in self.store().commitment_alerts(region_id, as_of).await? {
            *behind.entry(c.enterprise_id).or_default() += 1;
        }
        data.count_commitments_behind(config, &behind);
        Ok(data)
    }

    /// Each enterprise's classes in the unbroken run of published years before `year`, most
    /// recent first (the newest publication of a year counts).
    async fn previous_classes_in_tx(&mut self, region_id: i64, year: i32) -> Result<HashMap<i64, Vec<Class>>> {
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT e.id, e.year, c.enterprise_id, c.class FROM evaluations e JOIN evaluation_cards c ON c.evaluation_id = e.id \
             WHERE e.region_id = $1 AND e.status = 'published' AND e.year < $2 ORDER BY e.year DESC, e.published_at DESC, e.id DESC",
        )
        .bind(region_id)
        .bind(i64::from(year))
        .fetch_all(self.conn())
        .await?;
        // year → (the evaluation that counts, its classes)
        let mut years: BTreeMap<i64, (i64, HashMap<i64, Class>)> = BTreeMap::new();
        for (evaluation_id, y, enterprise_id, class) in rows {
            let (counted, classes) = years.entry(y).or_insert_with(|| (evaluation_id, HashMap::new()));
            if *counted == evaluation_id {
                let class = Class::parse(&class)
                    .ok_or_else(|| StoreError::Corrupt(format!("evaluation {evaluation_id}: class '{class}'")))?;
                classes.insert(enterprise_id, class);
            }
        }
        let mut out: HashMap<i64, Vec<Class>> = HashMap::new();
        let enterprises: Vec<i64> = years
            .values()
            .flat_map(|(_, c)| c.keys().copied())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for enterprise_id in enterprises {
            let mut y = i64::from(year) - 1;
            let mut run = Vec::new();
            while let Some(class) = years.get(&y).and_then(|(_, c)| c.get(&enterprise_id)) {
                run.push(*class);
                y -= 1;
            }
            if !run.is_empty() {
                out.insert(enterprise_id, run);
            }
        }
        Ok(out)
    }

    /// Evaluates `year` with the method version `method_id` and keeps the draft. Fails, naming
    /// the method entry, when the method cannot be applied to the figures at all.
    pub async fn run_evaluation(&mut self, region_id: i64, year: i32, method_id: i64) -> Result<i64> {
        let (config, method_hash) = self.evaluation_method_in_tx(region_id, method_id).await?;
        let data = self.evaluation_data_in_tx(region_id, year, &config).await?;
        if data.enterprises.is_empty() {
            return Err(StoreError::invalid(
                "year",
                chainforce_domain::Rule::Other {
                    zh: format!("{year} 年还没有企业年度数据，请先导入"),
                    en: format!("there are no enterprise figures for {year} yet; import them first"),
                },
            ));
        }
        let result = evaluate(&config, &data)?;
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO evaluations (region_id, year, method_id, method_hash, input_json, input_hash, result_json, status, enterprises, rated, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(region_id)
        .bind(i64::from(year))
        .bind(method_id)
        .bind(&method_hash)
        .bind(json(&data))
        .bind(data.content_hash())
        .bind(json(&result))
        .bind(EvaluationStatus::Draft.code())
        .bind(result.enterprises.len() as i64)
        .bind(rated(&result))
        .bind(user)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.insert_cards(id, &result).await?;
        self.audit(
            "run",
            "evaluation",
            Some(id),
            None::<&()>,
            Some(&digest(&result, &data)),
        );
        Ok(id)
    }

    /// Runs a draft again on the current figures (after a corrected import), with its method.
    pub async fn rerun_evaluation(&mut self, id: i64, expected_version: i64) -> Result<()> {
        let before = self.draft_in_tx(id, expected_version).await?;
        let (config, _) = self.evaluation_method_in_tx(before.region_id, before.method_id).await?;
        let data = self
            .evaluation_data_in_tx(before.region_id, before.year, &config)
            .await?;
        let result = evaluate(&config, &data)?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE evaluations SET input_json = $1, input_hash = $2, result_json = $3, enterprises = $4, rated = $5, updated_at = $6, \
             version = version + 1 WHERE id = $7 AND version = $8 AND status = 'draft'",
        )
        .bind(json(&data))
        .bind(data.content_hash())
        .bind(json(&result))
        .bind(result.enterprises.len() as i64)
        .bind(rated(&result))
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("evaluation", id, before.version, &before));
        }
        sqlx::query("DELETE FROM evaluation_cards WHERE evaluation_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        self.insert_cards(id, &result).await?;
        self.audit(
            "rerun",
            "evaluation",
            Some(id),
            Some(&serde_json::json!({"input_hash": before.input_hash})),
            Some(&digest(&result, &data)),
        );
        Ok(())
    }

    /// Publishes a draft: from now on it is frozen, and the classes and policies apply.
    pub async fn publish_evaluation(&mut self, id: i64, expected_version: i64) -> Result<()> {
        let before = self.draft_in_tx(id, expected_version).await?;
        let now = self.now().to_string();
        let user = self.actor().user_id;
        let n = sqlx::query(
            "UPDATE evaluations SET status = 'published', published_by = $1, published_at = $2, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND version = $4 AND status = 'draft'",
        )
        .bind(user)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("evaluation", id, before.version, &before));
        }
        self.audit(
            "publish",
            "evaluation",
            Some(id),
            Some(&before),
            Some(&serde_json::json!({"status": EvaluationStatus::Published, "method_hash": before.method_hash, "input_hash": before.input_hash})),
        );
        Ok(())
    }

    /// Discards a draft.
    pub async fn discard_evaluation(&mut self, id: i64, expected_version: i64) -> Result<()> {
        let before = self.draft_in_tx(id, expected_version).await?;
        sqlx::query("DELETE FROM evaluation_cards WHERE evaluation_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        let n = sqlx::query("DELETE FROM evaluations WHERE id = $1 AND version = $2 AND status = 'draft'")
            .bind(id)
            .bind(expected_version)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(conflict("evaluation", id, before.version, &before));
        }
        self.audit("discard", "evaluation", Some(id), Some(&before), None::<&()>);
        Ok(())
    }

    async fn insert_cards(&mut self, evaluation_id: i64, result: &Evaluation) -> Result<()> {
        for chunk in result.enterprises.chunks(CARDS_PER_INSERT) {
            let mut sql =
                Sql::new("INSERT INTO evaluation_cards (evaluation_id, enterprise_id, class, card_json) VALUES ");
            for (i, card) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(evaluation_id)
                    .push(", ")
                    .bind(card.enterprise_id)
                    .push(", ")
                    .bind(card.class.code())
                    .push(", ")
                    .bind(json(card))
                    .push(")");
            }
            sql.query().execute(self.conn()).await?;
        }
        Ok(())
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("evaluation values serialise")
}

fn rated(result: &Evaluation) -> i64 {
    result.enterprises.iter().filter(|e| e.class != Class::T).count() as i64
}

/// What the audit trail keeps of a run: enough to recognise it, not the whole result.
fn digest(result: &Evaluation, data: &EvaluationData) -> serde_json::Value {
    serde_json::json!({
        "year": result.year,
        "method": result.config_id,
        "method_hash": result.config_hash,
        "input_hash": data.content_hash(),
        "distribution": result.distribution,
    })
}
