//! Paged lists on the pages and in the API: reading `page` (and in the API `per_page`) from the
//! query, the pager under a list, and the `X-Total-Count` and `Link` headers of an API page.
//! Every link keeps the request's other parameters (filters, sort), so paging never loses them.

use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use chainforce_domain::paging::{MAX_PER_PAGE, PER_PAGE, PageRequest, Paged};

/// The page a list page asks for (`page` only: a page of the pages holds [`PER_PAGE`] rows). A
/// value that is not a page number is a 400 naming `page`.
pub fn page_of_list(page: &str) -> AppResult<PageRequest> {
    PageRequest::parse(page, "", PER_PAGE, PER_PAGE).map_err(AppError::BadQuery)
}

/// The page an API list asks for (`page`, `per_page` up to [`MAX_PER_PAGE`]); a bad value is a
/// 400 naming the field, in the API's error format.
pub fn page_of_api(page: Option<&str>, per_page: Option<&str>) -> AppResult<PageRequest> {
    PageRequest::parse(
        page.unwrap_or_default(),
        per_page.unwrap_or_default(),
        PER_PAGE,
        MAX_PER_PAGE,
    )
    .map_err(AppError::BadQuery)
}

/// The request's query without its paging parameters and empty values (an empty filter means
/// "all", as the list forms send it).
fn kept_params(raw_query: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw_query.unwrap_or_default())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| k != "page" && k != "per_page" && !v.trim().is_empty())
        .collect()
}

/// `path?…&page=N` with the request's other parameters kept; `per_page` is added when given.
fn page_link(path: &str, kept: &[(String, String)], page: PageRequest, per_page: bool) -> String {
    let mut params = kept.to_vec();
    params.push(("page".into(), page.number.to_string()));
    if per_page {
        params.push(("per_page".into(), page.per_page.to_string()));
    }
    format!("{path}?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
}

/// Fills `{name}` placeholders of a catalogue text.
fn fill(text: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(text.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

/// The pager under a paged list: where the page stands (第 2 / 6 页，共 300 个项目) and links to
/// the pages before and after, with the list's filters and sort.
pub struct Pager {
    /// The list runs to more than one page (a one-page list shows no pager).
    pub shown: bool,
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `summary` is a catalogue text with `{page}`, `{pages}` and `{total}`.
    pub fn new<T>(paged: &Paged<T>, path: &str, raw_query: Option<&str>, summary: &str) -> Pager {
        let kept = kept_params(raw_query);
        Pager {
            shown: paged.pages() > 1 || paged.page.number > 1,
            summary: fill(
                summary,
                &[
                    ("page", paged.page.number.to_string()),
                    ("pages", paged.pages().to_string()),
                    ("total", paged.total.to_string()),
                ],
            ),
            prev: paged.prev().map(|p| page_link(path, &kept, p, false)),
            next: paged.next().map(|p| page_link(path, &kept, p, false)),
        }
    }

    /// The project list's pager.
    pub fn projects<T>(t: Tr, paged: &Paged<T>, path: &str, raw_query: Option<&str>) -> Pager {
        Pager::new(paged, path, raw_query, t.s("pager.projects"))
    }

    /// The problem list's pager.
    pub fn problems<T>(t: Tr, paged: &Paged<T>, path: &str, raw_query: Option<&str>) -> Pager {
        Pager::new(paged, path, raw_query, t.s("pager.problems"))
    }
}

/// The total count header of a paged API list.
pub const TOTAL_COUNT: &str = "x-total-count";

/// `X-Total-Count` (rows matching in all) and `Link` (RFC 8288: `rel="first"`, `"prev"`,
/// `"next"`, `"last"`, relative to the request) for one page of an API list.
pub fn api_headers<T>(paged: &Paged<T>, path: &str, raw_query: Option<&str>) -> HeaderMap {
    let kept = kept_params(raw_query);
    let mut links = Vec::new();
    let mut link =
        |rel: &str, page: PageRequest| links.push(format!("<{}>; rel=\"{rel}\"", page_link(path, &kept, page, true)));
    link("first", paged.page.at(1));
    if let Some(p) = paged.prev() {
        link("prev", p);
    }
    if let Some(p) = paged.next() {
        link("next", p);
    }
    link("last", paged.last());
    let mut h = HeaderMap::new();
    h.insert(HeaderName::from_static(TOTAL_COUNT), HeaderValue::from(paged.total));
    if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
        h.insert(header::LINK, v);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paged(number: u32, per_page: u32, total: u64) -> Paged<()> {
        Paged {
            rows: vec![],
            page: PageRequest { number, per_page },
            total,
        }
    }

    #[test]
    fn the_pager_keeps_filters_and_sort() {
        let t = Tr::new(chainforce_domain::validation::Lang::Zh);
        let p = Pager::projects(
            t,
            &paged(2, 50, 300),
            "/projects",
            Some("stage=signed&state=&sort=investment&page=2&q=%E9%94%82"),
        );
        assert!(p.shown);
        assert_eq!(p.summary, "第 2 / 6 页，共 300 个项目");
        assert_eq!(
            p.prev.as_deref(),
            Some("/projects?stage=signed&sort=investment&q=%E9%94%82&page=1")
        );
        assert_eq!(
            p.next.as_deref(),
            Some("/projects?stage=signed&sort=investment&q=%E9%94%82&page=3")
        );
        let en = Pager::problems(
            Tr::new(chainforce_domain::validation::Lang::En),
            &paged(1, 50, 20),
            "/problems",
            None,
        );
        assert!(!en.shown);
        assert_eq!(en.summary, "Page 1 of 1, 20 problems");
    }

    #[test]
    fn api_pages_link_to_their_neighbours() {
        let h = api_headers(
            &paged(2, 20, 45),
            "/api/v1/projects",
            Some("stage=signed&per_page=20&page=2"),
        );
        assert_eq!(h[TOTAL_COUNT], "45");
        assert_eq!(
            h[header::LINK],
            "</api/v1/projects?stage=signed&page=1&per_page=20>; rel=\"first\", \
             </api/v1/projects?stage=signed&page=1&per_page=20>; rel=\"prev\", \
             </api/v1/projects?stage=signed&page=3&per_page=20>; rel=\"next\", \
             </api/v1/projects?stage=signed&page=3&per_page=20>; rel=\"last\""
        );
        let one = api_headers(&paged(1, 50, 0), "/api/v1/problems", None);
        assert_eq!(
            one[header::LINK],
            "</api/v1/problems?page=1&per_page=50>; rel=\"first\", </api/v1/problems?page=1&per_page=50>; rel=\"last\""
        );
    }
}
