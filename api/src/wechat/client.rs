//! The real client: reqwest against `WECHAT_API_BASE` (`https://api.weixin.qq.com` in production).
//!
//! Every answer goes through [`HttpWechat::send_json`]: the body is read as JSON whatever its content type
//! (`jscode2session` and the token endpoints send `text/plain`), a missing errcode means 0, an errcode given as a
//! string is read as a number. `-1` and transport failures are retried with backoff; a bad access token is
//! dropped and the call retried once. URLs carry the secret or the access token, so reqwest errors are logged
//! without their URL and no body is ever logged.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::WechatErr;
use super::token::{AccessTokens, Fetched};
use super::{PhoneInfo, Scene, SecVerdict, SubscribeMessage, Suggest, WechatApi, WechatSession};
use crate::cache::Cache;
use crate::config::{Config, Secret};
use crate::error::AppResult;

/// The real WeChat client.
pub struct HttpWechat {
    http: reqwest::Client,
    base: String,
    appid: String,
    secret: Secret,
    /// Delays before each retry of a busy answer.
    backoff: Vec<Duration>,
    tokens: AccessTokens,
}

/// Reads a number that may arrive as a JSON string; absent or null is 0.
fn lenient_i64(v: Option<&Value>) -> Option<i64> {
    match v {
        None | Some(Value::Null) => Some(0),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    }
}

/// Reads a string that may arrive as a JSON number.
fn lenient_string(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Checks a parsed answer's errcode (absent means success).
pub(crate) fn check_errcode(v: &Value, what: &'static str) -> Result<(), WechatErr> {
    let code = lenient_i64(v.get("errcode")).ok_or(WechatErr::Malformed)?;
    if code == 0 {
        return Ok(());
    }
    let err = WechatErr::from_code(code);
    // errmsg carries only the error text and WeChat's rid.
    let errmsg = v.get("errmsg").and_then(Value::as_str).unwrap_or_default();
    match err {
        WechatErr::BadCredentials => tracing::error!(api = what, errcode = code, "WeChat refused WECHAT_APPID/WECHAT_SECRET"),
        WechatErr::BadParameter => {
            tracing::error!(api = what, errcode = code, errmsg, "WeChat refused a parameter: check the template configuration")
        }
        _ => tracing::info!(api = what, errcode = code, errmsg, "WeChat refused the call"),
    }
    Err(err)
}

impl HttpWechat {
    /// A client configured from `config`, sharing its access token through `cache`.
    pub fn new(config: &Config, cache: Arc<dyn Cache>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.wechat_timeout)
            .connect_timeout(Duration::from_secs(3))
            .build()?;
        Ok(Self {
            http,
            base: config.wechat_api_base.trim_end_matches('/').to_owned(),
            appid: config.wechat_appid.clone(),
            secret: config.wechat_secret.clone(),
            backoff: vec![Duration::from_millis(100), Duration::from_millis(400)],
            tokens: AccessTokens::new(cache, &config.wechat_appid),
        })
    }

    /// Sends one request and returns its JSON answer, or the errcode it carried.
    async fn send_json(&self, req: reqwest::RequestBuilder, what: &'static str) -> Result<Value, WechatErr> {
        let resp = req.send().await.map_err(|e| {
            tracing::warn!(api = what, error = %e.without_url(), "WeChat call failed");
            WechatErr::Busy
        })?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| {
            tracing::warn!(api = what, error = %e.without_url(), "WeChat answer unreadable");
            WechatErr::Busy
        })?;
        if !status.is_success() {
            tracing::warn!(api = what, %status, "WeChat answered a non-200 status");
            return Err(WechatErr::Busy);
        }
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
            tracing::warn!(api = what, error = %e, "WeChat answered something that is not JSON");
            WechatErr::Malformed
        })?;
        check_errcode(&v, what)?;
        Ok(v)
    }

    /// Retries `call` with backoff while WeChat is busy.
    async fn retrying<F, Fut>(&self, mut call: F) -> Result<Value, WechatErr>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Value, WechatErr>>,
    {
        let mut attempt = 0;
        loop {
            match call().await {
                Err(WechatErr::Busy | WechatErr::Concurrent) if attempt < self.backoff.len() => {
                    tokio::time::sleep(self.backoff[attempt]).await;
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    /// `POST /cgi-bin/stable_token` in normal mode.
    async fn fetch_token(&self) -> Result<Fetched, WechatErr> {
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret.expose(),
            "force_refresh": false,
        });
        let url = format!("{}/cgi-bin/stable_token", self.base);
        let v = self.retrying(|| self.send_json(self.http.post(&url).json(&body), "stable_token")).await?;
        let token = v.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty()).ok_or(WechatErr::Malformed)?;
        let expires_in = lenient_i64(v.get("expires_in")).filter(|s| *s > 0).unwrap_or(7200);
        Ok(Fetched { token: token.to_owned(), expires_in })
    }

    /// A POST that needs the access token (in the query string only: in the body WeChat answers 47001). A token
    /// WeChat calls bad is dropped (if still cached) and the call retried once with a fresh one.
    async fn post_with_token(&self, path: &str, body: &Value, what: &'static str) -> Result<Value, WechatErr> {
        let url = format!("{}{path}", self.base);
        let mut token_retry = true;
        loop {
            let token = self.tokens.get(|| self.fetch_token()).await?;
            let r = self
                .retrying(|| self.send_json(self.http.post(&url).query(&[("access_token", token.as_str())]).json(body), what))
                .await;
            match r {
                Err(WechatErr::BadToken) if token_retry => {
                    token_retry = false;
                    self.tokens.invalidate(&token).await;
                }
                r => return r,
            }
        }
    }

    /// Tokens fetched by this process (for tests and metrics).
    pub fn token_fetches(&self) -> u64 {
        self.tokens.fetches()
    }
}

