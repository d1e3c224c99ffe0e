//! A local stand-in for `api.weixin.qq.com` that behaves as `shared/WECHAT.md` describes, quirks included: errors
//! as HTTP 200 with an errcode; success bodies of jscode2session and stable_token without errcode and with
//! `Content-Type: text/plain`; the others with `"errcode":0`; single-use codes; the access token only in the query
//! string (47001 in the body); 40001 for a token that is not the latest; stable_token returning the same token while
//! it is valid; subscribe quotas that each accept grants and each send uses (43101 without); template value
//! length rules (47003); some numbers as strings (`countryCode`, `label`).
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{Query, State},
    http::header,
    response::IntoResponse,
    routing::{get, post},
};
use serde_json::{Value, json};

#[derive(Default)]
struct Inner {
    /// code → openid for codes not used yet.
    codes: HashMap<String, String>,
    /// codes already exchanged.
    used: Vec<String>,
    /// errcodes to answer, per API, before behaving normally again.
    script: HashMap<&'static str, VecDeque<i64>>,
    /// calls received per API.
    calls: HashMap<&'static str, usize>,
    /// the current access token (empty until the first stable_token).
    token: String,
    tokens_issued: usize,
    /// every token handed out, so tests can look for them where they must not be.
    issued: Vec<String>,
    /// how long stable_token takes to answer.
    token_delay: Duration,
    /// phone code → phone number, single use.
    phone_codes: HashMap<String, String>,
    /// (openid, template) → sends left.
    quota: HashMap<(String, String), u32>,
    /// subscribe messages accepted.
    sent: Vec<Value>,
    /// media checks asked: (trace_id, media_url, openid).
    media: Vec<(String, String, String)>,
    /// mini-program codes drawn: (scene, page, env_version).
    wxacodes: Vec<(String, String, String)>,
}

/// The fake, with knobs for tests.
#[derive(Clone)]
pub struct FakeWechat {
    /// Base URL to configure as WECHAT_API_BASE.
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Clone)]
struct S {
    appid: String,
    secret: String,
    inner: Arc<Mutex<Inner>>,
}

/// A session_key the fake hands out, so tests can assert it never leaks.
pub const SESSION_KEY: &str = "HyVFkGl5F5OQWJZZaNzBBg==";

impl FakeWechat {
    /// Starts the fake on a random port.
    pub async fn start(appid: &str, secret: &str) -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let s = S { appid: appid.into(), secret: secret.into(), inner: inner.clone() };
        let app = Router::new()
            .route("/sns/jscode2session", get(code2session))
            .route("/cgi-bin/stable_token", post(stable_token))
            .route("/wxa/business/getuserphonenumber", post(phone_number))
            .route("/cgi-bin/message/subscribe/send", post(subscribe_send))
            .route("/wxa/msg_sec_check", post(msg_sec_check))
            .route("/wxa/media_check_async", post(media_check_async))
            .route("/wxa/getwxacodeunlimit", post(wxacode_unlimited))
            .with_state(s);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeWechat { base: format!("http://{addr}"), inner }
    }

    /// A fresh wx.login code that logs in as `openid` once.
    pub fn code_for(&self, openid: &str) -> String {
        let code = format!("0{}", uuid::Uuid::new_v4().simple());
        self.inner.lock().unwrap().codes.insert(code.clone(), openid.into());
        code
    }

    /// A fresh getPhoneNumber code for `phone`, usable once.
    pub fn phone_code_for(&self, phone: &str) -> String {
        let code = format!("p{}", uuid::Uuid::new_v4().simple());
        self.inner.lock().unwrap().phone_codes.insert(code.clone(), phone.into());
        code
    }

    /// The next jscode2session calls answer these errcodes, in order, before normal behaviour resumes.
    pub fn fail_next(&self, errcodes: &[i64]) {
        self.fail_next_on("jscode2session", errcodes);
    }

    /// The next calls of `api` (`jscode2session`, `stable_token`, `getuserphonenumber`, `subscribe_send`,
    /// `msg_sec_check`, `media_check_async`) answer these errcodes, in order.
    pub fn fail_next_on(&self, api: &'static str, errcodes: &[i64]) {
        self.inner.lock().unwrap().script.entry(api).or_default().extend(errcodes.iter().copied());
    }

    /// How many jscode2session calls arrived.
    pub fn calls(&self) -> usize {
        self.calls_of("jscode2session")
    }

    /// How many calls of `api` arrived (including refused ones).
    pub fn calls_of(&self, api: &str) -> usize {
        self.inner.lock().unwrap().calls.get(api).copied().unwrap_or(0)
    }

    /// How many distinct access tokens stable_token issued.
    pub fn tokens_issued(&self) -> usize {
        self.inner.lock().unwrap().tokens_issued
    }

    /// Someone else force-refreshed the token: the current one stops working (40001) and stable_token hands out a
    /// new one.
    pub fn rotate_token(&self) {
        let mut inner = self.inner.lock().unwrap();
        inner.token = format!("T{}", uuid::Uuid::new_v4().simple());
        inner.tokens_issued += 1;
        let t = inner.token.clone();
        inner.issued.push(t);
    }

    /// Every access token handed out so far.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.inner.lock().unwrap().issued.clone()
    }

    /// stable_token takes this long to answer (so parallel callers overlap).
    pub fn set_token_delay(&self, d: Duration) {
        self.inner.lock().unwrap().token_delay = d;
    }

    /// The user accepted `template` `n` times in wx.requestSubscribeMessage.
    pub fn grant(&self, openid: &str, template: &str, n: u32) {
        *self.inner.lock().unwrap().quota.entry((openid.into(), template.into())).or_default() += n;
    }

    /// Sends left for (openid, template).
    pub fn quota(&self, openid: &str, template: &str) -> u32 {
        self.inner.lock().unwrap().quota.get(&(openid.into(), template.into())).copied().unwrap_or(0)
    }

    /// The subscribe messages WeChat accepted, in order.
    pub fn sent(&self) -> Vec<Value> {
        self.inner.lock().unwrap().sent.clone()
    }

    /// The media checks asked for: (trace_id, media_url, openid).
    pub fn media_checks(&self) -> Vec<(String, String, String)> {
        self.inner.lock().unwrap().media.clone()
    }
}

