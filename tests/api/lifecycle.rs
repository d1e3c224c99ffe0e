//! The process itself: a graceful stop on SIGTERM, and the commands production mode refuses.
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::process::{Server, SharedDb, run_cli};

/// SIGTERM while requests are in flight (queued one at a time behind `LINLI_MAX_IN_FLIGHT=1`, so many are
/// still waiting when the signal comes): every one of them gets its answer, nothing is cut off, the jobs stop,
/// and the process exits 0 well within the grace period.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish_and_exits_cleanly() {
    let db = SharedDb::create().await;
    let mut server = Server::start(
        &db,
        &["--demo"],
        &[("LINLI_MAX_IN_FLIGHT", "1"), ("LINLI_SHUTDOWN_GRACE_SECS", "20"), ("LINLI_JOB_INTERVAL_MS", "50")],
    )
    .await;
    let resident = server.login("resident").await;
    let cat = server.gql(Some(&resident), "{ categories { id code } }", json!({})).await;
    let cat = cat.ok()["categories"][0]["id"].as_str().unwrap().to_owned();
    let q = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id status } }";
    let requests: Vec<_> = (0..40)
        .map(|i| {
            // A client of its own per request: each is a connection of its own, as 40 phones would be.
            let (http, base, token, cat) = (reqwest::Client::new(), server.base.clone(), resident.clone(), cat.clone());
            tokio::spawn(async move {
                let body = json!({ "query": q, "variables": { "i": { "categoryId": cat, "description": format!("下班前的第{i}份报告") } } });
                let r = http.post(format!("{base}/graphql")).bearer_auth(&token).json(&body).send().await?;
                let status = r.status().as_u16();
                let v: serde_json::Value = r.json().await?;
                Ok::<_, reqwest::Error>((status, v))
            })
        })
        .collect();
    // Let them all reach the server (connected and waiting their turn), then ask it to stop.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let signalled = Instant::now();
    server.terminate();
    for r in requests {
        let (status, v) = r.await.unwrap().expect("no request is cut off: every client gets its answer");
        assert_eq!(status, 200);
        assert_eq!(v["data"]["submitReport"]["status"], "SUBMITTED", "{v}");
    }
    let code = server.exit_code(Duration::from_secs(15)).await;
    assert_eq!(code, Some(0), "exits 0 once drained");
    assert!(signalled.elapsed() < Duration::from_secs(15));
    // Once stopped, it takes no new work.
    assert!(reqwest::Client::new().get(format!("{}/healthz", server.base)).send().await.is_err());
}

/// The production binary mints no tokens, seeds nothing and drops nothing: each such command is refused in
/// production mode with a message that says so, before it touches the database.
#[test]
fn production_mode_refuses_every_tool_that_mints_seeds_or_drops() {
    let dir = std::env::temp_dir().join(format!("linli-prod-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("prod.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let out = dir.join("bench-out");
    let out_s = out.display().to_string();
    let env = [
        ("LINLI_MODE", "production"),
        ("LINLI_JWT_SECRET", "0123456789abcdef0123456789abcdef-production"),
        ("WECHAT_APPID", "wx-production"),
        ("WECHAT_SECRET", "production-secret"),
        ("DATABASE_URL", url.as_str()),
        ("LINLI_LISTEN", "127.0.0.1:0"),
    ];
    let commands: [&[&str]; 6] = [
        &["seed-scale", "--scale", "0.001", "--out", &out_s],
        &["bench-tokens", "--out", &out_s],
        &["bench-ceiling", "--scenario", "my_reports", "--out", &out_s],
        &["migrate", "fresh"],
        &["migrate", "down"],
        &["serve", "--demo"],
    ];
    for args in commands {
        let (code, stderr) = run_cli(args, &env);
        assert_ne!(code, Some(0), "{args:?} ran in production mode");
        assert!(stderr.contains("refused in production mode"), "{args:?}: {stderr}");
        assert!(!file.exists(), "{args:?} touched the database");
        assert!(!out.exists(), "{args:?} wrote files");
    }
    // The same commands are tools of dev mode (one is enough to show it).
    let dev: Vec<(&str, &str)> = env.iter().copied().filter(|(k, _)| *k != "LINLI_MODE").collect();
    let (code, stderr) = run_cli(&["migrate", "fresh"], &dev);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(file.exists());
    let _ = std::fs::remove_dir_all(dir);
}
