//! The kind and time of a report's newest timeline event, kept on the report itself.
//!
//! Every list of reports shows what happened last (`lastEvent { kind at }`). Reading it through
//! `report.last_event_id` cost a primary-key probe into the timeline (the largest table) for every row of every
//! page: at district scale a third of the database's work on a head's inbox. The two columns are written in the
//! same statement that moves `last_event_id`, so they can never disagree with it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        m.alter_table(
            Table::alter()
                .table("report")
                .add_column(string_len_null("last_event_kind", 16))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("report")
                .add_column(timestamp_with_time_zone_null("last_event_at"))
                .to_owned(),
        )
        .await?;
        // Reports written before this migration: copy from their newest event (PostgreSQL and SQLite ≥ 3.33 both
        // accept UPDATE … FROM).
        m.get_connection()
            .execute_unprepared(
                "UPDATE report SET last_event_kind = e.kind, last_event_at = e.created_at \
                 FROM report_event e WHERE e.id = report.last_event_id",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["last_event_at", "last_event_kind"] {
            m.alter_table(Table::alter().table("report").drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
