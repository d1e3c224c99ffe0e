//! The HTTP surface: schema kept in sync, health, limits, GET safety, error shape.
use serde_json::json;

use crate::common::TestApp;

#[test]
fn schema_graphql_is_up_to_date() {
    let current = api::graphql::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    if current != checked_in {
        if std::env::var("UPDATE_SCHEMA").is_ok() {
            std::fs::write(path, &current).unwrap();
        } else {
            panic!("schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test --test api schema` and commit it");
        }
    }
}

#[tokio::test]
async fn healthz_reports_the_backends() {
    let app = TestApp::spawn().await;
    let r: serde_json::Value = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["status"], "ok");
    let expected_db = if std::env::var("TEST_DATABASE_URL").is_ok() { "postgres" } else { "sqlite" };
    assert_eq!(r["database"], expected_db);
    let expected_cache = if std::env::var("TEST_REDIS_URL").is_ok() { "redis" } else { "memory" };
    assert_eq!(r["cache"], expected_cache);
}

#[tokio::test]
async fn oversized_bodies_and_non_json_are_refused_in_graphql_shape() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(70 * 1024);
    let resp = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": format!("{{ me {{ id }} }} # {big}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let resp = app.http.post(format!("{}/graphql", app.base)).body("{ me { id } }").send().await.unwrap();
    assert_eq!(resp.status(), 415);
}

#[tokio::test]
async fn get_serves_queries_but_not_mutations() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.base);
    let resp = app.http.get(&url).query(&[("query", "{ me { id } }")]).send().await.unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "the query ran");

    let resp = app
        .http
        .get(&url)
        .query(&[("query", "mutation { loginWithWechat(code: \"dev:sneaky\") { accessToken } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(app.count("app_user").await, 0);
}

#[tokio::test]
async fn deep_and_invalid_queries_get_codes() {
    let app = TestApp::demo().await;
    let t = app.login("admin").await;
    // Deep but cheap (every list `first: 1`), so that depth, not complexity, refuses it.
    let mut deep = String::from("id");
    for _ in 0..8 {
        deep = format!("district {{ streets(first: 1) {{ nodes {{ {deep} }} }} }}");
    }
    let deep = format!("{{ districts(first: 1) {{ nodes {{ streets(first: 1) {{ nodes {{ {deep} }} }} }} }} }}");
    let deep = deep.as_str();
    let r = app.gql(Some(&t), deep, json!({})).await;
    assert_eq!(r.code(), "QUERY_TOO_DEEP", "{:?}", r.errors);
    let r = app.gql(Some(&t), "{ nope }", json!({})).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let r = app.gql(Some(&t), "{ districts(first: \"ten\") { nodes { id } } }", json!({})).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = TestApp::spawn().await;
    let resp = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert!(resp.headers().get("x-request-id").is_some());
}

/// With room for one operation at a time, parallel requests wait their turn rather than fail: every one of them is
/// answered, reads and writes alike, and each submitted report is there once.
#[tokio::test]
async fn operations_over_the_in_flight_limit_wait_their_turn() {
    let app = TestApp::spawn_with(&[("LINLI_MAX_IN_FLIGHT", "1"), ("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state)
        .await
        .unwrap();
    let resident = app.login("resident").await;
    let drain = app.category_id(&resident, "DRAIN").await;
    let submit = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }";
    let calls = (0..24).map(|i| {
        let (app, resident, drain) = (&app, &resident, &drain);
        async move {
            if i % 2 == 0 {
                let input = json!({ "categoryId": drain, "description": format!("第{i}号：厨房下水道堵了") });
                app.gql(Some(resident), submit, json!({ "i": input })).await.ok()["submitReport"]["id"].as_str().map(str::to_owned)
            } else {
                app.gql(Some(resident), "{ myReports(first: 1) { nodes { id } } }", json!({})).await.ok();
                None
            }
        }
    });
    let ids: Vec<String> = futures::future::join_all(calls)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(ids.len(), 12);
    let listed = app
        .gql(
            Some(&resident),
            "{ myReports(first: 100) { nodes { id } } }",
            json!({}),
        )
        .await;
    let listed = listed.ok()["myReports"]["nodes"].as_array().unwrap().len();
    assert_eq!(listed, 12);
}
