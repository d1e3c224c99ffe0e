//! Notifications: the in-app list of what concerns a user, the subscribe-message quota each accept in
//! wx.requestSubscribeMessage grants, and the transactional outbox of subscribe messages a background worker
//! delivers.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, index, table, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("notification");
        t.col(string_len("kind", 32))
            .col(string_len("title", 100))
            .col(text("body"))
            .col(uuid_null("report_id"))
            .col(timestamp_with_time_zone_null("read_at"));
        fk(&mut t, "notification", "user_id", "app_user");
        m.create_table(t).await?;
        index(m, "notification", &["user_id", "id"]).await?;
        m.get_connection()
            .execute_unprepared("CREATE INDEX idx_notification_unread ON notification (user_id, id) WHERE read_at IS NULL")
            .await?;

        let mut t = table("subscription_quota");
        t.col(string_len("template_id", 64)).col(integer("remaining")).col(timestamp_with_time_zone("updated_at"));
        fk(&mut t, "subscription_quota", "user_id", "app_user");
        m.create_table(t).await?;
        unique(m, "subscription_quota", &["user_id", "template_id"]).await?;

        let mut t = table("outbox");
        t.col(uuid("notification_id"))
            .col(string_len("template_id", 64))
            .col(string_len_null("page", 256))
            .col(text("data"))
            .col(string_len("status", 16))
            .col(integer("attempts").default(0))
            .col(timestamp_with_time_zone("next_at"))
            .col(timestamp_with_time_zone_null("leased_until"))
            .col(string_len_null("last_error", 200));
        fk(&mut t, "outbox", "user_id", "app_user");
        m.create_table(t).await?;
        // One message per notification, whatever retries the event's transaction saw.
        unique(m, "outbox", &["notification_id"]).await?;
        m.get_connection()
            .execute_unprepared("CREATE INDEX idx_outbox_due ON outbox (next_at) WHERE status = 'PENDING'")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["outbox", "subscription_quota", "notification"]).await
    }
}
