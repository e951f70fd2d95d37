//! The one place that knows HTTP: pages, the JSON API, sign-in, and the layers every request
//! passes through.
//!
//! **Architecture invariant**: handlers parse the request, ask the domain's permission rule
//! (`chainforce_domain::permission::allows`, through [`context::Ctx::require`]), call storage,
//! and render. No SQL and no business rule is written here.

pub mod api;
pub mod app;
pub mod auth;
pub mod context;
pub mod download;
pub mod error;
pub mod exports;
pub mod extract;
pub mod i18n;
pub mod ledger;
pub mod pages;
pub mod paging;
pub mod reminders;
mod rendered;
pub mod routes;

mod assets;

pub use app::{AppConfig, AppState, Application, router};
