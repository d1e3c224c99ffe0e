//! Open311's API keys (issue 18): `api_key` holds a key's name, scopes and district, and only the SHA-256 of its
//! secret (`secret_hash`, unique: a request's key is found by its hash), with when it was last used and revoked.
//! A district's keys are listed newest first: `(district_id, id)`.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, index, table, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("api_key");
        fk(&mut t, "api_key", "district_id", "district");
        fk(&mut t, "api_key", "created_by", "app_user");
        t.col(string_len("name", 64))
            .col(string_len("scopes", 200))
            .col(string_len("secret_hash", 64))
            .col(string_len("hint", 8))
            .col(timestamp_with_time_zone_null("revoked_at"))
            .col(timestamp_with_time_zone_null("last_used_at"));
        m.create_table(t.to_owned()).await?;
        unique(m, "api_key", &["secret_hash"]).await?;
        index(m, "api_key", &["district_id", "id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["api_key"]).await
    }
}
