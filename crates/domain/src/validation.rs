//! Validation results that name the field and the rule, in the user's language.
//!
//! Every user input in chainforce is checked by a domain function that returns either a value or
//! [`ValidationErrors`]. The web layer turns them into a 422 page or JSON body; the CLI prints them;
//! the importer attaches them to a row and a cell. Nobody writes a message by hand at the edge.

use serde::Serialize;
use std::fmt;

/// The two languages of the product: 简体中文 first, English available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Parses a language tag loosely (`zh`, `zh-CN`, `en`, `en-US`); anything else is Chinese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the text for this language from a (Chinese, English) pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The rule a value broke. Each variant carries what the message needs to be specific.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooLong {
        max: usize,
    },
    NotANumber,
    /// A number with more decimal places than the stored unit keeps.
    TooManyDecimals {
        max: u32,
    },
    Negative,
    OutOfRange {
        min: String,
        max: String,
    },
    NotADate,
    /// The end of a range lies before its start (e.g. 实际完成 before 实际开始).
    EndBeforeStart {
        start_field: String,
    },
    NotOneOf {
        allowed: Vec<String>,
    },
    /// A 统一社会信用代码 that breaks GB 32100-2015; `detail` says which part.
    CreditCode {
        detail: String,
    },
    /// A reference to something that does not exist (an unknown unit id, say).
    Unknown {
        what: String,
    },
    /// A value that must be unique already exists.
    Duplicate,
    TooShort {
        min: usize,
    },
    /// Anything else, already worded for the user in both languages.
    Other {
        zh: String,
        en: String,
    },
}

impl Rule {
    pub fn message(&self, lang: Lang) -> String {
        use Rule::*;
        match (self, lang) {
            (Required, Lang::Zh) => "必填".into(),
            (Required, Lang::En) => "is required".into(),
            (TooLong { max }, Lang::Zh) => format!("不能超过 {max} 个字符"),
            (TooLong { max }, Lang::En) => format!("must be at most {max} characters"),
            (TooShort { min }, Lang::Zh) => format!("至少 {min} 个字符"),
            (TooShort { min }, Lang::En) => format!("must be at least {min} characters"),
            (NotANumber, Lang::Zh) => "必须是数字".into(),
            (NotANumber, Lang::En) => "must be a number".into(),
            (TooManyDecimals { max }, Lang::Zh) => format!("最多保留 {max} 位小数"),
            (TooManyDecimals { max }, Lang::En) => format!("may have at most {max} decimal places"),
            (Negative, Lang::Zh) => "不能为负数".into(),
            (Negative, Lang::En) => "must not be negative".into(),
            (OutOfRange { min, max }, Lang::Zh) => format!("必须在 {min} 到 {max} 之间"),
            (OutOfRange { min, max }, Lang::En) => format!("must be between {min} and {max}"),
            (NotADate, Lang::Zh) => "不是有效日期（格式 YYYY-MM-DD）".into(),
            (NotADate, Lang::En) => "is not a valid date (YYYY-MM-DD)".into(),
            (EndBeforeStart { start_field }, Lang::Zh) => format!("不能早于 {start_field}"),
            (EndBeforeStart { start_field }, Lang::En) => {
                format!("must not be before {start_field}")
            }
            (NotOneOf { allowed }, Lang::Zh) => format!("必须是以下之一：{}", allowed.join("、")),
            (NotOneOf { allowed }, Lang::En) => format!("must be one of: {}", allowed.join(", ")),
            (CreditCode { detail }, Lang::Zh) => format!("不是有效的统一社会信用代码：{detail}"),
            (CreditCode { detail }, Lang::En) => {
                format!("is not a valid unified social credit code: {detail}")
            }
            (Unknown { what }, Lang::Zh) => format!("不存在的{what}"),
            (Unknown { what }, Lang::En) => format!("refers to an unknown {what}"),
            (Duplicate, Lang::Zh) => "已存在，不能重复".into(),
            (Duplicate, Lang::En) => "already exists".into(),
            (Other { zh, .. }, Lang::Zh) => zh.clone(),
            (Other { en, .. }, Lang::En) => en.clone(),
        }
    }
}

/// One field that broke one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's machine name as the form and the API spell it (`total_investment`).
    pub field: String,
    #[serde(flatten)]
    pub rule: Rule,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        FieldError {
            field: field.into(),
            rule,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule.message(Lang::En))
    }
}

/// All the problems of one input, so the user can fix them in one go rather than one per submit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, rule: Rule) -> Self {
        ValidationErrors(vec![FieldError::new(field, rule)])
    }

    pub fn push(&mut self, field: impl Into<String>, rule: Rule) {
        self.0.push(FieldError::new(field, rule));
    }

    /// Records the error of a field check and gives back its value when it passed.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// `Ok(value)` when nothing was recorded, else the collected errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { Ok(value()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        ValidationErrors(vec![e])
    }
}

/// Free text fields: trimmed, required or not, with a maximum length in characters (not bytes:
/// Chinese text is three bytes a character in UTF-8).
pub fn text(field: &str, value: &str, required: bool, max_chars: usize) -> Result<Option<String>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return if required {
            Err(FieldError::new(field, Rule::Required))
        } else {
            Ok(None)
        };
    }
    if v.chars().count() > max_chars {
        return Err(FieldError::new(field, Rule::TooLong { max: max_chars }));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(
            field,
            Rule::Other {
                zh: "含有不可见的控制字符".into(),
                en: "contains control characters".into(),
            },
        ));
    }
    Ok(Some(v.to_string()))
}

/// A required text field.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    text(field, value, true, max_chars).map(|v| v.unwrap_or_default())
}

/// An optional ISO date (`YYYY-MM-DD`); empty means none.
pub fn optional_date(field: &str, value: &str) -> Result<Option<chrono::NaiveDate>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| FieldError::new(field, Rule::NotADate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_chinese_name_is_counted_in_characters_not_bytes() {
        let name = "锂".repeat(10);
        assert_eq!(text("name", &name, true, 10).unwrap().as_deref(), Some(name.as_str()));
        assert_eq!(
            text("name", &format!("{name}锂"), true, 10).unwrap_err().rule,
            Rule::TooLong { max: 10 }
        );
    }

    #[test]
    fn a_blank_required_field_names_the_field_and_the_rule_in_both_languages() {
        let e = required_text("name", "   ", 10).unwrap_err();
        assert_eq!(e.field, "name");
        assert_eq!(e.rule.message(Lang::Zh), "必填");
        assert_eq!(e.rule.message(Lang::En), "is required");
    }

    #[test]
    fn dates_must_be_real_calendar_dates() {
        assert!(optional_date("d", "2026-02-30").is_err());
        assert_eq!(optional_date("d", "").unwrap(), None);
        assert_eq!(
            optional_date("d", " 2026-02-28 ").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 2, 28)
        );
    }
}
