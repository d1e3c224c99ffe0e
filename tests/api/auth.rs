//! Logging in with WeChat, access tokens, refresh rotation and theft detection, production mode.
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::common::{DEV_SECRET, TestApp, fake_wechat::SESSION_KEY};

const LOGIN: &str = "mutation($c: String!) { loginWithWechat(code: $c) { accessToken refreshToken expiresIn user { id nickname } } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }";
const ME: &str = "{ me { id nickname } }";

#[tokio::test]
async fn wechat_login_creates_the_user_once_and_never_returns_the_session_key() {
    let app = TestApp::spawn().await;
    let code = app.wechat.code_for("oAlice");
    let r = app.gql(None, LOGIN, json!({ "c": code })).await;
    let first = r.ok()["loginWithWechat"].clone();
    assert_eq!(first["expiresIn"], 900);
    assert!(!serde_json::to_string(&r.data).unwrap().contains(SESSION_KEY));

    let again = app.gql(None, LOGIN, json!({ "c": app.wechat.code_for("oAlice") })).await;
    assert_eq!(again.ok()["loginWithWechat"]["user"]["id"], first["user"]["id"], "same openid, same user");
    assert_eq!(app.count("app_user").await, 1);

    let me = app.gql(Some(first["accessToken"].as_str().unwrap()), ME, json!({})).await;
    assert_eq!(me.ok()["me"]["id"], first["user"]["id"]);
}

#[tokio::test]
async fn wechat_errors_map_to_clear_codes_and_write_nothing() {
    let app = TestApp::spawn().await;

    let r = app.gql(None, LOGIN, json!({ "c": "0never-issued" })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("code")), "40029 invalid code");

    let code = app.wechat.code_for("oBob");
    app.gql(None, LOGIN, json!({ "c": code })).await.ok();
    let users = app.count("app_user").await;
    let r = app.gql(None, LOGIN, json!({ "c": code })).await;
    assert_eq!(r.code(), "BAD_USER_INPUT", "40163 code already used");

    app.wechat.fail_next(&[45011]);
    let r = app.gql(None, LOGIN, json!({ "c": app.wechat.code_for("oCarol") })).await;
    assert_eq!(r.code(), "RATE_LIMITED");

    app.wechat.fail_next(&[40226]);
    let r = app.gql(None, LOGIN, json!({ "c": app.wechat.code_for("oCarol") })).await;
    assert_eq!(r.code(), "FORBIDDEN", "40226 blocked high-risk user");

    app.wechat.fail_next(&[-1, -1, -1]);
    let r = app.gql(None, LOGIN, json!({ "c": app.wechat.code_for("oCarol") })).await;
    assert_eq!(r.code(), "UNAVAILABLE", "-1 retried, then given up");
    assert_eq!(app.count("app_user").await, users, "no failed login created a user");
}

#[tokio::test]
async fn busy_wechat_is_retried_until_it_answers() {
    let app = TestApp::spawn().await;
    app.wechat.fail_next(&[-1, -1]);
    let before = app.wechat.calls();
    let r = app.gql(None, LOGIN, json!({ "c": app.wechat.code_for("oDave") })).await;
    r.ok();
    assert_eq!(app.wechat.calls() - before, 3, "two busy answers, then success");
}

#[tokio::test]
async fn wrong_app_secret_is_unavailable_not_a_user_error() {
    let app = TestApp::spawn_with(&[("WECHAT_SECRET", "not-the-secret")]).await;
    let r = app.gql(None, LOGIN, json!({ "c": app.wechat.code_for("oErin") })).await;
    assert_eq!(r.code(), "UNAVAILABLE");
}

fn forge(alg: Algorithm, secret: &str, claims: Value) -> String {
    jsonwebtoken::encode(&Header::new(alg), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

fn claims(sub: &str, exp_offset: i64, aud: &str, iss: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    let uuid = uuid::Uuid::parse_str(sub.trim_start_matches("usr_")).unwrap();
    json!({ "iss": iss, "aud": aud, "sub": uuid, "iat": now, "exp": now + exp_offset, "sid": uuid::Uuid::now_v7() })
}

#[tokio::test]
async fn bad_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let (token, _, user) = app.session("someone").await;
    assert!(app.gql(Some(&token), ME, json!({})).await.errors.is_empty());

    // A token we signed ourselves with the right key is accepted: the forgeries below differ in one thing each.
    let good = forge(Algorithm::HS256, DEV_SECRET, claims(&user, 60, "linli-miniprogram", "linli"));
    assert!(app.gql(Some(&good), ME, json!({})).await.errors.is_empty());

    let cases = [
        ("expired", forge(Algorithm::HS256, DEV_SECRET, claims(&user, -120, "linli-miniprogram", "linli"))),
        ("wrong audience", forge(Algorithm::HS256, DEV_SECRET, claims(&user, 60, "other-app", "linli"))),
        ("wrong issuer", forge(Algorithm::HS256, DEV_SECRET, claims(&user, 60, "linli-miniprogram", "evil"))),
        ("wrong algorithm", forge(Algorithm::HS512, DEV_SECRET, claims(&user, 60, "linli-miniprogram", "linli"))),
        ("wrong key", forge(Algorithm::HS256, "another-secret-another-secret-123", claims(&user, 60, "linli-miniprogram", "linli"))),
        ("tampered", {
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            let other = forge(Algorithm::HS256, "x", claims(&user, 9999, "linli-miniprogram", "linli"));
            parts[1] = other.split('.').nth(1).unwrap().to_owned();
            parts.join(".")
        }),
        ("alg none", {
            use base64::Engine;
            let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims(&user, 60, "linli-miniprogram", "linli")))
        }),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (what, t) in cases {
        let r = app.gql(Some(&t), ME, json!({})).await;
        assert_eq!(r.code(), "UNAUTHENTICATED", "{what}");
        assert!(r.data.is_null() || r.data["me"].is_null(), "{what}");
    }
    let r = app.gql(None, ME, json!({})).await;
    assert_eq!(r.code(), "UNAUTHENTICATED", "no token");
}

