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
