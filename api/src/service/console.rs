//! The web console's sessions (issue 17): separate from the mini-program's tokens, held by the browser as an
//! HttpOnly cookie whose value only the browser knows (the table keeps its SHA-256), revocable at once (every
//! request looks its session up: one indexed row), listed by `mySessions`.
//!
//! Two ways in. In dev mode a dev code (`dev:staff`) from the login page's picker. In production, scan-to-login:
//! the login page asks for an attempt ([`begin_scan`]) and gets a public `scene` (drawn into a mini-program code)
//! and a secret (its own cookie); the admin scans the code, the mini-program opens the login page with the scene
//! and calls `approveConsoleLogin(scene)` with the admin's own mini-program token ([`approve`]); the login page,
//! polling with its secret ([`poll`]), receives the session once. An attempt expires minutes after it was drawn
//! (`LINLI_CONSOLE_SCAN_SECS`), is approved once and collected once: both are conditional updates, so two
//! approvals or two polls at once (two replicas) give one winner. Whoever only saw the screen has the scene but not
//! the secret, so cannot collect the session.
//!
//! Sessions and attempts are authentication, like the refresh tokens of `auth.rs`: written directly, not as a
//! `Change` (no domain event: nothing in the grid changed). [`forget_ended`] (a job) removes attempts a day after
//! they expired and sessions [`SESSION_HISTORY_DAYS`] after they ended, so `mySessions` shows a month of history.
use chrono::{DateTime, Duration, Utc};
use entity::enums::ConsoleVia;
use entity::{console_login, console_session};
use rand::Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use super::page;
use crate::auth::tokens::{hash_refresh_token, new_refresh_token};
use crate::auth::Actor;
use crate::auth::actor::AuthState;
use crate::error::{AppError, AppResult, Denied};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "linli_console";
/// The cookie of a login page waiting for its scan.
pub const SCAN_COOKIE: &str = "linli_console_scan";
/// A session's `last_used_at` is written again only after this many seconds.
const TOUCH_EVERY_SECS: i64 = 60;

/// A session just opened: the cookie's value (shown once) and its row.
pub struct Opened {
    /// The cookie's value.
    pub token: String,
    /// The session.
    pub session: console_session::Model,
}

/// A scan-to-login attempt just drawn.
pub struct Scan {
    /// What the mini-program code carries.
    pub scene: String,
    /// The login page's secret (its cookie).
    pub secret: String,
    /// Until when it may be scanned and collected.
    pub expires_at: DateTime<Utc>,
}

/// What a login page's poll finds.
pub enum Poll {
    /// Not approved yet.
    Pending,
    /// Expired, or already collected.
    Expired,
    /// Approved: the session, delivered this once.
    Approved(Opened),
}

/// The console's dev login: `dev:<name>` in dev mode only (production answers FORBIDDEN, as the mini-program's
/// `loginWithWechat` does).
pub async fn dev_login(state: &AppState, code: &str, user_agent: Option<&str>) -> AppResult<Opened> {
    if !code.trim().starts_with(super::auth::DEV_PREFIX) {
        return Err(AppError::bad_input("code", msg!("开发登录码形如 dev:staff", "A dev login code looks like dev:staff")));
    }
    let user = super::auth::user_for_code(state, code).await?;
    open(state, user.id, ConsoleVia::Dev, user_agent).await
}

async fn open(state: &AppState, user: Uuid, via: ConsoleVia, user_agent: Option<&str>) -> AppResult<Opened> {
    open_on(&state.db, state, new_id(), user, via, user_agent).await
}

async fn open_on<C: sea_orm::ConnectionTrait>(
    db: &C,
    state: &AppState,
    id: Uuid,
    user: Uuid,
    via: ConsoleVia,
    user_agent: Option<&str>,
) -> AppResult<Opened> {
    let token = new_refresh_token();
    let now = state.clock.now();
    let session = console_session::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        user_id: Set(user),
        token_hash: Set(hash_refresh_token(&token)),
        via: Set(via),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(200).collect())),
        last_used_at: Set(now),
        expires_at: Set(now + ttl(state.config.console.session_ttl)),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(Opened { token, session })
}

fn ttl(d: std::time::Duration) -> Duration {
    Duration::seconds(d.as_secs() as i64)
}

