//! Reports and their timelines: categories (seeded), reports with a timestamp per milestone, status events and
//! comments. Reports carry the ids of every grid and org unit above them so each inbox is one indexed range scan.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, 中文, English, to property by default, ack h normal, resolve h normal, ack h urgent, resolve h urgent)
const CATEGORIES: [(&str, &str, &str, bool, i32, i32, i32, i32); 11] = [
    ("DRAIN", "下水道堵塞", "Blocked drain or sewer", true, 12, 48, 2, 12),
    ("WATER_LEAK", "房屋漏水", "Water leak", true, 12, 72, 2, 24),
    ("PARKING", "停车问题", "Parking", true, 24, 72, 4, 24),
    ("LIFT", "电梯故障", "Lift", true, 4, 24, 1, 8),
    ("LIGHTING", "照明损坏", "Lighting", true, 24, 72, 4, 24),
    ("SANITATION", "垃圾与环境卫生", "Rubbish and sanitation", true, 24, 48, 4, 12),
    ("NOISE", "噪音扰民", "Noise", false, 24, 72, 4, 24),
    ("SAFETY", "安全隐患", "Safety hazard", true, 4, 48, 1, 12),
    ("GREENERY", "绿化养护", "Greenery", true, 48, 168, 12, 48),
    ("FACILITIES", "公共设施", "Shared facilities", true, 24, 120, 4, 24),
    ("OTHER", "其他", "Other", false, 24, 120, 4, 48),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let t = table("category")
            .col(string_len("code", 32))
            .col(string_len("name_zh", 32))
            .col(string_len("name_en", 64))
            .col(boolean("to_property"))
            .col(integer("ack_hours_normal"))
            .col(integer("resolve_hours_normal"))
            .col(integer("ack_hours_urgent"))
            .col(integer("resolve_hours_urgent"))
            .col(boolean("active"))
            .col(integer("sort_order"))
            .to_owned();
        m.create_table(t).await?;
        unique(m, "category", &["code"]).await?;

        let mut t = table("report");
        t.col(text("description"))
            .col(string_len("urgency", 8))
            .col(integer_null("unit"))
            .col(string_len_null("room", 16))
            .col(string_len_null("public_area", 100))
            .col(double_null("latitude"))
            .col(double_null("longitude"))
            .col(boolean("anonymous"))
            .col(string_len("status", 16))
            .col(integer("version"))
            .col(timestamp_with_time_zone("waiting_since"))
            .col(timestamp_with_time_zone("submitted_at"))
            .col(timestamp_with_time_zone_null("acknowledged_at"))
            .col(timestamp_with_time_zone_null("dispatched_at"))
            .col(timestamp_with_time_zone_null("started_at"))
            .col(timestamp_with_time_zone_null("resolved_at"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .col(timestamp_with_time_zone_null("first_reopened_at"))
            .col(timestamp_with_time_zone_null("ended_at"))
            .col(timestamp_with_time_zone_null("confirmed_at"))
            .col(integer_null("rating"))
            .col(string_len_null("rating_comment", 500))
            .col(boolean("auto_closed"))
            .col(integer("reopen_count"))
            .col(timestamp_with_time_zone_null("last_urged_at"))
            .col(string_len_null("idempotency_key", 64))
            // The newest timeline event, kept on the row so an inbox card needs no per-report lookup.
            .col(uuid_null("last_event_id"));
        fk(&mut t, "report", "category_id", "category");
        fk(&mut t, "report", "reporter_id", "app_user");
        fk(&mut t, "report", "compound_id", "compound");
        fk_null(&mut t, "report", "building_id", "building");
        fk_null(&mut t, "report", "neighbourhood_id", "neighbourhood");
        fk_null(&mut t, "report", "group_id", "grid_group");
        fk_null(&mut t, "report", "area_id", "grid_area");
        fk(&mut t, "report", "community_id", "community");
        fk_null(&mut t, "report", "company_id", "property_company");
        fk_null(&mut t, "report", "duplicate_of", "report");
        m.create_table(t).await?;
        // myReports: newest first per reporter; a retried submit finds its report by key.
        index(m, "report", &["reporter_id", "id"]).await?;
        unique(m, "report", &["reporter_id", "idempotency_key"]).await?;
        // Inboxes and queues: oldest waiting first within one unit and status.
        index(m, "report", &["neighbourhood_id", "status", "waiting_since", "id"]).await?;
        index(m, "report", &["group_id", "status", "waiting_since", "id"]).await?;
        index(m, "report", &["area_id", "status", "waiting_since", "id"]).await?;
        index(m, "report", &["community_id", "status", "waiting_since", "id"]).await?;
        index(m, "report", &["company_id", "status", "waiting_since", "id"]).await?;
        // The default inbox and queue views (what waits for a head, what waits for the company) read only open
        // reports: partial indexes hold just those rows in waiting order, so a first page reads ~21 entries instead
        // of every open report of an area or company and sorting them. Same SQL on PostgreSQL and SQLite.
        let db = m.get_connection();
        for col in ["neighbourhood_id", "group_id", "area_id", "community_id"] {
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_report_{col}_needs_head ON report ({col}, waiting_since, id) \
                 WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED', 'REOPENED')"
            ))
            .await?;
        }
        db.execute_unprepared(
            "CREATE INDEX idx_report_company_id_needs_company ON report (company_id, waiting_since, id) \
             WHERE status IN ('DISPATCHED', 'IN_PROGRESS', 'REOPENED', 'RESOLVED')",
        )
        .await?;
        // The auto-close job.
        index(m, "report", &["status", "resolved_at"]).await?;

        let mut t = table("report_event");
        t.col(string_len("kind", 16))
            .col(string_len("actor_role", 16))
            .col(string_len_null("from_status", 16))
            .col(string_len_null("to_status", 16))
            .col(string_len_null("note", 500));
        fk(&mut t, "report_event", "report_id", "report");
        fk_null(&mut t, "report_event", "actor_id", "app_user");
        m.create_table(t).await?;
        index(m, "report_event", &["report_id", "id"]).await?;

        let mut t = table("report_comment");
        t.col(string_len("author_role", 16)).col(text("body"));
        fk(&mut t, "report_comment", "report_id", "report");
        fk(&mut t, "report_comment", "author_id", "app_user");
        m.create_table(t).await?;
        index(m, "report_comment", &["report_id", "id"]).await?;

        // Seed the categories.
        let mut insert = Query::insert();
        insert.into_table("category").columns([
            "id", "created_at", "code", "name_zh", "name_en", "to_property", "ack_hours_normal",
            "resolve_hours_normal", "ack_hours_urgent", "resolve_hours_urgent", "active", "sort_order",
        ]);
        let seeded_at: chrono::DateTime<chrono::Utc> = "2026-11-26T00:00:00Z".parse().expect("fixed timestamp");
        for (i, (code, zh, en, prop, an, rn, au, ru)) in CATEGORIES.iter().enumerate() {
            // Fixed ids, so every database (and every replica's cache) names a category the same way.
            let id = uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + i as u128 + 1);
            insert.values_panic([
                id.into(),
                seeded_at.into(),
                (*code).into(),
                (*zh).into(),
                (*en).into(),
                (*prop).into(),
                (*an).into(),
                (*rn).into(),
                (*au).into(),
                (*ru).into(),
                true.into(),
                (i as i32).into(),
            ]);
        }
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["report_comment", "report_event", "report", "category"]).await
    }
}
