//! User accounts. Passwords arrive here already hashed: hashing is the web layer's job.

use crate::row::RowExt;
use crate::units::conflict;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::org::{Actor, Role, UserDraft};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub region_id: i64,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub active: bool,
    pub version: i64,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role,
            unit_id: self.unit_id,
            enterprise_id: self.enterprise_id,
        }
    }
}

/// What the audit trail keeps of a user (never the hash).
#[derive(Serialize)]
struct UserSnapshot<'a> {
    username: &'a str,
    display_name: &'a str,
    role: Role,
    unit_id: Option<i64>,
    enterprise_id: Option<i64>,
    active: bool,
}

pub(crate) fn from_row(r: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: r.i64("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        role: r.coded("role", Role::parse)?,
        region_id: r.i64("region_id")?,
        unit_id: r.opt_i64("unit_id")?,
        enterprise_id: r.opt_i64("enterprise_id")?,
        active: r.flag("active")?,
        version: r.i64("version")?,
    })
}

impl Store {
    pub async fn users(&self, region_id: i64) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users WHERE region_id = $1 ORDER BY role, username")
            .bind(region_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(from_row)
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "user", id })
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username.trim().to_ascii_lowercase())
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    pub async fn user_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&self.read)
            .await?;
        Ok(n)
    }
}

impl WriteTx {
    async fn user_in_tx(&mut self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    async fn check_user_links(&mut self, region_id: i64, d: &UserDraft) -> Result<()> {
        self.check_unit("unit_id", d.unit_id, region_id, None).await?;
        self.check_enterprise("enterprise_id", d.enterprise_id, region_id).await
    }

    /// Creates a user with an already hashed password.
    pub async fn create_user(&mut self, region_id: i64, d: &UserDraft, password_hash: &str) -> Result<i64> {
        self.check_user_links(region_id, d).await?;
        let now = self.now().to_string();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, display_name, password_hash, role, region_id, unit_id, enterprise_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(&d.username)
        .bind(&d.display_name)
        .bind(password_hash)
        .bind(d.role.code())
        .bind(region_id)
        .bind(d.unit_id)
        .bind(d.enterprise_id)
        .bind(&now)
        .fetch_one(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("username"))?;
        let snap = UserSnapshot {
            username: &d.username,
            display_name: &d.display_name,
            role: d.role,
            unit_id: d.unit_id,
            enterprise_id: d.enterprise_id,
            active: true,
        };
        self.audit("create", "user", Some(id), None::<&()>, Some(&snap));
        Ok(id)
    }

    /// Updates a user's profile and role; `password_hash` replaces the password when given.
    pub async fn update_user(
        &mut self,
        id: i64,
        expected_version: i64,
        d: &UserDraft,
        active: bool,
        password_hash: Option<&str>,
    ) -> Result<()> {
        let before = self
            .user_in_tx(id)
            .await?
            .ok_or(StoreError::NotFound { entity: "user", id })?;
        self.check_user_links(before.region_id, d).await?;
        let now = self.now().to_string();
        let n = sqlx::query(
            "UPDATE users SET username = $1, display_name = $2, role = $3, unit_id = $4, enterprise_id = $5, active = $6, \
             password_hash = COALESCE($7, password_hash), updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(&d.username)
        .bind(&d.display_name)
        .bind(d.role.code())
        .bind(d.unit_id)
        .bind(d.enterprise_id)
        .bind(active as i64)
        .bind(password_hash)
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await
        .map_err(|e| StoreError::from(e).duplicate_as("username"))?
        .rows_affected();
        if n == 0 {
            return Err(conflict("user", id, before.version, &before));
        }
        if password_hash.is_some() || !active {
            // A new password or a disabled account ends every open session of that user.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        let after = UserSnapshot {
            username: &d.username,
            display_name: &d.display_name,
            role: d.role,
            unit_id: d.unit_id,
            enterprise_id: d.enterprise_id,
            active,
        };
        let action = if password_hash.is_some() {
            "update+password"
        } else {
            "update"
        };
        let before_snap = UserSnapshot {
            username: &before.username,
            display_name: &before.display_name,
            role: before.role,
            unit_id: before.unit_id,
            enterprise_id: before.enterprise_id,
            active: before.active,
        };
        self.audit(action, "user", Some(id), Some(&before_snap), Some(&after));
        Ok(())
    }
}
