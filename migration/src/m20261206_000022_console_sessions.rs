//! The console (issue 17): its sessions, separate from the mini-program's refresh tokens, and the one-time
//! scan-to-login attempts.
//!
//! `console_session` is one logged-in browser: only the SHA-256 of its cookie's value is kept (`token_hash`), how it
//! was opened (`via`: a dev code or a scan), until when it lasts, when it was last used (updated at most once a
//! minute) and when it was revoked. `mySessions` lists a user's sessions newest first: `(user_id, id)`.
//!
//! `console_login` is one mini-program code shown on a login page: `scene` is what the code carries (public: anyone
//! who sees the screen sees it), `secret_hash` the hash of the cookie the page that asked for it holds (so only that
//! browser receives the session), `approved_by` the user who scanned it and approved, `session_id` the session it
//! became (set once: a second poll finds it consumed).
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, index, table, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("console_session");
        fk(&mut t, "console_session", "user_id", "app_user");
        t.col(string_len("token_hash", 64))
            .col(string_len("via", 8))
            .col(string_len_null("user_agent", 200))
            .col(timestamp_with_time_zone("last_used_at"))
            .col(timestamp_with_time_zone("expires_at"))
            .col(timestamp_with_time_zone_null("revoked_at"));
        m.create_table(t.to_owned()).await?;
        unique(m, "console_session", &["token_hash"]).await?;
        index(m, "console_session", &["user_id", "id"]).await?;

        let mut t = table("console_login");
        t.col(string_len("scene", 32))
            .col(string_len("secret_hash", 64))
            .col(timestamp_with_time_zone("expires_at"))
            .col(uuid_null("approved_by"))
            .col(timestamp_with_time_zone_null("approved_at"))
            .col(uuid_null("session_id"));
        m.create_table(t.to_owned()).await?;
        unique(m, "console_login", &["scene"]).await?;
        index(m, "console_login", &["expires_at"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["console_login", "console_session"]).await
    }
}
