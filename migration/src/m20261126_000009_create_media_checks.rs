//! WeChat's asynchronous photo check: one row per photo sent to media_check_async, matched by trace_id when the
//! verdict is pushed. The unique photo_id is also the claim that keeps two replicas from asking twice.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, table, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("media_check");
        t.col(string_len_null("trace_id", 128))
            .col(string_len("status", 16))
            .col(string_len_null("label", 16))
            .col(timestamp_with_time_zone_null("decided_at"));
        fk(&mut t, "media_check", "photo_id", "photo");
        m.create_table(t).await?;
        unique(m, "media_check", &["photo_id"]).await?;
        unique(m, "media_check", &["trace_id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["media_check"]).await
    }
}
