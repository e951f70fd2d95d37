//! Reminders to the group robots of WeCom (企业微信) and DingTalk (钉钉) — the rules only.
//!
//! * [`robot`]: a robot's webhook, checked against the vendor's published endpoint, and its
//!   signing secret, never shown back in full.
//! * [`notice`]: what is said (a problem assigned, minutes issued, a unit's daily digest) and to
//!   which robots.
//! * [`digest`]: a unit's daily digest — overdue, and due within a few working days.
//! * [`delivery`]: the per-robot rate limit, the retry schedule and when a robot counts as failing.
//! * [`settings`]: the figures above, from `data/reminders/settings.json`.
//!
//! Building the JSON payloads and signing them is the exchange crate's job; sending is the
//! web layer's worker. This module only decides.

pub mod delivery;
pub mod digest;
pub mod notice;
pub mod robot;
pub mod settings;

pub use delivery::{AfterFailure, DeliveryPolicy};
pub use notice::{Audience, Notice};
pub use robot::{RobotDraft, RobotForm, RobotKind};
pub use settings::ReminderSettings;
