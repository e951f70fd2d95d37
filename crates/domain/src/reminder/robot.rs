//! A group robot (群机器人): where its webhook points, and the secret DingTalk signs with.
//!
//! A webhook URL is checked against the vendor's published endpoint (DOMAIN.md §5): `https`, the
//! vendor's host exactly (no user, no port), its path, and the key or token present and nothing
//! else in the query — so a typo or a look-alike host is refused before anything is sent to it.
//! The key in the URL and the signing secret are both credentials: pages show them masked.

use super::settings::{ReminderSettings, RobotEndpoint};
use crate::labelled_enum;
use crate::validation::{self, FieldError, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};

labelled_enum! {
    pub enum RobotKind {
        WeCom = ("wecom", "企业微信", "WeCom"),
        DingTalk = ("dingtalk", "钉钉", "DingTalk"),
    }
}

impl RobotKind {
    pub fn endpoint(self, s: &ReminderSettings) -> &RobotEndpoint {
        match self {
            RobotKind::WeCom => &s.robots.wecom,
            RobotKind::DingTalk => &s.robots.dingtalk,
        }
    }
}

/// A robot as typed by the office. An empty `secret` on edit keeps the stored one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RobotForm {
    pub name: String,
    pub kind: String,
    /// Empty for the county's robot (专班群); a unit's id for that unit's group.
    pub unit_id: String,
    pub webhook_url: String,
    /// DingTalk 加签 secret (`SEC…`); WeCom robots have none.
    pub secret: String,
    /// A DingTalk 自定义关键词 every message must contain; put in each message's title.
    pub keyword: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotDraft {
    pub name: String,
    pub kind: RobotKind,
    pub unit_id: Option<i64>,
    #[serde(skip_serializing)]
    pub webhook_url: String,
    /// `None`: none given (on edit: keep the stored one).
    #[serde(skip_serializing)]
    pub secret: Option<String>,
    pub keyword: Option<String>,
}

fn refuse(field: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, Rule::Other { zh, en })
}

/// Checks a webhook URL against the vendor's endpoint and returns it trimmed.
pub fn webhook_field(field: &str, kind: RobotKind, value: &str, s: &ReminderSettings) -> Result<String, FieldError> {
    let url = validation::required_text(field, value, 500)?;
    let ep = kind.endpoint(s);
    let expected = format!("https://{}{}?{}=…", ep.host, ep.path, ep.token_param);
    let wrong = || {
        refuse(
            field,
            format!("{}机器人地址应为 {expected}", kind.label(validation::Lang::Zh)),
            format!(
                "a {} robot's address must look like {expected}",
                kind.label(validation::Lang::En)
            ),
        )
    };
    let rest = url.strip_prefix("https://").ok_or_else(|| {
        refuse(
            field,
            "机器人地址必须以 https:// 开头".into(),
            "a robot address must start with https://".into(),
        )
    })?;
    if rest.contains('#') {
        return Err(wrong());
    }
    let (host_path, query) = rest.split_once('?').ok_or_else(wrong)?;
    let (host, path) = host_path.split_at(host_path.find('/').ok_or_else(wrong)?);
    if !host.eq_ignore_ascii_case(&ep.host) || path != ep.path {
        return Err(wrong());
    }
    let mut token = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((k, v)) if k == ep.token_param && token.is_none() => token = Some(v),
            _ => return Err(wrong()),
        }
    }
    let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
        refuse(
            field,
            format!("地址中缺少 {} 参数", ep.token_param),
            format!("the address lacks its {} parameter", ep.token_param),
        )
    })?;
    if !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(refuse(
            field,
            format!("{} 只能包含字母、数字、- 和 _", ep.token_param),
            format!("{} may contain letters, digits, - and _ only", ep.token_param),
        ));
    }
    Ok(format!("https://{}{}?{}={token}", ep.host, ep.path, ep.token_param))
}

/// A DingTalk signing secret: `SEC` and letters and digits.
fn secret_field(field: &str, kind: RobotKind, value: &str) -> Result<Option<String>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if kind == RobotKind::WeCom {
        return Err(refuse(
            field,
            "企业微信群机器人没有加签密钥，请留空".into(),
            "WeCom group robots have no signing secret; leave it empty".into(),
        ));
    }
    let ok = v.starts_with("SEC") && v.len() <= 200 && v.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(refuse(
            field,
            "钉钉加签密钥以 SEC 开头，只含字母和数字".into(),
            "a DingTalk signing secret starts with SEC and holds letters and digits only".into(),
        ));
    }
    Ok(Some(v.to_string()))
}

