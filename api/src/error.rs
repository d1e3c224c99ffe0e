//! The one error type of the service layer, with the stable codes clients program against.
//!
//! Messages are for people, in Chinese by default and English for `Accept-Language: en`; codes are for programs.
//! Internal errors are logged (inside the request's span, so with its request id) and reach the client only as
//! a generic message.
use std::borrow::Cow;

use async_graphql::ErrorExtensions;

/// A message in both languages the API speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// Chinese, the default.
    pub zh: Cow<'static, str>,
    /// English, for `Accept-Language: en`.
    pub en: Cow<'static, str>,
}

impl Msg {
    /// A message from two texts.
    pub fn new(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }
}

/// `msg!("中文", "English")`, or with format arguments on both sides.
#[macro_export]
macro_rules! msg {
    ($zh:literal, $en:literal) => {
        $crate::error::Msg::new($zh, $en)
    };
    ($zh:literal, $en:literal, $($arg:tt)*) => {
        $crate::error::Msg::new(format!($zh, $($arg)*), format!($en, $($arg)*))
    };
}

/// Every way a request can fail, as the client sees it.
#[derive(Debug)]
pub enum AppError {
    /// `UNAUTHENTICATED`: no token, or an expired, tampered or revoked one. The client logs in or refreshes.
    Unauthenticated(Msg),
    /// `FORBIDDEN`: the user is known but may not do this.
    Forbidden(Msg),
    /// `NOT_FOUND`: no such object, or one the user may not know exists.
    NotFound(Msg),
    /// `BAD_USER_INPUT`: an input is wrong; `field` names which one.
    BadInput {
        /// The offending argument or input field, as named in the schema.
        field: Cow<'static, str>,
        /// What is wrong and what to do.
        msg: Msg,
    },
    /// `CONFLICT`: the object is not in a state that allows this (already done, taken, changed meanwhile).
    Conflict(Msg),
    /// `CONFLICT` on an object with a status: `extensions.currentStatus` tells the client what it is now.
    StatusConflict {
        /// The object's status now.
        current: String,
        /// What is wrong.
        msg: Msg,
    },
    /// `RATE_LIMITED`: too many attempts; try again later.
    RateLimited(Msg),
    /// `UNAVAILABLE`: a dependency (WeChat, the database) is unreachable; try again later.
    Unavailable(Msg),
    /// A business rule said no, with a code of its own so the client can tell the cases apart (see [`Refusal`]).
    Refused(Refusal, Msg),
    /// `INTERNAL`: a bug or an unexpected failure; logged with the request id, never shown.
    Internal(anyhow::Error),
}

/// The business refusals that have codes of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `SOLD_OUT`: no stock left.
    SoldOut,
    /// `LIMIT_REACHED`: the per-person limit is used up.
    LimitReached,
    /// `INSUFFICIENT_POINTS`: the balance is too low.
    InsufficientPoints,
    /// `NOT_ELIGIBLE`: the user's roles or place do not qualify.
    NotEligible,
    /// `PACKAGE_ENDED`: the package is not (or no longer) active.
    PackageEnded,
    /// `OUTSIDE_VALIDITY`: before or after the package's validity window.
    OutsideValidity,
    /// `ALREADY_VOTED`: one vote per period.
    AlreadyVoted,
    /// `VOTING_CLOSED`: the period is not open.
    VotingClosed,
}

impl Refusal {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::SoldOut => "SOLD_OUT",
            Refusal::LimitReached => "LIMIT_REACHED",
            Refusal::InsufficientPoints => "INSUFFICIENT_POINTS",
            Refusal::NotEligible => "NOT_ELIGIBLE",
            Refusal::PackageEnded => "PACKAGE_ENDED",
            Refusal::OutsideValidity => "OUTSIDE_VALIDITY",
            Refusal::AlreadyVoted => "ALREADY_VOTED",
            Refusal::VotingClosed => "VOTING_CLOSED",
        }
    }
}

/// Result of a service function.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The stable code put in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) | AppError::StatusConflict { .. } => "CONFLICT",
            AppError::RateLimited(_) => "RATE_LIMITED",
            AppError::Unavailable(_) => "UNAVAILABLE",
            AppError::Refused(r, _) => r.code(),
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// A bad input on `field`.
    pub fn bad_input(field: impl Into<Cow<'static, str>>, msg: Msg) -> Self {
        AppError::BadInput { field: field.into(), msg }
    }

    /// The standard "you must log in" error.
    pub fn login_required() -> Self {
        AppError::Unauthenticated(msg!("请先登录", "Please log in first"))
    }

    /// The standard refusal.
    pub fn forbidden() -> Self {
        AppError::Forbidden(msg!("您没有权限执行此操作", "You are not allowed to do this"))
    }

    /// The standard "not found" for a kind of object (given in both languages).
    pub fn not_found(zh: &'static str, en: &'static str) -> Self {
        AppError::NotFound(Msg::new(format!("{zh}不存在或您无权查看"), format!("{en} not found, or you may not see it")))
    }

    /// The message for people, in both languages.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Unauthenticated(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::RateLimited(m)
            | AppError::Unavailable(m)
            | AppError::BadInput { msg: m, .. }
            | AppError::Refused(_, m)
            | AppError::StatusConflict { msg: m, .. } => m.clone(),
            AppError::Internal(_) => msg!("服务器内部错误，请稍后重试", "Internal server error, please try again later"),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

/// The extension key under which the English message travels until the HTTP layer picks the language.
pub const EN_MESSAGE_KEY: &str = "messageEn";

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        if let AppError::Internal(inner) = &e {
            // Logged inside the request span, which carries the request id; the client sees a generic message.
            tracing::error!(error = %format!("{inner:#}"), "internal error");
        }
        let m = e.message();
        let code = e.code();
        let field = match &e {
            AppError::BadInput { field, .. } => Some(field.to_string()),
            _ => None,
        };
        let current = match &e {
            AppError::StatusConflict { current, .. } => Some(current.clone()),
            _ => None,
        };
        async_graphql::Error::new(m.zh.into_owned()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(f) = field {
                ext.set("field", f);
            }
            if let Some(c) = current {
                ext.set("currentStatus", c);
            }
            ext.set(EN_MESSAGE_KEY, m.en.into_owned());
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e: async_graphql::Error = AppError::Internal(anyhow::anyhow!("relation \"app_user\" does not exist")).into();
        assert!(!e.message.contains("app_user"));
        let ext = e.extensions.unwrap();
        assert_eq!(ext.get("code"), Some(&async_graphql::Value::from("INTERNAL")));
        assert!(!format!("{:?}", ext.get(EN_MESSAGE_KEY)).contains("relation"));
    }

    #[test]
    fn bad_input_names_its_field_in_both_languages() {
        let e: async_graphql::Error = AppError::bad_input("name", msg!("名称不能为空", "name must not be empty")).into();
        assert_eq!(e.message, "名称不能为空");
        let ext = e.extensions.unwrap();
        assert_eq!(ext.get("field"), Some(&async_graphql::Value::from("name")));
        assert_eq!(ext.get(EN_MESSAGE_KEY), Some(&async_graphql::Value::from("name must not be empty")));
    }
}
