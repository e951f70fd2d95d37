//! A real browser (Debian's chromium, headless, through chromedriver) signs in and sees the
//! dashboard, on a desktop window and on a 360 px phone screen.
//!
//! chromedriver must listen at `CHAINFORCE_TEST_WEBDRIVER` (default http://127.0.0.1:9515);
//! `.ci/run` starts it. Without it the test says loudly that it skipped — and fails when CI=true.

mod support;

use fantoccini::{ClientBuilder, Locator};
use support::TestApp;

fn webdriver_url() -> String {
    std::env::var("CHAINFORCE_TEST_WEBDRIVER").unwrap_or_else(|_| "http://127.0.0.1:9515".into())
}

async fn browser() -> Option<fantoccini::Client> {
    // reqwest brings aws-lc-rs and sqlx brings ring: name the provider rustls should use.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let profile = tempfile::tempdir().unwrap().keep();
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHAINFORCE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic", "--lang=zh-CN",
                     format!("--user-data-dir={}", profile.display())]
        }
    }))
    .unwrap();
    match ClientBuilder::rustls()
        .expect("rustls connector")
        .capabilities(caps)
        .connect(&webdriver_url())
        .await
    {
        Ok(c) => Some(c),
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but no WebDriver at {}: {e}", webdriver_url());
            }
            eprintln!(
                "\n*** browser test SKIPPED: no WebDriver at {} ({e}). Start `chromedriver --port=9515` or run .ci/run ***\n",
                webdriver_url()
            );
            None
        }
    }
}

#[tokio::test]
async fn a_leader_signs_in_with_a_real_browser_and_sees_the_dashboard() {
    let app = TestApp::spawn().await;
    let Some(b) = browser().await else { return };
    let outcome = async {
        b.set_window_size(1280, 900).await?;
        b.goto(&app.url("/")).await?;
        // Not signed in: the login form.
        assert!(b.current_url().await?.as_str().contains("/login"));
        b.find(Locator::Css("input[name=username]"))
            .await?
            .send_keys("leader")
            .await?;
        b.find(Locator::Css("input[name=password]"))
            .await?
            .send_keys(support::PASSWORD)
            .await?;
        b.find(Locator::Css("button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css(".kpis")).await?;
        let heading = b.find(Locator::Css("main h1")).await?.text().await?;
        assert!(heading.starts_with("总览"), "{heading}");
        let kpis = b.find(Locator::Css(".kpis")).await?.text().await?;
        assert!(kpis.contains("在推项目") && kpis.contains("签约投资"), "{kpis}");
        // The chart of projects per stage is drawn.
        assert!(!b.find_all(Locator::Css("svg.chart rect.bar")).await?.is_empty());
        // 管理 is folded: its link shows once the entry is opened, from the keyboard too.
        let audit = b.find(Locator::Css("details.nav-admin a[href='/audit']")).await?;
        assert!(!audit.is_displayed().await?, "the admin links are folded");
        b.execute("document.querySelector('details.nav-admin summary').focus();", vec![])
            .await?;
        b.active_element().await?.send_keys("\u{E007}").await?;
        assert!(audit.is_displayed().await?, "Enter on 管理 opens it");
        audit.click().await?;
        b.wait().for_element(Locator::Css("table.audit")).await?;
        assert!(b.current_url().await?.path().ends_with("/audit"));
        // On a 360 px phone the page fits the screen: nothing scrolls sideways.
        b.set_window_size(360, 800).await?;
        b.goto(&app.url("/projects")).await?;
        let overflow = b
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                vec![],
            )
            .await?;
        assert!(
            overflow.as_i64().unwrap_or(0) <= 0,
            "the project list scrolls sideways on a phone by {overflow}px"
        );
        let menu = b.find(Locator::Css("label.nav-toggle-label")).await?;
        assert!(
            menu.is_displayed().await?,
            "the phone layout folds the navigation behind a menu"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    outcome.unwrap();
}

/// Issue 4: a unit user marks an overdue task done on its desk, and on the battle map its bar
/// turns from red to done.
#[tokio::test]
async fn a_unit_marks_an_overdue_task_done_and_its_bar_on_the_battle_map_turns_from_red_to_done() {
    use chainforce_storage::{AuditActor, clock};
    let app = TestApp::spawn().await;
    let c = &app.county;
    let today = clock::today();
    // A project whose 60-working-day 发改委 task should have started weeks ago: red.
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let project = chainforce_domain::project::ProjectForm {
        name: "年产5万吨磷酸铁锂项目".into(),
        township_id: c.township.to_string(),
        stage: "filed".into(),
        target_start: (today + chrono::Duration::days(40)).to_string(),
        ..Default::default()
    };
    let project = tx.create_project(c.region, &project.validate().unwrap()).await.unwrap();
    let task = chainforce_domain::task::TaskForm {
        name: "节能审查".into(),
        responsible_unit_id: c.fgw.to_string(),
        duration_days: "60".into(),
        ..Default::default()
    };
    let task = tx.create_task(project, &task.validate().unwrap(), None).await.unwrap();
    tx.commit().await.unwrap();

    let Some(b) = browser().await else { return };
    let bar = format!("#bar-{task}");
    let outcome = async {
        b.set_window_size(1280, 900).await?;
        b.goto(&app.url("/login")).await?;
        b.find(Locator::Css("input[name=username]"))
            .await?
            .send_keys("fgw")
            .await?;
        b.find(Locator::Css("input[name=password]"))
            .await?
            .send_keys(support::PASSWORD)
            .await?;
        b.find(Locator::Css("button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css("main h1")).await?;
        // On the battle map the task's bar is red.
        b.goto(&app.url("/map")).await?;
        let class = b
            .find(Locator::Css(&bar))
            .await?
            .attr("class")
            .await?
            .unwrap_or_default();
        assert!(class.contains("s-red"), "before: {class}");
        // On its desk the task is under 逾期; the unit opens it and reports it done.
        b.goto(&app.url("/desk")).await?;
        let overdue = b.find(Locator::Css("section.desk-group")).await?;
        assert!(overdue.text().await?.contains("节能审查"));
        overdue
            .find(Locator::Css(&format!("a[href='/tasks/{task}']")))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css(&format!("form[action^='/tasks/{task}/progress']")))
            .await?;
        b.find(Locator::Css("select[name=progress]"))
            .await?
            .select_by_value("done")
            .await?;
        let start = (today - chrono::Duration::days(5)).to_string();
        b.execute(
            "document.querySelector('input[name=actual_start]').value = arguments[0];\
             document.querySelector('input[name=actual_finish]').value = arguments[1];",
            vec![serde_json::json!(start), serde_json::json!(today.to_string())],
        )
        .await?;
        b.find(Locator::Css(&format!(
            "form[action^='/tasks/{task}/progress'] button[type=submit]"
        )))
        .await?
        .click()
        .await?;
        b.wait().for_element(Locator::Css(".timeline")).await?;
        // Back on the map, the same bar is now drawn as done.
        b.goto(&app.url("/map")).await?;
        let class = b
            .find(Locator::Css(&bar))
            .await?
            .attr("class")
            .await?
            .unwrap_or_default();
        assert!(class.contains("s-done") && !class.contains("s-red"), "after: {class}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    outcome.unwrap();
}
