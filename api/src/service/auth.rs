//! Logging in with WeChat (or a dev name), rotating refresh tokens with theft detection, logging out.
use chrono::{Duration, Utc};
use entity::{app_user, refresh_token};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr, sea_query::Expr,
};
use uuid::Uuid;

use crate::auth::tokens::{hash_refresh_token, new_refresh_token};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::msg;
use crate::state::AppState;

/// What a successful login or refresh returns.
#[derive(Debug)]
pub struct Session {
    /// The JWT access token.
    pub access_token: String,
    /// Its lifetime in seconds.
    pub expires_in: i64,
    /// The refresh token (shown once; only its hash is stored).
    pub refresh_token: String,
    /// The user.
    pub user: app_user::Model,
}

/// The prefix of a dev login code.
pub const DEV_PREFIX: &str = "dev:";

/// `loginWithWechat(code)`: exchanges a wx.login code (or, in dev mode, `dev:<name>`) for tokens, creating the
/// user on first login.
pub async fn login(state: &AppState, code: &str) -> AppResult<Session> {
    let user = user_for_code(state, code).await?;
    issue_session(state, user, new_id()).await
}

/// The user a login code stands for (created on first login): a wx.login code through code2Session, or in dev mode
/// `dev:<name>`. The mini-program's login and the console's dev login both come here.
pub async fn user_for_code(state: &AppState, code: &str) -> AppResult<app_user::Model> {
    let code = code.trim();
    let (openid, unionid, nickname) = if let Some(name) = code.strip_prefix(DEV_PREFIX) {
        if !state.config.is_dev() {
            return Err(AppError::forbidden_msg(msg!(
                "生产环境不允许开发登录",
                "Dev login is disabled in production mode"
            )));
        }
        if name.is_empty() || name.len() > 32 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(AppError::bad_input(
                "code",
                msg!("开发登录名只能是 1–32 个字母、数字、“-”或“_”", "A dev login name is 1-32 letters, digits, '-' or '_'"),
            ));
        }
        (format!("{DEV_PREFIX}{name}"), None, name.to_owned())
    } else {
        if code.is_empty() || code.len() > 128 {
            return Err(AppError::bad_input("code", msg!("登录凭证格式不正确", "The login code is malformed")));
        }
        let s = state.wechat.code2session(code).await?;
        // session_key stays inside `s` and is dropped here: nothing this API does needs it yet.
        (s.openid, s.unionid, "微信用户".to_owned())
    };
    find_or_create_user(state, &openid, unionid, &nickname).await
}

/// `bindPhone(code)`: exchanges the code from the mini-program's getPhoneNumber button (in dev mode also
/// `dev:<digits>`) for the user's phone number and stores it. Binding again replaces it.
pub async fn bind_phone(state: &AppState, actor: &crate::auth::Actor, code: &str) -> AppResult<app_user::Model> {
    let user = actor.user_id()?;
    let code = code.trim();
    let phone = if let Some(digits) = code.strip_prefix(DEV_PREFIX) {
        if !state.config.is_dev() {
            return Err(AppError::forbidden_msg(msg!("生产环境不允许开发手机号", "Dev phone codes are disabled in production mode")));
        }
        digits.to_owned()
    } else {
        if code.is_empty() || code.len() > 128 || !code.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::bad_input("code", msg!("手机号凭证格式不正确", "The phone code is malformed")));
        }
        state.wechat.phone_number(code).await?.phone
    };
    if !(5..=20).contains(&phone.len()) || !phone.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::bad_input("code", msg!("手机号格式不正确", "That is not a phone number")));
    }
    let am = app_user::ActiveModel { id: Set(user), phone: Set(Some(phone)), ..Default::default() };
    let mut change = crate::service::events::Change::begin(state, Some(user)).await?;
    let row = am.update(change.db()).await?;
    change.emit(crate::service::events::DomainEvent::PhoneBound { user }).await?;
    change.commit().await?;
    Ok(row)
}

