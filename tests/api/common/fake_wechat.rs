//! A local stand-in for `api.weixin.qq.com` that behaves as `shared/WECHAT.md` describes: errors as HTTP 200 with
//! an errcode, success bodies of jscode2session without errcode, `Content-Type: text/plain`, single-use codes.
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    extract::{Query, State},
    http::header,
    response::IntoResponse,
    routing::get,
};
use serde_json::json;

#[derive(Default)]
struct Inner {
    /// code → openid for codes not used yet.
    codes: HashMap<String, String>,
    /// codes already exchanged.
    used: Vec<String>,
    /// errcodes to answer before behaving normally again.
    script: VecDeque<i64>,
    /// jscode2session calls received.
    calls: usize,
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
        let app = Router::new().route("/sns/jscode2session", get(code2session)).with_state(s);
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

    /// The next calls answer these errcodes, in order, before normal behaviour resumes.
    pub fn fail_next(&self, errcodes: &[i64]) {
        self.inner.lock().unwrap().script.extend(errcodes.iter().copied());
    }

    /// How many jscode2session calls arrived.
    pub fn calls(&self) -> usize {
        self.inner.lock().unwrap().calls
    }
}

fn text_json(v: serde_json::Value) -> impl IntoResponse {
    // WeChat really does send JSON as text/plain here.
    ([(header::CONTENT_TYPE, "text/plain")], v.to_string())
}

fn err(code: i64, msg: &str) -> serde_json::Value {
    json!({ "errcode": code, "errmsg": format!("{msg}, rid: 668f2aa4-51c08c03-3d141241") })
}

async fn code2session(State(s): State<S>, Query(q): Query<HashMap<String, String>>) -> impl IntoResponse {
    let mut inner = s.inner.lock().unwrap();
    inner.calls += 1;
    if let Some(code) = inner.script.pop_front() {
        let msg = match code {
            -1 => "system error",
            45011 => "api minute-quota reach limit mustslower retry next minute",
            40226 => "code blocked",
            _ => "scripted error",
        };
        return text_json(err(code, msg));
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