impl FakeWechat {
    /// The mini-program codes drawn so far: (scene, page, env_version).
    pub fn wxacodes(&self) -> Vec<(String, String, String)> {
        self.inner.lock().unwrap().wxacodes.clone()
    }
}

/// The pages of the released mini-program (`check_path` checks the page against these: 41030 otherwise).
const RELEASED_PAGES: &[&str] = &["pages/index/index", "pages/console-login/index"];

/// A 1×1 PNG: what the fake draws for every mini-program code.
pub const WXACODE_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41,
    0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x48, 0xaf, 0xa4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49,
    0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// getwxacodeunlimit: the image itself on success (`image/png`, no errcode anywhere), JSON on failure, as WeChat
/// does. Checks the scene's length and alphabet (no `%`), the page's form, and with `check_path` (default true)
/// that the page is released (41030).
async fn wxacode_unlimited(State(s): State<S>, Query(q): Query<HashMap<String, String>>, body: String) -> axum::response::Response {
    let mut inner = s.inner.lock().unwrap();
    if let Some(e) = scripted(&mut inner, "getwxacodeunlimit") {
        return Json(e).into_response();
    }
    let Ok(b) = serde_json::from_str::<Value>(&body) else {
        return Json(err(47001, "data format error")).into_response();
    };
    if let Some(e) = check_token(&inner, &q, &b) {
        return Json(e).into_response();
    }
    const SCENE_CHARS: &str = "!#$&'()*+,/:;=?@-._~";
    let scene = b["scene"].as_str().unwrap_or_default();
    if scene.is_empty() || scene.chars().count() > 32 || !scene.chars().all(|c| c.is_ascii_alphanumeric() || SCENE_CHARS.contains(c)) {
        return Json(err(40097, "invalid args: scene")).into_response();
    }
    let page = b["page"].as_str().unwrap_or("pages/index/index");
    if page.starts_with('/') || page.contains('?') {
        return Json(err(41030, "invalid page rid: 668f2aa4")).into_response();
    }
    if b["check_path"].as_bool().unwrap_or(true) && !RELEASED_PAGES.contains(&page) {
        return Json(err(41030, "invalid page rid: 668f2aa4")).into_response();
    }
    let env = b["env_version"].as_str().unwrap_or("release").to_owned();
    inner.wxacodes.push((scene.to_owned(), page.to_owned(), env));
    ([(header::CONTENT_TYPE, "image/png")], WXACODE_PNG.to_vec()).into_response()
}

