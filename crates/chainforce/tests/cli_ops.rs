//! The office's command line, run as the built binary: first start, accounts, the audit check,
//! backup and restore.

use std::process::{Command, Output};

fn chainforce(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chainforce"));
    cmd.args(args)
        .env_remove("CHAINFORCE_DATABASE_URL")
        .env("RUST_LOG", "warn");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run chainforce")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn an_office_clerk_adds_a_user_and_verifies_the_audit_trail_and_tampering_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let db = db.to_str().unwrap();
    let out = chainforce(&["migrate", "--database-url", db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = chainforce(
        &[
            "user",
            "add",
            "leader.li",
            "--role",
            "领导",
            "--name",
            "李县长",
            "--database-url",
            db,
        ],
        &[("CHAINFORCE_USER_PASSWORD", "a long enough password")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created user leader.li"));
    // A bad role is refused, naming the field.
    let out = chainforce(&["user", "add", "x", "--role", "root", "--database-url", db], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("role"));

    let out = chainforce(&["audit", "verify", "--database-url", db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("audit chain intact"));

    // Someone edits the trail behind the application's back.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = chainforce_storage::Store::open(db).await.unwrap();
        store
            .execute_raw("UPDATE audit_log SET actor_name = 'nobody' WHERE seq = 2")
            .await
            .unwrap();
        store.close().await;
    });
    let out = chainforce(&["audit", "verify", "--database-url", db], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("BROKEN at entry 2"), "{}", text(&out.stderr));
}

#[test]
fn a_backup_restores_to_the_same_data_with_a_verified_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let db = db.to_str().unwrap();
    let backup = dir.path().join("backup.sqlite");
    let backup = backup.to_str().unwrap();
    chainforce(&["user", "add", "first", "--role", "viewer", "--database-url", db], &[]);
    let out = chainforce(&["backup", backup, "--database-url", db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("audit entries verified"));
    // Work goes on after the backup …
    chainforce(
        &["user", "add", "second", "--role", "viewer", "--database-url", db],
        &[],
    );
    // … and a restore brings back the data as it was at the backup.
    let out = chainforce(&["restore", backup, "--database-url", db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = chainforce_storage::Store::open(db).await.unwrap();
        assert!(store.user_by_username("first").await.unwrap().is_some());
        assert!(store.user_by_username("second").await.unwrap().is_none());
        store.close().await;
    });
    // A second backup to an existing file is refused rather than overwriting it.
    let out = chainforce(&["backup", backup, "--database-url", db], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("already exists"));
}

#[test]
fn the_first_start_creates_the_administrator_and_the_server_answers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainforce"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            db.to_str().unwrap(),
            "--county",
            "测试县",
        ])
        .env("CHAINFORCE_ADMIN_PASSWORD", "first admin password")
        .env("CHAINFORCE_UPLOAD_DIR", dir.path().join("uploads"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut addr = String::new();
    for _ in 0..20 {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("chainforce 已启动 / listening on ") {
            addr = rest.to_string();
            break;
        }
    }
    assert!(addr.starts_with("http://127.0.0.1:"), "the server printed its address");
    let health = reqwest_blocking_get(&format!("{addr}/healthz"));
    child.kill().ok();
    child.wait().ok();
    assert_eq!(health, "ok");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = chainforce_storage::Store::open(db.to_str().unwrap()).await.unwrap();
        let admin = store
            .user_by_username("admin")
            .await
            .unwrap()
            .expect("admin created on first start");
        assert_eq!(admin.role.code(), "admin");
        assert!(chainforce_web::auth::verify_password(
            "first admin password",
            &admin.password_hash
        ));
        assert_eq!(store.default_region().await.unwrap().unwrap().name, "测试县");
    });
}

/// A plain HTTP GET on 127.0.0.1 without pulling a client library into the binary's tests.
fn reqwest_blocking_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    buf.split("\r\n\r\n").nth(1).unwrap_or_default().to_string()
}

#[test]
fn a_ledger_imports_from_the_command_line_with_a_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let db = db.to_str().unwrap();
    let ledger = dir.path().join("台账.csv");
    std::fs::write(
        &ledger,
        "项目名称,总投资（万元）,当前阶段,签约时间\n锂电池项目,12000,签约,2026.3.1\n坏项目,十亿,签约,2026-02-30\n",
    )
    .unwrap();
    let ledger = ledger.to_str().unwrap();
    let out = chainforce(&["import", ledger, "--dry-run", "--json", "--database-url", db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["created"].as_array().unwrap().len(), 1);
    assert_eq!(report["updated"].as_array().unwrap().len(), 0);
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "two bad cells on row 3: {refused:?}");
    assert!(
        refused
            .iter()
            .all(|r| r["row"] == 3 && r["column"].is_string() && r["value"].is_string() && r["reason"].is_string())
    );
    // Everything or nothing by default: refused rows, nothing written, exit 1.
    let out = chainforce(&["import", ledger, "--database-url", db], &[]);
    assert_eq!(out.status.code(), Some(1));
    // The good rows, with the refused ones written back for fixing.
    let refused_out = dir.path().join("refused.xlsx");
    let out = chainforce(
        &[
            "import",
            ledger,
            "--good-rows",
            "--refused-out",
            refused_out.to_str().unwrap(),
            "--database-url",
            db,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(refused_out.exists());
    let out = chainforce(
        &[
            "export",
            "projects",
            "--out",
            dir.path().join("p.xlsx").to_str().unwrap(),
            "--database-url",
            db,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("1 rows written"));
}
