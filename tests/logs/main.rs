//! No secret in the logs: the server runs a login, phone bindings, a rejected token, busy answers and refused
//! credentials under a subscriber that records every log line at TRACE level, and none of the secrets it handled
//! appear. A binary of its own, so its subscriber is the process-wide one and parallel tests cannot hide a line.
#![allow(dead_code)]
#[path = "../api/common/mod.rs"]
mod common;

use common::TestApp;
use serde_json::json;

const BIND: &str = "mutation($c: String!) { bindPhone(code: $c) { id phone } }";

/// Collects everything the process logs.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_token_session_key_or_phone_reaches_the_logs() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    // The only test of this binary: the subscriber is the process's, so no log line can slip past it.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let app = TestApp::spawn().await;
    // A real WeChat login (a session_key comes back), a phone binding (access token, secret), a token rejected
    // mid-flight (40001, refresh), busy answers, a content check, and failures of each.
    let code = app.wechat.code_for("o-log-test");
    let login = app
        .gql(None, "mutation($c: String!) { loginWithWechat(code: $c) { accessToken refreshToken } }", json!({ "c": code }))
        .await;
    let access = login.ok()["loginWithWechat"]["accessToken"].as_str().unwrap().to_owned();
    let refresh = login.ok()["loginWithWechat"]["refreshToken"].as_str().unwrap().to_owned();
    app.gql(Some(&access), BIND, json!({ "c": app.wechat.phone_code_for("13580006666") })).await.ok();
    app.wechat.rotate_token();
    app.wechat.fail_next_on("getuserphonenumber", &[-1]);
    app.gql(Some(&access), BIND, json!({ "c": app.wechat.phone_code_for("13580006666") })).await.ok();
    app.gql(Some(&access), BIND, json!({ "c": "used-or-invalid" })).await;
    let bad = TestApp::spawn_with(&[("WECHAT_SECRET", "wrong-secret-value")]).await;
    let t = bad.login("resident").await;
    bad.gql(Some(&t), BIND, json!({ "c": bad.wechat.phone_code_for("13500001111") })).await;

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("fetched a WeChat access token"), "the logs were captured");
    let mut secrets = vec![
        "test-secret".to_owned(),
        "wrong-secret-value".to_owned(),
        common::fake_wechat::SESSION_KEY.to_owned(),
        access.clone(),
        refresh,
        "13580006666".to_owned(),
    ];
    secrets.extend(app.wechat.issued_tokens());
    assert!(app.wechat.issued_tokens().len() >= 2);
    for s in secrets {
        assert!(!text.contains(&s), "logged: {s}");
    }
}
