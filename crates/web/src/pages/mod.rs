//! Server-rendered pages (Chinese first, English available). One module per area; each renders
//! an askama template whose struct holds a [`Chrome`] for the layout.

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::RouteTable;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chainforce_domain::org::Role;
use chainforce_domain::permission::Action;
use chainforce_domain::validation::ValidationErrors;

mod admin;
pub(crate) mod battlemap;
pub(crate) mod chains;
mod dashboard;
mod enterprises;
mod feeds;
mod forms;
mod heroes;
mod history;
mod import;
mod login;
pub(crate) mod meetings;
pub(crate) mod pipeline;
mod problems;
pub(crate) mod projects;
mod reminders;
mod resources;
mod tasks;
mod units;
mod users;

/// What the layout around every page needs.
pub struct Chrome {
    pub t: Tr,
    pub title: String,
    /// The active navigation entry.
    pub nav: &'static str,
    pub user_name: Option<String>,
    pub role: Option<Role>,
    pub csrf: String,
    pub path: String,
    pub can_read_county: bool,
    pub is_office: bool,
    pub is_unit: bool,
    pub can_audit: bool,
    /// 三论英雄 boards (county readers).
    pub can_read_boards: bool,
    /// 好资源配给好东家: the ledger, rounds and commitments (county readers).
    pub can_read_resources: bool,
}

impl Chrome {
    pub fn new(ctx: &Ctx, nav: &'static str, title: impl Into<String>) -> Chrome {
        Chrome {
            t: ctx.t(),
            title: title.into(),
            nav,
            user_name: ctx.session.as_ref().map(|s| s.user.display_name.clone()),
            role: ctx.session.as_ref().map(|s| s.user.role),
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            can_read_county: ctx.can(Action::ReadCounty),
            is_office: ctx.can(Action::ManageReference),
            is_unit: ctx.session.as_ref().is_some_and(|s| s.user.role == Role::Unit),
            can_audit: ctx.can(Action::ReadAudit),
            can_read_boards: ctx.can(Action::ReadBoards),
            can_read_resources: ctx.can(Action::ReadResources),
        }
    }

    /// The 管理 entry of the navigation: the office's administration pages, and the audit trail
    /// for those who may read it (leaders). Each link inside shows only to roles that may open it.
    pub fn has_admin(&self) -> bool {
        self.is_office || self.can_audit
    }

    /// The page shown is one of the 管理 entry's (its summary is marked as the active entry).
    pub fn in_admin(&self) -> bool {
        const OFFICE_ADMIN: [&str; 8] = [
            "units",
            "enterprises",
            "users",
            "import",
            "templates",
            "calendar",
            "reminders",
            "feeds",
        ];
        (self.is_office && OFFICE_ADMIN.contains(&self.nav)) || (self.can_audit && self.nav == "audit")
    }

    /// Units and enterprises are managed by the office (under 管理); other county readers keep
    /// them in the bar as directories to look a unit or an enterprise up.
    pub fn directories_in_bar(&self) -> bool {
        self.can_read_county && !self.is_office
    }

    /// An enterprise user (whose 三论英雄 entry is its own 亩均 card).
    pub fn is_enterprise(&self) -> bool {
        self.role == Some(Role::Enterprise)
    }

    /// An expert (专家), whose entry is their review assignments.
    pub fn is_expert(&self) -> bool {
        self.role == Some(Role::Expert)
    }

    /// 包挂领导 view in the navigation (leaders, and the office for any leader).
    pub fn role_is_leader_or_office(&self) -> bool {
        self.role.is_some_and(|r| {
            chainforce_domain::permission::allows(
                &chainforce_domain::org::Actor {
                    user_id: 0,
                    role: r,
                    unit_id: None,
                    enterprise_id: None,
                },
                Action::ReadLeaderView,
            )
        })
    }

    pub fn role_label(&self) -> &'static str {
        self.role.map(|r| r.label(self.t.lang)).unwrap_or("")
    }

    /// The path of this page in the other language's switch link.
    pub fn other_lang(&self) -> &'static str {
        if self.t.is_zh() { "en" } else { "zh" }
    }

    pub fn other_lang_label(&self) -> &'static str {
        if self.t.is_zh() { "English" } else { "中文" }
    }

    pub fn here(&self) -> String {
        crate::context::urlencode(&self.path)
    }
}

/// Form errors, looked up by field in templates.
#[derive(Default)]
pub struct FormErrors {
    pub errors: ValidationErrors,
    pub t: Option<Tr>,
}

impl FormErrors {
    pub fn new(errors: ValidationErrors, t: Tr) -> FormErrors {
        FormErrors { errors, t: Some(t) }
    }

    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    /// The message for `field`, or an empty string.
    pub fn of(&self, field: &str) -> String {
        let lang = self.t.map(|t| t.lang).unwrap_or_default();
        self.errors
            .for_field(field)
            .map(|e| e.rule.message(lang))
            .unwrap_or_default()
    }

