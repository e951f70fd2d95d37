//! Every route of the server, in one table.
//!
//! Routes are added through [`RouteTable`], which records each method and path with who is meant
//! to reach it. The authorisation matrix test walks this same table, so a new route cannot escape
//! it: there is no other way to add one.

use crate::app::AppState;
use crate::context::Ctx;
use crate::error::AppError;
use crate::{api, assets, pages};
use axum::Router;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use chainforce_domain::permission::Action;

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
    /// An enterprise user's own pages (企业 accounts only).
    Enterprises,
    /// Experts (专家) only; each handler then shows only what the expert was asked to review.
    Experts,
}

impl Access {
    /// What the signed-in user must be allowed, for routes whose access does not depend on the
    /// object; `None` for public routes, `Some(None)` for any signed-in user.
    fn requirement(self) -> Option<Option<Action>> {
        match self {
            Access::Public => None,
            Access::SignedIn | Access::Owner => Some(None),
            Access::CountyReaders => Some(Some(Action::ReadCounty)),
            Access::LeadersAndOffice => Some(Some(Action::ReadAudit)),
            Access::Office => Some(Some(Action::ManageReference)),
            Access::Enterprises => Some(Some(Action::EnterprisePortal)),
            Access::Experts => Some(Some(Action::ReviewApplication { assigned: true })),
        }
    }
}

async fn guard(access: Access, req: Request, next: Next) -> Response {
    if let Some(required) = access.requirement() {
        let Some(ctx) = req.extensions().get::<Ctx>() else {
            return AppError::Internal("request context missing".into()).into_response();
        };
        let outcome = match required {
            None => ctx.user().map(|_| ()),
            Some(action) => ctx.require(action).map(|_| ()),
        };
        if let Err(e) = outcome {
            return e.into_response();
        }
    }
    next.run(req).await
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
        // The declared access is enforced here, before the handler parses anything, so no
        // route can forget it; handlers still check the object (a unit's own task …).
        let route = route.route_layer(axum::middleware::from_fn(move |req: Request, next: Next| {
            guard(access, req, next)
        }));
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
