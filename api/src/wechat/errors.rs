//! Every WeChat errcode the service can meet, mapped in this one place: what it means for the call (retry, refresh
//! the token, give up) and what the user of our API is told.
use crate::error::AppError;
use crate::msg;

/// A WeChat error, from a non-zero `errcode` or a failed call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WechatErr {
    /// -1, a timeout, a connection error or a non-200 status: busy or unreachable; retried with backoff.
    Busy,
    /// 40029: invalid code (login or phone code).
    InvalidCode,
    /// 40163: code already used.
    CodeUsed,
    /// 40226: high-risk user blocked by WeChat.
    BlockedUser,
    /// 45011: per-user minute quota reached.
    RateLimited,
    /// 40013 / 40125: the configured app id or secret is wrong.
    BadCredentials,
    /// 40001 / 40014 / 42001: the access_token is invalid, not the latest, or expired; drop it and retry once.
    BadToken,
    /// 40003: invalid openid.
    InvalidOpenid,
    /// 40037: invalid template_id.
    BadTemplate,
    /// 43101: the user has not subscribed, or the one-time quota is used up. Never retried.
    NoQuota,
    /// 43107: sending to this user is banned.
    Banned,
    /// 43108: concurrent sends to the same user; retried.
    Concurrent,
    /// 45168: the message holds a sensitive word.
    SensitiveWord,
    /// 47003: a parameter (usually a template value) is invalid: a template misconfiguration.
    BadParameter,
    /// 40129: bad scene (content check).
    BadScene,
    /// 44991 / 45009: per-minute or daily API limit of the app; retried later.
    AppQuota,
    /// 61010: the user has not used the mini-program in the last 2 hours (content check).
    UserInactive,
    /// The answer was not the JSON it should be.
    Malformed,
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
            40001 | 40014 | 42001 => WechatErr::BadToken,
            40003 => WechatErr::InvalidOpenid,
            40037 => WechatErr::BadTemplate,
            43101 => WechatErr::NoQuota,
            43107 => WechatErr::Banned,
            43108 => WechatErr::Concurrent,
            45168 => WechatErr::SensitiveWord,
            47003 => WechatErr::BadParameter,
            40129 => WechatErr::BadScene,
            44991 | 45009 => WechatErr::AppQuota,
            61010 => WechatErr::UserInactive,
            other => WechatErr::Other(other),
        }
    }

    /// Whether trying again later may succeed (a transient error). Used by the outbox and the content-check queue.
    pub fn is_transient(self) -> bool {
        matches!(self, WechatErr::Busy | WechatErr::Concurrent | WechatErr::AppQuota | WechatErr::BadToken | WechatErr::RateLimited)
    }

    /// What the client of our API sees when a call made for them fails. `field` names the argument that carried
    /// a WeChat code, if any.
    pub fn into_app_error(self, field: &'static str) -> AppError {
        match self {
            WechatErr::InvalidCode | WechatErr::CodeUsed => AppError::bad_input(
                field,
                msg!("微信凭证无效或已使用，请重新获取", "The WeChat code is invalid or already used; get a new one"),
            ),
            WechatErr::BlockedUser => AppError::forbidden_msg(msg!(
                "微信判定该账号存在风险，暂时无法登录",
                "WeChat has blocked this account as high-risk; it cannot log in for now"
            )),
            WechatErr::RateLimited => {
                AppError::RateLimited(msg!("操作过于频繁，请一分钟后再试", "Too many attempts; try again in a minute"))
            }
            _ => AppError::Unavailable(msg!(
                "微信服务暂时不可用，请稍后重试",
                "WeChat is unavailable right now; please try again shortly"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_map_to_stable_codes() {
        assert_eq!(WechatErr::from_code(40029).into_app_error("code").code(), "BAD_USER_INPUT");
        assert_eq!(WechatErr::from_code(40163).into_app_error("code").code(), "BAD_USER_INPUT");
        assert_eq!(WechatErr::from_code(45011).into_app_error("code").code(), "RATE_LIMITED");
        assert_eq!(WechatErr::from_code(-1).into_app_error("code").code(), "UNAVAILABLE");
        assert_eq!(WechatErr::from_code(40226).into_app_error("code").code(), "FORBIDDEN");
        assert_eq!(WechatErr::from_code(40013).into_app_error("code").code(), "UNAVAILABLE");
        assert_eq!(WechatErr::from_code(99999), WechatErr::Other(99999));
        for bad_token in [40001, 40014, 42001] {
            assert_eq!(WechatErr::from_code(bad_token), WechatErr::BadToken);
        }
        assert!(!WechatErr::from_code(43101).is_transient(), "43101 must never be retried");
        assert!(!WechatErr::from_code(47003).is_transient());
        assert!(WechatErr::from_code(-1).is_transient());
    }
}