    pub fn any(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All messages as "字段: 规则" lines (for errors on fields the form does not show).
    pub fn lines(&self) -> Vec<String> {
        self.lines_with(|_| None)
    }

    /// As [`lines`](Self::lines), naming a field by `label` when it knows it (a field named by
    /// data, such as a score sheet's criterion) and by the catalogue's `field.*` otherwise.
    pub fn lines_with(&self, label: impl Fn(&str) -> Option<String>) -> Vec<String> {
        let t = self.t.unwrap_or(Tr::new(Default::default()));
        let sep = t.lang.pick("：", ": ");
        self.errors
            .0
            .iter()
            .map(|e| {
                let name = label(&e.field).unwrap_or_else(|| t.s(&format!("field.{}", e.field)).to_string());
                format!("{name}{sep}{}", e.rule.message(t.lang))
            })
            .collect()
    }
}

pub fn render(t: &impl Template) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// A form page shown again with its errors (422).
pub fn render_invalid(t: &impl Template) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(t.render()?)).into_response())
}

/// After a successful POST, go to the page that shows the result (303: the browser GETs it).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    message: &'a str,
    lines: Vec<String>,
}

/// The page for an error, in the user's language.
pub fn error_page(t: Tr, status: StatusCode, message: &str, errors: Option<&ValidationErrors>) -> Html<String> {
    let lines = errors
        .map(|e| FormErrors::new(e.clone(), t).lines())
        .unwrap_or_default();
    let page = ErrorPage {
        t,
        status: status.as_u16(),
        message,
        lines,
    };
    Html(
        page.render()
            .unwrap_or_else(|_| format!("{} {message}", status.as_u16())),
    )
}

#[derive(Template)]
#[template(path = "conflict.html")]
struct ConflictPage {
    chrome: Chrome,
    rows: Vec<(String, String, String)>,
    back: String,
}

/// 409: someone else saved first. Shows each field as the user submitted it and as it is now.
pub fn conflict_page(
    ctx: &Ctx,
    yours: serde_json::Value,
    current: serde_json::Value,
    back: &str,
) -> AppResult<Response> {
    let t = ctx.t();
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let mut rows = Vec::new();
    if let serde_json::Value::Object(map) = &yours {
        for (k, v) in map {
            let mine = show(Some(v));
            let theirs = show(current.get(k));
            if mine != theirs && !k.starts_with('_') && k != "version" {
                rows.push((t.s(&format!("field.{k}")).to_string(), mine, theirs));
            }
        }
    }
    let page = ConflictPage {
        chrome: Chrome::new(ctx, "", t.s("conflict.title")),
        rows,
        back: back.to_string(),
    };
    Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
}

/// Turns a store conflict on a form submission into the 409 page; other errors pass through.
pub fn or_conflict_page<T: serde::Serialize>(
    ctx: &Ctx,
    err: AppError,
    submitted: &T,
    back: &str,
) -> AppResult<Response> {
    match err {
        AppError::Conflict { current, .. } => {
            conflict_page(ctx, serde_json::to_value(submitted).unwrap_or_default(), current, back)
        }
        other => Err(other),
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// `?next=` targets must stay on this site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub fn routes(t: RouteTable) -> RouteTable {
    let t = login::routes(t);
    let t = admin::routes(t);
    let t = dashboard::routes(t);
    let t = projects::routes(t);
    let t = tasks::routes(t);
    let t = problems::routes(t);
    let t = units::routes(t);
    let t = enterprises::routes(t);
    let t = users::routes(t);
    let t = import::routes(t);
    let t = meetings::routes(t);
    let t = reminders::routes(t);
    let t = feeds::routes(t);
    let t = heroes::routes(t);
    let t = pipeline::routes(t);
    let t = resources::routes(t);
    let t = battlemap::routes(t);
    let t = chains::routes(t);
    history::routes(t)
}

/// Money for display: 万元 with thousands separators.
pub fn wan<A: std::borrow::Borrow<Option<chainforce_domain::Amount>>>(a: A) -> String {
    a.borrow().map(|a| group_thousands(&a.to_string())).unwrap_or_default()
}

pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", s));
    let (int, frac) = rest.split_once('.').map(|(i, f)| (i, Some(f))).unwrap_or((rest, None));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

pub fn opt_date(d: &Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_targets_never_leave_the_site() {
        assert_eq!(safe_next(Some("/projects?stage=signed")), "/projects?stage=signed");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn money_is_grouped_by_thousands() {
        assert_eq!(group_thousands("1234567.5"), "1,234,567.5");
        assert_eq!(group_thousands("-1000"), "-1,000");
        assert_eq!(group_thousands("999"), "999");
    }
}