#[tokio::test]
async fn refresh_rotates_and_a_late_replay_signs_the_family_out() {
    let app = TestApp::spawn_with(&[("LINLI_REFRESH_GRACE_SECS", "1")]).await;
    let (_, r0, _) = app.session("rotator").await;

    let a = app.gql(None, REFRESH, json!({ "t": r0 })).await;
    let r1 = a.ok()["refreshToken"]["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(r1, r0);
    let access = a.data["refreshToken"]["accessToken"].as_str().unwrap().to_owned();
    assert!(app.gql(Some(&access), ME, json!({})).await.errors.is_empty());

    // A retry after a lost response (within the grace window) still works.
    let retry = app.gql(None, REFRESH, json!({ "t": r0 })).await;
    retry.ok();

    // After the grace window the same replay is theft: the whole family is revoked, r1 included.
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let theft = app.gql(None, REFRESH, json!({ "t": r0 })).await;
    assert_eq!(theft.code(), "UNAUTHENTICATED");
    let after = app.gql(None, REFRESH, json!({ "t": r1 })).await;
    assert_eq!(after.code(), "UNAUTHENTICATED", "the thief's and the owner's tokens are both dead");

    // Another login of the same user is a different family and unaffected.
    let (_, other, _) = app.session("rotator").await;
    app.gql(None, REFRESH, json!({ "t": other })).await.ok();
}

#[tokio::test]
async fn parallel_refreshes_of_one_token_within_grace_all_get_working_tokens() {
    let app = TestApp::spawn().await;
    let (_, r0, _) = app.session("flaky-4g").await;
    let calls = (0..8).map(|_| app.gql(None, REFRESH, json!({ "t": r0.clone() })));
    let results = futures::future::join_all(calls).await;
    let mut fresh = std::collections::HashSet::new();
    for r in &results {
        fresh.insert(r.ok()["refreshToken"]["refreshToken"].as_str().unwrap().to_owned());
    }
    assert_eq!(fresh.len(), 8, "each retry gets its own new refresh token");
}

#[tokio::test]
async fn refresh_rejects_unknown_tokens_and_logout_ends_the_login() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, REFRESH, json!({ "t": "made-up" })).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");

    let (_, r0, _) = app.session("leaver").await;
    let out = app.gql(None, "mutation($t: String!) { logout(refreshToken: $t) }", json!({ "t": r0 })).await;
    assert_eq!(out.ok()["logout"], true);
    let r = app.gql(None, REFRESH, json!({ "t": r0 })).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn production_mode_refuses_dev_login_graphiql_and_introspection() {
    let app = TestApp::spawn_with(&[
        ("LINLI_MODE", "production"),
        ("LINLI_JWT_SECRET", "a-real-production-secret-of-enough-length"),
    ])
    .await;
    let r = app.gql(None, LOGIN, json!({ "c": "dev:admin" })).await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(app.count("app_user").await, 0);

    let page = app.http.get(format!("{}/graphiql", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 404);

    let r = app.gql(None, "{ __schema { types { name } } }", json!({})).await;
    assert!(r.data["__schema"].is_null(), "introspection is off: {:?}", r.data);

    // Real WeChat logins still work.
    app.gql(None, LOGIN, json!({ "c": app.wechat.code_for("oProd") })).await.ok();
}

#[test]
fn production_refuses_to_start_with_dev_defaults() {
    let env = [("LINLI_MODE", "production")];
    let err = api::config::Config::from_lookup(|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("LINLI_JWT_SECRET") && err.contains("WECHAT_SECRET"), "{err}");
}

#[tokio::test]
async fn messages_are_chinese_by_default_and_english_on_request() {
    let app = TestApp::spawn().await;
    let zh = app.gql(None, ME, json!({})).await;
    assert_eq!(zh.message(), "请先登录");
    let en = app.gql_with(None, ME, json!({}), &[("accept-language", "en-US,en;q=0.9")]).await;
    assert_eq!(en.message(), "Please log in first");
    assert!(en.errors[0]["extensions"].get("messageEn").is_none(), "the internal key is not sent");
}
