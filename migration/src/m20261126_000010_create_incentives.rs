//! Incentives: the points ledger (append-only entries and one balance row per user that can never go below zero),
//! merchants, incentive packages (三长专属优惠包) with their stock, and redemptions.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, fk_null, index, table, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per user: the balance is changed only by conditional updates, and the database refuses a
        // negative one whatever the code does.
        let mut t = table("points_account");
        t.col(integer("balance").default(0).check(Expr::col("balance").gte(0)))
            .col(integer("earned").default(0))
            .col(integer("spent").default(0))
            .col(timestamp_with_time_zone("updated_at"));
        fk(&mut t, "points_account", "user_id", "app_user");
        m.create_table(t).await?;
        unique(m, "points_account", &["user_id"]).await?;

        // Append-only: every change of a balance, with what it came from. The unique key makes an award or a
        // spending happen once per source, however often the event that causes it is retried.
        let mut t = table("points_entry");
        t.col(integer("delta")).col(string_len("reason", 32)).col(uuid("source_id")).col(integer("balance_after"));
        fk(&mut t, "points_entry", "user_id", "app_user");
        m.create_table(t).await?;
        unique(m, "points_entry", &["user_id", "reason", "source_id"]).await?;
        index(m, "points_entry", &["user_id", "id"]).await?;

        let mut t = table("merchant");
        t.col(string_len("name", 64)).col(string_len("address", 200)).col(boolean("active").default(true));
        fk(&mut t, "merchant", "district_id", "district");
        fk_null(&mut t, "merchant", "street_id", "street");
        fk_null(&mut t, "merchant", "community_id", "community");
        m.create_table(t).await?;
        index(m, "merchant", &["district_id", "id"]).await?;

        let mut t = table("incentive_package");
        t.col(string_len("title", 64))
            .col(text("description"))
            .col(integer("cost_points").check(Expr::col("cost_points").gte(0)))
            .col(integer("total_stock"))
            .col(integer("remaining_stock").check(Expr::col("remaining_stock").gte(0)))
            .col(integer("per_person_limit"))
            .col(string_len("eligible_roles", 200))
            .col(timestamp_with_time_zone("valid_from"))
            .col(timestamp_with_time_zone("valid_until"))
            .col(integer("redeem_valid_hours"))
            .col(string_len("status", 8))
            .col(string_len("scope_kind", 16))
            .col(uuid("scope_id"));
        fk(&mut t, "incentive_package", "merchant_id", "merchant");
        fk(&mut t, "incentive_package", "district_id", "district");
        fk(&mut t, "incentive_package", "created_by", "app_user");
        m.create_table(t).await?;
        index(m, "incentive_package", &["district_id", "status", "id"]).await?;

        let mut t = table("redemption");
        t.col(string_len("code", 16))
            .col(string_len("status", 10))
            .col(integer("points"))
            .col(timestamp_with_time_zone("expires_at"))
            .col(timestamp_with_time_zone_null("used_at"))
            .col(timestamp_with_time_zone_null("ended_at"))
            .col(string_len("idempotency_key", 64));
        fk(&mut t, "redemption", "package_id", "incentive_package");
        fk(&mut t, "redemption", "user_id", "app_user");
        fk_null(&mut t, "redemption", "verified_by", "app_user");
        m.create_table(t).await?;
        unique(m, "redemption", &["code"]).await?;
        unique(m, "redemption", &["user_id", "idempotency_key"]).await?;
        index(m, "redemption", &["user_id", "id"]).await?;
        index(m, "redemption", &["package_id", "user_id"]).await?;
        m.get_connection()
            .execute_unprepared("CREATE INDEX idx_redemption_issued_expiry ON redemption (expires_at) WHERE status = 'ISSUED'")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["redemption", "incentive_package", "merchant", "points_entry", "points_account"]).await
    }
}
