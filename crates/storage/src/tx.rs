//! Write transactions that carry their audit entries.

use crate::{Result, Store};
use chainforce_domain::audit::AuditEntry;
use serde::Serialize;
use sqlx::{Any, Transaction};

/// Who is making a change, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub user_id: Option<i64>,
    pub name: String,
}

impl AuditActor {
    /// Changes made by the system itself (migrations, the demo loader, scheduled jobs).
    pub fn system(what: &str) -> AuditActor {
        AuditActor {
            user_id: None,
            name: format!("system:{what}"),
        }
    }

    pub fn user(id: i64, name: &str) -> AuditActor {
        AuditActor {
            user_id: Some(id),
            name: name.to_string(),
        }
    }
}

/// The current time as stored: RFC 3339, UTC, second precision.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

struct PendingEntry {
    action: String,
    entity: &'static str,
    entity_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
}

/// One user action's changes. Dropped without [`WriteTx::commit`], everything rolls back.
pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    store: Store,
    actor: AuditActor,
    now: String,
    pending: Vec<PendingEntry>,
    /// Projects whose tasks changed: rescheduled at commit, in this transaction.
    dirty_projects: std::collections::BTreeSet<i64>,
    /// What this action did to the task board beyond what its audit entries show (see `board`).
    board: crate::board::BoardTouch,
}

impl Store {
    /// Starts the transaction of one user action.
    pub async fn begin(&self, actor: &AuditActor) -> Result<WriteTx> {
        Ok(WriteTx {
            tx: self.begin_raw().await?,
            store: self.clone(),
            actor: actor.clone(),
            now: now_rfc3339(),
            pending: Vec::new(),
            dirty_projects: Default::default(),
            board: Default::default(),
        })
    }
}

impl WriteTx {
    /// The connection, for queries.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The timestamp of this action (the same for every row it touches).
    pub fn now(&self) -> &str {
        &self.now
    }

    pub fn actor(&self) -> &AuditActor {
        &self.actor
    }

    /// The store this transaction belongs to, for reads that need the committed state.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Records a change for the audit trail. `before` is `None` for a creation, `after` for a
    /// deletion.
    pub fn audit<B: Serialize, A: Serialize>(
        &mut self,
        action: &str,
        entity: &'static str,
        entity_id: Option<i64>,
        before: Option<&B>,
        after: Option<&A>,
    ) {
        let json = |v: &dyn erased::Json| v.to_json();
        self.pending.push(PendingEntry {
            action: action.to_string(),
            entity,
            entity_id,
            before: before.map(|b| json(b)),
            after: after.map(|a| json(a)),
        });
    }

    /// Records that this action changes what task lists show of one project (its schedule).
    pub(crate) fn mark_board_project(&mut self, project_id: i64) {
        self.board.project(project_id);
    }

    /// Marks a project whose schedule must be recomputed before this action commits.
    pub(crate) fn mark_dirty(&mut self, project_id: i64) {
        self.dirty_projects.insert(project_id);
    }

    /// Reschedules the changed projects now (commit does it too); lets a caller see the new
    /// schedule, or the reason it cannot be computed, before committing.
    pub async fn reschedule_dirty(&mut self) -> Result<()> {
        let today = crate::clock::today();
        for project_id in std::mem::take(&mut self.dirty_projects) {
            let region: Option<(i64,)> = sqlx::query_as("SELECT region_id FROM projects WHERE id = $1")
                .bind(project_id)
                .fetch_optional(&mut *self.tx)
                .await?;
            // A project deleted in this action has nothing left to schedule.
            let Some((region_id,)) = region else { continue };
            let calendar = self.store.calendar(region_id).await?;
            self.reschedule_project(project_id, &calendar, today).await?;
        }
        Ok(())
    }

    /// Appends the audit entries and commits. The chain head is locked last, so a transaction
    /// never waits for a row while holding it (no deadlock on PostgreSQL).
    pub async fn commit(mut self) -> Result<()> {
        self.reschedule_dirty().await?;
        // The board's version moves when this action can change a task list (see `board`), so
        // cached boards are read again after it.
        let mut touch = std::mem::take(&mut self.board);
        for p in &self.pending {
            touch.add(crate::board::reach(p.entity, p.entity_id));
        }
        let board = touch.moves();
        // So does the reference data's when it audits a change to it (see `reference`).
        let references = self
            .pending
            .iter()
            .any(|p| crate::reference::moves_references(p.entity));
        if !self.pending.is_empty() {
            let (mut seq, mut prev, board_seq): (i64, String, i64) = sqlx::query_as(
                "UPDATE audit_head SET seq = seq + $1, board_seq = board_seq + $2, reference_seq = reference_seq + $3 \
                 WHERE id = 1 RETURNING seq - $1, hash, board_seq",
            )
            .bind(self.pending.len() as i64)
            .bind(i64::from(board))
            .bind(i64::from(references))
            .fetch_one(&mut *self.tx)
            .await?;
            for p in std::mem::take(&mut self.pending) {
                seq += 1;
                let entry = AuditEntry {
                    seq,
                    at: self.now.clone(),
                    actor_id: self.actor.user_id,
                    actor_name: self.actor.name.clone(),
                    action: p.action,
                    entity: p.entity.to_string(),
                    entity_id: p.entity_id,
                    before: p.before,
                    after: p.after,
                    prev_hash: String::new(),
                    hash: String::new(),
                }
                .seal(&prev);
                sqlx::query(
                    "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(entry.seq)
                .bind(&entry.at)
                .bind(entry.actor_id)
                .bind(&entry.actor_name)
                .bind(&entry.action)
                .bind(&entry.entity)
                .bind(entry.entity_id)
                .bind(&entry.before)
                .bind(&entry.after)
                .bind(&entry.prev_hash)
                .bind(&entry.hash)
                .execute(&mut *self.tx)
                .await?;
                prev = entry.hash;
            }
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
                .bind(&prev)
                .execute(&mut *self.tx)
                .await?;
            if board {
                touch.record(&mut self.tx, board_seq).await?;
            }
        } else if board {
            let (board_seq,): (i64,) =
                sqlx::query_as("UPDATE audit_head SET board_seq = board_seq + 1 WHERE id = 1 RETURNING board_seq")
                    .fetch_one(&mut *self.tx)
                    .await?;
            touch.record(&mut self.tx, board_seq).await?;
        }
        self.tx.commit().await?;
        // The request's later reads must see this change.
        crate::request::forget();
        Ok(())
    }
}

mod erased {
    /// Serialises audit snapshots; a value that cannot be serialised is recorded as such rather
    /// than failing the user's change.
    pub trait Json {
        fn to_json(&self) -> String;
    }
    impl<T: serde::Serialize + ?Sized> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"unserialisable\":\"{e}\"}}"))
        }
    }
}
