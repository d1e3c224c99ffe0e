//! The WeChat server API, behind a trait so tests and the demo can stand in a local fake.
//!
//! Facts followed here (see `shared/WECHAT.md`): errors come as HTTP 200 with an `errcode`; a missing errcode means
//! success; `jscode2session` answers `text/plain`, so the body is parsed whatever its type; `-1` means busy and is
//! retried with backoff. The session_key is kept in a [`Secret`] and never logged or returned.
use std::time::Duration;

use serde::Deserialize;

use crate::config::{Config, Secret};
use crate::error::{AppError, AppResult};
use crate::msg;

/// What code2Session returns.
#[derive(Debug)]
pub struct WechatSession {
    /// The user's openid in this mini-program.
    pub openid: String,
    /// Present when the mini-program is bound to an Open Platform account.
    pub unionid: Option<String>,
    /// The session key; never logged, never returned to the client.
    pub session_key: Secret,
}

/// The WeChat calls the service makes.
#[async_trait::async_trait]
pub trait WechatApi: Send + Sync {
    /// `GET /sns/jscode2session`: exchanges a wx.login code for the user's openid.
    async fn code2session(&self, code: &str) -> AppResult<WechatSession>;
}

/// A WeChat error code, mapped in this one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WechatErr {
    /// -1: system busy, retry with backoff.
    Busy,
    /// 40029: invalid code.
    InvalidCode,
    /// 40163: code already used.
    CodeUsed,
    /// 40226: high-risk user blocked by WeChat.
    BlockedUser,
    /// 45011: per-user minute quota reached.
    RateLimited,
    /// 40013 / 40125: the configured app id or secret is wrong.
    BadCredentials,
    /// Anything else.
    Other(i64),
}

impl WechatErr {
    /// Maps a non-zero errcode.
    pub fn from_code(code: i64) -> Self {
        match code {
            -1 => WechatErr::Busy,
            40029 => WechatErr::InvalidCode,
            40163 => WechatErr::CodeUsed,
            40226 => WechatErr::BlockedUser,
            45011 => WechatErr::RateLimited,
            40013 | 40125 => WechatErr::BadCredentials,
            other => WechatErr::Other(other),
        }
    }

    /// What the client of our API sees.
    pub fn into_app_error(self) -> AppError {
        match self {
            WechatErr::InvalidCode | WechatErr::CodeUsed => AppError::bad_input(
                "code",
                msg!("登录凭证无效或已使用，请重新登录", "The login code is invalid or already used; log in again"),
            ),
            WechatErr::BlockedUser => AppError::Forbidden(msg!(
                "微信判定该账号存在风险，暂时无法登录",
                "WeChat has blocked this account as high-risk; it cannot log in for now"
            )),
            WechatErr::RateLimited => AppError::RateLimited(msg!(
                "登录过于频繁，请一分钟后再试",
                "Too many login attempts; try again in a minute"
            )),
            WechatErr::Busy | WechatErr::BadCredentials | WechatErr::Other(_) => AppError::Unavailable(msg!(
                "微信服务暂时不可用，请稍后重试",
                "WeChat is unavailable right now; please try again shortly"
            )),
        }
    }
}

