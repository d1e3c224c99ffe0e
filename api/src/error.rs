//! The one error type of the service layer, with the stable codes clients program against, and its one rendering.
//!
//! Messages are for people, in Chinese by default and English for `Accept-Language: en`; codes are for programs.
//! Every route renders an error through [`AppError::render`]: `/graphql` puts it in the GraphQL error's
//! `extensions`, the JSON routes (`/upload`, `/media`, `/export`, …) in `{"ok":false,"error":{…}}` with the
//! matching HTTP status. Internal errors are logged there (inside the request's span, so with its request id) and
//! reach the client only as a generic message and the request id.
use std::borrow::Cow;
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};

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

    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
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

/// The language a client reads messages in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Chinese, the default.
    #[default]
    Zh,
    /// English (`Accept-Language: en…`).
    En,
}

/// Every way a request can fail, as the client sees it.
#[derive(Clone, Debug)]
pub enum AppError {
    /// `UNAUTHENTICATED`: no token, or an expired, tampered or revoked one. The client logs in or refreshes.
    Unauthenticated(Msg),
    /// `FORBIDDEN`: the user is known but may not do this; `extensions.reason` says which rule said no, where that
    /// helps a client (see [`Denied`]).
    Forbidden {
        /// What is wrong.
        msg: Msg,
        /// The rule that refused, when one is named.
        reason: Option<Denied>,
    },
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
    /// `RATE_LIMITED` by our own limiter (`service/ratelimit.rs`): `extensions.retryAfter` (and `Retry-After` on the
    /// plain routes) says how many seconds to wait.
    Throttled {
        /// Seconds until the request would be allowed.
        retry_after: u64,
        /// What is wrong.
        msg: Msg,
    },
    /// A document limit (`graphql/limits.rs`, the batch size): refused before anything runs.
    Limit(Limit),
    /// Automatic persisted queries (`graphql/apq.rs`).
    PersistedQuery(crate::graphql::apq::PqError),
    /// `UNAVAILABLE`: a dependency (WeChat, the database) is unreachable; try again later.
    Unavailable(Msg),
    /// A business rule said no, with a code of its own so the client can tell the cases apart (see [`Refusal`]).
    Refused(Refusal, Msg),
    /// `INTERNAL`: a bug or an unexpected failure; logged with the request id, never shown.
    Internal(Arc<anyhow::Error>),
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
    /// `PAYLOAD_TOO_LARGE` (HTTP 413): an uploaded file over the limit.
    PayloadTooLarge,
    /// `UNSUPPORTED_MEDIA_TYPE` (HTTP 415): an uploaded file of a kind that is not accepted.
    UnsupportedMediaType,
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
            Refusal::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Refusal::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Refusal::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Refusal::SoldOut
            | Refusal::LimitReached
            | Refusal::InsufficientPoints
            | Refusal::NotEligible
            | Refusal::PackageEnded
            | Refusal::OutsideValidity
            | Refusal::AlreadyVoted
            | Refusal::VotingClosed => StatusCode::CONFLICT,
        }
    }

    /// The input a refusal is about, when it is about one (an uploaded file).
    fn field(self) -> Option<&'static str> {
        matches!(self, Refusal::PayloadTooLarge | Refusal::UnsupportedMediaType).then_some("file")
    }
}

/// A limit on the shape of a GraphQL request, each with its own code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Limit {
    /// `TOO_MANY_ALIASES`: one field asked for under more than `max` aliases in one selection.
    Aliases {
        /// The field.
        field: String,
        /// The limit.
        max: usize,
    },
    /// `TOO_MANY_FIELDS`: more than `max` fields once fragments are expanded.
    Fields {
        /// The limit.
        max: usize,
    },
    /// `BATCH_TOO_LARGE`: more than `max` operations in one batch.
    Batch {
        /// The limit.
        max: usize,
    },
    /// `TOO_MANY_SUBSCRIPTIONS`: a socket or a user has `max` subscriptions open already.
    Subscriptions {
        /// The limit.
        max: usize,
    },
    /// `QUERY_TOO_DEEP`: nested deeper than the schema allows (async-graphql's depth or recursion limit).
    Depth,
    /// `QUERY_TOO_COMPLEX`: over the complexity limit.
    Complexity,
    /// `TOO_MANY_DIRECTIVES`: more directives on one field than allowed.
    Directives,
}

