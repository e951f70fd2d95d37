//! Exact products and quotients of decimal quantities — tonnes × grade, GWh × factor, a share of a
//! quota — rounded to the four places an [`Amount`] keeps. The intermediate value is an `i128`, so
//! nothing overflows before the final range check, and `None` means the result does not fit.

use crate::amount::Amount;

const ONE: i128 = 10_000;

/// `a × b`, rounded half away from zero.
pub(crate) fn mul(a: Amount, b: Amount) -> Option<Amount> {
    fit(div_round(a.raw() as i128 * b.raw() as i128, ONE))
}

/// `a ÷ b`, rounded half away from zero; `None` when `b` is zero.
pub(crate) fn div(a: Amount, b: Amount) -> Option<Amount> {
    if b.raw() == 0 {
        return None;
    }
    fit(div_round(a.raw() as i128 * ONE, b.raw() as i128))
}

/// `a × b ÷ c` with a single rounding (half away from zero); `None` when `c` is zero.
pub(crate) fn mul_div(a: Amount, b: Amount, c: Amount) -> Option<Amount> {
    if c.raw() == 0 {
        return None;
    }
    fit(div_round(a.raw() as i128 * b.raw() as i128, c.raw() as i128))
}

/// `a × b ÷ c` rounded towards zero, for shares whose leftovers are handed out separately so that
/// the shares add up to exactly the whole.
pub(crate) fn mul_div_floor(a: Amount, b: Amount, c: Amount) -> Option<Amount> {
    if c.raw() == 0 {
        return None;
    }
    fit(a.raw() as i128 * b.raw() as i128 / c.raw() as i128)
}

pub(crate) fn sub(a: Amount, b: Amount) -> Amount {
    Amount::from_raw(a.raw().saturating_sub(b.raw()))
}

fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    }
}

fn fit(raw: i128) -> Option<Amount> {
    i64::try_from(raw).ok().map(Amount::from_raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    #[test]
    fn products_and_quotients_round_half_away_from_zero_at_the_fourth_place() {
        assert_eq!(mul(a("1000"), a("2.473")), Some(a("2473")));
        assert_eq!(mul(a("0.0001"), a("0.5")), Some(a("0.0001")));
        assert_eq!(mul(a("-0.0001"), a("0.5")), Some(a("-0.0001")));
        assert_eq!(mul(a("0.0001"), a("0.4")), Some(Amount::ZERO));
        assert_eq!(div(a("1"), a("3")), Some(a("0.3333")));
        assert_eq!(div(a("2"), a("3")), Some(a("0.6667")));
        assert_eq!(div(a("1"), Amount::ZERO), None);
        assert_eq!(mul_div(a("200"), a("1"), a("3")), Some(a("66.6667")));
        assert_eq!(mul_div_floor(a("200"), a("1"), a("3")), Some(a("66.6666")));
    }

    #[test]
    fn a_result_too_large_for_an_amount_is_none_not_a_wrapped_number() {
        let big = Amount::from_raw(i64::MAX);
        assert_eq!(mul(big, a("2")), None);
    }
}
