//! Webhooks (`docs/webhooks.md`): signed deliveries from the durable event log, retried with backoff until the
//! receiver recovers, paused after repeated failures and resumed by the admin, continued by another process after a
//! restart, and never sent to loopback or private addresses in production.
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};

use crate::common::process::{Server, SharedDb};
use crate::common::{Demo, TestApp};

/// What the receiver got: (headers as lower-case name → value, body).
type Got = Arc<Mutex<Vec<(std::collections::HashMap<String, String>, String)>>>;

/// A local receiver that answers 500 to its first `fail` requests, then 200. Returns its URL and what it got.
async fn receiver(fail: usize) -> (String, Got) {
    let got: Got = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let h = headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
                let mut s = seen.lock().unwrap();
                s.push((h, body));
                if s.len() <= fail { axum::http::StatusCode::INTERNAL_SERVER_ERROR } else { axum::http::StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// The `v1` signatures of a `Linli-Signature` header with their time.
fn v1s(header: &str) -> (Option<String>, Vec<String>) {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = Some(v.to_owned()),
            Some(("v1", v)) => v1.push(v.to_owned()),
            _ => {}
        }
    }
    (t, v1)
}

/// Checks a `Linli-Signature` header against the body and secret, as a receiver would (HMAC-SHA256 of "t.body";
/// any of its `v1` may be the one made with this secret).
fn signed(header: &str, body: &str, secret: &str) -> bool {
    let (Some(t), v1) = v1s(header) else { return false };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let want: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    v1.contains(&want)
}

async fn wait_for(mut ok: impl FnMut() -> bool, secs: u64) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if ok() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    ok()
}

const CREATE: &str = "mutation($s: ID!, $u: String!) { createWebhook(scopeId: $s, url: $u, events: [REPORT_SUBMITTED, REPORT_ACTED]) { secret webhook { id status events } } }";

#[tokio::test]
async fn a_receiver_that_fails_three_times_gets_the_event_signed_once_it_recovers() {
    let app = TestApp::demo_with(&[("LINLI_WEBHOOK_INTERVAL_MS", "20"), ("LINLI_WEBHOOK_BACKOFF_MS", "30")]).await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("community-admin").await;
    let (url, got) = receiver(3).await;
    let r = app.gql(Some(&admin), CREATE, json!({ "s": ids.community, "u": url })).await;
    let secret = r.ok()["createWebhook"]["secret"].as_str().unwrap().to_owned();
    let hook = r.ok()["createWebhook"]["webhook"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    // Others may not see or make it.
    let staff = app.login("staff").await;
    let r = app.gql(Some(&staff), CREATE, json!({ "s": ids.community, "u": "http://127.0.0.1:9/x" })).await;
    assert!(["FORBIDDEN", "NOT_FOUND"].contains(&r.code()));
    let r = app.gql(Some(&staff), "query($w: ID!) { webhookDeliveries(webhookId: $w) { nodes { attempt } } }", json!({ "w": hook })).await;
    assert_eq!(r.code(), "NOT_FOUND");

    let resident = app.login("resident").await;
    let id = app.submit_drain_report(&resident, "单元门口的雨水井盖塌了").await;
    assert!(wait_for(|| got.lock().unwrap().len() >= 4, 20).await, "four attempts: {}", got.lock().unwrap().len());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 4, "delivered once it answered 200, and not again");
    let event_ids: Vec<&str> = got.iter().map(|(h, _)| h["linli-event-id"].as_str()).collect();
    assert!(event_ids.iter().all(|e| *e == event_ids[0] && e.starts_with("evt_")), "one idempotency key: {event_ids:?}");
    for (h, body) in &got {
        assert!(signed(&h["linli-signature"], body, &secret), "a valid signature");
        assert!(!signed(&h["linli-signature"], &body.replace("rpt_", "rpt_x"), &secret), "over the body");
    }
    let body: Value = serde_json::from_str(&got[3].1).unwrap();
    assert_eq!((body["type"].as_str(), body["data"]["serviceRequest"]["service_request_id"].as_str()), (Some("REPORT_SUBMITTED"), Some(id.as_str())));
    let me = app.gql(Some(&resident), "{ me { nickname } }", json!({})).await;
    assert!(!got[3].1.contains(me.ok()["me"]["nickname"].as_str().unwrap()), "nothing of the reporter");

    let log = app
        .gql(Some(&admin), "query($w: ID!) { webhookDeliveries(webhookId: $w) { nodes { eventId attempt ok statusCode } } }", json!({ "w": hook }))
        .await;
    let nodes = log.ok()["webhookDeliveries"]["nodes"].as_array().unwrap().clone();
    let attempts: Vec<(i64, bool)> = nodes.iter().rev().map(|n| (n["attempt"].as_i64().unwrap(), n["ok"].as_bool().unwrap())).collect();
    assert_eq!(attempts, [(1, false), (2, false), (3, false), (4, true)]);

    // The next event is a first attempt, delivered at once.
    let head = app.login("head").await;
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id, note: \"ok\") { id } }", json!({ "id": id })).await.ok();
    let log = || async {
        app.gql(Some(&admin), "query($w: ID!) { webhookDeliveries(webhookId: $w, first: 1) { nodes { eventType attempt ok } } }", json!({ "w": hook }))
            .await
            .ok()["webhookDeliveries"]["nodes"][0]
            .clone()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while log().await["eventType"] != "REPORT_ACTED" && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(log().await, json!({ "eventType": "REPORT_ACTED", "attempt": 1, "ok": true }));
}

