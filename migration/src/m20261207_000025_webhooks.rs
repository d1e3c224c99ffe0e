//! Webhooks (issue 18): `webhook` is a receiver of a scope's report events with its own position in the event log
//! (`cursor`), its failures in a row and when to try next (`next_attempt_at`, read by the delivery job through
//! `(status, next_attempt_at)`); `webhook_delivery` is every attempt, read newest first per webhook.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("webhook");
        fk(&mut t, "webhook", "district_id", "district");
        fk(&mut t, "webhook", "created_by", "app_user");
        t.col(string_len("scope_kind", 16))
            .col(uuid("scope_id"))
            .col(string_len("url", 500))
            .col(string_len("events", 500))
            .col(string_len("secret", 80))
            .col(string_len("status", 16))
            .col(big_integer("cursor"))
            .col(integer("failures"))
            .col(timestamp_with_time_zone("next_attempt_at"))
            .col(string_len_null("last_error", 500));
        m.create_table(t.to_owned()).await?;
        index(m, "webhook", &["status", "next_attempt_at"]).await?;
        index(m, "webhook", &["scope_id", "id"]).await?;

        let mut t = table("webhook_delivery");
        fk(&mut t, "webhook_delivery", "webhook_id", "webhook");
        t.col(big_integer("event_seq"))
            .col(string_len("event_kind", 40))
            .col(integer("attempt"))
            .col(boolean("ok"))
            .col(integer_null("status_code"))
            .col(string_len_null("error", 500))
            .col(integer("duration_ms"));
        m.create_table(t.to_owned()).await?;
        index(m, "webhook_delivery", &["webhook_id", "id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["webhook_delivery", "webhook"]).await
    }
}
