//! The figures of the reminder module, from `data/reminders/settings.json` (embedded at build
//! time): the vendors' endpoints and limits (DOMAIN.md §5), our retry schedule and digest time.

use chrono::NaiveTime;
use serde::Deserialize;
use std::sync::LazyLock;

const BUILT_IN: &str = include_str!("../../../../data/reminders/settings.json");

/// A vendor's published webhook endpoint and message limit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RobotEndpoint {
    pub host: String,
    pub path: String,
    /// The query parameter that carries the robot's key or token.
    pub token_param: String,
    /// The longest markdown message the robot accepts, in UTF-8 bytes.
    pub markdown_max_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RobotEndpoints {
    pub wecom: RobotEndpoint,
    pub dingtalk: RobotEndpoint,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReminderSettings {
    /// The county's time zone, for the digest's time of day (China: +8, no summer time).
    pub utc_offset_hours: i64,
    /// Messages a robot accepts per window (20 a minute for both vendors).
    pub per_robot_per_window: usize,
    pub rate_window_seconds: i64,
    /// Waits before the 1st, 2nd … retry of a failed message; when they run out, it has failed.
    pub retry_backoff_seconds: Vec<i64>,
    /// Failed attempts in a row after which a robot is reported failing and no longer tried.
    pub robot_failing_after_consecutive_failures: u32,
    pub request_timeout_seconds: u64,
    /// How often the sender looks for due messages.
    pub dispatch_every_seconds: u64,
    /// The digest lists what falls due within this many working days.
    pub digest_due_within_working_days: i64,
    /// When the daily digest goes out, local time (`HH:MM`).
    pub digest_local_time: String,
    /// No digest on weekends and holidays.
    pub digest_on_working_days_only: bool,
    pub robots: RobotEndpoints,
}

static SETTINGS: LazyLock<ReminderSettings> =
    LazyLock::new(|| serde_json::from_str(BUILT_IN).expect("data/reminders/settings.json is checked by a unit test"));

impl ReminderSettings {
    pub fn built_in() -> &'static ReminderSettings {
        &SETTINGS
    }

    /// The digest's time of day (a unit test keeps the shipped value readable; anything else
    /// means first thing in the morning rather than never).
    pub fn digest_time(&self) -> NaiveTime {
        NaiveTime::parse_from_str(&self.digest_local_time, "%H:%M").unwrap_or(NaiveTime::MIN)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_settings_parse_with_the_vendors_published_limits() {
        let s: super::ReminderSettings = serde_json::from_str(super::BUILT_IN).unwrap();
        assert_eq!((s.per_robot_per_window, s.rate_window_seconds), (20, 60));
        assert!(!s.retry_backoff_seconds.is_empty());
        assert!(
            s.retry_backoff_seconds.windows(2).all(|w| w[0] <= w[1]),
            "backoff grows"
        );
        assert_eq!(s.robots.wecom.host, "qyapi.weixin.qq.com");
        assert_eq!(s.robots.dingtalk.path, "/robot/send");
        assert_eq!(s.robots.wecom.markdown_max_bytes, 4096);
        chrono::NaiveTime::parse_from_str(&s.digest_local_time, "%H:%M").unwrap();
    }
}
