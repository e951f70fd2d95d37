//! 调度例会 — the dispatch meeting as a closed loop.
//!
//! "勤调度, 在调度中解决问题": the task force meets often, and each meeting works through what is
//! late and ends in decisions (议定事项), some of them assignments (交办) to a unit with a deadline.
//! The loop closes because every assignment stays on the unit's desk and on every later agenda,
//! counted as carried over, until it is done.
//!
//! * [`state`]: a meeting's life — planned → held → minutes issued — and what each state allows.
//! * [`form`]: planning a meeting (第N次, date, chair, attending units).
//! * [`decision`]: a decision and its optional assignment, and why an assignment is a problem.
//! * [`agenda`]: the agenda built from live data, with carried-over items counted.
//! * [`settings`]: the figures this module uses, from `data/meetings/settings.json`.

pub mod agenda;
pub mod decision;
pub mod form;
pub mod settings;
pub mod state;

pub use agenda::{Agenda, AgendaInput, AgendaItem, ItemKind, Section, build_agenda};
pub use decision::{Assignment, DecisionDraft, DecisionForm};
pub use form::{MeetingDraft, MeetingForm};
pub use settings::MeetingSettings;
pub use state::{MeetingState, MeetingStep};
