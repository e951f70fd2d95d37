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

/// A form that may come urlencoded or as multipart (with files), read only after the
/// permission check like [`FormLater`]. The CSRF token of a multipart form travels in the URL.
pub enum FormOrMultipart<T> {
    Form(FormLater<T>),
    Multipart(AppResult<axum::extract::Multipart>),
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormOrMultipart<T> {
    type Rejection = Infallible;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        if is_multipart {
            Ok(FormOrMultipart::Multipart(
                axum::extract::Multipart::from_request(req, state).await.map_err(|e| {
                    AppError::bad_request(
                        format!("上传内容无法读取：{e}"),
                        format!("the upload cannot be read: {e}"),
                    )
                }),
            ))
        } else {
            let Ok(f) = FormLater::<T>::from_request(req, state).await;
            Ok(FormOrMultipart::Form(f))
        }
    }
}

/// One uploaded file, as sent (checked later by the attachment policy).
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl<T: DeserializeOwned> FormOrMultipart<T> {
    /// The form's fields and its files. A file is read only up to `max_bytes` + 1 bytes: one
    /// larger is handed on truncated, for the policy to refuse by its size; at most `max_files`
    /// non-empty files are accepted.
    pub async fn value(self, max_bytes: usize, max_files: usize) -> AppResult<(T, Vec<Upload>)> {
        let mut mp = match self {
            FormOrMultipart::Form(f) => return Ok((f.value()?, Vec::new())),
            FormOrMultipart::Multipart(m) => m?,
        };
        let bad = |e: axum::extract::multipart::MultipartError| {
            AppError::bad_request(
                format!("上传内容无法读取：{e}"),
                format!("the upload cannot be read: {e}"),
            )
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut files = Vec::new();
        while let Some(mut field) = mp.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                None => fields.push((name, field.text().await.map_err(bad)?)),
                Some(file_name) => {
                    let mut bytes = Vec::new();
                    while let Some(chunk) = field.chunk().await.map_err(bad)? {
                        bytes.extend_from_slice(&chunk);
                        if bytes.len() > max_bytes {
                            bytes.truncate(max_bytes + 1);
                            break;
                        }
                    }
                    if file_name.is_empty() && bytes.is_empty() {
                        continue; // a file input left empty
                    }
                    files.push(Upload {
                        field: name,
                        file_name,
                        bytes,
                    });
                }
            }
        }
        if files.len() > max_files {
            let field = files[0].field.clone();
            return Err(AppError::Invalid(chainforce_domain::ValidationErrors::single(
                field,
                chainforce_domain::Rule::Other {
                    zh: format!("一次最多上传 {max_files} 个文件"),
                    en: format!("at most {max_files} files at a time"),
                },
            )));
        }
        let encoded = serde_urlencoded::to_string(&fields).map_err(|e| AppError::Internal(e.to_string()))?;
        let value = serde_urlencoded::from_str::<T>(&encoded)
            .map_err(|e| AppError::bad_request(format!("表单格式不正确：{e}"), format!("malformed form: {e}")))?;
        Ok((value, files))
    }
}