impl Limit {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Limit::Aliases { .. } => "TOO_MANY_ALIASES",
            Limit::Fields { .. } => "TOO_MANY_FIELDS",
            Limit::Batch { .. } => "BATCH_TOO_LARGE",
            Limit::Subscriptions { .. } => "TOO_MANY_SUBSCRIPTIONS",
            Limit::Depth => "QUERY_TOO_DEEP",
            Limit::Complexity => "QUERY_TOO_COMPLEX",
            Limit::Directives => "TOO_MANY_DIRECTIVES",
        }
    }

    /// The message for people.
    pub fn message(&self) -> Msg {
        match self {
            Limit::Aliases { field, max } => msg!(
                "同一字段 {} 最多可用 {} 个别名",
                "The field {} may be asked for under at most {} aliases",
                field,
                max
            ),
            Limit::Fields { max } => msg!("一次请求最多 {} 个字段（含片段展开）", "A request may select at most {} fields, fragments expanded", max),
            Limit::Batch { max } => msg!("一次批量请求最多 {} 个操作", "A batch may hold at most {} operations", max),
            Limit::Subscriptions { max } => msg!("订阅数已达上限 {}", "At most {} subscriptions may be open", max),
            Limit::Depth => msg!("查询嵌套过深", "The query is nested too deep"),
            Limit::Complexity => msg!("查询过于复杂", "The query is too complex"),
            Limit::Directives => msg!("字段上的指令过多", "Too many directives on one field"),
        }
    }

    /// The engine's own limit behind one of its messages (async-graphql 7 refuses with these texts).
    pub fn of_engine_message(m: &str) -> Option<Limit> {
        if m == "Query is nested too deep." || m.starts_with("The recursion depth of the query") {
            Some(Limit::Depth)
        } else if m == "Query is too complex." {
            Some(Limit::Complexity)
        } else if m.starts_with("The number of directives on the field") {
            Some(Limit::Directives)
        } else {
            None
        }
    }
}

/// Which named permission rule refused (`extensions.reason` of a FORBIDDEN). Clients may use it to say more than
/// "not allowed", e.g. which office to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// `NOT_ADMIN_OF_DISTRICT`: the caller administers no district above the object.
    NotAdminOfDistrict,
    /// `NOT_ADMIN_OF_STREET`: the caller administers neither the street nor the district above the object.
    NotAdminOfStreet,
    /// `NOT_ADMIN_OF_COMMUNITY`: the caller administers neither the community nor the street or district above.
    NotAdminOfCommunity,
    /// `NOT_ADMIN_WHERE_COMPANY_WORKS`: a company's staff are appointed by an admin over every compound it
    /// manages (so no admin reaches beyond their own scope through a company).
    NotAdminWhereCompanyWorks,
    /// `SELF_APPOINTMENT`: nobody appoints themself to anything.
    SelfAppointment,
    /// `NOT_A_HEAD_OR_ADMIN`: only heads and community admins have a task inbox.
    NotAHeadOrAdmin,
    /// `NOT_PROPERTY_STAFF`: only property staff have a ticket queue.
    NotPropertyStaff,
    /// `NOT_MERCHANT_STAFF`: only a merchant's staff verify its codes.
    NotMerchantStaff,
    /// `NOT_A_PARTY`: the caller has no part in this report that allows this action.
    NotAParty,
    /// `NO_CONSOLE_ROLE`: the console is for property staff, heads and admins; a resident has nothing there.
    NoConsoleRole,
}

