//! The WeChat server API, behind a trait so tests and the demo can stand in a local fake.
//!
//! Facts followed here are in `shared/WECHAT.md`: errors come as HTTP 200 with an `errcode`, a missing errcode means
//! success, some bodies are `text/plain`, some numbers are strings, `-1` means busy. [`client::HttpWechat`] is the
//! real client; [`errors::WechatErr`] maps every errcode in one place; [`token::AccessTokens`] keeps the
//! access_token. The session_key, the secret and access tokens are never logged or returned.
pub mod client;
pub mod errors;
pub mod token;

use std::collections::BTreeMap;

pub use client::HttpWechat;
pub use errors::WechatErr;

use crate::config::Secret;
use crate::error::AppResult;

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

/// A user's phone number from getuserphonenumber.
#[derive(Debug, Clone)]
pub struct PhoneInfo {
    /// Without country code, e.g. `13580006666`.
    pub phone: String,
    /// e.g. `86`.
    pub country_code: String,
}

/// One subscribe message.
#[derive(Debug, Clone)]
pub struct SubscribeMessage {
    /// The recipient's openid.
    pub touser: String,
    /// The template.
    pub template_id: String,
    /// The mini-program page the message opens.
    pub page: Option<String>,
    /// Template key (`thing1`, `time2`, …) → value, already trimmed to WeChat's length rules.
    pub data: BTreeMap<String, String>,
    /// `formal`, `trial` or `developer`.
    pub state: String,
}

/// Where checked text appears (msg_sec_check's scene).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scene {
    /// A profile.
    Profile = 1,
    /// A comment.
    Comment = 2,
    /// A forum post (report descriptions).
    Forum = 3,
    /// A social log.
    SocialLog = 4,
}

/// WeChat's verdict on a text or a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suggest {
    /// Fine.
    Pass,
    /// Needs a person to look.
    Review,
    /// Violating.
    Risky,
}

/// The answer of msg_sec_check.
#[derive(Clone, Debug)]
pub struct SecVerdict {
    /// What WeChat suggests.
    pub suggest: Suggest,
    /// Its label (100 normal, 20001 politics, …).
    pub label: i64,
    /// WeChat's trace id.
    pub trace_id: Option<String>,
}

/// The WeChat calls the service makes.
#[async_trait::async_trait]
pub trait WechatApi: Send + Sync {
    /// `GET /sns/jscode2session`: exchanges a wx.login code for the user's openid.
    async fn code2session(&self, code: &str) -> AppResult<WechatSession>;
    /// `POST /wxa/business/getuserphonenumber`: exchanges a getPhoneNumber code for the user's phone.
    async fn phone_number(&self, code: &str) -> AppResult<PhoneInfo>;
    /// `POST /cgi-bin/message/subscribe/send`.
    async fn send_subscribe(&self, message: &SubscribeMessage) -> Result<(), WechatErr>;
    /// `POST /wxa/msg_sec_check` (version 2).
    async fn msg_sec_check(&self, openid: &str, scene: Scene, content: &str) -> Result<SecVerdict, WechatErr>;
    /// `POST /wxa/media_check_async` (version 2): returns the trace id the verdict will be pushed with.
    async fn media_check_async(&self, openid: &str, media_url: &str) -> Result<String, WechatErr>;
    /// `POST /wxa/getwxacodeunlimit`: the mini-program code (an image) that opens `page` with `scene`; the image's
    /// bytes, or the errcode WeChat answered instead (success is the image itself, failure JSON).
    async fn wxacode_unlimited(&self, scene: &str, page: &str, env_version: &str) -> Result<Vec<u8>, WechatErr>;
    /// How many access tokens this process fetched.
    fn token_fetches(&self) -> u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_key_is_not_in_debug_output() {
        let s = WechatSession { openid: "o".into(), unionid: None, session_key: Secret::new("HyVFkGl5F5OQ") };
        assert!(!format!("{s:?}").contains("HyVFkGl5F5OQ"));
    }
}