fn text_json(v: Value) -> axum::response::Response {
    // WeChat really does send JSON as text/plain on these endpoints.
    ([(header::CONTENT_TYPE, "text/plain")], v.to_string()).into_response()
}

fn err(code: i64, msg: &str) -> Value {
    json!({ "errcode": code, "errmsg": format!("{msg}, rid: 668f2aa4-51c08c03-3d141241") })
}

fn ok(mut v: Value) -> axum::response::Response {
    v["errcode"] = json!(0);
    v["errmsg"] = json!("ok");
    Json(v).into_response()
}

/// Counts the call and pops a scripted errcode, if any.
fn scripted(inner: &mut Inner, api: &'static str) -> Option<Value> {
    *inner.calls.entry(api).or_default() += 1;
    let code = inner.script.get_mut(api).and_then(|q| q.pop_front())?;
    let msg = match code {
        -1 => "system error",
        45011 => "api minute-quota reach limit mustslower retry next minute",
        40226 => "code blocked",
        43101 => "user refuse to accept the msg",
        47003 => "argument invalid!",
        40001 => "invalid credential, access_token is invalid or not latest",
        _ => "scripted error",
    };
    Some(err(code, msg))
}

/// The token checks of every POST endpoint.
fn check_token(inner: &Inner, q: &HashMap<String, String>, body: &Value) -> Option<Value> {
    if body.get("access_token").is_some() {
        return Some(err(47001, "data format error"));
    }
    match q.get("access_token") {
        None => Some(err(41001, "access_token missing")),
        Some(t) if inner.token.is_empty() || *t != inner.token => {
            Some(err(40001, "invalid credential, access_token is invalid or not latest"))
        }
        Some(_) => None,
    }
}

async fn code2session(State(s): State<S>, Query(q): Query<HashMap<String, String>>) -> impl IntoResponse {
    let mut inner = s.inner.lock().unwrap();
    if let Some(e) = scripted(&mut inner, "jscode2session") {
        return text_json(e);
    }
    if q.get("appid") != Some(&s.appid) {
        return text_json(err(40013, "invalid appid"));
    }
    if q.get("secret") != Some(&s.secret) {
        return text_json(err(40125, "invalid appsecret"));
    }
    if q.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return text_json(err(40002, "invalid grant_type"));
    }
    let code = q.get("js_code").cloned().unwrap_or_default();
    if inner.used.contains(&code) {
        return text_json(err(40163, "code been used"));
    }
    match inner.codes.remove(&code) {
        Some(openid) => {
            inner.used.push(code);
            // Success: no errcode at all.
            text_json(json!({ "openid": openid, "session_key": SESSION_KEY }))
        }
        None => text_json(err(40029, "invalid code")),
    }
}

async fn stable_token(State(s): State<S>, body: String) -> impl IntoResponse {
    let delay = {
        let mut inner = s.inner.lock().unwrap();
        if let Some(e) = scripted(&mut inner, "stable_token") {
            return text_json(e);
        }
        inner.token_delay
    };
    tokio::time::sleep(delay).await;
    let b: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    if b["appid"] != json!(s.appid) {
        return text_json(err(40013, "invalid appid"));
    }
    if b["secret"] != json!(s.secret) {
        return text_json(err(40125, "invalid appsecret"));
    }
    if b["grant_type"] != json!("client_credential") {
        return text_json(err(40002, "invalid grant_type"));
    }
    let mut inner = s.inner.lock().unwrap();
    // Normal mode: the same token while it is valid; force_refresh rotates it.
    if inner.token.is_empty() || b["force_refresh"] == json!(true) {
        inner.token = format!("T{}", uuid::Uuid::new_v4().simple());
        inner.tokens_issued += 1;
        let t = inner.token.clone();
        inner.issued.push(t);
    }
    text_json(json!({ "access_token": inner.token, "expires_in": 7200 }))
}

async fn phone_number(State(s): State<S>, Query(q): Query<HashMap<String, String>>, Json(b): Json<Value>) -> impl IntoResponse {
    let mut inner = s.inner.lock().unwrap();
    if let Some(e) = scripted(&mut inner, "getuserphonenumber") {
        return Json(e).into_response();
    }
    if let Some(e) = check_token(&inner, &q, &b) {
        return Json(e).into_response();
    }
    let code = b["code"].as_str().unwrap_or_default().to_owned();
    // Single use: a used code is simply invalid.
    match inner.phone_codes.remove(&code) {
        Some(phone) => ok(json!({ "phone_info": {
            "phoneNumber": format!("+86 {phone}"),
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": { "timestamp": 1637744274, "appid": s.appid },
        }})),
        None => Json(err(40029, "invalid code")).into_response(),
    }
}

