//! Faults, with real server processes: a server killed with SIGKILL in the middle of a stream of writes.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::common::process::{Server, SharedDb};

/// kill -9 under write load: every mutation that got a success answer is in the database after a restart, with its
/// timeline event and its domain event (no report is half-written), and the restarted server serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_write_load_loses_no_answered_write() {
    let db = SharedDb::create().await;
    let mut server = Server::start(&db, &["--demo"], &[("LINLI_JOBS", "off")]).await;
    let resident = server.login("resident").await;
    let cats = server.gql(Some(&resident), "{ categories { id code } }", json!({})).await;
    let drain = cats.ok()["categories"].as_array().unwrap().iter().find(|c| c["code"] == "DRAIN").unwrap()["id"].clone();
    let answered: Arc<Mutex<Vec<String>>> = Arc::default();
    let url = format!("{}/graphql", server.base);
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (url, token, drain, answered) = (url.clone(), resident.clone(), drain.clone(), answered.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in 0.. {
                    let body = json!({
                        "query": "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
                        "variables": { "i": { "categoryId": drain, "description": format!("压力测试 {w}-{i}：下水道堵塞") } },
                    });
                    let Ok(resp) = http.post(&url).bearer_auth(&token).json(&body).send().await else { return };
                    let Ok(v) = resp.json::<Value>().await else { return };
                    if let Some(id) = v["data"]["submitReport"]["id"].as_str() {
                        answered.lock().unwrap().push(id.to_owned());
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    for w in writers {
        let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
    }
    let answered = answered.lock().unwrap().clone();
    assert!(answered.len() >= 8, "the load ran: {} answered", answered.len());

    // Nothing half-written: every report has its SUBMITTED event and its domain event.
    let conn = Database::connect(&db.url).await.unwrap();
    let one = |sql: &str| {
        let (conn, sql) = (&conn, sql.to_owned());
        async move {
            let row = conn.query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql)).await.unwrap().unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(one("SELECT COUNT(*) FROM report r WHERE NOT EXISTS (SELECT 1 FROM report_event e WHERE e.report_id = r.id AND e.kind = 'SUBMITTED')").await, 0);
    assert_eq!(one("SELECT COUNT(*) FROM report r WHERE NOT EXISTS (SELECT 1 FROM domain_event d WHERE d.subject_id = r.id AND d.kind = 'REPORT_SUBMITTED')").await, 0);
    conn.close().await.ok();

    // Every answered write is there, after a restart on the same database.
    let again = Server::start(&db, &[], &[("LINLI_JOBS", "off")]).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Report { id status timeline(first: 1) { nodes { kind } } } } }";
    for id in &answered {
        let r = again.gql(Some(&resident), q, json!({ "id": id })).await;
        let node = &r.ok()["node"];
        assert_eq!((node["id"].as_str(), node["status"].as_str()), (Some(id.as_str()), Some("SUBMITTED")), "{id}");
        assert_eq!(node["timeline"]["nodes"][0]["kind"], "SUBMITTED");
    }
}

