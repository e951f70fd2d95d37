//! Enterprises (企业).

use crate::row::RowExt;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::CreditCode;
use chainforce_domain::enterprise::EnterpriseDraft;
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Enterprise {
    pub id: i64,
    pub region_id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub legal_person: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub above_scale: bool,
    pub notes: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

impl Enterprise {
    pub fn draft(&self) -> EnterpriseDraft {
        EnterpriseDraft {
            name: self.name.clone(),
            credit_code: self.credit_code.as_deref().and_then(|c| CreditCode::parse(c).ok()),
            legal_person: self.legal_person.clone(),
            contact_person: self.contact_person.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            above_scale: self.above_scale,
            notes: self.notes.clone(),
        }
    }
}

fn from_row(r: &AnyRow) -> Result<Enterprise, sqlx::Error> {
    Ok(Enterprise {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        name: r.text("name")?,
        credit_code: r.opt_text("credit_code")?,
        legal_person: r.opt_text("legal_person")?,
        contact_person: r.opt_text("contact_person")?,
        phone: r.opt_text("phone")?,
        address: r.opt_text("address")?,
        above_scale: r.flag("above_scale")?,
        notes: r.opt_text("notes")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

impl Store {
    /// The enterprises of `region_id`, by name (kept with the reference data).
    pub async fn enterprises(&self, region_id: i64) -> Result<Vec<Enterprise>> {
        let kept = self.kept(&self.references.enterprises, region_id, || {
            self.read_enterprises(region_id)
        });
        Ok(kept.await?.as_ref().clone())
    }

    async fn read_enterprises(&self, region_id: i64) -> Result<Vec<Enterprise>> {
        let rows = sqlx::query("SELECT * FROM enterprises WHERE region_id = $1 ORDER BY name")
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn enterprise(&self, id: i64) -> Result<Enterprise> {
        let row = sqlx::query("SELECT * FROM enterprises WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(from_row).transpose()?.ok_or(StoreError::NotFound {
            entity: "enterprise",
            id,
        })
    }
}

impl WriteTx {
    async fn enterprise_in_tx(&mut self, id: i64) -> Result<Option<Enterprise>> {
        let row = sqlx::query("SELECT * FROM enterprises WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    pub(crate) async fn check_enterprise(&mut self, field: &str, id: Option<i64>, region_id: i64) -> Result<()> {
        let Some(id) = id else { return Ok(()) };
        match self.enterprise_in_tx(id).await? {
            Some(e) if e.region_id == region_id => Ok(()),
            _ => Err(StoreError::unknown(field, "企业 / enterprise")),
        }
    }

    pub async fn create_enterprise(&mut self, region_id: i64, d: &EnterpriseDraft) -> Result<i64> {
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO enterprises (region_id, name, credit_code, legal_person, contact_person, phone, address, above_scale, notes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(region_id)
        .bind(&d.name)
        .bind(d.credit_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(&d.legal_person)
        .bind(&d.contact_person)
        .bind(&d.phone)
        .bind(&d.address)
        .bind(d.above_scale as i64)
        .bind(&d.notes)
        .bind(&now)
        .fetch_one(self.conn())
        .await
        .map_err(|e| duplicate(e.into(), d))?;
        self.audit("create", "enterprise", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    pub async fn update_enterprise(&mut self, id: i64, expected_version: i64, d: &EnterpriseDraft) -> Result<()> {
        let before = self.enterprise_in_tx(id).await?.ok_or(StoreError::NotFound {
            entity: "enterprise",
            id,
        })?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE enterprises SET name = $1, credit_code = $2, legal_person = $3, contact_person = $4, phone = $5, address = $6, \
             above_scale = $7, notes = $8, updated_at = $9, version = version + 1 WHERE id = $10 AND version = $11",
        )
        .bind(&d.name)
        .bind(d.credit_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(&d.legal_person)
        .bind(&d.contact_person)
        .bind(&d.phone)
        .bind(&d.address)
        .bind(d.above_scale as i64)
        .bind(&d.notes)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await
        .map_err(|e| duplicate(e.into(), d))?
        .rows_affected();
        if n == 0 {
            return Err(conflict("enterprise", id, before.version, &before));
        }
        self.audit("update", "enterprise", Some(id), Some(&before.draft()), Some(d));
        Ok(())
    }
}

/// A unique violation on an enterprise is either its name or its credit code; say which.
fn duplicate(e: StoreError, d: &EnterpriseDraft) -> StoreError {
    let msg = match &e {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => db.message().to_string(),
        _ => return e,
    };
    if msg.contains("credit_code") && d.credit_code.is_some() {
        e.duplicate_as("credit_code")
    } else {
        e.duplicate_as("name")
    }
}
