//! The production edge: document limits, rate limits, batches, GraphQL over HTTP's media type, /metrics, /readyz.
use serde_json::{Value, json};

use crate::common::TestApp;

/// A client name of this test's own (the tests' limiter reads the address from `x-test-client`), so that parallel
/// tests never draw on one address's allowance.
fn client() -> String {
    format!("10.{}.{}.{}", rand_byte(), rand_byte(), rand_byte())
}

fn rand_byte() -> u8 {
    uuid::Uuid::new_v4().as_bytes()[0]
}

async fn post(app: &TestApp, body: Value, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = app.http.post(format!("{}/graphql", app.base)).json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    (status, headers, resp.json().await.unwrap())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body:#}"))
}

#[tokio::test]
async fn aliases_fields_and_batches_are_limited_with_codes_of_their_own() {
    let app = TestApp::demo().await;
    let t = app.login("resident").await;
    // Ten aliases of one field run; eleven are refused before anything runs.
    let aliases = |n: usize| format!("{{ {} }}", (0..n).map(|i| format!("a{i}: me {{ id }}")).collect::<Vec<_>>().join(" "));
    let r = app.gql(Some(&t), &aliases(10), json!({})).await;
    assert_eq!(r.ok()["a9"]["id"], r.data["a0"]["id"]);
    let r = app.gql(Some(&t), &aliases(11), json!({})).await;
    assert_eq!(r.code(), "TOO_MANY_ALIASES");
    assert_eq!(r.errors[0]["extensions"]["field"], "me");
    assert_eq!(r.errors[0]["extensions"]["limit"], 10);
    assert!(r.data.is_null());

    // 101 aliased logins do not log anyone in.
    let users = app.count("app_user").await;
    let logins: String = (0..101).map(|i| format!("l{i}: loginWithWechat(code: \"dev:alias{i}\") {{ accessToken }} ")).collect();
    let r = app.gql(None, &format!("mutation {{ {logins} }}"), json!({})).await;
    assert_eq!(r.code(), "TOO_MANY_ALIASES");
    assert_eq!(app.count("app_user").await, users, "nothing ran");

    // 500 copies of one field, and fields multiplied through fragments, are counted after expansion.
    let copies = "id ".repeat(500);
    let r = app.gql(Some(&t), &format!("{{ me {{ {copies} }} }}"), json!({})).await;
    assert_eq!(r.code(), "TOO_MANY_FIELDS");
    let mut frags = String::from("fragment F0 on User { id nickname }");
    for i in 1..10 {
        frags.push_str(&format!(" fragment F{i} on User {{ ...F{p} ...F{p} }}", p = i - 1));
    }
    let r = app.gql(Some(&t), &format!("{{ me {{ ...F9 }} }} {frags}"), json!({})).await;
    assert_eq!(r.code(), "TOO_MANY_FIELDS", "2^10 fields through nested spreads");

    // A batch of up to ten operations answers an array in order; eleven are refused as a whole.
    let one = json!({ "query": "{ me { id } }" });
    let (status, _, body) = post(&app, json!(vec![one.clone(); 10]), &[("authorization", &format!("Bearer {t}"))]).await;
    assert_eq!(status, 200);
    let answers = body.as_array().expect("an array of answers");
    assert_eq!(answers.len(), 10);
    assert!(answers.iter().all(|a| a["data"]["me"]["id"] == answers[0]["data"]["me"]["id"] && a["errors"].is_null()));
    let (_, _, body) = post(&app, json!(vec![one.clone(); 11]), &[("authorization", &format!("Bearer {t}"))]).await;
    assert_eq!(code(&body), "BATCH_TOO_LARGE");
    assert_eq!(body["errors"][0]["extensions"]["limit"], 10);
}