/// Who a session cookie stands for: [`AuthState::Console`] for a live session, `Invalid` for an unknown, expired
/// or revoked one (the request then answers UNAUTHENTICATED and the console shows its login page).
pub async fn authenticate(state: &AppState, token: &str) -> AppResult<AuthState> {
    let invalid = AuthState::Invalid(crate::auth::tokens::TokenError::Invalid);
    if token.is_empty() || token.len() > 100 {
        return Ok(invalid);
    }
    let now = state.clock.now();
    let Some(s) = console_session::Entity::find()
        .filter(console_session::Column::TokenHash.eq(hash_refresh_token(token)))
        .one(&state.db)
        .await?
    else {
        return Ok(invalid);
    };
    if s.revoked_at.is_some() {
        return Ok(invalid);
    }
    if s.expires_at <= now {
        return Ok(AuthState::Invalid(crate::auth::tokens::TokenError::Expired));
    }
    if (now - s.last_used_at).num_seconds() >= TOUCH_EVERY_SECS {
        // Best effort: a failed touch does not fail the request.
        let _ = console_session::Entity::update_many()
            .col_expr(console_session::Column::LastUsedAt, Expr::value(now))
            .filter(console_session::Column::Id.eq(s.id))
            .exec(&state.db)
            .await;
    }
    Ok(AuthState::Console { id: s.user_id, session: s.id, expires_at: s.expires_at.timestamp() })
}

