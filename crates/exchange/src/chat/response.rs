//! Reading a robot's answer. Both vendors answer HTTP 200 even when they refuse a message: the
//! verdict is the `errcode` in the body (0 is success; DingTalk's 310000 is a keyword, timestamp or
//! signature error; WeCom's 40058 a message too long), so it is always checked.

/// What the robot said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotReply {
    Accepted,
    /// Refused, with the vendor's code and message (or a description of an unreadable answer).
    Refused {
        errcode: i64,
        errmsg: String,
    },
}

/// Reads the HTTP status and body of a robot's answer.
pub fn read_reply(http_status: u16, body: &str) -> RobotReply {
    if http_status != 200 {
        return RobotReply::Refused {
            errcode: -i64::from(http_status),
            errmsg: format!("HTTP {http_status}: {}", excerpt(body)),
        };
    }
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    match parsed.as_ref().and_then(|v| v.get("errcode")).and_then(|c| c.as_i64()) {
        Some(0) => RobotReply::Accepted,
        Some(code) => RobotReply::Refused {
            errcode: code,
            errmsg: parsed
                .as_ref()
                .and_then(|v| v.get("errmsg"))
                .and_then(|m| m.as_str())
                .unwrap_or("")
                .to_string(),
        },
        None => RobotReply::Refused {
            errcode: -1,
            errmsg: format!("answer without errcode: {}", excerpt(body)),
        },
    }
}

/// The start of a body, for an error message.
fn excerpt(body: &str) -> String {
    body.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_errcode_zero_is_success_even_with_http_200() {
        assert_eq!(read_reply(200, r#"{"errcode":0,"errmsg":"ok"}"#), RobotReply::Accepted);
        assert_eq!(
            read_reply(200, r#"{"errcode":310000,"errmsg":"sign not match"}"#),
            RobotReply::Refused {
                errcode: 310000,
                errmsg: "sign not match".into()
            }
        );
        assert!(matches!(
            read_reply(200, "<html>"),
            RobotReply::Refused { errcode: -1, .. }
        ));
        assert!(matches!(
            read_reply(502, "bad gateway"),
            RobotReply::Refused { errcode: -502, .. }
        ));
    }
}
