//! The scale generator: deterministic, of the real shape, and consistent with the API's own rules.
use serde_json::json;

use crate::common::TestApp;

fn opts(seed: u64) -> linli_tools::seed::SeedOptions {
    linli_tools::seed::SeedOptions {
        scale: 0.003,
        seed,
        fresh_reports: 3_000,
        now: "2026-11-26T00:00:00Z".parse().unwrap(),
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_district_and_the_api_reads_it() {
    let a = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    let b = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    let ma = linli_tools::seed::seed(&a.state.db, &opts(7)).await.unwrap();
    let mb = linli_tools::seed::seed(&b.state.db, &opts(7)).await.unwrap();
    assert_eq!(ma.reports, mb.reports, "deterministic from the seed");
    assert_eq!(ma.counts, mb.counts);
    assert_eq!(ma.counts["report"], 3_000 + 9, "0.3% of a million reports plus the fresh ones");
    assert_eq!(ma.counts["neighbourhood"], 41);
    assert!(ma.counts["report_event"] > ma.counts["report"] * 2, "timelines, not just reports");
    assert!(linli_tools::seed::seed(&a.state.db, &opts(7)).await.is_err(), "refuses a database that has data");

    // Every generated report is one the API can serve, as its reporter and its head see it.
    let dir = std::env::temp_dir().join(format!("linli-seed-{}", uuid::Uuid::now_v7().simple()));
    linli_tools::tokens::write_bench_inputs(&a.state.config, &ma, &dir).unwrap();
    let line = std::fs::read_to_string(dir.join("reports.tsv")).unwrap();
    let (token, id) = line.lines().next().unwrap().split_once('\t').unwrap();
    let r = a.gql(Some(token), "query($id: ID!) { report(id: $id) { status timeline { nodes { kind } } } }", json!({ "id": id })).await;
    assert!(!r.ok()["report"]["timeline"]["nodes"].as_array().unwrap().is_empty());
    let line = std::fs::read_to_string(dir.join("acknowledge.tsv")).unwrap();
    let (token, id) = line.lines().next().unwrap().split_once('\t').unwrap();
    let r = a.gql(Some(token), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(r.ok()["acknowledgeReport"]["status"], "ACKNOWLEDGED", "fresh reports are acknowledged by their head");
    let _ = std::fs::remove_dir_all(dir);

    // Milestones agree with statuses.
    use sea_orm::{ConnectionTrait, Statement};
    let db = &a.state.db;
    let bad = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM report WHERE (status = 'CLOSED' AND closed_at IS NULL)
               OR (status = 'RESOLVED' AND resolved_at IS NULL) OR (status <> 'SUBMITTED' AND version < 2)
               OR last_event_id IS NULL",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(bad, 0);
}
