//! The WeChat server API through the local fake: phone binding, the shared access token (one fetch for many
//! parallel calls, one refresh after a 40001), retries on -1, and the phone's masking.
use std::time::Duration;

use serde_json::json;

use crate::common::{Gql, TestApp};

const BIND: &str = "mutation($c: String!) { bindPhone(code: $c) { id phone } }";
const ME: &str = "{ me { phone } }";

#[tokio::test]
async fn a_resident_binds_their_phone_and_a_code_works_once() {
    let app = TestApp::spawn().await;
    let t = app.login("resident").await;
    let code = app.wechat.phone_code_for("13580006666");
    let r = app.gql(Some(&t), BIND, json!({ "c": code })).await;
    assert_eq!(r.ok()["bindPhone"]["phone"], "13580006666");
    assert_eq!(app.gql(Some(&t), ME, json!({})).await.ok()["me"]["phone"], "13580006666");

    // The same code again: WeChat calls it invalid; the stored phone stays.
    let again = app.gql(Some(&t), BIND, json!({ "c": code })).await;
    assert_eq!((again.code(), again.field()), ("BAD_USER_INPUT", Some("code")));
    // A made-up code, and garbage that never reaches WeChat.
    let calls = app.wechat.calls_of("getuserphonenumber");
    let bad = app.gql(Some(&t), BIND, json!({ "c": "not-a-real-code" })).await;
    assert_eq!((bad.code(), bad.field()), ("BAD_USER_INPUT", Some("code")));
    assert_eq!(app.wechat.calls_of("getuserphonenumber"), calls + 1);
    let garbage = app.gql(Some(&t), BIND, json!({ "c": "有 空格" })).await;
    assert_eq!(garbage.code(), "BAD_USER_INPUT");
    assert_eq!(app.wechat.calls_of("getuserphonenumber"), calls + 1, "malformed codes are refused before WeChat");
    assert_eq!(app.gql(Some(&t), ME, json!({})).await.ok()["me"]["phone"], "13580006666");

    // Only a logged-in user binds.
    let anon = app.gql(None, BIND, json!({ "c": app.wechat.phone_code_for("13500000000") })).await;
    assert_eq!(anon.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn heads_see_the_reporters_phone_masked_and_neighbours_not_at_all() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    app.gql(Some(&resident), BIND, json!({ "c": app.wechat.phone_code_for("13580006666") })).await.ok();
    let id = app.submit_drain_report(&resident, "厨房下水道堵了，水排不下去").await;
    let q = "query($id: ID!) { report(id: $id) { reporter { name phone } } }";
    let phone_for = |who: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            let t = app.login(who).await;
            app.gql(Some(&t), q, json!({ "id": id })).await.ok()["report"]["reporter"]["phone"].clone()
        }
    };
    assert_eq!(phone_for("resident").await, "13580006666");
    assert_eq!(phone_for("head").await, "135****6666");
    assert_eq!(phone_for("community-admin").await, "135****6666");
    assert_eq!(phone_for("neighbour").await, serde_json::Value::Null);

    // A new phone shows at once on the next inbox page.
    let head = app.login("head").await;
    let inbox = "{ taskInbox { nodes { reporter { phone } } } }";
    let phones = |r: Gql| {
        r.ok()["taskInbox"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["reporter"]["phone"].clone())
            .collect::<Vec<_>>()
    };
    assert!(phones(app.gql(Some(&head), inbox, json!({})).await).contains(&json!("135****6666")));
    app.gql(
        Some(&resident),
        BIND,
        json!({ "c": app.wechat.phone_code_for("13900001234") }),
    )
    .await
    .ok();
    let now = phones(app.gql(Some(&head), inbox, json!({})).await);
    assert!(now.contains(&json!("139****1234")), "{now:?}");
    assert!(!now.contains(&json!("135****6666")), "{now:?}");
}