impl Denied {
    /// The stable reason code.
    pub fn code(self) -> &'static str {
        match self {
            Denied::NotAdminOfDistrict => "NOT_ADMIN_OF_DISTRICT",
            Denied::NotAdminOfStreet => "NOT_ADMIN_OF_STREET",
            Denied::NotAdminOfCommunity => "NOT_ADMIN_OF_COMMUNITY",
            Denied::NotAdminWhereCompanyWorks => "NOT_ADMIN_WHERE_COMPANY_WORKS",
            Denied::SelfAppointment => "SELF_APPOINTMENT",
            Denied::NotAHeadOrAdmin => "NOT_A_HEAD_OR_ADMIN",
            Denied::NotPropertyStaff => "NOT_PROPERTY_STAFF",
            Denied::NotMerchantStaff => "NOT_MERCHANT_STAFF",
            Denied::NotAParty => "NOT_A_PARTY",
            Denied::NoConsoleRole => "NO_CONSOLE_ROLE",
        }
    }

    /// The message for people.
    pub fn message(self) -> Msg {
        match self {
            Denied::NotAdminOfDistrict => msg!("只有区管理员可以执行此操作", "Only an admin of the district may do this"),
            Denied::NotAdminOfStreet => {
                msg!("只有该街道或区的管理员可以执行此操作", "Only an admin of the street or the district may do this")
            }
            Denied::NotAdminOfCommunity => msg!(
                "只有该社区、街道或区的管理员可以执行此操作",
                "Only an admin of the community, its street or its district may do this"
            ),
            Denied::NotAdminWhereCompanyWorks => msg!(
                "物业人员由其所管全部小区的上级管理员任命，请联系街道或区管理员",
                "A company's staff are appointed by an admin over every compound it manages; ask the street or district office"
            ),
            Denied::SelfAppointment => msg!("不能任命自己", "Nobody may appoint themself"),
            Denied::NotAHeadOrAdmin => msg!(
                "任务箱只对邻长、组长、片长和社区管理员开放",
                "The task inbox is for neighbour, group and area heads and community admins"
            ),
            Denied::NotPropertyStaff => msg!("工单队列只对物业人员开放", "The ticket queue is for property staff"),
            Denied::NotMerchantStaff => msg!("只有商户人员可以核销兑换码", "Only a merchant's staff verify redemption codes"),
            Denied::NotAParty => msg!("您没有权限执行此操作", "You are not allowed to do this"),
            Denied::NoConsoleRole => msg!(
                "管理后台供物业、邻长和管理员使用，您的账号暂无相关职务",
                "The console is for property staff, heads and admins; this account holds none of those roles"
            ),
        }
    }
}