#[tokio::test]
async fn writes_are_rate_limited_per_user_each_aliased_mutation_counting_one() {
    let app = TestApp::demo_with(&[("LINLI_RATE_LIMITS", "write=6/3,login_addr=10000/10000")]).await;
    let me = client();
    let h = [("x-test-client", me.as_str())];
    let t = app.login("resident").await;
    // Three aliased writes take the whole burst of three at once.
    let r = app.gql_with(Some(&t), &marks(3), json!({}), &h).await;
    r.ok();
    // The fourth write is refused, with the seconds to wait (one every ten seconds at 6 a minute).
    let r = app.gql_with(Some(&t), &marks(1), json!({}), &h).await;
    assert_eq!(r.code(), "RATE_LIMITED");
    let wait = r.errors[0]["extensions"]["retryAfter"].as_u64().expect("retryAfter");
    assert!((1..=10).contains(&wait), "{wait}");
    // Reads are another allowance; another user has their own.
    app.gql_with(Some(&t), "{ me { id } }", json!({}), &h).await.ok();
    let other = app.login("head").await;
    app.gql_with(Some(&other), &marks(1), json!({}), &[("x-test-client", &client())]).await.ok();
    // Four at once from a fresh user are refused as a whole: none of them ran.
    let third = app.login("group-head").await;
    let r = app.gql_with(Some(&third), &marks(4), json!({}), &[("x-test-client", &client())]).await;
    assert_eq!(r.code(), "RATE_LIMITED");
    assert!(r.data.is_null());
}

/// A mutation of `n` aliased root fields that changes nothing the test depends on (marking every notification read).
fn marks(n: usize) -> String {
    format!("mutation {{ {} }}", (0..n).map(|i| format!("m{i}: markAllNotificationsRead")).collect::<Vec<_>>().join(" "))
}

#[tokio::test]
async fn logins_are_limited_per_address_and_refusals_change_nothing() {
    let app = TestApp::spawn_with(&[("LINLI_RATE_LIMITS", "login_addr=2/2")]).await;
    let me = client();
    let h = [("x-test-client", me.as_str())];
    let login = |i: usize| format!("mutation {{ loginWithWechat(code: \"dev:burst{i}\") {{ accessToken }} }}");
    for i in 0..2 {
        app.gql_with(None, &login(i), json!({}), &h).await.ok();
    }
    let users = app.count("app_user").await;
    let r = app.gql_with(None, &login(2), json!({}), &h).await;
    assert_eq!(r.code(), "RATE_LIMITED");
    assert_eq!(app.count("app_user").await, users, "the refused login created nobody");
    // Another address is not affected.
    app.gql_with(None, &login(3), json!({}), &[("x-test-client", &client())]).await.ok();
}

#[tokio::test]
async fn plain_routes_answer_429_with_retry_after() {
    let app = TestApp::demo_with(&[("LINLI_RATE_LIMITS", "export=1/1,login_addr=10000/10000")]).await;
    let t = app.login("admin").await;
    let me = client();
    let ids = crate::common::Demo::ids(&app).await;
    let url = format!("{}/export/reports.csv?scopeId={}&from=2026-01-01&to=2026-12-31", app.base, ids.community);
    let get = || app.http.get(&url).bearer_auth(&t).header("x-test-client", &me).send();
    let first = get().await.unwrap();
    assert_eq!(first.status(), 200, "{:?}", first.text().await);
    let second = get().await.unwrap();
    assert_eq!(second.status(), 429);
    let retry: u64 = second.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
    assert_eq!(body["error"]["retryAfter"], retry);
}

/// With Redis configured but unreachable the limiter limits in-process (documented in `service/ratelimit.rs`):
/// requests are still answered, and the limit still holds on this replica.
#[tokio::test]
async fn with_the_shared_cache_down_limits_hold_in_process() {
    let cache: std::sync::Arc<dyn api::cache::Cache> = std::sync::Arc::new(DownCache);
    let limits = api::service::ratelimit::Limits::parse("write=2/2").unwrap();
    let counters = api::metrics::Metrics::default();
    let l = api::service::ratelimit::Limiter::new(limits, cache, counters.rate_limited.clone());
    let who = api::service::ratelimit::Caller { user: Some(uuid::Uuid::new_v4()), addr: "10.0.0.1" };
    use api::service::ratelimit::Class::Write;
    assert!(l.take(Write, &who, 1).await.is_ok());
    assert!(l.take(Write, &who, 1).await.is_ok());
    let e = l.take(Write, &who, 1).await.unwrap_err();
    assert_eq!(e.code(), "RATE_LIMITED");
    assert!(counters.rate_limited.get(&["fallback"]) >= 3.0);
}

