//! Photos through WeChat's asynchronous media check: each new photo is sent once (also with two replicas), the
//! verdict is pushed back signed, a risky photo is hidden, and a push with a bad signature changes nothing.
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::common::TestApp;

const PUSH_TOKEN: &str = "push-token-for-tests";

async fn app() -> TestApp {
    TestApp::spawn_with(&[
        ("LINLI_JOBS", "off"),
        ("LINLI_PUBLIC_URL", "https://linli.example.com"),
        ("WECHAT_PUSH_TOKEN", PUSH_TOKEN),
    ])
    .await
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([(x * 15) as u8, (y * 20) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// Uploads a JPEG as wx.uploadFile would and returns its media id.
async fn upload(app: &TestApp, token: &str) -> String {
    let b = "----linliBoundary7MA4YWxk";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"tmp_1.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend(jpeg());
    body.extend(format!("\r\n--{b}--\r\n").into_bytes());
    let r = app
        .http
        .post(format!("{}/upload", app.base))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .body(body)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    v["mediaId"].as_str().unwrap_or_else(|| panic!("upload failed: {v}")).to_owned()
}

fn signed_query(token: &str) -> String {
    let (ts, nonce) = ("1762329554", "8812345");
    let mut parts = [token, ts, nonce];
    parts.sort_unstable();
    let sig: String = Sha1::digest(parts.concat().as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    format!("signature={sig}&timestamp={ts}&nonce={nonce}")
}

async fn push(app: &TestApp, query: &str, body: Value) -> (u16, String) {
    let r = app.http.post(format!("{}/wechat/push?{query}", app.base)).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn verdict(trace: &str, suggest: &str) -> Value {
    json!({
        "ToUserName": "gh_38f7e0e5c7e1", "FromUserName": "o-x", "CreateTime": 1762329554, "MsgType": "event",
        "Event": "wxa_media_check", "appid": "wx-test", "trace_id": trace, "version": 2,
        "result": { "suggest": suggest, "label": "20002" }, "detail": []
    })
}

async fn hidden(app: &TestApp) -> Vec<bool> {
    entity::photo::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|p| p.hidden).collect()
}

#[tokio::test]
async fn a_photo_is_checked_once_and_hidden_when_wechat_pushes_risky() {
    let app = app().await;
    let t = app.login("resident").await;
    upload(&app, &t).await;
    // Two replicas' jobs at once: WeChat is asked once.
    let (a, b) = tokio::join!(
        api::service::media_check::request_due(&app.state),
        api::service::media_check::request_due(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let checks = app.wechat.media_checks();
    assert_eq!(checks.len(), 1);
    let (trace, url, openid) = checks[0].clone();
    assert!(url.starts_with("https://linli.example.com/media/pho_"), "{url}");
    assert_eq!(openid, "dev:resident");
    assert_eq!(api::service::media_check::request_due(&app.state).await.unwrap(), 0, "never asked twice");

    // A push with a bad signature is refused and changes nothing.
    let forged = signed_query("not-the-token");
    assert_eq!(push(&app, &forged, verdict(&trace, "risky")).await.0, 403);
    assert_eq!(push(&app, "timestamp=1&nonce=2", verdict(&trace, "risky")).await.0, 403);
    assert_eq!(hidden(&app).await, vec![false]);

    // A verdict for a trace that is not ours is acknowledged and ignored.
    let good = signed_query(PUSH_TOKEN);
    assert_eq!(push(&app, &good, verdict("trace-unknown", "risky")).await, (200, "success".to_owned()));
    assert_eq!(hidden(&app).await, vec![false]);

    // The real verdict hides the photo.
    assert_eq!(push(&app, &good, verdict(&trace, "risky")).await, (200, "success".to_owned()));
    assert_eq!(hidden(&app).await, vec![true]);
}

#[tokio::test]
async fn the_push_url_verification_echoes_only_when_signed() {
    let app = app().await;
    let good = signed_query(PUSH_TOKEN);
    let r = app.http.get(format!("{}/wechat/push?{good}&echostr=abc123", app.base)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.text().await.unwrap()), (200, "abc123".to_owned()));
    let bad = signed_query("wrong");
    let r = app.http.get(format!("{}/wechat/push?{bad}&echostr=abc123", app.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Without a configured token every push is refused.
    let plain = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    let r = plain.http.get(format!("{}/wechat/push?{good}&echostr=abc123", plain.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[tokio::test]
async fn a_failed_request_is_tried_again_on_the_next_round() {
    let app = app().await;
    let t = app.login("resident").await;
    upload(&app, &t).await;
    app.wechat.fail_next_on("media_check_async", &[-1, -1, -1]);
    assert_eq!(api::service::media_check::request_due(&app.state).await.unwrap(), 0);
    assert_eq!(api::service::media_check::request_due(&app.state).await.unwrap(), 1);
    assert_eq!(app.wechat.media_checks().len(), 1);
}
