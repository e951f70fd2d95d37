//! One module per command.

pub mod audit;
pub mod backup;
pub mod calendar;
pub mod import;
pub mod migrate;
pub mod schedule;
pub mod serve;
pub mod user;
