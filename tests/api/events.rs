//! The durable event log: every change lands in it once, numbered in an order readers can follow without ever
//! missing an entry; consumers outside the transaction resume from their cursor after a crash; caches on every
//! replica follow it.
use std::collections::HashSet;
use std::time::{Duration, Instant};

use api::service::events::log;
use serde_json::json;

use crate::common::process::{Server, SharedDb};
use crate::common::{Demo, TestApp};

const RENAME: &str = "mutation($id: ID!, $n: String!) { renameUnit(id: $id, name: $n) { id } }";

/// Eight writers make 500 changes each while a reader follows the log from its cursor: the reader sees every
/// entry exactly once, in sequence order, and the numbers have no gaps (on PostgreSQL too, where the writers'
/// transactions commit in any order).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writers_and_a_reader_following_the_cursor_see_every_event_once_in_order() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let admin = app.login("admin").await;
    let ids = Demo::ids(&app).await;
    // Eight buildings of their own to rename, one per writer.
    let mut buildings = Vec::new();
    for w in 0..8 {
        let r = app
            .gql(
                Some(&admin),
                "mutation($c: ID!, $n: String!) { createBuilding(compoundId: $c, name: $n, unitCount: 1) { id } }",
                json!({ "c": ids.compound, "n": format!("写入楼{w}") }),
            )
            .await;
        buildings.push(r.ok()["createBuilding"]["id"].as_str().unwrap().to_owned());
    }
    // Everything so far numbered (the setup's own events), so that the reader starts after them.
    let before = settled(&app).await;
    const PER_WRITER: usize = 500;
    let writers: Vec<_> = buildings
        .into_iter()
        .enumerate()
        .map(|(w, b)| {
            let (http, base, admin) = (app.http.clone(), app.base.clone(), admin.clone());
            tokio::spawn(async move {
                for i in 0..PER_WRITER {
                    let body = json!({ "query": RENAME, "variables": { "id": b, "n": format!("写入楼{w}-{i}") } });
                    let r: serde_json::Value =
                        http.post(format!("{base}/graphql")).bearer_auth(&admin).json(&body).send().await.unwrap().json().await.unwrap();
                    assert_eq!(r["data"]["renameUnit"]["id"], b.as_str(), "{r}");
                }
            })
        })
        .collect();
    let total = 8 * PER_WRITER;
    let reader = {
        let db = app.state.db.clone();
        tokio::spawn(async move {
            let (mut cursor, mut seen) = (before, Vec::new());
            let deadline = Instant::now() + Duration::from_secs(240);
            while seen.len() < total {
                assert!(Instant::now() < deadline, "the reader saw {} of {total}", seen.len());
                let batch = log::read_after(&db, cursor, 97).await.unwrap();
                if batch.is_empty() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                for e in batch {
                    let seq = e.seq.unwrap();
                    assert_eq!(seq, cursor + 1, "numbers follow each other without a gap or a repeat");
                    cursor = seq;
                    seen.push(e.id);
                }
            }
            (cursor, seen)
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    let (last, seen) = reader.await.unwrap();
    assert_eq!(seen.len(), total);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), total, "each entry once");
    assert_eq!(last, before + total as i64);
    // Nothing more arrives later below the reader's cursor, and nothing is left unnumbered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(log::newest(&app.state.db).await.unwrap(), last);
    assert!(log::read_after(&app.state.db, last, 10).await.unwrap().is_empty());
}