#[tokio::test]
async fn repeated_failures_pause_a_webhook_and_resuming_goes_on_from_the_same_event() {
    let app = TestApp::demo_with(&[("LINLI_WEBHOOK_INTERVAL_MS", "20"), ("LINLI_WEBHOOK_BACKOFF_MS", "20"), ("LINLI_WEBHOOK_MAX_FAILURES", "3")]).await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("community-admin").await;
    let (url, got) = receiver(3).await;
    let r = app.gql(Some(&admin), CREATE, json!({ "s": ids.community, "u": url })).await;
    let hook = r.ok()["createWebhook"]["webhook"]["id"].as_str().unwrap().to_owned();
    let resident = app.login("resident").await;
    app.submit_drain_report(&resident, "地下车库入口积水很深").await;
    let status = || async {
        app.gql(Some(&admin), "query($s: ID!) { webhooks(scopeId: $s) { nodes { id status failures lastError } } }", json!({ "s": ids.community }))
            .await
            .ok()["webhooks"]["nodes"][0]
            .clone()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while status().await["status"] != "PAUSED" && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let s = status().await;
    assert_eq!((s["status"].as_str(), s["failures"].as_i64(), s["lastError"].as_str()), (Some("PAUSED"), Some(3), Some("HTTP 500")));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(got.lock().unwrap().len(), 3, "a paused webhook is not tried");

    let r = app.gql(Some(&admin), "mutation($id: ID!) { resumeWebhook(id: $id) { status failures } }", json!({ "id": hook })).await;
    assert_eq!(r.ok()["resumeWebhook"], json!({ "status": "ACTIVE", "failures": 0 }));
    assert!(wait_for(|| got.lock().unwrap().len() >= 4, 10).await);
    let got = got.lock().unwrap().clone();
    assert_eq!(got[3].0["linli-event-id"], got[0].0["linli-event-id"], "the same event, once more");
    let q = "query($s: ID!, $a: AuditAction) { auditLog(scopeId: $s, action: $a) { nodes { action } } }";
    for action in ["WEBHOOK_CREATED", "WEBHOOK_RESUMED"] {
        let r = app.gql(Some(&admin), q, json!({ "s": ids.community, "a": action })).await;
        assert_eq!(r.ok()["auditLog"]["nodes"].as_array().unwrap().len(), 1, "{action}");
    }
}

/// Its admin changes a webhook's URL and events, rotates its secret (the old one signs beside the new one for a
/// day, and of two rotations at once one wins) and deletes it (nothing more is sent); nobody else may do any of it.
#[tokio::test]
async fn an_admin_edits_rotates_and_deletes_a_webhook() {
    let app = TestApp::demo_with(&[("LINLI_WEBHOOK_INTERVAL_MS", "20")]).await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("community-admin").await;
    let (url, got) = receiver(0).await;
    let r = app.gql(Some(&admin), CREATE, json!({ "s": ids.community, "u": url })).await;
    let first_secret = r.ok()["createWebhook"]["secret"].as_str().unwrap().to_owned();
    let hook = r.ok()["createWebhook"]["webhook"]["id"].as_str().unwrap().to_owned();
    let resident = app.login("resident").await;
    app.submit_drain_report(&resident, "楼道里的下水管漏水").await;
    assert!(wait_for(|| got.lock().unwrap().len() == 1, 20).await);

    // Nobody but the scope's admins: the same NOT_FOUND as for a webhook that does not exist.
    const UPDATE: &str = "mutation($id: ID!, $u: String, $e: [WebhookEvent!]) { updateWebhook(id: $id, url: $u, events: $e) { url events status } }";
    const ROTATE: &str = "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret webhook { previousSecretValidUntil } } }";
    const DELETE: &str = "mutation($id: ID!) { deleteWebhook(id: $id) { status } }";
    for who in ["staff", "head", "resident"] {
        let t = app.login(who).await;
        for (q, v) in [(UPDATE, json!({ "id": hook, "u": "http://127.0.0.1:9/stolen" })), (ROTATE, json!({ "id": hook })), (DELETE, json!({ "id": hook }))] {
            assert_eq!(app.gql(Some(&t), q, v).await.code(), "NOT_FOUND", "{who}: {q}");
        }
    }

    // Bad input changes nothing.
    for (v, field) in [(json!({ "id": hook, "e": [] }), "events"), (json!({ "id": hook, "u": "ftp://example.com/x" }), "url")] {
        let r = app.gql(Some(&admin), UPDATE, v).await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{field}");
    }
    let list = "query($s: ID!) { webhooks(scopeId: $s) { nodes { id url events status } } }";
    let r = app.gql(Some(&admin), list, json!({ "s": ids.community })).await;
    assert_eq!(r.ok()["webhooks"]["nodes"][0]["url"], url.as_str());

    // Rotation: the next delivery is signed with both secrets, the new one first.
    let (r1, r2) = tokio::join!(app.gql(Some(&admin), ROTATE, json!({ "id": hook })), app.gql(Some(&admin), ROTATE, json!({ "id": hook })));
    let (won, lost) = if r1.errors.is_empty() { (r1, r2) } else { (r2, r1) };
    assert_eq!(lost.code(), "CONFLICT", "two rotations at once: one wins");
    let new_secret = won.ok()["rotateWebhookSecret"]["secret"].as_str().unwrap().to_owned();
    assert!(new_secret.starts_with("whsec_") && new_secret != first_secret);
    let until: chrono::DateTime<chrono::Utc> = won.ok()["rotateWebhookSecret"]["webhook"]["previousSecretValidUntil"].as_str().unwrap().parse().unwrap();
    assert!((until - chrono::Utc::now() - chrono::Duration::hours(24)).num_seconds().abs() < 60, "a day: {until}");
    app.submit_drain_report(&resident, "小区东门的路灯不亮了").await;
    assert!(wait_for(|| got.lock().unwrap().len() == 2, 20).await);
    let (h, body) = got.lock().unwrap()[1].clone();
    let (_, v1) = v1s(&h["linli-signature"]);
    assert_eq!(v1.len(), 2, "the new secret's and the old one's");
    assert!(signed(&h["linli-signature"], &body, &new_secret) && signed(&h["linli-signature"], &body, &first_secret));
    assert!(!signed(&h["linli-signature"], &body, "whsec_someone-else"));

    // A new URL and only submissions: the next event goes there, and an acknowledgement goes nowhere.
    let (url2, got2) = receiver(0).await;
    let r = app.gql(Some(&admin), UPDATE, json!({ "id": hook, "u": url2, "e": ["REPORT_SUBMITTED"] })).await;
    assert_eq!(r.ok()["updateWebhook"], json!({ "url": url2, "events": ["REPORT_SUBMITTED"], "status": "ACTIVE" }));
    let id = app.submit_drain_report(&resident, "车库顶上滴水").await;
    assert!(wait_for(|| got2.lock().unwrap().len() == 1, 20).await);
    let head = app.login("head").await;
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id, note: \"ok\") { id } }", json!({ "id": id })).await.ok();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!((got.lock().unwrap().len(), got2.lock().unwrap().len()), (2, 1), "the old URL gets nothing, the new one no acknowledgement");

    // Deleted: gone from the list and its log, nothing more sent, and deleting again is NOT_FOUND.
    let r = app.gql(Some(&admin), DELETE, json!({ "id": hook })).await;
    assert_eq!(r.ok()["deleteWebhook"]["status"], "DELETED");
    let r = app.gql(Some(&admin), list, json!({ "s": ids.community })).await;
    assert_eq!(r.ok()["webhooks"]["nodes"], json!([]));
    for (q, v) in [
        ("query($w: ID!) { webhookDeliveries(webhookId: $w) { nodes { attempt } } }", json!({ "w": hook })),
        (DELETE, json!({ "id": hook })),
        (ROTATE, json!({ "id": hook })),
        ("mutation($id: ID!) { resumeWebhook(id: $id) { status } }", json!({ "id": hook })),
    ] {
        assert_eq!(app.gql(Some(&admin), q, v).await.code(), "NOT_FOUND", "{q}");
    }
    app.submit_drain_report(&resident, "垃圾站的门坏了").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(got2.lock().unwrap().len(), 1, "a deleted webhook is not sent to");

    // The audit log has each change, and no secret.
    let q = "query($s: ID!, $a: AuditAction) { auditLog(scopeId: $s, action: $a) { nodes { action before after } } }";
    for action in ["WEBHOOK_UPDATED", "WEBHOOK_SECRET_ROTATED", "WEBHOOK_DELETED"] {
        let r = app.gql(Some(&admin), q, json!({ "s": ids.community, "a": action })).await;
        let nodes = r.ok()["auditLog"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), 1, "{action}");
        let text = nodes[0].to_string();
        assert!(!text.contains(&first_secret) && !text.contains(&new_secret), "{action}: {text}");
    }
}

