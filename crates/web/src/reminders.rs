//! The sender of the group-robot reminders: an async worker that takes due messages from the
//! outbox, respects each robot's rate window, posts the signed payloads and records every
//! attempt. What to send and to whom was decided when the message was queued (storage, by the
//! domain's rules); the payload is built by the exchange crate. This is the only code that
//! talks to the robot hosts.

use chainforce_domain::reminder::delivery::DeliveryPolicy;
use chainforce_domain::reminder::{ReminderSettings, RobotKind};
use chainforce_exchange::chat::{RobotAddress, RobotReply, read_reply, request};
use chainforce_storage::reminders::Robot;
use chainforce_storage::reminders::outbox::{Attempt, OutboxEntry};
use chainforce_storage::{Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;

/// How many due messages one round takes at most.
const BATCH: i64 = 500;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
    /// Due, but their robot's rate window was full: they wait for the next round.
    pub deferred: usize,
}

#[derive(Clone)]
pub struct Dispatcher {
    store: Store,
    http: reqwest::Client,
    settings: &'static ReminderSettings,
    policy: DeliveryPolicy,
    base_override: Option<String>,
}

impl Dispatcher {
    /// `base_override` (`http://127.0.0.1:PORT`) replaces the vendor's `https://host` in every
    /// robot URL: for tests' local receivers, or a county's outbound proxy. The stored URLs
    /// stay the vendors' own.
    pub fn new(store: Store, base_override: Option<String>) -> Result<Dispatcher, reqwest::Error> {
        let settings = ReminderSettings::built_in();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(settings.request_timeout_seconds))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Dispatcher {
            store,
            http,
            settings,
            policy: DeliveryPolicy::from_settings(settings),
            base_override: base_override.map(|b| b.trim_end_matches('/').to_string()),
        })
    }

    pub fn policy(&self) -> &DeliveryPolicy {
        &self.policy
    }

    /// One round at `now`: every robot's due messages, as many as its rate window allows, one
    /// robot after another (a robot's messages go out in order).
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<Round, StoreError> {
        let mut by_robot: BTreeMap<i64, (Robot, Vec<OutboxEntry>)> = BTreeMap::new();
        for (message, robot) in self.store.due_messages(now, BATCH).await? {
            by_robot
                .entry(robot.id)
                .or_insert_with(|| (robot, Vec::new()))
                .1
                .push(message);
        }
        let mut round = Round::default();
        for (robot, messages) in by_robot.into_values() {
            let recent = self.store.attempt_times(robot.id, now - self.policy.window).await?;
            let slots = self.policy.free_slots(&recent, now);
            round.deferred += messages.len().saturating_sub(slots);
            for message in messages.into_iter().take(slots) {
                let outcome = self.send(&robot, &message, now).await;
                match outcome {
                    Attempt::Delivered => round.delivered += 1,
                    Attempt::Failed(_) => round.failed += 1,
                }
                let recorded = self.store.record_attempt(&message, now, &outcome, &self.policy).await?;
                if recorded.robot_now_failing {
                    tracing::warn!(robot = robot.id, name = %robot.name, "robot reported failing; no longer tried until resumed");
                    break;
                }
            }
        }
        Ok(round)
    }

    /// The URL actually posted to: the stored one, or its path on the override base.
    fn target(&self, url: &str, kind: RobotKind) -> String {
        let host = format!("https://{}", kind.endpoint(self.settings).host);
        match (&self.base_override, url.strip_prefix(&host)) {
            (Some(base), Some(rest)) => format!("{base}{rest}"),
            _ => url.to_string(),
        }
    }

    async fn send(&self, robot: &Robot, message: &OutboxEntry, now: DateTime<Utc>) -> Attempt {
        let address = RobotAddress {
            kind: robot.kind,
            webhook_url: &robot.webhook_url,
            secret: robot.secret.as_deref(),
            keyword: robot.keyword.as_deref(),
        };
        let req = request(&address, &message.notice, self.settings, now.timestamp_millis());
        let sent = self
            .http
            .post(self.target(&req.url, robot.kind))
            .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(req.body)
            .send()
            .await;
        let res = match sent {
            Ok(r) => r,
            Err(e) => return Attempt::Failed(format!("network: {e}")),
        };
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        match read_reply(status, &body) {
            RobotReply::Accepted => Attempt::Delivered,
            RobotReply::Refused { errcode, errmsg } => Attempt::Failed(format!("errcode {errcode}: {errmsg}")),
        }
    }

    /// The county's day and time of day at `now`.
    fn local(&self, now: DateTime<Utc>) -> chrono::NaiveDateTime {
        (now + Duration::hours(self.settings.utc_offset_hours)).naive_utc()
    }

    /// Enqueues the day's digests once the configured time of day has come (the store makes it
    /// idempotent per unit and day). Returns the day it covered, if it ran.
    pub async fn digest_if_due(
        &self,
        region_id: i64,
        now: DateTime<Utc>,
        last: Option<NaiveDate>,
    ) -> Result<Option<NaiveDate>, StoreError> {
        let local = self.local(now);
        let today = local.date();
        if last == Some(today) || local.time() < self.settings.digest_time() {
            return Ok(None);
        }
        let queued = self.store.enqueue_daily_digests(region_id, today).await?;
        tracing::info!(queued, %today, "daily digests queued");
        Ok(Some(today))
    }

    /// Runs rounds for ever, every `dispatch_every_seconds`, queueing each day's digests.
    pub async fn run_forever(self, region_id: i64) {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(self.settings.dispatch_every_seconds));
        let mut last_digest = None;
        loop {
            every.tick().await;
            let now = Utc::now();
            match self.digest_if_due(region_id, now, last_digest).await {
                Ok(Some(day)) => last_digest = Some(day),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "queueing the daily digests failed"),
            }
            match self.run_once(now).await {
                Ok(r) if r == Round::default() => {}
                Ok(r) => tracing::info!(
                    delivered = r.delivered,
                    failed = r.failed,
                    deferred = r.deferred,
                    "reminders sent"
                ),
                Err(e) => tracing::error!(error = %e, "a round of reminders failed"),
            }
        }
    }
}