/// Result of a service function.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The stable code put in `extensions.code` (or `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden { .. } => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) | AppError::StatusConflict { .. } => "CONFLICT",
            AppError::RateLimited(_) | AppError::Throttled { .. } => "RATE_LIMITED",
            AppError::Limit(l) => l.code(),
            AppError::PersistedQuery(p) => match p {
                crate::graphql::apq::PqError::NotFound => "PERSISTED_QUERY_NOT_FOUND",
                crate::graphql::apq::PqError::NotSupported => "PERSISTED_QUERY_NOT_SUPPORTED",
                crate::graphql::apq::PqError::Mismatch => "BAD_USER_INPUT",
            },
            AppError::Unavailable(_) => "UNAVAILABLE",
            AppError::Refused(r, _) => r.code(),
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status of the JSON routes' answer.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) | AppError::StatusConflict { .. } => StatusCode::CONFLICT,
            AppError::Refused(r, _) => r.status(),
            AppError::RateLimited(_) | AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Limit(_) | AppError::PersistedQuery(_) => StatusCode::BAD_REQUEST,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A bad input on `field`.
    pub fn bad_input(field: impl Into<Cow<'static, str>>, msg: Msg) -> Self {
        AppError::BadInput { field: field.into(), msg }
    }

    /// An internal error (logged, never shown).
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(Arc::new(e.into()))
    }

    /// The standard "you must log in" error.
    pub fn login_required() -> Self {
        AppError::Unauthenticated(msg!("请先登录", "Please log in first"))
    }

    /// The standard refusal.
    pub fn forbidden() -> Self {
        AppError::forbidden_msg(msg!("您没有权限执行此操作", "You are not allowed to do this"))
    }

    /// A refusal with its own message and no named rule.
    pub fn forbidden_msg(msg: Msg) -> Self {
        AppError::Forbidden { msg, reason: None }
    }

    /// A refusal by a named rule.
    pub fn denied(reason: Denied) -> Self {
        AppError::Forbidden { msg: reason.message(), reason: Some(reason) }
    }

    /// The standard "not found" for a kind of object (given in both languages).
    pub fn not_found(zh: &'static str, en: &'static str) -> Self {
        AppError::NotFound(Msg::new(format!("{zh}不存在或您无权查看"), format!("{en} not found, or you may not see it")))
    }

    /// A refusal about an object the caller found by its ID, as the object's absence: a caller who may not act on
    /// it learns nothing of it (FORBIDDEN becomes `not_found()`; every other error stays).
    pub fn hiding(self, not_found: impl FnOnce() -> AppError) -> AppError {
        match self {
            AppError::Forbidden { .. } => not_found(),
            e => e,
        }
    }

    /// The message for people, in both languages.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Unauthenticated(m)
            | AppError::Forbidden { msg: m, .. }
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::RateLimited(m)
            | AppError::Unavailable(m)
            | AppError::BadInput { msg: m, .. }
            | AppError::Refused(_, m)
            | AppError::StatusConflict { msg: m, .. }
            | AppError::Throttled { msg: m, .. } => m.clone(),
            AppError::Limit(l) => l.message(),
            // Apollo's clients match these messages, so they are not translated.
            AppError::PersistedQuery(p) => match p {
                crate::graphql::apq::PqError::NotFound => msg!("PersistedQueryNotFound", "PersistedQueryNotFound"),
                crate::graphql::apq::PqError::NotSupported => msg!("PersistedQueryNotSupported", "PersistedQueryNotSupported"),
                crate::graphql::apq::PqError::Mismatch => msg!("persistedQuery 的 sha256Hash 与查询不符", "provided sha does not match query"),
            },
            AppError::Internal(_) => msg!("服务器内部错误，请稍后重试", "Internal server error, please try again later"),
        }
    }

    /// Turns a unique-constraint violation of `constraint` into `to`; any other database error stays internal.
    /// A constraint is recognised by its name on PostgreSQL and by its columns on SQLite (whose message names the
    /// columns, not the index).
    pub fn on_constraint(e: sea_orm::DbErr, constraint: &Constraint, to: impl FnOnce() -> AppError) -> AppError {
        if constraint.matches(&e) { to() } else { e.into() }
    }

    /// The one rendering of this error for a client reading `lang`: the error object every route sends (GraphQL
    /// puts these members under `extensions`, except the message). Internal errors are logged here, once.
    pub fn render(&self, lang: Lang, request_id: &str) -> Rendered {
        if let AppError::Internal(inner) = self {
            // Inside the request's span, which carries the request id; the client sees a generic message.
            tracing::error!(error = %format!("{inner:#}"), "internal error");
        }
        let mut ext = serde_json::Map::new();
        ext.insert("code".into(), json!(self.code()));
        match self {
            AppError::BadInput { field, .. } => {
                ext.insert("field".into(), json!(field));
            }
            AppError::Refused(r, _) => {
                if let Some(f) = r.field() {
                    ext.insert("field".into(), json!(f));
                }
            }
            AppError::StatusConflict { current, .. } => {
                ext.insert("currentStatus".into(), json!(current));
            }
            AppError::Forbidden { reason: Some(r), .. } => {
                ext.insert("reason".into(), json!(r.code()));
            }
            AppError::Internal(_) => {
                ext.insert("requestId".into(), json!(request_id));
            }
            AppError::Throttled { retry_after, .. } => {
                ext.insert("retryAfter".into(), json!(retry_after));
            }
            AppError::Limit(Limit::Aliases { field, max }) => {
                ext.insert("field".into(), json!(field));
                ext.insert("limit".into(), json!(max));
            }
            AppError::Limit(Limit::Fields { max } | Limit::Batch { max } | Limit::Subscriptions { max }) => {
                ext.insert("limit".into(), json!(max));
            }
            AppError::Limit(Limit::Depth | Limit::Complexity | Limit::Directives) => {}
            AppError::PersistedQuery(crate::graphql::apq::PqError::Mismatch) => {
                ext.insert("field".into(), json!("extensions.persistedQuery.sha256Hash"));
            }
            AppError::PersistedQuery(_) => {}
            AppError::Unauthenticated(_)
            | AppError::Forbidden { reason: None, .. }
            | AppError::NotFound(_)
            | AppError::Conflict(_)
            | AppError::RateLimited(_)
            | AppError::Unavailable(_) => {}
        }
        Rendered { status: self.status(), message: self.message().text(lang).to_owned(), extensions: ext }
    }
}

/// An error as a client sees it: [`AppError::render`]'s result.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The HTTP status (JSON routes; GraphQL answers 200).
    pub status: StatusCode,
    /// The message in the client's language.
    pub message: String,
    /// `code`, and `field`, `currentStatus`, `reason` or `requestId` where they apply.
    pub extensions: serde_json::Map<String, Value>,
}

impl Rendered {
    /// The body of the JSON routes: `{"ok":false,"error":{"code":…,"message":…,…}}`.
    pub fn json_body(&self) -> Value {
        let mut e = self.extensions.clone();
        e.insert("message".into(), json!(self.message));
        json!({ "ok": false, "error": e })
    }
}

/// A unique constraint, as the migrations named it and as SQLite's message describes it.
pub struct Constraint {
    /// The index name (`ux_street_district_id_name`), which PostgreSQL's message quotes.
    pub name: &'static str,
    /// `table.column` for each column, which SQLite's message lists (`UNIQUE constraint failed: a.b, a.c`).
    pub columns: &'static str,
}

