//! Units (单位): departments, townships, parks and utilities that own tasks and problems.

use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::org::{UnitDraft, UnitKind};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    pub region_id: i64,
    pub name: String,
    pub kind: UnitKind,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i64,
    pub updated_at: String,
}

impl Unit {
    pub fn draft(&self) -> UnitDraft {
        UnitDraft {
            name: self.name.clone(),
            kind: self.kind,
            contact_person: self.contact_person.clone(),
            phone: self.phone.clone(),
        }
    }
}

fn from_row(r: &AnyRow) -> Result<Unit, sqlx::Error> {
    Ok(Unit {
        id: r.i64("id")?,
        region_id: r.i64("region_id")?,
        name: r.text("name")?,
        kind: r.coded("kind", UnitKind::parse)?,
        contact_person: r.opt_text("contact_person")?,
        phone: r.opt_text("phone")?,
        active: r.flag("active")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

impl Store {
    /// The units of `region_id`, by kind and name (kept with the reference data).
    pub async fn units(&self, region_id: i64) -> Result<Vec<Unit>> {
        let kept = self.kept(&self.references.units, region_id, || self.read_units(region_id));
        Ok(kept.await?.as_ref().clone())
    }

    async fn read_units(&self, region_id: i64) -> Result<Vec<Unit>> {
        let rows = sqlx::query("SELECT * FROM units WHERE region_id = $1 ORDER BY kind, name")
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn unit(&self, id: i64) -> Result<Unit> {
        let row = sqlx::query("SELECT * FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "unit", id })
    }
}

impl WriteTx {
    pub(crate) async fn unit_in_tx(&mut self, id: i64) -> Result<Option<Unit>> {
        let row = sqlx::query("SELECT * FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Checks that `id` names a unit of `region_id` (and, when given, of `kind`); the error names `field`.
    pub(crate) async fn check_unit(
        &mut self,
        field: &str,
        id: Option<i64>,
        region_id: i64,
        kind: Option<UnitKind>,
    ) -> Result<()> {
        let Some(id) = id else { return Ok(()) };
        match self.unit_in_tx(id).await? {
            Some(u) if u.region_id == region_id && kind.is_none_or(|k| k == u.kind) => Ok(()),
            _ => Err(StoreError::unknown(
                field,
                if kind == Some(UnitKind::Township) {
                    "乡镇 / township"
                } else {
                    "单位 / unit"
                },
            )),
        }
    }

    pub async fn create_unit(&mut self, region_id: i64, d: &UnitDraft) -> Result<i64> {
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO units (region_id, name, kind, contact_person, phone, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(region_id)
        .bind(&d.name)
        .bind(d.kind.code())
        .bind(&d.contact_person)
        .bind(&d.phone)
        .bind(&now)
        .fetch_one(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("name"))?;
        self.audit("create", "unit", Some(id), None::<&()>, Some(d));
        Ok(id)
    }

    pub async fn update_unit(&mut self, id: i64, expected_version: i64, d: &UnitDraft) -> Result<()> {
        let before = self
            .unit_in_tx(id)
            .await?
            .ok_or(StoreError::NotFound { entity: "unit", id })?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE units SET name = $1, kind = $2, contact_person = $3, phone = $4, updated_at = $5, version = version + 1 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&d.name)
        .bind(d.kind.code())
        .bind(&d.contact_person)
        .bind(&d.phone)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("name"))?
        .rows_affected();
        if n == 0 {
            return Err(conflict("unit", id, before.version, &before));
        }
        self.audit("update", "unit", Some(id), Some(&before.draft()), Some(d));
        Ok(())
    }
}

/// The 409 error for a row whose version moved on.
pub(crate) fn conflict<T: Serialize>(entity: &'static str, id: i64, current_version: i64, current: &T) -> StoreError {
    StoreError::Conflict {
        entity,
        id,
        current_version,
        current: serde_json::to_value(current).unwrap_or(serde_json::Value::Null),
    }
}