#[derive(Deserialize)]
struct PhoneBody {
    #[serde(rename = "purePhoneNumber")]
    pure: String,
    #[serde(rename = "countryCode")]
    country: Value,
}

#[async_trait::async_trait]
impl WechatApi for HttpWechat {
    async fn code2session(&self, code: &str) -> AppResult<WechatSession> {
        let url = format!("{}/sns/jscode2session", self.base);
        let query = [
            ("appid", self.appid.as_str()),
            ("secret", self.secret.expose()),
            ("js_code", code),
            ("grant_type", "authorization_code"),
        ];
        let v = self
            .retrying(|| self.send_json(self.http.get(&url).query(&query), "jscode2session"))
            .await
            .map_err(|e| e.into_app_error("code"))?;
        let openid = v.get("openid").and_then(Value::as_str).filter(|o| !o.is_empty());
        let key = v.get("session_key").and_then(Value::as_str);
        match (openid, key) {
            (Some(openid), Some(key)) => Ok(WechatSession {
                openid: openid.to_owned(),
                unionid: v.get("unionid").and_then(Value::as_str).filter(|u| !u.is_empty()).map(str::to_owned),
                session_key: Secret::new(key),
            }),
            _ => {
                tracing::warn!("jscode2session success without openid or session_key");
                Err(WechatErr::Malformed.into_app_error("code"))
            }
        }
    }

    async fn phone_number(&self, code: &str) -> AppResult<PhoneInfo> {
        let v = self
            .post_with_token("/wxa/business/getuserphonenumber", &json!({ "code": code }), "getuserphonenumber")
            .await
            .map_err(|e| e.into_app_error("code"))?;
        let info = v.get("phone_info").cloned().ok_or(WechatErr::Malformed).map_err(|e| e.into_app_error("code"))?;
        let p: PhoneBody = serde_json::from_value(info).map_err(|_| WechatErr::Malformed.into_app_error("code"))?;
        let country = lenient_string(Some(&p.country)).unwrap_or_else(|| "86".into());
        Ok(PhoneInfo { phone: p.pure, country_code: country })
    }

    async fn send_subscribe(&self, m: &SubscribeMessage) -> Result<(), WechatErr> {
        let data: BTreeMap<&str, Value> = m.data.iter().map(|(k, v)| (k.as_str(), json!({ "value": v }))).collect();
        let mut body = json!({
            "touser": m.touser,
            "template_id": m.template_id,
            "miniprogram_state": m.state,
            "lang": "zh_CN",
            "data": data,
        });
        if let Some(page) = &m.page {
            body["page"] = json!(page);
        }
        self.post_with_token("/cgi-bin/message/subscribe/send", &body, "subscribe_send").await.map(|_| ())
    }