impl RobotForm {
    pub fn validate(&self, s: &ReminderSettings) -> Result<RobotDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check(validation::required_text("name", &self.name, 50));
        let kind = errs.check(RobotKind::field("kind", &self.kind));
        let unit_id = match self.unit_id.trim() {
            "" => None,
            v => errs.check(
                v.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| FieldError::new("unit_id", Rule::NotANumber)),
            ),
        };
        let keyword = errs
            .check(validation::text("keyword", &self.keyword, false, 20))
            .flatten();
        let (webhook_url, secret) = match kind {
            Some(k) => (
                errs.check(webhook_field("webhook_url", k, &self.webhook_url, s)),
                errs.check(secret_field("secret", k, &self.secret)).flatten(),
            ),
            None => (None, None),
        };
        errs.into_result(|| RobotDraft {
            name: name.unwrap_or_default(),
            kind: kind.unwrap_or(RobotKind::WeCom),
            unit_id,
            webhook_url: webhook_url.unwrap_or_default(),
            secret,
            keyword,
        })
    }
}

/// A credential as pages show it: its first and last four characters.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 12 {
        return "****".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// A webhook URL with its key or token masked.
pub fn mask_webhook(url: &str) -> String {
    match url.split_once('=') {
        Some((before, token)) => format!("{before}={}", mask(token)),
        None => mask(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> &'static ReminderSettings {
        ReminderSettings::built_in()
    }

    #[test]
    fn the_vendors_published_addresses_are_accepted() {
        let w = webhook_field(
            "u",
            RobotKind::WeCom,
            " https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx ",
            s(),
        );
        assert_eq!(
            w.unwrap(),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"
        );
        let d = webhook_field(
            "u",
            RobotKind::DingTalk,
            "https://OAPI.dingtalk.com/robot/send?access_token=abc123",
            s(),
        );
        assert_eq!(d.unwrap(), "https://oapi.dingtalk.com/robot/send?access_token=abc123");
    }

    #[test]
    fn look_alike_hosts_plain_http_and_missing_keys_are_refused() {
        for bad in [
            "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=k",
            "https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=k",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/other?key=k",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k&debug=1",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k%20x",
            "https://oapi.dingtalk.com/robot/send?access_token=t",
        ] {
            let e = webhook_field("webhook_url", RobotKind::WeCom, bad, s());
            assert!(e.is_err(), "{bad} must be refused");
            assert_eq!(e.unwrap_err().field, "webhook_url");
        }
    }

    #[test]
    fn a_secret_is_for_dingtalk_only_and_starts_with_sec() {
        let form = |kind: &str, url: &str, secret: &str| RobotForm {
            name: "专班群".into(),
            kind: kind.into(),
            webhook_url: url.into(),
            secret: secret.into(),
            ..Default::default()
        };
        let ding = "https://oapi.dingtalk.com/robot/send?access_token=t0k3n";
        let d = form("dingtalk", ding, &format!("SEC{}", "0".repeat(64)))
            .validate(s())
            .unwrap();
        assert!(d.secret.unwrap().starts_with("SEC"));
        assert_eq!(
            form("dingtalk", ding, "not-a-secret").validate(s()).unwrap_err().0[0].field,
            "secret"
        );
        let wecom = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k";
        assert_eq!(
            form("wecom", wecom, "SEC123").validate(s()).unwrap_err().0[0].field,
            "secret"
        );
        let fields: Vec<String> = form("slack", "", "")
            .validate(s())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["kind"]);
    }

    #[test]
    fn credentials_are_shown_masked() {
        let secret = format!("SEC{}", "a1".repeat(32));
        assert_eq!(mask(&secret), "SECa…a1a1");
        assert_eq!(mask("short"), "****");
        assert_eq!(
            mask_webhook("https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"),
            "https://oapi.dingtalk.com/robot/send?access_token=0123…cdef"
        );
    }
}