/// The newest number once every entry written so far has one.
async fn settled(app: &TestApp) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let newest = log::newest(&app.state.db).await.unwrap();
        if newest == app.count("domain_event").await {
            return newest;
        }
        assert!(Instant::now() < deadline, "entries left unnumbered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The log says what changed and who did it, not what anybody wrote or who they are: no description, comment, name
/// or phone is copied into it.
#[tokio::test]
async fn the_log_records_changes_without_texts_or_names() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let head = app.login("head").await;
    let id = app.submit_drain_report(&resident, "厨房下水道堵了，水排不下去，独一无二的描述").await;
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id, note: \"明早九点上门\") { id } }", json!({ "id": id }))
        .await
        .ok();
    app.gql(Some(&resident), "mutation($id: ID!) { addComment(id: $id, body: \"谢谢邻长，独一无二的留言\") { id } }", json!({ "id": id }))
        .await
        .ok();
    // Wait for the sequencer.
    let deadline = Instant::now() + Duration::from_secs(10);
    let entries = loop {
        let e = log::read_after(&app.state.db, 0, 100).await.unwrap();
        if e.len() >= 3 || Instant::now() > deadline {
            break e;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let kinds: Vec<String> = entries.iter().map(|e| sea_orm::ActiveEnum::to_value(&e.kind)).collect();
    assert_eq!(kinds, ["REPORT_SUBMITTED", "REPORT_ACTED", "COMMENT_ADDED"]);
    let report = api::ids::decode(&id, api::ids::Kind::Report, "id").unwrap();
    assert!(entries.iter().all(|e| e.subject_id == report));
    let acted: serde_json::Value = serde_json::from_str(&entries[1].payload).unwrap();
    assert_eq!((acted["kind"].as_str(), acted["from"].as_str(), acted["to"].as_str()), (Some("ACKNOWLEDGED"), Some("SUBMITTED"), Some("ACKNOWLEDGED")));
    for e in &entries {
        for secret in ["独一无二", "明早九点", "陈阿姨", "张邻长"] {
            assert!(!e.payload.contains(secret), "{secret} in {}", e.payload);
        }
    }
}

/// A server killed with SIGKILL while writes are coming in, between commits and the export consumer's run: the
/// next server numbers what the dead one left and the export resumes from its cursor, so the exported file holds
/// every event of the database exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_event_for_the_consumer_that_follows_the_log() {
    let db = SharedDb::create().await;
    let dir = std::env::temp_dir().join(format!("linli-export-{}", uuid::Uuid::now_v7().simple()));
    let export = dir.join("events.jsonl");
    let export_s = export.display().to_string();
    let env = [("LINLI_EVENT_EXPORT", export_s.as_str()), ("LINLI_JOBS", "off")];
    let lines = || -> Vec<i64> {
        std::fs::read_to_string(&export)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"].as_i64().unwrap())
            .collect()
    };
    let mut args: &[&str] = &["--demo"];
    let mut window_seen = false;
    for round in 0..5 {
        let mut server = Server::start(&db, args, &env).await;
        args = &[];
        let resident = server.login("resident").await;
        let cat = server.gql(Some(&resident), "{ categories { id code } }", json!({})).await;
        let cat = cat.ok()["categories"][0]["id"].as_str().unwrap().to_owned();
        // Writers submitting as fast as they can; the kill lands in the middle of them.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (http, base, token, cat, stop) = (reqwest::Client::new(), server.base.clone(), resident.clone(), cat.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut i = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let q = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }";
                        let body = json!({ "query": q, "variables": { "i": { "categoryId": cat, "description": format!("第{round}轮写入{w}-{i}号") } } });
                        // A request cut off by the kill is fine: whether it committed or not, the log decides.
                        let _ = http.post(format!("{base}/graphql")).bearer_auth(&token).json(&body).send().await;
                        i += 1;
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + 150 * round)).await;
        server.kill();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for w in writers {
            w.await.unwrap();
        }
        let in_db = count(&db).await;
        let exported = lines().len() as i64;
        assert!(exported <= in_db);
        if exported < in_db {
            window_seen = true;
            break;
        }
    }
    assert!(window_seen, "the kill never landed between a commit and its export");
    // The next server: the dead one's last entries are numbered, and the export catches up from its cursor (once
    // the dead server's lease on it has run out).
    let server = Server::start(&db, &[], &env).await;
    let in_db = count(&db).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while (lines().len() as i64) < in_db {
        assert!(Instant::now() < deadline, "exported {} of {in_db}", lines().len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seqs = lines();
    assert_eq!(seqs, (1..=in_db).collect::<Vec<_>>(), "every event once, in order");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// How many events the database holds (numbered or not).
async fn count(db: &SharedDb) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    let n = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), "SELECT COUNT(*) AS n FROM domain_event"))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    conn.close().await.ok();
    n
}

/// Two server processes over one database (and one Redis when the suite has one): a compound renamed through one
/// shows its new name through the other, without waiting for any cache to expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_compound_shows_its_new_name_on_every_replica() {
    let db = SharedDb::create().await;
    let a = Server::start(&db, &["--demo"], &[("LINLI_JOBS", "off")]).await;
    let b = Server::start(&db, &[], &[("LINLI_JOBS", "off")]).await;
    let admin = a.login("admin").await;
    let head = b.login("head").await;
    let resident = b.login("resident").await;
    let cat = b.gql(Some(&resident), "{ categories { id code } }", json!({})).await;
    let cat = cat.ok()["categories"][0]["id"].as_str().unwrap().to_owned();
    let r = b
        .gql(Some(&resident), "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id compound { id name } } }", json!({ "i": { "categoryId": cat, "description": "楼道灯坏了，晚上很黑" } }))
        .await;
    let compound = r.ok()["submitReport"]["compound"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.ok()["submitReport"]["compound"]["name"], "幸福家园");
    // Both replicas have the compound cached now.
    assert_eq!(name_on(&a, &head).await, "幸福家园");
    assert_eq!(name_on(&b, &head).await, "幸福家园");

    let r = a.gql(Some(&admin), RENAME, json!({ "id": compound, "n": "幸福家园（一期）" })).await;
    assert_eq!(r.ok()["renameUnit"]["id"], compound.as_str());
    assert_eq!(name_on(&a, &head).await, "幸福家园（一期）", "at once on the replica that renamed");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = name_on(&b, &head).await;
        if now == "幸福家园（一期）" {
            break;
        }
        assert!(Instant::now() < deadline, "the other replica still shows {now}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The compound name on the first report of `head`'s inbox, as `s` serves it.
async fn name_on(s: &Server, head: &str) -> String {
    let q = "{ taskInbox(first: 5) { nodes { compound { name } } } }";
    s.gql(Some(head), q, json!({})).await.ok()["taskInbox"]["nodes"][0]["compound"]["name"].as_str().unwrap().to_owned()
}
