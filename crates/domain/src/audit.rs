//! The tamper-evident audit trail (审计日志): every change, hash-chained.
//!
//! Each entry's hash covers its own content and the previous entry's hash, so editing or deleting
//! any entry breaks every link after it. The last sequence number and hash are also kept apart
//! (the "head"), so deleting the newest entries is caught too.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One recorded change: who did what to which entity, and the entity before and after (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// `create`, `update`, `delete`, `login`, `import`, …
    pub action: String,
    /// The entity kind (`project`, `task`, …).
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// Computes the hash of the entry's content and `prev_hash`. Fields are length-prefixed so
    /// that moving text from one field to the next changes the hash.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(self.seq.to_string().as_bytes());
        field(self.at.as_bytes());
        field(self.actor_id.map(|i| i.to_string()).unwrap_or_default().as_bytes());
        field(self.actor_name.as_bytes());
        field(self.action.as_bytes());
        field(self.entity.as_bytes());
        field(self.entity_id.map(|i| i.to_string()).unwrap_or_default().as_bytes());
        field(self.before.as_deref().unwrap_or("\u{0}").as_bytes());
        field(self.after.as_deref().unwrap_or("\u{0}").as_bytes());
        field(self.prev_hash.as_bytes());
        hex::encode(h.finalize())
    }

    /// Fills in `prev_hash` and `hash` to append this entry after `prev_hash`.
    pub fn seal(mut self, prev_hash: &str) -> AuditEntry {
        self.prev_hash = prev_hash.to_string();
        self.hash = self.compute_hash();
        self
    }
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The sequence number of the first entry that does not verify (or that is missing).
    pub seq: i64,
    pub reason: String,
}

/// Walks the chain in order and checks every link. `head` is the separately kept last
/// `(seq, hash)`; a chain that ends earlier than the head lost its newest entries.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next entry (entries must come in `seq` order).
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), BrokenLink> {
        if e.seq != self.expected_seq {
            return Err(BrokenLink {
                seq: self.expected_seq,
                reason: format!(
                    "entry {} is missing (next present entry is {})",
                    self.expected_seq, e.seq
                ),
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "does not link to the previous entry".into(),
            });
        }
        if e.compute_hash() != e.hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "content was changed after it was written".into(),
            });
        }
        self.prev_hash = e.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Checks the end of the chain against the head.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<u64, BrokenLink> {
        let last_seq = self.expected_seq - 1;
        match head {
            None if last_seq == 0 => Ok(0),
            None => Err(BrokenLink {
                seq: 1,
                reason: "the chain head record is missing".into(),
            }),
            Some((seq, _)) if seq != last_seq => Err(BrokenLink {
                seq: last_seq + 1,
                reason: format!("the head says the chain ends at {seq}, but it ends at {last_seq}"),
            }),
            Some((_, hash)) if hash != self.prev_hash => Err(BrokenLink {
                seq: last_seq,
                reason: "the head does not match the last entry".into(),
            }),
            Some(_) => Ok(self.checked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, after: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: "2026-11-29T08:00:00Z".into(),
            actor_id: Some(1),
            actor_name: "admin".into(),
            action: "update".into(),
            entity: "task".into(),
            entity_id: Some(7),
            before: None,
            after: Some(after.into()),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|i| {
                let e = entry(i, &format!("{{\"v\":{i}}}")).seal(&prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: Option<(i64, &str)>) -> Result<u64, BrokenLink> {
        let mut v = ChainVerifier::new();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        let last = c.last().unwrap();
        assert_eq!(verify(&c, Some((5, &last.hash))), Ok(5));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut c = chain(5);
        c[2].after = Some("{\"v\":999}".into());
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, Some((5, &head))).unwrap_err().seq, 3);
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        let head = c[3].hash.clone();
        assert_eq!(verify(&c, Some((5, &head))).unwrap_err().seq, 2);
    }

    #[test]
    fn deleting_the_newest_entries_is_caught_by_the_head() {
        let c = chain(5);
        let head = c[4].hash.clone();
        assert_eq!(verify(&c[..3], Some((5, &head))).unwrap_err().seq, 4);
    }

    #[test]
    fn a_rehashed_forgery_still_breaks_the_next_link() {
        let mut c = chain(3);
        c[1].after = Some("forged".into());
        c[1].hash = c[1].compute_hash();
        let head = c[2].hash.clone();
        assert_eq!(verify(&c, Some((3, &head))).unwrap_err().seq, 3);
    }
}
