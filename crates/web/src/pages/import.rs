//! 台账导入: upload a ledger, see how its columns were read and what would be created, updated
//! and refused (a dry run), correct the mapping, then import everything-or-nothing or the good
//! rows only, and download the refused rows with their reasons.
//!
//! The uploaded file waits in the upload directory under a random name, readable only by the
//! user who uploaded it, until the import is done.

use super::forms::Opt;
use super::{Chrome, render, render_invalid, see_other};
use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::ledger::{self, Mode, Report};
use crate::routes::{Access, RouteTable};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use chainforce_domain::amount::MoneyUnit;
use chainforce_domain::permission::Action;
use chainforce_exchange::ledger::{ColumnMapping, LedgerField};
use chainforce_storage::imports::ImportRefusal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;

/// What is kept beside an uploaded file.
#[derive(Serialize, Deserialize)]
struct Pending {
    user_id: i64,
    filename: String,
    mapping: Option<ColumnMapping>,
    /// After the import: what storage refused, for the refused-rows workbook.
    storage_refused: Vec<ImportRefusal>,
}

fn dir(state: &AppState) -> PathBuf {
    state.config().upload_dir.join("imports")
}

/// Upload tokens are 64 hex characters; anything else never reaches the file system.
fn paths(state: &AppState, token: &str) -> AppResult<(PathBuf, PathBuf)> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let d = dir(state);
    Ok((d.join(format!("{token}.bin")), d.join(format!("{token}.json"))))
}