/// The server restarted mid-retry: the next process goes on from the webhook's cursor and delivers.
#[tokio::test]
async fn a_restart_mid_retry_still_delivers() {
    let db = SharedDb::create().await;
    // A process killed while it holds the webhook's lease delays the next attempt by the lease (timeout + 5 s).
    let env = [("LINLI_JOBS", "on"), ("LINLI_WEBHOOK_INTERVAL_MS", "20"), ("LINLI_WEBHOOK_BACKOFF_MS", "200"), ("LINLI_WEBHOOK_TIMEOUT_MS", "1000")];
    let a = Server::start(&db, &["--demo"], &env).await;
    let admin = a.login("community-admin").await;
    let ids = a.gql(Some(&admin), "{ me { roles { role scope { id } } } }", json!({})).await;
    let community = ids.ok()["me"]["roles"].as_array().unwrap().iter().find(|r| r["role"] == "COMMUNITY_ADMIN").unwrap()["scope"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (url, got) = receiver(2).await;
    // Submissions only: the demo's own jobs (auto-closing resolved reports) act on reports all the time.
    let create = "mutation($s: ID!, $u: String!) { createWebhook(scopeId: $s, url: $u, events: [REPORT_SUBMITTED]) { secret } }";
    let r = a.gql(Some(&admin), create, json!({ "s": community, "u": url })).await;
    let secret = r.ok()["createWebhook"]["secret"].as_str().unwrap().to_owned();
    let resident = a.login("resident").await;
    let cats = a.gql(Some(&resident), "{ categories { id code } }", json!({})).await;
    let drain = cats.ok()["categories"].as_array().unwrap().iter().find(|c| c["code"] == "DRAIN").unwrap()["id"].as_str().unwrap().to_owned();
    let made = a
        .gql(
            Some(&resident),
            "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
            json!({ "i": { "categoryId": drain, "description": "楼顶水箱溢水，顺着墙往下流" } }),
        )
        .await;
    let id = made.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
    assert!(wait_for(|| !got.lock().unwrap().is_empty(), 20).await, "a first (failed) attempt");
    a.terminate();
    drop(a);
    let before = got.lock().unwrap().len();
    assert!(before < 3, "not delivered yet: {before}");
    let _b = Server::start(&db, &[], &env).await;
    assert!(wait_for(|| got.lock().unwrap().len() >= 3, 30).await, "the new process retries until it is taken");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|(h, b)| signed(&h["linli-signature"], b, &secret) && h["linli-event-id"] == got[0].0["linli-event-id"]));
    assert!(got.iter().all(|(_, b)| b.contains(&id)), "the one new report's submission");
}

