//! Planning a meeting: its number (第N次), date and time, place, chair and attending units.

use crate::validation::{self, FieldError, Rule, ValidationErrors};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// The highest meeting number accepted (a typing error beyond it).
const MAX_NUMBER: i64 = 9999;

/// A meeting as typed. `unit_ids` holds one entry per ticked unit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    pub number: String,
    /// The meeting's name (its title in the minutes).
    pub name: String,
    pub date: String,
    /// `HH:MM`, China time; empty for a meeting without a fixed time.
    pub start_time: String,
    /// Where it meets (会议地点).
    pub venue: String,
    /// 主持人 — usually the county party secretary or county head.
    pub chair: String,
    /// 参会领导 and others not represented by a unit, as free text.
    pub other_attendees: String,
    pub unit_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingDraft {
    /// 第N次.
    pub number: i64,
    pub title: String,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub location: Option<String>,
    pub chair: String,
    pub other_attendees: Option<String>,
    /// 参会单位, each once, in the order ticked.
    pub unit_ids: Vec<i64>,
}

impl MeetingForm {
    /// Checks every field and reports all problems at once. Whether the units exist, and whether
    /// the number and date fit between the neighbouring meetings, storage checks.
    pub fn validate(&self) -> Result<MeetingDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let number = errs.check(number_field("number", &self.number));
        let title = errs.check(validation::required_text("name", &self.name, 100));
        let date = match validation::optional_date("date", &self.date) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errs.push("date", Rule::Required);
                None
            }
            Err(e) => {
                errs.0.push(e);
                None
            }
        };
        let start_time = errs.check(time_field("start_time", &self.start_time)).flatten();
        let location = errs.check(validation::text("venue", &self.venue, false, 100)).flatten();
        let chair = errs.check(validation::required_text("chair", &self.chair, 60));
        let other_attendees = errs
            .check(validation::text("other_attendees", &self.other_attendees, false, 500))
            .flatten();
        let mut unit_ids: Vec<i64> = Vec::new();
        for raw in self.unit_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match raw.parse::<i64>().ok().filter(|id| *id > 0) {
                Some(id) if !unit_ids.contains(&id) => unit_ids.push(id),
                Some(_) => {}
                None => errs.push("unit_ids", Rule::NotANumber),
            }
        }
        if unit_ids.is_empty() && errs.for_field("unit_ids").is_none() {
            errs.push(
                "unit_ids",
                Rule::Other {
                    zh: "请至少选择一个参会单位".into(),
                    en: "choose at least one attending unit".into(),
                },
            );
        }
        errs.into_result(|| MeetingDraft {
            number: number.unwrap_or_default(),
            title: title.unwrap_or_default(),
            date: date.unwrap_or_default(),
            start_time,
            location,
            chair: chair.unwrap_or_default(),
            other_attendees,
            unit_ids,
        })
    }
}

impl MeetingDraft {
    /// The form that shows this draft for editing.
    pub fn to_form(&self) -> MeetingForm {
        MeetingForm {
            number: self.number.to_string(),
            name: self.title.clone(),
            date: self.date.to_string(),
            start_time: self
                .start_time
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default(),
            venue: self.location.clone().unwrap_or_default(),
            chair: self.chair.clone(),
            other_attendees: self.other_attendees.clone().unwrap_or_default(),
            unit_ids: self.unit_ids.iter().map(|u| u.to_string()).collect(),
        }
    }
}

/// 第N次: a whole number from 1.
fn number_field(field: &str, value: &str) -> Result<i64, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    let n: i64 = v.parse().map_err(|_| FieldError::new(field, Rule::NotANumber))?;
    if !(1..=MAX_NUMBER).contains(&n) {
        return Err(FieldError::new(
            field,
            Rule::OutOfRange {
                min: "1".into(),
                max: MAX_NUMBER.to_string(),
            },
        ));
    }
    Ok(n)
}

/// An optional time of day as `HH:MM`.
fn time_field(field: &str, value: &str) -> Result<Option<NaiveTime>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(v, "%H:%M").map(Some).map_err(|_| {
        FieldError::new(
            field,
            Rule::Other {
                zh: "不是有效时间（格式 HH:MM）".into(),
                en: "is not a valid time (HH:MM)".into(),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MeetingForm {
        MeetingForm {
            number: "6".into(),
            name: "锂产业专班调度会".into(),
            date: "2022-08-22".into(),
            start_time: "15:00".into(),
            chair: "县委书记".into(),
            unit_ids: vec!["3".into(), "4".into(), "3".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_planned_meeting_keeps_each_unit_once() {
        let d = form().validate().unwrap();
        assert_eq!(d.number, 6);
        assert_eq!(d.unit_ids, [3, 4]);
        assert_eq!(d.start_time.unwrap().format("%H:%M").to_string(), "15:00");
        assert_eq!(d.to_form().validate().unwrap(), d);
    }

    #[test]
    fn every_broken_field_is_named() {
        let f = MeetingForm {
            number: "0".into(),
            date: "2022-02-30".into(),
            start_time: "25:00".into(),
            unit_ids: vec!["发改委".into()],
            ..Default::default()
        };
        let fields: Vec<String> = f.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["number", "name", "date", "start_time", "chair", "unit_ids"]);
    }

    #[test]
    fn a_meeting_needs_at_least_one_attending_unit() {
        let f = MeetingForm {
            unit_ids: vec![],
            ..form()
        };
        let e = f.validate().unwrap_err();
        assert_eq!(e.0[0].field, "unit_ids");
        assert!(e.0[0].rule.message(crate::validation::Lang::Zh).contains("参会单位"));
    }
}