async fn load(state: &AppState, ctx: &Ctx, token: &str) -> AppResult<(Vec<u8>, Pending)> {
    let (bin, meta) = paths(state, token)?;
    let meta_text = tokio::fs::read_to_string(&meta).await.map_err(|_| AppError::NotFound)?;
    let pending: Pending = serde_json::from_str(&meta_text).map_err(|e| AppError::Internal(e.to_string()))?;
    if pending.user_id != ctx.user()?.id {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(&bin).await.map_err(|_| AppError::NotFound)?;
    Ok((bytes, pending))
}

async fn save_meta(state: &AppState, token: &str, pending: &Pending) -> AppResult<()> {
    let (_, meta) = paths(state, token)?;
    let text = serde_json::to_string(pending).map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::fs::write(meta, text)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

#[derive(Template)]
#[template(path = "import_upload.html")]
struct UploadPage {
    chrome: Chrome,
    error: String,
}

async fn upload_form(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    render(&UploadPage {
        chrome: Chrome::new(&ctx, "import", ctx.t().s("nav.import")),
        error: String::new(),
    })
}

async fn upload(State(state): State<AppState>, ctx: Ctx, mut multipart: Multipart) -> AppResult<Response> {
    let user = ctx.require(Action::EditProject)?.clone();
    let t = ctx.t();
    let refuse = |msg: String| -> AppResult<Response> {
        render_invalid(&UploadPage {
            chrome: Chrome::new(&ctx, "import", t.s("nav.import")),
            error: msg,
        })
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(format!("上传失败：{e}"), format!("upload failed: {e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("ledger").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::bad_request(format!("上传失败：{e}"), format!("upload failed: {e}")))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(t.s("import.choose_file").into());
    };
    // Read it once now, so a file that is not a ledger is refused at the upload.
    if let Err(e) = ledger::read(&bytes, None) {
        return refuse(e.message(t.lang));
    }
    let token = crate::auth::random_token();
    tokio::fs::create_dir_all(dir(&state))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (bin, _) = paths(&state, &token)?;
    tokio::fs::write(&bin, &bytes)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    save_meta(
        &state,
        &token,
        &Pending {
            user_id: user.id,
            filename,
            mapping: None,
            storage_refused: Vec::new(),
        },
    )
    .await?;
    Ok(see_other(&format!("/import/{token}")))
}

/// One row of the mapping table.
struct ColumnRow {
    column: String,
    header: String,
    fields: Vec<Opt>,
    units: Vec<Opt>,
    is_money: bool,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    token: String,
    filename: String,
    columns: Vec<ColumnRow>,
    report: Report,
    done: bool,
}

fn column_rows(mapping: &ColumnMapping, ctx: &Ctx) -> Vec<ColumnRow> {
    let t = ctx.t();
    mapping
        .columns
        .iter()
        .map(|c| {
            let current = c.field.map(|f| f.code()).unwrap_or("");
            let fields = super::forms::options(
                LedgerField::ALL
                    .iter()
                    .map(|f| (f.code().to_string(), f.label(t.lang).to_string())),
                current,
                Some(t.s("import.not_imported")),
            );
            let unit = c.unit.unwrap_or(MoneyUnit::Wan);
            let units = [
                (MoneyUnit::Yuan, "unit.yuan"),
                (MoneyUnit::Wan, "unit.wan"),
                (MoneyUnit::Yi, "unit.yi"),
            ]
            .into_iter()
            .map(|(u, key)| Opt {
                value: unit_code(u).into(),
                label: t.s(key).into(),
                selected: u == unit,
            })
            .collect();
            ColumnRow {
                column: c.column.clone(),
                header: c.header.clone(),
                fields,
                units,
                is_money: c.field.is_some_and(|f| f.is_money()),
            }
        })
        .collect()
}

fn unit_code(u: MoneyUnit) -> &'static str {
    match u {
        MoneyUnit::Yuan => "yuan",
        MoneyUnit::Wan => "wan",
        MoneyUnit::Yi => "yi",
    }
}

async fn preview(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let (bytes, pending) = load(&state, &ctx, &token).await?;
    let import = ledger::read(&bytes, pending.mapping.clone())
        .map_err(|e| AppError::bad_request(e.message(ctx.lang), e.message(ctx.lang)))?;
    let (report, _) = ledger::run(
        state.store(),
        ctx.region_id,
        &ctx.audit_actor(),
        &import,
        Mode::DryRun,
        ctx.lang,
    )
    .await?;
    render(&PreviewPage {
        chrome: Chrome::new(&ctx, "import", ctx.t().s("nav.import")),
        columns: column_rows(&import.mapping, &ctx),
        token,
        filename: pending.filename,
        report,
        done: false,
    })
}

/// The user's corrections of the mapping: `field_E=total_investment`, `unit_E=yi`.
async fn correct_mapping(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let (bytes, mut pending) = load(&state, &ctx, &token).await?;
    let import = ledger::read(&bytes, pending.mapping.clone())
        .map_err(|e| AppError::bad_request(e.message(ctx.lang), e.message(ctx.lang)))?;
    let mut mapping = import.mapping;
    for c in &mut mapping.columns {
        if let Some(code) = form.get(&format!("field_{}", c.column)) {
            c.field = if code.is_empty() {
                None
            } else {
                Some(LedgerField::parse(code).ok_or_else(|| AppError::bad_request("未知的字段", "unknown field"))?)
            };
        }
        c.unit = match (
            c.field.is_some_and(|f| f.is_money()),
            form.get(&format!("unit_{}", c.column)).map(String::as_str),
        ) {
            (false, _) => None,
            (true, Some("yuan")) => Some(MoneyUnit::Yuan),
            (true, Some("yi")) => Some(MoneyUnit::Yi),
            (true, _) => Some(MoneyUnit::Wan),
        };
    }
    mapping.validate()?;
    pending.mapping = Some(mapping);
    save_meta(&state, &token, &pending).await?;
    Ok(see_other(&format!("/import/{token}")))
}

#[derive(Deserialize)]
struct RunForm {
    mode: String,
}

async fn run(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<RunForm>,
) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let mode = match f.mode.as_str() {
        "all" => Mode::AllOrNothing,
        "good" => Mode::GoodRows,
        _ => return Err(AppError::bad_request("请选择导入方式", "choose how to import")),
    };
    let (bytes, mut pending) = load(&state, &ctx, &token).await?;
    let import = ledger::read(&bytes, pending.mapping.clone())
        .map_err(|e| AppError::bad_request(e.message(ctx.lang), e.message(ctx.lang)))?;
    let (report, extra) = ledger::run(
        state.store(),
        ctx.region_id,
        &ctx.audit_actor(),
        &import,
        mode,
        ctx.lang,
    )
    .await?;
    pending.mapping = Some(import.mapping.clone());
    pending.storage_refused = extra
        .values()
        .flatten()
        .map(|r| ImportRefusal {
            row: r.row,
            field: r.field.clone(),
            value: r.value.clone(),
            rule: r.rule.clone(),
        })
        .collect();
    save_meta(&state, &token, &pending).await?;
    render(&PreviewPage {
        chrome: Chrome::new(&ctx, "import", ctx.t().s("nav.import")),
        columns: column_rows(&import.mapping, &ctx),
        token,
        filename: pending.filename,
        report,
        done: true,
    })
}

async fn refused_rows(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    ctx.require(Action::EditProject)?;
    let (bytes, pending) = load(&state, &ctx, &token).await?;
    let import = ledger::read(&bytes, pending.mapping.clone())
        .map_err(|e| AppError::bad_request(e.message(ctx.lang), e.message(ctx.lang)))?;
    let extra = ledger::storage_refusals(&import, &pending.storage_refused);
    let workbook = ledger::refused_workbook(&bytes, import.mapping, &extra, ctx.lang).map_err(AppError::Internal)?;
    let stem = pending
        .filename
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&pending.filename)
        .to_string();
    crate::download::attachment(
        workbook,
        crate::download::XLSX,
        &format!("{stem}-{}.xlsx", ctx.t().s("import.refused_suffix")),
    )
}

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/import", Access::Office, upload_form)
        .post("/import", Access::Office, upload)
        .get("/import/{token}", Access::Office, preview)
        .post("/import/{token}/mapping", Access::Office, correct_mapping)
        .post("/import/{token}", Access::Office, run)
        .get("/import/{token}/refused.xlsx", Access::Office, refused_rows)
}