/// Production: no loopback or private receiver, neither when registering nor when delivering (a name that
/// resolved elsewhere at registration and to 127.0.0.1 later is refused then too); and HTTPS only.
#[tokio::test]
async fn production_refuses_loopback_and_private_receivers() {
    let app = TestApp::spawn_with(&[("LINLI_MODE", "production"), ("LINLI_JWT_SECRET", "a-real-production-secret-of-enough-length"), ("LINLI_JOBS", "off")]).await;
    for url in ["https://127.0.0.1/hook", "https://localhost/hook", "https://10.0.0.8/hook", "https://[::1]/hook", "https://169.254.169.254/latest", "http://example.com/hook"] {
        let e = api::service::webhooks::check_target(&app.state, url).await.unwrap_err();
        assert_eq!(e.code(), "BAD_USER_INPUT", "{url}");
    }
    // A webhook already registered whose host now resolves to loopback: the delivery is refused and logged.
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let (url, got) = receiver(0).await;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let community = entity::community::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let user = entity::app_user::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let street = entity::street::Entity::find_by_id(community.street_id).one(&app.state.db).await.unwrap().unwrap();
    let hook = entity::webhook::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        created_at: Set(chrono::Utc::now()),
        scope_kind: Set("COMMUNITY".into()),
        scope_id: Set(community.id),
        district_id: Set(street.district_id),
        url: Set(url.replace("http://", "https://")),
        events: Set("REPORT_SUBMITTED".into()),
        secret: Set("whsec_test".into()),
        created_by: Set(user.id),
        status: Set(entity::enums::WebhookStatus::Active),
        cursor: Set(0),
        failures: Set(0),
        next_attempt_at: Set(chrono::Utc::now() - chrono::Duration::seconds(1)),
        last_error: Set(None),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    use sea_orm::{ColumnTrait, QueryFilter};
    let resident = entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Openid.eq("dev:resident"))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the demo's resident");
    let actor = api::auth::Actor::new(api::auth::actor::AuthState::User { id: resident.id, sid: uuid::Uuid::nil() });
    let drain = entity::category::Entity::find().filter(entity::category::Column::Code.eq("DRAIN")).one(&app.state.db).await.unwrap().unwrap();
    let new = api::service::report::submit::NewReport {
        category: drain.id,
        description: "单元楼下的污水井冒水了".into(),
        urgency: api::service::report::Urgency::Normal,
        location: Default::default(),
        anonymous: false,
        idempotency_key: None,
        intake: false,
    };
    api::service::report::submit::submit(&app.state, &actor, new).await.unwrap();
    // The log numbers it (its sequencer runs in the server).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while api::service::events::log::newest(&app.state.db).await.unwrap() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    api::service::webhooks::deliver_due(&app.state).await.unwrap();
    let row = entity::webhook::Entity::find_by_id(hook.id).one(&app.state.db).await.unwrap().unwrap();
    assert!(row.last_error.as_deref().unwrap_or_default().contains("loopback"), "{:?}", row.last_error);
    assert!(got.lock().unwrap().is_empty(), "nothing reached the loopback receiver");

    // Nor can its admin point it at a private address afterwards.
    let admin = entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Openid.eq("dev:community-admin"))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the demo's community admin");
    let admin = api::auth::Actor::new(api::auth::actor::AuthState::User { id: admin.id, sid: uuid::Uuid::nil() });
    for to in ["https://127.0.0.1/hook", "https://192.168.1.20/hook", "http://example.com/hook"] {
        let e = api::service::webhooks::update(&app.state, &admin, hook.id, Some(to), None).await.unwrap_err();
        assert_eq!(e.code(), "BAD_USER_INPUT", "{to}");
    }
    let after = entity::webhook::Entity::find_by_id(hook.id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(after.url, row.url, "unchanged");
}
