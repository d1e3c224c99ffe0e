//! Users (one per WeChat openid) and their rotating refresh tokens.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let t = table("app_user")
            .col(string_len("openid", 128))
            .col(string_len_null("unionid", 128))
            .col(string_len("nickname", 64))
            .col(string_len_null("phone", 32))
            .col(timestamp_with_time_zone("last_seen_at"))
            .to_owned();
        m.create_table(t).await?;
        unique(m, "app_user", &["openid"]).await?;
        index(m, "app_user", &["unionid"]).await?;

        // One row per issued refresh token; only the SHA-256 of the token is stored.
        let mut t = table("refresh_token");
        t.col(uuid("family_id"))
            .col(string_len("token_hash", 64))
            .col(timestamp_with_time_zone("expires_at"))
            .col(timestamp_with_time_zone_null("rotated_at"))
            .col(timestamp_with_time_zone_null("revoked_at"));
        fk(&mut t, "refresh_token", "user_id", "app_user");
        m.create_table(t).await?;
        unique(m, "refresh_token", &["token_hash"]).await?;
        index(m, "refresh_token", &["family_id"]).await?;
        index(m, "refresh_token", &["user_id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["refresh_token", "app_user"]).await
    }
}