/// Accepts a number that may arrive as a JSON string (WeChat does that for some fields).
pub(crate) fn de_lenient_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        I(i64),
        S(String),
    }
    match N::deserialize(d)? {
        N::I(i) => Ok(i),
        N::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

#[derive(Deserialize)]
struct Code2SessionBody {
    #[serde(default, deserialize_with = "de_lenient_i64")]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    openid: Option<String>,
    unionid: Option<String>,
    session_key: Option<String>,
}

/// The real client: reqwest against `WECHAT_API_BASE`.
pub struct HttpWechat {
    http: reqwest::Client,
    base: String,
    appid: String,
    secret: Secret,
    /// Delays before each retry of a `-1` answer.
    backoff: Vec<Duration>,
}

impl HttpWechat {
    /// A client configured from `config`.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.wechat_timeout)
            .connect_timeout(Duration::from_secs(3))
            .build()?;
        Ok(Self {
            http,
            base: config.wechat_api_base.clone(),
            appid: config.wechat_appid.clone(),
            secret: config.wechat_secret.clone(),
            backoff: vec![Duration::from_millis(100), Duration::from_millis(400)],
        })
    }

    async fn code2session_once(&self, code: &str) -> Result<WechatSession, WechatErr> {
        let url = format!("{}/sns/jscode2session", self.base);
        let resp = self
            .http
            .get(&url)
            .query(&[
                ("appid", self.appid.as_str()),
                ("secret", self.secret.expose()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .map_err(|e| {
                // reqwest errors carry the URL, which holds the secret: log without it.
                tracing::warn!(error = %e.without_url(), "code2session request failed");
                WechatErr::Busy
            })?;
        let status = resp.status();
        // The body is text/plain JSON: read bytes, parse whatever the content type says.
        let bytes = resp.bytes().await.map_err(|e| {
            tracing::warn!(error = %e.without_url(), "code2session body unreadable");
            WechatErr::Busy
        })?;
        if !status.is_success() {
            tracing::warn!(%status, "code2session answered a non-200 status");
            return Err(WechatErr::Busy);
        }
        let body: Code2SessionBody = serde_json::from_slice(&bytes).map_err(|e| {
            tracing::warn!(error = %e, "code2session answered something that is not its JSON");
            WechatErr::Other(0)
        })?;
        if body.errcode != 0 {
            let err = WechatErr::from_code(body.errcode);
            // errmsg holds only the error text and WeChat's rid, never the key.
            tracing::info!(errcode = body.errcode, errmsg = %body.errmsg, "code2session refused");
            if err == WechatErr::BadCredentials {
                tracing::error!("WeChat refused the configured WECHAT_APPID/WECHAT_SECRET");
            }
            return Err(err);
        }
        match (body.openid, body.session_key) {
            (Some(openid), Some(key)) if !openid.is_empty() => Ok(WechatSession {
                openid,
                unionid: body.unionid.filter(|u| !u.is_empty()),
                session_key: Secret::new(key),
            }),
            _ => {
                tracing::warn!("code2session success without openid or session_key");
                Err(WechatErr::Other(0))
            }
        }
    }
}

#[async_trait::async_trait]
impl WechatApi for HttpWechat {
    async fn code2session(&self, code: &str) -> AppResult<WechatSession> {
        let mut attempt = 0;
        loop {
            match self.code2session_once(code).await {
                Ok(s) => return Ok(s),
                Err(WechatErr::Busy) if attempt < self.backoff.len() => {
                    tokio::time::sleep(self.backoff[attempt]).await;
                    attempt += 1;
                }
                Err(e) => return Err(e.into_app_error()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_errcode_is_success_and_string_numbers_parse() {
        let b: Code2SessionBody = serde_json::from_str(r#"{"openid":"o1","session_key":"k"}"#).unwrap();
        assert_eq!(b.errcode, 0);
        let b: Code2SessionBody = serde_json::from_str(r#"{"errcode":"40029","errmsg":"invalid code"}"#).unwrap();
        assert_eq!(b.errcode, 40029);
    }

    #[test]
    fn errcodes_map_to_stable_codes() {
        assert_eq!(WechatErr::from_code(40029).into_app_error().code(), "BAD_USER_INPUT");
        assert_eq!(WechatErr::from_code(40163).into_app_error().code(), "BAD_USER_INPUT");
        assert_eq!(WechatErr::from_code(45011).into_app_error().code(), "RATE_LIMITED");
        assert_eq!(WechatErr::from_code(-1).into_app_error().code(), "UNAVAILABLE");
        assert_eq!(WechatErr::from_code(40226).into_app_error().code(), "FORBIDDEN");
        assert_eq!(WechatErr::from_code(99999), WechatErr::Other(99999));
    }

    #[test]
    fn session_key_is_not_in_debug_output() {
        let s = WechatSession { openid: "o".into(), unionid: None, session_key: Secret::new("HyVFkGl5F5OQ") };
        assert!(!format!("{s:?}").contains("HyVFkGl5F5OQ"));
    }
}
