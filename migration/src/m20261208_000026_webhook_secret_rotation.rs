//! Webhooks' secret rotation (issue 18): after `rotateWebhookSecret` the old secret still signs, beside the new
//! one, until `previous_secret_until`, so that a receiver can switch keys without refusing a delivery.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(Table::alter().table("webhook").add_column(string_len_null("previous_secret", 80)).to_owned()).await?;
        m.alter_table(Table::alter().table("webhook").add_column(timestamp_with_time_zone_null("previous_secret_until")).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("webhook").drop_column("previous_secret_until").to_owned()).await?;
        m.alter_table(Table::alter().table("webhook").drop_column("previous_secret").to_owned()).await?;
        Ok(())
    }
}
