//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! 18 characters from `0-9 A-H J-N P-R T U W-Y` (no I, O, Z, S, V); the 18th is a check character
//! computed from the first 17 with the weights of the standard (DOMAIN.md §7).

use crate::validation::{FieldError, Rule};
use serde::{Deserialize, Serialize};
use std::fmt;

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A validated credit code, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// What is wrong with a candidate code, worded for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditCodeError {
    Length(usize),
    Character { position: usize, found: char },
    CheckCharacter { expected: char, found: char },
}

impl CreditCodeError {
    fn detail(&self) -> (String, String) {
        match self {
            CreditCodeError::Length(n) => (
                format!("应为 18 位，实际 {n} 位"),
                format!("must be 18 characters, found {n}"),
            ),
            CreditCodeError::Character { position, found } => (
                format!("第 {position} 位“{found}”不是允许的字符（不含 I、O、Z、S、V）"),
                format!("character {position} '{found}' is not allowed (no I, O, Z, S, V)"),
            ),
            CreditCodeError::CheckCharacter { expected, found } => (
                format!("校验位应为“{expected}”，实际为“{found}”"),
                format!("check character should be '{expected}', found '{found}'"),
            ),
        }
    }
}

fn value_of(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters (which must be from the alphabet).
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize)
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let s: String = input.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        for (i, c) in s.chars().enumerate() {
            if value_of(c).is_none() {
                return Err(CreditCodeError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        let expected = check_character(&s[..17]).expect("alphabet checked above");
        let found = s.chars().nth(17).expect("length checked above");
        if expected != found {
            return Err(CreditCodeError::CheckCharacter { expected, found });
        }
        Ok(CreditCode(s))
    }

    /// Validates a form field; empty is allowed unless `required`.
    pub fn field(field: &str, value: &str, required: bool) -> Result<Option<CreditCode>, FieldError> {
        if value.trim().is_empty() {
            return if required {
                Err(FieldError::new(field, Rule::Required))
            } else {
                Ok(None)
            };
        }
        CreditCode::parse(value).map(Some).map_err(|e| {
            let (zh, en) = e.detail();
            FieldError::new(
                field,
                Rule::CreditCode {
                    detail: format!("{zh} / {en}"),
                },
            )
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        CreditCode::parse(&s).map_err(|e| e.detail().1)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes printed on public business licences of well-known companies.
    #[test]
    fn real_published_codes_validate() {
        for code in [
            "914403001922038216",
            "91330100716105852F",
            "9144030071526726XG",
            "91110108551385082Q",
        ] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
        assert_eq!(check_character("91360000MA35XYW12"), Some('J'));
    }

    #[test]
    fn check_character_follows_the_weighted_sum_rule() {
        // Hand computation for 17 zeros: sum = 0 → check = (31 - 0) % 31 = 0.
        assert_eq!(check_character("00000000000000000"), Some('0'));
        // "1" then 16 zeros: sum = 1·1 = 1 → check = 30 → 'Y'.
        assert_eq!(check_character("10000000000000000"), Some('Y'));
        // "01" then zeros: sum = 1·3 = 3 → check = 28 → 'W'.
        assert_eq!(check_character("01000000000000000"), Some('W'));
    }

    #[test]
    fn a_typo_in_any_position_is_caught() {
        let good = format!("91360000MA35XYW12{}", check_character("91360000MA35XYW12").unwrap());
        let mut wrong = good.clone();
        wrong.replace_range(5..6, "1");
        assert!(matches!(
            CreditCode::parse(&wrong),
            Err(CreditCodeError::CheckCharacter { .. })
        ));
        assert_eq!(CreditCode::parse("123"), Err(CreditCodeError::Length(3)));
        assert!(matches!(
            CreditCode::parse("91360000MA35XYW1IO"),
            Err(CreditCodeError::Character {
                position: 17,
                found: 'I'
            })
        ));
    }

    #[test]
    fn lower_case_input_is_accepted_and_stored_upper_case() {
        let good = format!("91360000MA35XYW12{}", check_character("91360000MA35XYW12").unwrap());
        assert_eq!(CreditCode::parse(&good.to_lowercase()).unwrap().as_str(), good);
    }

    #[test]
    fn the_field_error_explains_the_check_character_in_both_languages() {
        let e = CreditCode::field("credit_code", "91360000MA35XYW120", true).unwrap_err();
        assert_eq!(e.field, "credit_code");
        let msg = e.rule.message(crate::validation::Lang::Zh);
        assert!(msg.contains("校验位应为“J”，实际为“0”"), "{msg}");
    }
}
