//! iCalendar feeds (RFC 5545) that a unit subscribes to in Outlook or on a phone: its deadlines
//! as all-day events and its meetings at their time.
//!
//! What RFC 5545 asks and clients check: UTF-8, CRLF line endings, content lines folded at 75
//! octets (a fold is CRLF and one space, never inside a UTF-8 character), and `\`, `;`, `,` and
//! newlines escaped in text values.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// When an event happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventTime {
    /// A whole day (a deadline).
    AllDay(NaiveDate),
    /// A span of time (a meeting), in UTC.
    Timed { start: DateTime<Utc>, end: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Stable across refreshes, so a client updates the event instead of adding a copy.
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub when: EventTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The calendar's name in the client (X-WR-CALNAME).
    pub name: String,
    /// When the feed was produced (DTSTAMP of every event).
    pub stamp: DateTime<Utc>,
    /// How often clients should fetch it again, in minutes.
    pub refresh_minutes: i64,
    pub events: Vec<FeedEvent>,
}

/// The longest content line in octets, without its CRLF (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets, with CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = LINE_OCTETS;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // A continuation line starts with the folding space, which counts towards its 75.
        limit = LINE_OCTETS - 1;
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The feed as the bytes of a `text/calendar` file.
pub fn write(feed: &Feed) -> String {
    let mut out = String::new();
    let mut line = |l: String| push_line(&mut out, &l);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//chainforce//专班工作平台//ZH".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape_text(&feed.name)));
    line(format!("REFRESH-INTERVAL;VALUE=DURATION:PT{}M", feed.refresh_minutes));
    line(format!("X-PUBLISHED-TTL:PT{}M", feed.refresh_minutes));
    for e in &feed.events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape_text(&e.uid)));
        line(format!("DTSTAMP:{}", utc(feed.stamp)));
        match &e.when {
            EventTime::AllDay(d) => {
                line(format!("DTSTART;VALUE=DATE:{}", date(*d)));
                line(format!("DTEND;VALUE=DATE:{}", date(*d + Duration::days(1))));
                line("TRANSP:TRANSPARENT".into());
            }
            EventTime::Timed { start, end } => {
                line(format!("DTSTART:{}", utc(*start)));
                line(format!("DTEND:{}", utc(*end)));
            }
        }
        line(format!("SUMMARY:{}", escape_text(&e.summary)));
        if let Some(d) = &e.description {
            line(format!("DESCRIPTION:{}", escape_text(d)));
        }
        if let Some(l) = &e.location {
            line(format!("LOCATION:{}", escape_text(l)));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(events: Vec<FeedEvent>) -> String {
        write(&Feed {
            name: "县发改委 · 时限与会议".into(),
            stamp: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            refresh_minutes: 60,
            events,
        })
    }

    /// Undoes folding: a CRLF followed by a space joins the lines.
    fn unfold(s: &str) -> Vec<String> {
        s.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    }

    #[test]
    fn every_line_ends_in_crlf_and_is_at_most_75_octets() {
        let long = "第6次调度会交办：请县供电公司于12月15日前完成示例锂业10kV专线接入方案批复，并报专班办公室备案";
        let text = feed(vec![FeedEvent {
            uid: "problem-7@chainforce".into(),
            summary: long.into(),
            description: Some(format!("{long}\n{long}")),
            location: None,
            when: EventTime::AllDay(NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()),
        }]);
        assert!(text.ends_with("\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "no bare LF");
        for physical in text.split("\r\n") {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
        }
        let lines = unfold(&text);
        assert!(
            lines.contains(&format!("SUMMARY:{}", escape_text(long))),
            "folding loses nothing"
        );
        assert!(lines.contains(&"DTSTART;VALUE=DATE:20261215".to_string()));
        assert!(lines.contains(&"DTEND;VALUE=DATE:20261216".to_string()));
        assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
        assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
    }

    #[test]
    fn text_values_escape_backslash_semicolon_comma_and_newline() {
        assert_eq!(escape_text("a;b,c\\d\r\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn a_meeting_has_its_time_in_utc() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let text = feed(vec![FeedEvent {
            uid: "meeting-1@chainforce".into(),
            summary: "第6次锂产业专班调度会".into(),
            description: None,
            location: Some("县政府三楼会议室".into()),
            when: EventTime::Timed {
                start,
                end: start + Duration::hours(2),
            },
        }]);
        let lines = unfold(&text);
        assert!(lines.contains(&"DTSTART:20231114T221320Z".to_string()), "{lines:?}");
        assert!(lines.contains(&"DTEND:20231115T001320Z".to_string()));
        assert!(lines.contains(&"LOCATION:县政府三楼会议室".to_string()));
    }
}
