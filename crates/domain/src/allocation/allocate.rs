//! Sharing a quota among eligible applicants, already in rank order.
//!
//! **Rank order** (按排名依次配置): from the first, each applicant gets its request in full while
//! the quota lasts; the applicant on whom it runs out gets what is left, and those after get
//! nothing.
//!
//! **Pro rata with a minimum** (按比例配置):
//! 1. Shares are proportional to each applicant's weight (its request or its total score, as the
//!    round says; if every weight is zero, equal). Nobody gets more than it asked for: an applicant
//!    whose share would exceed its request gets its request, and the rest of the quota is shared
//!    again among the others, until no share exceeds a request.
//! 2. If any share is below the minimum, the applicant with the smallest share (on equal shares,
//!    the lower-ranked one) gets 0 and step 1 is repeated without it, until every remaining share
//!    reaches the minimum. An applicant whose request is below the minimum therefore gets 0.
//! 3. Shares are computed to 0.0001 and rounded down; the units left over go one each to the
//!    applicants not yet at their request, in rank order, so the shares add up to the quota
//!    exactly (or to the sum of the requests when the quota is larger).

use super::rules::ProRataBasis;
use crate::amount::Amount;
use crate::chain::Explanation;
use crate::chain::decimal;
use crate::validation::Lang;

/// An eligible applicant's claim, in rank order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Claim {
    pub requested: Amount,
    /// The pro-rata weight (request or score); unused in rank order.
    pub weight: Amount,
}

/// What one claim receives and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub granted: Amount,
    pub reason: Explanation,
}

/// The quota's unit for the reasons: (Chinese, English).
pub(crate) type UnitLabels<'a> = (&'a str, &'a str);

pub(crate) fn rank_order(claims: &[Claim], quota: Amount, unit: UnitLabels) -> Vec<Grant> {
    let (uz, ue) = unit;
    let mut left = quota;
    claims
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let k = i + 1;
            let r = c.requested;
            if left.raw() <= 0 {
                return Grant {
                    granted: Amount::ZERO,
                    reason: Explanation::new(
                        format!("排名第 {k} 位，配额已用完，未获配置"),
                        format!("ranked {k}; the quota was used up before this application"),
                    ),
                };
            }
            if r <= left {
                left = decimal::sub(left, r);
                Grant {
                    granted: r,
                    reason: Explanation::new(
                        format!("排名第 {k} 位，足额配置 {r} {uz}，配额余 {left} {uz}"),
                        format!("ranked {k}: granted the full {r} {ue}; {left} {ue} of the quota left"),
                    ),
                }
            } else {
                let g = left;
                left = Amount::ZERO;
                Grant {
                    granted: g,
                    reason: Explanation::new(
                        format!("排名第 {k} 位，申请 {r} {uz}，配额仅余 {g} {uz}，全部配置给本申请"),
                        format!("ranked {k}: asked for {r} {ue}; only {g} {ue} of the quota was left, all granted"),
                    ),
                }
            }
        })
        .collect()
}

pub(crate) fn pro_rata(
    claims: &[Claim],
    quota: Amount,
    minimum: Amount,
    basis: ProRataBasis,
    unit: UnitLabels,
) -> Vec<Grant> {
    let (uz, ue) = unit;
    let mut active: Vec<usize> = (0..claims.len()).collect();
    let mut dropped: Vec<(usize, Amount)> = Vec::new();
    let fill = loop {
        let fill = water_fill(claims, &active, quota);
        let smallest = active
            .iter()
            .copied()
            .filter(|&i| fill.shares[i] < minimum)
            .min_by_key(|&i| (fill.shares[i], std::cmp::Reverse(i)));
        match smallest {
            Some(i) => {
                dropped.push((i, fill.shares[i]));
                active.retain(|&a| a != i);
            }
            None => break fill,
        }
    };
    let (bz, be) = (basis.label(Lang::Zh), basis.label(Lang::En));
    (0..claims.len())
        .map(|i| {
            let r = claims[i].requested;
            if let Some(&(_, share)) = dropped.iter().find(|(d, _)| *d == i) {
                return Grant {
                    granted: Amount::ZERO,
                    reason: Explanation::new(
                        format!("按{bz}比例应得 {share} {uz}，低于最低配置量 {minimum} {uz}，不予配置，其份额由其他申请人按比例分享"),
                        format!("a pro-rata share by {be} of {share} {ue} is below the minimum of {minimum} {ue}: nothing granted, and the share goes to the others"),
                    ),
                };
            }
            let g = fill.shares[i];
            let reason = if g == r {
                Explanation::new(
                    format!("按{bz}比例应得不少于申请量，足额配置 {r} {uz}"),
                    format!("the pro-rata share by {be} covers the request: granted the full {r} {ue}"),
                )
            } else {
                let (w, total, pool) = (claims[i].weight, fill.open_weight, fill.pool);
                Explanation::new(
                    format!("申请 {r} {uz}；足额者之外的 {pool} {uz} 按{bz}比例分配（本申请 {w} / 合计 {total}），配置 {g} {uz}"),
                    format!("asked for {r} {ue}; the {pool} {ue} not taken by full grants is shared by {be} ({w} of {total}): granted {g} {ue}"),
                )
            };
            Grant { granted: g, reason }
        })
        .collect()
}

