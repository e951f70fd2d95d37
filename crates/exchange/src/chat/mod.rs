//! Group-robot messages as bytes: a [`Notice`] becomes the WeCom or DingTalk JSON payload, the
//! DingTalk request is signed, and the robot's answer is read (DOMAIN.md §5). Pure functions: the
//! web layer's worker does the sending.

mod dingtalk;
mod markdown;
mod response;

pub use dingtalk::{sign, signed_url};
pub use markdown::{Rendered, render};
pub use response::{RobotReply, read_reply};

use chainforce_domain::reminder::RobotKind;
use chainforce_domain::reminder::notice::Notice;
use chainforce_domain::reminder::settings::ReminderSettings;

/// The robot a message goes to, as the payload needs it.
#[derive(Debug, Clone)]
pub struct RobotAddress<'a> {
    pub kind: RobotKind,
    /// The stored webhook URL (already checked against the vendor's endpoint).
    pub webhook_url: &'a str,
    /// DingTalk 加签 secret, if the robot uses signing.
    pub secret: Option<&'a str>,
    /// DingTalk 自定义关键词, put in every message.
    pub keyword: Option<&'a str>,
}

/// A request ready to send: POST `url` with the JSON `body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotRequest {
    pub url: String,
    pub body: String,
}

/// The request that tells `robot` the `notice`. `now_ms` is the DingTalk signing timestamp
/// (milliseconds since 1970; the robot refuses one more than an hour off).
pub fn request(robot: &RobotAddress, notice: &Notice, settings: &ReminderSettings, now_ms: i64) -> RobotRequest {
    let max = robot.kind.endpoint(settings).markdown_max_bytes;
    let r = render(notice, robot.kind, robot.keyword, max);
    match robot.kind {
        RobotKind::WeCom => RobotRequest {
            url: robot.webhook_url.to_string(),
            body: serde_json::json!({"msgtype": "markdown", "markdown": {"content": r.text}}).to_string(),
        },
        RobotKind::DingTalk => RobotRequest {
            url: match robot.secret {
                Some(secret) => signed_url(robot.webhook_url, secret, now_ms),
                None => robot.webhook_url.to_string(),
            },
            body: serde_json::json!({
                "msgtype": "markdown",
                "markdown": {"title": r.title, "text": r.text},
                "at": {"atMobiles": [], "isAtAll": false},
            })
            .to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_notice() -> Notice {
        Notice::Test {
            robot_name: "专班群".into(),
        }
    }

    #[test]
    fn a_wecom_request_is_a_markdown_message_to_the_webhook_as_stored() {
        let robot = RobotAddress {
            kind: RobotKind::WeCom,
            webhook_url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
            secret: None,
            keyword: None,
        };
        let r = request(&robot, &test_notice(), ReminderSettings::built_in(), 1_700_000_000_000);
        assert_eq!(r.url, robot.webhook_url);
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["msgtype"], "markdown");
        assert!(body["markdown"]["content"].as_str().unwrap().contains("专班群"));
    }

    #[test]
    fn a_signed_dingtalk_request_carries_timestamp_and_sign_and_the_keyword() {
        let secret = format!("SEC{}", "0".repeat(63));
        let robot = RobotAddress {
            kind: RobotKind::DingTalk,
            webhook_url: "https://oapi.dingtalk.com/robot/send?access_token=t0k",
            secret: Some(&secret),
            keyword: Some("专班"),
        };
        let r = request(&robot, &test_notice(), ReminderSettings::built_in(), 1_700_000_000_000);
        assert_eq!(
            r.url,
            "https://oapi.dingtalk.com/robot/send?access_token=t0k&timestamp=1700000000000&sign=mphPIqgjGbRzHPELpWQPiram3BEkrp9g5J866J8sMcg%3D"
        );
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["msgtype"], "markdown");
        assert!(body["markdown"]["title"].as_str().unwrap().contains("专班"));
        assert!(body["markdown"]["text"].as_str().unwrap().contains("【专班】"));
        assert_eq!(body["at"]["isAtAll"], false);
    }
}
