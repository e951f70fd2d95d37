//! The figures of the meeting module, read from `data/meetings/settings.json` (embedded at build
//! time, like the holiday notices), so a county changes them without touching code.

use serde::Deserialize;
use std::sync::LazyLock;

const BUILT_IN: &str = include_str!("../../../../data/meetings/settings.json");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MeetingSettings {
    /// The title a new meeting starts with (调度会 of the task force).
    pub default_title: String,
    /// The first meeting has no previous one: its "since the last meeting" looks back this far.
    pub first_agenda_lookback_days: i64,
    /// An assignment's problem title quotes the decision up to this many characters (the whole
    /// decision is its description).
    pub assignment_title_max_chars: usize,
    /// How long a meeting lasts in a calendar feed when it has a start time.
    pub meeting_length_minutes: i64,
    /// A unit's calendar feed shows meetings from this many days back.
    pub feed_past_meeting_days: i64,
    /// How often calendar clients are asked to fetch a feed again.
    pub feed_refresh_minutes: i64,
}

static SETTINGS: LazyLock<MeetingSettings> =
    LazyLock::new(|| serde_json::from_str(BUILT_IN).expect("data/meetings/settings.json is checked by a unit test"));

impl MeetingSettings {
    pub fn built_in() -> &'static MeetingSettings {
        &SETTINGS
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_settings_parse_and_are_sensible() {
        let s: super::MeetingSettings = serde_json::from_str(super::BUILT_IN).unwrap();
        assert!(!s.default_title.is_empty());
        assert!(s.first_agenda_lookback_days > 0 && s.assignment_title_max_chars >= 10);
        assert!(s.meeting_length_minutes > 0);
    }
}
