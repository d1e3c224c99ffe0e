//! The best-neighbour-head vote (最美邻长): periods opened by admins for a community or street, one vote per
//! verified resident per period, and the results frozen when a period closes.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, index, table, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("vote_period");
        t.col(string_len("title", 64))
            .col(string_len("scope_kind", 16))
            .col(uuid("scope_id"))
            .col(timestamp_with_time_zone("opens_at"))
            .col(timestamp_with_time_zone("closes_at"))
            .col(integer("winners"))
            .col(string_len("status", 8))
            .col(timestamp_with_time_zone_null("closed_at"));
        fk(&mut t, "vote_period", "created_by", "app_user");
        m.create_table(t).await?;
        index(m, "vote_period", &["scope_id", "id"]).await?;
        index(m, "vote_period", &["status", "closes_at"]).await?;

        let mut t = table("vote");
        t.col(uuid("community_id"));
        fk(&mut t, "vote", "period_id", "vote_period");
        fk(&mut t, "vote", "voter_id", "app_user");
        fk(&mut t, "vote", "head_id", "app_user");
        m.create_table(t).await?;
        // One vote per resident per period: the database has the last word when a resident taps twice.
        unique(m, "vote", &["period_id", "voter_id"]).await?;
        index(m, "vote", &["period_id", "head_id"]).await?;

        let mut t = table("vote_result");
        t.col(integer("votes")).col(integer("rank")).col(boolean("winner"));
        fk(&mut t, "vote_result", "period_id", "vote_period");
        fk(&mut t, "vote_result", "head_id", "app_user");
        m.create_table(t).await?;
        unique(m, "vote_result", &["period_id", "head_id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["vote_result", "vote", "vote_period"]).await
    }
}