impl Constraint {
    /// Whether `e` is a violation of this constraint.
    pub fn matches(&self, e: &sea_orm::DbErr) -> bool {
        match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) => {
                m.contains(&format!("\"{}\"", self.name)) || m.ends_with(self.columns)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The cause is for the log only (through `source()`); a display never carries it.
            AppError::Internal(_) => write!(f, "INTERNAL: internal error"),
            other => write!(f, "{}: {}", other.code(), other.message().en),
        }
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AppError::Internal(e) => Some(e.as_ref().as_ref()),
            _ => None,
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(Arc::new(e))
    }
}

impl From<sea_orm::DbErr> for AppError {
    /// A database that cannot be reached (restarting, failing over, the pool exhausted past its timeout) is
    /// UNAVAILABLE: the client retries. Anything else the database says is a bug here: INTERNAL.
    fn from(e: sea_orm::DbErr) -> Self {
        if db_unreachable(&e) {
            tracing::warn!(error = %e, "database unreachable");
            return AppError::Unavailable(msg!("数据库暂时不可用，请稍后重试", "The database is unavailable for a moment; please try again"));
        }
        AppError::internal(e)
    }
}

/// Whether `e` says the database could not be reached, as opposed to refusing a statement.
pub fn db_unreachable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx::Error as S};
    let runtime = |r: &RuntimeErr| match r {
        RuntimeErr::SqlxError(x) => match &**x {
            S::Io(_) | S::PoolTimedOut | S::PoolClosed | S::Tls(_) | S::Protocol(_) | S::WorkerCrashed => true,
            // SQLSTATE class 08 (connection exception), 57P01-57P03 (the server is shutting down or restarting).
            S::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
            _ => false,
        },
        _ => false,
    };
    match e {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => runtime(r),
        _ => false,
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

// `AppError` implements `Display`, so async-graphql's own `From<T: Display>` turns it into a GraphQL error that keeps
// it as its source; the HTTP layer renders it from there with `AppError::render`, in the client's language.

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e = AppError::internal(anyhow::anyhow!("relation \"app_user\" does not exist"));
        let r = e.render(Lang::En, "req-1");
        assert!(!r.message.contains("app_user"));
        assert!(!e.to_string().contains("app_user"), "Display never carries the cause");
        assert_eq!(r.extensions["code"], "INTERNAL");
        assert_eq!(r.extensions["requestId"], "req-1");
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(std::error::Error::source(&e).is_some_and(|s| s.to_string().contains("app_user")), "the log keeps it");
    }

    #[test]
    fn bad_input_names_its_field_in_both_languages() {
        let e = AppError::bad_input("name", msg!("名称不能为空", "name must not be empty"));
        assert_eq!(e.render(Lang::Zh, "-").message, "名称不能为空");
        let r = e.render(Lang::En, "-");
        assert_eq!(r.message, "name must not be empty");
        assert_eq!(r.extensions["field"], "name");
        assert_eq!(r.json_body()["error"]["field"], "name");
        assert_eq!(r.json_body()["ok"], false);
    }

    #[test]
    fn a_named_rule_travels_as_the_reason() {
        let r = AppError::denied(Denied::SelfAppointment).render(Lang::En, "-");
        assert_eq!((r.extensions["code"].as_str(), r.extensions["reason"].as_str()), (Some("FORBIDDEN"), Some("SELF_APPOINTMENT")));
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(AppError::forbidden().render(Lang::En, "-").extensions.get("reason").is_none());
    }

    #[test]
    fn an_unreachable_database_is_unavailable_not_internal() {
        let e: AppError = sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout).into();
        assert_eq!(e.code(), "UNAVAILABLE");
        let io = sea_orm::sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"));
        let e: AppError = sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(Arc::new(io))).into();
        assert_eq!(e.code(), "UNAVAILABLE");
        let e: AppError = sea_orm::DbErr::RecordNotFound("x".into()).into();
        assert_eq!(e.code(), "INTERNAL");
    }

    #[test]
    fn a_graphql_error_keeps_the_app_error_for_the_rendering() {
        let e: async_graphql::Error = AppError::NotFound(msg!("无", "none")).into();
        let server = e.into_server_error(async_graphql::Pos::default());
        assert_eq!(server.source::<AppError>().map(AppError::code), Some("NOT_FOUND"));
    }
}
