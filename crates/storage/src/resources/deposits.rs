//! 摸清家底: deposits and mining rights, and the ledger the domain derives from them.

use crate::row::{RowExt, amount_raw};
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::allocation::{Deposit, EstimateCategory, OreType, ResourceLedger, resource_ledger};
use chainforce_domain::chain::{Conversions, LocalSupply};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A deposit as stored: what the office typed, nothing derived.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredDeposit {
    pub deposit: Deposit,
    pub region_id: i64,
    pub version: i64,
    pub updated_at: String,
}

fn from_row(r: &AnyRow) -> Result<StoredDeposit, sqlx::Error> {
    Ok(StoredDeposit {
        deposit: Deposit {
            id: r.i64("id")?,
            name: r.text("name")?,
            place: r.text("place")?,
            ore_type: r.coded("ore_type", OreType::parse)?,
            category: r.coded("category", EstimateCategory::parse)?,
            mining_right: r.opt_text("mining_right")?,
            ore_t: r.amount("ore_t_raw")?,
            li2o_grade_pct: r.amount("li2o_grade_raw")?,
            stated_li2o_t: r.amount("stated_li2o_t_raw")?,
            annual_output_t_ore: r.amount("annual_output_raw")?,
        },
        region_id: r.i64("region_id")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

impl Store {
    /// The region's deposits in the order they were recorded.
    pub async fn deposits(&self, region_id: i64) -> Result<Vec<StoredDeposit>> {
        let rows = sqlx::query("SELECT * FROM deposits WHERE region_id = $1 ORDER BY id")
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn deposit(&self, id: i64) -> Result<StoredDeposit> {
        let row = sqlx::query("SELECT * FROM deposits WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "deposit", id })
    }

    /// The ledger: each deposit with Li2O and LCE derived by `data/conversions.json`, totals per
    /// ore type and place.
    pub async fn resource_ledger(&self, region_id: i64) -> Result<ResourceLedger> {
        let deposits: Vec<Deposit> = self.deposits(region_id).await?.into_iter().map(|d| d.deposit).collect();
        resource_ledger(&deposits, &Conversions::builtin()).map_err(|e| StoreError::Corrupt(format!("deposits: {e:?}")))
    }

    /// What local ore gives the chain's material balance: t LCE a year from the licensed outputs,
    /// and the recoverable reserves.
    pub async fn local_lithium_supply(&self, region_id: i64) -> Result<LocalSupply> {
        Ok(self.resource_ledger(region_id).await?.local_supply())
    }
}

impl WriteTx {
    /// Records a deposit checked by `DepositForm::validate`.
    pub async fn create_deposit(&mut self, region_id: i64, d: &Deposit) -> Result<i64> {
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO deposits (region_id, name, place, ore_type, category, mining_right, ore_t_raw, li2o_grade_raw, \
             stated_li2o_t_raw, annual_output_raw, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
             RETURNING id",
        )
        .bind(region_id)
        .bind(&d.name)
        .bind(&d.place)
        .bind(d.ore_type.code())
        .bind(d.category.code())
        .bind(&d.mining_right)
        .bind(amount_raw(d.ore_t))
        .bind(amount_raw(d.li2o_grade_pct))
        .bind(amount_raw(d.stated_li2o_t))
        .bind(amount_raw(d.annual_output_t_ore))
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        let mut after = d.clone();
        after.id = id;
        self.audit("create", "deposit", Some(id), None::<&()>, Some(&after));
        Ok(id)
    }

    /// Changes a deposit if nobody else did since `expected_version`.
    pub async fn update_deposit(&mut self, id: i64, d: &Deposit, expected_version: i64) -> Result<()> {
        let row = sqlx::query("SELECT * FROM deposits WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        let before = row
            .as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "deposit", id })?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE deposits SET name = $1, place = $2, ore_type = $3, category = $4, mining_right = $5, ore_t_raw = $6, \
             li2o_grade_raw = $7, stated_li2o_t_raw = $8, annual_output_raw = $9, updated_at = $10, version = version + 1 \
             WHERE id = $11 AND version = $12",
        )
        .bind(&d.name)
        .bind(&d.place)
        .bind(d.ore_type.code())
        .bind(d.category.code())
        .bind(&d.mining_right)
        .bind(amount_raw(d.ore_t))
        .bind(amount_raw(d.li2o_grade_pct))
        .bind(amount_raw(d.stated_li2o_t))
        .bind(amount_raw(d.annual_output_t_ore))
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict("deposit", id, before.version, &before.deposit));
        }
        let mut after = d.clone();
        after.id = id;
        self.audit("update", "deposit", Some(id), Some(&before.deposit), Some(&after));
        Ok(())
    }
}
