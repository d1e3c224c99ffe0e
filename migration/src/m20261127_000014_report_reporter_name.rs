//! The reporter's name, kept on the report itself.
//!
//! Every page of a head's inbox and a company's queue shows who reported each item (`reporter { name }`). Joining
//! the users table for it made PostgreSQL probe `app_user` once per row: on an area head's inbox that was a third of
//! the statement's cost (pgbench on the same statement, bench/RESULTS.md). A user's name is set when the account is
//! created and nothing changes it, so the copy cannot go stale; it is written when the report is submitted, like
//! FixMyStreet keeps the name a problem was reported under on the problem. The phone, which can change, is still
//! read from the user.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("report").add_column(string("reporter_name").default("")).to_owned()).await?;
        // Reports written before this migration: copy from their reporter (PostgreSQL and SQLite ≥ 3.33 both accept
        // UPDATE … FROM).
        m.get_connection()
            .execute_unprepared(
                "UPDATE report SET reporter_name = u.nickname FROM app_user u WHERE u.id = report.reporter_id",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("report").drop_column("reporter_name").to_owned()).await?;
        Ok(())
    }
}
