//! Paging of long lists (the project list, the problem list and their API): which page a request
//! asks for, and where a total of rows puts the pages.
//!
//! A list costs what one screen shows: storage reads one page with `LIMIT`/`OFFSET` and counts
//! the rest. Pages are numbered from 1. A page past the end is not an error (a list that shrank
//! between two clicks, a link kept from last month): the pages show the last page, the API an
//! empty array with the total.

use crate::validation::{FieldError, Rule, ValidationErrors};
use serde::Serialize;

/// How many rows a list page shows, and an API page holds unless `per_page` says otherwise:
/// about one screen of the project list, and what keeps a page under a few milliseconds to read
/// and render at county scale (300 projects, thousands of problems).
pub const PER_PAGE: u32 = 50;

/// The most rows one API page may ask for with `per_page`.
pub const MAX_PER_PAGE: u32 = 200;

/// One page of a list: its number (from 1) and how many rows a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageRequest {
    pub number: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::first(PER_PAGE)
    }
}

impl PageRequest {
    /// The first page of `per_page` rows (at least one row a page).
    pub fn first(per_page: u32) -> PageRequest {
        PageRequest {
            number: 1,
            per_page: per_page.max(1),
        }
    }

    /// How many rows come before this page (the SQL `OFFSET`).
    pub fn offset(self) -> i64 {
        (i64::from(self.number.max(1)) - 1) * i64::from(self.per_page.max(1))
    }

    /// How many rows this page holds at most (the SQL `LIMIT`).
    pub fn limit(self) -> i64 {
        i64::from(self.per_page.max(1))
    }

    /// The same page size at another page number.
    pub fn at(self, number: u32) -> PageRequest {
        PageRequest {
            number: number.max(1),
            ..self
        }
    }

    /// Reads the `page` and `per_page` query parameters as typed. Empty means the first page and
    /// `default_per_page`; `page` must be a whole number from 1 (a number past the end is kept: the
    /// caller decides what past the end shows); `per_page` a whole number from 1 to `max_per_page`.
    /// Every bad value is named at once.
    pub fn parse(
        page: &str,
        per_page: &str,
        default_per_page: u32,
        max_per_page: u32,
    ) -> Result<PageRequest, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let number = errs.check(page_number("page", page));
        let per_page = errs.check(per_page_field("per_page", per_page, default_per_page, max_per_page));
        errs.into_result(|| PageRequest {
            number: number.unwrap_or(1),
            per_page: per_page.unwrap_or(default_per_page).max(1),
        })
    }
}

/// A whole number as typed (`12`, `+12`, `-3`): whether it is negative and its size, saturated
/// rather than overflowing; `None` when it is not a whole number.
fn whole_number(v: &str) -> Option<(bool, u64)> {
    let (negative, digits) = match v.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((negative, digits.parse::<u64>().unwrap_or(u64::MAX)))
}

/// A page number as typed: empty is the first page, digits beyond what any list could hold are
/// simply far past the end.
fn page_number(field: &str, value: &str) -> Result<u32, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(1);
    }
    match whole_number(v) {
        None => Err(FieldError::new(field, Rule::NotANumber)),
        Some((true, _)) | Some((false, 0)) => Err(FieldError::new(field, from_one())),
        Some((false, n)) => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
    }
}

fn from_one() -> Rule {
    Rule::Other {
        zh: "页码从 1 开始".into(),
        en: "pages are numbered from 1".into(),
    }
}

fn per_page_field(field: &str, value: &str, default: u32, max: u32) -> Result<u32, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(default);
    }
    match whole_number(v) {
        None => Err(FieldError::new(field, Rule::NotANumber)),
        Some((false, n)) if (1..=u64::from(max)).contains(&n) => Ok(n as u32),
        Some(_) => Err(FieldError::new(
            field,
            Rule::OutOfRange {
                min: "1".into(),
                max: max.to_string(),
            },
        )),
    }
}

/// One page of a list and where it stands in the whole: its rows, the page asked for and how
/// many rows the whole list (with its filters) holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub page: PageRequest,
    pub total: u64,
}

