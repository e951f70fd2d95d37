//! 用好资源换好产业 — what an applicant promises for its ore, and whether it keeps the promise.
//!
//! [`track_commitment`] compares each promise with what has happened as of a date (a parameter:
//! the domain has no clock) and gives each item a status and a reason, for the office's alerts,
//! the next meeting's agenda and the ranking:
//!
//! * **investment** (投资到位): due by the schedule of cumulative amounts (or, without one, the whole
//!   amount by the production date); behind when the amount due by `as_of` has not been reached;
//! * **construction start** (开工) and **production start** (投产): behind once the promised date has
//!   passed without it; kept (late or not) once it happened;
//! * **capacity** (产能): due from the promised production date; behind when a lower figure is
//!   reported after that, awaiting a report when none is;
//! * **local processing share** (本地加工比例): an ongoing promise checked once production has started;
//!   behind when the reported share is lower, awaiting a report when there is none.
//!
//! The overall status is the worst item: behind, then awaiting report, then on track, then kept.

use crate::amount::Amount;
use crate::chain::Explanation;
use crate::labelled_enum;
use crate::validation::{Rule, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A cumulative investment amount due by a date (分期到位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvestmentMilestone {
    pub by: NaiveDate,
    pub cumulative_wan: Amount,
}

/// What an applicant promises in return for ore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    /// 承诺投资, 万元.
    pub investment_wan: Amount,
    /// Product node codes of the chain.
    pub products: Vec<String>,
    /// Capacity in the round's capacity unit.
    pub capacity: Amount,
    /// Share of the allocated ore processed locally, percent.
    pub local_processing_pct: Amount,
    /// 承诺开工 date.
    pub start_by: NaiveDate,
    /// 承诺投产 date.
    pub production_by: NaiveDate,
    /// Cumulative amounts due by dates, in date order; empty means all by `production_by`.
    #[serde(default)]
    pub investment_schedule: Vec<InvestmentMilestone>,
}

impl Commitment {
    /// Checks the figures and dates; `prefix` names the record (`applications[2].commitment`).
    pub(crate) fn check(&self, prefix: &str, errs: &mut ValidationErrors) {
        let f = |name: &str| format!("{prefix}.{name}");
        if self.investment_wan.is_negative() {
            errs.push(f("investment_wan"), Rule::Negative);
        }
        if self.capacity.is_negative() {
            errs.push(f("capacity"), Rule::Negative);
        }
        if self.local_processing_pct.is_negative() || self.local_processing_pct > Amount::from_int(100) {
            errs.push(f("local_processing_pct"), percent_range());
        }
        if self.production_by < self.start_by {
            errs.push(
                f("production_by"),
                Rule::EndBeforeStart {
                    start_field: "start_by".into(),
                },
            );
        }
        let mut previous: Option<&InvestmentMilestone> = None;
        for (i, m) in self.investment_schedule.iter().enumerate() {
            if let Some(p) = previous
                && (m.by <= p.by || m.cumulative_wan < p.cumulative_wan)
            {
                errs.push(
                    f(&format!("investment_schedule[{i}]")),
                    Rule::Other {
                        zh: "分期投资须按日期先后排列，累计金额不能减少".into(),
                        en: "milestones must be in date order with non-decreasing cumulative amounts".into(),
                    },
                );
            }
            if m.cumulative_wan > self.investment_wan || m.cumulative_wan.is_negative() {
                errs.push(
                    f(&format!("investment_schedule[{i}].cumulative_wan")),
                    Rule::OutOfRange {
                        min: "0".into(),
                        max: self.investment_wan.to_string(),
                    },
                );
            }
            previous = Some(m);
        }
    }

    /// The cumulative investment due by `date`.
    pub fn investment_due(&self, date: NaiveDate) -> Amount {
        if self.investment_schedule.is_empty() {
            return if date >= self.production_by {
                self.investment_wan
            } else {
                Amount::ZERO
            };
        }
        self.investment_schedule
            .iter()
            .filter(|m| m.by <= date)
            .map(|m| m.cumulative_wan)
            .max()
            .unwrap_or(Amount::ZERO)
    }

    fn next_milestone(&self, date: NaiveDate) -> Option<(NaiveDate, Amount)> {
        if self.investment_schedule.is_empty() {
            return (date < self.production_by).then_some((self.production_by, self.investment_wan));
        }
        self.investment_schedule
            .iter()
            .find(|m| m.by > date)
            .map(|m| (m.by, m.cumulative_wan))
    }
}

pub(crate) fn percent_range() -> Rule {
    Rule::OutOfRange {
        min: "0".into(),
        max: "100".into(),
    }
}

/// What has actually happened, as reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actuals {
    /// 累计到位投资, 万元.
    pub investment_to_date_wan: Amount,
    #[serde(default)]
    pub started_on: Option<NaiveDate>,
    #[serde(default)]
    pub production_on: Option<NaiveDate>,
    /// Capacity reached, in the round's capacity unit.
    #[serde(default)]
    pub capacity_reached: Option<Amount>,
    /// Latest reported local processing share, percent.
    #[serde(default)]
    pub local_processing_pct: Option<Amount>,
}

