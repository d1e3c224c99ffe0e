//! Content safety: a moderation state on every text other residents may read (a report's description, a
//! comment, a timeline note), and the queue of texts to check again when WeChat could not be reached.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PASS (shown), REVIEW (WeChat asks for a person: hidden from other residents until a community admin approves),
/// PENDING (not checked yet: hidden the same way), REJECTED (hidden from all but its author and the admins).
const TABLES: [&str; 3] = ["report", "report_comment", "report_event"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            m.alter_table(
                Table::alter().table(t).add_column(string_len("moderation", 8).not_null().default("PASS")).to_owned(),
            )
            .await?;
        }
        // The moderation queue of a community: only the rows waiting for a person are indexed.
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_report_community_moderation ON report (community_id, id) WHERE moderation IN ('REVIEW', 'PENDING')",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_report_comment_moderation ON report_comment (report_id, id) WHERE moderation IN ('REVIEW', 'PENDING')",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_report_event_moderation ON report_event (report_id, id) WHERE moderation IN ('REVIEW', 'PENDING')",
        )
        .await?;

        // Texts accepted while WeChat was unreachable, checked again by a background job.
        let mut t = table("content_check");
        t.col(string_len("target_kind", 16))
            .col(uuid("target_id"))
            .col(uuid("author_id"))
            .col(small_integer("scene"))
            .col(text("content"))
            .col(integer("attempts").default(0))
            .col(timestamp_with_time_zone("next_at"))
            .col(timestamp_with_time_zone_null("leased_until"));
        m.create_table(t).await?;
        index(m, "content_check", &["next_at"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["content_check"]).await?;
        let db = m.get_connection();
        for i in ["idx_report_community_moderation", "idx_report_comment_moderation", "idx_report_event_moderation"] {
            db.execute_unprepared(&format!("DROP INDEX {i}")).await?;
        }
        for t in TABLES {
            m.alter_table(Table::alter().table(t).drop_column("moderation").to_owned()).await?;
        }
        Ok(())
    }
}