/// PostgreSQL cutting every connection of the server (what a restart or a failover does to it) under load: the
/// requests caught in it answer UNAVAILABLE (never INTERNAL, never a hang), the server recovers by itself, and every
/// answered write is there. PostgreSQL only: SQLite has no connections to cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_database_connections_answer_unavailable_and_the_server_recovers() {
    if std::env::var("TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        return;
    }
    let db = SharedDb::create().await;
    let server = Server::start(&db, &["--demo"], &[("LINLI_JOBS", "off")]).await;
    let resident = server.login("resident").await;
    let cats = server.gql(Some(&resident), "{ categories { id code } }", json!({})).await;
    let drain = cats.ok()["categories"][0]["id"].clone();
    let name = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let admin = Database::connect(&db.url).await.unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let codes: Arc<Mutex<Vec<String>>> = Arc::default();
    let answered: Arc<Mutex<Vec<String>>> = Arc::default();
    let url = format!("{}/graphql", server.base);
    let load: Vec<_> = (0..6)
        .map(|w| {
            let (url, token, drain, stop, codes, answered) = (url.clone(), resident.clone(), drain.clone(), stop.clone(), codes.clone(), answered.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    i += 1;
                    let body = if i % 2 == 0 {
                        json!({ "query": "{ myReports(first: 5) { nodes { id } } }" })
                    } else {
                        json!({
                            "query": "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
                            "variables": { "i": { "categoryId": drain, "description": format!("断线测试 {w}-{i}：楼道漏水") } },
                        })
                    };
                    let v: Value = http.post(&url).bearer_auth(&token).json(&body).send().await.expect("answered, not hung").json().await.unwrap();
                    if let Some(id) = v["data"]["submitReport"]["id"].as_str() {
                        answered.lock().unwrap().push(id.to_owned());
                    }
                    if let Some(code) = v["errors"][0]["extensions"]["code"].as_str() {
                        codes.lock().unwrap().push(code.to_owned());
                    }
                }
            })
        })
        .collect();
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let sql = format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()");
        admin.execute_unprepared(&sql).await.ok();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let codes = codes.lock().unwrap().clone();
    assert!(!codes.is_empty(), "the cuts reached requests in flight (else this test tested nothing)");
    assert!(codes.iter().all(|c| c == "UNAVAILABLE"), "only UNAVAILABLE while the connections were cut: {codes:?}");
    // Recovered by itself: reads and writes work again.
    let r = server.gql(Some(&resident), "{ myReports(first: 100) { nodes { id } } }", json!({})).await;
    let listed: Vec<String> = r.ok()["myReports"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect();
    let q = "query($id: ID!) { node(id: $id) { id } }";
    for id in answered.lock().unwrap().iter() {
        assert_eq!(server.gql(Some(&resident), q, json!({ "id": id })).await.ok()["node"]["id"], id.as_str(), "answered write {id} is there");
    }
    assert!(!listed.is_empty());
    admin.close().await.ok();
}

/// A request abandoned while its transaction is beginning (a resident on 4G whose connection drops, a timeout) leaves
/// no connection inside a transaction: if one were returned to the pool so, whatever ran on it next would run in that
/// transaction, holding its row locks (every submission in a compound waited behind the KPI cell builder's for
/// minutes in the benchmark) and losing its writes if a later user of the connection rolled back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_abandoned_while_it_begins_leaves_no_connection_inside_it() {
    use sea_orm::Statement;
    let app = crate::common::TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    let db = app.state.db.clone();
    let backend = db.get_database_backend();
    if backend == sea_orm::DbBackend::Sqlite {
        // Not yet on SQLite: under this storm a write there can wait out the busy timeout ("database is locked"),
        // with or without the fix, and why is not found yet (sqlx's SQLite worker is sent each rollback at once).
        return;
    }
    db.execute_unprepared("CREATE TABLE leak_probe (n INTEGER NOT NULL)").await.unwrap();
    // Another pool's connection, which sees only what was committed.
    let watcher = api::db::connect(&app.state.config.database_url, 1).await.unwrap();
    let mut leaked = 0;
    for i in 0..600u64 {
        // Abandon BEGIN at every moment from before it is sent to after it is answered: polled a few times, with a
        // few microseconds between polls (a timer's millisecond is far longer than a BEGIN on a local socket),
        // then dropped, as a server drops the future of a request whose client hung up.
        let pooled = db.clone();
        let mut begin = std::pin::pin!(async move {
            let txn = api::db::begin_write(&pooled).await;
            drop(txn);
        });
        for _ in 0..(1 + i % 5) {
            if futures::poll!(begin.as_mut()).is_ready() {
                break;
            }
            let until = std::time::Instant::now() + Duration::from_micros(i * 13 % 200);
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
            tokio::task::yield_now().await;
        }
        // A statement outside any transaction is committed when it returns: the other pool sees its row at once.
        // One that ran inside a transaction left open is not seen.
        db.execute_unprepared(&format!("INSERT INTO leak_probe (n) VALUES ({i})")).await.unwrap_or_else(|e| panic!("iteration {i}: {e}"));
        // (All rows read, so that the watcher's statement ends and holds no read transaction.)
        let seen = watcher
            .query_all_raw(Statement::from_string(backend, format!("SELECT COUNT(*) AS c FROM leak_probe WHERE n = {i}")))
            .await
            .unwrap()[0]
            .try_get::<i64>("", "c")
            .unwrap();
        if seen != 1 {
            leaked += 1;
        }
    }
    assert_eq!(leaked, 0, "writes that ran inside a transaction someone abandoned, unseen by everyone else");
}