    async fn msg_sec_check(&self, openid: &str, scene: Scene, content: &str) -> Result<SecVerdict, WechatErr> {
        let body = json!({ "version": 2, "openid": openid, "scene": scene as i32, "content": content });
        let v = self.post_with_token("/wxa/msg_sec_check", &body, "msg_sec_check").await?;
        let result = v.get("result").ok_or(WechatErr::Malformed)?;
        let suggest = match result.get("suggest").and_then(Value::as_str) {
            Some("pass") => Suggest::Pass,
            Some("review") => Suggest::Review,
            Some("risky") => Suggest::Risky,
            _ => return Err(WechatErr::Malformed),
        };
        Ok(SecVerdict {
            suggest,
            label: lenient_i64(result.get("label")).unwrap_or(0),
            trace_id: v.get("trace_id").and_then(Value::as_str).map(str::to_owned),
        })
    }

    async fn media_check_async(&self, openid: &str, media_url: &str) -> Result<String, WechatErr> {
        let body = json!({ "media_url": media_url, "media_type": 2, "version": 2, "scene": 2, "openid": openid });
        let v = self.post_with_token("/wxa/media_check_async", &body, "media_check_async").await?;
        v.get("trace_id").and_then(Value::as_str).map(str::to_owned).ok_or(WechatErr::Malformed)
    }

    async fn wxacode_unlimited(&self, scene: &str, page: &str, env_version: &str) -> Result<Vec<u8>, WechatErr> {
        let body = json!({ "scene": scene, "page": page, "check_path": env_version == "release", "env_version": env_version, "width": 430 });
        let url = format!("{}/wxa/getwxacodeunlimit", self.base);
        let mut token_retry = true;
        let mut attempt = 0;
        loop {
            let token = self.tokens.get(|| self.fetch_token()).await?;
            let r = self.send_image(self.http.post(&url).query(&[("access_token", token.as_str())]).json(&body)).await;
            match r {
                Err(WechatErr::BadToken) if token_retry => {
                    token_retry = false;
                    self.tokens.invalidate(&token).await;
                }
                Err(WechatErr::Busy | WechatErr::Concurrent) if attempt < self.backoff.len() => {
                    tokio::time::sleep(self.backoff[attempt]).await;
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    fn token_fetches(&self) -> u64 {
        self.tokens.fetches()
    }
}

impl HttpWechat {
    /// One call that answers an image on success and JSON on failure (getwxacodeunlimit): the body is looked at,
    /// never the status alone. A JSON body is an error even with errcode 0 (it is not an image).
    async fn send_image(&self, req: reqwest::RequestBuilder) -> Result<Vec<u8>, WechatErr> {
        const WHAT: &str = "getwxacodeunlimit";
        let resp = req.send().await.map_err(|e| {
            tracing::warn!(api = WHAT, error = %e.without_url(), "WeChat call failed");
            WechatErr::Busy
        })?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|_| WechatErr::Busy)?;
        if !status.is_success() {
            tracing::warn!(api = WHAT, %status, "WeChat answered a non-200 status");
            return Err(WechatErr::Busy);
        }
        if is_image(&bytes) {
            return Ok(bytes.to_vec());
        }
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| {
            tracing::warn!(api = WHAT, "WeChat answered neither an image nor JSON");
            WechatErr::Malformed
        })?;
        check_errcode(&v, WHAT)?;
        tracing::warn!(api = WHAT, "WeChat answered JSON without an errcode where an image was expected");
        Err(WechatErr::Malformed)
    }
}

/// Whether `b` starts as a PNG or a JPEG does (WeChat's two formats for a mini-program code).
fn is_image(b: &[u8]) -> bool {
    b.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) || b.starts_with(&[0xff, 0xd8, 0xff])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_errcode_is_success_and_string_numbers_parse() {
        assert!(check_errcode(&json!({ "openid": "o1", "session_key": "k" }), "t").is_ok());
        assert!(check_errcode(&json!({ "errcode": 0, "errmsg": "ok" }), "t").is_ok());
        assert_eq!(check_errcode(&json!({ "errcode": "40029", "errmsg": "invalid code" }), "t"), Err(WechatErr::InvalidCode));
        assert_eq!(check_errcode(&json!({ "errcode": 40001 }), "t"), Err(WechatErr::BadToken));
        assert_eq!(check_errcode(&json!({ "errcode": [1] }), "t"), Err(WechatErr::Malformed));
        assert_eq!(lenient_string(Some(&json!(86))).as_deref(), Some("86"));
        assert_eq!(lenient_string(Some(&json!("86"))).as_deref(), Some("86"));
    }
}
