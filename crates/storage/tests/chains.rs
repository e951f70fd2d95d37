//! 产业链图谱 in the database, told once and run on both backends: the county's lithium chain is
//! stored from the shipped file, enterprises and projects are placed on nodes and the map shows
//! which nodes are strong, weak or missing; the office edits the chain (a cycle that is not the
//! recycling loop is refused and nothing changes); investment targets collect contacts and one
//! becomes a 线索 project, once.

use chainforce_domain::Rule;
use chainforce_domain::chain::{
    Chain, ChainEdit, ContactForm, EdgeForm, GapKind, NodeForm, NodeStatus, PlacementForm, PresenceRulesForm,
    TargetForm, TargetStatus,
};
use chainforce_domain::enterprise::EnterpriseForm;
use chainforce_domain::org::RegionLevel;
use chainforce_domain::project::{ProjectForm, Stage};
use chainforce_domain::validation::Lang;
use chainforce_storage::investment_targets::TargetFilter;
use chainforce_storage::projects::ProjectFilter;
use chainforce_storage::{AuditActor, Store, StoreError};

/// Runs one story on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both_backends {
    ($name:ident, $story:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = chainforce_storage::testing::TestDb::sqlite().await;
                super::$story(&db.store).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(db) = chainforce_storage::testing::TestDb::postgres().await {
                    super::$story(&db.store).await;
                }
            }
        }
    };
}

fn office() -> AuditActor {
    AuditActor::system("chains-test")
}

struct County {
    region: i64,
    chain: i64,
    firms: Vec<i64>,
}

