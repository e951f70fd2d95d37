//! Delivery rules: how fast a robot may be sent to, when a failed message is tried again, and
//! when a robot that keeps failing is reported instead of tried.
//!
//! Both vendors accept 20 messages a minute per robot; DingTalk then throttles the robot for ten
//! minutes. So every attempt — delivered or not — counts against a sliding window. A failure (a
//! network error, an HTTP error, or HTTP 200 with a non-zero `errcode`) is retried after the next
//! wait of the backoff schedule; when the schedule runs out the message has failed and stays in
//! the outbox, with its error, for the office to see and send again. Nothing is dropped.

use super::settings::ReminderSettings;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPolicy {
    pub per_window: usize,
    pub window: Duration,
    pub backoff: Vec<Duration>,
    pub failing_after: u32,
}

/// What becomes of a message whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    /// No retries left: the message is kept as failed.
    GiveUp,
}

impl DeliveryPolicy {
    pub fn from_settings(s: &ReminderSettings) -> DeliveryPolicy {
        DeliveryPolicy {
            per_window: s.per_robot_per_window,
            window: Duration::seconds(s.rate_window_seconds),
            backoff: s.retry_backoff_seconds.iter().map(|s| Duration::seconds(*s)).collect(),
            failing_after: s.robot_failing_after_consecutive_failures,
        }
    }

    /// The most attempts a message gets: the first and one per backoff step.
    pub fn max_attempts(&self) -> usize {
        self.backoff.len() + 1
    }

    /// After the `attempts`-th attempt (counting from 1) failed at `now`.
    pub fn after_failure(&self, attempts: usize, now: DateTime<Utc>) -> AfterFailure {
        match attempts.checked_sub(1).and_then(|i| self.backoff.get(i)) {
            Some(wait) => AfterFailure::RetryAt(now + *wait),
            None => AfterFailure::GiveUp,
        }
    }

    /// How many more attempts the robot may take at `now`, given its recent attempt times.
    pub fn free_slots(&self, recent: &[DateTime<Utc>], now: DateTime<Utc>) -> usize {
        let in_window = recent.iter().filter(|t| **t > now - self.window && **t <= now).count();
        self.per_window.saturating_sub(in_window)
    }

    /// When the window next has room (`now` when it has room already).
    pub fn next_free_slot(&self, recent: &[DateTime<Utc>], now: DateTime<Utc>) -> DateTime<Utc> {
        if self.free_slots(recent, now) > 0 {
            return now;
        }
        let mut inside: Vec<DateTime<Utc>> = recent
            .iter()
            .copied()
            .filter(|t| *t > now - self.window && *t <= now)
            .collect();
        inside.sort_unstable();
        // The window frees a slot when its oldest attempts leave it.
        let must_leave = inside.len() + 1 - self.per_window;
        inside.get(must_leave - 1).map_or(now, |t| *t + self.window)
    }

    /// Whether a robot with this many failed attempts in a row is reported as failing (and no
    /// longer tried until the office looks at it).
    pub fn is_failing(&self, consecutive_failures: u32) -> bool {
        consecutive_failures >= self.failing_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> DeliveryPolicy {
        DeliveryPolicy::from_settings(ReminderSettings::built_in())
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    #[test]
    fn twenty_attempts_a_minute_and_then_the_robot_waits() {
        let p = policy();
        let recent: Vec<DateTime<Utc>> = (0..20).map(at).collect();
        assert_eq!(p.free_slots(&recent[..15], at(20)), 5);
        assert_eq!(p.free_slots(&recent, at(20)), 0);
        // The first attempt (at 0 s) leaves the window at 60 s.
        assert_eq!(p.next_free_slot(&recent, at(20)), at(60));
        assert_eq!(p.free_slots(&recent, at(60)), 1);
        assert_eq!(p.free_slots(&recent, at(80)), 20);
    }

    #[test]
    fn failures_are_retried_later_each_time_until_the_schedule_runs_out() {
        let p = policy();
        let waits: Vec<i64> = (1..p.max_attempts())
            .map(|n| match p.after_failure(n, at(0)) {
                AfterFailure::RetryAt(t) => (t - at(0)).num_seconds(),
                AfterFailure::GiveUp => panic!("attempt {n} should be retried"),
            })
            .collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");
        assert_eq!(p.after_failure(p.max_attempts(), at(0)), AfterFailure::GiveUp);
    }

    #[test]
    fn a_robot_is_failing_after_the_configured_run_of_failures() {
        let p = policy();
        assert!(!p.is_failing(p.failing_after - 1));
        assert!(p.is_failing(p.failing_after));
    }
}
