//! A real server on 127.0.0.1:0 over a fresh database, a small county in it, and HTTP clients
//! signed in as each role — so that each test reads as what a user does and sees.
#![allow(dead_code)]

use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::{RegionLevel, UnitForm, UserForm};
use chainforce_domain::project::ProjectForm;
use chainforce_domain::task::TaskForm;
use chainforce_storage::testing::TestDb;
use chainforce_storage::{AuditActor, Store};
use chainforce_web::{AppConfig, Application};
use reqwest::StatusCode;
use std::net::SocketAddr;

pub const PASSWORD: &str = "correct horse battery";

/// The county every test starts from: two departments, a township, an enterprise, one project
/// with one task per department, and one user per role.
pub struct County {
    pub region: i64,
    pub fgw: i64,
    pub zrzy: i64,
    pub township: i64,
    pub enterprise: i64,
    pub other_enterprise: i64,
    pub project: i64,
    pub other_project: i64,
    /// A task of 发改委 and one of 自然资源局 in `project`.
    pub fgw_task: i64,
    pub zrzy_task: i64,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub county: County,
    _db: TestDb,
    _uploads: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
    }
}

async fn build_county(store: &Store) -> County {
    let mut tx = store.begin(&AuditActor::system("test")).await.unwrap();
    let region = tx
        .create_region(None, RegionLevel::County, None, "测试县")
        .await
        .unwrap();
    tx.seed_templates().await.unwrap();
    let unit = |name: &str, kind: &str| {
        UnitForm {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let fgw = tx.create_unit(region, &unit("县发改委", "department")).await.unwrap();
    let zrzy = tx
        .create_unit(region, &unit("县自然资源局", "department"))
        .await
        .unwrap();
    let township = tx.create_unit(region, &unit("东岭镇", "township")).await.unwrap();
    let ent = |name: &str| {
        EnterpriseForm {
            name: name.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let enterprise = tx.create_enterprise(region, &ent("测试锂业有限公司")).await.unwrap();
    let other_enterprise = tx.create_enterprise(region, &ent("别家电池有限公司")).await.unwrap();
    let users = [
        ("office", "admin", "", ""),
        ("leader", "leader", "", ""),
        ("fgw", "unit", &*fgw.to_string(), ""),
        ("zrzy", "unit", &*zrzy.to_string(), ""),
        ("company", "enterprise", "", &*enterprise.to_string()),
        ("viewer", "viewer", "", ""),
        ("expert", "expert", "", ""),
    ];
    // Argon2 with default parameters, once for all users (the same password).
    let hash = chainforce_web::auth::hash_password(PASSWORD);
    for (username, role, unit_id, enterprise_id) in users {
        let f = UserForm {
            username: username.into(),
            display_name: format!("{username}（测试）"),
            role: role.into(),
            unit_id: unit_id.into(),
            enterprise_id: enterprise_id.into(),
            password: PASSWORD.into(),
        };
        tx.create_user(region, &f.validate(true).unwrap(), &hash).await.unwrap();
    }
    let project = |name: &str, ent: i64| ProjectForm {
        name: name.into(),
        enterprise_id: ent.to_string(),
        township_id: township.to_string(),
        lead_unit_id: fgw.to_string(),
        total_investment: "2亿元".into(),
        stage: "signed".into(),
        target_start: "2027-03-31".into(),
        ..Default::default()
    };
    // Both were signed early in 2026, so the stories can move them on from there.
    let signed = [(
        chainforce_domain::project::Stage::Signed,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        "signed_on".to_string(),
    )];
    let today = chainforce_storage::clock::today();
    let p = tx
        .create_project_along(
            region,
            &project("年产2万吨碳酸锂项目", enterprise).validate().unwrap(),
            &signed,
            today,
        )
        .await
        .unwrap();
    let other = tx
        .create_project_along(
            region,
            &project("别家电芯项目", other_enterprise).validate().unwrap(),
            &signed,
            today,
        )
        .await
        .unwrap();
    let task = |name: &str, unit: i64| {
        TaskForm {
            name: name.into(),
            responsible_unit_id: unit.to_string(),
            duration_days: "5".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let fgw_task = tx.create_task(p, &task("项目备案", fgw), None).await.unwrap();
    let zrzy_task = tx.create_task(p, &task("用地预审", zrzy), None).await.unwrap();
    let deps = tx.parse_dependencies(zrzy_task, &fgw_task.to_string()).unwrap();
    tx.set_task_dependencies(zrzy_task, &deps).await.unwrap();
    tx.commit().await.unwrap();
    County {
        region,
        fgw,
        zrzy,
        township,
        enterprise,
        other_enterprise,
        project: p,
        other_project: other,
        fgw_task,
        zrzy_task,
    }
}

impl TestApp {
    /// A server over a fresh SQLite database.
    pub async fn spawn() -> TestApp {
        Self::spawn_on(TestDb::sqlite().await).await
    }

    /// A server over a fresh PostgreSQL database, when `CHAINFORCE_TEST_POSTGRES_URL` is set.
    pub async fn spawn_postgres() -> Option<TestApp> {
        Some(Self::spawn_on(TestDb::postgres().await?).await)
    }

    async fn spawn_on(db: TestDb) -> TestApp {
        Self::spawn_on_with(db, |_| {}).await
    }

    /// A server over a fresh SQLite database with its configuration adjusted (e.g. a smaller
    /// attachment limit).
    pub async fn spawn_with(configure: impl FnOnce(&mut AppConfig)) -> TestApp {
        Self::spawn_on_with(TestDb::sqlite().await, configure).await
    }

    async fn spawn_on_with(db: TestDb, configure: impl FnOnce(&mut AppConfig)) -> TestApp {
        let store = db.store.clone();
        let county = build_county(&store).await;
        let uploads = tempfile::tempdir().unwrap();
        let mut config = AppConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            county.region,
            uploads.path().to_path_buf(),
        );
        config.max_body_bytes = 64 * 1024;
        config.max_upload_bytes = 256 * 1024;
        configure(&mut config);
        let app = Application::build(store.clone(), config).await.unwrap();
        let addr = app.addr();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            store,
            county,
            _db: db,
            _uploads: uploads,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A browser-like client that has not signed in.
    pub fn anonymous(&self) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            http,
            base: format!("http://{}", self.addr),
            csrf: String::new(),
        }
    }

    /// A client signed in through the login form as `username`.
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.anonymous();
        let page = c.get("/login").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        let token = hidden_value(&html, "_csrf").expect("login form has a CSRF token");
        let res = c
            .http
            .post(c.url("/login"))
            .form(&[
                ("_csrf", token.as_str()),
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "login as {username} should redirect"
        );
        let me: serde_json::Value = c.get("/api/v1/me").await.json().await.unwrap();
        c.csrf = me["csrf_token"].as_str().unwrap().to_string();
        c
    }
}

/// The value of a hidden input in a page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find('"')?].to_string())
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    /// The JSON body of a GET (the status is not checked: a test that cares asks `get`).
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.get(path).await.json().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        (r.status(), r.text().await.unwrap())
    }

    /// Submits a form as the page would, with this session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.http.post(self.url(path)).form(&all).send().await.unwrap()
    }

    /// Submits a form without any CSRF token (what a forged cross-site form would send).
    pub async fn post_form_without_csrf(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(self.url(path)).form(fields).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// All the text of an .xlsx (shared strings and inline strings), to check what a user would
/// see when opening it.
pub fn xlsx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().is_ok_and(|n| n.ends_with(".xml")) {
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            out.push_str(&s);
        }
    }
    out
}

// heroes-web: uploads as a browser sends them.
impl Client {
    /// Submits a multipart form (text fields and one file) as the upload forms do: the CSRF
    /// token goes in the action URL, since the middleware does not read multipart bodies.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> reqwest::Response {
        const BOUNDARY: &str = "----chainforce-test-boundary-7e3f";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        self.http
            .post(self.url(&format!("{path}{sep}_csrf={}", self.csrf)))
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body)
            .send()
            .await
            .unwrap()
    }
}
