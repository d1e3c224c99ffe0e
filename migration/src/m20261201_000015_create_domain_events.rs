//! The durable log of domain events, and the cursors of the consumers that follow it.
//!
//! Every change a service makes is appended to `domain_event` in the transaction that makes it, with `seq` left
//! NULL. A sequencer (one at a time: a PostgreSQL advisory lock, or SQLite's single writer) then numbers the rows it
//! can see, that is the committed ones, in one statement per batch: `seq` = the largest number so far + 1, 2, … So
//! a number is given only to a committed row and never below one already given, and a reader that has seen every
//! row up to `seq` N can never later find a row numbered N or less (with `nextval` in the writing transaction it
//! could: a transaction that drew 9 may commit after one that drew 10 was read). Two partial indexes, so that each
//! row is in one index besides its key at any time: the rows still to number (`seq IS NULL`, by id) for the
//! sequencer, and the numbered ones (unique `seq`) for readers (`seq > N` implies `seq IS NOT NULL`, on PostgreSQL
//! and SQLite alike). No other index: every entry is written twice (inserted, then numbered), so each index costs
//! twice.
//!
//! `event_consumer` holds the cursor of each consumer outside the transaction (the last `seq` it finished), so a
//! consumer stopped at any point resumes where it was and loses nothing, and a lease (owner, until) so that with
//! several replicas one of them runs it at a time.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::drop_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("domain_event")
                .col(pk_uuid("id"))
                .col(big_integer_null("seq"))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(string_len("kind", 48))
                .col(uuid("subject_id"))
                .col(uuid_null("actor_id"))
                .col(text("payload"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared("CREATE UNIQUE INDEX ux_domain_event_seq ON domain_event (seq) WHERE seq IS NOT NULL").await?;
        db.execute_unprepared("CREATE INDEX idx_domain_event_unsequenced ON domain_event (id) WHERE seq IS NULL").await?;

        m.create_table(
            Table::create()
                .table("event_consumer")
                .col(string_len("name", 64).primary_key())
                .col(big_integer("position"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(uuid_null("lease_owner"))
                .col(timestamp_with_time_zone_null("lease_until"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["event_consumer", "domain_event"]).await
    }
}