/// WeChat's value rules per template key kind (47003 otherwise).
fn value_ok(key: &str, value: &str) -> bool {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let n = value.chars().count();
    match kind {
        "thing" => n <= 20 && n > 0,
        "number" => n <= 32 && value.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "character_string" => n <= 32,
        "phrase" => n <= 5 && n > 0,
        "name" => n <= 20,
        "phone_number" => n <= 17,
        "car_number" => n <= 8,
        "time" | "date" => n > 0 && n <= 20 && value.chars().next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

async fn subscribe_send(State(s): State<S>, Query(q): Query<HashMap<String, String>>, Json(b): Json<Value>) -> impl IntoResponse {
    let mut inner = s.inner.lock().unwrap();
    if let Some(e) = scripted(&mut inner, "subscribe_send") {
        return Json(e).into_response();
    }
    if let Some(e) = check_token(&inner, &q, &b) {
        return Json(e).into_response();
    }
    let (Some(to), Some(tid)) = (b["touser"].as_str(), b["template_id"].as_str()) else {
        return Json(err(47003, "argument invalid! touser or template_id")).into_response();
    };
    let Some(data) = b["data"].as_object() else {
        return Json(err(47003, "argument invalid! data")).into_response();
    };
    for (k, v) in data {
        if !v["value"].as_str().is_some_and(|val| value_ok(k, val)) {
            return Json(err(47003, &format!("argument invalid! data.{k}.value invalid"))).into_response();
        }
    }
    let key = (to.to_owned(), tid.to_owned());
    match inner.quota.get_mut(&key) {
        Some(n) if *n > 0 => *n -= 1,
        _ => return Json(err(43101, "user refuse to accept the msg")).into_response(),
    }
    inner.sent.push(b.clone());
    ok(json!({}))
}

async fn msg_sec_check(State(s): State<S>, Query(q): Query<HashMap<String, String>>, Json(b): Json<Value>) -> impl IntoResponse {
    let mut inner = s.inner.lock().unwrap();
    if let Some(e) = scripted(&mut inner, "msg_sec_check") {
        return Json(e).into_response();
    }
    if let Some(e) = check_token(&inner, &q, &b) {
        return Json(e).into_response();
    }
    if b["version"] != json!(2) || b["openid"].as_str().is_none_or(str::is_empty) {
        return Json(err(47003, "argument invalid! version or openid")).into_response();
    }
    if !matches!(b["scene"].as_i64(), Some(1..=4)) {
        return Json(err(40129, "invalid scene")).into_response();
    }
    let content = b["content"].as_str().unwrap_or_default();
    // Test vocabulary: RISKY and REVIEW in a text decide the verdict; the label comes as a string sometimes.
    let (suggest, label) = if content.contains("RISKY") {
        ("risky", json!(20006))
    } else if content.contains("REVIEW") {
        ("review", json!("21000"))
    } else {
        ("pass", json!(100))
    };
    let trace = format!("trace-{}", uuid::Uuid::new_v4().simple());
    ok(json!({
        "trace_id": trace,
        "result": { "suggest": suggest, "label": label },
        "detail": [{ "strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90 }],
    }))
}

async fn media_check_async(State(s): State<S>, Query(q): Query<HashMap<String, String>>, Json(b): Json<Value>) -> impl IntoResponse {
    let mut inner = s.inner.lock().unwrap();
    if let Some(e) = scripted(&mut inner, "media_check_async") {
        return Json(e).into_response();
    }
    if let Some(e) = check_token(&inner, &q, &b) {
        return Json(e).into_response();
    }
    let (Some(url), Some(openid)) = (b["media_url"].as_str(), b["openid"].as_str()) else {
        return Json(err(47003, "argument invalid! media_url or openid")).into_response();
    };
    let trace = format!("trace-{}", uuid::Uuid::new_v4().simple());
    inner.media.push((trace.clone(), url.into(), openid.into()));
    ok(json!({ "trace_id": trace }))
}
