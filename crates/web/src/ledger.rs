//! From a read ledger (exchange) to what storage writes, and back: the glue of 台账 import that
//! the pages and the CLI share.

use chainforce_domain::project::Stage;
use chainforce_domain::validation::Lang;
use chainforce_exchange::ledger::{ImportError, ImportOptions, LedgerField, LedgerImport, Refusal, import_ledger};
use chainforce_storage::imports::{ImportOutcome, ImportRefusal, LedgerBatch, LedgerProject, LedgerTask};
use chainforce_storage::{AuditActor, Store, StoreError};
use serde::Serialize;
use std::collections::HashMap;

/// The rows of a read ledger as storage takes them.
pub fn batch(import: &LedgerImport) -> LedgerBatch {
    let columns = import
        .mapping
        .columns
        .iter()
        .filter_map(|c| c.field)
        .map(|f| storage_field(f.code()).to_string())
        .collect();
    LedgerBatch {
        projects: import
            .projects
            .iter()
            .map(|p| {
                let d = &p.stage_dates;
                let stage_dates = [
                    (Stage::Signed, d.signed_on, LedgerField::SignedOn),
                    (Stage::Registered, d.registered_on, LedgerField::RegisteredOn),
                    (Stage::LandSupplied, d.land_supplied_on, LedgerField::LandSuppliedOn),
                    (Stage::Started, d.started_on, LedgerField::StartedOn),
                    (Stage::InProduction, d.in_production_on, LedgerField::InProductionOn),
                ]
                .into_iter()
                .filter_map(|(s, date, field)| date.map(|d| (s, d, storage_field(field.code()).to_string())))
                .collect();
                LedgerProject {
                    row: p.row,
                    draft: p.draft.clone(),
                    enterprise: p.enterprise.clone(),
                    chain_node: p.chain_node.clone(),
                    township: p.township.clone(),
                    lead_unit: p.lead_unit.clone(),
                    stage_dates,
                }
            })
            .collect(),
        tasks: import
            .tasks
            .iter()
            .map(|t| LedgerTask {
                row: t.row,
                project_code: t.project_code.clone(),
                project_name: t.project_name.clone(),
                draft: t.draft.clone(),
                responsible_unit: t.responsible_unit.clone(),
            })
            .collect(),
        columns,
    }
}

/// Ledger field codes are the form's field names, except a task list's own columns.
fn storage_field(code: &str) -> &str {
    match code {
        "task_name" => "name",
        other => other,
    }
}

/// What storage refused, as the importer's refusals (with the sheet column of the field), so
/// they show and download like the importer's own.
pub fn storage_refusals(import: &LedgerImport, refused: &[ImportRefusal]) -> HashMap<u32, Vec<Refusal>> {
    let mut out: HashMap<u32, Vec<Refusal>> = HashMap::new();
    for r in refused {
        let binding = import
            .mapping
            .columns
            .iter()
            .find(|c| c.field.is_some_and(|f| storage_field(f.code()) == r.field));
        out.entry(r.row).or_default().push(Refusal {
            row: r.row,
            column: binding.map(|b| b.column.clone()).unwrap_or_default(),
            header: binding.map(|b| b.header.clone()).unwrap_or_default(),
            field: r.field.clone(),
            value: r.value.clone(),
            rule: r.rule.clone(),
        });
    }
    out
}

/// How the user wants an import with refused rows handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Look only: write nothing.
    DryRun,
    /// Everything or nothing: any refused row and nothing is written.
    AllOrNothing,
    /// The good rows now; the refused rows come back as a workbook.
    GoodRows,
}

/// The result a user sees: `{created, updated, refused}` (refused: one entry per refused cell).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mode: Mode,
    /// Whether anything was written.
    pub written: bool,
    pub created: Vec<chainforce_storage::imports::ImportedRow>,
    pub updated: Vec<chainforce_storage::imports::ImportedRow>,
    pub created_enterprises: Vec<String>,
    pub refused: Vec<RefusedCell>,
    pub rows_read: u32,
    pub sheet: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RefusedCell {
    pub row: u32,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl Report {
    fn new(
        mode: Mode,
        import: &LedgerImport,
        outcome: ImportOutcome,
        extra: &HashMap<u32, Vec<Refusal>>,
        written: bool,
        lang: Lang,
    ) -> Report {
        let mut refused: Vec<RefusedCell> = import
            .refusals()
            .chain(extra.values().flatten())
            .map(|r| RefusedCell {
                row: r.row,
                column: r.column.clone(),
                value: r.value.clone(),
                reason: r.reason(lang),
            })
            .collect();
        refused.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
        // Rows storage refused were not written; in a dry run they must not be listed as written either.
        let created = outcome
            .created
            .into_iter()
            .filter(|r| !extra.contains_key(&r.row))
            .collect();
        let updated = outcome
            .updated
            .into_iter()
            .filter(|r| !extra.contains_key(&r.row))
            .collect();
        Report {
            mode,
            written,
            created,
            updated,
            created_enterprises: outcome.created_enterprises,
            refused,
            rows_read: import.rows_read,
            sheet: import.mapping.sheet.clone(),
        }
    }

    pub fn has_refusals(&self) -> bool {
        !self.refused.is_empty()
    }
}

/// Runs an import of a read ledger: always in one transaction, committed only when `mode` says
/// so and (for all-or-nothing) nothing was refused. Returns the report and the storage refusals
/// (for the refused-rows workbook).
pub async fn run(
    store: &Store,
    region_id: i64,
    actor: &AuditActor,
    import: &LedgerImport,
    mode: Mode,
    lang: Lang,
) -> Result<(Report, HashMap<u32, Vec<Refusal>>), StoreError> {
    let batch = batch(import);
    let mut tx = store.begin(actor).await?;
    let outcome = tx
        .import_ledger(region_id, &batch, chainforce_storage::clock::today())
        .await?;
    let extra = storage_refusals(import, &outcome.refused);
    let any_refused = !import.refused.is_empty() || !extra.is_empty();
    let write = match mode {
        Mode::DryRun => false,
        Mode::AllOrNothing => !any_refused,
        Mode::GoodRows => true,
    };
    // Storage skipped the rows it refused, so what a commit keeps is exactly the good rows.
    if write {
        tx.commit().await?;
    } else {
        drop(tx);
    }
    Ok((Report::new(mode, import, outcome, &extra, write, lang), extra))
}

/// Reads a ledger with the importer's defaults, or the user's corrected mapping.
pub fn read(
    bytes: &[u8],
    mapping: Option<chainforce_exchange::ledger::ColumnMapping>,
) -> Result<LedgerImport, ImportError> {
    let options = ImportOptions {
        mapping,
        ..ImportOptions::default()
    };
    import_ledger(bytes, &options)
}

/// The refused rows (the importer's and storage's) as a workbook with a 原因 column, from the
/// original bytes so every cell comes back as the user typed it.
pub fn refused_workbook(
    bytes: &[u8],
    mapping: chainforce_exchange::ledger::ColumnMapping,
    extra: &HashMap<u32, Vec<Refusal>>,
    lang: Lang,
) -> Result<Vec<u8>, String> {
    let options = ImportOptions {
        mapping: Some(mapping),
        also_refuse: Some(extra),
        ..ImportOptions::default()
    };
    let import = import_ledger(bytes, &options).map_err(|e| e.message(lang))?;
    chainforce_exchange::ledger::write_refused_rows(&import, lang).map_err(|e| e.to_string())
}
