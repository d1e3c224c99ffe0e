//! Property companies and the compounds they manage, appointments (who holds which role where), and residences.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("property_company");
        t.col(string_len("name", 100));
        fk(&mut t, "property_company", "district_id", "district");
        m.create_table(t).await?;
        unique(m, "property_company", &["district_id", "name"]).await?;

        let mut t = table("compound_management");
        t.col(date("starts_on")).col(date_null("ends_on"));
        fk(&mut t, "compound_management", "company_id", "property_company");
        fk(&mut t, "compound_management", "compound_id", "compound");
        m.create_table(t).await?;
        index(m, "compound_management", &["compound_id", "starts_on"]).await?;
        index(m, "compound_management", &["company_id"]).await?;

        // role decides what scope_id points at: NEIGHBOUR_HEAD → neighbourhood, GROUP_HEAD → grid_group,
        // AREA_HEAD → grid_area, COMMUNITY_ADMIN → community, STREET_ADMIN → street, DISTRICT_ADMIN → district,
        // PROPERTY_STAFF → property_company. Active while starts_at <= now < ends_at (or ends_at is null).
        let mut t = table("appointment");
        t.col(string_len("role", 24))
            .col(uuid("scope_id"))
            .col(timestamp_with_time_zone("starts_at"))
            .col(timestamp_with_time_zone_null("ends_at"));
        fk(&mut t, "appointment", "user_id", "app_user");
        fk_null(&mut t, "appointment", "appointed_by", "app_user");
        fk_null(&mut t, "appointment", "revoked_by", "app_user");
        m.create_table(t).await?;
        index(m, "appointment", &["user_id", "ends_at"]).await?;
        index(m, "appointment", &["scope_id", "role"]).await?;
        // At most one open-ended head per unit, and no user holding the same open role twice: the database is the
        // last word when two admins appoint at once. Partial indexes work the same on PostgreSQL and SQLite.
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_appointment_open_head ON appointment (role, scope_id) \
             WHERE ends_at IS NULL AND role IN ('NEIGHBOUR_HEAD', 'GROUP_HEAD', 'AREA_HEAD')",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_appointment_open_holder ON appointment (user_id, role, scope_id) WHERE ends_at IS NULL",
        )
        .await?;

        let mut t = table("residence");
        t.col(integer("unit"))
            .col(string_len("room", 16))
            .col(string_len("status", 16))
            .col(timestamp_with_time_zone_null("reviewed_at"))
            .col(string_len_null("reject_reason", 200));
        fk(&mut t, "residence", "user_id", "app_user");
        fk(&mut t, "residence", "building_id", "building");
        fk_null(&mut t, "residence", "neighbourhood_id", "neighbourhood");
        fk(&mut t, "residence", "community_id", "community");
        fk_null(&mut t, "residence", "reviewed_by", "app_user");
        m.create_table(t).await?;
        index(m, "residence", &["user_id"]).await?;
        index(m, "residence", &["neighbourhood_id", "status"]).await?;
        index(m, "residence", &["community_id", "status"]).await?;
        index(m, "residence", &["building_id", "unit", "room"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["residence", "appointment", "compound_management", "property_company"]).await
    }
}
