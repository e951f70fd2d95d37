//! Every route of the server, in one table.
//!
//! Routes are added through [`RouteTable`], which records each method and path with who is meant
//! to reach it. The authorisation matrix test walks this same table, so a new route cannot escape
//! it: there is no other way to add one.

use crate::app::AppState;
use crate::{api, assets, pages};
use axum::Router;
use axum::http::Method;
use axum::routing::MethodRouter;

/// Who a route is meant for. The handler enforces it (through `Ctx::require`); the matrix test
/// checks that every role gets exactly this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login, assets, health).
    Public,
    /// Any signed-in user; what they see is scoped by role (enterprise users see their own).
    SignedIn,
    /// Reading the county's data: admin, leader, unit, viewer (not enterprise users).
    CountyReaders,
    /// Leaders and the office.
    LeadersAndOffice,
    /// The office only (专班办公室).
    Office,
    /// Depends on the object: its unit or enterprise (tested with owned and foreign objects).
    Owner,
}

#[derive(Debug, Clone)]
pub struct RouteEntry {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

#[derive(Default)]
pub struct RouteTable {
    router: Router<AppState>,
    pub entries: Vec<RouteEntry>,
}

impl RouteTable {
    fn add(mut self, method: Method, path: &'static str, access: Access, route: MethodRouter<AppState>) -> Self {
        self.entries.push(RouteEntry { method, path, access });
        self.router = self.router.route(path, route);
        self
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, axum::routing::get(h))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, axum::routing::post(h))
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, access, axum::routing::put(h))
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router.fallback(pages::not_found)
    }
}

/// The routes of chainforce.
pub fn table() -> RouteTable {
    let t = RouteTable::default();
    let t = assets::routes(t);
    let t = pages::routes(t);
    api::routes(t)
}
