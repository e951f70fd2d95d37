//! Exact decimal amounts: investment in 万元 (ten thousand yuan) and land in 亩 (mu).
//!
//! Money is never a float in chainforce. An [`Amount`] is a fixed-point number with four decimal
//! places held in an `i64`, so 1 万元 = 10 000 units = 1 元 exactly, and sums over a county's ledger
//! stay exact. The same type serves 亩, where four places are more than any land certificate shows.

use crate::validation::{FieldError, Rule};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Decimal places kept.
pub const SCALE: u32 = 4;
const ONE: i64 = 10_i64.pow(SCALE);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

/// Why a piece of text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    NotANumber,
    TooManyDecimals,
    TooLarge,
}

impl Amount {
    pub const ZERO: Amount = Amount(0);

    /// From the raw stored integer (units of 1/10 000).
    pub const fn from_raw(raw: i64) -> Amount {
        Amount(raw)
    }

    pub const fn raw(self) -> i64 {
        self.0
    }

    pub const fn from_int(n: i64) -> Amount {
        Amount(n * ONE)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }

    /// The amount as a float, for ratios and charts only — never stored.
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / ONE as f64
    }

    /// `self / other` as a float ratio (e.g. 资金到位率); `None` when `other` is zero.
    pub fn ratio(self, other: Amount) -> Option<f64> {
        if other.0 == 0 {
            None
        } else {
            Some(self.0 as f64 / other.0 as f64)
        }
    }

    /// Multiplies by a power of ten (a unit change such as 亿元 → 万元), exactly or not at all.
    fn shift(self, pow10: i32) -> Result<Amount, AmountError> {
        if pow10 >= 0 {
            10_i64
                .checked_pow(pow10 as u32)
                .and_then(|m| self.0.checked_mul(m))
                .map(Amount)
                .ok_or(AmountError::TooLarge)
        } else {
            let d = 10_i64.pow((-pow10) as u32);
            if self.0 % d != 0 {
                return Err(AmountError::TooManyDecimals);
            }
            Ok(Amount(self.0 / d))
        }
    }

    /// Parses a plain decimal (`12000`, `-3.5`, `1,200.25`) without a unit.
    pub fn parse_plain(s: &str) -> Result<Amount, AmountError> {
        let s: String = s
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .collect();
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(&s)),
        };
        if body.is_empty() {
            return Err(AmountError::NotANumber);
        }
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if (int_part.is_empty() && frac_part.is_empty())
            || !int_part.chars().all(|c| c.is_ascii_digit())
            || !frac_part.chars().all(|c| c.is_ascii_digit())
        {
            return Err(AmountError::NotANumber);
        }
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > SCALE as usize {
            return Err(AmountError::TooManyDecimals);
        }
        let mut raw: i64 = 0;
        for c in int_part.chars() {
            raw = raw
                .checked_mul(10)
                .and_then(|r| r.checked_add(c as i64 - '0' as i64))
                .ok_or(AmountError::TooLarge)?;
        }
        raw = raw.checked_mul(ONE).ok_or(AmountError::TooLarge)?;
        let mut frac: i64 = 0;
        for (i, c) in frac_trimmed.chars().enumerate() {
            frac += (c as i64 - '0' as i64) * 10_i64.pow(SCALE - 1 - i as u32);
        }
        raw = raw.checked_add(frac).ok_or(AmountError::TooLarge)?;
        Ok(Amount(if neg { -raw } else { raw }))
    }

    /// Parses money as officials write it, into 万元: `1.5亿元`, `1.5亿`, `15000万元`, `15000万`,
    /// `150000000元`, or a bare number taken in `bare_unit`.
    pub fn parse_money_wan(s: &str, bare_unit: MoneyUnit) -> Result<Amount, AmountError> {
        let t = s.trim().trim_end_matches("人民币").trim();
        let (num, unit) = if let Some(n) = t.strip_suffix("亿元").or_else(|| t.strip_suffix('亿')) {
            (n, MoneyUnit::Yi)
        } else if let Some(n) = t.strip_suffix("万元").or_else(|| t.strip_suffix('万')) {
            (n, MoneyUnit::Wan)
        } else if let Some(n) = t.strip_suffix('元') {
            (n, MoneyUnit::Yuan)
        } else {
            (t, bare_unit)
        };
        let plain = Amount::parse_plain(num)?;
        match unit {
            MoneyUnit::Yi => plain.shift(4),
            MoneyUnit::Wan => Ok(plain),
            MoneyUnit::Yuan => plain.shift(-4),
        }
    }

    /// Checks a user's money field (in 万元, units allowed) and names the field on failure.
    pub fn money_field(field: &str, value: &str, required: bool) -> Result<Option<Amount>, FieldError> {
        Self::field(field, value, required, |s| Amount::parse_money_wan(s, MoneyUnit::Wan))
    }

    /// Checks a plain non-negative decimal field (亩, capacity …).
    pub fn decimal_field(field: &str, value: &str, required: bool) -> Result<Option<Amount>, FieldError> {
        Self::field(field, value, required, Amount::parse_plain)
    }

    fn field(
        field: &str,
        value: &str,
        required: bool,
        parse: impl Fn(&str) -> Result<Amount, AmountError>,
    ) -> Result<Option<Amount>, FieldError> {
        if value.trim().is_empty() {
            return if required {
                Err(FieldError::new(field, Rule::Required))
            } else {
                Ok(None)
            };
        }
        match parse(value) {
            Ok(a) if a.is_negative() => Err(FieldError::new(field, Rule::Negative)),
            Ok(a) => Ok(Some(a)),
            Err(AmountError::TooManyDecimals) => Err(FieldError::new(field, Rule::TooManyDecimals { max: SCALE })),
            Err(AmountError::TooLarge) => Err(FieldError::new(
                field,
                Rule::OutOfRange {
                    min: "0".into(),
                    max: Amount(i64::MAX).to_string(),
                },
            )),
            Err(AmountError::NotANumber) => Err(FieldError::new(field, Rule::NotANumber)),
        }
    }
}