struct DownCache;

#[async_trait::async_trait]
impl api::cache::Cache for DownCache {
    async fn get(&self, _: &str) -> anyhow::Result<Option<String>> {
        anyhow::bail!("down")
    }
    async fn set(&self, _: &str, _: &str, _: std::time::Duration) -> anyhow::Result<()> {
        anyhow::bail!("down")
    }
    async fn del(&self, _: &str) -> anyhow::Result<()> {
        anyhow::bail!("down")
    }
    async fn incr(&self, _: &str) -> anyhow::Result<i64> {
        anyhow::bail!("down")
    }
    async fn del_if_eq(&self, _: &str, _: &str) -> anyhow::Result<bool> {
        anyhow::bail!("down")
    }
    async fn gcra(&self, _: &str, _: u64, _: u64) -> anyhow::Result<u64> {
        anyhow::bail!("down")
    }
    fn backend(&self) -> &'static str {
        "down"
    }
}

#[tokio::test]
async fn graphql_response_json_says_with_its_status_whether_the_request_ran() {
    let app = TestApp::demo().await;
    let t = app.login("resident").await;
    let accept = [("accept", "application/graphql-response+json, application/json;q=0.9")];
    // Ran: 200, even with a field error.
    let (status, headers, body) = post(&app, json!({ "query": "{ me { id } }" }), &[accept[0], ("authorization", &format!("Bearer {t}"))]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/graphql-response+json");
    assert!(body["data"]["me"]["id"].is_string());
    // Did not parse or validate: 400, no data.
    let (status, _, body) = post(&app, json!({ "query": "{ me { nope } }" }), &accept).await;
    assert_eq!(status, 400);
    assert!(body.get("data").is_none(), "no data entry when refused before execution: {body}");
    let (status, _, _) = post(&app, json!({ "query": "{ me { id " }), &accept).await;
    assert_eq!(status, 400);
    // The same request as plain JSON: 200 as always.
    let (status, headers, _) = post(&app, json!({ "query": "{ me { nope } }" }), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
}

#[tokio::test]
async fn metrics_count_operations_and_readyz_checks_dependencies() {
    let app = TestApp::demo().await;
    let t = app.login("resident").await;
    app.gql(Some(&t), "query MyHome { me { id } }", json!({})).await.ok();
    app.gql(Some(&t), "query MyHome { me { nope } }", json!({})).await;
    let text = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("linli_graphql_requests_total{operation=\"MyHome\"} 2"), "{text}");
    assert!(text.contains("linli_graphql_errors_total{operation=\"MyHome\",code=\"BAD_USER_INPUT\"} 1"), "{text}");
    assert!(text.contains("linli_graphql_duration_seconds_count{operation=\"MyHome\"} 2"));
    assert!(text.contains("linli_db_pool_connections{state=\"open\"}"));
    assert!(text.contains("# TYPE linli_event_consumer_lag gauge"));

    let resp = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!((body["ready"].as_bool(), body["database"].as_bool()), (Some(true), Some(true)));
    assert_eq!(body["migrations"]["pending"], 0);
    assert_eq!((body["cache"]["ok"].as_bool(), body["degraded"].as_bool()), (Some(true), Some(false)));
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let app = TestApp::spawn_with(&[("LINLI_METRICS_TOKEN", "scrape-secret")]).await;
    let url = format!("{}/metrics", app.base);
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(app.http.get(&url).bearer_auth("scrape-secret").send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn persisted_queries_by_hash_over_post_and_get() {
    let app = TestApp::demo().await;
    // A text of this run's own: the store is Redis in the PostgreSQL run, shared by every run and test.
    let q = format!("{{ categories {{ code nameZh }} }} # {}", uuid::Uuid::new_v4());
    let q = q.as_str();
    let hash = api::graphql::apq::hash_of(q);
    let pq = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    // Unknown hash: the protocol's first answer, with the message Apollo's clients look for.
    let (status, _, body) = post(&app, json!({ "extensions": pq }), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    // A wrong hash for the query is refused and not stored.
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": api::graphql::apq::hash_of("{ me { id } }") } });
    let (_, _, body) = post(&app, json!({ "query": q, "extensions": wrong }), &[]).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // Registered with the query once, then the hash alone is enough.
    let (_, _, body) = post(&app, json!({ "query": q, "extensions": pq }), &[]).await;
    let codes = body["data"]["categories"].as_array().unwrap_or_else(|| panic!("categories: {body}")).len();
    assert!(codes > 0);
    let (_, _, body) = post(&app, json!({ "extensions": pq }), &[]).await;
    assert_eq!(body["data"]["categories"].as_array().unwrap().len(), codes);
    // Over GET, anonymous: public and cacheable; with a token: not stored by anyone.
    let url = format!("{}/graphql", app.base);
    let ext = pq.to_string();
    let resp = app.http.get(&url).query(&[("extensions", ext.as_str())]).send().await.unwrap();
    assert_eq!(resp.headers()["cache-control"], "public, max-age=300");
    let t = app.login("resident").await;
    let resp = app.http.get(&url).query(&[("extensions", ext.as_str())]).bearer_auth(&t).send().await.unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["categories"].as_array().unwrap().len(), codes);
    // A mutation by hash runs over POST (and only POST).
    let m = format!("mutation {{ markAllNotificationsRead }} # {}", uuid::Uuid::new_v4());
    let m = m.as_str();
    let mpq = json!({ "persistedQuery": { "version": 1, "sha256Hash": api::graphql::apq::hash_of(m) } });
    let auth = format!("Bearer {t}");
    let (_, _, body) = post(&app, json!({ "query": m, "extensions": mpq }), &[("authorization", &auth)]).await;
    assert!(body["errors"].is_null(), "{body}");
    let (_, _, body) = post(&app, json!({ "extensions": mpq }), &[("authorization", &auth)]).await;
    assert!(body["errors"].is_null() && body["data"]["markAllNotificationsRead"].is_number(), "{body}");
    let resp = app.http.get(&url).query(&[("extensions", mpq.to_string().as_str())]).bearer_auth(&t).send().await.unwrap();
    assert_eq!(resp.status(), 405);
}

/// GraphiQL loads nothing from outside the server (on a network without a CDN it would otherwise never start).
#[tokio::test]
async fn graphiql_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.http.get(format!("{}/graphiql", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//unpkg"), "only local URLs: {html}");
    let mut srcs: Vec<&str> = html.split("src=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    srcs.extend(html.split("href=\"").skip(1).map(|s| s.split('"').next().unwrap()));
    assert_eq!(srcs.len(), 5, "{srcs:?}");
    for src in srcs {
        let r = app.http.get(format!("{}{src}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{src}");
        assert!(!r.bytes().await.unwrap().is_empty(), "{src}");
    }
    let missing = app.http.get(format!("{}/graphiql/assets/nope.js", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_request_id_comes_from_traceparent_or_the_client() {
    let app = TestApp::spawn().await;
    let url = format!("{}/healthz", app.base);
    let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let r = app.http.get(&url).header("traceparent", tp).send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    let r = app.http.get(&url).header("x-request-id", "mine-123").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "mine-123");
    // A malformed traceparent (all-zero trace id) gets a fresh id.
    let r = app.http.get(&url).header("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01").send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
}
