//! Reading and verifying the audit trail (appending is in [`crate::WriteTx::commit`]).

use crate::row::RowExt;
use crate::{Result, Store};
use chainforce_domain::audit::{AuditEntry, BrokenLink, ChainVerifier};
use sqlx::any::AnyRow;

fn from_row(r: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        seq: r.i64("seq")?,
        at: r.text("at")?,
        actor_id: r.opt_i64("actor_id")?,
        actor_name: r.text("actor_name")?,
        action: r.text("action")?,
        entity: r.text("entity")?,
        entity_id: r.opt_i64("entity_id")?,
        before: r.opt_text("before_json")?,
        after: r.opt_text("after_json")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// The outcome of `chainforce audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    Intact { entries: u64 },
    Broken(BrokenLink),
}

impl Store {
    /// The history of one entity, newest first.
    pub async fn history(&self, entity: &str, entity_id: i64) -> Result<Vec<AuditEntry>> {
        let rows =
            sqlx::query("SELECT * FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT 500")
                .bind(entity)
                .bind(entity_id)
                .fetch_all(&self.read)
                .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// The newest entries of the whole trail.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Walks the whole chain in pages (bounded memory on a large trail) and checks every link
    /// and the head.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport> {
        let mut verifier = ChainVerifier::new();
        let mut after = 0_i64;
        loop {
            let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000")
                .bind(after)
                .fetch_all(&self.read)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = from_row(r)?;
                after = e.seq;
                if let Err(broken) = verifier.push(&e) {
                    return Ok(ChainReport::Broken(broken));
                }
            }
        }
        let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&self.read)
            .await?;
        Ok(match verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
            Ok(entries) => ChainReport::Intact { entries },
            Err(b) => ChainReport::Broken(b),
        })
    }
}
