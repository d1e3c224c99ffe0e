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
    let deep = "{ districts { nodes { streets { nodes { district { streets { nodes { district { streets { nodes { district { streets { nodes { id } } } } } } } } } } } } } }";
    let r = app.gql(Some(&t), deep, json!({})).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
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