labelled_enum! {
    pub enum CommitmentItem {
        Investment = ("investment", "投资到位", "Investment"),
        Start = ("start", "开工", "Construction start"),
        Production = ("production", "投产", "Production start"),
        Capacity = ("capacity", "产能", "Capacity"),
        LocalProcessing = ("local_processing", "本地加工比例", "Local processing share"),
    }
}

labelled_enum! {
    /// Ordered from best to worst, so the overall status is the maximum.
    pub enum TrackStatus {
        Kept = ("kept", "已兑现", "Kept"),
        OnTrack = ("on_track", "正常", "On track"),
        AwaitingReport = ("awaiting_report", "待报送", "Awaiting report"),
        Behind = ("behind", "滞后", "Behind"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemStatus {
    pub item: CommitmentItem,
    pub status: TrackStatus,
    /// Calendar days past the promised date (behind, or kept late).
    pub days_late: Option<i64>,
    pub reason: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentReport {
    pub as_of: NaiveDate,
    pub status: TrackStatus,
    pub items: Vec<ItemStatus>,
}

impl CommitmentReport {
    /// The items an alert should name.
    pub fn behind(&self) -> impl Iterator<Item = &ItemStatus> {
        self.items.iter().filter(|i| i.status == TrackStatus::Behind)
    }
}

/// The state of each promise of `promise` on `as_of`.
pub fn track_commitment(
    promise: &Commitment,
    actual: &Actuals,
    capacity_unit: &str,
    as_of: NaiveDate,
) -> CommitmentReport {
    let items = vec![
        investment(promise, actual, as_of),
        milestone(CommitmentItem::Start, promise.start_by, actual.started_on, as_of),
        milestone(
            CommitmentItem::Production,
            promise.production_by,
            actual.production_on,
            as_of,
        ),
        capacity(promise, actual, capacity_unit, as_of),
        local_processing(promise, actual, as_of),
    ];
    let status = items.iter().map(|i| i.status).max().unwrap_or(TrackStatus::OnTrack);
    CommitmentReport { as_of, status, items }
}

fn item(item: CommitmentItem, status: TrackStatus, days_late: Option<i64>, zh: String, en: String) -> ItemStatus {
    ItemStatus {
        item,
        status,
        days_late,
        reason: Explanation { zh, en },
    }
}

fn investment(p: &Commitment, a: &Actuals, as_of: NaiveDate) -> ItemStatus {
    use TrackStatus::*;
    let have = a.investment_to_date_wan;
    let due = p.investment_due(as_of);
    let total = p.investment_wan;
    let i = CommitmentItem::Investment;
    if have >= total {
        return item(
            i,
            Kept,
            None,
            format!("承诺投资 {total} 万元已全部到位（{have} 万元）"),
            format!("the promised {total} 万元 is fully invested ({have} 万元)"),
        );
    }
    if have < due {
        let short = crate::chain::decimal::sub(due, have);
        return item(
            i,
            Behind,
            None,
            format!("截至 {as_of} 应到位 {due} 万元，实际 {have} 万元，差 {short} 万元"),
            format!("{due} 万元 due by {as_of}, {have} 万元 invested, {short} 万元 short"),
        );
    }
    match p.next_milestone(as_of) {
        Some((by, amount)) => item(
            i,
            OnTrack,
            None,
            format!("已到位 {have} 万元；下一节点 {by} 前累计 {amount} 万元"),
            format!("{have} 万元 invested; next: {amount} 万元 in total by {by}"),
        ),
        None => item(
            i,
            OnTrack,
            None,
            format!("已到位 {have} 万元，不少于应到位的 {due} 万元"),
            format!("{have} 万元 invested, not below the {due} 万元 due"),
        ),
    }
}

fn milestone(i: CommitmentItem, by: NaiveDate, happened: Option<NaiveDate>, as_of: NaiveDate) -> ItemStatus {
    use crate::validation::Lang::{En, Zh};
    use TrackStatus::*;
    let (zh, en) = (i.label(Zh), i.label(En).to_lowercase());
    match happened {
        Some(d) if d > by => {
            let late = (d - by).num_days();
            item(
                i,
                Kept,
                Some(late),
                format!("已于 {d} {zh}，比承诺的 {by} 晚 {late} 天"),
                format!("{en} on {d}, {late} days after the promised {by}"),
            )
        }
        Some(d) => item(
            i,
            Kept,
            None,
            format!("已于 {d} {zh}（承诺 {by} 前）"),
            format!("{en} on {d} (promised by {by})"),
        ),
        None if as_of > by => {
            let late = (as_of - by).num_days();
            item(
                i,
                Behind,
                Some(late),
                format!("承诺 {by} 前{zh}，已逾期 {late} 天"),
                format!("{en} promised by {by}, {late} days overdue"),
            )
        }
        None => {
            let left = (by - as_of).num_days();
            item(
                i,
                OnTrack,
                None,
                format!("承诺 {by} 前{zh}，尚余 {left} 天"),
                format!("{en} promised by {by}, {left} days left"),
            )
        }
    }
}

fn capacity(p: &Commitment, a: &Actuals, unit: &str, as_of: NaiveDate) -> ItemStatus {
    use TrackStatus::*;
    let i = CommitmentItem::Capacity;
    let promised = p.capacity;
    match a.capacity_reached {
        Some(c) if c >= promised => item(
            i,
            Kept,
            None,
            format!("产能 {c} {unit}，达到承诺的 {promised} {unit}"),
            format!("capacity {c} {unit}, at least the promised {promised} {unit}"),
        ),
        _ if as_of <= p.production_by => item(
            i,
            OnTrack,
            None,
            format!("承诺 {} 起产能 {promised} {unit}", p.production_by),
            format!("{promised} {unit} promised from {}", p.production_by),
        ),
        Some(c) => item(
            i,
            Behind,
            None,
            format!("产能 {c} {unit}，低于承诺的 {promised} {unit}"),
            format!("capacity {c} {unit}, below the promised {promised} {unit}"),
        ),
        None => item(
            i,
            AwaitingReport,
            None,
            format!("承诺 {} 起产能 {promised} {unit}，尚未报送实际产能", p.production_by),
            format!(
                "{promised} {unit} promised from {}; no capacity reported yet",
                p.production_by
            ),
        ),
    }
}

fn local_processing(p: &Commitment, a: &Actuals, as_of: NaiveDate) -> ItemStatus {
    use TrackStatus::*;
    let i = CommitmentItem::LocalProcessing;
    let promised = p.local_processing_pct;
    if a.production_on.is_none_or(|d| d > as_of) {
        return item(
            i,
            OnTrack,
            None,
            format!("投产后考核本地加工比例（承诺 {promised}%）"),
            format!("checked once production starts ({promised}% promised)"),
        );
    }
    match a.local_processing_pct {
        Some(s) if s >= promised => item(
            i,
            OnTrack,
            None,
            format!("本地加工比例 {s}%，不低于承诺的 {promised}%"),
            format!("{s}% processed locally, not below the promised {promised}%"),
        ),
        Some(s) => item(
            i,
            Behind,
            None,
            format!("本地加工比例 {s}%，低于承诺的 {promised}%"),
            format!("{s}% processed locally, below the promised {promised}%"),
        ),
        None => item(
            i,
            AwaitingReport,
            None,
            format!("已投产，尚未报送本地加工比例（承诺 {promised}%）"),
            format!("in production; no local processing share reported ({promised}% promised)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn a(s: &str) -> Amount {
        s.parse().unwrap()
    }

    fn promise() -> Commitment {
        Commitment {
            investment_wan: a("600000"),
            products: vec!["cell".into()],
            capacity: a("20"),
            local_processing_pct: a("80"),
            start_by: d("2026-03-31"),
            production_by: d("2027-06-30"),
            investment_schedule: vec![
                InvestmentMilestone {
                    by: d("2026-12-31"),
                    cumulative_wan: a("200000"),
                },
                InvestmentMilestone {
                    by: d("2027-06-30"),
                    cumulative_wan: a("600000"),
                },
            ],
        }
    }

    fn status(r: &CommitmentReport, i: CommitmentItem) -> &ItemStatus {
        r.items.iter().find(|s| s.item == i).unwrap()
    }

    #[test]
    fn a_project_that_has_not_started_ten_days_after_its_promised_start_is_behind() {
        let r = track_commitment(&promise(), &Actuals::default(), "GWh/年", d("2026-04-10"));
        assert_eq!(r.status, TrackStatus::Behind);
        let start = status(&r, CommitmentItem::Start);
        assert_eq!((start.status, start.days_late), (TrackStatus::Behind, Some(10)));
        assert_eq!(start.reason.zh, "承诺 2026-03-31 前开工，已逾期 10 天");
        assert_eq!(
            start.reason.en,
            "construction start promised by 2026-03-31, 10 days overdue"
        );
        // Nothing else is due yet.
        assert_eq!(r.behind().count(), 1);
        assert_eq!(status(&r, CommitmentItem::Investment).status, TrackStatus::OnTrack);
        assert_eq!(
            status(&r, CommitmentItem::Investment).reason.zh,
            "已到位 0 万元；下一节点 2026-12-31 前累计 200000 万元"
        );
    }

    #[test]
    fn investment_below_the_amount_due_by_the_first_milestone_is_behind() {
        let actual = Actuals {
            investment_to_date_wan: a("150000"),
            started_on: Some(d("2026-03-20")),
            ..Actuals::default()
        };
        let r = track_commitment(&promise(), &actual, "GWh/年", d("2027-01-05"));
        let inv = status(&r, CommitmentItem::Investment);
        assert_eq!(inv.status, TrackStatus::Behind);
        assert_eq!(
            inv.reason.zh,
            "截至 2027-01-05 应到位 200000 万元，实际 150000 万元，差 50000 万元"
        );
        assert_eq!(status(&r, CommitmentItem::Start).status, TrackStatus::Kept);
        assert_eq!(r.status, TrackStatus::Behind);
    }

    #[test]
    fn after_production_the_capacity_and_local_share_must_be_reported_and_kept() {
        let mut actual = Actuals {
            investment_to_date_wan: a("600000"),
            started_on: Some(d("2026-04-05")),
            production_on: Some(d("2027-06-01")),
            capacity_reached: None,
            local_processing_pct: None,
        };
        let r = track_commitment(&promise(), &actual, "GWh/年", d("2027-07-15"));
        assert_eq!(r.status, TrackStatus::AwaitingReport);
        let start = status(&r, CommitmentItem::Start);
        assert_eq!((start.status, start.days_late), (TrackStatus::Kept, Some(5)));
        actual.capacity_reached = Some(a("16"));
        actual.local_processing_pct = Some(a("85"));
        let r = track_commitment(&promise(), &actual, "GWh/年", d("2027-07-15"));
        assert_eq!(r.status, TrackStatus::Behind);
        assert_eq!(
            r.behind().map(|i| i.reason.en.as_str()).collect::<Vec<_>>(),
            ["capacity 16 GWh/年, below the promised 20 GWh/年"]
        );
        actual.capacity_reached = Some(a("20"));
        let r = track_commitment(&promise(), &actual, "GWh/年", d("2027-07-15"));
        assert_eq!(r.status, TrackStatus::OnTrack);
    }

    #[test]
    fn without_a_schedule_the_whole_investment_is_due_at_production() {
        let p = Commitment {
            investment_schedule: vec![],
            ..promise()
        };
        assert_eq!(p.investment_due(d("2027-06-29")), Amount::ZERO);
        assert_eq!(p.investment_due(d("2027-06-30")), a("600000"));
    }

    #[test]
    fn impossible_promises_are_refused_by_field() {
        let mut p = promise();
        p.local_processing_pct = a("120");
        p.production_by = d("2026-01-01");
        p.investment_schedule.swap(0, 1);
        let mut errs = ValidationErrors::new();
        p.check("c", &mut errs);
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["c.local_processing_pct", "c.production_by", "c.investment_schedule[1]"]
        );
    }
}
