//! The [`Actor`]: who is making this request, read from the bearer token once per request.
use std::sync::Arc;

use tokio::sync::OnceCell;
use uuid::Uuid;

use super::Roles;
use super::tokens::TokenError;
use crate::error::{AppError, AppResult};
use crate::msg;
use crate::state::AppState;

/// What the `Authorization` header said.
#[derive(Clone, Debug)]
pub enum AuthState {
    /// No bearer token.
    Anonymous,
    /// A token that was refused; operations that need a user answer UNAUTHENTICATED with the reason.
    Invalid(TokenError),
    /// A valid access token.
    User {
        /// The user's row id.
        id: Uuid,
        /// The session (refresh-token family) it belongs to.
        sid: Uuid,
    },
    /// A console session's cookie (`service/console.rs`), looked up and found valid.
    Console {
        /// The user's row id.
        id: Uuid,
        /// The console session's row id.
        session: Uuid,
        /// When it ends (Unix seconds): a socket it opened is closed then.
        expires_at: i64,
    },
}

impl AuthState {
    /// The signed-in user, if the token was valid.
    pub fn user(&self) -> Option<Uuid> {
        match self {
            AuthState::User { id, .. } | AuthState::Console { id, .. } => Some(*id),
            _ => None,
        }
    }
}

/// The caller of one request. Roles are loaded at most once per request, and only if a check needs them.
pub struct Actor {
    /// What the token said.
    pub auth: AuthState,
    roles: OnceCell<Arc<Roles>>,
    homes: OnceCell<Arc<Vec<Uuid>>>,
}

impl Actor {
    /// An actor from an authentication result.
    pub fn new(auth: AuthState) -> Self {
        Self { auth, roles: OnceCell::new(), homes: OnceCell::new() }
    }

    /// The logged-in user's row id, or UNAUTHENTICATED saying why not.
    pub fn user_id(&self) -> AppResult<Uuid> {
        match &self.auth {
            AuthState::User { id, .. } | AuthState::Console { id, .. } => Ok(*id),
            AuthState::Anonymous => Err(AppError::login_required()),
            AuthState::Invalid(TokenError::Expired) => Err(AppError::Unauthenticated(msg!(
                "登录已过期，请刷新令牌或重新登录",
                "Your session has expired; refresh the token or log in again"
            ))),
            AuthState::Invalid(TokenError::Invalid) => Err(AppError::Unauthenticated(msg!(
                "登录凭证无效，请重新登录",
                "The access token is invalid; log in again"
            ))),
        }
    }

    /// The user, when they call with the mini-program's own token (not a console session): approving a console
    /// login needs the phone in hand, so a console session can never open another one.
    pub fn mini_program_user(&self) -> AppResult<Uuid> {
        match &self.auth {
            AuthState::Console { .. } => Err(AppError::forbidden_msg(msg!(
                "请在小程序中扫码确认登录",
                "Approve a console login from the mini-program, not from the console"
            ))),
            _ => self.user_id(),
        }
    }

    /// The console session this request comes with, if any.
    pub fn console_session(&self) -> Option<Uuid> {
        match &self.auth {
            AuthState::Console { session, .. } => Some(*session),
            _ => None,
        }
    }

    /// The user's current roles (cached; the cache is invalidated whenever an appointment changes).
    pub async fn roles(&self, state: &AppState) -> AppResult<Arc<Roles>> {
        let user = self.user_id()?;
        self.roles
            .get_or_try_init(|| async { crate::service::roles::current(state, user).await.map(Arc::new) })
            .await
            .cloned()
    }

    /// The neighbourhoods where the user is a verified resident (loaded at most once per request).
    pub async fn homes(&self, state: &AppState) -> AppResult<Arc<Vec<Uuid>>> {
        let user = self.user_id()?;
        self.homes
            .get_or_try_init(|| async { crate::service::people::verified_neighbourhoods(state, user).await.map(Arc::new) })
            .await
            .cloned()
    }
}
