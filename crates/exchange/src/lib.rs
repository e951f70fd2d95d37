//! Formats at the edge: spreadsheets in and out, Word minutes, calendar feeds, chat-robot
//! payloads. **Architecture invariant**: this crate turns bytes into domain values and domain
//! values into bytes; it never touches the database or the network.

pub mod annual;
pub mod chat;
pub mod ical;
pub mod ledger;
pub mod minutes;
pub mod xlsx_out;
