//! `chainforce import FILE` — a 台账 into the database, and `chainforce export LIST --out FILE`.
//!
//! The import reads the file as the web page does, shows what would be created, updated and
//! refused (row, column, value, reason) and, unless `--dry-run`, imports: everything or nothing
//! by default, or the good rows only with `--good-rows`. `--json` prints one JSON object.

use crate::setup::{self, DatabaseArgs};
use anyhow::{Context, Result};
use chainforce_domain::validation::Lang;
use chainforce_storage::AuditActor;
use chainforce_web::i18n::Tr;
use chainforce_web::ledger::{self, Mode};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The ledger: .xlsx, .xls or .csv.
    file: PathBuf,
    /// Show what would happen; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the good rows even when others are refused (default: everything or nothing).
    #[arg(long)]
    good_rows: bool,
    /// Print one JSON object with `created`, `updated` and `refused`.
    #[arg(long)]
    json: bool,
    /// Write the refused rows, with a 原因 column, to this .xlsx.
    #[arg(long, value_name = "FILE.xlsx")]
    refused_out: Option<PathBuf>,
    /// Messages in English instead of Chinese.
    #[arg(long)]
    english: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub fn import(args: ImportArgs) -> Result<ExitCode> {
    setup::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async {
        let lang = if args.english { Lang::En } else { Lang::Zh };
        let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
        let import = match ledger::read(&bytes, None) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{}: {}", args.file.display(), e.message(lang));
                return Ok(ExitCode::from(2));
            }
        };
        let store = args.db.open().await?;
        let region = setup::ensure_county(&store, "本县").await?;
        let mode = if args.dry_run {
            Mode::DryRun
        } else if args.good_rows {
            Mode::GoodRows
        } else {
            Mode::AllOrNothing
        };
        let (report, extra) =
            ledger::run(&store, region, &AuditActor::system("cli-import"), &import, mode, lang).await?;
        if let Some(out) = &args.refused_out
            && report.has_refusals()
        {
            let book =
                ledger::refused_workbook(&bytes, import.mapping.clone(), &extra, lang).map_err(anyhow::Error::msg)?;
            std::fs::write(out, book).with_context(|| format!("cannot write {}", out.display()))?;
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!(
                "{} {} · {} {} {}",
                args.file.display(),
                report.sheet,
                report.rows_read,
                lang.pick("行", "rows"),
                if report.written {
                    lang.pick("已导入", "imported")
                } else {
                    lang.pick("未写入", "nothing written")
                }
            );
            println!(
                "  {}: {}  {}: {}  {}: {}",
                lang.pick("新建", "created"),
                report.created.len(),
                lang.pick("更新", "updated"),
                report.updated.len(),
                lang.pick("拒绝", "refused"),
                report.refused.len()
            );
            for r in &report.refused {
                println!("  {} {} {:?}: {}", lang.pick("第", "row"), r.row, r.value, r.reason);
            }
        }
        Ok(if mode == Mode::AllOrNothing && !report.written {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum List {
    Projects,
    Tasks,
    Problems,
    Units,
    Enterprises,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    list: List,
    /// The .xlsx to write.
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    english: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub fn export(args: ExportArgs) -> Result<ExitCode> {
    setup::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async {
        let t = Tr::new(if args.english { Lang::En } else { Lang::Zh });
        let store = args.db.open().await?;
        let region = setup::ensure_county(&store, "本县").await?;
        use chainforce_web::exports;
        let table = match args.list {
            List::Projects => exports::all_projects(&store, region, t).await?,
            List::Tasks => exports::tasks(&store, region, &Default::default(), t).await?,
            List::Problems => exports::all_problems(&store, region, t).await?,
            List::Units => exports::units(&store, region, t).await?,
            List::Enterprises => exports::enterprises(&store, region, t).await?,
        };
        let rows = table.rows.len();
        let bytes = chainforce_exchange::xlsx_out::write_table(&table)?;
        std::fs::write(&args.out, bytes).with_context(|| format!("cannot write {}", args.out.display()))?;
        println!("{rows} rows written to {}", args.out.display());
        Ok(ExitCode::SUCCESS)
    })
}