/// Ends the session whose cookie this is (logging out). Unknown or ended sessions are no error.
pub async fn logout(state: &AppState, token: &str) -> AppResult<()> {
    console_session::Entity::update_many()
        .col_expr(console_session::Column::RevokedAt, Expr::value(state.clock.now()))
        .filter(console_session::Column::TokenHash.eq(hash_refresh_token(token)))
        .filter(console_session::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(())
}

/// `mySessions`: the caller's console sessions, newest first (ended ones too: a record of where one logged in).
pub async fn my_sessions(state: &AppState, actor: &Actor, args: page::PageArgs) -> AppResult<page::Page<console_session::Model>> {
    let me = actor.user_id()?;
    let q = console_session::Entity::find().filter(console_session::Column::UserId.eq(me));
    page::fetch_newest(&state.db, q, console_session::Column::Id, args).await
}

/// `revokeSession(id)`: ends one of the caller's console sessions at once (its next request is UNAUTHENTICATED).
/// Someone else's session is NOT_FOUND. Revoking an ended session changes nothing and answers it as it is.
pub async fn revoke(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<console_session::Model> {
    let me = actor.user_id()?;
    let not_found = || super::places::not_found(Kind::ConsoleSession);
    console_session::Entity::find_by_id(id).one(&state.db).await?.filter(|s| s.user_id == me).ok_or_else(not_found)?;
    console_session::Entity::update_many()
        .col_expr(console_session::Column::RevokedAt, Expr::value(state.clock.now()))
        .filter(console_session::Column::Id.eq(id))
        .filter(console_session::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?;
    console_session::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(not_found)
}

/// A scene: 24 letters and digits (the mini-program code's `scene` takes at most 32, URL-safe).
fn new_scene() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut r = rand::rng();
    (0..24).map(|_| ALPHABET[r.random_range(0..ALPHABET.len())] as char).collect()
}

/// Draws a scan-to-login attempt (the login page's `POST /console/api/scan`).
pub async fn begin_scan(state: &AppState) -> AppResult<Scan> {
    let now = state.clock.now();
    let secret = new_refresh_token();
    let scene = new_scene();
    let expires_at = now + ttl(state.config.console.scan_ttl);
    console_login::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        scene: Set(scene.clone()),
        secret_hash: Set(hash_refresh_token(&secret)),
        expires_at: Set(expires_at),
        approved_by: Set(None),
        approved_at: Set(None),
        session_id: Set(None),
    }
    .insert(&state.db)
    .await?;
    Ok(Scan { scene, secret, expires_at })
}

/// The attempt `scene`, for the page holding its secret; NOT_FOUND for anyone else.
async fn attempt(state: &AppState, scene: &str, secret: &str) -> AppResult<console_login::Model> {
    let not_found = || AppError::not_found("登录二维码", "Login code");
    if scene.is_empty() || scene.len() > 32 {
        return Err(not_found());
    }
    let a = console_login::Entity::find()
        .filter(console_login::Column::Scene.eq(scene))
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    if a.secret_hash != hash_refresh_token(secret) {
        return Err(not_found());
    }
    Ok(a)
}

/// The mini-program code of an attempt (a PNG or JPEG from WeChat's getwxacodeunlimit), for the page holding its
/// secret. UNAVAILABLE when WeChat cannot draw it (the page says so and offers the dev picker in dev mode).
pub async fn scan_code(state: &AppState, scene: &str, secret: &str) -> AppResult<Vec<u8>> {
    let a = attempt(state, scene, secret).await?;
    if a.expires_at <= state.clock.now() {
        return Err(expired());
    }
    let c = &state.config.console;
    state.wechat.wxacode_unlimited(&a.scene, &c.login_page, &c.wxacode_env).await.map_err(|e| e.into_app_error("scene"))
}

fn expired() -> AppError {
    AppError::Conflict(msg!("二维码已过期，请刷新后重新扫码", "This code has expired; get a new one and scan again"))
}

/// The login page's poll: pending until approved; once approved, the session (created here, this once: a
/// conditional update claims the attempt in the transaction that creates the session, so a second poll, on any
/// replica, finds it expired).
pub async fn poll(state: &AppState, scene: &str, secret: &str, user_agent: Option<&str>) -> AppResult<Poll> {
    let a = attempt(state, scene, secret).await?;
    let now = state.clock.now();
    if a.session_id.is_some() || a.expires_at <= now {
        return Ok(Poll::Expired);
    }
    let Some(user) = a.approved_by else { return Ok(Poll::Pending) };
    // Claim the attempt for a new session and create that session, in one transaction: of two polls at once
    // (two tabs, two replicas) one claims it, the other finds it claimed and is told it expired.
    let txn = crate::db::begin_write(&state.db).await?;
    let session_id = new_id();
    let won = console_login::Entity::update_many()
        .col_expr(console_login::Column::SessionId, Expr::value(session_id))
        .filter(console_login::Column::Id.eq(a.id))
        .filter(console_login::Column::SessionId.is_null())
        .exec(&*txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        txn.rollback().await?;
        return Ok(Poll::Expired);
    }
    let opened = open_on(&*txn, state, session_id, user, ConsoleVia::Scan, user_agent).await?;
    txn.commit().await?;
    Ok(Poll::Approved(opened))
}

/// `approveConsoleLogin(scene)`: the admin who scanned the code approves the login page showing it, from the
/// mini-program with their own token. Only users holding some role (staff, head, admin) may: a resident has no
/// console (FORBIDDEN `NO_CONSOLE_ROLE`). Unknown scene: NOT_FOUND; expired or already approved: CONFLICT.
pub async fn approve(state: &AppState, actor: &Actor, scene: &str) -> AppResult<()> {
    let me = actor.mini_program_user()?;
    let scene = scene.trim();
    let roles = actor.roles(state).await?;
    if roles.grants.is_empty() {
        return Err(AppError::denied(Denied::NoConsoleRole));
    }
    let now = state.clock.now();
    let done = console_login::Entity::update_many()
        .col_expr(console_login::Column::ApprovedBy, Expr::value(me))
        .col_expr(console_login::Column::ApprovedAt, Expr::value(now))
        .filter(console_login::Column::Scene.eq(scene))
        .filter(console_login::Column::ApprovedBy.is_null())
        .filter(console_login::Column::ExpiresAt.gt(now))
        .exec(&state.db)
        .await?
        .rows_affected
        == 1;
    if done {
        return Ok(());
    }
    let a = console_login::Entity::find()
        .filter(console_login::Column::Scene.eq(scene))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("登录二维码", "Login code"))?;
    if a.expires_at <= now {
        return Err(expired());
    }
    Err(AppError::Conflict(msg!("该二维码已被确认，请在电脑上刷新", "This code was already approved; refresh the console")))
}

/// How long an ended session stays listed in `mySessions`.
pub const SESSION_HISTORY_DAYS: i64 = 30;

/// The cleanup job: scan-to-login attempts a day after they expired (used or not), and sessions
/// [`SESSION_HISTORY_DAYS`] after they expired (a revoked one too: its expiry is no later than its natural end).
/// Both by their `expires_at` index. Returns how many rows went.
pub async fn forget_ended(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let logins = console_login::Entity::delete_many()
        .filter(console_login::Column::ExpiresAt.lt(now - Duration::days(1)))
        .exec(&state.db)
        .await?;
    let sessions = console_session::Entity::delete_many()
        .filter(console_session::Column::ExpiresAt.lt(now - Duration::days(SESSION_HISTORY_DAYS)))
        .exec(&state.db)
        .await?;
    Ok((logins.rows_affected + sessions.rows_affected) as usize)
}
