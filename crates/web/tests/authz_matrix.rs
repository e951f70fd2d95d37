//! The authorisation matrix (issue 10): every route of the router × every role, generated from
//! the route table itself, so that a new route cannot escape it. A role a route is not meant for
//! must be refused (401 without a session, 403 with one, or 404 hiding the object); a role it is
//! meant for must not be refused; and no request, however empty, may produce a 5xx.

mod support;

use chainforce_domain::problem::ProblemForm;
use chainforce_storage::AuditActor;
use chainforce_storage::problems::RaisedBy;
use chainforce_web::routes::{Access, table};
use reqwest::{Method, StatusCode};
use support::{Client, TestApp};

const ROLES: [&str; 7] = ["anonymous", "office", "leader", "fgw", "company", "viewer", "expert"];

/// The objects a route's `{…}` stands for: the county's own (the enterprise's project, the
/// 发改委 task) or a foreign one (another enterprise's project, another unit's task).
struct Objects {
    project: i64,
    task: i64,
    problem: i64,
}

fn concrete(path: &str, o: &Objects) -> String {
    let mut out = String::new();
    for segment in path.split('/').skip(1) {
        out.push('/');
        if !segment.starts_with('{') {
            out.push_str(segment);
            continue;
        }
        let prefix = out.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let value = match (prefix, segment) {
            (_, "{tag}") => "en".to_string(),
            (_, "{token}") => "0".repeat(64),
            ("history", "{entity}") => "project".into(),
            ("project", "{id}") => o.project.to_string(),
            ("projects", _) => o.project.to_string(),
            ("tasks", _) => o.task.to_string(),
            ("problems", _) => o.problem.to_string(),
            _ => "1".into(),
        };
        out.push_str(&value);
    }
    out
}

fn refused(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || status == StatusCode::SEE_OTHER // only for anonymous: to the login page (checked below)
}

async fn send(client: &Client, method: &Method, path: &str) -> reqwest::Response {
    let req = client.http.request(method.clone(), client.url(path));
    let req = if *method == Method::GET {
        req
    } else if path.starts_with("/api/") {
        req.header("x-csrf-token", &client.csrf).json(&serde_json::json!({}))
    } else {
        req.form(&[("_csrf", client.csrf.as_str())])
    };
    req.send().await.unwrap()
}

/// Whether `role` is meant to reach a route of `access` (for owner routes: the object it owns).
fn meant_for(access: Access, role: &str, method: &Method, foreign: bool) -> Option<bool> {
    use Access::*;
    let county_reader = matches!(role, "office" | "leader" | "fgw" | "viewer");
    Some(match access {
        Public => true,
        // An expert has no county data: their home redirects to their reviews and the county
        // lists refuse them (the resources story checks both).
        SignedIn if role == "expert" => return None,
        SignedIn => role != "anonymous",
        CountyReaders => county_reader,
        LeadersAndOffice => matches!(role, "office" | "leader"),
        Office => role == "office",
        Enterprises => role == "company",
        Experts => role == "expert",
        Owner => match (role, *method == Method::GET) {
            ("anonymous", _) => false,
            // Reading: an enterprise on its own project only; who else reads depends on the
            // object (an evaluation card is for leaders and the office), so the role stories
            // cover it.
            ("company", true) => !foreign,
            (_, true) => return None,
            // Changing: leaders and viewers never; others depend on the object and the
            // action (covered by the role stories), except that a foreign object is refused
            // to the enterprise.
            ("leader" | "viewer" | "expert", false) => false,
            ("company", false) if foreign => false,
            _ => return None,
        },
    })
}

#[tokio::test]
async fn every_route_refuses_every_role_it_is_not_meant_for() {
    let app = TestApp::spawn().await;
    let c = &app.county;
    let mut tx = app.store.begin(&AuditActor::system("test")).await.unwrap();
    let d = ProblemForm {
        title: "供电方案".into(),
        description: String::new(),
    }
    .validate()
    .unwrap();
    let own_problem = tx.raise_problem(c.project, &d, RaisedBy::default()).await.unwrap();
    let foreign_problem = tx
        .raise_problem(c.other_project, &d, RaisedBy::default())
        .await
        .unwrap();
    let t = chainforce_domain::task::TaskForm {
        name: "别家的用地预审".into(),
        responsible_unit_id: c.zrzy.to_string(),
        duration_days: "3".into(),
        ..Default::default()
    };
    let foreign_task = tx
        .create_task(c.other_project, &t.validate().unwrap(), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let own = Objects {
        project: c.project,
        task: c.fgw_task,
        problem: own_problem,
    };
    // Another enterprise's project, and a task of another unit in it.
    let foreign = Objects {
        project: c.other_project,
        task: foreign_task,
        problem: foreign_problem,
    };

    let mut clients = Vec::new();
    for role in ROLES {
        clients.push(if role == "anonymous" {
            app.anonymous()
        } else {
            app.login(role).await
        });
    }
    let entries = table().entries;
    assert!(entries.len() > 30, "the table lists the routes");
    let mut failures = Vec::new();
    for entry in &entries {
        for (objects, foreign_objects) in [(&own, false), (&foreign, true)] {
            let path = concrete(entry.path, objects);
            for (i, role) in ROLES.iter().enumerate() {
                let res = send(&clients[i], &entry.method, &path).await;
                let status = res.status();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                if status.is_server_error() {
                    failures.push(format!("{} {path} as {role}: {status}", entry.method));
                    continue;
                }
                let was_refused = refused(status)
                    && (status != StatusCode::SEE_OTHER || (*role == "anonymous" && location.starts_with("/login")));
                match meant_for(entry.access, role, &entry.method, foreign_objects) {
                    Some(false) if !was_refused => {
                        failures.push(format!("UNEXPECTED ALLOW {} {path} as {role}: {status}", entry.method))
                    }
                    // A login with no credentials answers 401 to anyone: that is the login working.
                    Some(true)
                        if status == StatusCode::FORBIDDEN
                            || (status == StatusCode::UNAUTHORIZED && entry.access != Access::Public) =>
                    {
                        failures.push(format!(
                            "unexpected refusal {} {path} as {role}: {status}",
                            entry.method
                        ))
                    }
                    _ => {}
                }
                // Signing out ends that client's session: sign in again for the next routes.
                if entry.path == "/logout" && *role != "anonymous" {
                    clients[i] = app.login(role).await;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_route_path_can_be_made_concrete() {
    let o = Objects {
        project: 7,
        task: 8,
        problem: 9,
    };
    assert_eq!(concrete("/projects/{id}/tasks", &o), "/projects/7/tasks");
    assert_eq!(concrete("/tasks/{id}/progress", &o), "/tasks/8/progress");
    assert_eq!(concrete("/history/{entity}/{id}", &o), "/history/project/7");
    assert_eq!(concrete("/api/v1/projects/{id}", &o), "/api/v1/projects/7");
    for e in table().entries {
        assert!(!concrete(e.path, &o).contains('{'), "{}", e.path);
    }
}
