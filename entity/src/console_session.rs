//! A console session (migration 000022): one logged-in browser of the web console, separate from the
//! mini-program's refresh tokens. Only the SHA-256 of its cookie is kept.
use sea_orm::entity::prelude::*;

use crate::enums::ConsoleVia;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "console_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub user_id: Uuid,
    pub token_hash: String,
    /// How it was opened.
    pub via: ConsoleVia,
    /// The browser's `User-Agent`, cut to 200 characters, so the user can tell their sessions apart.
    pub user_agent: Option<String>,
    /// Updated at most once a minute.
    pub last_used_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
