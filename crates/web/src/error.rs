//! Errors of a request, split into the user's fault (4xx, with a message that names the field
//! and the rule) and ours (500, logged, with no detail shown).
//!
//! Handlers return [`AppError`]; it becomes a bare status with an [`ErrorInfo`] extension, and
//! the `render_errors` middleware turns that into an HTML page in the user's language or a JSON
//! body for the API — so every error looks the same wherever it arose.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chainforce_domain::validation::ValidationErrors;
use chainforce_storage::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// No session: pages redirect to the login form, the API answers 401.
    NotSignedIn,
    Forbidden,
    NotFound,
    Invalid(ValidationErrors),
    /// A query string (filters) with a bad value: 400 naming the field.
    BadQuery(ValidationErrors),
    Conflict {
        entity: &'static str,
        current_version: i64,
        current: serde_json::Value,
    },
    /// The record is frozen; `reason` (zh, en) says which and since when.
    Frozen {
        reason: Option<(String, String)>,
    },
    BadRequest {
        zh: String,
        en: String,
    },
    TooManyAttempts,
    Busy,
    Internal(String),
}

/// What the error renderer needs; carried in the response extensions.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub errors: Option<ValidationErrors>,
    pub detail: Option<(String, String)>,
    pub current: Option<serde_json::Value>,
}

impl AppError {
    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::BadRequest {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Frozen { .. } => StatusCode::CONFLICT,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotSignedIn => "not_signed_in",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::BadQuery(_) => "bad_query",
            AppError::Conflict { .. } => "conflict",
            AppError::Frozen { .. } => "frozen",
            AppError::BadRequest { .. } => "bad_request",
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::Busy => "busy",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(v) => AppError::Invalid(v),
            StoreError::NotFound { .. } => AppError::NotFound,
            StoreError::Conflict {
                entity,
                current_version,
                current,
                ..
            } => AppError::Conflict {
                entity,
                current_version,
                current,
            },
            StoreError::Frozen { reason, .. } => AppError::Frozen {
                reason: reason.map(|r| (r.zh, r.en)),
            },
            StoreError::Busy => AppError::Busy,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(msg) = &self {
            tracing::error!(error = %msg, "request failed");
        }
        let status = self.status();
        let info = ErrorInfo {
            code: self.code(),
            detail: match &self {
                AppError::BadRequest { zh, en } => Some((zh.clone(), en.clone())),
                AppError::Frozen { reason } => reason.clone(),
                _ => None,
            },
            current: match &self {
                AppError::Conflict { current, .. } => Some(current.clone()),
                _ => None,
            },
            errors: match self {
                AppError::Invalid(v) | AppError::BadQuery(v) => Some(v),
                _ => None,
            },
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(info);
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
