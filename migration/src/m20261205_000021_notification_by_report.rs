//! Live updates (issue 16): the live follower finds the notifications a change wrote by their report and time
//! (`api/src/service/live.rs`), one statement per batch of the event log; this index serves it.
use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        index(m, "notification", &["report_id", "created_at"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX IF EXISTS idx_notification_report_id_created_at").await?;
        Ok(())
    }
}