/// A county with the shipped lithium chain and four enterprises.
async fn county(store: &Store) -> County {
    let mut tx = store.begin(&office()).await.unwrap();
    let region = tx
        .create_region(None, RegionLevel::County, None, "示例县")
        .await
        .unwrap();
    let chain = tx
        .create_chain_from_spec(region, Chain::lithium().spec())
        .await
        .unwrap();
    let mut firms = Vec::new();
    for name in ["甲矿业", "乙锂业", "丙锂盐", "丁电池"] {
        let d = EnterpriseForm {
            name: name.into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        firms.push(tx.create_enterprise(region, &d).await.unwrap());
    }
    tx.commit().await.unwrap();
    County { region, chain, firms }
}

async fn node_id(store: &Store, chain: i64, code: &str) -> i64 {
    store.chain(chain).await.unwrap().node_by_code(code).unwrap().id
}

async fn place(store: &Store, c: &County, code: &str, firm: i64, capacity: &str) {
    let node = node_id(store, c.chain, code).await;
    let p = PlacementForm {
        enterprise_id: firm.to_string(),
        capacity: capacity.into(),
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.place_enterprise(c.region, node, &p).await.unwrap();
    tx.commit().await.unwrap();
}

async fn the_map_shows_strong_weak_and_missing_nodes_and_ranks_the_gaps(store: &Store) {
    let c = county(store).await;
    // Three enterprises on 锂云母 (strong by count), two on 碳酸锂 (weak: fewer than three).
    for f in &c.firms[..3] {
        place(store, &c, "lepidolite", *f, "").await;
    }
    place(store, &c, "lithium_carbonate", c.firms[1], "5000").await;
    place(store, &c, "lithium_carbonate", c.firms[2], "").await;
    // A signed cell project makes 电芯 weak; a 线索 project on 正极 does not count.
    let cell = node_id(store, c.chain, "cell").await;
    let lfp = node_id(store, c.chain, "lfp_cathode").await;
    let mut tx = store.begin(&office()).await.unwrap();
    for (name, node, stage) in [("电芯项目", cell, "signed"), ("正极洽谈", lfp, "lead")] {
        let d = ProjectForm {
            name: name.into(),
            chain_node_id: node.to_string(),
            stage: stage.into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        tx.create_project(c.region, &d).await.unwrap();
    }
    tx.commit().await.unwrap();

    let map = store.chain_map(c.chain).await.unwrap();
    let status = |code: &str| map.node_by_code(code).unwrap().presence.status;
    assert_eq!(status("lepidolite"), NodeStatus::Strong);
    assert_eq!(status("lithium_carbonate"), NodeStatus::Weak);
    assert_eq!(status("cell"), NodeStatus::Weak);
    assert_eq!(status("lfp_cathode"), NodeStatus::Missing);
    assert_eq!(status("spodumene"), NodeStatus::Missing);
    let carbonate = map.node_by_code("lithium_carbonate").unwrap();
    assert_eq!(carbonate.enterprises.len(), 2);
    assert_eq!(carbonate.presence.reason.zh, "本地 2 家企业，未达到强链标准（3 家）");
    let cathode = map.node_by_code("lfp_cathode").unwrap();
    assert_eq!(cathode.projects.len(), 1);
    assert!(!cathode.projects[0].counted);

    // lepidolite → carbonate is covered; LFP cathode bridges carbonate and the cell project.
    assert_eq!(map.gaps.longest_covered_path, ["lepidolite", "lithium_carbonate"]);
    let first = &map.gaps.gaps[0];
    assert_eq!((first.node.as_str(), first.kind), ("lfp_cathode", GapKind::Bridge));
    assert!(first.reason.zh.starts_with("补链："), "{}", first.reason.zh);

    // The office makes the rule stricter: five enterprises for strong. 锂云母 drops to weak.
    let stored = store.chain(c.chain).await.unwrap();
    let rules = PresenceRulesForm {
        strong_min_enterprises: "5".into(),
        weak_min_enterprises: "1".into(),
        excluded_classes: "D".into(),
        projects_count_from: "signed".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.set_presence_rules(c.region, c.chain, stored.summary.version, Some(&rules))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let map = store.chain_map(c.chain).await.unwrap();
    assert_eq!(
        map.node_by_code("lepidolite").unwrap().presence.status,
        NodeStatus::Weak
    );
    assert!(map.stored.own_rules);
}

async fn a_cycle_that_is_not_the_recycling_loop_is_refused_and_nothing_changes(store: &Store) {
    let c = county(store).await;
    let before = store.chain(c.chain).await.unwrap();
    let audit_before = store.history("chain", c.chain).await.unwrap().len();
    let edge = EdgeForm {
        from: "cell".into(),
        to: "lithium_carbonate".into(),
        recycling: String::new(),
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let err = tx
        .edit_chain(c.region, c.chain, before.summary.version, &ChainEdit::AddEdge { edge })
        .await
        .unwrap_err();
    drop(tx);
    let StoreError::Invalid(e) = err else {
        panic!("expected a validation error, got {err:?}")
    };
    assert_eq!(e.0[0].field, "edges");
    let msg = e.0[0].rule.message(Lang::Zh);
    assert!(
        msg.contains("产业链出现环路") && msg.contains("只有声明为回收的连线可以成环"),
        "{msg}"
    );
    let after = store.chain(c.chain).await.unwrap();
    assert_eq!(after, before, "nothing was written");
    assert_eq!(store.history("chain", c.chain).await.unwrap().len(), audit_before);

    // Adding, renaming, linking and deleting a node, each audited, each a new version.
    let node = NodeForm {
        code: "sodium_cell".into(),
        name: "钠离子电池".into(),
        stage: "battery".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut v = before.summary.version;
    let edits = vec![
        ChainEdit::AddNode { node: node.clone() },
        ChainEdit::UpdateNode {
            code: "sodium_cell".into(),
            node: chainforce_domain::chain::NodeSpec {
                name: "钠电池电芯".into(),
                ..node.clone()
            },
        },
        ChainEdit::AddEdge {
            edge: EdgeForm {
                from: "sodium_cell".into(),
                to: "energy_storage".into(),
                recycling: String::new(),
            }
            .validate()
            .unwrap(),
        },
    ];
    for edit in &edits {
        let mut tx = store.begin(&office()).await.unwrap();
        tx.edit_chain(c.region, c.chain, v, edit).await.unwrap();
        tx.commit().await.unwrap();
        v += 1;
    }
    let after = store.chain(c.chain).await.unwrap();
    assert_eq!(after.summary.version, v);
    let sodium = after.node_by_code("sodium_cell").unwrap();
    assert_eq!(sodium.name, "钠电池电芯");
    assert!(after.edges.iter().any(|e| e.from_node_id == sodium.id));
    // An edit made on an old version is a conflict.
    let mut tx = store.begin(&office()).await.unwrap();
    let err = tx
        .edit_chain(
            c.region,
            c.chain,
            v - 1,
            &ChainEdit::DeleteNode {
                code: "sodium_cell".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    drop(tx);
    let mut tx = store.begin(&office()).await.unwrap();
    tx.edit_chain(
        c.region,
        c.chain,
        v,
        &ChainEdit::DeleteNode {
            code: "sodium_cell".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let after = store.chain(c.chain).await.unwrap();
    assert!(after.node_by_code("sodium_cell").is_none());
    assert_eq!(after.edges.len(), before.edges.len());
    assert_eq!(store.history("chain", c.chain).await.unwrap().len(), audit_before + 4);

    // A node a target sits on cannot be deleted.
    let cell = node_id(store, c.chain, "cell").await;
    let d = TargetForm {
        node_id: cell.to_string(),
        name: "某电池集团".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    tx.create_target(c.region, &d).await.unwrap();
    tx.commit().await.unwrap();
    let v = store.chain(c.chain).await.unwrap().summary.version;
    let mut tx = store.begin(&office()).await.unwrap();
    let err = tx
        .edit_chain(c.region, c.chain, v, &ChainEdit::DeleteNode { code: "cell".into() })
        .await
        .unwrap_err();
    let StoreError::Invalid(e) = err else { panic!("{err:?}") };
    assert!(e.0[0].rule.message(Lang::Zh).contains("招商目标"));
}

async fn a_target_collects_contacts_and_becomes_a_lead_project_once(store: &Store) {
    let c = county(store).await;
    let cathode = node_id(store, c.chain, "lfp_cathode").await;
    let d = TargetForm {
        node_id: cathode.to_string(),
        name: "湖南某正极材料股份有限公司".into(),
        headquarters: "湖南长沙".into(),
        contact_person: "王经理".into(),
        phone: "13800000000".into(),
        notes: "年产 5 万吨磷酸铁锂，有意在江西布局".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let target = tx.create_target(c.region, &d).await.unwrap();
    for (date, summary) in [
        ("2026-09-01", "电话联系，对方愿意来考察"),
        ("2026-10-12", "来县考察锂云母资源和园区"),
    ] {
        let k = ContactForm {
            contact_date: date.into(),
            channel: "电话".into(),
            summary: summary.into(),
        }
        .validate()
        .unwrap();
        tx.add_target_contact(c.region, target, &k).await.unwrap();
    }
    tx.commit().await.unwrap();
    let t = store.investment_target(target).await.unwrap();
    assert_eq!((t.contacts, t.last_contact.as_deref()), (2, Some("2026-10-12")));
    assert_eq!(t.node_code, "lfp_cathode");
    assert_eq!(
        store.target_contacts(target).await.unwrap()[1].summary,
        "来县考察锂云母资源和园区"
    );
    let listed = store
        .investment_targets(
            c.region,
            &TargetFilter {
                node_id: Some(cathode),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);

    // Turn it into a 线索 project.
    let project = ProjectForm {
        name: "年产5万吨磷酸铁锂正极材料项目".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = store.begin(&office()).await.unwrap();
    let pid = tx.convert_target(c.region, target, t.version, &project).await.unwrap();
    tx.commit().await.unwrap();
    let p = store.project(pid).await.unwrap();
    assert_eq!(p.draft.stage, Stage::Lead);
    assert_eq!(p.draft.chain_node_id, Some(cathode));
    let t = store.investment_target(target).await.unwrap();
    assert_eq!(t.draft.status, TargetStatus::Converted);
    assert_eq!(t.project_id, Some(pid));
    let leads = store
        .projects(
            c.region,
            &ProjectFilter {
                stage: Some(Stage::Lead),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(leads.iter().any(|l| l.id == pid));
    assert!(
        store
            .history("investment_target", target)
            .await
            .unwrap()
            .iter()
            .any(|h| h.action == "convert")
    );

    // Twice is refused, naming the project; nothing new is created.
    let mut tx = store.begin(&office()).await.unwrap();
    let err = tx
        .convert_target(c.region, target, t.version, &project)
        .await
        .unwrap_err();
    drop(tx);
    let StoreError::Invalid(e) = err else { panic!("{err:?}") };
    assert_eq!(e.0[0].field, "target");
    assert!(matches!(&e.0[0].rule, Rule::Other { zh, .. } if zh.contains("不能重复转换")));
    let after = store
        .projects(
            c.region,
            &ProjectFilter {
                stage: Some(Stage::Lead),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.len(), leads.len());
    // The map counts the target on its node.
    let map = store.chain_map(c.chain).await.unwrap();
    assert_eq!(map.node(cathode).unwrap().targets.len(), 1);
}

on_both_backends!(
    map_and_gaps,
    the_map_shows_strong_weak_and_missing_nodes_and_ranks_the_gaps
);
on_both_backends!(
    refused_cycle,
    a_cycle_that_is_not_the_recycling_loop_is_refused_and_nothing_changes
);
on_both_backends!(targets, a_target_collects_contacts_and_becomes_a_lead_project_once);
