//! The one place that knows SQL.
//!
//! **Architecture invariant**: no other crate writes a query. Pages, the API, the CLI and the
//! importers call the functions here; this crate calls the domain for every rule (validation,
//! scheduling, status) and keeps the data in SQLite or PostgreSQL.
//!
//! **One codebase, two databases**: every query is written once, in the SQL both backends accept,
//! with `$1`-style parameters (SQLite accepts them too), through sqlx's runtime-selected `Any`
//! driver. Values cross the boundary as i64 and text only: dates as `YYYY-MM-DD`, money as i64 元,
//! flags as 0/1. The migrations are one set of files with a single per-backend token
//! (see `migrations/`). What differs between the backends is confined to [`db`].
//!
//! **Every change is one transaction with its audit entries**: writers take a [`WriteTx`] from
//! [`Store::begin`], change rows through it, record what they changed with [`WriteTx::audit`], and
//! commit. The audit entries are appended at commit, in the same transaction, hash-chained.

pub mod audit;
pub mod battlemap;
mod board;
pub mod calendar;
pub mod chains;
pub mod clock;
pub mod dashboard;
mod db;
pub mod enterprises;
mod error;
pub mod feeds;
pub mod heroes;
pub mod imports;
pub mod investment_targets;
pub mod meetings;
pub mod pipeline;
pub mod problems;
pub mod projects;
mod reference;
pub mod regions;
pub mod reminders;
pub mod request;
pub mod resources;
mod row;
pub mod schedule;
pub mod sessions;
mod sql;
pub mod tasks;
pub mod templates;
pub mod testing;
mod tx;
pub mod units;
pub mod users;

pub use db::{Backend, Store, normalise_url};
pub use error::StoreError;
pub use tx::{AuditActor, WriteTx};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
