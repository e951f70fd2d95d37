//! The rules of chainforce, and nothing else.
//!
//! **Architecture invariant**: this crate knows no HTTP, SQL, files or clocks. Every function takes
//! what it needs as arguments (including "today") and returns values or errors. That is what lets
//! the web pages, the JSON API, the CLI and the importers share one definition of every rule, and
//! lets the tests be plain input → output tables.

pub mod allocation;
pub mod amount;
pub mod audit;
pub mod battlemap;
pub mod calendar;
pub mod chain;
pub mod credit_code;
pub mod enterprise;
pub mod meeting;
pub mod org;
pub mod paging;
pub mod permission;
pub mod permu;
pub mod pipeline;
pub mod problem;
pub mod project;
pub mod ranking;
pub mod reminder;
pub mod schedule;
pub mod status;
pub mod task;
pub mod validation;

pub use amount::Amount;
pub use credit_code::CreditCode;
pub use validation::{FieldError, Rule, ValidationErrors};