async fn find_or_create_user(
    state: &AppState,
    openid: &str,
    unionid: Option<String>,
    nickname: &str,
) -> AppResult<app_user::Model> {
    let now = Utc::now();
    if let Some(u) = find_by_openid(state, openid).await? {
        let mut am: app_user::ActiveModel = u.into();
        am.last_seen_at = Set(now);
        if unionid.is_some() {
            am.unionid = Set(unionid);
        }
        return Ok(am.update(&state.db).await?);
    }
    let am = app_user::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        openid: Set(openid.to_owned()),
        unionid: Set(unionid),
        nickname: Set(nickname.to_owned()),
        phone: Set(None),
        last_seen_at: Set(now),
    };
    match am.insert(&state.db).await {
        Ok(u) => Ok(u),
        // Two first logins at once: the other one created the user.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            find_by_openid(state, openid).await?.ok_or_else(|| AppError::internal(e))
        }
        Err(e) => Err(e.into()),
    }
}

async fn find_by_openid(state: &AppState, openid: &str) -> AppResult<Option<app_user::Model>> {
    Ok(app_user::Entity::find().filter(app_user::Column::Openid.eq(openid)).one(&state.db).await?)
}

async fn issue_session(state: &AppState, user: app_user::Model, family: Uuid) -> AppResult<Session> {
    let now = Utc::now();
    let token = new_refresh_token();
    refresh_token::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        family_id: Set(family),
        token_hash: Set(hash_refresh_token(&token)),
        expires_at: Set(now + Duration::from_std(state.config.refresh_token_ttl).map_err(anyhow::Error::from)?),
        rotated_at: Set(None),
        revoked_at: Set(None),
        user_id: Set(user.id),
    }
    .insert(&state.db)
    .await?;
    let access_token = state.jwt.issue(user.id, family).map_err(AppError::internal)?;
    Ok(Session { access_token, expires_in: state.jwt.ttl_secs(), refresh_token: token, user })
}

fn invalid_refresh() -> AppError {
    AppError::Unauthenticated(msg!("刷新令牌无效或已过期，请重新登录", "The refresh token is invalid or expired; log in again"))
}

/// `refreshToken(token)`: rotates a refresh token. Replaying a rotated token within the grace window (a retry
/// after a lost response) yields a fresh pair; replaying it later is treated as theft and signs the whole family out.
pub async fn refresh(state: &AppState, token: &str) -> AppResult<Session> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid_refresh());
    }
    let now = Utc::now();
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_refresh_token(token)))
        .one(&state.db)
        .await?
        .ok_or_else(invalid_refresh)?;
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(invalid_refresh());
    }
    // Exactly one caller rotates a token: the conditional update decides.
    let rotated = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?
        .rows_affected
        == 1;
    if !rotated {
        let current = refresh_token::Entity::find_by_id(row.id).one(&state.db).await?.ok_or_else(invalid_refresh)?;
        let grace = Duration::from_std(state.config.refresh_grace).map_err(anyhow::Error::from)?;
        let within_grace = current.revoked_at.is_none() && current.rotated_at.is_some_and(|r| now - r <= grace);
        if !within_grace {
            revoke_family(state, row.family_id, now).await?;
            tracing::warn!(user = %row.user_id, family = %row.family_id, "refresh token reuse: family revoked");
            return Err(AppError::Unauthenticated(msg!(
                "检测到刷新令牌被重复使用，为安全起见已退出该登录，请重新登录",
                "This refresh token was already used; for safety this login has been signed out. Log in again"
            )));
        }
    }
    let user = app_user::Entity::find_by_id(row.user_id).one(&state.db).await?.ok_or_else(invalid_refresh)?;
    let mut am: app_user::ActiveModel = user.into();
    am.last_seen_at = Set(now);
    let user = am.update(&state.db).await?;
    issue_session(state, user, row.family_id).await
}

async fn revoke_family(state: &AppState, family: Uuid, now: chrono::DateTime<Utc>) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(())
}

/// `logout(refreshToken)`: revokes the login the token belongs to. Idempotent.
pub async fn logout(state: &AppState, token: &str) -> AppResult<bool> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_refresh_token(token)))
        .one(&state.db)
        .await?
        .ok_or_else(invalid_refresh)?;
    revoke_family(state, row.family_id, Utc::now()).await?;
    Ok(true)
}
