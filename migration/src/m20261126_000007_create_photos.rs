//! Photos: uploaded once (re-encoded without metadata, with a thumbnail), then attached to a report (BEFORE on
//! submit and reopen, AFTER on resolve) or to a comment. The bytes live in object storage; the row says where.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("photo");
        t.col(string_len("content_type", 32))
            .col(integer("width"))
            .col(integer("height"))
            .col(big_integer("byte_size"))
            .col(string_len("storage_key", 200))
            .col(string_len("thumb_key", 200))
            .col(integer("thumb_width"))
            .col(integer("thumb_height"))
            // BEFORE (submit, reopen), AFTER (resolve), COMMENT; null while unattached.
            .col(string_len_null("phase", 8))
            .col(timestamp_with_time_zone_null("attached_at"))
            // Set by a content-safety verdict: listed to the owner and the community admin only.
            .col(boolean("hidden").default(false));
        fk(&mut t, "photo", "owner_id", "app_user");
        fk_null(&mut t, "photo", "report_id", "report");
        fk_null(&mut t, "photo", "comment_id", "report_comment");
        m.create_table(t).await?;
        // A user's photos that wait to be attached (and a later clean-up of abandoned uploads).
        index(m, "photo", &["owner_id", "report_id", "id"]).await?;
        // A page of reports loads all their photos in one statement.
        index(m, "photo", &["report_id", "id"]).await?;
        index(m, "photo", &["comment_id", "id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["photo"]).await
    }
}