struct Fill {
    shares: Vec<Amount>,
    /// The part of the quota shared proportionally after full grants, and the weights sharing it.
    pool: Amount,
    open_weight: Amount,
}

fn water_fill(claims: &[Claim], active: &[usize], quota: Amount) -> Fill {
    let mut shares = vec![Amount::ZERO; claims.len()];
    let mut open: Vec<usize> = active.to_vec();
    let mut left = quota;
    let all_zero = open.iter().all(|&i| claims[i].weight.raw() == 0);
    let weight = |i: usize| {
        if all_zero {
            Amount::from_int(1)
        } else {
            claims[i].weight
        }
    };
    loop {
        let total: Amount = open.iter().map(|&i| weight(i)).sum();
        // left × w ≥ request × total, compared exactly: the share would reach the request.
        let full: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&i| {
                left.raw() as i128 * weight(i).raw() as i128 >= claims[i].requested.raw() as i128 * total.raw() as i128
            })
            .collect();
        if full.is_empty() || total.raw() == 0 {
            break;
        }
        for &i in &full {
            shares[i] = claims[i].requested;
            left = decimal::sub(left, claims[i].requested);
        }
        open.retain(|i| !full.contains(i));
        if open.is_empty() {
            break;
        }
    }
    let total: Amount = open.iter().map(|&i| weight(i)).sum();
    if total.raw() > 0 {
        for &i in &open {
            shares[i] = decimal::mul_div_floor(left, weight(i), total).unwrap_or_default();
        }
        let given: Amount = open.iter().map(|&i| shares[i]).sum();
        let mut spare = decimal::sub(left, given).raw();
        for &i in &open {
            if spare <= 0 {
                break;
            }
            if shares[i] < claims[i].requested {
                shares[i] = Amount::from_raw(shares[i].raw() + 1);
                spare -= 1;
            }
        }
    }
    Fill {
        shares,
        pool: left,
        open_weight: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    fn claims(list: &[(&str, &str)]) -> Vec<Claim> {
        list.iter()
            .map(|(r, w)| Claim {
                requested: a(r),
                weight: a(w),
            })
            .collect()
    }

    fn granted(g: &[Grant]) -> Vec<Amount> {
        g.iter().map(|g| g.granted).collect()
    }

    const T: UnitLabels = ("吨/年", "t/yr");

    #[test]
    fn rank_order_fills_requests_in_turn_and_gives_the_remainder_to_the_one_it_runs_out_on() {
        let c = claims(&[("400", "0"), ("500", "0"), ("300", "0")]);
        let g = rank_order(&c, a("1000"), T);
        assert_eq!(granted(&g), [a("400"), a("500"), a("100")]);
        assert_eq!(
            g[2].reason.zh,
            "排名第 3 位，申请 300 吨/年，配额仅余 100 吨/年，全部配置给本申请"
        );
        let g = rank_order(&c, a("900"), T);
        assert_eq!(granted(&g), [a("400"), a("500"), a("0")]);
        assert_eq!(
            g[2].reason.en,
            "ranked 3; the quota was used up before this application"
        );
    }

    #[test]
    fn a_quota_smaller_than_the_first_request_all_goes_to_the_first() {
        let c = claims(&[("5000", "0"), ("100", "0")]);
        assert_eq!(granted(&rank_order(&c, a("3000"), T)), [a("3000"), a("0")]);
    }

    #[test]
    fn pro_rata_by_request_scales_every_request_down_alike() {
        // Requests 600 / 300 / 100 for a quota of 500: half each.
        let c = claims(&[("600", "600"), ("300", "300"), ("100", "100")]);
        let g = pro_rata(&c, a("500"), Amount::ZERO, ProRataBasis::Requested, T);
        assert_eq!(granted(&g), [a("300"), a("150"), a("50")]);
    }

    #[test]
    fn pro_rata_never_exceeds_a_request_and_shares_the_excess_among_the_rest() {
        // Scores 50 / 30 / 20, quota 1000: 500 / 300 / 200, but the first asked for 200 only.
        // It gets 200; the other 800 are split 30 : 20 → 480 / 320.
        let c = claims(&[("200", "50"), ("1000", "30"), ("1000", "20")]);
        let g = pro_rata(&c, a("1000"), Amount::ZERO, ProRataBasis::Score, T);
        assert_eq!(granted(&g), [a("200"), a("480"), a("320")]);
        assert_eq!(g[0].reason.zh, "按综合得分比例应得不少于申请量，足额配置 200 吨/年");
        assert_eq!(
            g[1].reason.zh,
            "申请 1000 吨/年；足额者之外的 800 吨/年 按综合得分比例分配（本申请 30 / 合计 50），配置 480 吨/年"
        );
    }

    #[test]
    fn a_share_below_the_minimum_becomes_zero_and_is_redistributed() {
        // Scores 60 / 30 / 10, quota 1000, minimum 150: 600 / 300 / 100 → the third is below
        // 150 and drops out; 1000 split 60 : 30 → 666.6667 / 333.3333 (the leftover unit goes to
        // the first in rank).
        let c = claims(&[("2000", "60"), ("2000", "30"), ("2000", "10")]);
        let g = pro_rata(&c, a("1000"), a("150"), ProRataBasis::Score, T);
        assert_eq!(granted(&g), [a("666.6667"), a("333.3333"), a("0")]);
        assert_eq!(
            g[2].reason.zh,
            "按综合得分比例应得 100 吨/年，低于最低配置量 150 吨/年，不予配置，其份额由其他申请人按比例分享"
        );
        assert_eq!(g.iter().map(|g| g.granted).sum::<Amount>(), a("1000"));
    }

    #[test]
    fn dropping_the_smallest_first_can_lift_the_next_above_the_minimum() {
        // Weights 50 / 26 / 24, quota 1000, minimum 250: 500 / 260 / 240 → only the third is
        // below; without it 1000 split 50 : 26 → 657.8948 / 342.1052.
        let c = claims(&[("5000", "50"), ("5000", "26"), ("5000", "24")]);
        let g = pro_rata(&c, a("1000"), a("250"), ProRataBasis::Score, T);
        assert_eq!(granted(&g), [a("657.8948"), a("342.1052"), a("0")]);
        // Weights 50 / 26 / 24 with minimum 400: the third (240) goes, then the second (342.1).
        let g = pro_rata(&c, a("1000"), a("400"), ProRataBasis::Score, T);
        assert_eq!(granted(&g), [a("1000"), a("0"), a("0")]);
    }

    #[test]
    fn on_equal_shares_below_the_minimum_the_lower_ranked_applicant_is_dropped_first() {
        // Three equal weights, quota 900, minimum 301: 300 each; the third (lowest rank) goes
        // first, then 450 each is enough.
        let c = claims(&[("1000", "1"), ("1000", "1"), ("1000", "1")]);
        let g = pro_rata(&c, a("900"), a("301"), ProRataBasis::Score, T);
        assert_eq!(granted(&g), [a("450"), a("450"), a("0")]);
    }

    #[test]
    fn a_quota_larger_than_all_requests_grants_every_request_and_leaves_the_rest() {
        let c = claims(&[("100", "1"), ("200", "1")]);
        let g = pro_rata(&c, a("1000"), Amount::ZERO, ProRataBasis::Requested, T);
        assert_eq!(granted(&g), [a("100"), a("200")]);
    }
}
