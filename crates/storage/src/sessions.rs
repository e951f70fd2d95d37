//! Login sessions. The browser holds a random token; the database holds only its SHA-256, so a
//! leaked backup does not let anyone sign in.

use crate::row::RowExt;
use crate::users::User;
use crate::{Result, Store};

/// A session as the web layer sees it: who, and the token every form must echo (CSRF).
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

impl Store {
    /// Records a new session. `token_hash` is the hash of the cookie value.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<()> {
        let now = crate::tx::now_rfc3339();
        let mut conn = self.write.acquire().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(&now)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// The live session for a token hash, with its active user.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let now = crate::tx::now_rfc3339();
        // One query with the user: every request of a signed-in user asks this first. It brings
        // the versions of the kept data along for the rest of the request (see `request`).
        let row = sqlx::query(
            "SELECT u.*, s.csrf_token AS session_csrf_token, h.board_seq AS seen_board_seq, \
             h.reference_seq AS seen_reference_seq FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN audit_head h ON h.id = 1 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash)
        .bind(&now)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let user = crate::users::from_row(&row)?;
        let csrf_token = row.text("session_csrf_token")?;
        crate::request::saw(crate::request::Versions {
            board: row.i64("seen_board_seq")?,
            reference: row.i64("seen_reference_seq")?,
        });
        Ok(Some(Session { user, csrf_token }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