impl<T> Paged<T> {
    /// How many pages the whole list makes: at least one, so an empty list is "page 1 of 1".
    pub fn pages(&self) -> u32 {
        let per = u64::from(self.page.per_page.max(1));
        u32::try_from(self.total.div_ceil(per).max(1)).unwrap_or(u32::MAX)
    }

    /// The page asked for lies beyond the last one.
    pub fn is_past_end(&self) -> bool {
        self.page.number > self.pages()
    }

    /// The last page, at the same size.
    pub fn last(&self) -> PageRequest {
        self.page.at(self.pages())
    }

    /// The page before, if any (from past the end: the last page).
    pub fn prev(&self) -> Option<PageRequest> {
        (self.page.number > 1).then(|| self.page.at((self.page.number - 1).min(self.pages())))
    }

    /// The page after, if any.
    pub fn next(&self) -> Option<PageRequest> {
        (self.page.number < self.pages()).then(|| self.page.at(self.page.number + 1))
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            rows: self.rows.into_iter().map(f).collect(),
            page: self.page,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(page: &str, per_page: &str) -> Result<PageRequest, Vec<(String, Rule)>> {
        PageRequest::parse(page, per_page, PER_PAGE, MAX_PER_PAGE)
            .map_err(|e| e.0.into_iter().map(|f| (f.field, f.rule)).collect())
    }

    #[test]
    fn page_parameters_as_typed() {
        let page = |number, per_page| Ok(PageRequest { number, per_page });
        assert_eq!(parse("", ""), page(1, 50));
        assert_eq!(parse("2", ""), page(2, 50));
        assert_eq!(parse(" 3 ", "20"), page(3, 20));
        assert_eq!(parse("+4", "200"), page(4, 200));
        assert_eq!(parse("99999999999999999999999", ""), page(u32::MAX, 50));
        assert_eq!(parse("abc", "").unwrap_err()[0], ("page".to_string(), Rule::NotANumber));
        assert_eq!(parse("1.5", "").unwrap_err()[0].1, Rule::NotANumber);
        assert_eq!(parse("0", "").unwrap_err()[0].1, from_one());
        assert_eq!(parse("-2", "").unwrap_err()[0].1, from_one());
        let range = Rule::OutOfRange {
            min: "1".into(),
            max: "200".into(),
        };
        for bad in ["0", "201", "-1", "99999999999999999999999"] {
            assert_eq!(
                parse("", bad).unwrap_err(),
                vec![("per_page".to_string(), range.clone())],
                "{bad}"
            );
        }
        assert_eq!(parse("", "many").unwrap_err()[0].1, Rule::NotANumber);
        assert_eq!(parse("-", "").unwrap_err()[0].1, Rule::NotANumber);
        assert_eq!(parse("-99999999999999999999999", "").unwrap_err()[0].1, from_one());
        // Both bad: both named.
        let both: Vec<String> = parse("x", "y").unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(both, ["page", "per_page"]);
    }

    #[test]
    fn where_a_total_puts_the_pages() {
        let paged = |number, per_page, total| Paged::<()> {
            rows: vec![],
            page: PageRequest { number, per_page },
            total,
        };
        // 300 projects, 50 a page: six pages.
        let p = paged(2, 50, 300);
        assert_eq!((p.pages(), p.page.offset(), p.page.limit()), (6, 50, 50));
        assert_eq!(p.prev().map(|p| p.number), Some(1));
        assert_eq!(p.next().map(|p| p.number), Some(3));
        assert_eq!(paged(6, 50, 300).next(), None);
        assert_eq!(paged(1, 50, 300).prev(), None);
        assert_eq!(paged(1, 50, 301).pages(), 7);
        // Nothing at all is still page 1 of 1.
        let empty = paged(1, 50, 0);
        assert_eq!((empty.pages(), empty.is_past_end(), empty.next()), (1, false, None));
        // Past the end: the way back leads to the last page.
        let far = paged(40, 50, 120);
        assert!(far.is_past_end());
        assert_eq!(far.last().number, 3);
        assert_eq!(far.prev().map(|p| p.number), Some(3));
        assert_eq!(far.next(), None);
        // The largest page number does not overflow the offset.
        assert_eq!(paged(u32::MAX, 200, 1).page.offset(), (i64::from(u32::MAX) - 1) * 200);
    }
}
