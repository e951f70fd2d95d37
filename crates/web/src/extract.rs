//! Request bodies read only after the permission check: a handler that must first decide whether
//! the user may act on an object takes `FormLater`/`JsonLater` and parses with `.value()?` once
//! allowed — so a refused user gets 403, never a verdict on their form.

use crate::error::{AppError, AppResult};
use axum::Form;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use std::convert::Infallible;

pub struct FormLater<T>(AppResult<T>);

impl<T> FormLater<T> {
    pub fn value(self) -> AppResult<T> {
        self.0
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormLater<T> {
    type Rejection = Infallible;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(FormLater(
            Form::<T>::from_request(req, state).await.map(|Form(v)| v).map_err(|e| {
                AppError::bad_request(
                    format!("表单格式不正确：{}", e.body_text()),
                    format!("malformed form: {}", e.body_text()),
                )
            }),
        ))
    }
}

pub struct JsonLater<T>(AppResult<T>);

impl<T> JsonLater<T> {
    pub fn value(self) -> AppResult<T> {
        self.0
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonLater<T> {
    type Rejection = Infallible;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(JsonLater(
            crate::api::ApiJson::<T>::from_request(req, state)
                .await
                .map(|crate::api::ApiJson(v)| v),
        ))
    }
}