/// The unit a bare money figure is in (a column header such as 总投资（亿元） says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyUnit {
    /// 元
    Yuan,
    /// 万元, the stored unit
    Wan,
    /// 亿元
    Yi,
}

impl fmt::Display for Amount {
    /// Shortest exact decimal: `12000`, `1.5`, `-0.0001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let int = abs / ONE as u64;
        let frac = abs % ONE as u64;
        if neg {
            f.write_str("-")?;
        }
        if frac == 0 {
            write!(f, "{int}")
        } else {
            let s = format!("{frac:0width$}", width = SCALE as usize);
            write!(f, "{int}.{}", s.trim_end_matches('0'))
        }
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse_plain(s)
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, |a, b| a.saturating_add(b))
    }
}

/// Serialised as a decimal string, so JSON clients never see a float either.
impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            S(String),
            I(i64),
        }
        match Repr::deserialize(d)? {
            Repr::S(s) => Amount::parse_plain(&s).map_err(|_| serde::de::Error::custom("not a decimal amount")),
            Repr::I(i) => i
                .checked_mul(ONE)
                .map(Amount)
                .ok_or_else(|| serde::de::Error::custom("amount too large")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wan(s: &str) -> String {
        Amount::parse_money_wan(s, MoneyUnit::Wan).unwrap().to_string()
    }

    #[test]
    fn ledger_money_in_every_written_form_lands_in_wan_yuan() {
        assert_eq!(wan("1.5亿元"), "15000");
        assert_eq!(wan("1.5亿"), "15000");
        assert_eq!(wan("15000万元"), "15000");
        assert_eq!(wan(" 15,000 万 "), "15000");
        assert_eq!(wan("150000000元"), "15000");
        assert_eq!(wan("12345元"), "1.2345");
        assert_eq!(
            Amount::parse_money_wan("2.5", MoneyUnit::Yi).unwrap().to_string(),
            "25000"
        );
    }

    #[test]
    fn sums_of_money_are_exact_where_floats_are_not() {
        let tenth = Amount::parse_plain("0.1").unwrap();
        let total: Amount = std::iter::repeat_n(tenth, 10).sum();
        assert_eq!(total, Amount::from_int(1));
        assert_ne!((0..10).map(|_| 0.1_f64).sum::<f64>(), 1.0);
    }

    #[test]
    fn amounts_below_one_yuan_are_refused_not_rounded() {
        assert_eq!(
            Amount::parse_money_wan("0.5元", MoneyUnit::Wan),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(Amount::parse_plain("1.00001"), Err(AmountError::TooManyDecimals));
        assert_eq!(Amount::parse_plain("1.50000").unwrap().to_string(), "1.5");
    }

    #[test]
    fn garbage_is_not_a_number() {
        for s in ["", "abc", "1.2.3", "--1", "1e5", ".", "十万"] {
            assert_eq!(Amount::parse_plain(s), Err(AmountError::NotANumber), "{s}");
        }
        assert_eq!(Amount::parse_plain("99999999999999999999"), Err(AmountError::TooLarge));
    }

    #[test]
    fn a_money_field_names_itself_and_refuses_negatives() {
        let e = Amount::money_field("total_investment", "-5", true).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("total_investment", Rule::Negative));
        assert_eq!(Amount::money_field("total_investment", "", false).unwrap(), None);
        assert_eq!(
            Amount::money_field("x", "abc", false).unwrap_err().rule,
            Rule::NotANumber
        );
    }

    #[test]
    fn json_carries_amounts_as_strings() {
        let a = Amount::parse_plain("1234.5").unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"1234.5\"");
        assert_eq!(serde_json::from_str::<Amount>("\"1234.5\"").unwrap(), a);
        assert_eq!(serde_json::from_str::<Amount>("7").unwrap(), Amount::from_int(7));
    }
}
