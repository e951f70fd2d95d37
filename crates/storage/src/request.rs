//! One request's view of the versions of what is kept in memory — the task board
//! ([`crate::board`]) and the reference data ([`crate::reference`]).
//!
//! Why: a page asks for the board, the region, its calendar, the units and the templates, and
//! each kept copy is checked against its version in `audit_head`. Asked separately that is four
//! to seven queries of one number each; read once per request it is one, and the session query,
//! which every signed-in request makes first, brings it along (`Store::session`). Within a request
//! the copies are then all of one moment. A write the request commits forgets what it saw, so the
//! request's later reads see its own change.

use crate::{Result, Store};
use std::cell::Cell;
use std::future::Future;

/// The versions of the kept data, as one request first saw them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Versions {
    pub board: i64,
    pub reference: i64,
}

tokio::task_local! {
    static SEEN: Cell<Option<Versions>>;
}

/// Runs `request` as one request: the versions are read at most once in it (again after a write
/// it commits). Outside such a scope every read asks the database.
pub async fn scope<F: Future>(request: F) -> F::Output {
    SEEN.scope(Cell::new(None), request).await
}

/// Remembers `versions` for the rest of the request, if there is one.
pub(crate) fn saw(versions: Versions) {
    let _ = SEEN.try_with(|seen| seen.set(Some(versions)));
}

/// Forgets what the request saw (it has just changed them).
pub(crate) fn forget() {
    let _ = SEEN.try_with(|seen| seen.set(None));
}

impl Store {
    /// The versions this request has seen, else read now (and remembered for the request).
    pub(crate) async fn versions(&self) -> Result<Versions> {
        if let Ok(Some(seen)) = SEEN.try_with(|seen| seen.get()) {
            return Ok(seen);
        }
        let (board, reference): (i64, i64) =
            sqlx::query_as("SELECT board_seq, reference_seq FROM audit_head WHERE id = 1")
                .fetch_one(&self.read)
                .await?;
        let versions = Versions { board, reference };
        saw(versions);
        Ok(versions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_remembers_what_it_saw_until_it_writes_and_nothing_outlives_it() {
        let seen = || SEEN.try_with(|s| s.get()).ok().flatten();
        scope(async {
            assert_eq!(seen(), None);
            saw(Versions { board: 3, reference: 1 });
            assert_eq!(seen(), Some(Versions { board: 3, reference: 1 }));
            forget();
            assert_eq!(seen(), None);
            saw(Versions { board: 4, reference: 1 });
        })
        .await;
        // Outside a request nothing is remembered, and remembering is a no-op.
        saw(Versions { board: 9, reference: 9 });
        assert_eq!(seen(), None);
        scope(async { assert_eq!(seen(), None) }).await;
    }
}
