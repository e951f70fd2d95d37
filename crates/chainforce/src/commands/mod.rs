//! One module per command.

pub mod calendar;
pub mod schedule;
