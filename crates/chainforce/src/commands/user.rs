//! `chainforce user add` — create an account from the command line.

use crate::setup::{self, DatabaseArgs};
use anyhow::{Result, bail};
use chainforce_domain::org::UserForm;
use chainforce_storage::AuditActor;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Create a user. The password comes from CHAINFORCE_USER_PASSWORD, or is generated and printed.
    Add {
        username: String,
        /// admin | leader | unit | enterprise | viewer (or 专班办公室, 领导, 责任单位, 企业, 观察员)
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// The unit (by name) of a unit user.
        #[arg(long)]
        unit: Option<String>,
        /// The enterprise (by name) of an enterprise user.
        #[arg(long)]
        enterprise: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub fn run(args: Args) -> Result<ExitCode> {
    setup::init_logging();
    tokio::runtime::Runtime::new()?.block_on(async {
        match args.action {
            Action::Add {
                username,
                role,
                name,
                unit,
                enterprise,
                db,
            } => {
                let store = db.open().await?;
                let region_id = setup::ensure_county(&store, "本县").await?;
                let unit_id = match unit {
                    Some(u) => match store.units(region_id).await?.into_iter().find(|x| x.name == u) {
                        Some(x) => x.id.to_string(),
                        None => bail!("no unit named {u}"),
                    },
                    None => String::new(),
                };
                let enterprise_id = match enterprise {
                    Some(e) => match store.enterprises(region_id).await?.into_iter().find(|x| x.name == e) {
                        Some(x) => x.id.to_string(),
                        None => bail!("no enterprise named {e}"),
                    },
                    None => String::new(),
                };
                let (password, generated) = match std::env::var("CHAINFORCE_USER_PASSWORD") {
                    Ok(p) if !p.is_empty() => (p, false),
                    _ => (chainforce_web::auth::random_password(), true),
                };
                let form = UserForm {
                    display_name: name.unwrap_or_else(|| username.clone()),
                    username,
                    role,
                    unit_id,
                    enterprise_id,
                    password: password.clone(),
                };
                let draft = match form.validate(true) {
                    Ok(d) => d,
                    Err(e) => {
                        for f in &e.0 {
                            eprintln!(
                                "{}: {}",
                                f.field,
                                f.rule.message(chainforce_domain::validation::Lang::Zh)
                            );
                        }
                        return Ok(ExitCode::from(2));
                    }
                };
                let hash = chainforce_web::auth::hash_password_async(password.clone()).await;
                let mut tx = store.begin(&AuditActor::system("cli")).await?;
                let id = match tx.create_user(region_id, &draft, &hash).await {
                    Ok(id) => id,
                    Err(chainforce_storage::StoreError::Invalid(e)) => {
                        for f in &e.0 {
                            eprintln!(
                                "{}: {}",
                                f.field,
                                f.rule.message(chainforce_domain::validation::Lang::Zh)
                            );
                        }
                        return Ok(ExitCode::from(2));
                    }
                    Err(e) => return Err(e.into()),
                };
                tx.commit().await?;
                println!("created user {} (id {id}, role {})", draft.username, draft.role.code());
                if generated {
                    println!("password: {password}");
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
