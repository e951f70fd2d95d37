use chainforce_domain::validation::{FieldError, Rule, ValidationErrors};

/// What can go wrong in storage, split the way the user sees it: their input (`Invalid`,
/// `NotFound`, `Conflict`, `Frozen`) or our fault (`Database`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: i64 },
    /// The row changed since the user loaded it (optimistic locking). `current` is the row as it
    /// is now, to show the user both versions.
    #[error("{entity} {id} was changed by someone else (now version {current_version})")]
    Conflict {
        entity: &'static str,
        id: i64,
        current_version: i64,
        current: serde_json::Value,
    },
    /// The row may no longer change (a published round, a frozen evaluation); `reason` says
    /// which, and since when, in the user's words.
    #[error("{entity} {id} is frozen and cannot change")]
    Frozen {
        entity: &'static str,
        id: i64,
        reason: Option<chainforce_domain::chain::Explanation>,
    },
    /// The database is busy beyond the wait limit; the request may be retried.
    #[error("the database is busy, try again")]
    Busy,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub fn invalid(field: &str, rule: Rule) -> StoreError {
        StoreError::Invalid(ValidationErrors::single(field, rule))
    }

    /// A reference to a row that does not exist, reported on the form field that named it.
    pub fn unknown(field: &str, what: &str) -> StoreError {
        StoreError::invalid(field, Rule::Unknown { what: what.into() })
    }

    /// Turns a unique-constraint violation into a "duplicate" error on `field`; other errors pass.
    pub fn duplicate_as(self, field: &str) -> StoreError {
        match &self {
            StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                StoreError::invalid(field, Rule::Duplicate)
            }
            _ => self,
        }
    }

    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            StoreError::Database(_) | StoreError::Corrupt(_) | StoreError::Busy
        )
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            // SQLITE_BUSY (5) / SQLITE_LOCKED (6) after the busy timeout, PostgreSQL's
            // serialization failure or deadlock: the request may be retried.
            let code = db.code().unwrap_or_default();
            if matches!(code.as_ref(), "5" | "6" | "517" | "40001" | "40P01") {
                return StoreError::Busy;
            }
        }
        if let sqlx::Error::PoolTimedOut = e {
            return StoreError::Busy;
        }
        StoreError::Database(e)
    }
}

impl From<ValidationErrors> for StoreError {
    fn from(e: ValidationErrors) -> Self {
        StoreError::Invalid(e)
    }
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Invalid(e.into())
    }
}