#[tokio::test]
async fn fifty_parallel_calls_needing_a_token_fetch_it_once() {
    let app = TestApp::spawn().await;
    // A slow token endpoint, so the fifty calls really wait on it together.
    app.wechat.set_token_delay(Duration::from_millis(200));
    let mut users = Vec::new();
    for i in 0..50 {
        users.push((app.login(&format!("p{i}")).await, format!("1390000{i:04}")));
    }
    let app = &app;
    let calls = users.iter().map(|(t, phone)| {
        let code = app.wechat.phone_code_for(phone);
        async move { app.gql(Some(t), BIND, json!({ "c": code })).await }
    });
    let answers = futures::future::join_all(calls).await;
    for (a, (_, phone)) in answers.iter().zip(&users) {
        assert_eq!(a.ok()["bindPhone"]["phone"], phone.as_str());
    }
    assert_eq!(app.wechat.calls_of("stable_token"), 1, "one token fetch for fifty parallel calls");
    assert_eq!(app.state.wechat.token_fetches(), 1);
}

#[tokio::test]
async fn a_token_rejected_mid_flight_is_refreshed_once_and_the_call_retried() {
    let app = TestApp::spawn().await;
    let t = app.login("resident").await;
    app.gql(Some(&t), BIND, json!({ "c": app.wechat.phone_code_for("13580006666") })).await.ok();
    assert_eq!(app.wechat.calls_of("stable_token"), 1);

    // Someone force-refreshes: our cached token now answers 40001.
    app.wechat.rotate_token();
    let before = app.wechat.calls_of("getuserphonenumber");
    let r = app.gql(Some(&t), BIND, json!({ "c": app.wechat.phone_code_for("13912345678") })).await;
    assert_eq!(r.ok()["bindPhone"]["phone"], "13912345678");
    assert_eq!(app.wechat.calls_of("stable_token"), 2, "one refresh");
    assert_eq!(app.wechat.calls_of("getuserphonenumber"), before + 2, "the failed call and its one retry");

    // A token that keeps failing is not refreshed in a loop: one retry, then the user hears WeChat is unavailable.
    app.wechat.fail_next_on("getuserphonenumber", &[40001, 40001]);
    let r = app.gql(Some(&t), BIND, json!({ "c": app.wechat.phone_code_for("13700000000") })).await;
    assert_eq!(r.code(), "UNAVAILABLE");
    assert_eq!(app.wechat.calls_of("stable_token"), 3);
    assert_eq!(app.gql(Some(&t), ME, json!({})).await.ok()["me"]["phone"], "13912345678");
}

#[tokio::test]
async fn a_busy_wechat_is_retried_with_backoff() {
    let app = TestApp::spawn().await;
    let t = app.login("resident").await;
    app.wechat.fail_next_on("getuserphonenumber", &[-1, -1]);
    let r = app.gql(Some(&t), BIND, json!({ "c": app.wechat.phone_code_for("13580006666") })).await;
    assert_eq!(r.ok()["bindPhone"]["phone"], "13580006666");
    assert_eq!(app.wechat.calls_of("getuserphonenumber"), 3);

    // Busy three times in a row: the user is told to try again, nothing stored.
    app.wechat.fail_next_on("getuserphonenumber", &[-1, -1, -1]);
    let r = app.gql(Some(&t), BIND, json!({ "c": app.wechat.phone_code_for("13900000000") })).await;
    assert_eq!(r.code(), "UNAVAILABLE");
    assert_eq!(app.gql(Some(&t), ME, json!({})).await.ok()["me"]["phone"], "13580006666");
}

#[tokio::test]
async fn the_token_is_fetched_with_the_secret_in_the_body_and_never_shown() {
    let app = TestApp::spawn().await;
    let t = app.login("resident").await;
    // A wrong secret configured: WeChat refuses the token; the user sees UNAVAILABLE and nothing of the secret.
    let bad = TestApp::spawn_with(&[("WECHAT_SECRET", "wrong-secret")]).await;
    let bt = bad.login("resident").await;
    let r = bad.gql(Some(&bt), BIND, json!({ "c": bad.wechat.phone_code_for("13580006666") })).await;
    assert_eq!(r.code(), "UNAVAILABLE");
    assert!(!format!("{:?}", r.errors).contains("wrong-secret"));
    // The right one works.
    let r = app.gql(Some(&t), BIND, json!({ "c": app.wechat.phone_code_for("13580006666") })).await;
    assert_eq!(r.ok()["bindPhone"]["phone"], "13580006666");
}
